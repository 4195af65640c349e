"""The Cliniko face's application, mounted by :mod:`appointd.asgi` at ``/cliniko/v1``.

A separate application so that every answer under the prefix, unknown paths and methods
included, is in Cliniko's error format and nothing of the native face's handlers applies. The
shared body limit and ``Idempotency-Key`` handling (which run before any routing) answer here in
Cliniko's format too, and take the account from the Basic credentials.
"""

from __future__ import annotations

from fastapi import FastAPI

from appointd.app.context import Services
from appointd.faces.cliniko import (
    appointments,
    auth,
    availability,
    catalog,
    errors,
    groups,
    patients,
    unavailable_blocks,
)
from appointd.faces.shared.errors import register_error_renderer
from appointd.faces.shared.idempotency import register_idempotent_prefix

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
    # The body limit and Idempotency-Key run before this application sees the request; they
    # answer under the prefix in Cliniko's format and authenticate the Cliniko way.
    register_error_renderer(PREFIX, errors.render_status)
    register_idempotent_prefix(PREFIX, auth.account_of)
    app.include_router(appointments.router)
    app.include_router(availability.router)
    app.include_router(catalog.router)
    app.include_router(patients.router)
    app.include_router(unavailable_blocks.router)
    app.include_router(groups.router)
    return app
