"""Writes of many appointments in a constant number of statements.

A recurring series books, moves or cancels up to hundreds of appointments in one transaction;
a cancelled class session cancels all its seats. Writing them one row at a time would make the
number of SQL statements grow with the series, so these writes use one multi-row statement per
table (``INSERT ... RETURNING`` in parameter order, executemany ``UPDATE``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, update

from appointd.domain.model import Appointment, Event, HistoryEntry
from appointd.store import change_feed, tables
from appointd.store.repositories.appointments import AppointmentRepository
from appointd.store.repositories.base import Repository


class BulkRepository(Repository):
    def _appointments(self) -> AppointmentRepository:
        return AppointmentRepository(self.conn, self.account_id)

    def add_appointments(self, appts: Sequence[Appointment]) -> None:
        """Insert the occurrences ``appts`` of one series and set their ids.

        Their ``series_index`` values must be distinct: the returned rows are matched to the
        appointments by it. (Asking the driver for rows in parameter order instead makes
        SQLAlchemy fall back to one INSERT per row on SQLite.)
        """
        if not appts:
            return
        by_index = {a.series_index: a for a in appts}
        if len(by_index) != len(appts):
            raise ValueError("add_appointments needs distinct series_index values")
        t = tables.appointments
        repo = self._appointments()
        result = self.conn.execute(
            insert(t).returning(t.c.id, t.c.series_index), [repo.to_row(a) for a in appts]
        )
        for row in result:
            by_index[row.series_index].id = int(row.id)
        self._write_resources(appts)
        change_feed.note(self.conn, appts)

    def update_appointments(self, appts: Sequence[Appointment]) -> None:
        """Write every column of ``appts`` (and their resources) back, one executemany."""
        if not appts:
            return
        t = tables.appointments
        repo = self._appointments()
        rows = [repo.to_row(a) for a in appts]
        columns = sorted(rows[0].keys() - {"account_id"})
        statement = (
            update(t)
            .where(t.c.account_id == bindparam("b_account_id"), t.c.id == bindparam("b_id"))
            .values({c: bindparam(f"b_{c}") for c in columns})
        )
        self.conn.execute(
            statement,
            [
                {"b_id": a.id, "b_account_id": self.account_id, **{f"b_{c}": r[c] for c in columns}}
                for a, r in zip(appts, rows, strict=True)
            ],
        )
        ar = tables.appointment_resources
        self.conn.execute(
            delete(ar).where(
                ar.c.account_id == self.account_id, ar.c.appointment_id.in_([a.id for a in appts])
            )
        )
        self._write_resources(appts)
        change_feed.note(self.conn, appts)

    def _write_resources(self, appts: Sequence[Appointment]) -> None:
        rows = [
            {"appointment_id": a.id, "resource_id": r, "account_id": self.account_id}
            for a in appts
            for r in sorted(set(a.resource_ids))
        ]
        if rows:
            self.conn.execute(tables.appointment_resources.insert(), rows)

    def delete_blocks(self, appointment_ids: Sequence[int]) -> None:
        """Remove the blocks of ``appointment_ids`` (they are about to be replaced)."""
        if not appointment_ids:
            return
        t = tables.blocks
        self.conn.execute(
            delete(t).where(
                t.c.account_id == self.account_id, t.c.appointment_id.in_(list(appointment_ids))
            )
        )

    def record_history(self, entries: Sequence[HistoryEntry]) -> None:
        if not entries:
            return
        self.conn.execute(
            tables.appointment_history.insert(),
            [
                {
                    "account_id": self.account_id,
                    "appointment_id": e.appointment_id,
                    "at": e.at,
                    "action": e.action,
                    "actor": e.actor,
                    "source": e.source,
                    "from_status": e.from_status,
                    "to_status": e.to_status,
                    "reason": e.reason,
                    "changes": e.changes,
                }
                for e in entries
            ],
        )

    def record_events(self, events: Sequence[Event], at: datetime) -> list[str]:
        """Outbox rows for ``events`` (see :class:`OutboxRepository`); returns their event ids."""
        if not events:
            return []
        rows: list[dict[str, Any]] = [
            {
                "account_id": self.account_id,
                "event_id": str(uuid.uuid4()),
                "type": e.type,
                "payload": e.payload,
                "created_at": at,
            }
            for e in events
        ]
        self.conn.execute(tables.outbox.insert(), rows)
        return [r["event_id"] for r in rows]
