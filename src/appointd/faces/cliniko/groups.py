"""Group appointments (class sessions) and attendees (seats in them).

Group appointments: list, get, create (schedules a session of a class service), update
(PATCH, and PUT as its alias; the open seats follow the session), archive (``DELETE`` and
``POST .../archive``: the session is cancelled with its open seats). Attendees: list, get,
``POST /attendees`` (takes a seat) and ``PATCH /attendees/{id}/cancel`` (gives it back). A group
appointment's ``patient_ids`` are the patients holding a seat. Attendee ids are the ids of the
seat appointments.

Class sessions in the core keep no notes and never repeat, so a group appointment's ``notes``
and ``repeat_rule`` may only be sent empty (``null``; ``{}`` for the rule): anything else is 422
rather than dropped. A session's appointment type cannot change (its seats were booked for it).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from appointd.app import appointment_pages, appointments, classes
from appointd.app.classes import ScheduleSession
from appointd.app.commands import BookAppointment, TransitionAppointment
from appointd.app.context import Context
from appointd.app.queries import AppointmentQuery
from appointd.domain.errors import CapacityExceeded, Invalid, NotFound
from appointd.domain.model import Appointment
from appointd.domain.status import Status
from appointd.faces.cliniko import render
from appointd.faces.cliniko.auth import context
from appointd.faces.cliniko.bodies import Fields, json_object
from appointd.faces.cliniko.query import ListRequest, base_url, envelope, parse_list
from appointd.faces.cliniko.render import CANCELLATION_REASONS
from appointd.faces.cliniko.wire import path_id
from appointd.store.repositories.classes import SessionFilter
from appointd.store.repositories.conditions import Condition

router = APIRouter()

GROUP_FILTERS = {
    "id": "int",
    "appointment_type_id": "int",
    "business_id": "int",
    "practitioner_id": "int",
    "repeated_from_id": "int",
    "patient_ids": "array",
    "archived_at": "datetime",
    "created_at": "datetime",
    "deleted_at": "datetime",
    "ends_at": "datetime",
    "starts_at": "datetime",
    "updated_at": "datetime",
}
GROUP_FIELDS = {
    "id": "id",
    "appointment_type_id": "service_id",
    "business_id": "location_id",
    "practitioner_id": "staff_id",
    "starts_at": "start",
    "appointment_start": "start",
    "ends_at": "end",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "archived_at": "archived_at",
}
NOTHING = Condition("id", "in", ())
ATTENDEE_FILTERS = {
    "id": "int",
    "booking_id": "int",
    "appointment_id": "int",
    "patient_id": "int",
    "created_at": "datetime",
    "updated_at": "datetime",
    "archived_at": "datetime",
    "cancelled_at": "datetime",
}
ATTENDEE_FIELDS = {
    "id": "id",
    "booking_id": "class_session_id",
    "appointment_id": "class_session_id",
    "patient_id": "client_id",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "archived_at": "archived_at",
}
_OPS = {"=": "=", "!=": "!=", ">": ">", ">=": ">=", "<": "<", "<=": "<=", "?": "not_null"}
CANCELLED = [Status.CANCELLED, Status.DECLINED]


def _session_id(raw: str) -> int:
    found = path_id(raw)
    if found is None:
        raise NotFound("class session", raw)
    return found


def group_filter(lr: ListRequest, offset: int, limit: int) -> SessionFilter:
    """The core query of a group appointment (or booking) list; sessions never repeat and are
    never deleted, so ``repeated_from_id`` and ``deleted_at`` only match with ``!?``."""
    f = SessionFilter(
        limit=limit,
        offset=offset,
        include_archived=lr.mentions("archived_at"),
        order=[(GROUP_FIELDS.get(n, "created_at"), d) for n, d in lr.sort],
    )
    conditions: list[Condition] = []
    for flt in lr.filters:
        if flt.op == "*" or flt.field not in GROUP_FILTERS:
            continue
        if flt.field == "patient_ids":
            value = str(flt.value)
            f.seat_client_ids = [int(value)] if value.isdigit() and len(value) < 19 else []
            continue
        core = GROUP_FIELDS.get(flt.field)
        if core is None:  # repeated_from_id, deleted_at: never set on a session
            if flt.op != "!?":
                conditions.append(NOTHING)
        elif flt.op == "!?":
            conditions.append(Condition(core, "null"))
        elif flt.op == "=" and len(flt.values) > 1:
            conditions.append(Condition(core, "in", flt.values))
        else:
            conditions.append(Condition(core, _OPS[flt.op], flt.value))
    f.conditions = conditions
    return f


@router.get("/group_appointments")
async def list_groups(request: Request, ctx: Context = Depends(context)) -> dict[str, Any]:
    lr = parse_list(request, GROUP_FILTERS, frozenset(GROUP_FIELDS), "created_at")
    found = await run_in_threadpool(classes.search, ctx, group_filter(lr, lr.offset, lr.per_page))
    patients = await run_in_threadpool(
        appointment_pages.seated_clients, ctx, [s.id for s in found.items]
    )
    base = base_url(request)
    items = [render.group_appointment(s, patients[s.id], base) for s in found.items]
    return envelope(request, "group_appointments", items, found.total, lr)


@router.get("/group_appointments/{group_id}")
async def get_group(
    group_id: str, request: Request, ctx: Context = Depends(context)
) -> dict[str, Any]:
    session = await run_in_threadpool(classes.get, ctx, _session_id(group_id))
    patients = await run_in_threadpool(appointment_pages.seated_clients, ctx, [session.id])
    return render.group_appointment(session, patients[session.id], base_url(request))


def _not_kept(fields: Fields) -> None:
    """Refuse what a class session cannot keep (see the module's docstring)."""
    if fields.body.get("notes") not in (None, ""):
        fields.fail("notes", "group appointments keep no notes here; send null")
    if fields.repeat_rule() is not None:
        fields.fail("repeat_rule", "group appointments do not repeat here; create each one")


def _max_attendees(fields: Fields) -> int | None:
    return fields.integer("max_attendees", 2, 99)


async def _render_group(request: Request, ctx: Context, session_id: int) -> dict[str, Any]:
    session = await run_in_threadpool(classes.get, ctx, session_id)
    patients = await run_in_threadpool(appointment_pages.seated_clients, ctx, [session.id])
    return render.group_appointment(session, patients[session.id], base_url(request))


@router.post("/group_appointments", status_code=201)
async def create_group(
    request: Request, response: Response, ctx: Context = Depends(context)
) -> dict[str, Any]:
    fields = Fields(await json_object(request))
    cmd = ScheduleSession(
        location_id=fields.id("business_id", required=True) or 0,
        staff_id=fields.id("practitioner_id", required=True) or 0,
        service_id=fields.id("appointment_type_id", required=True) or 0,
        start=fields.instant("starts_at", required=True),
        end=fields.instant("ends_at"),
        capacity=_max_attendees(fields),
    )
    _not_kept(fields)
    if cmd.start is not None and cmd.end is not None and cmd.end <= cmd.start:
        fields.fail("ends_at", "must be after starts_at")
    fields.done()
    session = await run_in_threadpool(classes.schedule, ctx, cmd)
    doc = render.group_appointment(session, [], base_url(request))
    response.headers["Location"] = doc["links"]["self"]
    return doc


@router.patch("/group_appointments/{group_id}")
@router.put("/group_appointments/{group_id}")
async def update_group(
    group_id: str, request: Request, ctx: Context = Depends(context)
) -> dict[str, Any]:
    session = await run_in_threadpool(classes.get, ctx, _session_id(group_id))
    fields = Fields(await json_object(request))
    changes: dict[str, Any] = {}
    for name, core in (("business_id", "location_id"), ("practitioner_id", "staff_id")):
        if fields.has(name):
            changes[core] = fields.id(name, required=True)
    if fields.has("starts_at"):
        changes["start"] = fields.instant("starts_at", required=True)
    if fields.has("ends_at"):
        changes["end"] = fields.instant("ends_at", required=True)
    if fields.has("max_attendees"):
        changes["capacity"] = _max_attendees(fields)
        if changes["capacity"] is None:
            fields.fail("max_attendees", "can't be blank")
    if fields.has("appointment_type_id"):
        type_id = fields.id("appointment_type_id", required=True)
        if type_id is not None and type_id != session.service_id:
            fields.fail(
                "appointment_type_id",
                "cannot be changed: the seats were booked for this type; archive the group "
                "appointment and create another",
            )
    _not_kept(fields)
    # Without ends_at the session keeps its length (the core moves the end with the start).
    start, end = changes.get("start", session.start), changes.get("end")
    if start is not None and end is not None and end <= start:
        fields.fail("ends_at", "must be after starts_at")
    fields.done()
    if changes:
        try:
            await run_in_threadpool(classes.change, ctx, session.id, changes)
        except CapacityExceeded as exc:  # fewer places than seats taken
            raise Invalid.field("max_attendees", exc.message) from None
    return await _render_group(request, ctx, session.id)


@router.delete("/group_appointments/{group_id}", status_code=204)
@router.post("/group_appointments/{group_id}/archive", status_code=204)
async def archive_group(group_id: str, ctx: Context = Depends(context)) -> Response:
    session_id = _session_id(group_id)
    await run_in_threadpool(classes.get, ctx, session_id)
    await run_in_threadpool(classes.cancel, ctx, session_id)
    return Response(status_code=204)


def _attendee_filter(lr: ListRequest, session_id: int | None) -> AppointmentQuery:
    f = AppointmentQuery(
        limit=lr.per_page,
        offset=lr.offset,
        include_archived=lr.mentions("archived_at"),
        exclude_statuses=None if lr.mentions("cancelled_at") else CANCELLED,
        order=[(ATTENDEE_FIELDS.get(n, "created_at"), d) for n, d in lr.sort],
    )
    conditions = [Condition("class_session_id", "not_null")]
    if session_id is not None:
        conditions.append(Condition("class_session_id", "=", session_id))
    for flt in lr.filters:
        if flt.field == "cancelled_at":
            if flt.op == "?":
                f.statuses = CANCELLED
            continue
        if flt.op == "*":
            continue
        core = ATTENDEE_FIELDS[flt.field]
        if flt.op == "!?":
            conditions.append(Condition(core, "null"))
        elif flt.op == "=" and len(flt.values) > 1:
            conditions.append(Condition(core, "in", flt.values))
        else:
            conditions.append(Condition(core, _OPS[flt.op], flt.value))
    f.conditions = conditions
    return f


async def _attendees(request: Request, ctx: Context, session_id: int | None) -> dict[str, Any]:
    lr = parse_list(request, ATTENDEE_FILTERS, frozenset(ATTENDEE_FIELDS), "created_at")
    if session_id is not None:
        await run_in_threadpool(classes.get, ctx, session_id)
    page = await run_in_threadpool(appointment_pages.search, ctx, _attendee_filter(lr, session_id))
    base = base_url(request)
    items = [render.attendee(a, base) for a in page.items]
    return envelope(request, "attendees", items, page.total, lr)


@router.get("/group_appointments/{group_id}/attendees")
async def group_attendees(
    group_id: str, request: Request, ctx: Context = Depends(context)
) -> dict[str, Any]:
    return await _attendees(request, ctx, _session_id(group_id))


@router.get("/attendees")
async def list_attendees(request: Request, ctx: Context = Depends(context)) -> dict[str, Any]:
    return await _attendees(request, ctx, None)


async def _seat(ctx: Context, raw: str) -> Appointment:
    seat_id = path_id(raw)
    if seat_id is None:
        raise NotFound("attendee", raw)
    seat = await run_in_threadpool(appointments.get, ctx, seat_id)
    if seat.class_session_id is None or seat.deleted_at is not None:
        raise NotFound("attendee", seat_id)
    return seat


@router.get("/attendees/{attendee_id}")
async def get_attendee(
    attendee_id: str, request: Request, ctx: Context = Depends(context)
) -> dict[str, Any]:
    return render.attendee(await _seat(ctx, attendee_id), base_url(request))


@router.post("/attendees", status_code=201)
async def create_attendee(
    request: Request, response: Response, ctx: Context = Depends(context)
) -> dict[str, Any]:
    fields = Fields(await json_object(request))
    session_id = fields.id("booking_id", required=True)
    client_id = fields.id("patient_id", required=True)
    notes = fields.text("notes")
    if fields.id("patient_case_id") is not None:
        fields.fail("patient_case_id", "does not exist")
    fields.boolean("arrived")
    fields.done()
    assert session_id is not None
    try:
        session = await run_in_threadpool(classes.get, ctx, session_id)
    except NotFound:
        raise NotFound("class session", session_id, "booking_id") from None
    cmd = BookAppointment(
        location_id=session.location_id,
        service_id=session.service_id,
        start=session.start,
        client_id=client_id,
        class_session_id=session.id,
        notes=notes,
    )
    seat = await run_in_threadpool(classes.take_seats, ctx, cmd)
    doc = render.attendee(seat, base_url(request))
    response.headers["Location"] = doc["links"]["self"]
    return doc


@router.patch("/attendees/{attendee_id}/cancel", status_code=204)
async def cancel_attendee(
    attendee_id: str, request: Request, ctx: Context = Depends(context)
) -> Response:
    seat = await _seat(ctx, attendee_id)
    fields = Fields(await json_object(request))
    reason = fields.integer("cancellation_reason", 10, 60, required=True)
    if reason is not None and reason not in CANCELLATION_REASONS:
        fields.fail("cancellation_reason", "must be one of 10, 20, 30, 31, 40, 50, 60")
    note = fields.text("cancellation_note", 1000)
    fields.boolean("apply_to_repeats")
    fields.done()
    cmd = TransitionAppointment(
        seat.id,
        Status.CANCELLED,
        reason=note,
        cancellation_code=str(reason),
        cancellation_note=note,
    )
    await run_in_threadpool(appointments.transition_to, ctx, cmd)
    return Response(status_code=204)
