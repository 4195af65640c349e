"""``available_times`` and ``next_available_time`` on the core's availability search.

Booked time, buffers, working hours, time off and DST are the core's; this module only checks
Cliniko's range rules: ``from`` and ``to`` are dates, ``to`` at most 7 days after ``from``,
neither before today in the business's time zone (else 400 "Invalid time frame definition").
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from appointd.app import availability, catalog
from appointd.app.context import Context
from appointd.domain.errors import NotFound
from appointd.faces.cliniko.auth import context
from appointd.faces.cliniko.errors import BadRequest
from appointd.faces.cliniko.query import envelope, parse_list, self_url
from appointd.faces.cliniko.wire import date_value, path_id, utc

router = APIRouter()
PREFIX = (
    "/businesses/{business_id}/practitioners/{practitioner_id}"
    "/appointment_types/{appointment_type_id}"
)
BAD_RANGE = "Invalid time frame definition. Please check from/to param limitations."
MAX_RANGE_DAYS = 7
NEXT_SEARCH_DAYS = 93  # the core's widest search window


def _ids(business_id: str, practitioner_id: str, appointment_type_id: str) -> tuple[int, ...]:
    found = (path_id(business_id), path_id(practitioner_id), path_id(appointment_type_id))
    if any(i is None for i in found):
        raise NotFound("path", f"{business_id}/{practitioner_id}/{appointment_type_id}")
    return tuple(i for i in found if i is not None)


def _date(request: Request, name: str, required: bool) -> date | None:
    raw = request.query_params.get(name)
    if raw is None:
        if required:
            raise BadRequest(BAD_RANGE)
        return None
    found = date_value(raw)
    if found is None:
        raise BadRequest(BAD_RANGE)
    return found


def _starts(ctx: Context, ids: tuple[int, ...], first: date, last: date) -> list[datetime]:
    location_id, staff_id, service_id = ids
    catalog.get(ctx, "staff", staff_id)
    catalog.get(ctx, "services", service_id)
    query = availability.AvailabilityQuery(
        service_id=service_id,
        location_id=location_id,
        first=first,
        last=last,
        staff_ids=[staff_id],
    )
    found = availability.find(ctx, query)
    return [
        datetime.fromtimestamp(slot.start, UTC)
        for day in found.days
        for slot in day.slots
        if staff_id in slot.staff_ids or slot.class_session_id is not None
    ]


def _today(ctx: Context, location_id: int) -> date:
    location = catalog.get(ctx, "locations", location_id)
    return ctx.now().astimezone(ZoneInfo(location.time_zone)).date()


@router.get(PREFIX + "/available_times")
async def available_times(
    business_id: str,
    practitioner_id: str,
    appointment_type_id: str,
    request: Request,
    ctx: Context = Depends(context),
) -> dict[str, Any]:
    ids = _ids(business_id, practitioner_id, appointment_type_id)
    lr = parse_list(request, {}, frozenset({"appointment_start"}), "appointment_start")
    first, last = _date(request, "from", True), _date(request, "to", True)
    assert first is not None and last is not None
    today = await run_in_threadpool(_today, ctx, ids[0])
    if last < first or (last - first).days > MAX_RANGE_DAYS or first < today:
        raise BadRequest(BAD_RANGE)
    starts = await run_in_threadpool(_starts, ctx, ids, first, last)
    page = starts[lr.offset : lr.offset + lr.per_page]
    items = [{"appointment_start": utc(s)} for s in page]
    return envelope(request, "available_times", items, len(starts), lr)


@router.get(PREFIX + "/next_available_time")
async def next_available_time(
    business_id: str,
    practitioner_id: str,
    appointment_type_id: str,
    request: Request,
    ctx: Context = Depends(context),
) -> dict[str, Any]:
    """The first free start from ``from`` (default today) to ``to`` (default the widest
    window the core searches); without one the answer has no ``appointment_start``."""
    ids = _ids(business_id, practitioner_id, appointment_type_id)
    today = await run_in_threadpool(_today, ctx, ids[0])
    first = _date(request, "from", False) or today
    last = _date(request, "to", False) or first + timedelta(days=NEXT_SEARCH_DAYS - 1)
    if last < first or (last - first).days >= NEXT_SEARCH_DAYS or first < today:
        raise BadRequest(BAD_RANGE)
    starts = await run_in_threadpool(_starts, ctx, ids, first, last)
    doc: dict[str, Any] = {
        "total_entries": 1 if starts else 0,
        "links": {"self": self_url(request)},
    }
    if starts:
        doc["appointment_start"] = utc(starts[0])
    return doc
