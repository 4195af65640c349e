"""Waitlist entries: the list queries, the entries a freed time could go to, and hold upkeep."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update

from appointd.domain.model import Block
from appointd.domain.waitlist import EntryStatus, WaitlistEntry, parse_preferred_times
from appointd.store import tables
from appointd.store.repositories.base import Page, TableRepository, storable
from appointd.store.repositories.blocks import BlockRepository


@dataclass(slots=True)
class WaitlistFilter:
    """What ``GET /waitlist`` may filter on; ``None`` means "any"."""

    client_ids: Sequence[int] | None = None
    service_ids: Sequence[int] | None = None
    location_ids: Sequence[int] | None = None
    staff_ids: Sequence[int] | None = None
    statuses: Sequence[EntryStatus] | None = None
    limit: int = 50
    offset: int = 0


class WaitlistRepository(TableRepository[WaitlistEntry]):
    table = tables.waitlist_entries
    entity = WaitlistEntry

    def decode(self, kwargs: dict[str, Any]) -> WaitlistEntry:
        kwargs["status"] = EntryStatus(kwargs["status"])
        kwargs["preferred_times"] = parse_preferred_times(kwargs.get("preferred_times") or [])
        return WaitlistEntry(**kwargs)

    def encode(self, name: str, value: Any) -> Any:
        if name == "status":
            return value.value
        if name == "preferred_times":
            return [p.as_dict() for p in value]
        return value

    def many_for_update(self, ids: Sequence[int]) -> dict[int, WaitlistEntry]:
        """The entries with these ids, row-locked on PostgreSQL (in id order, so no deadlock)."""
        wanted = sorted(i for i in set(ids) if storable(i))
        if not wanted:
            return {}
        t = self.table
        query = self._scoped().where(t.c.id.in_(wanted)).order_by(t.c.id)
        if self.conn.dialect.name == "postgresql":
            query = query.with_for_update()
        return {e.id: e for e in map(self.to_entity, self.conn.execute(query))}

    def search(self, f: WaitlistFilter) -> Page[WaitlistEntry]:
        """Entries matching ``f``, oldest first."""
        t = self.table
        where: list[Any] = []
        for column, values in (
            (t.c.client_id, f.client_ids),
            (t.c.service_id, f.service_ids),
            (t.c.location_id, f.location_ids),
            (t.c.staff_id, f.staff_ids),
        ):
            if values is not None:
                where.append(column.in_(list(values)))
        if f.statuses is not None:
            where.append(t.c.status.in_([s.value for s in f.statuses]))
        return self.page(
            limit=f.limit, offset=f.offset, where=where, order_by=(t.c.created_at, t.c.id)
        )

    def open_for(
        self, service_id: int, location_id: int, staff_id: int | None, day: date
    ) -> list[WaitlistEntry]:
        """Waiting and invited entries that could want a time of this service, place, staff
        member and local date; preferred times and lapsed invitations are the caller's to judge.
        """
        t = self.table
        staff: ColumnElement[bool] = t.c.staff_id.is_(None)
        if staff_id is not None:
            staff = or_(staff, t.c.staff_id == staff_id)
        query = (
            self._scoped()
            .where(
                t.c.service_id == service_id,
                t.c.location_id == location_id,
                t.c.status.in_([EntryStatus.WAITING.value, EntryStatus.INVITED.value]),
                staff,
                or_(t.c.earliest.is_(None), t.c.earliest <= day),
                or_(t.c.latest.is_(None), t.c.latest >= day),
            )
            .order_by(t.c.created_at, t.c.id)
        )
        return [self.to_entity(r) for r in self.conn.execute(query)]

    def invited_to(self, hold_appointment_id: int) -> list[WaitlistEntry]:
        """The entries still invited to one hold."""
        t = self.table
        query = self._scoped().where(
            t.c.hold_appointment_id == hold_appointment_id,
            t.c.status == EntryStatus.INVITED.value,
        )
        return [self.to_entity(r) for r in self.conn.execute(query.order_by(t.c.id))]

    def keep_hold_blocks(self, appointment_id: int) -> None:
        """Make a claimed hold's blocks permanent: they no longer expire."""
        b = tables.blocks
        self.conn.execute(
            update(b)
            .where(b.c.account_id == self.account_id, b.c.appointment_id == appointment_id)
            .values(expires_at=None)
        )

    def holding_blocks_of(self, appointment_id: int) -> list[Block]:
        """The blocks an appointment holds now, to copy onto the hold that keeps its time."""
        b = tables.blocks
        query = select(b).where(
            b.c.account_id == self.account_id,
            b.c.appointment_id == appointment_id,
            b.c.holding.is_(True),
        )
        return [BlockRepository.entity(r) for r in self.conn.execute(query.order_by(b.c.id))]

    def release_invitations(self, hold_appointment_id: int, claimed_by: int, now: datetime) -> None:
        """Return the other invitees of a claimed hold to ``waiting``.

        They keep ``hold_appointment_id`` (the hold they were last invited to), so a late claim
        is told the hold was claimed.

        A guarded update rather than read-then-write: an invitee cancelled meanwhile stays
        cancelled (PostgreSQL re-checks the condition after waiting for the row lock).
        """
        t = self.table
        self.conn.execute(
            update(t)
            .where(
                t.c.account_id == self.account_id,
                t.c.hold_appointment_id == hold_appointment_id,
                t.c.status == EntryStatus.INVITED.value,
                t.c.id != claimed_by,
            )
            .values(status=EntryStatus.WAITING.value, updated_at=now)
        )
