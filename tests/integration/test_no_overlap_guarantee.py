"""The database itself refuses double bookings, whatever the application does.

On PostgreSQL, ``blocks`` carries ``EXCLUDE USING gist (subject WITH =, span WITH &&) WHERE
(holding AND exclusive)``. These tests write straight through SQL, bypassing every check of
the application, and watch the constraint refuse what must be refused and accept the rest. On
both databases the migrations must build every table the code declares.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import IntegrityError

from appointd.store import tables
from appointd.store.engine import EXCLUSION_VIOLATION, sqlstate
from tests.conftest import Database


def at(hh: int, mm: int = 0) -> datetime:
    return datetime(2030, 1, 7, hh, mm, tzinfo=UTC)


@pytest.fixture
def conn(pg_db: Database) -> Iterator[Connection]:
    """A PostgreSQL connection in a transaction that is rolled back afterwards."""
    with pg_db.engine.connect() as connection, connection.begin() as tx:
        yield connection
        tx.rollback()


@pytest.fixture
def account(conn: Connection) -> int:
    row = conn.execute(
        text(
            "INSERT INTO accounts (name, created_at, settings) "
            "VALUES (:name, :at, '{}') RETURNING id"
        ),
        {"name": f"raw-{uuid.uuid4().hex[:8]}", "at": at(0)},
    ).one()
    return int(row.id)


class Blocks:
    """Raw inserts into ``blocks``, each inside a savepoint so a refusal leaves the rest."""

    def __init__(self, conn: Connection, account_id: int) -> None:
        self.conn = conn
        self.account_id = account_id
        # Subject ids need not name stored rows; a fresh range keeps tests apart.
        self.subject = 10_000_000 + account_id * 100

    def insert(
        self,
        start: datetime,
        end: datetime,
        *,
        subject_kind: str = "staff",
        subject_offset: int = 0,
        holding: bool = True,
        exclusive: bool = True,
    ) -> int:
        with self.conn.begin_nested():
            row = self.conn.execute(
                text(
                    "INSERT INTO blocks (account_id, subject_kind, subject_id, start_at, end_at, "
                    "holding, exclusive, role) VALUES (:account, :kind, :subject, :start, :end, "
                    ":holding, :exclusive, 'primary') RETURNING id"
                ),
                {
                    "account": self.account_id,
                    "kind": subject_kind,
                    "subject": self.subject + subject_offset,
                    "start": start,
                    "end": end,
                    "holding": holding,
                    "exclusive": exclusive,
                },
            ).one()
        return int(row.id)


@pytest.fixture
def blocks(conn: Connection, account: int) -> Blocks:
    made = Blocks(conn, account)
    made.insert(at(10), at(11))  # the block every test tries to collide with
    return made


def refused(action: Any) -> None:
    with pytest.raises(IntegrityError) as caught:
        action()
    assert sqlstate(caught.value) == EXCLUSION_VIOLATION


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (at(10, 30), at(11, 30)),  # overlaps the end
        (at(9, 30), at(10, 30)),  # overlaps the start
        (at(10, 15), at(10, 45)),  # inside
        (at(9), at(12)),  # around
        (at(10), at(11)),  # the same span
        (at(10, 59), at(11, 1)),  # one minute of overlap
    ],
)
def test_two_overlapping_holding_exclusive_blocks_of_one_subject_are_refused(
    blocks: Blocks, start: datetime, end: datetime
) -> None:
    refused(lambda: blocks.insert(start, end))


@pytest.mark.parametrize(
    ("start", "end", "fields"),
    [
        (at(11), at(12), {}),  # back to back after
        (at(9), at(10), {}),  # back to back before
        (at(10, 30), at(11, 30), {"holding": False}),  # cancelled or archived
        (at(10, 30), at(11, 30), {"exclusive": False}),  # override or shared resource
        (at(10, 30), at(11, 30), {"subject_offset": 1}),  # another staff member
        (at(10, 30), at(11, 30), {"subject_kind": "resource"}),  # a resource with the same id
    ],
)
def test_blocks_that_do_not_take_the_same_time_exclusively_are_accepted(
    blocks: Blocks, start: datetime, end: datetime, fields: dict[str, Any]
) -> None:
    assert blocks.insert(start, end, **fields) > 0


def test_making_a_freed_overlapping_block_hold_again_is_refused(
    blocks: Blocks, conn: Connection
) -> None:
    freed = blocks.insert(at(10, 30), at(11, 30), holding=False)
    refused(
        lambda: _in_savepoint(conn, "UPDATE blocks SET holding = true WHERE id = :id", id=freed)
    )


def test_making_a_shared_overlapping_block_exclusive_is_refused(
    blocks: Blocks, conn: Connection
) -> None:
    shared = blocks.insert(at(10, 30), at(11, 30), exclusive=False)
    refused(
        lambda: _in_savepoint(conn, "UPDATE blocks SET exclusive = true WHERE id = :id", id=shared)
    )


def test_moving_a_block_onto_another_is_refused(blocks: Blocks, conn: Connection) -> None:
    later = blocks.insert(at(12), at(13))
    refused(
        lambda: _in_savepoint(
            conn, "UPDATE blocks SET start_at = :start WHERE id = :id", id=later, start=at(10, 45)
        )
    )


def _in_savepoint(conn: Connection, sql: str, **params: Any) -> None:
    with conn.begin_nested():
        conn.execute(text(sql), params)


def test_the_exclusion_constraint_is_installed_by_the_migrations(conn: Connection) -> None:
    definition = conn.execute(
        text(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conname = 'ex_blocks_no_overlap'"
        )
    ).scalar_one()
    assert "EXCLUDE USING gist" in definition
    assert "holding AND exclusive" in definition
    assert "'[)'" in definition


# -- both databases --------------------------------------------------------------------------


def test_the_migrations_build_every_declared_table_with_its_columns_and_indexes(
    db: Database,
) -> None:
    found = inspect(db.engine)
    names = set(found.get_table_names())
    assert {t.name for t in tables.metadata.sorted_tables} <= names
    for table in tables.metadata.sorted_tables:
        columns = {c["name"]: c for c in found.get_columns(table.name)}
        assert set(columns) == {c.name for c in table.columns}, table.name
        for column in table.columns:
            assert columns[column.name]["nullable"] == column.nullable, (table.name, column.name)
        indexes = {i["name"] for i in found.get_indexes(table.name)}
        declared = {i.name for i in table.indexes}
        assert declared <= indexes, (table.name, declared - indexes)
