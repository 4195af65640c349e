"""The Agendize face's routers: Scheduling 2.1 (also under 2.0) and the 2.3 statuses."""

from __future__ import annotations

from fastapi import APIRouter

from appointd.faces.agendize import appointments, catalog, watches

PREFIXES = ("/api/2.1/scheduling", "/api/2.0/scheduling")


def routers() -> list[APIRouter]:
    """Every router of the face, with its prefix; ``asgi`` includes them in order."""
    out = []
    for prefix in PREFIXES:
        scheduling = APIRouter(prefix=prefix, tags=["agendize"])
        # The watch paths first: /appointments/watch is not an appointment id.
        scheduling.include_router(watches.router)
        scheduling.include_router(appointments.router)
        scheduling.include_router(catalog.router)
        out.append(scheduling)
    statuses = APIRouter(prefix="/api/2.3/scheduling", tags=["agendize"])
    statuses.include_router(catalog.statuses_router)
    out.append(statuses)
    return out
