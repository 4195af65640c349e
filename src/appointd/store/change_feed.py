"""The account-wide change sequence: every write of an appointment gets a new, larger number.

Faces build their change feeds on it (Agendize's ``syncToken``, Cliniko's ``updated_at`` sync,
native ``changed_since``): a reader remembers the largest ``change_seq`` it has seen and asks for
everything above it. That is only safe if a number becomes visible no earlier than every
smaller one: a number taken early in a transaction could commit after a larger one taken by a
transaction that started later, and a reader polling in between would skip it for good.

So the number is taken at the very END of a write, as the last statement before COMMIT, from a
per-account counter (a row of ``change_counters``) whose row lock is held until that commit: the
next
writer of the account waits on that lock, reads the counter after our commit, and so commits
after us with larger numbers. Commit order and number order agree, and a poller never misses.

Why last: the row lock on the account must be the last lock a transaction takes. Before it, a
booking may wait on other transactions (an insert into ``blocks`` waits for a concurrent insert
of overlapping time to commit or roll back, row locks of ``for_update``...). If we took the
account lock first and then waited on such a transaction, while it in turn waited for the
account lock to stamp its own change, that would be a deadlock cycle. Taken last, nothing waits
on a transaction that holds it except for its commit, so no cycle can form. It also keeps the
serialisation per account short: only the stamp and the commit run under it.

The repositories note which appointments a unit of work changed (:func:`note`); the unit of
work stamps them in :func:`stamp` right before committing. Each changed appointment gets its
own number (a transaction that books a 50-occurrence series takes 50), so a reader paging by
``change_seq`` never has to split a group of equal numbers. SQLite runs write transactions one
at a time, so there the same two steps are simply two statements.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import psycopg
from sqlalchemy import Connection, bindparam, text, update
from sqlalchemy.exc import DBAPIError

from appointd.store import tables

_KEY = "appointd.changed_appointments"

# An upsert, so accounts need no counter row until their first change. Under READ COMMITTED a
# conflicting row locked by another transaction is waited for and then updated in its latest
# committed version, which is what orders the numbers by commit.
_PG_STAMP = text(
    """
WITH counter AS (
    INSERT INTO change_counters AS c (account_id, change_seq) VALUES (:account_id, :n)
    ON CONFLICT (account_id) DO UPDATE SET change_seq = c.change_seq + :n
    RETURNING change_seq
)
UPDATE appointments AS a
SET change_seq = counter.change_seq - :n + changed.ord, updated_by = :actor
FROM counter, unnest(CAST(:ids AS bigint[])) WITH ORDINALITY AS changed(id, ord)
WHERE a.account_id = :account_id AND a.id = changed.id
RETURNING a.id, a.change_seq
"""
)

# The same statement in the driver's own parameter style, for the pipeline of :func:`commit`.
_PG_STAMP_RAW = (
    str(_PG_STAMP)
    .replace(":account_id", "%(account_id)s")
    .replace(":actor", "%(actor)s")
    .replace(":ids", "%(ids)s")
    .replace(":n", "%(n)s")
)

_SQLITE_COUNTER = text(
    "INSERT INTO change_counters AS c (account_id, change_seq) VALUES (:account_id, :n) "
    "ON CONFLICT (account_id) DO UPDATE SET change_seq = c.change_seq + :n RETURNING change_seq"
)


def reset(conn: Connection) -> None:
    """Forget what was noted (a unit of work starts or ends on ``conn``)."""
    conn.info.pop(_KEY, None)


def note(conn: Connection, appointments: Iterable[Any]) -> None:
    """Record that ``appointments`` (entities with ``id``) changed in this transaction.

    The entities are kept so that :func:`stamp` can give them their new ``change_seq`` and
    ``updated_by`` too, and the caller answers with what was stored.
    """
    changed: dict[int, list[Any]] = conn.info.setdefault(_KEY, {})
    for appt in appointments:
        changed.setdefault(appt.id, []).append(appt)


def note_ids(conn: Connection, ids: Iterable[int]) -> None:
    """Like :func:`note`, for appointments changed by id only (a bulk ``UPDATE``)."""
    changed: dict[int, list[Any]] = conn.info.setdefault(_KEY, {})
    for ident in ids:
        changed.setdefault(ident, [])


def commit(conn: Connection, account_id: int, actor: str) -> None:
    """Stamp every noted appointment (see :func:`stamp`) and commit.

    On PostgreSQL the stamp and the COMMIT travel together (psycopg's pipeline mode): the
    account's counter row stays locked from the stamp to the end of the commit, and sending
    them in one round trip keeps that window as short as the server can make it, instead of
    waiting for this process to be scheduled again between the two. Errors surface as
    SQLAlchemy's exceptions, as for any statement.
    """
    changed: dict[int, list[Any]] | None = conn.info.pop(_KEY, None)
    if not changed or conn.dialect.name != "postgresql":
        if changed:
            _stamp_sqlite(conn, account_id, actor, changed)
        conn.commit()
        return
    ids = sorted(changed)
    params = {"n": len(ids), "account_id": account_id, "actor": actor, "ids": ids}
    raw: Any = conn.connection.dbapi_connection
    try:
        with raw.pipeline():
            cursor = raw.cursor()
            if conn.dispatch.before_cursor_execute:
                # Seen by statement counters and tracing like any statement.
                conn.dispatch.before_cursor_execute(
                    conn, cursor, _PG_STAMP_RAW, params, None, False
                )
            cursor.execute(_PG_STAMP_RAW, params)
            raw.commit()
            rows = cursor.fetchall()
    except psycopg.Error as exc:
        raise DBAPIError.instance(
            _PG_STAMP_RAW, params, exc, psycopg.Error, connection_invalidated=False
        ) from exc
    conn.commit()  # SQLAlchemy's side; the driver has nothing left to commit
    _assign(changed, {int(r[0]): int(r[1]) for r in rows}, actor)


def stamp(conn: Connection, account_id: int, actor: str) -> None:
    """Give every noted appointment a new ``change_seq`` (and ``updated_by = actor``).

    Must be the last statement of the transaction (see the module's docstring); the unit of
    work uses :func:`commit`, which also sends it together with the COMMIT.
    """
    changed: dict[int, list[Any]] | None = conn.info.pop(_KEY, None)
    if not changed:
        return
    if conn.dialect.name == "postgresql":
        ids = sorted(changed)
        rows = conn.execute(
            _PG_STAMP, {"n": len(ids), "account_id": account_id, "actor": actor, "ids": ids}
        ).all()
        _assign(changed, {int(r.id): int(r.change_seq) for r in rows}, actor)
    else:
        _stamp_sqlite(conn, account_id, actor, changed)


def _stamp_sqlite(
    conn: Connection, account_id: int, actor: str, changed: dict[int, list[Any]]
) -> None:
    ids = sorted(changed)
    top = int(conn.execute(_SQLITE_COUNTER, {"n": len(ids), "account_id": account_id}).scalar_one())
    seqs = {ident: top - len(ids) + i for i, ident in enumerate(ids, start=1)}
    a = tables.appointments
    conn.execute(
        update(a)
        .where(a.c.account_id == bindparam("b_account_id"), a.c.id == bindparam("b_id"))
        .values(change_seq=bindparam("b_seq"), updated_by=bindparam("b_actor")),
        [
            {"b_account_id": account_id, "b_id": i, "b_seq": s, "b_actor": actor}
            for i, s in seqs.items()
        ],
    )
    _assign(changed, seqs, actor)


def _assign(changed: dict[int, list[Any]], seqs: dict[int, int], actor: str) -> None:
    for ident, entities in changed.items():
        for entity in entities:
            entity.change_seq = seqs.get(ident, entity.change_seq)
            entity.updated_by = actor
