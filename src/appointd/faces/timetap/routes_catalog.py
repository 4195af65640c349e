"""Locations, staff, services (reasons), clients and resources as TimeTap shows them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request

from appointd.app import busy, catalog
from appointd.app.context import Context
from appointd.domain.errors import Invalid
from appointd.domain.model import Location
from appointd.faces.timetap import parse, render
from appointd.faces.timetap.auth import context
from appointd.faces.timetap.errors import TimeTapRoute
from appointd.faces.timetap.requests import call, json_object, query
from appointd.faces.timetap.wire import local_instant

router = APIRouter(route_class=TimeTapRoute, include_in_schema=False)

RENDER: dict[str, Callable[[Any], dict[str, Any] | None]] = {
    "locations": render.location,
    "staff": render.staff,
    "services": render.reason,
    "clients": render.client,
    "resources": render.resource,
}


def paging(q: dict[str, Any], ctx: Context) -> tuple[int, int]:
    """``(limit, offset)`` from ``pageNumber`` (from 1) and ``pageSize``; without them, the
    largest page the server allows."""
    largest = ctx.services.settings.max_page_size
    size = parse.integer(q.get("pageSize") or largest, "pageSize", 1, largest)
    number = parse.integer(q.get("pageNumber") or 1, "pageNumber", 1, 10_000_000)
    return size, (number - 1) * size


async def _list(request: Request, ctx: Context, kind: str) -> list[Any]:
    q = query(request)
    limit, offset = paging(q, ctx)
    include = parse.optional_boolean(q.get("includeInactive"), "includeInactive", False)
    page = await call(
        catalog.list_page, ctx, kind, include_archived=include, limit=limit, offset=offset
    )
    return [RENDER[kind](e) for e in page.items]


async def _one(ctx: Context, kind: str, raw_id: str, field: str) -> Any:
    return RENDER[kind](await call(catalog.get, ctx, kind, parse.ident(raw_id, field)))


@router.get("/locations")
async def locations(request: Request, ctx: Context = Depends(context)) -> list[Any]:
    return await _list(request, ctx, "locations")


@router.get("/locations/{location_id}")
async def location(location_id: str, ctx: Context = Depends(context)) -> Any:
    return await _one(ctx, "locations", location_id, "locationId")


@router.get("/staff")
async def staff_list(request: Request, ctx: Context = Depends(context)) -> list[Any]:
    return await _list(request, ctx, "staff")


@router.get("/staff/{staff_id}")
async def staff(staff_id: str, ctx: Context = Depends(context)) -> Any:
    return await _one(ctx, "staff", staff_id, "professionalId")


@router.get("/services")
async def services(request: Request, ctx: Context = Depends(context)) -> list[Any]:
    return await _list(request, ctx, "services")


@router.get("/services/{reason_id}")
async def service(reason_id: str, ctx: Context = Depends(context)) -> Any:
    return await _one(ctx, "services", reason_id, "reasonId")


@router.get("/clients")
async def clients(request: Request, ctx: Context = Depends(context)) -> list[Any]:
    return await _list(request, ctx, "clients")


@router.get("/clients/{client_id}")
async def client(client_id: str, ctx: Context = Depends(context)) -> Any:
    return await _one(ctx, "clients", client_id, "clientId")


# TimeTap client field -> core client field
CLIENT_FIELDS = {
    "firstName": "first_name",
    "lastName": "last_name",
    "emailAddress": "email",
    "email": "email",
    "cellPhone": "phone",
    "phone": "phone",
    "timeZoneCode": "time_zone",
    "externalId": "external_id",
}


@router.post("/clients")
async def create_client(request: Request, ctx: Context = Depends(context)) -> Any:
    """A new client from ``firstName`` (required), ``lastName``, ``emailAddress``,
    ``cellPhone``, ``timeZoneCode``, ``externalId``; other client fields are ignored."""
    body = await json_object(request)
    fields: dict[str, Any] = {}
    for name, core in CLIENT_FIELDS.items():
        if body.get(name) is not None:
            fields[core] = parse.text(body[name], name, 320)
    if not fields.get("first_name"):
        raise Invalid.field("firstName", "required")
    fields.setdefault("last_name", "")
    return render.client(await call(catalog.create, ctx, "clients", fields))


@router.get("/resource")
async def resources(request: Request, ctx: Context = Depends(context)) -> list[Any]:
    return await _list(request, ctx, "resources")


@router.get("/resource/{resource_id}")
async def resource(resource_id: str, ctx: Context = Depends(context)) -> Any:
    return await _one(ctx, "resources", resource_id, "resourceId")


@router.get("/resource/{resource_id}/isBusy/{day}/{start}/{end}")
async def resource_is_busy(
    resource_id: str, day: str, start: str, end: str, ctx: Context = Depends(context)
) -> bool:
    """``true`` when the resource has no capacity left at some moment of ``start``..``end``
    (HHMM) on ``day``, wall time at the resource's location (else the account's first)."""
    rid = parse.ident(resource_id, "resourceId")
    on = parse.day(day, "apptDate")
    first, last = parse.hhmm(start, "startTime"), parse.hhmm(end, "endTime")
    if last <= first:
        raise Invalid.field("endTime", "must be after startTime")
    found = await call(catalog.get, ctx, "resources", rid)
    place: Location | None = None
    if found.location_id is not None:
        place = await call(catalog.get, ctx, "locations", found.location_id)
    else:
        first_page = await call(
            catalog.list_page, ctx, "locations", include_archived=True, limit=1, offset=0
        )
        place = first_page.items[0] if first_page.items else None
    from appointd.domain.wallclock import zone

    tz = zone(place.time_zone if place is not None else "UTC")
    span_start = local_instant(on, first, tz, "startTime")
    span_end = local_instant(on, last, tz, "endTime")
    return await call(busy.resource_busy, ctx, rid, span_start, span_end)
