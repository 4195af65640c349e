"""Queries of the public pages: booking pages by slug, calendar feeds, a staff member's calendar.

Two lookups here cross accounts on purpose, because a public address carries no account: the
booking page by its slug and the calendar feed by its token's hash. They are routing steps,
like resolving an API key; everything after them is scoped to the account they found.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select

from appointd.domain.model import Location
from appointd.store import tables
from appointd.store.repositories.base import Repository, storable
from appointd.store.repositories.catalog import LocationRepository


@dataclass(frozen=True, slots=True)
class FeedOwner:
    """Whose calendar a feed token opens."""

    account_id: int
    staff_id: int
    token_hash: str


@dataclass(frozen=True, slots=True)
class CalendarItem:
    """One holding block of a staff member's calendar: what it belongs to."""

    appointment_id: int | None
    time_off_id: int | None
    class_session_id: int | None
    start: datetime
    end: datetime


class PublicRepository(Repository):
    # -- booking pages (crosses accounts: the slug is the address) --------------------------
    def location_by_slug(self, slug: str) -> Location | None:
        """The unarchived location whose online booking page is ``slug``, in any account."""
        t = tables.locations
        row = self.conn.execute(
            select(t).where(
                t.c.booking_slug == slug,
                t.c.online_booking.is_(True),
                t.c.archived_at.is_(None),
            )
        ).first()
        if row is None:
            return None
        return LocationRepository(self.conn, row.account_id).to_entity(row)

    def slug_taken(self, slug: str, except_location_id: int) -> bool:
        """Whether another location, of any account, uses ``slug`` already."""
        t = tables.locations
        found = self.conn.execute(
            select(t.c.id).where(t.c.booking_slug == slug, t.c.id != except_location_id)
        ).first()
        return found is not None

    # -- calendar feeds ---------------------------------------------------------------------
    def feed_by_hash(self, token_hash: str) -> FeedOwner | None:
        """The feed whose token hashes to ``token_hash``, in any account (the URL's routing)."""
        t = tables.calendar_feeds
        row = self.conn.execute(
            select(t.c.account_id, t.c.staff_id, t.c.token_hash).where(t.c.token_hash == token_hash)
        ).first()
        return None if row is None else FeedOwner(row.account_id, row.staff_id, row.token_hash)

    def replace_feed(self, staff_id: int, token_hash: str, at: datetime) -> None:
        """Give ``staff_id`` a feed with a new token; the previous token stops working."""
        self.remove_feed(staff_id)
        self.conn.execute(
            tables.calendar_feeds.insert().values(
                account_id=self.account_id, staff_id=staff_id, token_hash=token_hash, created_at=at
            )
        )

    def remove_feed(self, staff_id: int) -> bool:
        t = tables.calendar_feeds
        result = self.conn.execute(
            delete(t).where(t.c.account_id == self.account_id, t.c.staff_id == staff_id)
        )
        return bool(result.rowcount)

    def calendar(self, staff_id: int, start: datetime, end: datetime) -> list[CalendarItem]:
        """Holding blocks of ``staff_id`` that overlap ``start``..``end``, by start.

        Blocks cover what the staff member is busy with in every role (primary or additional
        staff of an appointment, a class session they teach, time off). Hold appointments kept
        for the waitlist are left out: they are not someone's appointment yet.
        """
        if not storable(staff_id):
            return []
        b = tables.blocks
        a = tables.appointments
        rows = self.conn.execute(
            select(
                b.c.appointment_id, b.c.time_off_id, b.c.class_session_id, b.c.start_at, b.c.end_at
            )
            .select_from(b.outerjoin(a, a.c.id == b.c.appointment_id))
            .where(
                b.c.account_id == self.account_id,
                b.c.subject_kind == "staff",
                b.c.subject_id == staff_id,
                b.c.holding.is_(True),
                b.c.end_at > start,
                b.c.start_at < end,
                (a.c.id.is_(None)) | (a.c.kind == "appointment"),
            )
            .order_by(b.c.start_at, b.c.id)
        )
        return [
            CalendarItem(r.appointment_id, r.time_off_id, r.class_session_id, r.start_at, r.end_at)
            for r in rows
        ]

    def change_counts(self, appointment_ids: Iterable[int]) -> Counter[int]:
        """How many times each appointment was changed after booking (its iCalendar SEQUENCE)."""
        ids = sorted(set(appointment_ids))
        if not ids:
            return Counter()
        h = tables.appointment_history
        rows = self.conn.execute(
            select(h.c.appointment_id, func.count())
            .where(
                h.c.account_id == self.account_id,
                h.c.appointment_id.in_(ids),
                h.c.action != "booked",
            )
            .group_by(h.c.appointment_id)
        )
        return Counter({r[0]: int(r[1]) for r in rows})

    def time_off_many(self, ids: Iterable[int]) -> dict[int, Any]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        t = tables.time_off
        rows = self.conn.execute(
            select(t).where(t.c.account_id == self.account_id, t.c.id.in_(wanted))
        )
        return {r.id: r for r in rows}

    # -- clients of the booking page --------------------------------------------------------
    def client_by_email(self, email: str) -> int | None:
        """The oldest unarchived client of the account with this e-mail (any letter case)."""
        t = tables.clients
        row = self.conn.execute(
            select(t.c.id)
            .where(
                t.c.account_id == self.account_id,
                func.lower(t.c.email) == email.lower(),
                t.c.archived_at.is_(None),
            )
            .order_by(t.c.id)
            .limit(1)
        ).first()
        return None if row is None else int(row.id)

    # -- the account's rules for clients ----------------------------------------------------
    def client_change_cutoff_hours(self, default: int) -> int:
        """Hours before the start after which a client may no longer cancel or move an
        appointment (the account settings' ``client_change_cutoff_hours``)."""
        row = self.conn.execute(
            select(tables.accounts.c.settings).where(tables.accounts.c.id == self.account_id)
        ).first()
        value = (row.settings or {}).get("client_change_cutoff_hours") if row else None
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 8760:
            return value
        return default
