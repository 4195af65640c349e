"""The waitlist: clients waiting for a time, which freed times suit them, and holds offered to them.

An entry names what the client wants (service and location, optionally a staff member), the
dates they can come (``earliest`` .. ``latest``, both inclusive) and, optionally, the local times
of day that suit them (``preferred_times``, wall time at the location). An entry moves::

    waiting -> invited  (a freed time is held for it; ``hold_appointment_id``)
    invited -> waiting  (another invitee claimed the hold first)
    waiting | invited -> booked     (``appointment_id``)
    waiting | invited -> cancelled

An invitation whose hold has lapsed (expired, cancelled, or claimed by another invitee) leaves
the entry open again: :func:`is_open` treats it like ``waiting``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from appointd.domain.errors import Conflict, FieldError, Invalid
from appointd.domain.model import Appointment, AppointmentKind
from appointd.domain.status import Status
from appointd.domain.wallclock import format_hhmm, parse_hhmm

# How long a hold may be kept when the caller names no length, and at most (one week).
DEFAULT_HOLD_MINUTES = 60
MAX_HOLD_MINUTES = 7 * 24 * 60


class EntryStatus(StrEnum):
    WAITING = "waiting"
    INVITED = "invited"
    BOOKED = "booked"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class PreferredTime:
    """A local time-of-day window ``[start, end)`` in minutes, on one ISO weekday or on any."""

    start: int
    end: int
    weekday: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "weekday": self.weekday,
            "start": format_hhmm(self.start),
            "end": format_hhmm(self.end),
        }

    def contains(self, local_start: datetime, local_end: datetime) -> bool:
        """Whether the local span fits inside this window on the start's date."""
        if self.weekday is not None and local_start.isoweekday() != self.weekday:
            return False
        midnight = datetime.combine(local_start.date(), datetime.min.time())
        start = (local_start.replace(tzinfo=None) - midnight) // timedelta(minutes=1)
        end = (local_end.replace(tzinfo=None) - midnight) // timedelta(minutes=1)
        return self.start <= start and end <= self.end


@dataclass(slots=True)
class WaitlistEntry:
    id: int
    account_id: int
    client_id: int
    service_id: int
    location_id: int
    staff_id: int | None = None
    earliest: date | None = None
    latest: date | None = None
    preferred_times: tuple[PreferredTime, ...] = ()
    notes: str | None = None
    status: EntryStatus = EntryStatus.WAITING
    hold_appointment_id: int | None = None
    appointment_id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Opening:
    """A time that could be offered: what, where, with whom, and its local wall-clock span."""

    service_id: int
    location_id: int
    staff_id: int | None
    local_start: datetime  # wall time at the location
    local_end: datetime


# -- input -------------------------------------------------------------------------------------


def parse_preferred_times(
    raw: Sequence[Mapping[str, Any]], field: str = "preferred_times"
) -> tuple[PreferredTime, ...]:
    """Validated windows from ``[{"weekday": 1..7 | null, "start": "HH:MM", "end": "HH:MM"}]``.

    ``end`` may be ``24:00``; it must be after ``start``. Every bad item is named.
    """
    errors: list[FieldError] = []
    out: list[PreferredTime] = []
    for i, item in enumerate(raw):
        prefix = f"{field}[{i}]"
        weekday = item.get("weekday")
        if weekday is not None and (
            not isinstance(weekday, int) or isinstance(weekday, bool) or not 1 <= weekday <= 7
        ):
            errors.append(FieldError(f"{prefix}.weekday", "must be 1 (Monday) to 7 (Sunday)"))
            continue
        try:
            start = parse_hhmm(item.get("start"), f"{prefix}.start")
            end = parse_hhmm(item.get("end"), f"{prefix}.end", allow_24=True)
        except Invalid as exc:
            errors.extend(exc.errors)
            continue
        if end <= start:
            errors.append(FieldError(f"{prefix}.end", "must be after start"))
            continue
        out.append(PreferredTime(start, end, weekday))
    if errors:
        raise Invalid(errors)
    return tuple(out)


def check_dates(earliest: date | None, latest: date | None) -> None:
    """Refuse a date range that ends before it starts (both ends are inclusive)."""
    if earliest is not None and latest is not None and latest < earliest:
        raise Invalid.field("latest", "must be on or after earliest")


# -- matching ----------------------------------------------------------------------------------


def suits(entry: WaitlistEntry, opening: Opening) -> bool:
    """Whether ``opening`` is a time ``entry`` asked for.

    Same service and location; the entry's staff member unset or the opening's; the opening's
    local date within ``earliest`` .. ``latest``; and, when the entry lists preferred times, the
    opening's whole local span inside one of them. Only the entry's wishes are compared here;
    whether the entry is still open is :func:`is_open`'s question.
    """
    if entry.service_id != opening.service_id or entry.location_id != opening.location_id:
        return False
    if entry.staff_id is not None and entry.staff_id != opening.staff_id:
        return False
    day = opening.local_start.date()
    if entry.earliest is not None and day < entry.earliest:
        return False
    if entry.latest is not None and day > entry.latest:
        return False
    if entry.preferred_times:
        return any(
            p.contains(opening.local_start, opening.local_end) for p in entry.preferred_times
        )
    return True


def is_open(entry: WaitlistEntry, hold: Appointment | None, now: datetime) -> bool:
    """Waiting, or invited to a hold that has lapsed (so nothing is kept for it any more).

    ``hold`` is the appointment named by ``entry.hold_appointment_id`` (``None`` if gone).
    """
    if entry.status is EntryStatus.WAITING:
        return True
    if entry.status is not EntryStatus.INVITED:
        return False
    return hold is None or not hold_is_live(hold, now)


def hold_is_live(hold: Appointment, now: datetime) -> bool:
    """A hold still keeps its time: a hold appointment, holding, not yet expired."""
    return (
        hold.kind is AppointmentKind.HOLD
        and hold.holding
        and (hold.hold_expires_at is None or hold.hold_expires_at > now)
    )


def candidates(
    entries: Iterable[WaitlistEntry],
    opening: Opening,
    holds: Mapping[int, Appointment],
    now: datetime,
) -> list[WaitlistEntry]:
    """The open entries ``opening`` suits, oldest first (ties by id)."""
    found = [
        e
        for e in entries
        if suits(e, opening)
        and is_open(e, holds.get(e.hold_appointment_id) if e.hold_appointment_id else None, now)
    ]
    return sorted(found, key=lambda e: (e.created_at or datetime.min, e.id))


# -- holds and claims --------------------------------------------------------------------------


def hold_length(minutes: int | None) -> timedelta:
    """How long a hold keeps its time; :class:`Invalid` (``hold_minutes``) when out of range."""
    if minutes is None:
        minutes = DEFAULT_HOLD_MINUTES
    if not 1 <= minutes <= MAX_HOLD_MINUTES:
        raise Invalid.field("hold_minutes", f"must be between 1 and {MAX_HOLD_MINUTES}")
    return timedelta(minutes=minutes)


def check_offer(
    entries: Mapping[int, WaitlistEntry], holds: Mapping[int, Appointment], now: datetime
) -> None:
    """Every entry offered a hold must be open; the refusal names ``offer_to``."""
    errors = [
        FieldError("offer_to", f"waitlist entry {e.id} is {e.status.value}, not waiting")
        for e in entries.values()
        if not is_open(e, holds.get(e.hold_appointment_id) if e.hold_appointment_id else None, now)
    ]
    if errors:
        raise Invalid(errors)


def invite(entry: WaitlistEntry, hold_id: int, now: datetime) -> None:
    entry.status = EntryStatus.INVITED
    entry.hold_appointment_id = hold_id
    entry.updated_at = now


def check_claim(entry: WaitlistEntry, hold: Appointment | None, now: datetime) -> Appointment:
    """The hold ``entry`` may claim now, or :class:`Conflict` saying why not (first claim wins).

    ``hold`` is the appointment named by ``entry.hold_appointment_id``, which an entry keeps
    after a fellow invitee claimed the hold, so the loser learns the hold was claimed.
    """
    if entry.status is EntryStatus.BOOKED:
        raise Conflict(f"waitlist entry {entry.id} is already booked")
    if entry.status is EntryStatus.CANCELLED:
        raise Conflict(f"waitlist entry {entry.id} is cancelled")
    if entry.hold_appointment_id is None:
        raise Conflict(f"waitlist entry {entry.id} has not been offered a hold")
    if hold is None or hold.archived_at is not None or hold.deleted_at is not None:
        raise Conflict(f"the hold offered to waitlist entry {entry.id} no longer exists")
    if hold.kind is not AppointmentKind.HOLD:
        raise Conflict(f"hold {hold.id} was already claimed by another waitlist entry")
    if not hold.status.holding:
        raise Conflict(f"hold {hold.id} was {hold.status.value}")
    if hold.hold_expires_at is not None and hold.hold_expires_at <= now:
        raise Conflict(
            f"hold {hold.id} expired at {hold.hold_expires_at.isoformat()}; the time is free again"
        )
    if entry.status is not EntryStatus.INVITED:
        raise Conflict(f"waitlist entry {entry.id} is no longer invited to hold {hold.id}")
    return hold


def claimed(hold: Appointment, entry: WaitlistEntry, now: datetime) -> Appointment:
    """The client's appointment ``hold`` becomes when ``entry`` claims it: same time, confirmed."""
    return dataclasses.replace(
        hold,
        kind=AppointmentKind.APPOINTMENT,
        client_id=entry.client_id,
        status=Status.CONFIRMED,
        hold_expires_at=None,
        waitlist_entry_id=entry.id,
        updated_at=now,
    )


def check_booking_from(entry: WaitlistEntry, client_id: int | None) -> None:
    """An appointment booked from ``entry`` is for its client while the entry is still open.

    A booked or cancelled entry is a :class:`Conflict`; another client is :class:`Invalid`;
    both name ``waitlist_entry_id``.
    """
    if entry.status in (EntryStatus.BOOKED, EntryStatus.CANCELLED):
        raise Conflict(f"waitlist_entry_id: waitlist entry {entry.id} is {entry.status.value}")
    if client_id != entry.client_id:
        raise Invalid.field(
            "waitlist_entry_id",
            f"waitlist entry {entry.id} is for client {entry.client_id}, not {client_id}",
        )


def mark_booked(entry: WaitlistEntry, appointment_id: int, now: datetime) -> None:
    entry.status = EntryStatus.BOOKED
    entry.appointment_id = appointment_id
    entry.updated_at = now


def cancel(entry: WaitlistEntry, now: datetime) -> None:
    """Leave the waitlist; cancelling twice is harmless, a booked entry cannot be cancelled."""
    if entry.status is EntryStatus.BOOKED:
        raise Conflict(f"waitlist entry {entry.id} is booked (appointment {entry.appointment_id})")
    if entry.status is not EntryStatus.CANCELLED:
        entry.status = EntryStatus.CANCELLED
        entry.updated_at = now
