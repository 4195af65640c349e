"""Account-defined custom statuses and form fields (migration 0002)."""

from __future__ import annotations

from typing import Any

from appointd.domain.model import CustomStatus, FieldType, FormField
from appointd.domain.status import Status
from appointd.store import tables
from appointd.store.repositories.base import TableRepository


class CustomStatusRepository(TableRepository[CustomStatus]):
    table = tables.custom_statuses
    entity = CustomStatus

    def decode(self, kwargs: dict[str, Any]) -> CustomStatus:
        kwargs["base_status"] = Status(kwargs["base_status"])
        return CustomStatus(**kwargs)

    def encode(self, name: str, value: Any) -> Any:
        return value.value if name == "base_status" else value


class FormFieldRepository(TableRepository[FormField]):
    table = tables.form_fields
    entity = FormField

    def decode(self, kwargs: dict[str, Any]) -> FormField:
        kwargs["type"] = FieldType(kwargs["type"])
        kwargs["options"] = list(kwargs.get("options") or [])
        kwargs["service_ids"] = list(kwargs.get("service_ids") or [])
        return FormField(**kwargs)

    def encode(self, name: str, value: Any) -> Any:
        return value.value if name == "type" else value

    def active(self) -> list[FormField]:
        """Every field not archived, in display order (position, then id)."""
        t = self.table
        rows = self.conn.execute(
            self._scoped().where(t.c.archived_at.is_(None)).order_by(t.c.position, t.c.id)
        )
        return [self.to_entity(r) for r in rows]
