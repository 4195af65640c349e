"""Repositories of the simple catalog entities: locations, services, resources, clients."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from appointd.domain.contacts import ADDRESS_FIELDS, Address, Phone
from appointd.domain.model import Client, Location, Resource, Service, ServiceKind
from appointd.store import tables
from appointd.store.repositories.base import ExternalIds, TableRepository


class LocationRepository(TableRepository[Location]):
    table = tables.locations
    entity = Location

    def zones(self, ids: list[int]) -> dict[int, str]:
        """The IANA zone of each of these locations of the account (archived ones too)."""
        t = self.table
        rows = self.conn.execute(
            select(t.c.id, t.c.time_zone).where(t.c.account_id == self.account_id, t.c.id.in_(ids))
        )
        return {int(r.id): str(r.time_zone) for r in rows}


class ServiceRepository(ExternalIds[Service]):
    table = tables.services
    entity = Service

    def decode(self, kwargs: dict[str, Any]) -> Service:
        kwargs["kind"] = ServiceKind(kwargs["kind"])
        kwargs["staff_ids"] = list(kwargs.get("staff_ids") or [])
        kwargs["resource_ids"] = list(kwargs.get("resource_ids") or [])
        return Service(**kwargs)

    def encode(self, name: str, value: Any) -> Any:
        return value.value if name == "kind" else value


class ResourceRepository(ExternalIds[Resource]):
    table = tables.resources
    entity = Resource

    def lock(self, ids: list[int]) -> None:
        """Row-lock resources on PostgreSQL so capacity counts cannot race.

        SQLite needs no lock: its write transactions already run one at a time.
        """
        t = self.table
        if ids and self.conn.dialect.name == "postgresql":
            self.conn.execute(
                select(t.c.id)
                .where(t.c.account_id == self.account_id, t.c.id.in_(sorted(ids)))
                .order_by(t.c.id)
                .with_for_update()
            )


class ClientRepository(ExternalIds[Client]):
    table = tables.clients
    entity = Client

    def decode(self, kwargs: dict[str, Any]) -> Client:
        # Stored documents were checked when written (domain.contacts): rebuild them as is.
        kwargs["phones"] = [
            Phone(str(p.get("type")), str(p.get("number"))) for p in kwargs.get("phones") or []
        ]
        address = kwargs.get("address")
        kwargs["address"] = (
            None if not address else Address(**{k: address.get(k) for k in ADDRESS_FIELDS})
        )
        kwargs["extra"] = dict(kwargs.get("extra") or {})
        return Client(**kwargs)

    def encode(self, name: str, value: Any) -> Any:
        if name == "phones":
            return [p.as_dict() for p in value]
        if name == "address":
            return None if value is None else value.as_dict()
        return value
