"""Native authentication: ``Authorization: Bearer <api key>`` resolves to the caller's account."""

from __future__ import annotations

from fastapi import Request

from appointd.app.accounts import authenticate
from appointd.app.context import Caller, Context, Services


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def context(request: Request) -> Context:
    """FastAPI dependency: the :class:`Context` of an authenticated native request."""
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    services = services_of(request)
    account_id = authenticate(services, key.strip() if scheme.lower() == "bearer" else None)
    return Context(services, Caller(account_id, actor=f"account:{account_id}", source="native"))
