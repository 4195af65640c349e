"""``/appointments``: book, read, replace, change status, cancel (with a waitlist hold),
no-show, complete, the waitlist check, and the by-resource and by-series lists."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from appointd.app import appointments, catalog, holds, waitlist
from appointd.app.appointment_views import Related, get_view, related_of_entries, views_of
from appointd.app.commands import ChangeAppointment, TransitionAppointment
from appointd.app.context import Context
from appointd.app.placement import Placement
from appointd.domain.errors import Invalid
from appointd.domain.model import Appointment, AppointmentKind
from appointd.domain.notifications import Notify
from appointd.domain.status import Status, transition
from appointd.domain.wallclock import zone
from appointd.faces.timetap import appointment_in as wire_in
from appointd.faces.timetap import parse, render
from appointd.faces.timetap import status as statuses
from appointd.faces.timetap.auth import context
from appointd.faces.timetap.errors import TimeTapRoute, fields_named
from appointd.faces.timetap.requests import call, json_object, query, reply
from appointd.faces.timetap.wire import ms
from appointd.store.repositories.appointments import AppointmentFilter

router = APIRouter(route_class=TimeTapRoute, include_in_schema=False)
NAMES = wire_in.FIELD_NAMES


def _override(request: Request, body: dict[str, Any]) -> bool:
    raw = request.query_params.get("override", body.get("override"))
    return parse.optional_boolean(raw, "override", False)


async def _rendered(ctx: Context, appt: Appointment) -> Response:
    rel = await call(views_of, ctx, [appt])
    return reply(render.appointment(appt, rel, settings=ctx.services.settings))


def _placed(appt: Appointment, p: Placement) -> Related:
    """The nested objects of a booking, from what booking loaded (no statement)."""
    people = [s for s in (p.staff, *p.additional) if s is not None]
    return Related(
        locations={p.location.id: p.location},
        staff={s.id: s for s in people},
        services={p.service.id: p.service},
        clients={p.client.id: p.client} if p.client is not None else {},
        resources={r.id: r for r in p.resources},
    )


@router.post("/appointments")
async def book(request: Request, ctx: Context = Depends(context)) -> Any:
    """Book from a TimeTap appointment object (see :mod:`.appointment_in`)."""
    body = await json_object(request)
    cmd, _ = wire_in.book_command(body, _override(request, body))
    cmd.extra["timetap"]["createduser"] = ctx.caller.actor
    given = wire_in.staff_span_given(body)
    with fields_named(NAMES):
        # Only a staff span that differs from the client's needs the reason's buffers.
        end = cmd.end
        if (
            cmd.class_session_id is None
            and end is not None
            and given not in ((None, None), (cmd.start, end))
        ):
            svc = await call(catalog.get, ctx, "services", cmd.service_id)
            buffers = (svc.buffer_before_minutes, svc.buffer_after_minutes)
            wire_in.check_staff_span(given, (cmd.start, end), buffers)
        appt, placement = await call(appointments.book_placed, ctx, cmd)
    if placement is None or appt.coordinator_staff_id is not None:
        return await _rendered(ctx, appt)
    rel = _placed(appt, placement)
    return reply(render.appointment(appt, rel, settings=ctx.services.settings))


@router.get("/appointments/recurringappointments/{series_id}")
async def series_members(series_id: str, ctx: Context = Depends(context)) -> Response:
    """Every appointment of the series, in start order (an empty array when none)."""
    sid = parse.ident(series_id, "recurringApptId")
    return reply(await _list(ctx, AppointmentFilter(series_ids=[sid], limit=1000)))


@router.get("/appointments/resource/{resource_id}/{status_list}")
async def by_resource(resource_id: str, status_list: str, ctx: Context = Depends(context)) -> Any:
    rid = parse.ident(resource_id, "resourceId")
    await call(catalog.get, ctx, "resources", rid)
    core, kinds = status_filter(status_list, "statusList")
    f = AppointmentFilter(resource_ids=[rid], statuses=core, kinds=kinds, limit=10_000)
    return reply(await _list(ctx, f))


def status_filter(raw: Any, field: str) -> tuple[list[Status], list[AppointmentKind]]:
    """The core statuses and kinds a TimeTap ``statusList`` selects."""
    names = parse.text_list(raw, field)
    unknown = [n for n in names if n not in statuses.FILTERS]
    if unknown:
        known = ", ".join(statuses.FILTERS)
        raise Invalid.field(field, f"unknown status {unknown[0]!r}; one of {known}")
    core = sorted({s for n in names for s in statuses.FILTERS[n]})
    kinds = [AppointmentKind.APPOINTMENT] if core else []
    if "PENDING_WAITLIST" in names:
        kinds.append(AppointmentKind.HOLD)
        core = sorted(set(core) | {Status.PENDING})
    return core, kinds


async def _list(ctx: Context, f: AppointmentFilter) -> list[Any]:
    from appointd.app.appointment_views import search_views

    if f.kinds is not None and not f.kinds:
        return []
    page, rel = await call(search_views, ctx, f)
    return render.appointments(page.items, rel, settings=ctx.services.settings)


@router.get("/appointments/{calendar_id}/checkWaitList")
async def check_waitlist(calendar_id: str, ctx: Context = Depends(context)) -> list[Any]:
    """Open waitlist registrations the appointment's time would suit, oldest first."""
    aid = parse.ident(calendar_id, "calendarId")
    found = await call(waitlist.candidates, ctx, aid, limit=1000, offset=0)
    rel = await call(related_of_entries, ctx, found.items)
    return [render.waitlist(e, rel) for e in found.items]


@router.get("/appointments/{calendar_id}")
async def get_appointment(calendar_id: str, ctx: Context = Depends(context)) -> Any:
    appt, rel = await call(get_view, ctx, parse.ident(calendar_id, "calendarId"))
    return reply(render.appointment(appt, rel, settings=ctx.services.settings))


def _local(appt_at: datetime, rel: Related, location_id: int) -> datetime:
    loc = rel.locations.get(location_id)
    return appt_at.astimezone(zone(loc.time_zone if loc else "UTC")).replace(tzinfo=None)


@router.put("/appointments/{calendar_id}")
async def replace(calendar_id: str, request: Request, ctx: Context = Depends(context)) -> Any:
    """Apply a whole appointment object: a change of time, staff, resource, reason or
    location re-runs every check (and counts as a reschedule when the time moves); a
    different status/subStatus is then applied through the status machine."""
    aid = parse.ident(calendar_id, "calendarId")
    body = await json_object(request)
    current, rel = await call(get_view, ctx, aid)
    changes: dict[str, Any] = {}
    for field, (name, key) in {
        "location_id": ("location", "locationId"),
        "service_id": ("reason", "reasonId"),
        "staff_id": ("staff", "professionalId"),
        "client_id": ("client", "clientId"),
        "coordinator_staff_id": ("coordinatorStaff", "professionalId"),
    }.items():
        value = parse.ref(body, name, key, required=False)
        if value is not None and value != getattr(current, field):
            changes[field] = value
    span = wire_in.client_span(body, required=False)
    if span is not None:
        start, end = span
        if start != _local(current.start, rel, current.location_id) or "location_id" in changes:
            changes["start"] = start
        if end is not None and (
            end != _local(current.end, rel, current.location_id) or "start" in changes
        ):
            changes["end"] = end
    resources = wire_in.resource_ids(body)
    if resources is not None and sorted(resources) != sorted(current.resource_ids[:1]):
        changes["resource_ids"] = resources
    additional = wire_in.additional_staff(body)
    if additional is not None and sorted(additional) != sorted(current.additional_staff_ids):
        changes["additional_staff_ids"] = additional
    if "note" in body and (body["note"] or None) != (current.notes or None):
        changes["notes"] = parse.text(body["note"], "note")
    override = _override(request, body)
    if override and changes:
        changes["override"] = True
    target: Status | None = None
    sub = body.get("subStatus")
    if sub is not None or body.get("status") is not None:
        sub = sub or {
            "OPEN": "OPEN",
            "PENDING": "PENDING",
            "COMPLETED": "COMPLETED",
            "NO_SHOW": "NO_SHOW",
            "CANCELLED": "CANCELLED",
        }.get(str(body.get("status")), "")
        target = statuses.target(body.get("status"), str(sub))
        if target is not current.status:
            transition(current.status, target)  # refuse before anything is written
    tt = dict(current.extra.get("timetap", {}))
    tt.update(wire_in.timetap_extra(body))
    hours = {k: tt[k] for k in wire_in.REMINDERS if tt.get(k) is not None}
    if wire_in.reminder_hours(body):
        changes["reminders"] = wire_in.reminders(hours)
    tt["modifieduser"] = ctx.caller.actor
    if "changeReason" in body:
        tt["changeReason"] = parse.text(body["changeReason"], "changeReason", 2000)
    if "start" in changes or "end" in changes:
        tt["staffRescheduleCount"] = int(tt.get("staffRescheduleCount", 0)) + 1
    if sub and target is current.status:
        tt["subStatus"] = sub
    changes["extra"] = {**current.extra, "timetap": tt}
    notify = wire_in.confirmation(body)
    with fields_named(NAMES):
        appt = await call(appointments.change, ctx, ChangeAppointment(aid, changes, notify))
        if target is not None and target is not current.status:
            appt = await _move(ctx, aid, target, str(sub), None, {})
    return await _rendered(ctx, appt)


# subStatus -> the stamp TimeTap keeps of when it was reached
STAMPS = {"CHECKEDIN": "dateCheckedIn", "INPROGRESS": "dateStarted", "COMPLETED": "dateCompleted"}


async def _move(
    ctx: Context,
    aid: int,
    target: Status,
    sub: str,
    reason: str | None,
    notes: dict[str, Any],
    notify: Notify | None = None,
) -> Appointment:
    extra: dict[str, Any] = {"subStatus": sub, "modifieduser": ctx.caller.actor, **notes}
    if sub in STAMPS:
        extra[STAMPS[sub]] = ms(ctx.now())
    cmd = TransitionAppointment(aid, target, reason, extra={"timetap": extra}, notify=notify)
    return await call(appointments.transition_to, ctx, cmd)


async def _reason_body(request: Request, expected: str) -> tuple[str | None, dict[str, Any]]:
    body = await json_object(request, optional=True)
    reason = parse.text(body.get("reason"), "reason", 2000) or None
    sub = body.get("subStatus")
    if sub not in (None, "", expected):
        raise Invalid.field("subStatus", f"must be {expected} here")
    return reason, body


@router.put("/appointments/{calendar_id}/cancel/{send_staff}/{send_client}")
async def cancel(
    calendar_id: str,
    send_staff: str,
    send_client: str,
    request: Request,
    ctx: Context = Depends(context),
) -> Any:
    """Cancel; with ``waitListIds`` (query or body) the freed time is held for those
    registrations (a PENDING_WAITLIST hold without a client, 60 minutes by default)."""
    aid = parse.ident(calendar_id, "calendarId")
    notify = Notify(
        client=parse.boolean(send_client, "sendClientEmail"),
        staff=parse.boolean(send_staff, "sendStaffEmail"),
    )
    reason, body = await _reason_body(request, "CANCELLED")
    raw = query(request).get("waitListIds", body.get("waitListIds"))
    offer_to = parse.id_list(raw, "waitListIds") if raw not in (None, "", []) else []
    extra = {
        "timetap": {
            "subStatus": "CANCELLED",
            "cancelReason": reason,
            "cancelUser": ctx.caller.actor,
            "modifieduser": ctx.caller.actor,
        }
    }
    with fields_named(NAMES):
        cmd = holds.CancelWithOffer(aid, offer_to, reason, None, extra=extra, notify=notify)
        appt = await call(holds.cancel, ctx, cmd)
    return await _rendered(ctx, appt)


@router.put("/appointments/{calendar_id}/noshow/{send_client}")
async def no_show(
    calendar_id: str, send_client: str, request: Request, ctx: Context = Depends(context)
) -> Any:
    aid = parse.ident(calendar_id, "calendarId")
    notify = Notify(client=parse.boolean(send_client, "sendClientEmail"), staff=False)
    reason, _ = await _reason_body(request, "NO_SHOW")
    appt = await _move(
        ctx, aid, Status.NO_SHOW, "NO_SHOW", reason, {"noShowReason": reason}, notify
    )
    return await _rendered(ctx, appt)


@router.put("/appointments/{calendar_id}/completed/{send_client}")
async def completed(
    calendar_id: str, send_client: str, request: Request, ctx: Context = Depends(context)
) -> Any:
    aid = parse.ident(calendar_id, "calendarId")
    notify = Notify(client=parse.boolean(send_client, "sendClientEmail"), staff=False)
    reason, _ = await _reason_body(request, "COMPLETED")
    appt = await _move(
        ctx,
        aid,
        Status.COMPLETED,
        "COMPLETED",
        reason,
        {"completedReason": reason, "cancelUser": ctx.caller.actor},
        notify,
    )
    return await _rendered(ctx, appt)


@router.put("/appointments/{calendar_id}/{status}/{sub_status}")
async def set_status(
    calendar_id: str, status: str, sub_status: str, ctx: Context = Depends(context)
) -> Any:
    """The generic status change: ``status``/``subStatus`` as in the seed's value lists. The
    same core status with another flavour (OPEN/OPEN to OPEN/CONFIRMED) only relabels."""
    aid = parse.ident(calendar_id, "calendarId")
    target = statuses.target(status, sub_status)
    current = await call(appointments.get, ctx, aid)
    if target is current.status:
        tt = {
            **current.extra.get("timetap", {}),
            "subStatus": sub_status,
            "modifieduser": ctx.caller.actor,
        }
        change = ChangeAppointment(aid, {"extra": {**current.extra, "timetap": tt}})
        appt = await call(appointments.change, ctx, change)
    else:
        appt = await _move(ctx, aid, target, sub_status, None, {})
    return await _rendered(ctx, appt)
