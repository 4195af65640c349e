"""Stored answers of requests sent with an ``Idempotency-Key`` (see
:mod:`appointd.faces.shared.idempotency`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from appointd.store import tables
from appointd.store.repositories.base import Repository

COMPLETED = "completed"


@dataclass(frozen=True)
class StoredRequest:
    """The row of a key: what it was first used for and, once completed, its answer."""

    method: str
    path: str
    fingerprint: str
    state: str
    status: int | None
    headers: dict[str, str]
    body: bytes | None
    created_at: datetime


class IdempotencyRepository(Repository):
    def claim(
        self, key: str, method: str, path: str, fingerprint: str, now: datetime, expired: datetime
    ) -> StoredRequest | None:
        """Reserve ``key`` for this request; ``None`` when it is ours now.

        Otherwise the request the key was first used for (with its stored answer). On
        PostgreSQL a key another transaction has reserved and not committed yet makes this wait
        until that transaction ends. A row created before ``expired`` is forgotten and replaced.
        """
        t = tables.idempotency_keys
        row = {
            "account_id": self.account_id,
            "key": key,
            "method": method,
            "path": path,
            "fingerprint": fingerprint,
            "state": "in_progress",
            "headers": {},
            "created_at": now,
        }
        dialect = postgresql if self.conn.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(t).values(row).on_conflict_do_nothing().returning(t.c.key)
        if self.conn.execute(insert).first() is not None:
            return None
        found = self.conn.execute(
            select(t).where(t.c.account_id == self.account_id, t.c.key == key)
        ).one()
        if found.created_at < expired:
            self.conn.execute(delete(t).where(t.c.account_id == self.account_id, t.c.key == key))
            self.conn.execute(t.insert().values(row))
            return None
        return StoredRequest(
            method=found.method,
            path=found.path,
            fingerprint=found.fingerprint,
            state=found.state,
            status=found.status,
            headers=dict(found.headers or {}),
            body=found.body,
            created_at=found.created_at,
        )

    def complete(
        self, key: str, status: int, headers: dict[str, str], body: bytes, now: datetime
    ) -> None:
        """Store the answer of ``key``'s request (in the transaction of its effects)."""
        t = tables.idempotency_keys
        values: dict[str, Any] = {
            "state": COMPLETED,
            "status": status,
            "headers": headers,
            "body": body,
            "completed_at": now,
        }
        self.conn.execute(
            update(t).where(t.c.account_id == self.account_id, t.c.key == key).values(values)
        )


def purge(conn: Connection, before: datetime) -> int:
    """Forget every key (of every account) created before ``before``; how many were."""
    t = tables.idempotency_keys
    return int(conn.execute(delete(t).where(t.c.created_at < before)).rowcount)
