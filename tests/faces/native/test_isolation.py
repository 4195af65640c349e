"""Accounts are walls: account B can neither see, change nor use anything of account A.

Another account's object answers exactly like a missing one (404), in paths and inside request
bodies alike, and B's lists never show A's objects. Without a valid key nothing answers but 401.
"""

from __future__ import annotations

from typing import Any

import pytest

from appointd.domain.status import ACTIONS
from tests.conftest import Api, Database
from tests.faces.native.row_counts import row_counts
from tests.factories import book, clinic, create_location, create_resource, create_staff

PROBLEM = "application/problem+json"
SPAN = {"start": "2030-01-07T12:00:00Z", "end": "2030-01-07T13:00:00Z"}


@pytest.fixture
def a_world(api: Api) -> dict[str, Any]:
    """Account A's clinic: every kind, an appointment, time off and a second staff member."""
    world = clinic(api)
    world["resource"] = create_resource(api, location_id=world["location"]["id"])
    world["helper"] = create_staff(api, world["location"], first_name="Helper")
    response = book(api, world, "2030-01-07T10:00:00Z", resource_ids=[world["resource"]["id"]])
    assert response.status_code == 201, response.text
    world["appointment"] = response.json()
    off = api.post(f"/v1/staff/{world['staff']['id']}/time-off", json=SPAN)
    assert off.status_code == 201, off.text
    world["time_off"] = off.json()
    return world


def not_found(response: Any) -> dict[str, Any]:
    assert response.status_code == 404, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    return body


def requests_on_a(w: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(method, path, body) for every endpoint that takes an id of A's in its path."""
    patches = {
        "locations": ("location", {"name": "Taken over"}),
        "staff": ("staff", {"first_name": "Taken"}),
        "services": ("service", {"name": "Taken over"}),
        "resources": ("resource", {"name": "Taken over"}),
        "clients": ("client", {"first_name": "Taken"}),
        "appointments": ("appointment", {"notes": "taken over"}),
    }
    out: list[tuple[str, str, Any]] = []
    for kind, (key, patch) in patches.items():
        path = f"/v1/{kind}/{w[key]['id']}"
        out += [("GET", path, None), ("PATCH", path, patch), ("DELETE", path, None)]
    appt = f"/v1/appointments/{w['appointment']['id']}"
    out.append(("GET", f"{appt}/history", None))
    out += [("POST", f"{appt}/{action}", {"reason": "taken over"}) for action in ACTIONS]
    time_off = f"/v1/staff/{w['staff']['id']}/time-off"
    out += [
        ("GET", time_off, None),
        ("POST", time_off, {"start": "2030-01-08T12:00:00Z", "end": "2030-01-08T13:00:00Z"}),
        ("DELETE", f"{time_off}/{w['time_off']['id']}", None),
    ]
    return out


def test_b_gets_404_for_every_object_of_a_on_every_endpoint_and_changes_nothing(
    api: Api, other_api: Api, a_world: dict[str, Any], db: Database
) -> None:
    before = row_counts(db.engine)
    for method, path, body in requests_on_a(a_world):
        response = other_api.request(method, path, json=body)
        assert response.status_code == 404, (method, path, response.text)
        assert response.headers["content-type"].startswith(PROBLEM)
    assert row_counts(db.engine) == before
    # A still sees everything as it was.
    appt = api.get(f"/v1/appointments/{a_world['appointment']['id']}").json()
    assert appt == a_world["appointment"]
    for kind, key in [("locations", "location"), ("staff", "staff"), ("clients", "client")]:
        assert api.get(f"/v1/{kind}/{a_world[key]['id']}").json()["archived_at"] is None
    assert len(api.get(f"/v1/staff/{a_world['staff']['id']}/time-off").json()) == 1


def test_a_time_off_id_of_a_is_404_under_b_s_own_staff_member(
    other_api: Api, a_world: dict[str, Any]
) -> None:
    mine = create_staff(other_api, create_location(other_api))
    not_found(other_api.delete(f"/v1/staff/{mine['id']}/time-off/{a_world['time_off']['id']}"))


@pytest.mark.parametrize(
    "kind", ["locations", "staff", "services", "resources", "clients", "appointments"]
)
def test_b_s_lists_never_show_a_s_objects(
    api: Api, other_api: Api, a_world: dict[str, Any], kind: str
) -> None:
    clinic(other_api)  # B has objects of its own
    a_ids = {item["id"] for item in api.get(f"/v1/{kind}?include_archived=true").json()["items"]}
    assert a_ids
    for query in ["", "?include_archived=true", "?limit=500"]:
        listed = other_api.get(f"/v1/{kind}{query}").json()
        b_ids = {item["id"] for item in listed["items"]}
        assert not a_ids & b_ids
        assert listed["total"] == len(b_ids)


def test_b_cannot_find_a_s_appointments_by_filtering_on_a_s_ids(
    other_api: Api, a_world: dict[str, Any]
) -> None:
    for name, key in [
        ("staff_id", "staff"),
        ("location_id", "location"),
        ("service_id", "service"),
        ("client_id", "client"),
        ("resource_id", "resource"),
    ]:
        found = other_api.get(f"/v1/appointments?{name}={a_world[key]['id']}").json()
        assert found["items"] == [] and found["total"] == 0


def booking_of(world: dict[str, Any]) -> dict[str, Any]:
    return {
        "location_id": world["location"]["id"],
        "service_id": world["service"]["id"],
        "staff_id": world["staff"]["id"],
        "client_id": world["client"]["id"],
        "start": "2030-01-07T15:00:00Z",
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("location_id", lambda a: a["location"]["id"]),
        ("service_id", lambda a: a["service"]["id"]),
        ("staff_id", lambda a: a["staff"]["id"]),
        ("client_id", lambda a: a["client"]["id"]),
        ("resource_ids", lambda a: [a["resource"]["id"]]),
        ("additional_staff_ids", lambda a: [a["helper"]["id"]]),
        ("coordinator_staff_id", lambda a: a["helper"]["id"]),
    ],
)
def test_booking_with_an_id_of_a_is_404_naming_the_field(
    other_api: Api, a_world: dict[str, Any], db: Database, field: str, value: Any
) -> None:
    b_world = clinic(other_api)
    body = {**booking_of(b_world), field: value(a_world)}
    before = row_counts(db.engine)
    problem = not_found(other_api.post("/v1/appointments", json=body))
    assert [e["field"] for e in problem["errors"]] == [field]
    assert row_counts(db.engine) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("staff_id", lambda a: a["staff"]["id"]),
        ("client_id", lambda a: a["client"]["id"]),
        ("service_id", lambda a: a["service"]["id"]),
        ("location_id", lambda a: a["location"]["id"]),
        ("resource_ids", lambda a: [a["resource"]["id"]]),
        ("additional_staff_ids", lambda a: [a["helper"]["id"]]),
        ("coordinator_staff_id", lambda a: a["helper"]["id"]),
    ],
)
def test_changing_an_appointment_to_an_id_of_a_is_404_naming_the_field(
    other_api: Api, a_world: dict[str, Any], field: str, value: Any
) -> None:
    b_world = clinic(other_api)
    appt = other_api.post("/v1/appointments", json=booking_of(b_world)).json()
    path = f"/v1/appointments/{appt['id']}"
    problem = not_found(other_api.patch(path, json={field: value(a_world)}))
    assert [e["field"] for e in problem["errors"]] == [field]
    assert other_api.get(path).json() == appt


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/v1/staff",
            lambda a: {"first_name": "X", "location_ids": [a["location"]["id"]]},
            "location_ids",
        ),
        (
            "/v1/staff",
            lambda a: {"first_name": "X", "time_zone": "UTC", "service_ids": [a["service"]["id"]]},
            "service_ids",
        ),
        (
            "/v1/services",
            lambda a: {"name": "X", "duration_minutes": 30, "staff_ids": [a["staff"]["id"]]},
            "staff_ids",
        ),
        (
            "/v1/services",
            lambda a: {"name": "X", "duration_minutes": 30, "resource_ids": [a["resource"]["id"]]},
            "resource_ids",
        ),
        (
            "/v1/resources",
            lambda a: {"name": "X", "location_id": a["location"]["id"]},
            "location_id",
        ),
    ],
)
def test_catalog_objects_of_b_cannot_refer_to_objects_of_a(
    other_api: Api, a_world: dict[str, Any], db: Database, path: str, body: Any, field: str
) -> None:
    before = row_counts(db.engine)
    problem = not_found(other_api.post(path, json=body(a_world)))
    assert [e["field"] for e in problem["errors"]] == [field]
    assert row_counts(db.engine) == before


def test_b_s_staff_member_cannot_be_moved_to_a_s_location(
    other_api: Api, a_world: dict[str, Any]
) -> None:
    staff = create_staff(other_api, create_location(other_api))
    path = f"/v1/staff/{staff['id']}"
    problem = not_found(other_api.patch(path, json={"location_ids": [a_world["location"]["id"]]}))
    assert [e["field"] for e in problem["errors"]] == ["location_ids"]
    assert other_api.get(path).json() == staff


def test_b_can_book_the_same_time_a_has_booked(other_api: Api, a_world: dict[str, Any]) -> None:
    b_world = clinic(other_api)
    body = {**booking_of(b_world), "start": a_world["appointment"]["start"]}
    assert other_api.post("/v1/appointments", json=body).status_code == 201


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer apd_not-a-real-key"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "apd_no-scheme"},
    ],
    ids=["no header", "unknown key", "empty key", "basic auth", "no scheme"],
)
def test_requests_without_a_valid_key_are_401_problems(
    app_client: Any, a_world: dict[str, Any], headers: dict[str, str]
) -> None:
    for method, path, body in [
        ("GET", "/v1/locations", None),
        ("GET", f"/v1/appointments/{a_world['appointment']['id']}", None),
        ("POST", "/v1/clients", {"first_name": "Eve"}),
        ("POST", "/v1/clients", {"bogus": 1}),
        ("POST", "/v1/clients", '{"first_name": '),  # malformed JSON: still 401 first
        ("PATCH", "/v1/clients/abc", None),
        ("DELETE", f"/v1/clients/{a_world['client']['id']}", None),
    ]:
        sent = {"content": body} if isinstance(body, str) else {"json": body}
        response = app_client.request(
            method, path, headers={**headers, "Content-Type": "application/json"}, **sent
        )
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["content-type"].startswith(PROBLEM)
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["status"] == 401
