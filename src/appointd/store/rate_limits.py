"""Fixed-window hit counters in the database, shared by every server process.

DESIGN.md "Beyond one machine": nothing another process needs lives in one process's memory, so
the public pages count hits per client address in a table. One statement per hit: an upsert
that adds one to the current window's row and returns the new count. Rows of past windows are
swept by the first hit of each new window.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, delete
from sqlalchemy.dialects import postgresql, sqlite

from appointd.store import tables


def hit(engine: Engine, subject: str, window_start: int) -> int:
    """Count one hit of ``subject`` in the window starting at ``window_start``; the window's
    hits so far, this one included."""
    t = tables.rate_limit_hits
    insert: Any = (postgresql if engine.dialect.name == "postgresql" else sqlite).insert(t)
    statement = (
        insert.values(subject=subject[:120], window_start=window_start, hits=1)
        .on_conflict_do_update(
            index_elements=[t.c.subject, t.c.window_start], set_={"hits": t.c.hits + 1}
        )
        .returning(t.c.hits)
    )
    with engine.begin() as conn:
        hits = int(conn.execute(statement).scalar_one())
        if hits == 1:
            # Keep the previous window: a caller may still be counting in it.
            conn.execute(delete(t).where(t.c.window_start < window_start - 60))
    return hits
