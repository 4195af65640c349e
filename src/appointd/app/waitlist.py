"""Use cases of the waitlist: join, read, list, leave, find candidates, and book from an entry.

Holds (offering a cancelled appointment's time to entries) and claims live in
:mod:`appointd.app.holds`. Booking from an entry happens inside
:func:`appointd.app.appointments.place`: :func:`check_booking` row-locks and checks the entry
before the appointment is written, :func:`mark_booked` marks it in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from appointd.app.context import Context
from appointd.app.references import active
from appointd.domain import booking
from appointd.domain import waitlist as rules
from appointd.domain.errors import NotFound
from appointd.domain.model import Appointment
from appointd.domain.waitlist import EntryStatus, Opening, WaitlistEntry
from appointd.domain.wallclock import zone
from appointd.store.repositories.base import Page
from appointd.store.repositories.waitlist import WaitlistFilter
from appointd.store.uow import UnitOfWork


def create(
    ctx: Context,
    *,
    client_id: int,
    service_id: int,
    location_id: int,
    staff_id: int | None = None,
    earliest: date | None = None,
    latest: date | None = None,
    preferred_times: Sequence[Mapping[str, Any]] = (),
    notes: str | None = None,
) -> WaitlistEntry:
    """Put a client on the waitlist; every id is checked and every refusal names its field."""
    rules.check_dates(earliest, latest)
    windows = rules.parse_preferred_times(preferred_times)
    now = ctx.now()
    entry = WaitlistEntry(
        id=0,
        account_id=ctx.account_id,
        client_id=client_id,
        service_id=service_id,
        location_id=location_id,
        staff_id=staff_id,
        earliest=earliest,
        latest=latest,
        preferred_times=windows,
        notes=notes,
        created_at=now,
        updated_at=now,
    )
    with ctx.uow() as uow:
        _check_references(uow, entry)
        uow.waitlist.add(entry)
        uow.commit()
    return entry


def _check_references(uow: UnitOfWork, entry: WaitlistEntry) -> None:
    active(uow.clients, "client", entry.client_id, "client_id")
    service = active(uow.services, "service", entry.service_id, "service_id")
    location = active(uow.locations, "location", entry.location_id, "location_id")
    if entry.staff_id is not None:
        staff = uow.staff.get(entry.staff_id)
        if staff is None:
            raise NotFound("staff", entry.staff_id, "staff_id")
        booking.check_staff_fit(staff, service, location.id, "staff_id")


def get(ctx: Context, entry_id: int) -> WaitlistEntry:
    with ctx.uow(write=False) as uow:
        entry = uow.waitlist.get(entry_id)
    if entry is None:
        raise NotFound("waitlist entry", entry_id)
    return entry


def search(ctx: Context, f: WaitlistFilter) -> Page[WaitlistEntry]:
    with ctx.uow(write=False) as uow:
        return uow.waitlist.search(f)


def cancel(ctx: Context, entry_id: int) -> WaitlistEntry:
    """Take the entry off the waitlist (idempotent); a booked entry is a 409."""
    with ctx.uow() as uow:
        entry = uow.waitlist.many_for_update([entry_id]).get(entry_id)
        if entry is None:
            raise NotFound("waitlist entry", entry_id)
        rules.cancel(entry, ctx.now())
        uow.waitlist.update(entry)
        uow.commit()
    return entry


def candidates(
    ctx: Context, appointment_id: int, *, limit: int, offset: int
) -> Page[WaitlistEntry]:
    """Open entries the appointment's time would suit, oldest first (see :func:`rules.suits`)."""
    with ctx.uow(write=False) as uow:
        appt = uow.appointments.get(appointment_id)
        if appt is None:
            raise NotFound("appointment", appointment_id)
        location = uow.locations.get(appt.location_id)
        tz = zone(location.time_zone if location else "UTC")
        opening = Opening(
            service_id=appt.service_id,
            location_id=appt.location_id,
            staff_id=appt.staff_id,
            local_start=appt.start.astimezone(tz),
            local_end=appt.end.astimezone(tz),
        )
        entries = uow.waitlist.open_for(
            appt.service_id, appt.location_id, appt.staff_id, opening.local_start.date()
        )
        holds = _holds_of(uow, entries)
    found = rules.candidates(entries, opening, holds, ctx.now())
    return Page(found[offset : offset + limit], len(found))


def _holds_of(uow: UnitOfWork, entries: Sequence[WaitlistEntry]) -> dict[int, Appointment]:
    """The hold appointments invited entries point at (one query)."""
    ids = [
        e.hold_appointment_id
        for e in entries
        if e.status is EntryStatus.INVITED and e.hold_appointment_id is not None
    ]
    return uow.appointments.get_many(ids)


# -- the booking hook ------------------------------------------------------------------------


def check_booking(
    uow: UnitOfWork, entry_id: int | None, client_id: int | None
) -> WaitlistEntry | None:
    """The waitlist entry a booking names, locked and checked; ``None`` when it names none."""
    if entry_id is None:
        return None
    entry = uow.waitlist.many_for_update([entry_id]).get(entry_id)
    if entry is None:
        raise NotFound("waitlist entry", entry_id, "waitlist_entry_id")
    rules.check_booking_from(entry, client_id)
    return entry


def mark_booked(
    uow: UnitOfWork, ctx: Context, entry: WaitlistEntry | None, appt: Appointment
) -> None:
    """Record that ``appt`` was booked from ``entry`` (nothing when ``entry`` is ``None``)."""
    if entry is None:
        return
    rules.mark_booked(entry, appt.id, ctx.now())
    uow.waitlist.update(entry)
