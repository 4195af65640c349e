"""The outbox: facts written in the same transaction as the change they describe."""

from __future__ import annotations

import uuid
from datetime import datetime

from appointd.domain.model import Event
from appointd.store import tables
from appointd.store.repositories.base import Repository


class OutboxRepository(Repository):
    def add(self, event: Event, at: datetime) -> str:
        """Record ``event``; returns its event id, which receivers use to de-duplicate."""
        event_id = str(uuid.uuid4())
        self.conn.execute(
            tables.outbox.insert(),
            dict(
                account_id=self.account_id,
                event_id=event_id,
                type=event.type,
                payload=event.payload,
                created_at=at,
            ),
        )
        return event_id
