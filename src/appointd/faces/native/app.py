"""The native face's router: everything under ``/v1``."""

from __future__ import annotations

from fastapi import APIRouter

from appointd.faces.native.routes import appointments, catalog, health, staff_time_off

router = APIRouter(prefix="/v1")
router.include_router(health.router)
router.include_router(catalog.router)
router.include_router(staff_time_off.router)
router.include_router(appointments.router)
