"""Cliniko authentication: HTTP Basic with the account's API key as user name.

The password must be empty. A key may carry Cliniko's shard suffix (``KEY-au1``): the key is
tried as sent first, then without a ``-xx9`` suffix. The stray colon some clients send
(``Authorization: Basic: <b64>``) is accepted. Anything else is 401.
"""

from __future__ import annotations

import base64
import binascii
import re

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers

from appointd.app.accounts import authenticate, known_account_id
from appointd.app.context import Caller, Context, Services
from appointd.domain.errors import Unauthenticated

_SCHEME = re.compile(r"^\s*basic:?\s+(?P<token>\S+)\s*$", re.IGNORECASE)
_SHARD = re.compile(r"-[A-Za-z]{2}\d{1,2}$")


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def key_of(header: str) -> str | None:
    """The user name of a Basic header with an empty password, or ``None``."""
    found = _SCHEME.match(header)
    if found is None:
        return None
    try:
        decoded = base64.b64decode(found["token"], validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, colon, password = decoded.partition(":")
    if not colon or password or not user:
        return None
    return user


def _resolve(services: Services, key: str) -> int:
    candidates = [key]
    if _SHARD.search(key):
        candidates.append(_SHARD.sub("", key))
    for candidate in candidates:
        found = known_account_id(services, candidate)
        if found is not None:
            return found
    for candidate in candidates:
        try:
            return authenticate(services, candidate)
        except Unauthenticated:
            continue
    raise Unauthenticated("unknown API key")


def account_of(services: Services, headers: Headers) -> int | None:
    """The account of a Cliniko request's Basic credentials, ``None`` when they are missing or
    unknown (for the shared ``Idempotency-Key`` machinery, which then lets the face answer 401)."""
    key = key_of(headers.get("authorization", ""))
    if key is None:
        return None
    try:
        return _resolve(services, key)
    except Unauthenticated:
        return None


async def context(request: Request) -> Context:
    """FastAPI dependency: the :class:`Context` of an authenticated Cliniko request."""
    key = key_of(request.headers.get("authorization", ""))
    if key is None:
        raise Unauthenticated("HTTP Basic credentials required")
    services = services_of(request)
    account_id = known_account_id(services, key)
    if account_id is None:
        account_id = await run_in_threadpool(_resolve, services, key)
    return Context(services, Caller(account_id, actor=f"account:{account_id}", source="cliniko"))
