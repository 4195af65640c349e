"""Which reminders were sent for appointments: read from the dispatcher's deliveries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from appointd.store import tables
from appointd.store.repositories.base import Repository


class RemindersSentRepository(Repository):
    def channels(self, appointment_ids: Sequence[int]) -> dict[int, set[str]]:
        """The channels (``email``, ``sms``) of the reminders sent for each appointment, in one
        statement; appointments without a sent reminder are left out."""
        ids = sorted(set(appointment_ids))
        if not ids:
            return {}
        d = tables.deliveries
        rows = self.conn.execute(
            select(d.c.appointment_id, d.c.channel)
            .where(
                d.c.account_id == self.account_id,
                d.c.appointment_id.in_(ids),
                d.c.minutes_before.is_not(None),
                d.c.status == "sent",
            )
            .distinct()
        )
        out: dict[int, set[str]] = {}
        for r in rows:
            out.setdefault(r.appointment_id, set()).add(r.channel)
        return out
