"""Use cases of class sessions: schedule, list, read, reschedule, cancel - and taking seats.

A session is checked and blocked exactly like an appointment (working hours, overlaps, the
service's buffers) by the same functions in :mod:`appointd.app.appointments`; its blocks carry
``class_session_id`` and the role ``class_session``. A seat is an appointment with
``class_session_id`` that copies the session and makes nothing busy: the session holds the time.

Seats are taken with a guarded update (see :class:`ClassSessionRepository`); a full session is
:class:`CapacityExceeded`. Cancelling, declining or archiving a seat gives its seats back (hooked
into :func:`appointd.app.appointments.transition_to` and ``archive``). A seat cannot be moved:
PATCHing its time, staff or place is refused - cancel it and take a seat in another session.

Cancelling a session (``DELETE``) cancels its open seats with it, each with its own history
entry and event, frees the session's blocks, and archives the session. Seats that already
happened (checked in is still cancellable; in progress, completed, no-show are not) stay as
they are.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from appointd.app import appointments, intents, placement, shared_fields, waitlist
from appointd.app.appointments import history_entry, payload
from appointd.app.commands import BookAppointment
from appointd.app.context import Context
from appointd.app.placement import guard_overlaps, run_again_after_a_lost_race
from appointd.app.references import active
from appointd.app.retry import retry_transient
from appointd.domain import appointment_fields
from appointd.domain import classes as rules
from appointd.domain.classes import ClassSession, SessionStatus
from appointd.domain.errors import CapacityExceeded, Conflict, FieldError, Invalid, NotFound
from appointd.domain.events import EventType
from appointd.domain.model import Appointment, Event, HistoryEntry
from appointd.domain.status import INITIAL, TRANSITIONS, Status
from appointd.domain.wallclock import as_utc, zone
from appointd.store.repositories.base import Page
from appointd.store.repositories.classes import SessionFilter
from appointd.store.uow import UnitOfWork

# Fields of a session whose change means checking the calendar again.
SCHEDULING_FIELDS = frozenset({"start", "end", "staff_id", "location_id", "resource_id"})


@dataclass(slots=True)
class ScheduleSession:
    service_id: int
    staff_id: int
    location_id: int
    start: datetime
    end: datetime | None = None
    capacity: int | None = None
    resource_id: int | None = None


# -- reading ---------------------------------------------------------------------------------


def get(ctx: Context, session_id: int) -> ClassSession:
    with ctx.uow(write=False) as uow:
        return _get(uow, session_id)


def search(ctx: Context, f: SessionFilter) -> Page[ClassSession]:
    with ctx.uow(write=False) as uow:
        return uow.class_sessions.search(f)


def seats(ctx: Context, session_id: int) -> list[Appointment]:
    """The session's seat appointments, cancelled ones included, archived ones not."""
    with ctx.uow(write=False) as uow:
        _get(uow, session_id)
        return uow.class_sessions.seats(session_id)


def _get(uow: UnitOfWork, session_id: int, field: str | None = None) -> ClassSession:
    found = uow.class_sessions.get(session_id)
    if found is None:
        raise NotFound("class session", session_id, field)
    return found


# -- scheduling ------------------------------------------------------------------------------


@retry_transient()
def schedule(ctx: Context, cmd: ScheduleSession) -> ClassSession:
    """Schedule a session of a ``class`` service; refused like a booking over busy time."""
    draft = _draft(
        cmd.location_id, cmd.service_id, cmd.staff_id, cmd.resource_id, cmd.start, cmd.end
    )
    with guard_overlaps(ctx, draft), ctx.uow() as uow:
        service = uow.services.get(cmd.service_id)
        if service is not None:
            rules.check_class_service(service)
        where = _resolve(uow, draft)
        capacity = cmd.capacity if cmd.capacity is not None else where.service.capacity
        rules.check_capacity(capacity)
        blocks = placement.check_and_block(uow, ctx, where)
        now = ctx.now()
        session = ClassSession(
            id=0,
            account_id=ctx.account_id,
            service_id=where.service.id,
            staff_id=cmd.staff_id,
            location_id=where.location.id,
            start=where.spans.client.start,
            end=where.spans.client.end,
            capacity=capacity,
            resource_id=cmd.resource_id,
            created_at=now,
            updated_at=now,
        )
        uow.class_sessions.add(session)
        _write_blocks(uow, session, blocks)
        uow.outbox.add(Event(EventType.CLASS_SESSION_SCHEDULED, _payload(session)), now)
        uow.commit()
    return session


@retry_transient()
def change(ctx: Context, session_id: int, changes: dict[str, Any]) -> ClassSession:
    """Reschedule, reassign or resize; every check runs again and the open seats follow.

    A capacity below the seats taken is :class:`CapacityExceeded` (409): the seats exist, and
    cancelling some is the way down.
    """
    return run_again_after_a_lost_race(lambda: _change(ctx, session_id, changes))


def _change(ctx: Context, session_id: int, changes: dict[str, Any]) -> ClassSession:
    with ctx.uow() as uow:
        current = uow.class_sessions.for_update(session_id)
        if current is None:
            raise NotFound("class session", session_id)
        if not current.open:
            raise Conflict(f"class session {session_id} is cancelled; schedule a new one")
        updated = dataclasses.replace(current, updated_at=ctx.now())
        if "capacity" in changes:
            rules.check_capacity(changes["capacity"], current.seats_taken)
            if not uow.class_sessions.set_capacity(session_id, changes["capacity"]):
                fresh = _get(uow, session_id)
                rules.check_capacity(changes["capacity"], fresh.seats_taken)
            updated.capacity = changes["capacity"]
        moved = bool(SCHEDULING_FIELDS & changes.keys())
        if moved:
            updated = _reschedule(uow, ctx, current, updated, changes)
        uow.class_sessions.update(updated)
        if moved:
            open_seats = uow.class_sessions.seats(session_id, holding_only=True)
            uow.class_sessions.move_seats([a.id for a in open_seats], updated)
            _record_seats(uow, ctx, open_seats, updated)
        uow.outbox.add(Event(EventType.CLASS_SESSION_CHANGED, _payload(updated)), ctx.now())
        uow.commit()
    return get(ctx, session_id)


def _reschedule(
    uow: UnitOfWork,
    ctx: Context,
    current: ClassSession,
    updated: ClassSession,
    changes: dict[str, Any],
) -> ClassSession:
    """``updated`` moved as ``changes`` say, checked and re-blocked; the end keeps its length."""
    location_id = changes.get("location_id", current.location_id)
    location = uow.locations.get(location_id)
    if location is None:
        raise NotFound("location", location_id, "location_id")
    tz = zone(location.time_zone)
    start = changes.get("start", current.start)
    if "end" in changes:
        end = changes["end"]
    else:
        end = as_utc(start, tz, field="start") + (current.end - current.start)
    draft = _draft(
        changes.get("location_id", current.location_id),
        current.service_id,
        changes.get("staff_id", current.staff_id),
        changes.get("resource_id", current.resource_id),
        start,
        end,
    )
    # The session's own blocks make way first; a refusal rolls their removal back.
    uow.blocks.delete_for_class_session(current.id)
    where = _resolve(uow, draft)
    blocks = placement.check_and_block(uow, ctx, where)
    _write_blocks(uow, current, blocks)
    return dataclasses.replace(
        updated,
        staff_id=changes.get("staff_id", current.staff_id),
        location_id=where.location.id,
        resource_id=draft.resource_ids[0] if draft.resource_ids else None,
        start=where.spans.client.start,
        end=where.spans.client.end,
    )


@retry_transient()
def cancel(ctx: Context, session_id: int, reason: str | None = None) -> None:
    """Cancel and archive the session, cancelling its open seats; harmless when repeated."""
    with ctx.uow() as uow:
        session = uow.class_sessions.for_update(session_id)
        if session is None:
            raise NotFound("class session", session_id)
        if session.archived_at is not None:
            return
        now = ctx.now()
        cancellable = [
            a
            for a in uow.class_sessions.seats(session_id, holding_only=True)
            if Status.CANCELLED in TRANSITIONS[a.status]
        ]
        why = f"class session {session_id} cancelled" + (f": {reason}" if reason else "")
        before = {a.id: a.status for a in cancellable}
        for seat in cancellable:
            seat.updated_at = now
            appointment_fields.cancelled(seat, now, ctx.caller.actor)
        freed = sum(a.seats for a in cancellable)
        if freed:
            uow.class_sessions.release_seats(session_id, freed)
        uow.bulk.update_appointments(cancellable)
        uow.bulk.record_history(
            [
                history_entry(ctx, a, "cancelled", before[a.id].value, a.status.value, reason=why)
                for a in cancellable
            ]
        )
        events = [
            Event(EventType.APPOINTMENT_STATUS_CHANGED, {**payload(a), "from": before[a.id].value})
            for a in cancellable
        ]
        uow.blocks.delete_for_class_session(session_id)
        session.status, session.archived_at, session.updated_at = SessionStatus.CANCELLED, now, now
        uow.class_sessions.update(session)
        cancelled = {**_payload(session), "cancelled_seats": [a.id for a in cancellable]}
        uow.bulk.record_events([*events, Event(EventType.CLASS_SESSION_CANCELLED, cancelled)], now)
        uow.commit()


# -- seats -----------------------------------------------------------------------------------


def take_seats(ctx: Context, cmd: BookAppointment) -> Appointment:
    """Book ``cmd.seats`` seats in ``cmd.class_session_id`` for ``cmd.client_id``.

    The appointment copies the session; fields the caller repeats must agree with it. A session
    without enough seats left is :class:`CapacityExceeded` and nothing is written.
    """
    if cmd.status not in INITIAL:
        raise Invalid.field("status", "a new appointment is 'pending' or 'confirmed'")
    if cmd.class_session_id is None:
        raise Invalid.field("class_session_id", "required to take a seat")
    with ctx.uow() as uow:
        session = _get(uow, cmd.class_session_id, "class_session_id")
        location = uow.locations.get(session.location_id)
        tz = zone(location.time_zone) if location is not None else None
        rules.check_seat_request(
            session,
            cmd.seats,
            location_id=cmd.location_id,
            service_id=cmd.service_id,
            staff_id=cmd.staff_id,
            start=as_utc(cmd.start, tz, field="start") if cmd.start is not None else None,
            end=as_utc(cmd.end, tz, field="end") if cmd.end is not None else None,
            extras={
                "resource_ids": bool(cmd.resource_ids),
                "additional_staff_ids": bool(cmd.additional_staff_ids),
                "override": cmd.override,
            },
        )
        if cmd.client_id is not None:
            active(uow.clients, "client", cmd.client_id, "client_id")
        # A seat may be booked from an intent or a waitlist entry, like any appointment.
        local_day = session.start.astimezone(tz).date() if tz else session.start.date()
        intent = intents.check_booking(uow, ctx, cmd.intent_id, cmd.client_id, local_day)
        entry = waitlist.check_booking(uow, cmd.waitlist_entry_id, cmd.client_id)
        cmd = shared_fields.for_booking(uow, cmd, session.service_id)
        service = uow.services.get(session.service_id)
        if not uow.class_sessions.take_seats(session.id, cmd.seats):
            fresh = _get(uow, session.id)
            raise CapacityExceeded(rules.seats_message(fresh, cmd.seats), fresh.seats_left)
        now = ctx.now()
        appt = Appointment(
            id=0,
            account_id=ctx.account_id,
            location_id=session.location_id,
            service_id=session.service_id,
            staff_id=session.staff_id,
            client_id=cmd.client_id,
            start=session.start,
            end=session.end,
            busy_start=session.start,
            busy_end=session.end,
            status=cmd.status,
            coordinator_staff_id=cmd.coordinator_staff_id,
            notes=cmd.notes,
            class_session_id=session.id,
            seats=cmd.seats,
            intent_id=cmd.intent_id,
            waitlist_entry_id=cmd.waitlist_entry_id,
            source=ctx.caller.source,
            extra=dict(cmd.extra),
            created_at=now,
            updated_at=now,
            price=service.price if service else None,
            currency=service.currency if service else None,
            paid=cmd.paid,
            custom_status_id=cmd.custom_status_id,
            form=list(cmd.form or []),
            created_by=ctx.caller.actor,
            updated_by=ctx.caller.actor,
            external_id=cmd.external_id,
            metadata=dict(cmd.metadata),
        )
        uow.appointments.add(appt)
        intents.mark_booked(uow, ctx, intent, appt)
        waitlist.mark_booked(uow, ctx, entry, appt)
        appointments.record(
            uow, ctx, appt, "booked", None, appt.status.value, changes={"seats": cmd.seats}
        )
        uow.outbox.add(
            Event(
                EventType.APPOINTMENT_BOOKED,
                {
                    **payload(appt, cmd.notify),
                    "class_session_id": session.id,
                    "seats": cmd.seats,
                },
            ),
            now,
        )
        uow.commit()
    return appt


# -- shared ----------------------------------------------------------------------------------


def _draft(
    location_id: int,
    service_id: int,
    staff_id: int,
    resource_id: int | None,
    start: datetime,
    end: datetime | None,
) -> BookAppointment:
    """The booking a session would be, so the appointment checks apply to it unchanged."""
    return BookAppointment(
        location_id=location_id,
        service_id=service_id,
        start=start,
        end=end,
        staff_id=staff_id,
        resource_ids=[resource_id] if resource_id is not None else [],
    )


def _resolve(uow: UnitOfWork, draft: BookAppointment) -> placement.Placement:
    """:func:`placement.resolve`, with problems of the resource named as a session names it."""
    try:
        return placement.resolve(uow, draft)
    except NotFound as exc:
        if exc.field == "resource_ids":
            raise NotFound(exc.kind, exc.id, "resource_id") from None
        raise
    except Invalid as exc:
        if type(exc) is Invalid and any(e.field == "resource_ids" for e in exc.errors):
            raise Invalid(
                [
                    FieldError("resource_id", e.message) if e.field == "resource_ids" else e
                    for e in exc.errors
                ]
            ) from None
        raise


def _write_blocks(uow: UnitOfWork, session: ClassSession, blocks: list[Any]) -> None:
    for b in blocks:
        b.role, b.class_session_id = "class_session", session.id
    uow.blocks.add(blocks)


def _record_seats(
    uow: UnitOfWork, ctx: Context, seats_moved: list[Appointment], session: ClassSession
) -> None:
    """History and events of seats that followed their session to a new time or place."""
    if not seats_moved:
        return
    entries: list[HistoryEntry] = []
    events: list[Event] = []
    for a in seats_moved:
        changes: dict[str, list[Any]] = {
            "start": [a.start.isoformat(), session.start.isoformat()],
            "end": [a.end.isoformat(), session.end.isoformat()],
            "staff_id": [a.staff_id, session.staff_id],
            "location_id": [a.location_id, session.location_id],
        }
        diff = {k: v for k, v in changes.items() if v[0] != v[1]}
        reason = f"class session {session.id} changed"
        entries.append(
            history_entry(ctx, a, "rescheduled", a.status.value, a.status.value, reason, diff)
        )
        moved = dataclasses.replace(
            a, start=session.start, end=session.end, staff_id=session.staff_id
        )
        events.append(Event(EventType.APPOINTMENT_RESCHEDULED, payload(moved)))
    uow.bulk.record_history(entries)
    uow.bulk.record_events(events, ctx.now())


def _payload(session: ClassSession) -> dict[str, Any]:
    return {
        "class_session_id": session.id,
        "service_id": session.service_id,
        "staff_id": session.staff_id,
        "location_id": session.location_id,
        "start": session.start.isoformat(),
        "end": session.end.isoformat(),
        "capacity": session.capacity,
    }
