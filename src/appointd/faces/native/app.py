"""The native face's router: everything under ``/v1``."""

from __future__ import annotations

from fastapi import APIRouter

from appointd.faces.native import examples
from appointd.faces.native.routes import (
    account,
    appointments,
    catalog,
    health,
    staff_time_off,
    webhooks,
)
from appointd.faces.native.routes import availability as availability_routes
from appointd.faces.native.routes import calendar_feeds as calendar_feed_routes
from appointd.faces.native.routes import class_sessions as class_session_routes
from appointd.faces.native.routes import definitions as definition_routes
from appointd.faces.native.routes import intents as intent_routes
from appointd.faces.native.routes import series as series_routes
from appointd.faces.native.routes import waitlist as waitlist_routes

router = APIRouter(prefix="/v1")
# Routes are matched in order: the hot paths (booking, availability search) come first.
router.include_router(appointments.router)
router.include_router(availability_routes.router)
router.include_router(health.router)
router.include_router(catalog.router)
router.include_router(staff_time_off.router)
router.include_router(class_session_routes.router)
router.include_router(series_routes.router)
router.include_router(waitlist_routes.router)
router.include_router(intent_routes.router)
router.include_router(webhooks.router)
router.include_router(definition_routes.router)
router.include_router(calendar_feed_routes.router)
router.include_router(account.router)

examples.install()
