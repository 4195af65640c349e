"""``/v1/health``: is the server up, and can it reach its database? No authentication."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from appointd import __version__
from appointd.faces.native.auth import services_of
from appointd.faces.native.schemas import HealthOut
from appointd.store.health import database_state

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    summary="Server and database state",
    responses={
        200: {"model": HealthOut, "description": "Up, and the database answers"},
        503: {"model": HealthOut, "description": "Up, but the database does not answer"},
    },
)
def health(request: Request) -> JSONResponse:
    state = database_state(services_of(request).engine)
    body = {
        "status": "ok" if state["reachable"] else "degraded",
        "version": __version__,
        "database": state,
    }
    return JSONResponse(body, status_code=200 if state["reachable"] else 503)
