"""The Agendize face's routers: Scheduling 2.1 (also under 2.0) and the 2.3 statuses."""

from __future__ import annotations

from fastapi import APIRouter

from appointd.domain.errors import NotFound
from appointd.faces.agendize import appointments, catalog, watches
from appointd.faces.agendize.auth import account_of
from appointd.faces.agendize.errors import AgendizeRoute, render_status
from appointd.faces.shared.errors import register_error_renderer
from appointd.faces.shared.idempotency import register_idempotent_prefix_by_request

PREFIXES = ("/api/2.1/scheduling", "/api/2.0/scheduling")
STATUSES_PREFIX = "/api/2.3/scheduling"
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _unknown() -> APIRouter:
    """Last in each prefix: any other path or method is a 404 in the Agendize error body."""
    router = APIRouter(route_class=AgendizeRoute, include_in_schema=False)

    @router.api_route("/{rest:path}", methods=METHODS, name="agendize_unknown")
    def unknown(rest: str) -> None:
        raise NotFound("operation", rest)

    return router


def routers() -> list[APIRouter]:
    """Every router of the face, with its prefix; ``asgi`` includes them in order.

    Also registers the face with the shared machinery that runs before any routing: a body
    over the limit (413) and ``Idempotency-Key`` refusals (422 reused, 409 in progress) are
    answered in the Agendize error body under ``/api``, and every unsafe request under the
    scheduling prefixes honours ``Idempotency-Key``, scoped to the account of its apiKey/token
    (headers or query parameters). The 2.3 statuses API is read-only here: nothing to key."""
    register_error_renderer("/api", render_status)
    for prefix in PREFIXES:
        register_idempotent_prefix_by_request(prefix, account_of)
    out = []
    for prefix in PREFIXES:
        scheduling = APIRouter(prefix=prefix, tags=["agendize"])
        # The watch paths first: /appointments/watch is not an appointment id.
        scheduling.include_router(watches.router)
        scheduling.include_router(appointments.router)
        scheduling.include_router(catalog.router)
        scheduling.include_router(_unknown())
        out.append(scheduling)
    statuses = APIRouter(prefix=STATUSES_PREFIX, tags=["agendize"])
    statuses.include_router(catalog.statuses_router)
    statuses.include_router(_unknown())
    out.append(statuses)
    return out
