"""Row counts of every table, to prove that a refused request wrote nothing."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from appointd.store import tables


def row_counts(engine: Engine) -> dict[str, int]:
    """The number of rows in each table of ``tables.metadata``, by table name.

    Counts cover every account of the test database: a test compares two snapshots taken around
    one request, and nothing else writes in between.
    """
    with engine.connect() as conn:
        return {
            t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in tables.metadata.sorted_tables
        }
