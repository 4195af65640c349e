"""The shared shape of a repository: a connection, an account, and a table of one entity.

:class:`TableRepository` gives the plain CRUD every catalog entity needs. Entities are
dataclasses whose field names match the columns, except where ``renames`` says otherwise
(``start`` <-> ``start_at``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import (
    BigInteger,
    Connection,
    Select,
    Table,
    any_,
    bindparam,
    case,
    func,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY

E = TypeVar("E")

# The lookups by id of TableRepository, built once per table: running the same statement object
# again reuses its SQLAlchemy cache key, which is most of the cost of a small query.
_BY_ID: dict[str, Select[Any]] = {}
_BY_IDS: dict[tuple[str, str], Select[Any]] = {}

# The largest id a BIGINT holds. A larger or non-positive id names no row, and the drivers
# refuse to send one that does not fit, so lookups answer "not found" without asking.
MAX_ID = 2**63 - 1


def one_of(column: Any, name: str, dialect: str) -> Any:
    """``column IN (:name)`` for a list parameter ``name``.

    On PostgreSQL it is ``column = ANY(:name)`` with the list as one array: the statement's
    text is then the same whatever the list's length, and SQLAlchemy does not rewrite it on
    every call (an expanding ``IN`` is rendered anew for each execution). SQLite has no arrays.
    """
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(BigInteger)))
    return column.in_(bindparam(name, expanding=True))


def storable(id: int) -> bool:
    """Whether ``id`` could be the id of a stored row."""
    return 0 < id <= MAX_ID


class Repository:
    """A repository bound to one connection and one account."""

    def __init__(self, conn: Connection, account_id: int) -> None:
        self.conn = conn
        self.account_id = account_id


@dataclasses.dataclass(frozen=True, slots=True)
class Page(Generic[E]):
    items: list[E]
    total: int


class TableRepository(Repository, Generic[E]):
    """CRUD over one table whose rows map field-for-field onto the dataclass ``entity``."""

    table: ClassVar[Table]
    entity: ClassVar[type[Any]]
    renames: ClassVar[dict[str, str]] = {}  # entity field -> column
    skip: ClassVar[frozenset[str]] = frozenset()  # entity fields kept elsewhere

    # -- mapping ---------------------------------------------------------------------------
    def to_entity(self, row: Any) -> E:
        values = row._mapping
        kwargs = {}
        for f in dataclasses.fields(self.entity):
            column = self.renames.get(f.name, f.name)
            if f.name not in self.skip and column in values:
                kwargs[f.name] = values[column]
        return self.decode(kwargs)  # type: ignore[no-any-return]

    def decode(self, kwargs: dict[str, Any]) -> Any:
        """Build the entity from column values; override to convert types."""
        return self.entity(**kwargs)

    def to_row(self, entity: E) -> dict[str, Any]:
        row: dict[str, Any] = {}
        for f in dataclasses.fields(self.entity):
            if f.name in self.skip or f.name == "id":
                continue
            column = self.renames.get(f.name, f.name)
            if column in self.table.c:
                row[column] = self.encode(f.name, getattr(entity, f.name))
        row["account_id"] = self.account_id
        return row

    def encode(self, name: str, value: Any) -> Any:
        """Convert one field for storage; override for value objects."""
        return value

    # -- queries -----------------------------------------------------------------------------
    def _scoped(self) -> Any:
        return select(self.table).where(self.table.c.account_id == self.account_id)

    def get(self, id: int) -> E | None:
        if not storable(id):
            return None
        t = self.table
        query = _BY_ID.get(t.name)
        if query is None:
            query = _BY_ID[t.name] = select(t).where(
                t.c.account_id == bindparam("account_id"), t.c.id == bindparam("id")
            )
        row = self.conn.execute(query, {"account_id": self.account_id, "id": id}).first()
        return None if row is None else self.to_entity(row)

    def for_update(self, id: int) -> E | None:
        """Like :meth:`get`, row-locked on PostgreSQL until the transaction ends.

        SQLite needs no lock: its write transactions run one at a time.
        """
        if not storable(id):
            return None
        query = self._scoped().where(self.table.c.id == id)
        if self.conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = self.conn.execute(query).first()
        return None if row is None else self.to_entity(row)

    def get_many(self, ids: Iterable[int]) -> dict[int, E]:
        wanted = sorted(i for i in set(ids) if storable(i))
        if not wanted:
            return {}
        t = self.table
        dialect = self.conn.dialect.name
        query = _BY_IDS.get((dialect, t.name))
        if query is None:
            query = _BY_IDS[(dialect, t.name)] = select(t).where(
                t.c.account_id == bindparam("account_id"), one_of(t.c.id, "ids", dialect)
            )
        rows = self.conn.execute(query, {"account_id": self.account_id, "ids": wanted})
        return {row.id: self.to_entity(row) for row in rows}

    def existing_ids(self, ids: Iterable[int]) -> set[int]:
        wanted = sorted(i for i in set(ids) if storable(i))
        if not wanted:
            return set()
        t = self.table
        rows = self.conn.execute(
            select(t.c.id).where(t.c.account_id == self.account_id, t.c.id.in_(wanted))
        )
        return {r.id for r in rows}

    def add(self, entity: E) -> int:
        # Values as parameters, not .values(): the statement is then the same every call and
        # SQLAlchemy skips rebuilding it and its cache key (a hot path of booking).
        result = self.conn.execute(self.table.insert(), self.to_row(entity))
        new_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        entity.id = new_id  # type: ignore[attr-defined]
        return new_id

    def update(self, entity: E) -> None:
        t = self.table
        self.conn.execute(
            t.update()
            .where(t.c.account_id == self.account_id, t.c.id == entity.id)  # type: ignore[attr-defined]
            .values(self.to_row(entity))
        )

    def page(
        self,
        *,
        include_archived: bool = False,
        limit: int = 50,
        offset: int = 0,
        where: Sequence[Any] = (),
        order_by: Sequence[Any] = (),
    ) -> Page[E]:
        t = self.table
        conditions = [t.c.account_id == self.account_id, *where]
        if not include_archived and "archived_at" in t.c:
            conditions.append(t.c.archived_at.is_(None))
        total = self.conn.execute(
            select(func.count()).select_from(t).where(*conditions)
        ).scalar_one()
        rows = self.conn.execute(
            select(t)
            .where(*conditions)
            .order_by(*(order_by or (t.c.id,)))
            .limit(limit)
            .offset(offset)
        )
        return Page([self.to_entity(r) for r in rows], int(total))

    def all_of_account(self) -> list[E]:
        """Every row of the account, archived ones included, in id order (small tables only:
        locations, staff)."""
        rows = self.conn.execute(self._scoped().order_by(self.table.c.id))
        return [self.to_entity(r) for r in rows]

    def archive(self, id: int, at: datetime) -> None:
        t = self.table
        self.conn.execute(
            t.update().where(t.c.account_id == self.account_id, t.c.id == id).values(archived_at=at)
        )


class ExternalIds(TableRepository[E]):
    """Lookups by an integrator's own id (the ``external_id`` column) within the account.

    External ids are not unique: when several rows carry one, a live (unarchived) row wins over
    an archived one, then the oldest (lowest id). Each lookup is one statement, served by the
    (account_id, external_id) index.
    """

    def _preferred(self) -> tuple[Any, Any]:
        t = self.table
        return case((t.c.archived_at.is_(None), 0), else_=1), t.c.id

    def ids_by_external_id(
        self, external_ids: Iterable[str], *, live_only: bool = False
    ) -> dict[str, int]:
        """``{external_id: id}`` for those of ``external_ids`` found; absent ones are left out."""
        wanted = sorted({e for e in external_ids if isinstance(e, str) and e})
        if not wanted:
            return {}
        t = self.table
        query = select(t.c.external_id, t.c.id).where(
            t.c.account_id == self.account_id, t.c.external_id.in_(wanted)
        )
        if live_only:
            query = query.where(t.c.archived_at.is_(None))
        out: dict[str, int] = {}
        for external_id, id in self.conn.execute(
            query.order_by(t.c.external_id, *self._preferred())
        ):
            out.setdefault(str(external_id), int(id))
        return out

    def id_by_external_id(self, external_id: str, *, live_only: bool = False) -> int | None:
        """The id of the row carrying ``external_id``, or ``None``."""
        return self.ids_by_external_id([external_id], live_only=live_only).get(external_id)

    def resolve(self, value: str, *, live_only: bool = False) -> int | None:
        """The id ``value`` names as "internal or external id": the row whose id is ``value``
        (a decimal id) if there is one in the account, else the row whose external id it is.

        One statement whichever it turns out to be.
        """
        if not isinstance(value, str) or not value:
            return None
        t = self.table
        as_id = int(value) if value.isascii() and value.isdigit() and len(value) <= 19 else 0
        match = t.c.external_id == value
        if storable(as_id):
            match = or_(t.c.id == as_id, match)
        query = select(t.c.id).where(t.c.account_id == self.account_id, match)
        if live_only:
            query = query.where(t.c.archived_at.is_(None))
        by_id = case((t.c.id == as_id, 0), else_=1)
        row = self.conn.execute(query.order_by(by_id, *self._preferred()).limit(1)).first()
        return None if row is None else int(row.id)
