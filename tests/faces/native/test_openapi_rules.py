"""The rules the core checks are stated in the native OpenAPI document (what schemathesis relies
on in ``tests/contract``), and the API accepts what the document allows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from appointd.app.catalog import NULLABLE
from appointd.asgi import create_app
from appointd.domain.errors import Invalid
from appointd.domain.wallclock import available_zones, zone
from appointd.faces.native.openapi_rules import CATALOG_PATCHES
from tests.conftest import Database


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(db.settings, db.services)) as c:
        yield c


@pytest.fixture
def spec(client: TestClient) -> dict[str, Any]:
    body: dict[str, Any] = client.get("/openapi.json").json()
    return body


def _branches(prop: dict[str, Any]) -> list[dict[str, Any]]:
    return list(prop.get("anyOf", [prop]))


def test_every_limit_states_the_servers_maximum(spec: dict[str, Any], db: Database) -> None:
    limits = [
        p["schema"]
        for path, ops in spec["paths"].items()
        if path.startswith("/v1/")
        for op in ops.values()
        for p in op.get("parameters", [])
        if p["name"] == "limit"
    ]
    assert len(limits) >= 10
    assert all(s["maximum"] == db.settings.max_page_size for s in limits)


def test_zones_are_the_servers_zone_names(spec: dict[str, Any]) -> None:
    listed = spec["components"]["schemas"]["TimeZone"]["enum"]
    assert set(listed) == available_zones()
    location = spec["components"]["schemas"]["LocationIn"]["properties"]["time_zone"]
    assert location["$ref"] == "#/components/schemas/TimeZone"
    # A file of the zone database that is not a zone is refused, as the document says.
    assert "posixrules" not in listed
    with pytest.raises(Invalid):
        zone("posixrules")


def test_catalog_patch_fields_are_nullable_exactly_where_the_core_allows(
    spec: dict[str, Any],
) -> None:
    schemas = spec["components"]["schemas"]
    for component, kind in CATALOG_PATCHES.items():
        for name, prop in schemas[component]["properties"].items():
            nullable = any(b.get("type") == "null" for b in _branches(prop))
            assert nullable == (name in NULLABLE[kind]), (component, name)


def test_names_weekdays_and_wall_times_carry_their_rules(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    assert schemas["LocationIn"]["properties"]["name"]["pattern"] == r"\S"
    weekday = schemas["WeeklyRangeIn"]["properties"]["weekday"]
    assert (weekday["minimum"], weekday["maximum"]) == (1, 7)
    assert "24:00" in schemas["WeeklyRangeIn"]["properties"]["end"]["pattern"]
    assert "24" not in schemas["WeeklyRangeIn"]["properties"]["start"]["pattern"]
    events = schemas["WebhookIn"]["properties"]["events"]["items"]["enum"]
    assert "*" in events and "appointment.booked" in events


def test_an_integral_json_number_is_an_integer(client: TestClient, db: Database) -> None:
    from appointd.app.accounts import create_account

    key = create_account(db.services, "ints").api_key
    answer = client.post(
        "/v1/resources",
        json={"name": "Room", "capacity": 3.0},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["capacity"] == 3
    refused = client.post(
        "/v1/resources",
        json={"name": "Room", "capacity": 2.5},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "capacity"


def test_nul_inside_lists_and_objects_is_refused_naming_the_field(
    client: TestClient, db: Database
) -> None:
    # PostgreSQL cannot store U+0000 in text or JSON; it was a 500 inside form options.
    from appointd.app.accounts import create_account

    headers = {"Authorization": f"Bearer {create_account(db.services, 'nul').api_key}"}
    options = client.post(
        "/v1/form-fields",
        json={"label": "Pick", "type": "select", "options": ["a", "b\u0000"]},
        headers=headers,
    )
    assert options.status_code == 422, options.text
    assert options.json()["errors"][0]["field"] == "options"
    metadata = client.patch(
        "/v1/appointments/999999", json={"metadata": {"note": "x\u0000"}}, headers=headers
    )
    assert metadata.status_code == 422, metadata.text
    assert metadata.json()["errors"][0]["field"] == "metadata"
