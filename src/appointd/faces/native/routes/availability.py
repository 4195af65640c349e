"""``/v1/availability``: the free slots of a service at a location, day by day."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from appointd.app import availability
from appointd.app.context import Context
from appointd.domain.availability import Day, Slot
from appointd.faces.native.auth import context
from appointd.faces.native.dates import IsoDate
from appointd.faces.native.routes.common import ID_LIST_PATTERN, errors, id_list
from appointd.faces.native.schemas import QueryId

router = APIRouter(tags=["availability"])
EPOCH = date(1970, 1, 1)


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


@router.get(
    "/availability",
    response_model=AvailabilityOut,
    responses=errors(401, 404, 422),
    summary="Free slots of a service",
)
def get_availability(
    service_id: Annotated[QueryId, Query(description="the service to book")],
    location_id: Annotated[QueryId, Query(description="where")],
    from_: Annotated[IsoDate, Query(alias="from", description="first date, YYYY-MM-DD")],
    to: Annotated[IsoDate, Query(description="last date (inclusive), YYYY-MM-DD; at most 93 days")],
    staff_id: str | None = Query(
        None,
        pattern=ID_LIST_PATTERN,
        description="id or comma list; default: every staff member who may give it there",
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
            staff_ids=id_list(staff_id, "staff_id"),
            mode=mode,
            time_zone=time_zone,
            step_minutes=step_minutes,
        ),
    )
    # Written by hand rather than through the response model: a 50-staff month has thousands
    # of ids, and validating and encoding them again costs more than the search itself.
    # AvailabilityOut documents the shape.
    return Response(_document(found.days, found.tz), media_type="application/json")


def _document(days: list[Day], tz: ZoneInfo) -> str:
    """The JSON text of :class:`AvailabilityOut`. Slots of one search share a few id lists
    and clock times, so each is encoded once and the slots are joined from the pieces."""
    stamp = _Stamps(tz)
    ids: dict[tuple[int, ...], str] = {}

    def array(values: tuple[int, ...]) -> str:
        text = ids.get(values)
        if text is None:
            text = ids[values] = json.dumps(values, separators=(",", ":"))
        return text

    def slot(s: Slot, offset: _Offset | None) -> str:
        text = (
            f'{{"start":"{stamp(s.start, offset)}","end":"{stamp(s.end, offset)}",'
            f'"staff_ids":{array(s.staff_ids)},"resource_ids":{array(s.resource_ids)}'
        )
        if s.class_session_id is not None:
            text += f',"class_session_id":{s.class_session_id},"seats_left":{s.seats_left}'
        return text + "}"

    def day(d: Day) -> str:
        offset = stamp.steady(d.slots[0].start, max(s.end for s in d.slots)) if d.slots else None
        slots = ",".join(slot(s, offset) for s in d.slots)
        return f'{{"date":"{d.date.isoformat()}","slots":[{slots}]}}'

    rendered = ",".join(day(d) for d in days)
    return f'{{"time_zone":{json.dumps(tz.key)},"days":[{rendered}]}}'


_Offset = tuple[int, str]  # seconds east of UTC, and its RFC 3339 text ("+01:00")


class _Stamps:
    """RFC 3339 text of epoch seconds in ``tz``, as ``datetime.isoformat`` writes it.

    ``isoformat`` costs more than the whole slot search of a small calendar; slot times repeat
    every day, so the date, time-of-day and offset texts are each made once and joined. Finding
    the offset of an instant is the dearest part, so a caller that knows a stretch of time
    shares one offset (:meth:`steady`) passes it in.
    """

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self.dates: dict[int, str] = {}
        self.times: dict[int, str] = {}
        self.offsets: dict[timedelta | None, _Offset] = {}

    def offset(self, epoch: int) -> _Offset:
        delta = datetime.fromtimestamp(epoch, self.tz).utcoffset()
        found = self.offsets.get(delta)
        if found is None:
            shift = int(delta.total_seconds()) if delta is not None else 0
            text = datetime.fromtimestamp(epoch, self.tz).isoformat()
            found = self.offsets[delta] = (shift, text[19:])  # "+01:00" after "...THH:MM:SS"
        return found

    def steady(self, first: int, last: int) -> _Offset | None:
        """The offset of every instant from ``first`` to ``last`` (at most a day apart) when
        it is the same at both ends, else ``None``.

        Same at both ends means unchanged in between: no zone changes its offset twice within
        a day.
        """
        at_first = self.offset(first)
        return at_first if self.offset(last) == at_first else None

    def __call__(self, epoch: int, offset: _Offset | None = None) -> str:
        shift, suffix = offset or self.offset(epoch)
        day, second = divmod(epoch + shift, 86400)
        date_text = self.dates.get(day)
        if date_text is None:
            date_text = self.dates[day] = (EPOCH + timedelta(days=day)).isoformat()
        time_text = self.times.get(second)
        if time_text is None:
            hours, rest = divmod(second, 3600)
            time_text = self.times[second] = f"T{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
        return date_text + time_text + suffix
