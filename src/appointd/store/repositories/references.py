"""Everything one booking names, loaded in one statement.

A booking names a location, a service, usually a client and one or more staff members. Loading
them one table at a time costs a round trip each on PostgreSQL, and booking is the hot path of
the whole server, so :meth:`ReferenceRepository.load` joins them onto the account row instead:
one row per staff member found (or one row when none is), each carrying the location, service
and client columns.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, bindparam, select

from appointd.domain.model import Client, Location, Service, Staff
from appointd.store import tables
from appointd.store.repositories.base import Repository, one_of, storable
from appointd.store.repositories.catalog import ClientRepository, ServiceRepository
from appointd.store.repositories.staff import StaffRepository

# An id no row has: stands in for ids that cannot be stored (and for "no client").
_NONE = 0


def prefixed(table: Any, prefix: str) -> list[Any]:
    """Every column of ``table`` labelled ``prefix + name``, for several tables in one row."""
    return [c.label(f"{prefix}{c.name}") for c in table.c]


def fields_of(entity: Any, values: Any, prefix: str) -> dict[str, Any]:
    """The dataclass fields of ``entity`` found among the ``prefix``-ed columns of a row."""
    return {
        f.name: values[prefix + f.name]
        for f in dataclasses.fields(entity)
        if prefix + f.name in values
    }


def _joined(table: Any, condition: Any) -> tuple[Any, Any]:
    return table, and_(table.c.account_id == tables.accounts.c.id, condition)


@functools.cache
def _load(dialect: str) -> Any:
    """The statement of :meth:`ReferenceRepository.load`, built once per dialect."""
    staff = tables.staff
    return (
        select(
            *prefixed(tables.locations, "l_"),
            *prefixed(tables.services, "s_"),
            *prefixed(tables.clients, "c_"),
            *prefixed(staff, "p_"),
        )
        .select_from(
            tables.accounts.outerjoin(
                *_joined(tables.locations, tables.locations.c.id == bindparam("location_id"))
            )
            .outerjoin(*_joined(tables.services, tables.services.c.id == bindparam("service_id")))
            .outerjoin(*_joined(tables.clients, tables.clients.c.id == bindparam("client_id")))
            .outerjoin(*_joined(staff, one_of(staff.c.id, "staff_ids", dialect)))
        )
        .where(tables.accounts.c.id == bindparam("account_id"))
    )


@dataclasses.dataclass(slots=True)
class References:
    """What :meth:`ReferenceRepository.load` found in the account; ``None`` or absent from
    ``staff`` for what it does not have (archived ones included: callers decide)."""

    location: Location | None
    service: Service | None
    client: Client | None
    staff: dict[int, Staff]


class ReferenceRepository(Repository):
    def load(
        self,
        location_id: int | None,
        service_id: int | None,
        client_id: int | None,
        staff_ids: Iterable[int],
    ) -> References:
        """The location, service, client and staff members with these ids, in one statement."""
        wanted = sorted({i for i in staff_ids if storable(i)})
        rows = self.conn.execute(
            _load(self.conn.dialect.name),
            {
                "account_id": self.account_id,
                "location_id": _id(location_id),
                "service_id": _id(service_id),
                "client_id": _id(client_id),
                "staff_ids": wanted,
            },
        ).all()
        refs = References(None, None, None, {})
        if not rows:
            return refs
        first = rows[0]._mapping
        if first["l_id"] is not None:
            refs.location = Location(**fields_of(Location, first, "l_"))
        if first["s_id"] is not None:
            refs.service = ServiceRepository(self.conn, self.account_id).decode(
                fields_of(Service, first, "s_")
            )
        if first["c_id"] is not None:
            refs.client = ClientRepository(self.conn, self.account_id).decode(
                fields_of(Client, first, "c_")
            )
        people = StaffRepository(self.conn, self.account_id)
        for row in rows:
            values = row._mapping
            if values["p_id"] is not None:
                refs.staff[values["p_id"]] = people.decode(fields_of(Staff, values, "p_"))
        return refs


def _id(value: int | None) -> int:
    return value if value is not None and storable(value) else _NONE
