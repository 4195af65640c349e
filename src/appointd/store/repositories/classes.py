"""Class sessions and their seat counts.

Seats are taken and given back with guarded updates: the ``WHERE`` clause carries the rule
(``seats_taken + n <= capacity``), so two concurrent bookings can never both take the last
seat - on PostgreSQL the second waits for the first's row lock and then re-checks the
condition, on SQLite writers run one at a time. The table's CHECK constraint backs this up.
A plain :meth:`update` never writes ``seats_taken``, so a stale copy cannot overwrite the count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from appointd.domain.classes import ClassSession, SessionStatus
from appointd.domain.model import Appointment
from appointd.domain.status import Status
from appointd.store import change_feed, tables
from appointd.store.repositories.appointments import AppointmentRepository
from appointd.store.repositories.base import Page, TableRepository
from appointd.store.repositories.conditions import Condition, clauses, ordering


@dataclass(slots=True)
class SessionFilter:
    """What ``GET /class-sessions`` filters on; ``None`` means "any"."""

    service_id: int | None = None
    staff_id: int | None = None
    location_id: int | None = None
    start: datetime | None = None  # overlap window
    end: datetime | None = None
    include_archived: bool = False
    limit: int = 50
    offset: int = 0
    # General comparisons and ordering on SESSION_FIELDS (``order`` replaces the start order).
    conditions: Sequence[Condition] = ()
    order: Sequence[tuple[str, bool]] = ()
    # Only sessions where one of these clients holds a seat.
    seat_client_ids: Sequence[int] | None = None


SESSION_FIELDS = frozenset(
    {
        "id",
        "service_id",
        "staff_id",
        "location_id",
        "start",
        "end",
        "capacity",
        "status",
        "created_at",
        "updated_at",
        "archived_at",
    }
)

HOLDING = [s.value for s in Status if s.holding]


class ClassSessionRepository(TableRepository[ClassSession]):
    table = tables.class_sessions
    entity = ClassSession
    renames = {"start": "start_at", "end": "end_at"}

    def decode(self, kwargs: dict[str, Any]) -> ClassSession:
        kwargs["status"] = SessionStatus(kwargs["status"])
        return ClassSession(**kwargs)

    def encode(self, name: str, value: Any) -> Any:
        return value.value if name == "status" else value

    def to_row(self, entity: ClassSession) -> dict[str, Any]:
        row = super().to_row(entity)
        row.pop("seats_taken", None)  # only the guarded updates below change it
        return row

    def search(self, f: SessionFilter) -> Page[ClassSession]:
        t = self.table
        where: list[Any] = []
        for column, value in (
            (t.c.service_id, f.service_id),
            (t.c.staff_id, f.staff_id),
            (t.c.location_id, f.location_id),
        ):
            if value is not None:
                where.append(column == value)
        if f.start is not None:
            where.append(t.c.end_at > f.start)
        if f.end is not None:
            where.append(t.c.start_at < f.end)
        if f.seat_client_ids is not None:
            a = tables.appointments
            where.append(
                t.c.id.in_(
                    select(a.c.class_session_id).where(
                        a.c.account_id == self.account_id,
                        a.c.client_id.in_(list(f.seat_client_ids)),
                        a.c.status.in_(HOLDING),
                        a.c.archived_at.is_(None),
                    )
                )
            )
        where.extend(clauses(t, self.renames, SESSION_FIELDS, f.conditions))
        order = (
            ordering(t, self.renames, SESSION_FIELDS, f.order)
            if f.order
            else (t.c.start_at, t.c.id)
        )
        return self.page(
            include_archived=f.include_archived,
            limit=f.limit,
            offset=f.offset,
            where=where,
            order_by=order,
        )

    # -- seats -----------------------------------------------------------------------------
    def take_seats(self, session_id: int, seats: int) -> bool:
        """Take ``seats`` if that many are left; ``False`` (nothing changed) otherwise."""
        t = self.table
        result = self.conn.execute(
            update(t)
            .where(
                t.c.id == session_id,
                t.c.account_id == self.account_id,
                t.c.seats_taken + seats <= t.c.capacity,
            )
            .values(seats_taken=t.c.seats_taken + seats)
        )
        return result.rowcount == 1

    def release_seats(self, session_id: int, seats: int) -> bool:
        """Give ``seats`` back; guarded so the count never goes below zero."""
        t = self.table
        result = self.conn.execute(
            update(t)
            .where(
                t.c.id == session_id,
                t.c.account_id == self.account_id,
                t.c.seats_taken - seats >= 0,
            )
            .values(seats_taken=t.c.seats_taken - seats)
        )
        return result.rowcount == 1

    def set_capacity(self, session_id: int, capacity: int) -> bool:
        """Change the capacity unless it would fall below the seats taken at this instant."""
        t = self.table
        result = self.conn.execute(
            update(t)
            .where(
                t.c.id == session_id,
                t.c.account_id == self.account_id,
                t.c.seats_taken <= capacity,
            )
            .values(capacity=capacity)
        )
        return result.rowcount == 1

    # -- the seat appointments ------------------------------------------------------------
    def seats(self, session_id: int, *, holding_only: bool = False) -> list[Appointment]:
        """The session's seat appointments (archived ones left out), oldest first."""
        a = tables.appointments
        query = select(a).where(
            a.c.account_id == self.account_id,
            a.c.class_session_id == session_id,
            a.c.archived_at.is_(None),
            a.c.deleted_at.is_(None),
        )
        if holding_only:
            query = query.where(a.c.status.in_(HOLDING))
        if self.conn.dialect.name == "postgresql":
            query = query.with_for_update()
        rows = self.conn.execute(query.order_by(a.c.created_at, a.c.id))
        repo = AppointmentRepository(self.conn, self.account_id)
        return [repo.to_entity(r) for r in rows]

    def move_seats(self, appointment_ids: Sequence[int], session: ClassSession) -> None:
        """Copy the session's staff, location and times onto its seat appointments."""
        if not appointment_ids:
            return
        a = tables.appointments
        self.conn.execute(
            update(a)
            .where(a.c.account_id == self.account_id, a.c.id.in_(list(appointment_ids)))
            .values(
                staff_id=session.staff_id,
                location_id=session.location_id,
                start_at=session.start,
                end_at=session.end,
                busy_start_at=session.start,
                busy_end_at=session.end,
                updated_at=session.updated_at,
            )
        )
        change_feed.note_ids(self.conn, appointment_ids)
