"""Generic comparisons on an entity's columns, for list queries that filter on many fields.

A face that lets clients filter or sort on a field (Cliniko's ``q[]=created_at:>T``,
``sort=starts_at:desc``) states the comparison as a :class:`Condition` on the entity's field
name; the repository turns it into SQL against its own table, scoped like every other query.
Only fields the repository allows may be named, so a condition can never reach another column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, func, or_

OPS = frozenset({"=", "!=", ">", ">=", "<", "<=", "in", "null", "not_null", "contains", "like"})


@dataclass(frozen=True, slots=True)
class Condition:
    """``field op value``; ``in`` takes a sequence, ``null``/``not_null`` take no value.

    ``contains`` (a substring) and ``like`` (a pattern with ``%`` wildcards) ignore case.
    """

    field: str
    op: str
    value: Any = None


def column(table: Table, renames: Mapping[str, str], allowed: frozenset[str], name: str) -> Any:
    if name not in allowed:
        raise ValueError(f"{name!r} is not a filterable field of {table.name}")
    return table.c[renames.get(name, name)]


def clauses(
    table: Table,
    renames: Mapping[str, str],
    allowed: frozenset[str],
    conditions: Sequence[Condition],
) -> list[Any]:
    """The SQL conditions for ``conditions`` (all ANDed by the caller)."""
    out: list[Any] = []
    for c in conditions:
        col = column(table, renames, allowed, c.field)
        if c.op == "=":
            out.append(col == c.value)
        elif c.op == "!=":
            # "not equal" keeps rows without a value, as a client comparing values expects.
            out.append(or_(col != c.value, col.is_(None)))
        elif c.op == ">":
            out.append(col > c.value)
        elif c.op == ">=":
            out.append(col >= c.value)
        elif c.op == "<":
            out.append(col < c.value)
        elif c.op == "<=":
            out.append(col <= c.value)
        elif c.op == "in":
            out.append(col.in_(list(c.value)))
        elif c.op == "null":
            out.append(col.is_(None))
        elif c.op == "not_null":
            out.append(col.is_not(None))
        elif c.op == "contains":
            escaped = str(c.value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            out.append(func.lower(col).like(f"%{escaped.lower()}%", escape="\\"))
        elif c.op == "like":
            out.append(func.lower(col).like(str(c.value).lower()))
        else:
            raise ValueError(f"unknown operator {c.op!r}")
    return out


def ordering(
    table: Table,
    renames: Mapping[str, str],
    allowed: frozenset[str],
    order: Sequence[tuple[str, bool]],
) -> list[Any]:
    """ORDER BY terms for ``(field, descending)`` pairs, ending with the id as a tie-break."""
    terms: list[Any] = []
    for name, descending in order:
        col = column(table, renames, allowed, name)
        terms.append(col.desc() if descending else col.asc())
    last_desc = bool(order) and order[-1][1]
    terms.append(table.c.id.desc() if last_desc else table.c.id.asc())
    return terms
