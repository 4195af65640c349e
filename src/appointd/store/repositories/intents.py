"""Appointment intents and the list query that hides used-up ones by default."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from sqlalchemy import not_, or_

from appointd.domain.intents import Intent
from appointd.store import tables
from appointd.store.repositories.base import Page, TableRepository

# "usable": active and not expired; "unusable": inactive or expired; "all": both.
Usability = Literal["usable", "unusable", "all"]


class IntentRepository(TableRepository[Intent]):
    table = tables.appointment_intents
    entity = Intent

    def search(
        self,
        *,
        client_id: int | None,
        usability: Usability,
        today: date,
        limit: int,
        offset: int,
    ) -> Page[Intent]:
        """Intents of ``client_id`` (any if ``None``), oldest first.

        An intent is expired when its expiration date is before ``today``.
        """
        t = self.table
        where: list[Any] = []
        if client_id is not None:
            where.append(t.c.client_id == client_id)
        usable = t.c.active.is_(True) & or_(
            t.c.expiration_date.is_(None), t.c.expiration_date >= today
        )
        if usability == "usable":
            where.append(usable)
        elif usability == "unusable":
            where.append(not_(usable))
        return self.page(limit=limit, offset=offset, where=where, order_by=(t.c.created_at, t.c.id))
