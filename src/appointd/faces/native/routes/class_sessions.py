"""``/v1/class-sessions``: schedule, list, read, change and cancel class sessions.

Seats are taken with ``POST /v1/appointments`` and ``class_session_id``; a session's seat
appointments are listed at ``/v1/class-sessions/{id}/appointments``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Body, Depends, Query, Response
from pydantic import Field, StrictInt

from appointd.app import classes
from appointd.app.context import Context
from appointd.app.zones import zone_of
from appointd.domain.classes import ClassSession
from appointd.domain.errors import Invalid
from appointd.domain.wallclock import as_utc
from appointd.faces.native import render
from appointd.faces.native import schemas as s
from appointd.faces.native.auth import context
from appointd.faces.native.routes.common import Paging, errors, paging
from appointd.store.repositories.classes import SessionFilter

router = APIRouter(tags=["class sessions"])


class ClassSessionIn(s.In):
    service_id: s.Id = Field(description="a service of kind 'class'")
    staff_id: s.Id
    location_id: s.Id
    resource_id: s.Id | None = None
    start: s.Instant = Field(description="RFC 3339; without an offset, wall time at the location")
    end: s.Instant | None = Field(default=None, description="default: start + service duration")
    capacity: StrictInt | None = Field(default=None, description="default: the service's")


class ClassSessionPatch(s.In):
    not_null = frozenset({"start", "staff_id", "location_id", "capacity"})

    staff_id: s.Id | None = None
    location_id: s.Id | None = None
    resource_id: s.Id | None = None
    start: s.Instant | None = None
    end: s.Instant | None = None
    capacity: StrictInt | None = Field(
        default=None, description="may not drop below seats_taken (409 capacity-exceeded)"
    )


class ClassSessionOut(s.Out):
    id: int
    service_id: int
    staff_id: int
    location_id: int
    resource_id: int | None
    start: datetime
    end: datetime
    capacity: int
    seats_taken: int
    seats_left: int
    status: str = Field(description="scheduled or cancelled")
    archived_at: datetime | None
    created_at: datetime | None
    updated_at: datetime | None


def session_document(e: ClassSession, ctx: Context) -> ClassSessionOut:
    """The session, its instants in its location's zone."""
    tz = zone_of(ctx, e.location_id)
    out = ClassSessionOut(
        id=e.id,
        service_id=e.service_id,
        staff_id=e.staff_id,
        location_id=e.location_id,
        resource_id=e.resource_id,
        start=e.start,
        end=e.end,
        capacity=e.capacity,
        seats_taken=e.seats_taken,
        seats_left=e.seats_left,
        status=e.status.value,
        archived_at=e.archived_at,
        created_at=e.created_at,
        updated_at=e.updated_at,
    )
    return out.model_copy(update=render.localize(dict(out), tz))


@router.post(
    "/class-sessions",
    status_code=201,
    response_model=ClassSessionOut,
    responses=errors(401, 404, 409, 422),
    summary="Schedule a class session",
)
def schedule(payload: ClassSessionIn, ctx: Context = Depends(context)) -> ClassSessionOut:
    """Checked like a booking: the staff member's working hours (422) and overlaps with
    holding time of the staff member or resource (409, ``conflicts`` listed). Nothing can be
    booked over a session afterwards."""
    cmd = classes.ScheduleSession(**payload.model_dump())
    return session_document(classes.schedule(ctx, cmd), ctx)


@router.get(
    "/class-sessions",
    response_model=s.ListOf[ClassSessionOut],
    responses=errors(401, 422),
    summary="List class sessions",
)
def list_sessions(
    service_id: s.QueryId | None = Query(None),
    staff_id: s.QueryId | None = Query(None),
    location_id: s.QueryId | None = Query(None),
    from_: s.Instant | None = Query(None, alias="from", description="overlapping from (RFC 3339)"),
    to: s.Instant | None = Query(
        None, description="overlapping until (RFC 3339); not after from: nothing is listed"
    ),
    include_archived: bool = Query(False, description="also list cancelled sessions"),
    page: Paging = Depends(paging),
    ctx: Context = Depends(context),
) -> Any:
    start = as_utc(from_, field="from") if from_ else None
    end = as_utc(to, field="to") if to else None
    if start and end and end <= start:
        # An empty window overlaps nothing (a valid request per the document, so no 422).
        return {"items": [], "total": 0, "limit": page.limit, "offset": page.offset}
    found = classes.search(
        ctx,
        SessionFilter(
            service_id=service_id,
            staff_id=staff_id,
            location_id=location_id,
            start=start,
            end=end,
            include_archived=include_archived,
            limit=page.limit,
            offset=page.offset,
        ),
    )
    render.prefetch(ctx, {e.location_id for e in found.items})
    return {
        "items": [session_document(e, ctx) for e in found.items],
        "total": found.total,
        "limit": page.limit,
        "offset": page.offset,
    }


@router.get(
    "/class-sessions/{id}",
    response_model=ClassSessionOut,
    responses=errors(401, 404),
    summary="Get a class session with its seat counts",
)
def get_session(id: s.PathId, ctx: Context = Depends(context)) -> ClassSessionOut:
    return session_document(classes.get(ctx, id), ctx)


@router.get(
    "/class-sessions/{id}/appointments",
    response_model=list[s.AppointmentOut],
    responses=errors(401, 404),
    summary="The seat appointments of a class session",
)
def session_seats(id: s.PathId, ctx: Context = Depends(context)) -> list[s.AppointmentOut]:
    """Every seat appointment, cancelled ones included (archived ones are not)."""
    seats = classes.seats(ctx, id)
    render.prefetch(ctx, {a.location_id for a in seats})
    return [render.appointment(a, ctx) for a in seats]


@router.patch(
    "/class-sessions/{id}",
    response_model=ClassSessionOut,
    responses=errors(401, 404, 409, 422),
    summary="Reschedule, reassign or resize a class session",
)
def change_session(
    id: s.PathId, payload: ClassSessionPatch, ctx: Context = Depends(context)
) -> ClassSessionOut:
    """A new time, staff member, location or resource runs every check again and moves the
    open seats with the session (each seat gets a history entry). The end keeps its length when
    only the start moves. ``capacity`` below ``seats_taken`` is 409 ``capacity-exceeded``."""
    changes = payload.model_dump(exclude_unset=True)
    for required in ("start", "staff_id", "location_id", "capacity"):
        if required in changes and changes[required] is None:
            raise Invalid.field(required, "may not be null")
    return session_document(classes.change(ctx, id, changes), ctx)


@router.delete(
    "/class-sessions/{id}",
    status_code=204,
    responses=errors(401, 404),
    summary="Cancel a class session and its seats",
)
def cancel_session(
    id: s.PathId, payload: s.ReasonIn | None = Body(None), ctx: Context = Depends(context)
) -> Response:
    """Frees the session's time, cancels every open seat (each with a history entry saying
    why), and archives the session; it stays readable by id. Seats already in progress,
    completed or marked no-show are left as they are. Repeating the call is harmless."""
    classes.cancel(ctx, id, payload.reason if payload else None)
    return Response(status_code=204)
