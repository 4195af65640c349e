"""Agendize authentication: ``apiKey`` (the account id) and ``token`` (the account's key).

Both may come as request headers or query parameters, with the names matched without regard
to case (Agendize's own samples send ``apikey``). ``Authorization: Bearer <key>`` (Agendize's
OAuth2 mode) is accepted too, alone. A missing, unknown or mismatched pair is 401.
"""

from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from appointd.app.accounts import authenticate, known_account_id
from appointd.app.context import Caller, Context, Services
from appointd.domain.errors import Unauthenticated

SOURCE = "agendize"


def _credential(request: Request, name: str) -> str | None:
    """The header or query parameter ``name`` (any case); headers win."""
    value = request.headers.get(name)
    if value:
        return value.strip()
    for key, value in request.query_params.multi_items():
        if key.lower() == name and value:
            return value.strip()
    return None


async def context(request: Request) -> Context:
    """FastAPI dependency: the :class:`Context` of an authenticated Agendize request."""
    services: Services = request.app.state.services
    api_key = _credential(request, "apikey")
    token = _credential(request, "token")
    if token is None:
        scheme, _, raw = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and raw.strip():
            token, api_key = raw.strip(), api_key
    if not token:
        raise Unauthenticated("apiKey and token are required (headers or query parameters)")
    account_id = known_account_id(services, token)
    if account_id is None:
        account_id = await run_in_threadpool(authenticate, services, token)
    if api_key is not None and api_key != str(account_id):
        raise Unauthenticated("apiKey does not match token")
    if api_key is None and request.headers.get("authorization") is None:
        raise Unauthenticated("apiKey is required with token")
    return Context(services, Caller(account_id, actor=f"account:{account_id}", source=SOURCE))
