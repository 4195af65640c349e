"""Recurring series and the appointments that are their occurrences."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from appointd.domain.model import Appointment
from appointd.domain.recurrence import Series
from appointd.store import tables
from appointd.store.repositories.appointments import AppointmentRepository
from appointd.store.repositories.base import TableRepository


class SeriesRepository(TableRepository[Series]):
    table = tables.series
    entity = Series

    def decode(self, kwargs: dict[str, Any]) -> Series:
        kwargs["template"] = dict(kwargs.get("template") or {})
        return Series(**kwargs)

    def occurrences(
        self, series_id: int, *, include_archived: bool = True, lock: bool = False
    ) -> list[Appointment]:
        """The series' appointments in rule order; ``lock`` row-locks them on PostgreSQL."""
        a = tables.appointments
        query = select(a).where(a.c.account_id == self.account_id, a.c.series_id == series_id)
        if not include_archived:
            query = query.where(a.c.archived_at.is_(None), a.c.deleted_at.is_(None))
        if lock and self.conn.dialect.name == "postgresql":
            query = query.with_for_update()
        repo = AppointmentRepository(self.conn, self.account_id)
        rows = self.conn.execute(query.order_by(a.c.series_index, a.c.start_at, a.c.id))
        return [repo.to_entity(r) for r in rows]
