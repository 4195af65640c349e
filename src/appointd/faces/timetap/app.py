"""The TimeTap face's routers: one API answered at ``/timetap/live``, ``/timetap/test`` and
``/timetap`` (a client's ``https://api.timetap.com/live`` becomes ``http://HOST/timetap/live``).

Any other path under those bases is a TimeTap 404 (an unknown method on a known path too).
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request

from appointd.domain.errors import NotFound
from appointd.faces.shared.errors import register_error_renderer
from appointd.faces.shared.idempotency import register_idempotent_prefix
from appointd.faces.timetap import (
    auth,
    routes_appointments,
    routes_catalog,
    routes_more,
    routes_reports,
)
from appointd.faces.timetap.errors import TimeTapRoute, render_status

BASES = ("/timetap/live", "/timetap/test", "/timetap")


def _api() -> APIRouter:
    api = APIRouter(route_class=TimeTapRoute, include_in_schema=False)
    # Order matters: fixed paths (reports, recurringappointments) before /appointments/{id}.
    api.include_router(auth.router)
    api.include_router(routes_reports.router)
    api.include_router(routes_appointments.router)
    api.include_router(routes_catalog.router)
    api.include_router(routes_more.router)
    return api


def install(app: FastAPI) -> None:
    """Mount the face on ``app`` under each base, then the 404 for anything else there, and
    register it with the shared body limit (413) and ``Idempotency-Key`` machinery: both
    answer in TimeTap's error shape, and keys are scoped to the session token's account."""
    register_error_renderer("/timetap", render_status)
    register_idempotent_prefix("/timetap", auth.account_of)
    api = _api()
    for base in BASES:
        app.include_router(api, prefix=base, include_in_schema=False)
    fallback = APIRouter(route_class=TimeTapRoute, include_in_schema=False)

    @fallback.api_route("/timetap/{path:path}", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    async def unknown(path: str, request: Request) -> None:
        raise NotFound("endpoint", f"{request.method} /{path}")

    app.include_router(fallback, include_in_schema=False)
