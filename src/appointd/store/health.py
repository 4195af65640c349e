"""What the health endpoint reports about the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError


def database_state(engine: Engine) -> dict[str, Any]:
    """Dialect, reachability and the applied migration revision; never raises."""
    state: dict[str, Any] = {"dialect": engine.dialect.name, "reachable": False, "revision": None}
    try:
        with engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
            conn.execute(text("SELECT 1"))
            state["reachable"] = True
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
            state["revision"] = ",".join(sorted(rows)) or None
    except SQLAlchemyError as exc:
        state["error"] = type(exc).__name__
    return state
