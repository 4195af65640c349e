"""The ASGI application: the composition root where settings, store and faces meet.

``appointd serve`` runs ``uvicorn --factory appointd.asgi:serve_app``; tests call ``create_app``
with their own settings and services.
"""

from __future__ import annotations

import gc

from fastapi import FastAPI

from appointd import __version__, docs
from appointd.app.context import Services
from appointd.faces.agendize.app import routers as agendize_routers
from appointd.faces.cliniko import app as cliniko_app
from appointd.faces.native import errors as native_errors
from appointd.faces.native import openapi_rules
from appointd.faces.native.app import router as native_router
from appointd.faces.shared.body_limit import BodyLimit
from appointd.faces.shared.idempotency import Idempotency
from appointd.faces.shared.query_text import QueryText
from appointd.faces.timetap import app as timetap
from appointd.settings import Settings, get_settings
from appointd.store.engine import make_engine
from appointd.web.mount import mount as mount_pages

DESCRIPTION = """\
appointd's native API. Authenticate with `Authorization: Bearer <api key>`.
Times are RFC 3339; errors are `application/problem+json` (RFC 9457).
"""


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """A ready application; builds its own engine from ``settings`` unless ``services`` is given."""
    settings = settings or get_settings()
    services = services or Services(engine=make_engine(settings), settings=settings)
    app = FastAPI(
        title="appointd",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,  # served offline by appointd.docs
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.services = services
    native_errors.install(app)
    app.include_router(native_router)
    mount_pages(app, services)
    app.mount(cliniko_app.PREFIX, cliniko_app.build(services))
    for router in agendize_routers():
        app.include_router(router, include_in_schema=False)
    timetap.install(app)
    openapi_rules.install(app, settings)
    docs.install(app)
    # Added last = runs first: the body limit counts every body before anything reads it,
    # query strings with U+0000 are refused, then Idempotency-Key handling wraps whatever face
    # the path belongs to.
    app.add_middleware(Idempotency, services=services)
    app.add_middleware(QueryText)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    return app


def serve_app() -> FastAPI:
    """The application as ``appointd serve`` runs it: :func:`create_app`, then what start-up
    built (modules, routes, schemas: some 200k objects, alive as long as the process) is moved
    out of the garbage collector's reach, so a full collection no longer scans it in the middle
    of a request (it cost 120-150 ms, most often during large answers). Tests build many
    applications in one process and keep :func:`create_app`, which freezes nothing."""
    app = create_app()
    gc.freeze()
    return app
