"""Staff calendar feeds: a secret URL per staff member that calendar apps subscribe to.

The token in the URL is 256 random bits; only its sha256 is stored, so a leaked database does
not open anyone's calendar. Creating a feed again replaces the token (the old URL stops
working at once). Reading a feed needs no account credentials: the token *is* the credential,
and it names its account.

A feed holds what makes the staff member busy from 30 days back to a year ahead: holding
appointments (as primary or additional staff), the class sessions they teach, and time off.
Loading it is a fixed number of statements whatever the number of events.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from appointd.app.context import Context, Services
from appointd.domain.errors import Invalid, NotFound
from appointd.domain.model import Staff
from appointd.store.uow import UnitOfWork

DAYS_BACK = 30
DAYS_AHEAD = 365


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_feed(ctx: Context, staff_id: int) -> str:
    """A new secret token for ``staff_id``'s feed (replacing any earlier one)."""
    with ctx.uow() as uow:
        staff = uow.staff.get(staff_id)
        if staff is None:
            raise NotFound("staff", staff_id)
        if staff.archived_at is not None:
            raise Invalid.field("staff_id", f"staff {staff_id} is archived")
        token = secrets.token_urlsafe(32)
        uow.public.replace_feed(staff_id, token_hash(token), ctx.now())
        uow.commit()
    return token


def remove_feed(ctx: Context, staff_id: int) -> None:
    """Revoke ``staff_id``'s feed; :class:`NotFound` when the staff member or feed is unknown."""
    with ctx.uow() as uow:
        if uow.staff.get(staff_id) is None:
            raise NotFound("staff", staff_id)
        if not uow.public.remove_feed(staff_id):
            raise NotFound("calendar feed", staff_id)
        uow.commit()


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One event of a feed. ``uid`` never changes for the same appointment, session or time
    off; ``sequence`` grows with every change of an appointment."""

    uid: str
    start: datetime
    end: datetime
    time_zone: str
    summary: str
    location: str | None
    description: str | None
    status: str  # CONFIRMED | TENTATIVE
    sequence: int
    created: datetime | None
    updated: datetime | None


@dataclass(frozen=True, slots=True)
class StaffCalendar:
    staff: Staff
    account_id: int
    events: list[FeedEvent]


def calendar_for(services: Services, token: str, now: datetime) -> StaffCalendar:
    """The calendar behind ``token``; :class:`NotFound` for an unknown or replaced token."""
    if not 20 <= len(token) <= 100:
        raise NotFound("calendar feed", "?")
    digest = token_hash(token)
    with UnitOfWork(services.engine, None, write=False) as uow:
        owner = uow.public.feed_by_hash(digest)
    # The lookup is by hash; comparing again in constant time costs nothing and keeps the
    # promise even if the index lookup ever became a prefix match.
    if owner is None or not hmac.compare_digest(owner.token_hash, digest):
        raise NotFound("calendar feed", "?")
    with UnitOfWork(services.engine, owner.account_id, write=False) as uow:
        staff = uow.staff.get(owner.staff_id)
        if staff is None:
            raise NotFound("calendar feed", "?")
        events = _events(uow, owner.account_id, staff, now)
    return StaffCalendar(staff, owner.account_id, events)


def _events(uow: UnitOfWork, account_id: int, staff: Staff, now: datetime) -> list[FeedEvent]:
    items = uow.public.calendar(
        staff.id, now - timedelta(days=DAYS_BACK), now + timedelta(days=DAYS_AHEAD)
    )
    appts = uow.appointments.get_many(i.appointment_id for i in items if i.appointment_id)
    sessions = uow.class_sessions.get_many(i.class_session_id for i in items if i.class_session_id)
    time_off = uow.public.time_off_many(i.time_off_id for i in items if i.time_off_id)
    services = uow.services.get_many(
        [a.service_id for a in appts.values()] + [s.service_id for s in sessions.values()]
    )
    clients = uow.clients.get_many(a.client_id for a in appts.values() if a.client_id)
    locations = uow.locations.get_many(
        [a.location_id for a in appts.values()] + [s.location_id for s in sessions.values()]
    )
    changes = uow.public.change_counts(appts)
    events: list[FeedEvent] = []
    seen: set[str] = set()
    for item in items:
        if item.appointment_id and item.appointment_id in appts:
            a = appts[item.appointment_id]
            uid = f"appointment-{a.id}-{account_id}@appointd"
            service = services.get(a.service_id)
            client = clients.get(a.client_id) if a.client_id else None
            loc = locations.get(a.location_id)
            who = f"{client.first_name} {client.last_name}".strip() if client else None
            what = service.name if service else "Appointment"
            event = FeedEvent(
                uid=uid,
                start=a.start,
                end=a.end,
                time_zone=loc.time_zone if loc else staff.time_zone,
                summary=f"{what} - {who}" if who else what,
                location=_place(loc),
                description=a.notes,
                status="TENTATIVE" if a.status.value == "pending" else "CONFIRMED",
                sequence=changes.get(a.id, 0),
                created=a.created_at,
                updated=a.updated_at,
            )
        elif item.class_session_id and item.class_session_id in sessions:
            s = sessions[item.class_session_id]
            service = services.get(s.service_id)
            loc = locations.get(s.location_id)
            uid = f"class-session-{s.id}-{account_id}@appointd"
            event = FeedEvent(
                uid=uid,
                start=s.start,
                end=s.end,
                time_zone=loc.time_zone if loc else staff.time_zone,
                summary=f"{service.name if service else 'Class'} ({s.seats_taken}/{s.capacity})",
                location=_place(loc),
                description=None,
                status="CONFIRMED",
                sequence=0,
                created=s.created_at,
                updated=s.updated_at,
            )
        elif item.time_off_id and item.time_off_id in time_off:
            t = time_off[item.time_off_id]
            uid = f"time-off-{t.id}-{account_id}@appointd"
            event = FeedEvent(
                uid=uid,
                start=t.start_at,
                end=t.end_at,
                time_zone=staff.time_zone,
                summary="Time off" + (f": {t.reason}" if t.reason else ""),
                location=None,
                description=None,
                status="CONFIRMED",
                sequence=0,
                created=t.created_at,
                updated=t.created_at,
            )
        else:
            continue
        if event.uid not in seen:  # an appointment has one block per role; one event
            seen.add(event.uid)
            events.append(event)
    return events


def _place(loc: object | None) -> str | None:
    if loc is None:
        return None
    name: str = getattr(loc, "name", "")
    address: str | None = getattr(loc, "address", None)
    return f"{name}, {address}" if address else name
