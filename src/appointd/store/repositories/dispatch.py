"""The dispatcher's queries: claiming outbox events and due deliveries across accounts.

Claims on PostgreSQL use ``FOR UPDATE SKIP LOCKED`` so any number of dispatchers share the
work without waiting on each other. An outbox event is fanned out into deliveries in the one
transaction that claims it (a dispatcher that dies mid-way leaves it unclaimed). A delivery is
claimed with a lease (``lease_owner``, ``lease_until``) that its dispatcher renews while it
works; a dead dispatcher's lease runs out and the delivery is claimed again. Each row read
here still carries its ``account_id``; every per-account load filters on it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, insert, or_, select, text, update

from appointd.domain.model import Appointment
from appointd.store import tables
from appointd.store.repositories.appointments import AppointmentRepository
from appointd.store.repositories.subscriptions import to_subscription
from appointd.worker.subscriptions import OutgoingEvent, Subscription

_O = tables.outbox
_D = tables.deliveries
_A = tables.delivery_attempts
_S = tables.subscriptions
_L = tables.dispatcher_leases

_EMPTY_DELIVERY: dict[str, Any] = {c.name: None for c in _D.c}
_FINISH_COLUMNS = (
    "status",
    "reason",
    "subject",
    "body",
    "html",
    "to_address",
    "next_attempt_at",
    "attempt_count",
    "sent_at",
)

# PostgreSQL: ids for a batch of deliveries, then the batch as one JSON document. The table's
# own row type converts each field (a column missing from the document is NULL).
_PG_DELIVERY_IDS = text(
    "SELECT nextval(pg_get_serial_sequence('deliveries', 'id')) FROM generate_series(1, :n)"
)
_PG_ADD_DELIVERIES = text(
    "INSERT INTO deliveries "
    "SELECT * FROM jsonb_populate_recordset(NULL::deliveries, CAST(:rows AS jsonb))"
)
_SET_FINISHED = ", ".join(f"{c} = r.{c}" for c in _FINISH_COLUMNS)
_PG_FINISH = text(
    f"""
WITH r AS (
    SELECT * FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
        id bigint, account_id bigint, status text, reason text, subject text, body text,
        html text, to_address text, next_attempt_at timestamptz, attempt_count integer,
        sent_at timestamptz, attempted_at timestamptz, status_code integer, error text)
), finished AS (
    UPDATE deliveries AS d SET {_SET_FINISHED}, lease_owner = NULL, lease_until = NULL
    FROM r WHERE d.id = r.id AND d.lease_owner = :owner
)
INSERT INTO delivery_attempts (account_id, delivery_id, at, status_code, error, next_attempt_at)
SELECT account_id, id, attempted_at, status_code, error, next_attempt_at
FROM r WHERE attempted_at IS NOT NULL
"""
)


def _json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, default=_iso, separators=(",", ":"))


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


class DispatchStore:
    """Queries of one dispatcher transaction; ``account_ids`` limits it to some accounts."""

    def __init__(self, conn: Connection, account_ids: Sequence[int] | None = None) -> None:
        self.conn = conn
        self.account_ids = list(account_ids) if account_ids is not None else None
        self.postgres = conn.dialect.name == "postgresql"

    def _scope(self, column: Any) -> list[Any]:
        return [] if self.account_ids is None else [column.in_(self.account_ids)]

    # -- outbox ----------------------------------------------------------------------------
    def claim_events(self, limit: int, now: datetime) -> list[tuple[int, OutgoingEvent]]:
        """Up to ``limit`` undispatched events, oldest first, marked dispatched at ``now``.

        The mark belongs to the caller's transaction, which writes their deliveries too: if it
        does not commit, the events are undispatched again. Until it ends they are locked
        (skipped by other dispatchers)."""
        inner = (
            select(_O.c.id)
            .where(_O.c.dispatched_at.is_(None), *self._scope(_O.c.account_id))
            .order_by(_O.c.dispatched_at, _O.c.id)
            .limit(limit)
        )
        if self.postgres:
            inner = inner.with_for_update(skip_locked=True)
        stmt = (
            update(_O)
            .where(_O.c.id.in_(inner.scalar_subquery()))
            .values(dispatched_at=now)
            .returning(
                _O.c.id, _O.c.account_id, _O.c.event_id, _O.c.type, _O.c.payload, _O.c.created_at
            )
        )
        rows = sorted(self.conn.execute(stmt), key=lambda r: int(r.id))  # RETURNING is unordered
        return [
            (
                int(r.id),
                OutgoingEvent(r.event_id, r.type, int(r.account_id), r.created_at, r.payload or {}),
            )
            for r in rows
        ]

    def subscriptions(self, account_ids: Iterable[int]) -> list[Subscription]:
        rows = self.conn.execute(
            select(_S).where(
                _S.c.account_id.in_(sorted(set(account_ids))),
                _S.c.enabled.is_(True),
                _S.c.deleted_at.is_(None),
            )
        )
        return [to_subscription(r) for r in rows]

    def subscriptions_by_id(self, ids: Iterable[int]) -> dict[int, Subscription]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        rows = self.conn.execute(select(_S).where(_S.c.id.in_(wanted), _S.c.deleted_at.is_(None)))
        return {int(r.id): to_subscription(r) for r in rows}

    def account_names(self, account_ids: Iterable[int]) -> dict[int, str]:
        t = tables.accounts
        ids = sorted(set(account_ids))
        if not ids:
            return {}
        rows = self.conn.execute(select(t.c.id, t.c.name).where(t.c.id.in_(ids)))
        return {int(r.id): str(r.name) for r in rows}

    def account_settings(self, account_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        t = tables.accounts
        ids = sorted(set(account_ids))
        if not ids:
            return {}
        rows = self.conn.execute(select(t.c.id, t.c.settings).where(t.c.id.in_(ids)))
        return {int(r.id): dict(r.settings or {}) for r in rows}

    def appointments(self, keys: Iterable[tuple[int, int]]) -> dict[int, Appointment]:
        """The current rows of ``(account_id, appointment_id)`` pairs, by appointment id."""
        pairs = set(keys)
        if not pairs:
            return {}
        t = tables.appointments
        rows = self.conn.execute(
            select(t).where(
                t.c.id.in_(sorted({a for _, a in pairs})),
                t.c.account_id.in_(sorted({acc for acc, _ in pairs})),
            )
        )
        out: dict[int, Appointment] = {}
        for r in rows:
            if (int(r.account_id), int(r.id)) in pairs:
                out[int(r.id)] = AppointmentRepository(self.conn, int(r.account_id)).to_entity(r)
        return out

    def people(self, table: Any, keys: Iterable[tuple[int, int]]) -> dict[int, dict[str, Any]]:
        """Rows of ``tables.clients`` or ``tables.staff`` for ``(account_id, id)`` pairs."""
        pairs = set(keys)
        if not pairs:
            return {}
        rows = self.conn.execute(
            select(table).where(
                table.c.id.in_(sorted({i for _, i in pairs})),
                table.c.account_id.in_(sorted({a for a, _ in pairs})),
            )
        )
        return {
            int(r.id): dict(r._mapping) for r in rows if (int(r.account_id), int(r.id)) in pairs
        }

    def by_id(self, table: Any, keys: Iterable[tuple[int, int]]) -> dict[int, dict[str, Any]]:
        return self.people(table, keys)

    def history_counts(self, appointment_ids: Iterable[int]) -> dict[int, int]:
        ids = sorted(set(appointment_ids))
        if not ids:
            return {}
        h = tables.appointment_history
        rows = self.conn.execute(
            select(h.c.appointment_id, func.count())
            .where(h.c.appointment_id.in_(ids))
            .group_by(h.c.appointment_id)
        )
        return {int(a): int(n) for a, n in rows}

    # -- reminders -------------------------------------------------------------------------
    def pending_reminders(self, appointment_ids: Iterable[int]) -> list[dict[str, Any]]:
        ids = sorted(set(appointment_ids))
        if not ids:
            return []
        rows = self.conn.execute(
            select(
                _D.c.id,
                _D.c.appointment_id,
                _D.c.channel,
                _D.c.recipient,
                _D.c.minutes_before,
                _D.c.due_at,
                _D.c.status,
            ).where(_D.c.appointment_id.in_(ids), _D.c.type == "reminder")
        )
        return [dict(r._mapping) for r in rows]

    def delete_deliveries(self, ids: Sequence[int]) -> None:
        if ids:
            self.conn.execute(_D.delete().where(_D.c.id.in_(list(ids)), _D.c.status == "pending"))

    def withdraw(self, ids: Sequence[int], reason: str) -> None:
        if ids:
            self.conn.execute(
                update(_D)
                .where(_D.c.id.in_(list(ids)), _D.c.status == "pending")
                .values(
                    status="not_sent",
                    reason=reason,
                    next_attempt_at=None,
                    lease_owner=None,
                    lease_until=None,
                )
            )

    def add_deliveries(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Insert ``rows``; returns them as written (ids included, every column present).

        On PostgreSQL the ids are drawn from the sequence first and the rows go as one JSON
        parameter (``jsonb_populate_recordset``): a multi-row ``VALUES`` of thousands of
        parameters cost psycopg a fresh parse of the statement's text on every batch, the
        largest part of a dispatcher's CPU."""
        if not rows:
            return []
        if not self.postgres:
            written = self.conn.execute(insert(_D).returning(*_D.c), rows)
            return [dict(r._mapping) for r in written]
        ids = self.conn.execute(_PG_DELIVERY_IDS, {"n": len(rows)}).scalars().all()
        out = [{**_EMPTY_DELIVERY, **row, "id": int(i)} for row, i in zip(rows, ids, strict=True)]
        self.conn.execute(_PG_ADD_DELIVERIES, {"rows": _json(out)})
        return out

    # -- deliveries ------------------------------------------------------------------------
    def claim_deliveries(
        self,
        owner: str,
        now: datetime,
        lease_until: datetime,
        limit: int,
        skip_subscriptions: Sequence[int] = (),
    ) -> list[dict[str, Any]]:
        """Lease up to ``limit`` due deliveries (none of ``skip_subscriptions``) to ``owner``."""
        cond: list[Any] = [
            _D.c.next_attempt_at <= now,
            or_(_D.c.lease_until.is_(None), _D.c.lease_until < now),
            *self._scope(_D.c.account_id),
        ]
        if skip_subscriptions:
            cond.append(
                or_(
                    _D.c.subscription_id.is_(None),
                    _D.c.subscription_id.not_in(list(skip_subscriptions)),
                )
            )
        inner = select(_D.c.id).where(*cond).order_by(_D.c.next_attempt_at).limit(limit)
        if self.postgres:
            inner = inner.with_for_update(skip_locked=True)
        stmt = (
            update(_D)
            .where(_D.c.id.in_(inner.scalar_subquery()))
            .values(lease_owner=owner, lease_until=lease_until)
            .returning(*_D.c)
        )
        return [dict(r._mapping) for r in self.conn.execute(stmt)]

    def renew(self, owner: str, ids: Sequence[int], lease_until: datetime) -> None:
        if ids:
            self.conn.execute(
                update(_D)
                .where(_D.c.id.in_(list(ids)), _D.c.lease_owner == owner)
                .values(lease_until=lease_until)
            )

    def finish(self, owner: str, results: list[dict[str, Any]]) -> None:
        """Write the outcome of attempts: one row per delivery with every column to set, and
        an attempt record when ``attempted_at`` is set (a message kept ``not_sent`` made no
        attempt). A delivery whose lease ``owner`` lost keeps its row; its attempt is recorded.

        On PostgreSQL this is one statement with one JSON parameter, whatever the batch."""
        if not results:
            return
        if self.postgres:
            rows = [
                {
                    "id": r["id"],
                    "account_id": r["account_id"],
                    **{c: r[c] for c in _FINISH_COLUMNS},
                    "attempted_at": r.get("attempted_at"),
                    "status_code": r.get("status_code"),
                    "error": r.get("error"),
                }
                for r in results
            ]
            self.conn.execute(_PG_FINISH, {"owner": owner, "rows": _json(rows)})
            return
        self.conn.execute(
            update(_D)
            .where(_D.c.id == bindparam("b_id"), _D.c.lease_owner == bindparam("b_owner"))
            .values(
                {
                    **{c: bindparam(f"b_{c}") for c in _FINISH_COLUMNS},
                    "lease_owner": None,
                    "lease_until": None,
                }
            ),
            [
                {"b_id": r["id"], "b_owner": owner, **{f"b_{c}": r[c] for c in _FINISH_COLUMNS}}
                for r in results
            ],
        )
        attempts = [
            {
                "account_id": r["account_id"],
                "delivery_id": r["id"],
                "at": r["attempted_at"],
                "status_code": r.get("status_code"),
                "error": r.get("error"),
                "next_attempt_at": r["next_attempt_at"],
            }
            for r in results
            if r.get("attempted_at") is not None
        ]
        if attempts:
            self.conn.execute(insert(_A), attempts)

    def endpoint_health(
        self,
        succeeded: Iterable[int],
        failed: Iterable[int],
        now: datetime,
        disable_before: datetime,
    ) -> list[int]:
        """Record that endpoints answered or failed; disable those failing since before
        ``disable_before``. Returns the ids disabled now."""
        ok = sorted(set(succeeded))
        bad = sorted(set(failed) - set(ok))
        if ok:
            self.conn.execute(
                update(_S)
                .where(_S.c.id.in_(ok), _S.c.failing_since.is_not(None))
                .values(failing_since=None)
            )
        if not bad:
            return []
        self.conn.execute(
            update(_S)
            .where(_S.c.id.in_(bad), _S.c.failing_since.is_(None))
            .values(failing_since=now)
        )
        doomed = [
            int(i)
            for i in self.conn.execute(
                select(_S.c.id).where(
                    _S.c.id.in_(bad), _S.c.enabled.is_(True), _S.c.failing_since <= disable_before
                )
            ).scalars()
        ]
        if doomed:
            self.conn.execute(
                update(_S)
                .where(_S.c.id.in_(doomed))
                .values(
                    enabled=False,
                    updated_at=now,
                    disabled_reason=(
                        "disabled automatically: every delivery failed for 5 days "
                        f"(until {now.isoformat()})"
                    ),
                )
            )
        return doomed

    def next_due(self) -> datetime | None:
        """When the earliest waiting delivery is due (to sleep until then)."""
        q = select(func.min(_D.c.next_attempt_at)).where(
            _D.c.next_attempt_at.is_not(None), *self._scope(_D.c.account_id)
        )
        value = self.conn.execute(q).scalar_one_or_none()
        if value is not None and value.tzinfo is None:  # SQLite's aggregate skips the type
            from datetime import UTC

            value = value.replace(tzinfo=UTC)
        return value

    def has_undispatched(self) -> bool:
        q = select(_O.c.id).where(_O.c.dispatched_at.is_(None), *self._scope(_O.c.account_id))
        return self.conn.execute(q.limit(1)).first() is not None

    # -- the SQLite lease ------------------------------------------------------------------
    def take_lease(self, name: str, owner: str, now: datetime, until: datetime) -> bool:
        """Hold lease ``name`` until ``until`` if it is free, expired or already ours."""
        taken = self.conn.execute(
            update(_L)
            .where(_L.c.name == name, or_(_L.c.owner == owner, _L.c.until < now))
            .values(owner=owner, until=until)
        ).rowcount
        if taken:
            return True
        exists = self.conn.execute(select(_L.c.name).where(_L.c.name == name)).first()
        if exists is not None:
            return False
        self.conn.execute(insert(_L).values(name=name, owner=owner, until=until))
        return True

    def release_lease(self, name: str, owner: str) -> None:
        self.conn.execute(_L.delete().where(and_(_L.c.name == name, _L.c.owner == owner)))
