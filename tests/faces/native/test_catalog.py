"""The catalog through /v1: locations, staff, services, resources and clients.

Every kind has the same life: POST (201), GET one, GET list, PATCH (checked again as a whole),
DELETE (soft: archived, hidden from lists unless ``include_archived=true``, still readable by
id). Staff add working hours, date overrides and time off. 2030-01-07 is a Monday; the default
location is in Europe/London.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import Api, StatementCounter
from tests.factories import (
    WEEKDAYS_9_TO_5,
    book,
    clinic,
    create_location,
    create_staff,
)

PROBLEM = "application/problem+json"


@dataclass(frozen=True)
class Kind:
    """How to create and change one kind, and what the answers must show."""

    path: str
    create: Callable[[Api], dict[str, Any]]
    patch: dict[str, Any]
    # Fields the created object must echo back (a subset of the body, rendered).
    echoed: Callable[[dict[str, Any]], dict[str, Any]]


def _location(api: Api) -> dict[str, Any]:
    return {"name": "Harbour", "time_zone": "America/New_York", "address": "1 Pier"}


def _staff(api: Api) -> dict[str, Any]:
    location = create_location(api)
    return {
        "first_name": "Noor",
        "last_name": "Haddad",
        "email": "noor@example.org",
        "location_ids": [location["id"]],
        "working_hours": [
            {"weekday": 1, "start": "09:00", "end": "12:00"},
            {"weekday": 1, "start": "13:00", "end": "17:00"},
        ],
        "date_overrides": [{"date": "2030-01-09", "ranges": []}],
    }


def _service(api: Api) -> dict[str, Any]:
    return {
        "name": "Massage",
        "duration_minutes": 60,
        "buffer_before_minutes": 10,
        "buffer_after_minutes": 15,
        "price": "45.00",
        "currency": "EUR",
        "kind": "class",
        "capacity": 8,
    }


def _resource(api: Api) -> dict[str, Any]:
    return {"name": "Room 2", "location_id": create_location(api)["id"]}


def _client(api: Api) -> dict[str, Any]:
    return {
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": "grace@example.org",
        "phone": "+1 555 0100",
        "time_zone": "America/Chicago",
        "external_id": "crm-42",
    }


KINDS = {
    "locations": Kind(
        "/v1/locations", _location, {"name": "Harbour West", "address": None}, lambda b: b
    ),
    "staff": Kind(
        "/v1/staff",
        _staff,
        {"last_name": "Haddad-Smith", "email": None},
        lambda b: {k: v for k, v in b.items() if k not in {"working_hours", "date_overrides"}},
    ),
    "services": Kind(
        "/v1/services", _service, {"duration_minutes": 90, "price": "50"}, lambda b: b
    ),
    "resources": Kind("/v1/resources", _resource, {"capacity": 3}, lambda b: b),
    "clients": Kind(
        "/v1/clients", _client, {"phone": None, "time_zone": "Europe/Rome"}, lambda b: b
    ),
}


def ids_of(response: Any) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


# -- the shared life of every kind ----------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_is_created_read_listed_changed_and_archived(api: Api, kind: str) -> None:
    k = KINDS[kind]
    body = k.create(api)
    created = api.post(k.path, json=body)
    assert created.status_code == 201, created.text
    obj = created.json()
    assert obj["id"] > 0
    assert {f: obj[f] for f in k.echoed(body)} == k.echoed(body)
    assert obj["archived_at"] is None
    assert obj["created_at"] and obj["updated_at"]

    one = api.get(f"{k.path}/{obj['id']}")
    assert one.status_code == 200
    assert one.json() == obj
    assert obj["id"] in ids_of(api.get(k.path))

    changed = api.patch(f"{k.path}/{obj['id']}", json=k.patch)
    assert changed.status_code == 200, changed.text
    after = changed.json()
    for field, value in k.patch.items():
        expected = f"{float(value):.2f}" if field == "price" else value
        assert after[field] == expected
    untouched = set(obj) - set(k.patch) - {"updated_at"}
    assert {f: after[f] for f in untouched} == {f: obj[f] for f in untouched}
    assert after["updated_at"] >= obj["updated_at"]
    assert api.get(f"{k.path}/{obj['id']}").json() == after

    archived = api.delete(f"{k.path}/{obj['id']}")
    assert archived.status_code == 204
    assert archived.content == b""
    still = api.get(f"{k.path}/{obj['id']}")
    assert still.status_code == 200
    assert still.json()["archived_at"] is not None
    assert obj["id"] not in ids_of(api.get(k.path))
    assert obj["id"] in ids_of(api.get(f"{k.path}?include_archived=true"))
    assert api.delete(f"{k.path}/{obj['id']}").status_code == 204  # archiving twice is harmless


@pytest.mark.parametrize("kind", list(KINDS))
def test_lists_page_with_limit_offset_and_a_total(api: Api, kind: str) -> None:
    k = KINDS[kind]
    made = []
    for _ in range(5):
        response = api.post(k.path, json=k.create(api))
        assert response.status_code == 201, response.text
        made.append(response.json()["id"])
    archived = made.pop()
    api.delete(f"{k.path}/{archived}")
    everything = api.get(f"{k.path}?limit=500").json()
    mine = [i for i in ids_of(api.get(f"{k.path}?limit=500")) if i in made]
    assert mine == made  # oldest first

    page = api.get(f"{k.path}?limit=2&offset=1").json()
    assert page["limit"] == 2 and page["offset"] == 1
    assert page["total"] == everything["total"]
    assert [i["id"] for i in page["items"]] == [i["id"] for i in everything["items"]][1:3]
    with_archived = api.get(f"{k.path}?include_archived=true").json()
    assert with_archived["total"] == everything["total"] + 1


@pytest.mark.parametrize(
    ("kind", "patch", "field"),
    [
        ("locations", {"time_zone": "Europe/Nowhere"}, "time_zone"),
        ("locations", {"name": ""}, "name"),
        ("staff", {"email": "nobody"}, "email"),
        ("staff", {"time_zone": "Mars/Base"}, "time_zone"),
        ("services", {"currency": None}, "currency"),  # it has a price, so it needs a currency
        ("services", {"buffer_before_minutes": 2000}, "buffer_before_minutes"),
        ("services", {"kind": "party"}, "kind"),
        ("resources", {"capacity": 0}, "capacity"),
        ("clients", {"time_zone": "Asia/Nowhere"}, "time_zone"),
        ("clients", {"first_name": " "}, "first_name"),
    ],
)
def test_a_patch_is_checked_like_a_post_and_a_refused_one_changes_nothing(
    api: Api, kind: str, patch: dict[str, Any], field: str
) -> None:
    k = KINDS[kind]
    obj = api.post(k.path, json=k.create(api)).json()
    response = api.patch(f"{k.path}/{obj['id']}", json=patch)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert field in [e["field"] for e in response.json()["errors"]]
    assert api.get(f"{k.path}/{obj['id']}").json() == obj


def test_an_empty_patch_changes_nothing_but_the_update_stamp(api: Api) -> None:
    location = create_location(api)
    response = api.patch(f"/v1/locations/{location['id']}", json={})
    assert response.status_code == 200
    assert {**response.json(), "updated_at": None} == {**location, "updated_at": None}


# -- kind by kind ----------------------------------------------------------------------------


def test_a_service_keeps_its_price_as_a_decimal_string_with_currency(api: Api) -> None:
    service = api.post(
        "/v1/services",
        json={"name": "Cut", "duration_minutes": 30, "price": "19.9", "currency": "GBP"},
    ).json()
    assert service["price"] == "19.90"
    assert service["currency"] == "GBP"
    assert service["kind"] == "service"
    assert service["capacity"] == 1
    assert service["buffer_before_minutes"] == service["buffer_after_minutes"] == 0
    free = api.post("/v1/services", json={"name": "Chat", "duration_minutes": 15}).json()
    assert free["price"] is None and free["currency"] is None


def test_a_resource_has_capacity_one_unless_told_otherwise(api: Api) -> None:
    resource = api.post("/v1/resources", json={"name": "Chair"}).json()
    assert resource["capacity"] == 1
    assert resource["location_id"] is None


def test_a_service_may_name_its_staff_and_resources(api: Api) -> None:
    world = clinic(api)
    room = api.post("/v1/resources", json={"name": "Room"}).json()
    service = api.post(
        "/v1/services",
        json={
            "name": "Two-handed",
            "duration_minutes": 45,
            "staff_ids": [world["staff"]["id"]],
            "resource_ids": [room["id"]],
        },
    ).json()
    assert service["staff_ids"] == [world["staff"]["id"]]
    assert service["resource_ids"] == [room["id"]]


def test_staff_take_the_time_zone_of_their_first_location_unless_given_one(api: Api) -> None:
    new_york = create_location(api, time_zone="America/New_York")
    tokyo = create_location(api, time_zone="Asia/Tokyo")
    defaulted = create_staff(api, new_york, location_ids=[new_york["id"], tokyo["id"]])
    assert defaulted["time_zone"] == "America/New_York"
    explicit = create_staff(api, new_york, time_zone="Europe/Berlin")
    assert explicit["time_zone"] == "Europe/Berlin"

    moved = api.patch(
        f"/v1/staff/{explicit['id']}", json={"location_ids": [tokyo["id"]], "time_zone": None}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["time_zone"] == "Asia/Tokyo"


def test_staff_without_a_location_must_name_a_time_zone(api: Api) -> None:
    response = api.post("/v1/staff", json={"first_name": "Solo"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["time_zone"]
    ok = api.post("/v1/staff", json={"first_name": "Solo", "time_zone": "Africa/Lagos"})
    assert ok.status_code == 201
    assert ok.json()["location_ids"] == []


def test_working_hours_may_have_several_ranges_a_day_and_come_back_sorted(api: Api) -> None:
    location = create_location(api)
    hours = [
        {"weekday": 3, "start": "14:00", "end": "18:00"},
        {"weekday": 1, "start": "13:00", "end": "17:00"},
        {"weekday": 1, "start": "08:00", "end": "12:00"},
    ]
    staff = create_staff(api, location, working_hours=hours)
    assert staff["working_hours"] == [
        {"weekday": 1, "start": "08:00", "end": "12:00"},
        {"weekday": 1, "start": "13:00", "end": "17:00"},
        {"weekday": 3, "start": "14:00", "end": "18:00"},
    ]
    overlapping = api.patch(
        f"/v1/staff/{staff['id']}",
        json={"working_hours": [*hours, {"weekday": 1, "start": "11:00", "end": "14:00"}]},
    )
    assert overlapping.status_code == 422
    assert api.get(f"/v1/staff/{staff['id']}").json()["working_hours"] == staff["working_hours"]


def test_date_overrides_are_stored_sorted_and_a_patch_replaces_them(api: Api) -> None:
    location = create_location(api)
    staff = create_staff(
        api,
        location,
        date_overrides=[
            {"date": "2030-01-12", "ranges": [{"start": "10:00", "end": "14:00"}]},
            {"date": "2030-01-08", "ranges": []},
        ],
    )
    assert staff["date_overrides"] == [
        {"date": "2030-01-08", "ranges": []},
        {"date": "2030-01-12", "ranges": [{"start": "10:00", "end": "14:00"}]},
    ]
    replaced = api.patch(
        f"/v1/staff/{staff['id']}", json={"date_overrides": [{"date": "2030-02-01", "ranges": []}]}
    ).json()
    assert replaced["date_overrides"] == [{"date": "2030-02-01", "ranges": []}]
    kept = api.patch(f"/v1/staff/{staff['id']}", json={"first_name": "Robin"}).json()
    assert kept["date_overrides"] == replaced["date_overrides"]


def test_an_override_with_no_ranges_is_a_day_off_and_one_with_ranges_replaces_the_week(
    api: Api,
) -> None:
    world = clinic(api)
    staff_path = f"/v1/staff/{world['staff']['id']}"
    api.patch(
        staff_path,
        json={
            "date_overrides": [
                {"date": "2030-01-08", "ranges": []},  # a Tuesday off
                {"date": "2030-01-12", "ranges": [{"start": "10:00", "end": "12:00"}]},  # Saturday
                {"date": "2030-01-09", "ranges": [{"start": "06:00", "end": "08:00"}]},
            ]
        },
    )
    day_off = book(api, world, "2030-01-08T10:00:00Z")
    assert day_off.status_code == 422
    assert day_off.json()["errors"][0]["field"] == "staff_id"
    assert book(api, world, "2030-01-12T10:30:00Z").status_code == 201
    # On 2030-01-09 only the override's hours count, not the weekly 09:00-17:00.
    assert book(api, world, "2030-01-09T10:00:00Z").status_code == 422
    assert book(api, world, "2030-01-09T06:30:00Z").status_code == 201


def test_a_break_between_two_ranges_cannot_be_booked(api: Api) -> None:
    world = clinic(api)
    api.patch(
        f"/v1/staff/{world['staff']['id']}",
        json={
            "working_hours": [
                {"weekday": 1, "start": "09:00", "end": "12:00"},
                {"weekday": 1, "start": "13:00", "end": "17:00"},
            ]
        },
    )
    assert book(api, world, "2030-01-07T11:45:00Z").status_code == 422  # runs into the break
    assert book(api, world, "2030-01-07T12:15:00Z").status_code == 422  # inside the break
    assert book(api, world, "2030-01-07T11:30:00Z").status_code == 201  # ends as it starts
    assert book(api, world, "2030-01-07T13:00:00Z").status_code == 201


def test_an_override_on_a_dst_day_is_checked_in_the_staff_members_zone(api: Api) -> None:
    location = create_location(api, time_zone="America/New_York")
    staff = create_staff(api, location)
    # 2030-03-10 02:00-03:00 does not exist in New York; in London it does.
    gap = {"date": "2030-03-10", "ranges": [{"start": "02:30", "end": "06:00"}]}
    refused = api.patch(f"/v1/staff/{staff['id']}", json={"date_overrides": [gap]})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "date_overrides[0].ranges[0].start"
    london = api.patch(
        f"/v1/staff/{staff['id']}", json={"date_overrides": [gap], "time_zone": "Europe/London"}
    )
    assert london.status_code == 200, london.text
    # Moving back to New York would put the stored override into the gap.
    back = api.patch(f"/v1/staff/{staff['id']}", json={"time_zone": "America/New_York"})
    assert back.status_code == 422
    assert back.json()["errors"][0]["field"] == "date_overrides[0].ranges[0].start"
    assert api.get(f"/v1/staff/{staff['id']}").json()["time_zone"] == "Europe/London"


# -- time off --------------------------------------------------------------------------------


def test_time_off_is_added_listed_shown_on_the_staff_member_and_removed(api: Api) -> None:
    location = create_location(api)
    staff = create_staff(api, location)
    path = f"/v1/staff/{staff['id']}/time-off"
    later = api.post(
        path,
        json={"start": "2030-02-01T09:00:00Z", "end": "2030-02-01T17:00:00Z", "reason": "Dentist"},
    )
    assert later.status_code == 201, later.text
    sooner = api.post(path, json={"start": "2030-01-10T12:00:00Z", "end": "2030-01-10T13:00:00Z"})
    assert sooner.status_code == 201
    entry = later.json()
    assert entry["staff_id"] == staff["id"]
    assert entry["reason"] == "Dentist"
    assert [t["id"] for t in api.get(path).json()] == [sooner.json()["id"], entry["id"]]
    shown = api.get(f"/v1/staff/{staff['id']}").json()["time_off"]
    assert [t["id"] for t in shown] == [sooner.json()["id"], entry["id"]]

    assert api.delete(f"{path}/{entry['id']}").status_code == 204
    assert [t["id"] for t in api.get(path).json()] == [sooner.json()["id"]]
    assert api.delete(f"{path}/{entry['id']}").status_code == 404


def test_naive_time_off_is_wall_time_in_the_staff_members_zone(api: Api) -> None:
    location = create_location(api, time_zone="America/New_York")
    staff = create_staff(api, location)
    entry = api.post(
        f"/v1/staff/{staff['id']}/time-off",
        json={"start": "2030-07-01T09:00:00", "end": "2030-07-01T10:00:00"},
    ).json()
    assert entry["start"] == "2030-07-01T13:00:00Z"
    assert entry["end"] == "2030-07-01T14:00:00Z"


def test_time_off_over_a_booked_appointment_needs_override(api: Api) -> None:
    world = clinic(api)
    appt = book(api, world, "2030-01-07T10:00:00Z").json()
    path = f"/v1/staff/{world['staff']['id']}/time-off"
    span = {"start": "2030-01-07T09:00:00Z", "end": "2030-01-07T12:00:00Z"}
    refused = api.post(path, json=span)
    assert refused.status_code == 409
    assert [c["appointment_id"] for c in refused.json()["conflicts"]] == [appt["id"]]
    assert api.get(path).json() == []
    forced = api.post(path, json={**span, "override": True})
    assert forced.status_code == 201
    assert api.get(f"/v1/appointments/{appt['id']}").json()["status"] == "confirmed"


def test_time_off_of_an_unknown_staff_member_is_404(api: Api) -> None:
    span = {"start": "2030-01-07T09:00:00Z", "end": "2030-01-07T12:00:00Z"}
    assert api.post("/v1/staff/123456789/time-off", json=span).status_code == 404
    assert api.get("/v1/staff/123456789/time-off").status_code == 404


# -- bounded queries -------------------------------------------------------------------------


def _staff_with_details(api: Api, location: dict[str, Any], n: int) -> None:
    for i in range(n):
        staff = create_staff(
            api,
            location,
            first_name=f"S{i}",
            working_hours=WEEKDAYS_9_TO_5,
            date_overrides=[{"date": "2030-01-08", "ranges": []}],
        )
        api.post(
            f"/v1/staff/{staff['id']}/time-off",
            json={"start": "2030-01-09T09:00:00Z", "end": "2030-01-09T10:00:00Z"},
        )


def test_listing_staff_costs_the_same_statements_for_twenty_as_for_two(
    api: Api, other_api: Api, count_statements: StatementCounter
) -> None:
    _staff_with_details(api, create_location(api), 2)
    _staff_with_details(other_api, create_location(other_api), 20)

    with count_statements as few:
        small = api.get("/v1/staff")
    with StatementCounter(count_statements.engine) as many:
        large = other_api.get("/v1/staff")

    assert len(small.json()["items"]) == 2
    assert len(large.json()["items"]) == 20
    assert all(s["time_off"] and s["date_overrides"] for s in large.json()["items"])
    assert many.count == few.count, many.statements
    assert many.count <= 6  # key, count, page, overrides, time off
