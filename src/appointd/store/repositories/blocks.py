"""Busy spans of staff and resources: the rows the no-overlap guarantee is about."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, or_, select, text, update

from appointd.domain.model import Block
from appointd.store import tables
from appointd.store.engine import subject_lock_key
from appointd.store.repositories.base import Repository, one_of

Subject = tuple[str, int]


@functools.cache
def _holding_query(
    dialect: str, kinds: tuple[str, ...], exclude_appointment: bool, exclude_class_session: bool
) -> Any:
    """The statement of :meth:`BlockRepository.holding_in`, built once per shape.

    Booking runs it on every request; composing it anew each time cost more than running it.
    """
    t = tables.blocks
    query = select(t).where(
        t.c.account_id == bindparam("account_id"),
        or_(
            *(
                (t.c.subject_kind == kind) & one_of(t.c.subject_id, f"{kind}_ids", dialect)
                for kind in kinds
            )
        ),
        t.c.holding.is_(True),
        t.c.end_at > bindparam("start"),
        t.c.start_at < bindparam("end"),
    )
    if exclude_appointment:
        query = query.where(
            or_(
                t.c.appointment_id.is_(None),
                t.c.appointment_id != bindparam("exclude_appointment_id"),
            )
        )
    if exclude_class_session:
        query = query.where(
            or_(
                t.c.class_session_id.is_(None),
                t.c.class_session_id != bindparam("exclude_class_session_id"),
            )
        )
    return query.order_by(t.c.start_at)


# The subquery's ORDER BY fixes the order the locks are taken in: two writers of the same
# subjects always queue on the same first lock, so neither holds one the other waits for.
_LOCK_SUBJECTS = text(
    "SELECT count(pg_advisory_xact_lock(k)) FROM "
    "(SELECT k FROM unnest(CAST(:keys AS bigint[])) AS u(k) ORDER BY k) AS ordered"
)


class BlockRepository(Repository):
    def add(self, blocks: Sequence[Block]) -> None:
        """Insert ``blocks``; on PostgreSQL after locking their subjects in key order (see
        :func:`~appointd.store.engine.subject_lock_key`)."""
        if not blocks:
            return
        if self.conn.dialect.name == "postgresql":
            self.lock_subjects([(b.subject_kind, b.subject_id) for b in blocks if b.holding])
        self.conn.execute(tables.blocks.insert(), [self._row(b) for b in blocks])

    def lock_subjects(self, subjects: Iterable[Subject]) -> None:
        """Take the advisory locks of ``subjects`` in ascending key order, until the
        transaction ends (PostgreSQL only; SQLite's writers are serialised anyway)."""
        keys = sorted({subject_lock_key(kind, sid) for kind, sid in subjects})
        if keys:
            self.conn.execute(_LOCK_SUBJECTS, {"keys": keys})

    def _row(self, b: Block) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "subject_kind": b.subject_kind,
            "subject_id": b.subject_id,
            "start_at": b.start,
            "end_at": b.end,
            "holding": b.holding,
            "exclusive": b.exclusive,
            "role": b.role,
            "appointment_id": b.appointment_id,
            "time_off_id": b.time_off_id,
            "class_session_id": b.class_session_id,
            "expires_at": b.expires_at,
        }

    def holding_in(
        self,
        subjects: Iterable[Subject],
        start: datetime,
        end: datetime,
        *,
        exclude_appointment_id: int | None = None,
        exclude_class_session_id: int | None = None,
    ) -> list[Block]:
        """Holding blocks of ``subjects`` that overlap ``[start, end)``, expired holds included.

        Callers treat expired holds as free (see :func:`appointd.domain.booking.split_expired`)
        and release them before writing over them, so the database agrees.
        """
        by_kind: dict[str, list[int]] = {}
        for kind, sid in subjects:
            by_kind.setdefault(kind, []).append(sid)
        if not by_kind:
            return []
        query = _holding_query(
            self.conn.dialect.name,
            tuple(sorted(by_kind)),
            exclude_appointment_id is not None,
            exclude_class_session_id is not None,
        )
        params: dict[str, Any] = {
            "account_id": self.account_id,
            "start": start,
            "end": end,
            "exclude_appointment_id": exclude_appointment_id,
            "exclude_class_session_id": exclude_class_session_id,
            **{f"{kind}_ids": sorted(set(ids)) for kind, ids in by_kind.items()},
        }
        return [self.entity(r) for r in self.conn.execute(query, params)]

    def release_appointments(self, appointment_ids: Sequence[int]) -> None:
        t = tables.blocks
        self.conn.execute(
            update(t)
            .where(t.c.account_id == self.account_id, t.c.appointment_id.in_(appointment_ids))
            .values(holding=False)
        )

    def delete_for_appointment(self, appointment_id: int) -> None:
        t = tables.blocks
        self.conn.execute(
            delete(t).where(t.c.account_id == self.account_id, t.c.appointment_id == appointment_id)
        )

    def delete_for_time_off(self, time_off_id: int) -> None:
        t = tables.blocks
        self.conn.execute(
            delete(t).where(t.c.account_id == self.account_id, t.c.time_off_id == time_off_id)
        )

    def delete_for_class_session(self, class_session_id: int) -> None:
        t = tables.blocks
        self.conn.execute(
            delete(t).where(
                t.c.account_id == self.account_id, t.c.class_session_id == class_session_id
            )
        )

    @staticmethod
    def entity(row: Any) -> Block:
        return Block(
            subject_kind=row.subject_kind,
            subject_id=row.subject_id,
            start=row.start_at,
            end=row.end_at,
            exclusive=row.exclusive,
            role=row.role,
            appointment_id=row.appointment_id,
            time_off_id=row.time_off_id,
            class_session_id=row.class_session_id,
            expires_at=row.expires_at,
            holding=row.holding,
        )
