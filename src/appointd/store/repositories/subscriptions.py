"""Subscriptions and their deliveries, as one account sees them (the API's side).

The dispatcher's own queries, which claim work across accounts, are in
:mod:`appointd.store.repositories.dispatch`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from appointd.store import tables
from appointd.store.repositories.base import Repository, storable
from appointd.worker.subscriptions import Subscription

_S = tables.subscriptions
_D = tables.deliveries
_A = tables.delivery_attempts


def to_subscription(row: Any) -> Subscription:
    m = row._mapping
    return Subscription(
        id=int(m["id"]),
        account_id=int(m["account_id"]),
        kind=m["kind"],
        url=m["url"],
        events=list(m["events"] or []),
        enabled=bool(m["enabled"]),
        description=m["description"],
        secret=m["secret"],
        config=dict(m["config"] or {}),
        disabled_reason=m["disabled_reason"],
        failing_since=m["failing_since"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
    )


@dataclass(frozen=True, slots=True)
class Attempt:
    at: datetime
    status_code: int | None
    error: str | None
    next_attempt_at: datetime | None


@dataclass(slots=True)
class Delivery:
    """A delivery or message row with its attempts (oldest first)."""

    id: int
    account_id: int
    channel: str
    subscription_id: int | None
    event_id: str | None
    type: str
    appointment_id: int | None
    recipient: str | None
    to_address: str | None
    minutes_before: int | None
    status: str
    reason: str | None
    subject: str | None
    body: str | None
    html: str | None
    due_at: datetime
    next_attempt_at: datetime | None
    attempt_count: int
    sent_at: datetime | None
    created_at: datetime
    attempts: list[Attempt] = field(default_factory=list)


_DELIVERY_FIELDS = (
    "id",
    "account_id",
    "channel",
    "subscription_id",
    "event_id",
    "type",
    "appointment_id",
    "recipient",
    "to_address",
    "minutes_before",
    "status",
    "reason",
    "subject",
    "body",
    "html",
    "due_at",
    "next_attempt_at",
    "attempt_count",
    "sent_at",
    "created_at",
)


def to_delivery(row: Any) -> Delivery:
    m = row._mapping
    return Delivery(**{f: m[f] for f in _DELIVERY_FIELDS})


class SubscriptionRepository(Repository):
    def add(self, values: dict[str, Any]) -> Subscription:
        row = {**values, "account_id": self.account_id}
        new_id = self.conn.execute(_S.insert().returning(_S.c.id), row).scalar_one()
        found = self.get(int(new_id))
        assert found is not None
        return found

    def get(self, subscription_id: int, kind: str | None = None) -> Subscription | None:
        if not storable(subscription_id):
            return None
        q = select(_S).where(
            _S.c.account_id == self.account_id,
            _S.c.id == subscription_id,
            _S.c.deleted_at.is_(None),
        )
        if kind is not None:
            q = q.where(_S.c.kind == kind)
        row = self.conn.execute(q).first()
        return None if row is None else to_subscription(row)

    def for_update(self, subscription_id: int, kind: str | None = None) -> Subscription | None:
        if not storable(subscription_id):
            return None
        q = select(_S).where(
            _S.c.account_id == self.account_id,
            _S.c.id == subscription_id,
            _S.c.deleted_at.is_(None),
        )
        if kind is not None:
            q = q.where(_S.c.kind == kind)
        row = self.conn.execute(q.with_for_update()).first()
        return None if row is None else to_subscription(row)

    def all(self, kind: str | None = None) -> list[Subscription]:
        q = select(_S).where(_S.c.account_id == self.account_id, _S.c.deleted_at.is_(None))
        if kind is not None:
            q = q.where(_S.c.kind == kind)
        return [to_subscription(r) for r in self.conn.execute(q.order_by(_S.c.id))]

    def update(self, subscription_id: int, values: dict[str, Any]) -> None:
        self.conn.execute(
            update(_S)
            .where(_S.c.account_id == self.account_id, _S.c.id == subscription_id)
            .values(**values)
        )

    # -- deliveries ------------------------------------------------------------------------
    def deliveries(
        self,
        *,
        subscription_id: int | None = None,
        channels: Sequence[str] | None = None,
        appointment_id: int | None = None,
        status: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[Delivery], int]:
        """One page of deliveries (newest first) with their attempts, in three statements."""
        cond: list[Any] = [_D.c.account_id == self.account_id]
        if subscription_id is not None:
            cond.append(_D.c.subscription_id == subscription_id)
        if channels is not None:
            cond.append(_D.c.channel.in_(list(channels)))
        if appointment_id is not None:
            cond.append(_D.c.appointment_id == appointment_id)
        if status is not None:
            cond.append(_D.c.status == status)
        total = int(
            self.conn.execute(select(func.count()).select_from(_D).where(*cond)).scalar_one()
        )
        rows = self.conn.execute(
            select(_D).where(*cond).order_by(_D.c.id.desc()).limit(limit).offset(offset)
        )
        items = [to_delivery(r) for r in rows]
        self._attach_attempts(items)
        return items, total

    def delivery(self, delivery_id: int, subscription_id: int | None = None) -> Delivery | None:
        if not storable(delivery_id):
            return None
        q = select(_D).where(_D.c.account_id == self.account_id, _D.c.id == delivery_id)
        if subscription_id is not None:
            q = q.where(_D.c.subscription_id == subscription_id)
        row = self.conn.execute(q).first()
        if row is None:
            return None
        item = to_delivery(row)
        self._attach_attempts([item])
        return item

    def _attach_attempts(self, items: list[Delivery]) -> None:
        if not items:
            return
        by_id = {d.id: d for d in items}
        rows = self.conn.execute(
            select(_A)
            .where(_A.c.account_id == self.account_id, _A.c.delivery_id.in_(list(by_id)))
            .order_by(_A.c.delivery_id, _A.c.id)
        )
        for r in rows:
            by_id[r.delivery_id].attempts.append(
                Attempt(r.at, r.status_code, r.error, r.next_attempt_at)
            )

    def send_again(self, delivery_id: int, now: datetime) -> None:
        """Make ``delivery_id`` due now, whatever its state (an explicit retry)."""
        self.conn.execute(
            update(_D)
            .where(_D.c.account_id == self.account_id, _D.c.id == delivery_id)
            .values(status="pending", next_attempt_at=now, lease_owner=None, lease_until=None)
        )
        if self.conn.dialect.name == "postgresql":
            self.conn.exec_driver_sql("SELECT pg_notify('appointd_outbox', '')")

    def reminders_sent(self, appointment_ids: Sequence[int]) -> dict[int, set[str]]:
        out: dict[int, set[str]] = {a: set() for a in appointment_ids}
        ids = [a for a in out if storable(a)]
        if not ids:
            return out
        rows = self.conn.execute(
            select(_D.c.appointment_id, _D.c.channel)
            .where(
                _D.c.account_id == self.account_id,
                _D.c.appointment_id.in_(ids),
                _D.c.type == "reminder",
                _D.c.status == "sent",
            )
            .distinct()
        )
        for appointment_id, channel in rows:
            out[int(appointment_id)].add(str(channel))
        return out
