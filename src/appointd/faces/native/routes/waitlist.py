"""``/v1/waitlist``: clients waiting for a time, holds offered to them, and claiming a hold.

A freed time is offered by cancelling an appointment with ``offer_to`` (see
``POST /v1/appointments/{id}/cancel``); ``GET /v1/appointments/{id}/waitlist-candidates`` lists
the entries that time would suit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import Field, StrictInt, StrictStr

from appointd.app import holds, waitlist
from appointd.app.context import Context
from appointd.app.zones import zone_of
from appointd.domain.waitlist import EntryStatus, WaitlistEntry
from appointd.faces.native import render
from appointd.faces.native import schemas as s
from appointd.faces.native.auth import context
from appointd.faces.native.dates import IsoDate
from appointd.faces.native.routes.common import (
    ID_LIST_PATTERN,
    Paging,
    enum_list,
    errors,
    id_list,
    paging,
)
from appointd.store.repositories.waitlist import WaitlistFilter

router = APIRouter(tags=["waitlist"])


# Preferred time windows of one waitlist entry.
MAX_PREFERRED_TIMES = 50


class PreferredTimeIn(s.In):
    weekday: StrictInt | None = Field(
        default=None, description="ISO weekday, Monday = 1 ... Sunday = 7; none = any day"
    )
    start: StrictStr = Field(examples=["09:00"], description="local time at the location")
    end: StrictStr = Field(examples=["12:00"])


class WaitlistEntryIn(s.In):
    client_id: s.Id
    service_id: s.Id
    location_id: s.Id
    staff_id: s.Id | None = Field(default=None, description="none = any staff member")
    earliest: IsoDate | None = Field(default=None, description="first acceptable local date")
    latest: IsoDate | None = Field(default=None, description="last acceptable local date")
    preferred_times: list[PreferredTimeIn] = Field(
        default_factory=list,
        max_length=MAX_PREFERRED_TIMES,
        description="the appointment must lie inside one of these",
    )
    notes: StrictStr | None = None


class WaitlistEntryOut(s.Out):
    id: int
    client_id: int
    service_id: int
    location_id: int
    staff_id: int | None
    earliest: IsoDate | None
    latest: IsoDate | None
    preferred_times: list[dict[str, Any]]
    notes: str | None
    status: str = Field(description="waiting, invited, booked or cancelled")
    hold_appointment_id: int | None = Field(
        description="the hold this entry is (or was last) invited to"
    )
    appointment_id: int | None = Field(description="the appointment booked from this entry")
    created_at: datetime
    updated_at: datetime


def _out(e: WaitlistEntry, ctx: Context) -> WaitlistEntryOut:
    tz = zone_of(ctx, e.location_id)
    out = WaitlistEntryOut(
        id=e.id,
        client_id=e.client_id,
        service_id=e.service_id,
        location_id=e.location_id,
        staff_id=e.staff_id,
        earliest=e.earliest,
        latest=e.latest,
        preferred_times=[p.as_dict() for p in e.preferred_times],
        notes=e.notes,
        status=e.status.value,
        hold_appointment_id=e.hold_appointment_id,
        appointment_id=e.appointment_id,
        created_at=e.created_at,
        updated_at=e.updated_at,
    )
    return out.model_copy(update=render.localize(dict(out), tz))


def _page(found: Any, page: Paging, ctx: Context) -> dict[str, Any]:
    render.prefetch(ctx, {e.location_id for e in found.items})
    return {
        "items": [_out(e, ctx) for e in found.items],
        "total": found.total,
        "limit": page.limit,
        "offset": page.offset,
    }


@router.post(
    "/waitlist",
    status_code=201,
    response_model=WaitlistEntryOut,
    responses=errors(401, 404, 422),
    summary="Put a client on the waitlist",
)
def create_entry(payload: WaitlistEntryIn, ctx: Context = Depends(context)) -> WaitlistEntryOut:
    return _out(waitlist.create(ctx, **payload.model_dump()), ctx)


@router.get(
    "/waitlist",
    response_model=s.ListOf[WaitlistEntryOut],
    responses=errors(401, 422),
    summary="List waitlist entries, oldest first",
)
def list_entries(
    client_id: str | None = Query(None, pattern=ID_LIST_PATTERN, description="id or comma list"),
    service_id: str | None = Query(None, pattern=ID_LIST_PATTERN),
    location_id: str | None = Query(None, pattern=ID_LIST_PATTERN),
    staff_id: str | None = Query(None, pattern=ID_LIST_PATTERN),
    status: str | None = Query(None, description="comma list: waiting,invited,booked,cancelled"),
    page: Paging = Depends(paging),
    ctx: Context = Depends(context),
) -> Any:
    found = waitlist.search(
        ctx,
        WaitlistFilter(
            client_ids=id_list(client_id, "client_id"),
            service_ids=id_list(service_id, "service_id"),
            location_ids=id_list(location_id, "location_id"),
            staff_ids=id_list(staff_id, "staff_id"),
            statuses=enum_list(status, EntryStatus, "status"),
            limit=page.limit,
            offset=page.offset,
        ),
    )
    return _page(found, page, ctx)


@router.get(
    "/waitlist/{id}",
    response_model=WaitlistEntryOut,
    responses=errors(401, 404),
    summary="Get a waitlist entry",
)
def get_entry(id: s.PathId, ctx: Context = Depends(context)) -> WaitlistEntryOut:
    return _out(waitlist.get(ctx, id), ctx)


@router.post(
    "/waitlist/{id}/cancel",
    response_model=WaitlistEntryOut,
    responses=errors(401, 404, 409),
    summary="Take an entry off the waitlist",
)
def cancel_entry(id: s.PathId, ctx: Context = Depends(context)) -> WaitlistEntryOut:
    """Cancelling twice is harmless; a booked entry cannot be cancelled (409)."""
    return _out(waitlist.cancel(ctx, id), ctx)


@router.delete(
    "/waitlist/{id}",
    status_code=204,
    responses=errors(401, 404, 409),
    summary="Take an entry off the waitlist (same as cancel)",
)
def delete_entry(id: s.PathId, ctx: Context = Depends(context)) -> Response:
    waitlist.cancel(ctx, id)
    return Response(status_code=204)


@router.post(
    "/waitlist/{id}/claim",
    response_model=s.AppointmentOut,
    responses=errors(401, 404, 409),
    summary="Claim the hold offered to this entry",
)
def claim_hold(id: s.PathId, ctx: Context = Depends(context)) -> s.AppointmentOut:
    """The hold becomes the entry's client's confirmed appointment and the entry is booked.
    The first claim wins; a later one, or one after the hold expired, is a 409."""
    _, appt = holds.claim(ctx, id)
    return render.appointment(appt, ctx)


@router.get(
    "/appointments/{id}/waitlist-candidates",
    response_model=s.ListOf[WaitlistEntryOut],
    responses=errors(401, 404),
    tags=["appointments"],
    summary="Waitlist entries this appointment's time would suit, oldest first",
)
def waitlist_candidates(
    id: s.PathId, page: Paging = Depends(paging), ctx: Context = Depends(context)
) -> Any:
    """Open entries (waiting, or invited to a hold that lapsed) for the same service and
    location, with no staff member or this one, whose dates include the appointment's local
    date and whose preferred times (if any) contain its whole local span."""
    found = waitlist.candidates(ctx, id, limit=page.limit, offset=page.offset)
    return _page(found, page, ctx)
