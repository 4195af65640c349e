"""The core's lookups by an integrator's own id, and the contact rules called as a face would.

Staff, services, resources and clients carry ``external_id``; faces resolve "internal or
external id" with :func:`appointd.app.catalog.resolve_id` and friends, one statement each,
never across accounts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from appointd.app import catalog
from appointd.domain.contacts import Address, Phone
from appointd.domain.errors import Invalid
from tests.conftest import Api, StatementCounter
from tests.factories import book, clinic

BODIES: dict[str, dict[str, Any]] = {
    "staff": {"first_name": "Ana", "time_zone": "Europe/Berlin"},
    "services": {"name": "Massage", "duration_minutes": 30},
    "resources": {"name": "Room"},
    "clients": {"first_name": "Mia"},
}


@pytest.mark.parametrize("kind", sorted(BODIES))
def test_lookup_by_external_id_is_scoped_to_the_account_and_costs_one_statement(
    api: Api, other_api: Api, kind: str, count_statements: StatementCounter
) -> None:
    ctx, other = api.context(), other_api.context()
    mine = catalog.create(ctx, kind, {**BODIES[kind], "external_id": "A-1"})
    also = catalog.create(ctx, kind, {**BODIES[kind], "external_id": "A-2"})
    theirs = catalog.create(other, kind, {**BODIES[kind], "external_id": "A-1"})
    catalog.create(other, kind, {**BODIES[kind], "external_id": "B-only"})

    with count_statements:
        found = catalog.ids_by_external_id(ctx, kind, ["A-1", "A-2", "B-only", "none"])
    assert count_statements.count == 1
    assert found == {"A-1": mine.id, "A-2": also.id}
    assert catalog.id_by_external_id(ctx, kind, "A-1") == mine.id
    assert catalog.id_by_external_id(other, kind, "A-1") == theirs.id
    assert catalog.id_by_external_id(ctx, kind, "B-only") is None
    assert catalog.ids_by_external_id(ctx, kind, []) == {}

    # "internal or external id": an id of the account first, else an external id.
    assert catalog.resolve_id(ctx, kind, str(mine.id)) == mine.id
    assert catalog.resolve_id(ctx, kind, "A-2") == also.id
    assert catalog.resolve_id(ctx, kind, str(theirs.id)) is None  # another account's id
    assert catalog.resolve_id(ctx, kind, "B-only") is None
    assert catalog.resolve_id(ctx, kind, "") is None
    assert catalog.resolve_id(ctx, kind, "9" * 30) is None


def test_resolve_prefers_the_internal_id_then_a_live_row_then_the_oldest(api: Api) -> None:
    ctx = api.context()
    first = catalog.create(ctx, "clients", {"first_name": "A", "external_id": "dup"})
    second = catalog.create(ctx, "clients", {"first_name": "B", "external_id": "dup"})
    assert catalog.id_by_external_id(ctx, "clients", "dup") == first.id
    catalog.archive(ctx, "clients", first.id)
    assert catalog.id_by_external_id(ctx, "clients", "dup") == second.id
    catalog.archive(ctx, "clients", second.id)
    assert catalog.id_by_external_id(ctx, "clients", "dup") == first.id
    assert catalog.id_by_external_id(ctx, "clients", "dup", live_only=True) is None
    # A numeric external id that is also another row's id: the id wins.
    numeric = catalog.create(ctx, "clients", {"first_name": "C", "external_id": str(first.id)})
    assert catalog.resolve_id(ctx, "clients", str(first.id)) == first.id
    assert catalog.resolve_id(ctx, "clients", str(first.id), live_only=True) == numeric.id


def test_locations_have_no_external_ids(api: Api) -> None:
    with pytest.raises(ValueError):
        catalog.ids_by_external_id(api.context(), "locations", ["x"])


def test_a_face_writes_contact_details_and_its_own_extra_through_the_core(api: Api) -> None:
    ctx = api.context()
    client = catalog.create(
        ctx,
        "clients",
        {
            "first_name": "Mia",
            "phones": [Phone("home", "030 1"), {"type": "mobile", "number": "0170 2"}],
            "address": {"line1": "Uferstrasse 7", "postal_code": ""},
            "date_of_birth": date(1988, 4, 12),
            "extra": {"cliniko": {"title": "Dr"}},
        },
    )
    assert client.phones == [Phone("home", "030 1"), Phone("mobile", "0170 2")]
    assert client.phone == "0170 2"
    assert client.address == Address(line1="Uferstrasse 7")
    assert client.date_of_birth == date(1988, 4, 12)
    loaded = catalog.get(ctx, "clients", client.id)
    assert loaded.extra == {"cliniko": {"title": "Dr"}}
    assert loaded.phones == client.phones and loaded.address == client.address

    # Another face's key is kept; a face's own key is merged one level deep; null removes.
    catalog.update(ctx, "clients", client.id, {"extra": {"agendize": {"x": 1}}})
    catalog.update(ctx, "clients", client.id, {"extra": {"cliniko": {"occupation": "pilot"}}})
    loaded = catalog.get(ctx, "clients", client.id)
    assert loaded.extra == {
        "cliniko": {"title": "Dr", "occupation": "pilot"},
        "agendize": {"x": 1},
    }
    catalog.update(ctx, "clients", client.id, {"extra": {"agendize": None}})
    assert catalog.get(ctx, "clients", client.id).extra == {
        "cliniko": {"title": "Dr", "occupation": "pilot"}
    }
    with pytest.raises(Invalid) as bad:
        catalog.update(ctx, "clients", client.id, {"extra": ["not", "an", "object"]})
    assert [e.field for e in bad.value.errors] == ["extra"]
    with pytest.raises(Invalid) as unknown:
        catalog.update(ctx, "clients", client.id, {"shoe_size": 38})
    assert [e.field for e in unknown.value.errors] == ["shoe_size"]


def test_a_booking_loads_the_client_with_its_contact_details(api: Api) -> None:
    world = clinic(api)
    ctx = api.context()
    client_id = world["client"]["id"]
    catalog.update(
        ctx,
        "clients",
        client_id,
        {"phones": [{"type": "mobile", "number": "0170 3"}], "address": {"city": "Bonn"}},
    )
    with ctx.uow(write=False) as uow:
        refs = uow.references.load(None, None, client_id, [])
    assert refs.client is not None
    assert refs.client.phones == [Phone("mobile", "0170 3")]
    assert refs.client.address == Address(city="Bonn")
    assert book(api, world, "2030-01-07T10:00:00Z").status_code == 201
