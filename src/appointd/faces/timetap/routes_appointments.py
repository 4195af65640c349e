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
from appointd.domain.model import Appointment, AppointmentKind, CustomStatus
from appointd.domain.notifications import Notify
from appointd.domain.status import Status, transition
from appointd.domain.wallclock import zone
from appointd.faces.timetap import appointment_in as wire_in
from appointd.faces.timetap import definitions, parse, render
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


def _views(ctx: Context, appts: list[Appointment]) -> tuple[Related, definitions.Definitions]:
    return views_of(ctx, appts), definitions.of_appointments(ctx, appts)


async def _rendered(ctx: Context, appt: Appointment) -> Response:
    rel, defs = await call(_views, ctx, [appt])
    return reply(render.appointment(appt, rel, settings=ctx.services.settings, defs=defs))


async def _custom(ctx: Context, status: str | None, sub: str, field: str) -> CustomStatus | None:
    """The custom status ``sub`` names, ``None`` for the seed's own values (read from the
    database only for a value that is not the seed's); 400 for an unknown value."""
    if statuses.builtin(sub):
        statuses.target(status, sub, field)
        return None
    customs = await call(definitions.custom_statuses, ctx)
    return statuses.custom_target(status, sub, customs, field)[1]


async def _form(ctx: Context, body: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The body's ``fields`` as core form answers; ``None`` when it sends none."""
    raw = body.get("fields")
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise Invalid.field("fields", "must be an array of scheduler field objects")
    defined = await call(definitions.active_form_fields, ctx) if raw else {}
    return definitions.answers(raw, defined, ctx.account_id)


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
    sub = body.get("subStatus")
    custom = None
    if isinstance(sub, str) and sub and not statuses.builtin(sub):
        status = body.get("status")
        customs = await call(definitions.custom_statuses, ctx)
        if status == "PENDING_CONFIRMATION":
            status = "PENDING"
        status_name = status if isinstance(status, str) and status else None
        custom = statuses.custom_target(status_name, sub, customs)[1]
    cmd, _ = wire_in.book_command(body, _override(request, body), custom=custom)
    cmd.form = await _form(ctx, body)
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
    defs = definitions.NONE
    if appt.custom_status_id is not None or appt.form:
        defs = await definitions.load(ctx, [appt])
    return reply(render.appointment(appt, rel, settings=ctx.services.settings, defs=defs))


@router.get("/appointments/recurringappointments/{series_id}")
async def series_members(series_id: str, ctx: Context = Depends(context)) -> Response:
    """Every appointment of the series, in start order (an empty array when none)."""
    sid = parse.ident(series_id, "recurringApptId")
    return reply(await _list(ctx, AppointmentFilter(series_ids=[sid], limit=1000)))


@router.get("/appointments/resource/{resource_id}/{status_list}")
async def by_resource(resource_id: str, status_list: str, ctx: Context = Depends(context)) -> Any:
    rid = parse.ident(resource_id, "resourceId")
    await call(catalog.get, ctx, "resources", rid)
    customs = await call(definitions.custom_statuses, ctx) if needs_customs(status_list) else []
    core, kinds, custom_ids = status_filter(status_list, "statusList", customs)
    f = AppointmentFilter(
        resource_ids=[rid],
        statuses=core,
        kinds=kinds,
        custom_status_ids=custom_ids or None,
        limit=10_000,
    )
    return reply(await _list(ctx, f))


def status_filter(
    raw: Any, field: str, customs: list[CustomStatus] | None = None
) -> tuple[list[Status], list[AppointmentKind], list[int]]:
    """The core statuses, kinds and custom status ids a TimeTap ``statusList`` selects.

    A value that is not the seed's names a custom status (``customs``: the account's; 400
    naming ``field`` when it names none)."""
    names = parse.text_list(raw, field)
    custom_ids: list[int] = []
    for n in names:
        if statuses.builtin(n):
            continue
        found = definitions.custom_named(n, customs or [], field) if customs else None
        if found is None:
            known = ", ".join(statuses.FILTERS)
            raise Invalid.field(
                field, f"unknown status {n!r}; one of {known}, or one of your custom statuses"
            )
        custom_ids.append(found.id)
    names = [n for n in names if statuses.builtin(n)]
    core = sorted({s for n in names for s in statuses.FILTERS[n]})
    kinds = [AppointmentKind.APPOINTMENT] if core or custom_ids else []
    if "PENDING_WAITLIST" in names:
        kinds.append(AppointmentKind.HOLD)
        core = sorted(set(core) | {Status.PENDING})
    return core, kinds, custom_ids


def needs_customs(raw: Any) -> bool:
    """Whether a ``statusList`` names anything but the seed's values."""
    values = raw if isinstance(raw, list) else [raw]
    return any(
        not statuses.builtin(v.strip())
        for item in values
        if isinstance(item, str)
        for v in item.split(",")
        if v.strip()
    )


async def _list(ctx: Context, f: AppointmentFilter) -> list[Any]:
    from appointd.app.appointment_views import search_views

    if f.kinds is not None and not f.kinds:
        return []
    page, rel = await call(search_views, ctx, f)
    defs = await definitions.load(ctx, page.items)
    return render.appointments(page.items, rel, settings=ctx.services.settings, defs=defs)


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
    defs = await definitions.load(ctx, [appt])
    return reply(render.appointment(appt, rel, settings=ctx.services.settings, defs=defs))


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
        custom = await _custom(ctx, body.get("status"), str(sub), "subStatus")
        target = custom.base_status if custom is not None else statuses.target(None, str(sub))
        if target is not current.status:
            transition(current.status, target)  # refuse before anything is written
        if custom is not None:
            # The core moves the status to the custom status's base in the same change.
            if custom.id != current.custom_status_id:
                changes["custom_status_id"] = custom.id
            target = None
        elif current.custom_status_id is not None:
            changes["custom_status_id"] = None  # a seed value replaces the custom status
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
    form = await _form(ctx, body)
    if form is not None and form != current.form:
        changes["form"] = form
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


async def _reason_body(
    ctx: Context, request: Request, expected: Status
) -> tuple[str | None, dict[str, Any], CustomStatus | None]:
    """The optional ``{"reason", "subStatus"}`` body of cancel, noshow and completed; the
    ``subStatus`` is the seed's value for ``expected`` or a custom status based on it."""
    body = await json_object(request, optional=True)
    reason = parse.text(body.get("reason"), "reason", 2000) or None
    sub = body.get("subStatus")
    seed = statuses.BASE[expected][1]
    if sub in (None, "", seed):
        return reason, body, None
    if not isinstance(sub, str) or statuses.builtin(sub):
        raise Invalid.field("subStatus", f"must be {seed} here, or a custom status based on it")
    customs = await call(definitions.custom_statuses, ctx)
    custom = definitions.custom_named(sub, customs, "subStatus")
    if custom is None:
        raise statuses.unknown(sub, "subStatus")
    if custom.base_status is not expected:
        raise Invalid.field(
            "subStatus",
            f"custom status {custom.name!r} stands for {custom.base_status.value}, not "
            f"{expected.value}",
        )
    return reason, body, custom


async def _with_custom(
    ctx: Context,
    aid: int,
    custom: CustomStatus,
    tt: dict[str, Any],
    notify: Notify | None,
) -> Appointment:
    """Move the appointment to ``custom`` (and so to its base status) in one change, with
    TimeTap's details of the move in its ``extra``; refused for a waitlist hold."""
    current = await call(appointments.get, ctx, aid)
    if current.kind is AppointmentKind.HOLD:
        raise Invalid.field("subStatus", "a waitlist hold takes no custom status")
    if custom.base_status is not current.status:
        transition(current.status, custom.base_status)  # refuse before anything is written
    extra = {**current.extra, "timetap": {**current.extra.get("timetap", {}), **tt}}
    changes: dict[str, Any] = {"custom_status_id": custom.id, "extra": extra}
    with fields_named(NAMES):
        return await call(appointments.change, ctx, ChangeAppointment(aid, changes, notify))


@router.put("/appointments/{calendar_id}/cancel/{send_staff}/{send_client}")
async def cancel(
    calendar_id: str,
    send_staff: str,
    send_client: str,
    request: Request,
    ctx: Context = Depends(context),
) -> Any:
    """Cancel; with ``waitListIds`` (query or body) the freed time is held for those
    registrations (a PENDING_WAITLIST hold without a client, 60 minutes by default).
    A ``subStatus`` naming a custom status based on ``cancelled`` cancels into it."""
    aid = parse.ident(calendar_id, "calendarId")
    notify = Notify(
        client=parse.boolean(send_client, "sendClientEmail"),
        staff=parse.boolean(send_staff, "sendStaffEmail"),
    )
    reason, body, custom = await _reason_body(ctx, request, Status.CANCELLED)
    raw = query(request).get("waitListIds", body.get("waitListIds"))
    offer_to = parse.id_list(raw, "waitListIds") if raw not in (None, "", []) else []
    tt = {
        "subStatus": "CANCELLED",
        "cancelReason": reason,
        "cancelUser": ctx.caller.actor,
        "modifieduser": ctx.caller.actor,
    }
    if custom is not None and not offer_to:
        return await _rendered(ctx, await _with_custom(ctx, aid, custom, tt, notify))
    if custom is not None:
        current = await call(appointments.get, ctx, aid)
        if current.kind is AppointmentKind.HOLD:
            raise Invalid.field("subStatus", "a waitlist hold takes no custom status")
    with fields_named(NAMES):
        cmd = holds.CancelWithOffer(
            aid, offer_to, reason, None, extra={"timetap": tt}, notify=notify
        )
        appt = await call(holds.cancel, ctx, cmd)
        if custom is not None:
            # Holds are placed by the core's cancel-with-offer; the custom status (same base,
            # checked above) is set right after it.
            appt = await call(appointments.set_custom_status, ctx, aid, custom.id, reason)
    return await _rendered(ctx, appt)


@router.put("/appointments/{calendar_id}/noshow/{send_client}")
async def no_show(
    calendar_id: str, send_client: str, request: Request, ctx: Context = Depends(context)
) -> Any:
    aid = parse.ident(calendar_id, "calendarId")
    notify = Notify(client=parse.boolean(send_client, "sendClientEmail"), staff=False)
    reason, _, custom = await _reason_body(ctx, request, Status.NO_SHOW)
    notes = {"noShowReason": reason}
    if custom is not None:
        tt = {"subStatus": "NO_SHOW", "modifieduser": ctx.caller.actor, **notes}
        return await _rendered(ctx, await _with_custom(ctx, aid, custom, tt, notify))
    appt = await _move(ctx, aid, Status.NO_SHOW, "NO_SHOW", reason, notes, notify)
    return await _rendered(ctx, appt)


@router.put("/appointments/{calendar_id}/completed/{send_client}")
async def completed(
    calendar_id: str, send_client: str, request: Request, ctx: Context = Depends(context)
) -> Any:
    aid = parse.ident(calendar_id, "calendarId")
    notify = Notify(client=parse.boolean(send_client, "sendClientEmail"), staff=False)
    reason, _, custom = await _reason_body(ctx, request, Status.COMPLETED)
    notes = {"completedReason": reason, "cancelUser": ctx.caller.actor}
    if custom is not None:
        tt = {
            "subStatus": "COMPLETED",
            "modifieduser": ctx.caller.actor,
            "dateCompleted": ms(ctx.now()),
            **notes,
        }
        return await _rendered(ctx, await _with_custom(ctx, aid, custom, tt, notify))
    appt = await _move(ctx, aid, Status.COMPLETED, "COMPLETED", reason, notes, notify)
    return await _rendered(ctx, appt)


@router.put("/appointments/{calendar_id}/{status}/{sub_status}")
async def set_status(
    calendar_id: str, status: str, sub_status: str, ctx: Context = Depends(context)
) -> Any:
    """The generic status change: ``status``/``subStatus`` as in the seed's value lists, or a
    custom status's name as ``subStatus`` (with the status of its base). The same core status
    with another flavour (OPEN/OPEN to OPEN/CONFIRMED) only relabels."""
    aid = parse.ident(calendar_id, "calendarId")
    custom = await _custom(ctx, status, sub_status, "subStatus")
    if custom is not None:
        tt = {"modifieduser": ctx.caller.actor}
        return await _rendered(ctx, await _with_custom(ctx, aid, custom, tt, None))
    target = statuses.target(status, sub_status)
    current = await call(appointments.get, ctx, aid)
    if target is current.status:
        tt = {
            **current.extra.get("timetap", {}),
            "subStatus": sub_status,
            "modifieduser": ctx.caller.actor,
        }
        changes: dict[str, Any] = {"extra": {**current.extra, "timetap": tt}}
        if current.custom_status_id is not None:
            changes["custom_status_id"] = None  # a seed value replaces the custom status
        appt = await call(appointments.change, ctx, ChangeAppointment(aid, changes))
    else:
        appt = await _move(ctx, aid, target, sub_status, None, {})
    return await _rendered(ctx, appt)
