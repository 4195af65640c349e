"""Use cases of single appointments: book, change, move through the status machine, archive.

Booking is check-then-write inside one transaction, and the store makes that safe: SQLite runs
write transactions one at a time (``BEGIN IMMEDIATE``), and on PostgreSQL the exclusion
constraint on ``blocks`` refuses an overlapping insert that slipped past the check in a race.
Either way the caller sees the same :class:`SlotTaken` with the conflicting appointments.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from appointd.app import intents, shared_fields, waitlist
from appointd.app.commands import BookAppointment, ChangeAppointment, TransitionAppointment
from appointd.app.context import Context, Services
from appointd.app.placement import (
    Placement,
    check_and_block,
    guard_overlaps,
    resolve,
    run_again_after_a_lost_race,
)
from appointd.app.references import active
from appointd.app.retry import lost_race, retry_transient
from appointd.app.staff_assignment import assign
from appointd.domain import appointment_fields, booking
from appointd.domain.codes import same_secret
from appointd.domain.errors import Conflict, Invalid, NotFound, SlotTaken
from appointd.domain.events import EventType
from appointd.domain.model import (
    Appointment,
    Event,
    HistoryEntry,
)
from appointd.domain.notifications import Notify, check_reminders
from appointd.domain.status import INITIAL, Status, transition
from appointd.domain.wallclock import as_utc, zone
from appointd.store.engine import OverlapRefused, ReferenceCollision
from appointd.store.repositories.appointments import AppointmentFilter
from appointd.store.repositories.base import Page
from appointd.store.uow import UnitOfWork

# Fields of an appointment whose change means checking the calendar again.
SCHEDULING_FIELDS = frozenset(
    {
        "start",
        "end",
        "staff_id",
        "additional_staff_ids",
        "resource_ids",
        "service_id",
        "location_id",
        "override",
    }
)


# -- reading ---------------------------------------------------------------------------------


# Auto-assignment retries after losing a chosen staff member to a concurrent booking.
MAX_ASSIGNMENT_ATTEMPTS = 50


def get(ctx: Context, appointment_id: int) -> Appointment:
    with ctx.uow(write=False) as uow:
        appt = uow.appointments.get(appointment_id)
    if appt is None:
        raise NotFound("appointment", appointment_id)
    return appt


def get_appointment_by_reference(ctx: Context, reference: str) -> Appointment:
    """The account's appointment with ``reference`` (case-insensitive); deleted ones too."""
    with ctx.uow(write=False) as uow:
        appt = uow.appointments.by_reference(reference)
    if appt is None:
        raise NotFound("appointment", reference)
    return appt


def get_appointment_by_manage_token(ctx: Context | Services, token: str) -> Appointment:
    """The appointment behind a manage link.

    With a :class:`Context`, only the caller's account is searched (a face that hands out the
    token); with bare :class:`Services` (the public manage page, which knows no account) every
    account is, and the caller then acts on ``appointment.account_id``. An unknown token is
    :class:`NotFound`, the same for a wrong one and one of another account.
    """
    unknown = NotFound("appointment", "(manage token)")
    if not token or len(token) > 64:
        raise unknown
    if isinstance(ctx, Context):
        uow = ctx.uow(write=False)
    else:
        uow = UnitOfWork(ctx.engine, None, write=False)
    with uow:
        appt = uow.appointments.by_manage_token(token, any_account=not isinstance(ctx, Context))
    # The index finds the row; comparing again in constant time keeps the comparison itself
    # from telling how much of a guess was right (e.g. a case-insensitive collation).
    if appt is None or not same_secret(appt.manage_token, token):
        raise unknown
    return appt


def search(ctx: Context, f: AppointmentFilter) -> Page[Appointment]:
    with ctx.uow(write=False) as uow:
        return uow.appointments.search(f)


def history(ctx: Context, appointment_id: int) -> list[HistoryEntry]:
    with ctx.uow(write=False) as uow:
        if uow.appointments.get(appointment_id) is None:
            raise NotFound("appointment", appointment_id)
        return uow.appointments.history(appointment_id)


# -- booking ---------------------------------------------------------------------------------


@retry_transient(lost_race)
def book(ctx: Context, cmd: BookAppointment) -> Appointment:
    """Book one appointment; :class:`SlotTaken`, :class:`Invalid` or :class:`NotFound` otherwise.

    Without ``staff_id`` (and outside a class session) a qualified, free staff member is
    assigned round-robin (among ``cmd.staff_candidates`` when given); see
    :mod:`appointd.app.staff_assignment`.
    """
    return book_placed(ctx, cmd)[0]


def book_placed(ctx: Context, cmd: BookAppointment) -> tuple[Appointment, Placement | None]:
    """:func:`book`, also answering the :class:`Placement` it booked (the location, service,
    staff, resources and client it loaded anyway), so a face can render the appointment's
    nested objects without reading them again. ``None`` for a class seat."""
    if cmd.status not in INITIAL:
        raise Invalid.field("status", "a new appointment is 'pending' or 'confirmed'")
    if cmd.recurrence is not None:
        raise Invalid.field("recurrence", "a series is booked with appointd.app.series.book")
    shared_fields.check_command(cmd)
    if cmd.class_session_id is not None:
        from appointd.app import classes  # imported here: classes builds on this module

        return fresh_codes_on_collision(lambda: classes.take_seats(ctx, cmd)), None
    return fresh_codes_on_collision(lambda: _book(ctx, cmd))


def _book(ctx: Context, cmd: BookAppointment) -> tuple[Appointment, Placement]:
    # An assigned staff member can be taken by a concurrent booking between our check and our
    # insert (PostgreSQL's exclusion constraint then refuses ours): choose again. Each refusal
    # means another booking took a staff member for good, so this ends when someone free is
    # found or nobody is left (refused the usual way); the bound is only a safety net.
    attempts = MAX_ASSIGNMENT_ATTEMPTS if cmd.staff_id is None else 1
    for attempt in range(1, attempts + 1):
        try:
            with guard_overlaps(ctx, cmd), ctx.uow() as uow:
                placement = resolve(uow, cmd)
                if placement.staff is None:
                    placement.staff = assign(
                        uow,
                        ctx,
                        service=placement.service,
                        location=placement.location,
                        tz=placement.tz,
                        spans=placement.spans,
                        exclude=[s.id for s in placement.additional],
                        override=placement.override,
                        among=cmd.staff_candidates,
                    )
                appt = place(uow, ctx, cmd, placement)
                uow.commit()
            return appt, placement
        except SlotTaken as exc:
            if attempt == attempts or not isinstance(exc.__cause__, OverlapRefused):
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def new_appointment(
    ctx: Context, cmd: BookAppointment, p: Placement, spans: booking.Spans, **fields: Any
) -> Appointment:
    """The unsaved appointment ``cmd`` books with placement ``p`` at ``spans``.

    ``fields`` sets what only some bookings carry (series index, intent, waitlist entry).
    """
    now = ctx.now()
    actor = ctx.caller.actor
    return Appointment(
        id=0,
        account_id=ctx.account_id,
        location_id=p.location.id,
        service_id=p.service.id,
        staff_id=p.staff.id if p.staff else None,
        client_id=cmd.client_id,
        start=spans.client.start,
        end=spans.client.end,
        busy_start=spans.busy.start,
        busy_end=spans.busy.end,
        status=cmd.status,
        additional_staff_ids=[s.id for s in p.additional],
        resource_ids=[r.id for r in p.resources],
        coordinator_staff_id=cmd.coordinator_staff_id,
        notes=cmd.notes,
        override=p.override,
        source=ctx.caller.source,
        extra=dict(cmd.extra),
        reminders=None if cmd.reminders is None else check_reminders(cmd.reminders),
        created_at=now,
        updated_at=now,
        price=p.service.price,
        currency=p.service.currency,
        paid=cmd.paid,
        custom_status_id=cmd.custom_status_id,
        form=list(cmd.form or []),
        created_by=actor,
        updated_by=actor,
        external_id=cmd.external_id,
        metadata=dict(cmd.metadata),
        **fields,
    )


T = TypeVar("T")
REFERENCE_ATTEMPTS = 3


def fresh_codes_on_collision(run: Callable[[], T]) -> T:
    """``run()``, a booking's whole unit of work, again (with newly drawn codes) when the
    reference or manage token it drew is already taken in the account; a
    :class:`Conflict` after :data:`REFERENCE_ATTEMPTS` such draws (astronomically unlikely).

    ``run`` must build its appointments anew each time: codes are drawn when an
    :class:`Appointment` is built.
    """
    for _ in range(REFERENCE_ATTEMPTS - 1):
        try:
            return run()
        except ReferenceCollision:
            continue
    try:
        return run()
    except ReferenceCollision as exc:
        raise Conflict("could not draw a unique reference; please try again") from exc


def place(uow: UnitOfWork, ctx: Context, cmd: BookAppointment, p: Placement) -> Appointment:
    """Check ``p`` and write it as a new appointment with its blocks, history and event."""
    # The intent or waitlist entry the booking uses is row-locked and checked before writing.
    local_day = p.spans.client.start.astimezone(p.tz).date()
    intent = intents.check_booking(uow, ctx, cmd.intent_id, cmd.client_id, local_day)
    entry = waitlist.check_booking(uow, cmd.waitlist_entry_id, cmd.client_id)
    blocks = check_and_block(uow, ctx, p)
    cmd = shared_fields.for_booking(uow, cmd, p.service.id)
    now = ctx.now()
    appt = new_appointment(
        ctx, cmd, p, p.spans, intent_id=cmd.intent_id, waitlist_entry_id=cmd.waitlist_entry_id
    )
    booked = history_entry(
        ctx,
        appt,
        "booked",
        None,
        appt.status.value,
        changes={"override": True} if p.override else {},
    )
    event = Event(EventType.APPOINTMENT_BOOKED, payload(appt, cmd.notify))
    uow.new_appointments.add(appt, blocks, booked, event, now)
    intents.mark_booked(uow, ctx, intent, appt)
    waitlist.mark_booked(uow, ctx, entry, appt)
    return appt


# -- changing --------------------------------------------------------------------------------


@retry_transient()
def change(ctx: Context, cmd: ChangeAppointment) -> Appointment:
    """Reschedule, reassign or annotate; when time, people or things change, every check runs
    again."""
    return run_again_after_a_lost_race(lambda: _change(ctx, cmd))


def _change(ctx: Context, cmd: ChangeAppointment) -> Appointment:
    shared_fields.check_changes(cmd.changes)
    with ctx.uow() as uow:
        current = _load_for_update(uow, cmd.appointment_id)
        booking.refuse_if_hold(current, "changed")
        changes = dict(cmd.changes)
        before = snapshot(current)
        scheduling = bool(SCHEDULING_FIELDS & changes.keys())
        if scheduling and not current.holding:
            raise Invalid.field(
                "start", f"a {current.status.value} appointment cannot be moved; book a new one"
            )
        if scheduling and current.class_session_id is not None:
            raise Invalid.field(
                next(k for k in changes if k in SCHEDULING_FIELDS),
                f"a seat in class session {current.class_session_id} cannot be moved; "
                "cancel it and take a seat in another session",
            )
        updated = dataclasses.replace(
            current,
            **{k: v for k, v in changes.items() if k in PLAIN_FIELDS},
        )
        if "reminders" in changes:
            raw = changes["reminders"]
            updated.reminders = None if raw is None else check_reminders(raw)
        if scheduling:
            draft = as_command(current, _start_as_instant(uow, current, changes))
            placement = resolve(uow, draft)
            blocks = check_and_block(uow, ctx, placement, exclude_appointment_id=current.id)
            updated = dataclasses.replace(
                updated,
                location_id=placement.location.id,
                service_id=placement.service.id,
                staff_id=placement.staff.id if placement.staff else None,
                additional_staff_ids=[s.id for s in placement.additional],
                resource_ids=[r.id for r in placement.resources],
                start=placement.spans.client.start,
                end=placement.spans.client.end,
                busy_start=placement.spans.busy.start,
                busy_end=placement.spans.busy.end,
                override=placement.override,
            )
            uow.blocks.delete_for_appointment(current.id)
            for b in blocks:
                b.appointment_id = current.id
            uow.blocks.add(blocks)
        elif changes.get("client_id") is not None:
            active(uow.clients, "client", changes["client_id"], "client_id")
        if (
            "coordinator_staff_id" in changes
            and changes["coordinator_staff_id"] is not None
            and uow.staff.get(changes["coordinator_staff_id"]) is None
        ):
            raise NotFound("staff", changes["coordinator_staff_id"], "coordinator_staff_id")
        if "form" in changes:
            updated.form = shared_fields.checked_form(
                uow, changes["form"], updated.service_id, required=True
            )
        from_status = updated.status
        if "custom_status_id" in changes:
            shared_fields.set_custom_status(uow, ctx, updated, changes["custom_status_id"])
        updated.updated_at = ctx.now()
        uow.appointments.update(updated)
        diff = {k: [before[k], v] for k, v in snapshot(updated).items() if before[k] != v}
        moved = "start" in diff or "end" in diff
        record(
            uow,
            ctx,
            updated,
            "rescheduled" if moved else "updated",
            updated.status.value,
            updated.status.value,
            changes=diff,
        )
        kind = EventType.APPOINTMENT_RESCHEDULED if moved else EventType.APPOINTMENT_UPDATED
        uow.outbox.add(Event(kind, payload(updated, cmd.notify)), ctx.now())
        if updated.status is not from_status:
            _status_moved(uow, ctx, updated, from_status, None, notify=cmd.notify)
        uow.commit()
    return updated


# Fields a change writes as given (after the checks in shared_fields.check_changes).
PLAIN_FIELDS = frozenset(
    {"notes", "client_id", "coordinator_staff_id", "extra", "paid", "external_id", "metadata"}
)


def _start_as_instant(
    uow: UnitOfWork, current: Appointment, changes: dict[str, Any]
) -> dict[str, Any]:
    """``changes`` with a naive new start read as wall time at the (new) location.

    Done before the end is derived, so the appointment keeps its real length across a DST
    change and a derived end never lands in a gap the caller did not name.
    """
    start = changes.get("start")
    if start is None or start.tzinfo is not None:
        return changes
    location = uow.locations.get(changes.get("location_id", current.location_id))
    if location is None:
        return changes  # resolve() reports the unknown location
    return {**changes, "start": as_utc(start, zone(location.time_zone), field="start")}


def as_command(current: Appointment, changes: dict[str, Any]) -> BookAppointment:
    """The booking ``current`` would be with ``changes`` applied; the end moves with the start."""
    start = changes.get("start", current.start)
    if "end" in changes:
        end = changes["end"]
    elif "start" in changes or "service_id" in changes:
        end = None if "service_id" in changes else start + (current.end - current.start)
    else:
        end = current.end
    resource_ids = changes.get("resource_ids")
    return BookAppointment(
        location_id=changes.get("location_id", current.location_id),
        service_id=changes.get("service_id", current.service_id),
        start=start,
        end=end,
        client_id=changes.get("client_id", current.client_id),
        staff_id=changes.get("staff_id", current.staff_id),
        # Service-required resources are added back by resolve(); keep the explicit ones.
        resource_ids=list(resource_ids if resource_ids is not None else current.resource_ids),
        additional_staff_ids=list(
            changes.get("additional_staff_ids", current.additional_staff_ids)
        ),
        coordinator_staff_id=changes.get("coordinator_staff_id", current.coordinator_staff_id),
        # An override covers the request that made it: a later move is checked again unless
        # it asks for the override itself.
        override=changes.get("override", False),
    )


def snapshot(a: Appointment) -> dict[str, Any]:
    return {
        "start": a.start.isoformat(),
        "end": a.end.isoformat(),
        "staff_id": a.staff_id,
        "additional_staff_ids": list(a.additional_staff_ids),
        "resource_ids": list(a.resource_ids),
        "location_id": a.location_id,
        "service_id": a.service_id,
        "client_id": a.client_id,
        "coordinator_staff_id": a.coordinator_staff_id,
        "notes": a.notes,
        "override": a.override,
        "paid": a.paid,
        "external_id": a.external_id,
        "metadata": a.metadata,
        "form": a.form,
        "custom_status_id": a.custom_status_id,
        "status": a.status.value,
        "reminders": a.reminders,
    }


@retry_transient()
def transition_to(ctx: Context, cmd: TransitionAppointment) -> Appointment:
    """Move through the status machine; leaving the holding statuses frees the time.

    A plain status change drops the appointment's custom status (its base status would no
    longer be the status). A cancellation is stamped with when, by whom (the caller's actor),
    ``cancellation_code`` and ``cancellation_note``.
    """
    with ctx.uow() as uow:
        appt = _load_for_update(uow, cmd.appointment_id)
        if cmd.target is not Status.CANCELLED:
            booking.refuse_if_hold(appt, cmd.target.value)
        before = appt.status
        appt.status = transition(appt.status, cmd.target)
        appt.custom_status_id = None
        appt.updated_at = ctx.now()
        if appt.status is Status.CANCELLED:
            appointment_fields.cancelled(
                appt, ctx.now(), ctx.caller.actor, cmd.cancellation_code, cmd.cancellation_note
            )
        if cmd.extra:
            appt.extra = merge_extra(appt.extra, cmd.extra)
        uow.appointments.update(appt)
        _status_moved(
            uow, ctx, appt, before, cmd.reason, action=cmd.target.value, notify=cmd.notify
        )
        uow.commit()
    return appt


def _status_moved(
    uow: UnitOfWork,
    ctx: Context,
    appt: Appointment,
    before: Status,
    reason: str | None,
    *,
    action: str | None = None,
    notify: Notify | None = None,
) -> None:
    """What follows a status change already written: free the time when it stops holding,
    record it, and tell the outbox."""
    if before.holding and not appt.status.holding:
        uow.blocks.release_appointments([appt.id])
        if appt.class_session_id is not None and appt.archived_at is None:
            uow.class_sessions.release_seats(appt.class_session_id, appt.seats)
    changes: dict[str, Any] | None = (
        {"custom_status_id": appt.custom_status_id} if appt.custom_status_id else None
    )
    if appt.status is Status.CANCELLED and (appt.cancellation_code or appt.cancellation_note):
        changes = {
            "cancellation_code": appt.cancellation_code,
            "cancellation_note": appt.cancellation_note,
        }
    record(
        uow,
        ctx,
        appt,
        action or appt.status.value,
        before.value,
        appt.status.value,
        reason=reason,
        changes=changes,
    )
    uow.outbox.add(
        Event(
            EventType.APPOINTMENT_STATUS_CHANGED,
            {**payload(appt, notify), "from": before.value},
        ),
        ctx.now(),
    )


@retry_transient()
def set_custom_status(
    ctx: Context, appointment_id: int, custom_status_id: int | None, reason: str | None = None
) -> Appointment:
    """Give the appointment an account-defined status (``None`` removes it).

    The core status moves to the custom status's base status through the status machine
    (refused as any other illegal move); the same base status keeps the time as it is.
    """
    with ctx.uow() as uow:
        appt = _load_for_update(uow, appointment_id)
        booking.refuse_if_hold(appt, "given a custom status")
        before = appt.status
        shared_fields.set_custom_status(uow, ctx, appt, custom_status_id)
        appt.updated_at = ctx.now()
        uow.appointments.update(appt)
        _status_moved(uow, ctx, appt, before, reason, action="custom_status")
        uow.commit()
    return appt


@retry_transient()
def delete_appointment(ctx: Context, appointment_id: int, reason: str | None = None) -> None:
    """Delete for good, as the vendors' DELETE means it: a tombstone.

    The time is freed (as by archiving), the appointment leaves every list (unless a list asks
    for deleted ones) and stays readable by id; its change sequence moves so change feeds see
    the deletion. History entry ``deleted``, outbox event ``appointment.deleted``. Deleting
    twice is harmless.
    """
    with ctx.uow() as uow:
        appt = uow.appointments.for_update(appointment_id)
        if appt is None:
            raise NotFound("appointment", appointment_id)
        if appt.deleted_at is None:
            holding = appt.holding
            appt.deleted_at = appt.updated_at = ctx.now()
            uow.appointments.update(appt)
            if holding:
                uow.blocks.release_appointments([appt.id])
                if appt.class_session_id is not None:
                    uow.class_sessions.release_seats(appt.class_session_id, appt.seats)
            record(uow, ctx, appt, "deleted", appt.status.value, appt.status.value, reason=reason)
            uow.outbox.add(Event(EventType.APPOINTMENT_DELETED, payload(appt)), ctx.now())
        uow.commit()


@retry_transient()
def archive(ctx: Context, appointment_id: int, reason: str | None = None) -> None:
    """Soft-delete: hidden from lists, time freed, history kept. Archiving twice is harmless."""
    with ctx.uow() as uow:
        appt = _load_for_update(uow, appointment_id)
        if appt.archived_at is None:
            appt.archived_at = appt.updated_at = ctx.now()
            uow.appointments.update(appt)
            uow.blocks.release_appointments([appt.id])
            if appt.class_session_id is not None and appt.status.holding:
                uow.class_sessions.release_seats(appt.class_session_id, appt.seats)
            record(uow, ctx, appt, "archived", appt.status.value, appt.status.value, reason=reason)
            uow.outbox.add(Event(EventType.APPOINTMENT_ARCHIVED, payload(appt)), ctx.now())
        uow.commit()


# -- shared ----------------------------------------------------------------------------------


def _load_for_update(uow: UnitOfWork, appointment_id: int) -> Appointment:
    """The appointment, row-locked; a deleted one cannot change any more (409)."""
    appt = uow.appointments.for_update(appointment_id)
    if appt is None:
        raise NotFound("appointment", appointment_id)
    if appt.deleted_at is not None:
        raise Conflict(f"appointment {appointment_id} is deleted")
    return appt


def record(
    uow: UnitOfWork,
    ctx: Context,
    appt: Appointment,
    action: str,
    from_status: str | None,
    to_status: str | None,
    *,
    reason: str | None = None,
    changes: dict[str, Any] | None = None,
) -> None:
    uow.appointments.record(
        history_entry(ctx, appt, action, from_status, to_status, reason, changes)
    )


def history_entry(
    ctx: Context,
    appt: Appointment,
    action: str,
    from_status: str | None,
    to_status: str | None,
    reason: str | None = None,
    changes: dict[str, Any] | None = None,
) -> HistoryEntry:
    """One change of ``appt``, stamped with the caller, the face and the time."""
    return HistoryEntry(
        appointment_id=appt.id,
        at=ctx.now(),
        action=action,
        actor=ctx.caller.actor,
        source=ctx.caller.source,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        changes=changes or {},
    )


def merge_extra(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``current`` with ``changes`` merged one level deep (each face keeps its own key)."""
    merged = dict(current)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def payload(appt: Appointment, notify: Notify | None = None) -> dict[str, Any]:
    """The outbox payload of an appointment event: ids and times, enough to fetch the rest.

    ``notify`` is who hears about this change (``None``: the account's defaults, decided by
    the dispatcher).
    """
    return {
        "notify": None if notify is None else notify.as_dict(),
        "appointment_id": appt.id,
        "status": appt.status.value,
        "start": appt.start.isoformat(),
        "end": appt.end.isoformat(),
        "staff_id": appt.staff_id,
        "client_id": appt.client_id,
        "location_id": appt.location_id,
        "service_id": appt.service_id,
    }
