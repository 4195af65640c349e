"""Engines for PostgreSQL and SQLite, and the driver errors the store turns into domain errors.

SQLite serialises writers: every write transaction starts with ``BEGIN IMMEDIATE`` so the
overlap check and the insert that follows it run under one lock, even across processes.
Read-only units of work start with a plain ``BEGIN`` so readers never wait for the write lock.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError

from appointd.domain.errors import Conflict
from appointd.settings import Settings


def make_engine(settings: Settings) -> Engine:
    """An engine for ``settings.database_url`` with appointd's connection rules applied."""
    if settings.is_sqlite:
        engine = create_engine(
            settings.database_url,
            connect_args={
                "check_same_thread": False,
                "timeout": settings.sqlite_busy_timeout_ms / 1000,
            },
        )
        _sqlite_rules(engine, settings.sqlite_busy_timeout_ms)
        return engine
    return create_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_recycle=3600,
    )


def _sqlite_rules(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event, not the driver, decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a PostgreSQL driver error, if ``exc`` wraps one."""
    orig = getattr(exc, "orig", None) if isinstance(exc, DBAPIError) else None
    return getattr(orig, "sqlstate", None)


EXCLUSION_VIOLATION = "23P01"


class OverlapRefused(Exception):
    """The database refused overlapping busy time (PostgreSQL's exclusion constraint on
    ``blocks``): a concurrent transaction booked the same time after our check passed.

    Raised by the unit of work in place of the driver's error, after rolling back, so use cases
    never handle driver exceptions.
    """


CHECK_VIOLATION = "23514"
DEADLOCK_DETECTED = "40P01"
SERIALIZATION_FAILURE = "40001"
TRANSIENT = frozenset({DEADLOCK_DETECTED, SERIALIZATION_FAILURE})


class TransientFailure(Conflict):
    """PostgreSQL aborted the transaction to break a deadlock (40P01) or a serialization
    conflict (40001): the request lost a race with a concurrent one, and running it again may
    well succeed. Nothing of it was written.

    Raised by the unit of work in place of the driver's error. Use cases run again on it
    (:func:`appointd.app.retry.retry_transient`); if one still escapes, it is a
    :class:`~appointd.domain.errors.Conflict`, which every face answers as a lost race (409),
    never as a server error.
    """

    def __init__(self, message: str = "the request lost a race with a concurrent one") -> None:
        super().__init__(message)


def subject_lock_key(kind: str, subject_id: int) -> int:
    """The PostgreSQL advisory-lock key of one block subject (a staff member or resource).

    Writers of blocks take these transaction-level locks in ascending key order before they
    insert, so two bookings of the same subject never wait on each other's uncommitted block
    at once (the exclusion constraint's check would otherwise deadlock them). Collisions only
    serialise two unrelated writers a little; the key is a signed 64-bit integer.
    """
    code = {"staff": 1, "resource": 2}.get(kind, 3)
    key = ((subject_id << 2) | code) & 0xFFFF_FFFF_FFFF_FFFF
    return key - (1 << 64) if key >= 1 << 63 else key


UNIQUE_VIOLATION = "23505"
REFERENCE_CONSTRAINTS = ("uq_appointments_account_reference", "ix_appointments_manage_token")


class ReferenceCollision(Exception):
    """A new appointment drew a reference (or manage token) its account already uses.

    Rare (references have ~40 bits); the booking use cases draw new codes and run again.
    """


def is_reference_collision(exc: BaseException) -> bool:
    """Whether ``exc`` is the unique violation of an appointment's reference or manage token."""
    orig = getattr(exc, "orig", None)
    if sqlstate(exc) == UNIQUE_VIOLATION:
        diag = getattr(orig, "diag", None)
        return getattr(diag, "constraint_name", None) in REFERENCE_CONSTRAINTS
    # SQLite names the columns: "UNIQUE constraint failed: appointments.account_id, ..."
    message = str(orig)
    return "UNIQUE constraint failed: appointments." in message and (
        "appointments.reference" in message or "appointments.manage_token" in message
    )
