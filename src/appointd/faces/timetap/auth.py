"""TimeTap authentication: ``GET /sessionToken`` and the session token on every other call.

``GET {base}/sessionToken?apiKey=ACCOUNT_ID&timestamp=T&signature=md5hex(ACCOUNT_ID + KEY)``
answers ``{"sessionToken": "st:timetap:..."}``; ``timestamp`` (Unix seconds, a float is fine) is
accepted and not checked, since the signature does not cover it. Other calls send
``Authorization: Bearer <token>`` (the bare token, or a ``sessionToken`` query parameter, also
works). Tokens live in the database (hashed, :mod:`appointd.app.sessions`); each process
remembers the tokens it checked lately for a few seconds so a busy client does not pay a
lookup per request.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers

from appointd.app.accounts import KEY_CACHE_SECONDS
from appointd.app.context import Caller, Context, Services
from appointd.app.sessions import open_session, session_account
from appointd.domain.errors import Invalid, Unauthenticated
from appointd.faces.timetap.errors import TimeTapRoute

KIND = "timetap"
# A token checked against the database is trusted by this process for this long, and never
# past its expiry: as long as a key is (a revoked key's sessions end within it too).
TOKEN_CACHE_SECONDS = KEY_CACHE_SECONDS
TOKEN_CACHE_SIZE = 10_000
_known: dict[tuple[int, str], tuple[int, float]] = {}

router = APIRouter(route_class=TimeTapRoute, include_in_schema=False)


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


@router.get("/sessionToken", summary="TimeTap: a session token for apiKey + signature")
async def session_token(request: Request) -> dict[str, str]:
    q = request.query_params
    api_key, signature = q.get("apiKey"), q.get("signature")
    if not api_key:
        raise Invalid.field("apiKey", "required (the business id)")
    if not signature:
        raise Invalid.field("signature", "required: md5 hex of apiKey + private key")
    timestamp = q.get("timestamp")
    if timestamp is not None:
        try:
            float(timestamp)
        except ValueError:
            raise Invalid.field("timestamp", "must be Unix seconds") from None
    account_id = int(api_key) if api_key.isascii() and api_key.isdigit() else 0
    token = await run_in_threadpool(
        open_session, services_of(request), KIND, account_id, signature.strip().lower()
    )
    return {"sessionToken": token}


def _header_token(headers: Headers) -> str | None:
    header = headers.get("authorization", "").strip()
    scheme, _, rest = header.partition(" ")
    if scheme.lower() == "bearer":
        return rest.strip() or None
    return header or None


def _token(request: Request) -> str | None:
    return _header_token(request.headers) or request.query_params.get("sessionToken")


def account_of(services: Services, headers: Headers) -> int | None:
    """The account of the session token in ``Authorization``, ``None`` when it is missing,
    unknown or expired (for the shared ``Idempotency-Key`` machinery, which sees only
    headers: a token sent as the ``sessionToken`` query parameter gets no idempotency)."""
    token = _header_token(headers)
    if token is None:
        return None
    known = _known.get((id(services.engine), token))
    if known is not None and known[1] > time.monotonic():
        return known[0]
    try:
        return session_account(services, KIND, token)[0]
    except Unauthenticated:
        return None


async def context(request: Request) -> Context:
    """The :class:`Context` of a TimeTap request: the session token's account, face ``timetap``."""
    token = _token(request)
    services = services_of(request)
    slot = (id(services.engine), token or "")
    known = _known.get(slot)
    if known is not None and known[1] > time.monotonic():
        account_id = known[0]
    else:
        account_id, left = await run_in_threadpool(session_account, services, KIND, token)
        if len(_known) >= TOKEN_CACHE_SIZE:
            _known.clear()
        _known[slot] = (account_id, time.monotonic() + min(TOKEN_CACHE_SECONDS, left))
    return Context(services, Caller(account_id, actor=f"timetap:{account_id}", source="timetap"))


def forget_tokens() -> None:
    """Make every token be checked against the database again (tests of expiry use it)."""
    _known.clear()
