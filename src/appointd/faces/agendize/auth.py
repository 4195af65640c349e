"""Agendize authentication: ``apiKey`` (the account id) and ``token`` (the account's key).

Both may come as request headers or query parameters, with the names matched without regard
to case (Agendize's own samples send ``apikey``). ``Authorization: Bearer <key>`` (Agendize's
OAuth2 mode) is accepted too, alone. A missing, unknown or mismatched pair is 401.
"""

from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from appointd.app.accounts import authenticate, known_account_id
from appointd.app.context import Caller, Context, Services
from appointd.domain.errors import Unauthenticated

SOURCE = "agendize"


def _credential(conn: HTTPConnection, name: str) -> str | None:
    """The header or query parameter ``name`` (any case); headers win."""
    value = conn.headers.get(name)
    if value:
        return value.strip()
    for key, value in conn.query_params.multi_items():
        if key.lower() == name and value:
            return value.strip()
    return None


def _credentials(conn: HTTPConnection) -> tuple[str | None, str]:
    """(apiKey, token) of a request; :class:`Unauthenticated` without a token."""
    api_key = _credential(conn, "apikey")
    token = _credential(conn, "token")
    if token is None:
        scheme, _, raw = conn.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and raw.strip():
            token = raw.strip()
    if not token:
        raise Unauthenticated("apiKey and token are required (headers or query parameters)")
    return api_key, token


def _checked(conn: HTTPConnection, api_key: str | None, account_id: int) -> int:
    if api_key is not None and api_key != str(account_id):
        raise Unauthenticated("apiKey does not match token")
    if api_key is None and conn.headers.get("authorization") is None:
        raise Unauthenticated("apiKey is required with token")
    return account_id


async def context(request: Request) -> Context:
    """FastAPI dependency: the :class:`Context` of an authenticated Agendize request."""
    services: Services = request.app.state.services
    api_key, token = _credentials(request)
    account_id = known_account_id(services, token)
    if account_id is None:
        account_id = await run_in_threadpool(authenticate, services, token)
    _checked(request, api_key, account_id)
    return Context(services, Caller(account_id, actor=f"account:{account_id}", source=SOURCE))


def account_of(services: Services, conn: HTTPConnection) -> int | None:
    """The account of an Agendize request's credentials (headers or query), ``None`` when
    they are missing, unknown or mismatched: for the shared ``Idempotency-Key`` machinery,
    which then lets the request through to be answered 401 by :func:`context`."""
    try:
        api_key, token = _credentials(conn)
        return _checked(conn, api_key, authenticate(services, token))
    except Unauthenticated:
        return None
