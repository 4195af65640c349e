"""Helpers for races staged so they cannot fall the other way: one side holds an uncommitted
write, the other is seen waiting on PostgreSQL's exclusion constraint before the first commits.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import psycopg


def wait_until(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def block_inserts_waiting(database_url: str) -> int:
    """How many statements inserting blocks wait on a lock in the database at ``database_url``
    (booking writes its blocks inside one ``WITH new_appointment`` statement, whose text
    pg_stat_activity cuts before its ``INSERT INTO blocks``; a PATCH with a plain insert)."""
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock' "
            "AND (query ILIKE '%INSERT INTO blocks%' OR query LIKE '%WITH new_appointment AS%' "
            "OR query ILIKE '%pg_advisory_xact_lock%')"
        ).fetchone()
        return int(row[0]) if row else 0
