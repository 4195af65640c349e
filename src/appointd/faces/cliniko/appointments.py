"""``/individual_appointments``: every operation of seed 004 on the core's appointments.

Lists leave out archived, cancelled and deleted appointments unless a ``q[]`` names that field
(``q[]=archived_at:*`` brings archived ones in); seats of class sessions are attendees, not
individual appointments, and waitlist holds are not shown.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from appointd.app import appointment_pages, appointments, series, series_scope
from appointd.app.commands import BookAppointment, ChangeAppointment, TransitionAppointment
from appointd.app.context import Context
from appointd.app.queries import AppointmentQuery
from appointd.domain.errors import Invalid, NotFound
from appointd.domain.model import Appointment
from appointd.domain.status import Status
from appointd.faces.cliniko.auth import context
from appointd.faces.cliniko.bodies import Fields, json_object
from appointd.faces.cliniko.errors import BadRequest
from appointd.faces.cliniko.query import Filter, ListRequest, base_url, envelope, parse_list
from appointd.faces.cliniko.render import CANCELLATION_REASONS, appointment, repeat_rule
from appointd.faces.cliniko.wire import path_id
from appointd.store.repositories.conditions import Condition

router = APIRouter()

FILTERS = {
    "id": "int",
    "appointment_type_id": "int",
    "business_id": "int",
    "patient_id": "int",
    "practitioner_id": "int",
    "repeated_from_id": "int",
    "archived_at": "datetime",
    "cancelled_at": "datetime",
    "created_at": "datetime",
    "deleted_at": "datetime",
    "ends_at": "datetime",
    "starts_at": "datetime",
    "updated_at": "datetime",
}
GET_FILTERS = {"archived_at": "datetime", "cancelled_at": "datetime", "deleted_at": "datetime"}
# Cliniko field -> core field for comparisons and sorting.
CORE_FIELDS = {
    "id": "id",
    "appointment_type_id": "service_id",
    "business_id": "location_id",
    "patient_id": "client_id",
    "practitioner_id": "staff_id",
    "starts_at": "start",
    "appointment_start": "start",
    "ends_at": "end",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "archived_at": "archived_at",
    "deleted_at": "deleted_at",
}
SORTABLE = frozenset(CORE_FIELDS)
CANCELLED = [Status.CANCELLED, Status.DECLINED]
_OPS = {"=": "=", "!=": "!=", ">": ">", ">=": ">=", "<": "<", "<=": "<=", "?": "not_null"}


def _condition(core: str, f: Filter) -> Condition | None:
    if f.op == "*":
        return None
    if f.op == "!?":
        return Condition(core, "null")
    if f.op == "=" and len(f.values) > 1:
        return Condition(core, "in", f.values)
    return Condition(core, _OPS[f.op], f.value)


def to_filter(lr: ListRequest) -> AppointmentQuery:
    """The core query of a Cliniko list request."""
    f = AppointmentQuery(
        limit=lr.per_page,
        offset=lr.offset,
        include_archived=lr.mentions("archived_at"),
        include_deleted=lr.mentions("deleted_at"),
        exclude_statuses=None if lr.mentions("cancelled_at") else CANCELLED,
        order=[(CORE_FIELDS[name], desc) for name, desc in lr.sort],
    )
    conditions: list[Condition] = [Condition("class_session_id", "null")]
    for flt in lr.filters:
        if flt.field == "repeated_from_id":
            if flt.op == "=":
                f.repeats_of = list(flt.values)
            elif flt.op in ("?", "!?"):
                f.repeats = flt.op == "?"
            else:
                raise BadRequest("Invalid operator for repeated_from_id")
        elif flt.field == "cancelled_at":
            if flt.op == "!?":
                f.exclude_statuses = CANCELLED
            elif flt.op != "*":
                f.statuses = CANCELLED
                if flt.op != "?":
                    conditions.append(Condition("cancelled_at", _OPS[flt.op], flt.value))
        else:
            found = _condition(CORE_FIELDS[flt.field], flt)
            if found is not None:
                conditions.append(found)
    f.conditions = conditions
    return f


async def _render_one(request: Request, ctx: Context, appointment_id: int) -> dict[str, Any]:
    page = await run_in_threadpool(appointment_pages.one, ctx, appointment_id)
    return appointment(page.items[0], page, base_url(request))


def _id(raw: str) -> int:
    found = path_id(raw)
    if found is None:
        raise NotFound("appointment", raw)
    return found


def _individual(a: Appointment) -> bool:
    return a.class_session_id is None and a.kind.value == "appointment"


@router.get("/individual_appointments")
async def list_appointments(request: Request, ctx: Context = Depends(context)) -> dict[str, Any]:
    lr = parse_list(request, FILTERS, SORTABLE, "created_at")
    page = await run_in_threadpool(appointment_pages.search, ctx, to_filter(lr))
    base = base_url(request)
    items = [appointment(a, page, base) for a in page.items]
    return envelope(request, "individual_appointments", items, page.total, lr)


@router.post("/individual_appointments", status_code=201)
async def create_appointment(
    request: Request, response: Response, ctx: Context = Depends(context)
) -> dict[str, Any]:
    fields = Fields(await json_object(request))
    cmd = BookAppointment(
        location_id=fields.id("business_id", required=True) or 0,
        service_id=fields.id("appointment_type_id", required=True) or 0,
        staff_id=fields.id("practitioner_id", required=True),
        client_id=fields.id("patient_id", required=True),
        start=fields.instant("starts_at", required=True, alias="appointment_start"),
        end=fields.instant("ends_at", alias="appointment_end"),
        notes=fields.text("notes"),
    )
    if fields.id("patient_case_id") is not None:
        fields.fail("patient_case_id", "does not exist")
    rule = fields.repeat_rule()
    fields.done()
    if rule is not None:
        cmd.recurrence = {"rrule": rule}
        booked = await run_in_threadpool(series.book, ctx, cmd)
        first = booked.occurrences[0]
    else:
        first = await run_in_threadpool(appointments.book, ctx, cmd)
    page = await run_in_threadpool(appointment_pages.of, ctx, [first])
    doc = appointment(first, page, base_url(request))
    response.headers["Location"] = doc["links"]["self"]
    return doc


async def _visible(request: Request, ctx: Context, raw: str) -> Appointment:
    """The individual appointment of the path, hidden when archived, cancelled or deleted
    unless the request's ``q[]`` names that field."""
    appointment_id = _id(raw)
    lr = parse_list(request, GET_FILTERS, frozenset({"created_at"}), "created_at")
    appt = await run_in_threadpool(appointments.get, ctx, appointment_id)
    hidden = (
        not _individual(appt)
        or (appt.archived_at is not None and not lr.mentions("archived_at"))
        or (appt.deleted_at is not None and not lr.mentions("deleted_at"))
        or (appt.status in CANCELLED and not lr.mentions("cancelled_at"))
    )
    if hidden:
        raise NotFound("appointment", appointment_id)
    return appt


async def _writable(ctx: Context, raw: str) -> Appointment:
    appointment_id = _id(raw)
    appt = await run_in_threadpool(appointments.get, ctx, appointment_id)
    if not _individual(appt) or appt.deleted_at is not None:
        raise NotFound("appointment", appointment_id)
    return appt


@router.get("/individual_appointments/{appointment_id}")
async def get_appointment(
    appointment_id: str, request: Request, ctx: Context = Depends(context)
) -> dict[str, Any]:
    appt = await _visible(request, ctx, appointment_id)
    return await _render_one(request, ctx, appt.id)


@router.patch("/individual_appointments/{appointment_id}")
@router.put("/individual_appointments/{appointment_id}")
async def update_appointment(
    appointment_id: str, request: Request, ctx: Context = Depends(context)
) -> dict[str, Any]:
    appt = await _writable(ctx, appointment_id)
    fields = Fields(await json_object(request))
    changes: dict[str, Any] = {}
    for name, core in (
        ("business_id", "location_id"),
        ("appointment_type_id", "service_id"),
        ("practitioner_id", "staff_id"),
        ("patient_id", "client_id"),
    ):
        if fields.has(name):
            changes[core] = fields.id(name, required=True)
    if fields.has("starts_at") or fields.has("appointment_start"):
        changes["start"] = fields.instant("starts_at", required=True, alias="appointment_start")
    if fields.has("ends_at") or fields.has("appointment_end"):
        # null asks for the end the appointment type's duration gives.
        changes["end"] = fields.instant("ends_at", alias="appointment_end")
    if fields.has("notes"):
        changes["notes"] = fields.text("notes")
    if fields.id("patient_case_id") is not None:
        fields.fail("patient_case_id", "does not exist")
    rule = fields.repeat_rule()
    fields.done()
    if rule is not None:
        await run_in_threadpool(_same_rule, ctx, appt, rule)
    if changes:
        appt = await run_in_threadpool(
            appointments.change, ctx, ChangeAppointment(appt.id, changes)
        )
    page = await run_in_threadpool(appointment_pages.of, ctx, [appt])
    return appointment(appt, page, base_url(request))


def _same_rule(ctx: Context, appt: Appointment, rule: str) -> None:
    """Accept a ``repeat_rule`` on update only when it is the one the appointment already has.

    Clients that write back the object they read send its rule again, which changes nothing.
    Any other rule is refused: appointd books a series whole, when its first appointment is
    created, and has no way to attach an existing appointment to new repeats or to re-plan the
    repeats of a booked series, which is what a new rule would ask for.
    """
    page = appointment_pages.of(ctx, [appt])
    series = page.series.get(appt.series_id) if appt.series_id is not None else None
    current = repeat_rule(series.rrule) if series is not None else None
    if current is not None and current == repeat_rule(rule):
        return
    if current is None:
        why = (
            "cannot be added to a booked appointment; create the appointment with its "
            "repeat_rule instead"
        )
    else:
        why = (
            "cannot be changed once the repeats are booked; cancel them (apply_to_repeats) "
            "and create the appointment again with the new rule"
        )
    raise Invalid.field("repeat_rule", why)


@router.delete("/individual_appointments/{appointment_id}", status_code=204)
@router.post("/individual_appointments/{appointment_id}/archive", status_code=204)
async def archive_appointment(appointment_id: str, ctx: Context = Depends(context)) -> Response:
    appt = await _writable(ctx, appointment_id)
    await run_in_threadpool(appointments.archive, ctx, appt.id)
    return Response(status_code=204)


@router.patch("/individual_appointments/{appointment_id}/cancel", status_code=204)
async def cancel_appointment(
    appointment_id: str, request: Request, ctx: Context = Depends(context)
) -> Response:
    appt = await _writable(ctx, appointment_id)
    fields = Fields(await json_object(request))
    reason = fields.integer("cancellation_reason", 10, 60, required=True)
    if reason is not None and reason not in CANCELLATION_REASONS:
        fields.fail("cancellation_reason", "must be one of 10, 20, 30, 31, 40, 50, 60")
    note = fields.text("cancellation_note", 1000)
    to_repeats = fields.boolean("apply_to_repeats")
    fields.done()
    code = str(reason)
    text = f"{CANCELLATION_REASONS.get(reason or 0, '')}: {note}" if note else None
    if to_repeats and appt.series_id is not None:
        await run_in_threadpool(
            lambda: series_scope.cancel(ctx, appt.id, "following", text, code=code, note=note)
        )
    else:
        cmd = TransitionAppointment(
            appt.id, Status.CANCELLED, reason=text, cancellation_code=code, cancellation_note=note
        )
        await run_in_threadpool(appointments.transition_to, ctx, cmd)
    return Response(status_code=204)


@router.get("/individual_appointments/{appointment_id}/conflicts")
async def appointment_conflicts(
    appointment_id: str, ctx: Context = Depends(context)
) -> dict[str, Any]:
    appt = await _writable(ctx, appointment_id)
    exist = await run_in_threadpool(appointment_pages.has_conflicts, ctx, appt.id)
    return {"conflicts": {"exist": exist}}
