"""Engines for PostgreSQL and SQLite, and the driver errors the store turns into domain errors.

SQLite serialises writers: every write transaction starts with ``BEGIN IMMEDIATE`` so the
overlap check and the insert that follows it run under one lock, even across processes.
Read-only units of work start with a plain ``BEGIN`` so readers never wait for the write lock.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError

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
