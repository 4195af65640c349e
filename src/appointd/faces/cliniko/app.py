"""The Cliniko face's application, mounted by :mod:`appointd.asgi` at ``/cliniko/v1``.

A separate application so that every answer under the prefix, unknown paths and methods
included, is in Cliniko's error format and nothing of the native face's handlers applies.
"""

from __future__ import annotations

from fastapi import FastAPI

from appointd.app.context import Services
from appointd.faces.cliniko import (
    appointments,
    availability,
    catalog,
    errors,
    groups,
    unavailable_blocks,
)

PREFIX = "/cliniko/v1"


def build(services: Services) -> FastAPI:
    app = FastAPI(
        title="appointd: Cliniko API v1",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.services = services
    errors.install(app)
    app.include_router(appointments.router)
    app.include_router(availability.router)
    app.include_router(catalog.router)
    app.include_router(unavailable_blocks.router)
    app.include_router(groups.router)
    return app
