"""Businesses (locations), practitioners (staff), appointment types (services), patients (clients).

Filters on fields appointd does not hold or cannot filter on (a practitioner's ``user_id``, a
patient's ``preferred_first_name``) are accepted and compared with null: ``!?`` matches
everything, any other comparison nothing. ``show_in_online_bookings`` is true exactly
for live (not archived) objects.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from appointd.app import catalog
from appointd.app.context import Context
from appointd.domain.errors import NotFound
from appointd.faces.cliniko import render
from appointd.faces.cliniko.auth import context
from appointd.faces.cliniko.query import Filter, ListRequest, base_url, envelope, parse_list
from appointd.faces.cliniko.wire import path_id
from appointd.store.repositories.conditions import Condition

router = APIRouter()

_STAMPS = {"id": "int", "created_at": "datetime", "updated_at": "datetime"}
KINDS: dict[str, dict[str, Any]] = {
    "businesses": {
        "core": "locations",
        "render": render.business,
        "filters": {
            **_STAMPS,
            "archived_at": "datetime",
            "deleted_at": "datetime",
            "appointment_type_ids": "array",
            "show_in_online_bookings": "bool",
        },
        "fields": {},
    },
    "practitioners": {
        "core": "staff",
        "render": render.practitioner,
        "filters": {**_STAMPS, "user_id": "int", "show_in_online_bookings": "bool"},
        "fields": {},
    },
    "appointment_types": {
        "core": "services",
        "render": render.appointment_type,
        "filters": {
            **_STAMPS,
            "archived_at": "datetime",
            "category": "string",
            "online_payments_mode": "string",
            "show_in_online_bookings": "bool",
            "appointment_confirmation_template_ids": "array",
            "appointment_reminder_template_ids": "array",
        },
        "fields": {"name": "name"},
    },
    "patients": {
        "core": "clients",
        "render": render.patient,
        "filters": {
            **_STAMPS,
            "archived_at": "datetime",
            "date_of_birth": "date",
            "email": "string",
            "first_name": "string",
            "last_name": "string",
            "old_reference_id": "string",
            "preferred_first_name": "string",
        },
        "fields": {
            "date_of_birth": "date_of_birth",
            "email": "email",
            "first_name": "first_name",
            "last_name": "last_name",
            "old_reference_id": "external_id",
        },
    },
}
_OPS = {"=": "=", "!=": "!=", ">": ">", ">=": ">=", "<": "<", "<=": "<=", "?": "not_null"}
NOTHING = Condition("id", "in", ())


def _condition(flt: Filter, fields: dict[str, str]) -> Condition | None:
    """The core condition of one filter; ``None`` when it keeps every row."""
    if flt.field == "show_in_online_bookings":
        live = flt.value if flt.op == "=" else not flt.value
        return Condition("archived_at", "null" if live else "not_null")
    core = {"id": "id", "created_at": "created_at", "updated_at": "updated_at"}.get(flt.field)
    core = core or {"archived_at": "archived_at"}.get(flt.field) or fields.get(flt.field)
    if core is None:  # a field appointd does not hold: its value is null
        return None if flt.op == "!?" else NOTHING
    if flt.op == "*":
        return None
    if flt.op == "!?":
        return Condition(core, "null")
    if flt.op == "~":
        return Condition(core, "contains", flt.value)
    if flt.op == "~~":
        return Condition(core, "like", flt.value)
    if flt.op == "=" and len(flt.values) > 1:
        return Condition(core, "in", flt.values)
    return Condition(core, _OPS[flt.op], flt.value)


def _sortable(spec: dict[str, Any]) -> frozenset[str]:
    return frozenset({"id", "created_at", "updated_at", *spec["fields"]})


def _core_sort(lr: ListRequest, spec: dict[str, Any]) -> list[tuple[str, bool]]:
    names = {"id": "id", "created_at": "created_at", "updated_at": "updated_at", **spec["fields"]}
    return [(names[name], desc) for name, desc in lr.sort]


async def _list(
    request: Request, ctx: Context, plural: str, *, archived: bool = False
) -> dict[str, Any]:
    spec = KINDS[plural]
    lr = parse_list(request, spec["filters"], _sortable(spec), "created_at")
    conditions = [c for c in (_condition(f, spec["fields"]) for f in lr.filters) if c]
    found = await run_in_threadpool(
        lambda: catalog.list_page(
            ctx,
            spec["core"],
            include_archived=archived or lr.mentions("archived_at"),
            limit=lr.per_page,
            offset=lr.offset,
            conditions=conditions,
            order=_core_sort(lr, spec),
        )
    )
    base = base_url(request)
    items = [spec["render"](e, base) for e in found.items]
    return envelope(request, plural, items, found.total, lr)


async def _get(request: Request, ctx: Context, plural: str, raw: str) -> dict[str, Any]:
    spec = KINDS[plural]
    found_id = path_id(raw)
    if found_id is None:
        raise NotFound(spec["core"], raw)
    entity = await run_in_threadpool(catalog.get, ctx, spec["core"], found_id)
    doc: dict[str, Any] = spec["render"](entity, base_url(request))
    return doc


@router.get("/businesses")
async def list_businesses(request: Request, ctx: Context = Depends(context)) -> dict[str, Any]:
    return await _list(request, ctx, "businesses")


@router.get("/businesses/{business_id}")
async def get_business(
    business_id: str, request: Request, ctx: Context = Depends(context)
) -> dict[str, Any]:
    return await _get(request, ctx, "businesses", business_id)


@router.get("/practitioners")
async def list_practitioners(request: Request, ctx: Context = Depends(context)) -> dict[str, Any]:
    return await _list(request, ctx, "practitioners")


@router.get("/practitioners/{practitioner_id}")
async def get_practitioner(
    practitioner_id: str, request: Request, ctx: Context = Depends(context)
) -> dict[str, Any]:
    return await _get(request, ctx, "practitioners", practitioner_id)


@router.get("/practitioners/{practitioner_id}/appointment_types")
async def practitioner_appointment_types(
    practitioner_id: str, request: Request, ctx: Context = Depends(context)
) -> dict[str, Any]:
    staff_id = path_id(practitioner_id)
    if staff_id is None:
        raise NotFound("staff", practitioner_id)
    lr = parse_list(request, {}, frozenset({"created_at"}), "created_at")
    services = await run_in_threadpool(catalog.services_given_by, ctx, staff_id)
    base = base_url(request)
    page = services[lr.offset : lr.offset + lr.per_page]
    items = [render.appointment_type(s, base) for s in page]
    return envelope(request, "appointment_types", items, len(services), lr)


@router.get("/appointment_types")
async def list_appointment_types(
    request: Request, ctx: Context = Depends(context)
) -> dict[str, Any]:
    return await _list(request, ctx, "appointment_types")


@router.get("/appointment_types/{appointment_type_id}")
async def get_appointment_type(
    appointment_type_id: str, request: Request, ctx: Context = Depends(context)
) -> dict[str, Any]:
    return await _get(request, ctx, "appointment_types", appointment_type_id)


@router.get("/patients")
async def list_patients(request: Request, ctx: Context = Depends(context)) -> dict[str, Any]:
    return await _list(request, ctx, "patients")


@router.get("/patients/{patient_id}")
async def get_patient(
    patient_id: str, request: Request, ctx: Context = Depends(context)
) -> dict[str, Any]:
    return await _get(request, ctx, "patients", patient_id)
