"""Waitlist holds: a cancelled appointment's time kept for invited entries, and claiming it.

Cancelling with an offer is one transaction: the appointment is cancelled and its blocks
released, a *hold* (an appointment of kind ``hold``, no client, status ``pending``) takes the
very same blocks with ``expires_at`` set, and the named entries become ``invited``. No worker is
needed when the hold runs out: booking code treats blocks whose ``expires_at`` has passed as
free and releases them (:func:`appointd.app.placement.check_and_block`).

Claiming turns the hold into the entry's client's confirmed appointment. The hold row is locked
first, so of two concurrent claims the second sees it already claimed (409).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from appointd.app import appointments
from appointd.app.appointments import payload, record
from appointd.app.commands import TransitionAppointment
from appointd.app.context import Context
from appointd.app.placement import guard_overlaps
from appointd.app.retry import retry_transient
from appointd.domain import appointment_fields
from appointd.domain import waitlist as rules
from appointd.domain.codes import new_manage_token, new_reference
from appointd.domain.errors import Conflict, Invalid, NotFound
from appointd.domain.events import EventType
from appointd.domain.model import Appointment, AppointmentKind, Event
from appointd.domain.notifications import Notify
from appointd.domain.status import Status, transition
from appointd.domain.waitlist import WaitlistEntry
from appointd.store.uow import UnitOfWork


@dataclass(slots=True)
class CancelWithOffer:
    appointment_id: int
    offer_to: Sequence[int]
    reason: str | None = None
    hold_minutes: int | None = None
    # The cancellation's reason code and note (see TransitionAppointment).
    code: str | None = None
    note: str | None = None
    extra: dict[str, Any] | None = None  # merged into the cancelled appointment's ``extra``
    notify: Notify | None = None  # who hears about the cancellation (None: account defaults)


@dataclass(slots=True)
class Offer:
    """What :func:`cancel_and_offer` did: the cancelled appointment and the hold on its time."""

    cancelled: Appointment
    hold: Appointment


@retry_transient()
def cancel(ctx: Context, cmd: CancelWithOffer) -> Appointment:
    """Cancel; with ``offer_to`` also hold the time (:func:`cancel_and_offer`), else plainly.

    ``hold_minutes`` without ``offer_to`` is refused: a hold nobody is invited to serves no one.
    """
    if cmd.offer_to:
        return appointments.fresh_codes_on_collision(lambda: cancel_and_offer(ctx, cmd)).cancelled
    if cmd.hold_minutes is not None:
        raise Invalid.field("hold_minutes", "only with offer_to (the entries to hold it for)")
    return appointments.transition_to(
        ctx,
        TransitionAppointment(
            cmd.appointment_id,
            Status.CANCELLED,
            cmd.reason,
            cmd.code,
            cmd.note,
            extra=cmd.extra,
            notify=cmd.notify,
        ),
    )


def cancel_and_offer(ctx: Context, cmd: CancelWithOffer) -> Offer:
    """Cancel the appointment and hold its time for the ``offer_to`` entries.

    Refusals: an unknown entry is :class:`NotFound` naming ``offer_to``; an entry that is not
    open (see :func:`appointd.domain.waitlist.is_open`), an appointment whose time is no longer
    held (archived) or a class seat is :class:`Invalid` naming ``offer_to``; a bad length names
    ``hold_minutes``; a status that cannot be cancelled is an ``IllegalTransition``.
    """
    length = rules.hold_length(cmd.hold_minutes)
    offer_to = list(dict.fromkeys(cmd.offer_to))
    if not offer_to:
        raise Invalid.field("offer_to", "name at least one waitlist entry")
    with guard_overlaps(ctx), ctx.uow() as uow:
        appt = uow.appointments.for_update(cmd.appointment_id)
        if appt is None:
            raise NotFound("appointment", cmd.appointment_id)
        now = ctx.now()
        before = appt.status
        appt.status = transition(appt.status, Status.CANCELLED)
        appointment_fields.cancelled(appt, now, ctx.caller.actor, cmd.code, cmd.note)
        _check_holdable(appt)
        entries = _open_entries(uow, offer_to, ctx)
        blocks = uow.waitlist.holding_blocks_of(appt.id)
        appt.updated_at = now
        if cmd.extra:
            appt.extra = appointments.merge_extra(appt.extra, cmd.extra)
        uow.appointments.update(appt)
        uow.blocks.release_appointments([appt.id])
        hold = _hold_of(appt, ctx, now + length)
        uow.appointments.add(hold)
        uow.blocks.add(
            [
                dataclasses.replace(b, appointment_id=hold.id, expires_at=hold.hold_expires_at)
                for b in blocks
            ]
        )
        for entry in entries:
            rules.invite(entry, hold.id, now)
            uow.waitlist.update(entry)
            uow.outbox.add(Event(EventType.WAITLIST_INVITED, _invitation(entry, hold)), now)
        offer = {"hold_appointment_id": hold.id, "offer_to": offer_to}
        record(
            uow,
            ctx,
            appt,
            Status.CANCELLED.value,
            before.value,
            appt.status.value,
            reason=cmd.reason,
            changes=offer,
        )
        uow.outbox.add(
            Event(
                EventType.APPOINTMENT_STATUS_CHANGED,
                {**payload(appt, cmd.notify), "from": before.value},
            ),
            now,
        )
        record(
            uow,
            ctx,
            hold,
            "held",
            None,
            hold.status.value,
            changes={"from_appointment_id": appt.id, "offer_to": offer_to},
        )
        uow.commit()
    return Offer(appt, hold)


def _check_holdable(appt: Appointment) -> None:
    if appt.archived_at is not None or appt.deleted_at is not None:
        raise Invalid.field("offer_to", f"appointment {appt.id} is archived; its time is not held")
    if appt.class_session_id is not None:
        raise Invalid.field("offer_to", "a seat in a class session cannot be held for the waitlist")


def _open_entries(uow: UnitOfWork, ids: list[int], ctx: Context) -> list[WaitlistEntry]:
    """The named entries, locked, each open for an invitation; refusals name ``offer_to``."""
    found = uow.waitlist.many_for_update(ids)
    for ident in ids:
        if ident not in found:
            raise NotFound("waitlist entry", ident, "offer_to")
    holds = uow.appointments.get_many(
        e.hold_appointment_id for e in found.values() if e.hold_appointment_id is not None
    )
    rules.check_offer(found, holds, ctx.now())
    return [found[i] for i in ids]


def _hold_of(appt: Appointment, ctx: Context, expires_at: datetime) -> Appointment:
    """A clientless appointment of kind ``hold`` over exactly the time ``appt`` had."""
    now = ctx.now()
    return dataclasses.replace(
        appt,
        id=0,
        kind=AppointmentKind.HOLD,
        status=Status.PENDING,
        client_id=None,
        notes=None,
        intent_id=None,
        waitlist_entry_id=None,
        series_id=None,
        series_index=None,
        hold_expires_at=expires_at,
        source=ctx.caller.source,
        extra={},
        archived_at=None,
        deleted_at=None,
        created_at=now,
        updated_at=now,
        reference=new_reference(),
        manage_token=new_manage_token(),
        paid=False,
        custom_status_id=None,
        form=[],
        cancellation_code=None,
        cancellation_note=None,
        cancelled_at=None,
        cancelled_by=None,
        created_by=ctx.caller.actor,
        updated_by=ctx.caller.actor,
        external_id=None,
        metadata={},
        change_seq=0,
    )


def _invitation(entry: WaitlistEntry, hold: Appointment) -> dict[str, object]:
    assert hold.hold_expires_at is not None
    return {
        "waitlist_entry_id": entry.id,
        "client_id": entry.client_id,
        "hold_appointment_id": hold.id,
        "hold_expires_at": hold.hold_expires_at.isoformat(),
        "start": hold.start.isoformat(),
        "end": hold.end.isoformat(),
        "service_id": hold.service_id,
        "location_id": hold.location_id,
        "staff_id": hold.staff_id,
    }


@retry_transient()
def claim(ctx: Context, entry_id: int) -> tuple[WaitlistEntry, Appointment]:
    """Turn the hold offered to ``entry_id`` into its client's confirmed appointment.

    The first claim wins; a later one, or one after the hold expired or was cancelled, is a
    :class:`Conflict` saying which. The other invitees of the hold go back to ``waiting``.
    """
    with guard_overlaps(ctx), ctx.uow() as uow:
        seen = uow.waitlist.get(entry_id)
        if seen is None:
            raise NotFound("waitlist entry", entry_id)
        # Lock the hold before the entry: every claim of one hold queues on the same row.
        hold = (
            uow.appointments.for_update(seen.hold_appointment_id)
            if seen.hold_appointment_id is not None
            else None
        )
        entry = uow.waitlist.many_for_update([entry_id])[entry_id]
        if entry.hold_appointment_id != seen.hold_appointment_id:
            raise Conflict(f"waitlist entry {entry_id} changed meanwhile; try again")
        now = ctx.now()
        hold = rules.check_claim(entry, hold, now)
        appt = rules.claimed(hold, entry, now)
        uow.appointments.update(appt)
        uow.waitlist.keep_hold_blocks(appt.id)
        rules.mark_booked(entry, appt.id, now)
        uow.waitlist.update(entry)
        uow.waitlist.release_invitations(hold.id, entry.id, now)
        record(
            uow,
            ctx,
            appt,
            "claimed",
            hold.status.value,
            appt.status.value,
            changes={"waitlist_entry_id": entry.id, "client_id": entry.client_id},
        )
        uow.outbox.add(
            Event(EventType.APPOINTMENT_BOOKED, {**payload(appt), "waitlist_entry_id": entry.id}),
            now,
        )
        uow.commit()
    return entry, appt
