"""Native authentication: ``Authorization: Bearer <api key>`` resolves to the caller's account.

The scheme is declared through FastAPI's :class:`HTTPBearer`, so every operation that depends on
:func:`context` carries the ``bearer`` security requirement in the OpenAPI document (and
``/docs`` shows an Authorize button); operations that need no key (health) never depend on it.
"""

from __future__ import annotations

from fastapi import Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers

from appointd.app.accounts import authenticate, known_account_id
from appointd.app.context import Caller, Context, Services
from appointd.domain.errors import Unauthenticated

bearer = HTTPBearer(
    scheme_name="bearer",
    description="An API key: `appointd keys create ACCOUNT` or `appointd serve --demo` prints one",
    auto_error=False,
)
HOW = "send the header `Authorization: Bearer <key>`"


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _bearer(headers: Headers) -> str | None:
    scheme, _, raw = headers.get("authorization", "").partition(" ")
    return raw.strip() if scheme.lower() == "bearer" else None


def account_of(services: Services, headers: Headers) -> int | None:
    """The account of a native request's credentials, ``None`` when they are missing or
    unknown (for the shared ``Idempotency-Key`` machinery)."""
    try:
        return authenticate(services, _bearer(headers))
    except Unauthenticated:
        return None


def refusal(request: Request) -> Unauthenticated:
    """Why a request without a usable key is refused, and how to send one."""
    header = request.headers.get("authorization")
    if header is None or not header.strip():
        return Unauthenticated(f"missing API key: {HOW}")
    return Unauthenticated(f"Authorization must be `Bearer <key>`: {HOW}")


async def context(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Security(bearer)
) -> Context:
    """FastAPI dependency: the :class:`Context` of an authenticated native request.

    Async so that a key resolved lately costs no hop to a worker thread (a sync dependency
    takes one on every request); a key not known yet is looked up in a worker thread.
    """
    key = credentials.credentials.strip() if credentials is not None else None
    if not key:
        raise refusal(request)
    services = services_of(request)
    account_id = known_account_id(services, key)
    if account_id is None:
        account_id = await run_in_threadpool(authenticate, services, key)
    return Context(
        services,
        Caller(account_id, actor=f"account:{account_id}", source="native"),
        base_url=str(request.base_url),
    )
