"""What a client may do from the manage link of their appointment: see it, cancel it, move it.

The link's token names the appointment (and so its account). The rules are the account's:
no change less than ``client_change_cutoff_hours`` (a key of the account's settings document,
default :data:`DEFAULT_CUTOFF_HOURS`) before the start; a finished, cancelled or archived
appointment is read-only; a seat in a class can be cancelled but not moved (as everywhere in
the core). A move goes only to a time availability offers now, with the same staff member or
anyone who gives the service there. Every change is the core's own change
(:func:`appointd.app.appointments.change` and ``transition_to``), stamped actor ``client``,
source ``web``, with its outbox event and notifications.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from appointd.app import online
from appointd.app.appointments import change, get_appointment_by_manage_token, transition_to
from appointd.app.commands import ChangeAppointment, TransitionAppointment
from appointd.app.context import Context, Services
from appointd.domain.errors import Forbidden, Invalid, SlotTaken
from appointd.domain.model import Appointment, Client, Location, Service, Staff
from appointd.domain.status import Status

DEFAULT_CUTOFF_HOURS = 24
SETTING = "client_change_cutoff_hours"
# Statuses a client may still cancel or move; later ones (checked in, started, done) are
# the business's to change.
OPEN = frozenset({Status.PENDING, Status.CONFIRMED})


@dataclass(frozen=True, slots=True)
class Managed:
    """An appointment as its manage page shows it, and what the client may do with it."""

    appointment: Appointment
    location: Location
    service: Service
    staff: Staff | None
    client: Client | None
    ctx: Context
    cutoff_hours: int
    # None when the client may change it; else why not: "final" or "too_late".
    locked: str | None
    movable: bool


def open_link(services: Services, token: str) -> Managed:
    """The appointment behind ``token``; :class:`NotFound` for an unknown or wrong token."""
    appt = get_appointment_by_manage_token(services, token)
    ctx = online.client_context(services, appt.account_id)
    with ctx.uow(write=False) as uow:
        location = uow.locations.get(appt.location_id)
        service = uow.services.get(appt.service_id)
        staff = uow.staff.get(appt.staff_id) if appt.staff_id else None
        client = uow.clients.get(appt.client_id) if appt.client_id else None
        cutoff = uow.public.client_change_cutoff_hours(DEFAULT_CUTOFF_HOURS)
    assert location is not None and service is not None  # appointments keep their references
    locked = why_locked(appt, ctx.now(), cutoff)
    return Managed(
        appt,
        location,
        service,
        staff,
        client,
        ctx,
        cutoff,
        locked,
        movable=locked is None and appt.class_session_id is None,
    )


def why_locked(appt: Appointment, now: datetime, cutoff_hours: int) -> str | None:
    """``"final"`` for an appointment the client can no longer change at all, ``"too_late"``
    inside the account's cutoff before the start, else ``None``."""
    if (
        appt.archived_at is not None
        or appt.deleted_at is not None
        or appt.status not in OPEN
        or appt.end <= now
    ):
        return "final"
    if appt.start - now < timedelta(hours=cutoff_hours):
        return "too_late"
    return None


def _refuse(m: Managed) -> None:
    if m.locked == "final":
        raise Forbidden("this appointment can no longer be changed")
    if m.locked == "too_late":
        raise Forbidden(
            f"changes are not possible less than {m.cutoff_hours} hours before the start; "
            "please contact us"
        )


def cancel(services: Services, token: str, reason: str | None) -> Appointment:
    """Cancel the appointment behind ``token`` with the client's optional reason."""
    m = open_link(services, token)
    _refuse(m)
    note = (reason or "").strip() or None
    if note is not None and len(note) > 1000:
        raise Invalid.field("reason", "must be at most 1000 characters")
    return transition_to(
        m.ctx,
        TransitionAppointment(
            m.appointment.id, Status.CANCELLED, reason=note, cancellation_note=note
        ),
    )


def reschedule(
    services: Services, token: str, start: datetime, staff_id: int | None
) -> Appointment:
    """Move the appointment to ``start``, an offered time of its service at its location.

    ``staff_id`` is the staff member asked for, or ``None`` for anyone: then the current staff
    member if free, else the first one free. :class:`SlotTaken` when the time is not offered
    (any more); :class:`Forbidden` when the rules do not allow a change now.
    """
    m = open_link(services, token)
    _refuse(m)
    if not m.movable:
        raise Forbidden("a seat in a class cannot be moved; cancel it and book another session")
    slot = online.offered_slot(m.ctx, m.location, m.service, staff_id, start)
    if slot is None:
        raise SlotTaken([], "this time is not free any more")
    if staff_id is None:
        current = m.appointment.staff_id
        staff_id = current if current in slot.staff_ids else slot.staff_ids[0]
    return change(
        m.ctx,
        ChangeAppointment(m.appointment.id, {"start": start, "staff_id": staff_id}),
    )
