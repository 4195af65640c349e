"""``/v1/availability``: the free slots of a service at a location, day by day."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from appointd.app import availability
from appointd.app.context import Context
from appointd.domain.availability import Day, Slot
from appointd.domain.errors import Invalid
from appointd.faces.native.auth import context
from appointd.faces.native.routes.common import errors
from appointd.faces.native.schemas import MAX_ID

router = APIRouter(tags=["availability"])


class SlotOut(BaseModel):
    start: datetime = Field(description="client start, RFC 3339 in the requested zone")
    end: datetime = Field(description="client end, RFC 3339 in the requested zone")
    staff_ids: list[int] = Field(description="mode=any: the staff free then; mode=all: all")
    resource_ids: list[int] = Field(description="resources the booking would take")
    class_session_id: int | None = Field(default=None, description="class services only")
    seats_left: int | None = Field(default=None, description="class services only")


class DayOut(BaseModel):
    date: date
    slots: list[SlotOut]


class AvailabilityOut(BaseModel):
    time_zone: str
    days: list[DayOut]


def _ids(raw: str | None) -> list[int] | None:
    if raw is None:
        return None
    try:
        ids = [int(x) for x in raw.split(",") if x.strip()]
    except ValueError:
        ids = [0]
    if not all(1 <= i <= MAX_ID for i in ids):
        raise Invalid.field("staff_id", "expected an id or a comma-separated list of ids")
    return ids


@router.get(
    "/availability",
    response_model=AvailabilityOut,
    responses=errors(401, 404, 422),
    summary="Free slots of a service",
)
def get_availability(
    service_id: int = Query(..., ge=1, le=MAX_ID, description="the service to book"),
    location_id: int = Query(..., ge=1, le=MAX_ID, description="where"),
    from_: date = Query(..., alias="from", description="first date, YYYY-MM-DD"),
    to: date = Query(..., description="last date (inclusive), YYYY-MM-DD; at most 93 days"),
    staff_id: str | None = Query(
        None, description="id or comma list; default: every staff member who may give it there"
    ),
    mode: str = Query("any", description="any | all"),
    time_zone: str | None = Query(
        None, description="IANA zone of the dates and slot times; default: the location's"
    ),
    step_minutes: int | None = Query(
        None, description="minutes between slot starts, 1..1440; default: the service duration"
    ),
    ctx: Context = Depends(context),
) -> Response:
    """Every date from ``from`` to ``to`` (dates in ``time_zone``) with its free slots.

    A slot is free when its busy span (the client span plus the service's buffers) fits one
    stretch of the staff member's working hours (breaks, date overrides and days off included;
    hours stay on the local wall clock on DST change days), overlaps none of their appointments,
    time off or class sessions (expired holds are free), and every resource the service needs
    has capacity left. Slots in the past, inside the minimum notice or beyond the booking horizon
    (the service's ``min_notice_minutes`` / ``max_advance_days``, else the account's defaults)
    are not offered.

    Slot starts follow a grid: from the start of each working stretch (plus the buffer before)
    every ``step_minutes``, which defaults to the service's duration so a free day is tiled
    back to back. ``mode=any`` offers a slot when at least one listed staff member is free and
    names the free ones; ``mode=all`` only when all of them are free at once.

    For a class service the slots are its scheduled sessions in the window with seats left
    (``class_session_id``, ``seats_left``); ``mode`` and ``step_minutes`` do not apply.

    422 (fields named): ``to`` before ``from`` or a window longer than 93 days, ``step_minutes``
    outside 1..1440, an unknown ``mode`` or ``time_zone``, a listed staff member who is archived,
    does not offer the service or does not work at the location. 404: unknown service, location
    or staff member.
    """
    found = availability.find(
        ctx,
        availability.AvailabilityQuery(
            service_id=service_id,
            location_id=location_id,
            first=from_,
            last=to,
            staff_ids=_ids(staff_id),
            mode=mode,
            time_zone=time_zone,
            step_minutes=step_minutes,
        ),
    )
    # Built by hand rather than through the response model: a 50-staff month has thousands
    # of ids, and validating them again costs more than the search. AvailabilityOut documents it.
    body = {"time_zone": found.tz.key, "days": list(_days(found.days, found.tz))}
    return Response(json.dumps(body, separators=(",", ":")), media_type="application/json")


def _days(days: list[Day], tz: ZoneInfo) -> Iterator[dict[str, object]]:
    for day in days:
        yield {"date": day.date.isoformat(), "slots": [_slot(s, tz) for s in day.slots]}


def _slot(slot: Slot, tz: ZoneInfo) -> dict[str, object]:
    out: dict[str, object] = {
        "start": datetime.fromtimestamp(slot.start, tz).isoformat(),
        "end": datetime.fromtimestamp(slot.end, tz).isoformat(),
        "staff_ids": list(slot.staff_ids),
        "resource_ids": list(slot.resource_ids),
    }
    if slot.class_session_id is not None:
        out["class_session_id"] = slot.class_session_id
        out["seats_left"] = slot.seats_left
    return out
