"""Bad input to every POST and PATCH endpoint of /v1: always a 4xx problem naming the field,
never a 500, and never a written row.

The table below lists each endpoint with a body it accepts and the ways to spoil it. Every case
runs on SQLite and PostgreSQL; each one counts the rows of every table before and after the
request, and for a PATCH also checks that the target object did not change.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from appointd.domain.status import ACTIONS
from tests.conftest import Api, Database, new_api
from tests.faces.native.row_counts import row_counts
from tests.factories import (
    book,
    clinic,
    create_resource,
)

PROBLEM = "application/problem+json"
UNKNOWN_ID = 987_654_321
TOO_BIG_ID = 2**64
# Europe/London springs forward on 2030-03-31: 01:00-02:00 local does not exist.
LONDON_GAP = "2030-03-31T01:30:00"
NUL = "bad\u0000name"


@dataclass(frozen=True)
class Raw:
    """A request body sent as-is (not JSON-encoded)."""

    text: str


World = dict[str, Any]
Body = Callable[[World], Any]
Change = Callable[[World, dict[str, Any]], Any]


@dataclass(frozen=True)
class Case:
    """One way to spoil an endpoint's valid body, and the field the problem must name."""

    label: str
    change: Change
    field: str
    status: int = 422


def merged(**fields: Any) -> Change:
    """The valid body with ``fields`` set (values may be functions of the world)."""

    def change(w: World, body: dict[str, Any]) -> dict[str, Any]:
        return {**body, **{k: v(w) if callable(v) else v for k, v in fields.items()}}

    return change


def raw(text: str) -> Change:
    return lambda w, body: Raw(text)


def lone_surrogate(field: str) -> Change:
    """The valid body with ``field`` holding a lone UTF-16 surrogate, legal only in JSON text."""

    def change(w: World, body: dict[str, Any]) -> Raw:
        text = json.dumps({**body, field: "SURROGATE"})
        return Raw(text.replace('"SURROGATE"', '"a\\ud800b"'))

    return change


def common(first_field: str, wrong_value: Any) -> list[Case]:
    """Cases every JSON-object endpoint shares: malformed JSON, unknown field, wrong type."""
    return [
        Case("malformed JSON", raw('{"' + first_field + '": '), "body"),
        Case("a JSON array instead of an object", raw("[1, 2]"), "body"),
        Case("an unknown field", merged(bogus=1), "bogus"),
        Case("a wrong type", merged(**{first_field: wrong_value}), first_field),
        Case("a NUL character in text", merged(**{first_field: NUL}), first_field),
        Case("a lone surrogate in text", lone_surrogate(first_field), first_field),
    ]


KINDS = ("location", "staff", "service", "resource", "client", "appointment")


@dataclass(frozen=True)
class Endpoint:
    """``path`` and ``target`` are templates such as ``/v1/staff/{staff}/time-off``."""

    name: str
    method: str
    path: str
    valid: Body
    cases: list[Case] = field(default_factory=list)
    # The object the request changes, to check that a refused request left it alone.
    target: str | None = None
    action: bool = False  # a status action: legal or not depends on the current status

    def url(self, w: World, template: str | None = None, id: int | None = None) -> str:
        """The template filled with the world's ids, or every id replaced by ``id``."""
        ids = {k: w[k]["id"] if id is None else id for k in KINDS}
        return (template or self.path).format(**ids)


ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "create location",
        "POST",
        "/v1/locations",
        lambda w: {"name": "Annex", "time_zone": "Europe/Paris", "address": "1 Rue"},
        [
            *common("name", 5),
            Case("an unknown time zone", merged(time_zone="Mars/Olympus_Mons"), "time_zone"),
            Case("a path as time zone", merged(time_zone="../../etc/passwd"), "time_zone"),
            Case("a missing name", lambda w, b: {"time_zone": "UTC"}, "name"),
            Case("an empty name", merged(name="  "), "name"),
            Case("a too long name", merged(name="x" * 201), "name"),
        ],
    ),
    Endpoint(
        "change location",
        "PATCH",
        "/v1/locations/{location}",
        lambda w: {"name": "Renamed", "address": "2 Road"},
        [
            *common("name", ["list"]),
            Case("an unknown time zone", merged(time_zone="Europe/Atlantis"), "time_zone"),
            Case("a null name", merged(name=None), "name"),
            Case("a null time zone", merged(time_zone=None), "time_zone"),
        ],
        target="/v1/locations/{location}",
    ),
    Endpoint(
        "create staff",
        "POST",
        "/v1/staff",
        lambda w: {
            "first_name": "Kim",
            "last_name": "Lee",
            "email": "kim@example.org",
            "location_ids": [w["location"]["id"]],
            "service_ids": [w["service"]["id"]],
            "working_hours": [{"weekday": 1, "start": "09:00", "end": "12:00"}],
            "date_overrides": [{"date": "2030-01-08", "ranges": []}],
        },
        [
            *common("first_name", 12),
            Case("an unknown time zone", merged(time_zone="Nowhere/Town"), "time_zone"),
            Case("an unknown location id", merged(location_ids=[UNKNOWN_ID]), "location_ids", 404),
            Case("an unknown service id", merged(service_ids=[UNKNOWN_ID]), "service_ids", 404),
            Case("a string id", merged(location_ids=["1"]), "location_ids[0]"),
            Case("an id beyond 64 bits", merged(location_ids=[TOO_BIG_ID]), "location_ids[0]"),
            Case("an invalid e-mail", merged(email="not-an-address"), "email"),
            Case("an e-mail with a newline", merged(email="kim@example.org\n"), "email"),
            Case("a too long e-mail", merged(email="k" * 400 + "@example.org"), "email"),
            Case(
                "a weekday out of range",
                merged(working_hours=[{"weekday": 8, "start": "09:00", "end": "12:00"}]),
                "working_hours[0].weekday",
            ),
            Case(
                "a weekday as text",
                merged(working_hours=[{"weekday": "1", "start": "09:00", "end": "12:00"}]),
                "working_hours[0].weekday",
            ),
            Case(
                "working hours ending before they start",
                merged(working_hours=[{"weekday": 1, "start": "12:00", "end": "09:00"}]),
                "working_hours[0].end",
            ),
            Case(
                "a time that is not HH:MM",
                merged(working_hours=[{"weekday": 1, "start": "9am", "end": "12:00"}]),
                "working_hours[0].start",
            ),
            Case(
                "an unknown field in working hours",
                merged(working_hours=[{"weekday": 1, "start": "09:00", "end": "12:00", "x": 1}]),
                "working_hours[0].x",
            ),
            Case(
                "an override range ending before it starts",
                merged(
                    date_overrides=[
                        {"date": "2030-01-08", "ranges": [{"start": "15:00", "end": "10:00"}]}
                    ]
                ),
                "date_overrides[0].ranges[0].end",
            ),
            Case(
                "an override that is not a date",
                merged(date_overrides=[{"date": "2030-02-30", "ranges": []}]),
                "date_overrides[0].date",
            ),
            Case(
                "an override at the edge of the calendar",
                merged(
                    time_zone="Asia/Tokyo",
                    date_overrides=[
                        {"date": "0001-01-01", "ranges": [{"start": "00:00", "end": "01:00"}]}
                    ],
                ),
                "date_overrides[0].date",
            ),
            Case(
                "an override range starting in the DST gap",
                merged(
                    date_overrides=[
                        {"date": "2030-03-31", "ranges": [{"start": "01:30", "end": "05:00"}]}
                    ]
                ),
                "date_overrides[0].ranges[0].start",
            ),
            Case(
                "an override range ending in the DST gap",
                merged(
                    date_overrides=[
                        {"date": "2030-03-31", "ranges": [{"start": "00:00", "end": "01:15"}]}
                    ]
                ),
                "date_overrides[0].ranges[0].end",
            ),
            Case(
                "a date given twice",
                merged(
                    date_overrides=[
                        {"date": "2030-01-08", "ranges": []},
                        {"date": "2030-01-08", "ranges": []},
                    ]
                ),
                "date_overrides",
            ),
            Case(
                "no time zone and no location",
                merged(location_ids=[]),
                "time_zone",
            ),
        ],
    ),
    Endpoint(
        "change staff",
        "PATCH",
        "/v1/staff/{staff}",
        lambda w: {
            "last_name": "Changed",
            "working_hours": [{"weekday": 2, "start": "10:00", "end": "11:00"}],
            "date_overrides": [{"date": "2030-01-09", "ranges": []}],
        },
        [
            *common("last_name", 1.5),
            Case("an unknown time zone", merged(time_zone="Europe/Lndon"), "time_zone"),
            Case("an unknown location id", merged(location_ids=[UNKNOWN_ID]), "location_ids", 404),
            Case("a null first name", merged(first_name=None), "first_name"),
            Case("a null list", merged(location_ids=None), "location_ids"),
            Case("working hours as text", merged(working_hours="9-5"), "working_hours"),
            Case(
                "an override range in the DST gap",
                merged(
                    date_overrides=[
                        {"date": "2030-03-31", "ranges": [{"start": "01:00", "end": "03:00"}]}
                    ]
                ),
                "date_overrides[0].ranges[0].start",
            ),
            Case(
                "a new time zone that puts a stored override in its DST gap",
                lambda w, b: {"time_zone": "Asia/Jerusalem"},
                "date_overrides[0].ranges[0].start",
            ),
        ],
        target="/v1/staff/{staff}",
    ),
    Endpoint(
        "create service",
        "POST",
        "/v1/services",
        lambda w: {
            "name": "Massage",
            "duration_minutes": 60,
            "buffer_before_minutes": 5,
            "buffer_after_minutes": 10,
            "price": "45.00",
            "currency": "EUR",
            "kind": "service",
            "capacity": 1,
            "staff_ids": [w["staff"]["id"]],
            "resource_ids": [w["resource"]["id"]],
        },
        [
            *common("name", True),
            Case("a duration as text", merged(duration_minutes="60"), "duration_minutes"),
            Case("a fractional duration", merged(duration_minutes=1.5), "duration_minutes"),
            Case("a zero duration", merged(duration_minutes=0), "duration_minutes"),
            Case("a negative buffer", merged(buffer_after_minutes=-5), "buffer_after_minutes"),
            Case("a price that is not a number", merged(price="cheap"), "price"),
            Case("a negative price", merged(price="-1.00"), "price"),
            Case("a price with fractions of a cent", merged(price="1.005"), "price"),
            Case("a price too large to store", merged(price="1e20"), "price"),
            Case("a price as a list", merged(price=[1]), "price"),
            Case("an unknown currency shape", merged(currency="euro"), "currency"),
            Case("a price without currency", merged(currency=None), "currency"),
            Case("an unknown kind", merged(kind="party"), "kind"),
            Case("a zero capacity", merged(capacity=0), "capacity"),
            Case("a capacity beyond 64 bits", merged(capacity=TOO_BIG_ID), "capacity"),
            Case("a huge minimum notice", merged(min_notice_minutes=2**40), "min_notice_minutes"),
            Case("a huge horizon", merged(max_advance_days=2**40), "max_advance_days"),
            Case("an unknown staff id", merged(staff_ids=[UNKNOWN_ID]), "staff_ids", 404),
            Case("an unknown resource id", merged(resource_ids=[UNKNOWN_ID]), "resource_ids", 404),
        ],
    ),
    Endpoint(
        "change service",
        "PATCH",
        "/v1/services/{service}",
        lambda w: {"duration_minutes": 45, "price": "50.00", "currency": "GBP"},
        [
            *common("name", 3),
            Case("a null duration", merged(duration_minutes=None), "duration_minutes"),
            Case("a null capacity", merged(capacity=None), "capacity"),
            Case("a null buffer", merged(buffer_before_minutes=None), "buffer_before_minutes"),
            Case("a null list", merged(staff_ids=None), "staff_ids"),
            Case("a too long duration", merged(duration_minutes=1441), "duration_minutes"),
            Case("a price without currency", lambda w, b: {"price": "10.00"}, "currency"),
            Case("an unknown staff id", merged(staff_ids=[UNKNOWN_ID]), "staff_ids", 404),
        ],
        target="/v1/services/{service}",
    ),
    Endpoint(
        "create resource",
        "POST",
        "/v1/resources",
        lambda w: {"name": "Room 9", "location_id": w["location"]["id"], "capacity": 2},
        [
            *common("name", {"a": 1}),
            Case("a capacity as text", merged(capacity="2"), "capacity"),
            Case("a zero capacity", merged(capacity=0), "capacity"),
            Case("an unknown location id", merged(location_id=UNKNOWN_ID), "location_id", 404),
            Case("a negative location id", merged(location_id=-1), "location_id"),
        ],
    ),
    Endpoint(
        "change resource",
        "PATCH",
        "/v1/resources/{resource}",
        lambda w: {"name": "Room 10", "capacity": 3},
        [
            *common("name", 0),
            Case("a null capacity", merged(capacity=None), "capacity"),
            Case("a null name", merged(name=None), "name"),
            Case("an unknown location id", merged(location_id=UNKNOWN_ID), "location_id", 404),
        ],
        target="/v1/resources/{resource}",
    ),
    Endpoint(
        "create client",
        "POST",
        "/v1/clients",
        lambda w: {
            "first_name": "Grace",
            "last_name": "Hopper",
            "email": "grace@example.org",
            "phone": "+44 20 7946 0000",
            "time_zone": "America/New_York",
            "external_id": "crm-1",
        },
        [
            *common("first_name", None),
            Case("an unknown time zone", merged(time_zone="America/Gotham"), "time_zone"),
            Case("an invalid e-mail", merged(email="grace@"), "email"),
            Case("a too long phone number", merged(phone="1" * 100), "phone"),
            Case("a too long external id", merged(external_id="e" * 300), "external_id"),
            Case("a number as phone", merged(phone=442079460000), "phone"),
        ],
    ),
    Endpoint(
        "change client",
        "PATCH",
        "/v1/clients/{client}",
        lambda w: {"phone": "+1 555 0100", "time_zone": "Asia/Tokyo"},
        [
            *common("email", 42),
            Case("an unknown time zone", merged(time_zone="Asia/Atlantis"), "time_zone"),
            Case("a null first name", merged(first_name=None), "first_name"),
            Case("a null last name", merged(last_name=None), "last_name"),
        ],
        target="/v1/clients/{client}",
    ),
    Endpoint(
        "add time off",
        "POST",
        "/v1/staff/{staff}/time-off",
        lambda w: {"start": "2030-01-09T12:00:00Z", "end": "2030-01-09T13:00:00Z", "reason": "x"},
        [
            *common("reason", 7),
            Case("a start that is not a time", merged(start="noon"), "start"),
            Case("a start as a number", merged(start=1_900_000_000), "start"),
            Case("an override as text", merged(override="yes"), "override"),
            Case("an end before the start", merged(end="2030-01-09T11:00:00Z"), "end"),
            Case("an end equal to the start", merged(end="2030-01-09T12:00:00Z"), "end"),
            Case("a local start in the DST gap", merged(start=LONDON_GAP), "start"),
            Case("a start at the edge of time", merged(start="0001-01-01T00:00:00+05:00"), "start"),
            Case("an end at the edge of time", merged(end="9999-12-31T23:00:00-05:00"), "end"),
            Case("a missing end", lambda w, b: {"start": b["start"]}, "end"),
        ],
    ),
    Endpoint(
        "book appointment",
        "POST",
        "/v1/appointments",
        lambda w: {
            "location_id": w["location"]["id"],
            "service_id": w["service"]["id"],
            "staff_id": w["staff"]["id"],
            "client_id": w["client"]["id"],
            "start": "2030-01-08T10:00:00Z",
            "notes": "first visit",
        },
        [
            *common("notes", 99),
            Case("a string id", merged(location_id="1"), "location_id"),
            Case("a boolean id", merged(staff_id=True), "staff_id"),
            Case("an id beyond 64 bits", merged(client_id=TOO_BIG_ID), "client_id"),
            Case("an override as a number", merged(override=1), "override"),
            Case("a start that is not a time", merged(start="tomorrow"), "start"),
            Case("a start as a number", merged(start=1_900_000_000), "start"),
            Case("an unknown status", merged(status="maybe"), "status"),
            Case("a final status", merged(status="completed"), "status"),
            Case(
                "a missing client",
                lambda w, b: {k: v for k, v in b.items() if k != "client_id"},
                "client_id",
            ),
            Case("an unknown location", merged(location_id=UNKNOWN_ID), "location_id", 404),
            Case("an unknown service", merged(service_id=UNKNOWN_ID), "service_id", 404),
            Case("an unknown staff member", merged(staff_id=UNKNOWN_ID), "staff_id", 404),
            Case("an unknown client", merged(client_id=UNKNOWN_ID), "client_id", 404),
            Case("an unknown resource", merged(resource_ids=[UNKNOWN_ID]), "resource_ids", 404),
            Case(
                "unknown additional staff",
                merged(additional_staff_ids=[UNKNOWN_ID]),
                "additional_staff_ids",
                404,
            ),
            Case(
                "an unknown coordinator",
                merged(coordinator_staff_id=UNKNOWN_ID),
                "coordinator_staff_id",
                404,
            ),
            Case("an end before the start", merged(end="2030-01-08T09:00:00Z"), "end"),
            Case("a local start in the DST gap", merged(start=LONDON_GAP), "start"),
            Case(
                "a local end in the DST gap",
                merged(start="2030-03-31T00:30:00", end=LONDON_GAP),
                "end",
            ),
            Case("a start at the edge of time", merged(start="9999-12-31T23:50:00Z"), "start"),
            Case("a start before time", merged(start="0001-01-01T00:10:00+01:00"), "start"),
            Case(
                "the main staff again as additional staff",
                merged(additional_staff_ids=lambda w: [w["staff"]["id"]]),
                "additional_staff_ids",
            ),
            Case("a time outside working hours", merged(start="2030-01-08T20:00:00Z"), "staff_id"),
        ],
    ),
    Endpoint(
        "change appointment",
        "PATCH",
        "/v1/appointments/{appointment}",
        lambda w: {"start": "2030-01-07T11:00:00Z", "notes": "moved"},
        [
            *common("notes", 5),
            Case("a start that is not a time", merged(start="later"), "start"),
            Case("a null start", merged(start=None), "start"),
            Case("a null service", merged(service_id=None), "service_id"),
            Case("a null client", merged(client_id=None), "client_id"),
            Case("an end before the start", merged(end="2030-01-07T10:00:00Z"), "end"),
            Case("a local start in the DST gap", merged(start=LONDON_GAP), "start"),
            Case("an unknown staff member", merged(staff_id=UNKNOWN_ID), "staff_id", 404),
            Case("an unknown client", lambda w, b: {"client_id": UNKNOWN_ID}, "client_id", 404),
            Case(
                "an unknown coordinator",
                lambda w, b: {"coordinator_staff_id": UNKNOWN_ID},
                "coordinator_staff_id",
                404,
            ),
            Case("an unknown resource", merged(resource_ids=[UNKNOWN_ID]), "resource_ids", 404),
            Case("an unknown location", merged(location_id=UNKNOWN_ID), "location_id", 404),
            Case("an id beyond 64 bits", merged(service_id=TOO_BIG_ID), "service_id"),
            Case("a start at the edge of time", merged(start="9999-12-31T23:59:00Z"), "start"),
        ],
        target="/v1/appointments/{appointment}",
    ),
    *(
        Endpoint(
            f"{action} appointment",
            "POST",
            f"/v1/appointments/{{appointment}}/{action}",
            lambda w: {"reason": "client called"},
            [
                Case("malformed JSON", raw('{"reason": '), "body"),
                Case("an unknown field", merged(bogus=1), "bogus"),
                Case("a wrong type", merged(reason=5), "reason"),
                Case("a NUL character in text", merged(reason=NUL), "reason"),
                Case("a lone surrogate in text", lone_surrogate("reason"), "reason"),
            ],
            target="/v1/appointments/{appointment}",
            action=True,
        )
        for action in ACTIONS
    ),
]


def build_world(api: Any) -> World:
    """A clinic with a resource, a booked appointment and a stored date override."""
    world: World = clinic(api)
    world["resource"] = create_resource(api, location_id=world["location"]["id"])
    response = book(api, world, "2030-01-07T10:00:00Z")
    assert response.status_code == 201, response.text
    world["appointment"] = response.json()
    # Fine in London; 2030-03-29 02:00-03:00 does not exist in Asia/Jerusalem (spring forward).
    staff_path = f"/v1/staff/{world['staff']['id']}"
    stored = {"date": "2030-03-29", "ranges": [{"start": "02:30", "end": "06:00"}]}
    response = api.patch(staff_path, json={"date_overrides": [stored]})
    assert response.status_code == 200, response.text
    world["staff"] = response.json()
    return world


# One world per database for the tests whose requests are all refused: a refused request
# writes nothing (which each of them checks), so they can share it and skip rebuilding it.
_SHARED: dict[str, tuple[int, str, World]] = {}


@pytest.fixture
def shared(app_client: TestClient, db: Database) -> tuple[Api, World]:
    """An account with a :func:`build_world`, built once per database and then reused."""
    if db.url not in _SHARED:
        fresh = new_api(app_client, db, "Bad input clinic")
        _SHARED[db.url] = (fresh.account_id, fresh.key, build_world(fresh))
    account_id, key, world = _SHARED[db.url]
    return Api(app_client, account_id, key, db), world


def send(api: Any, method: str, path: str, body: Any) -> Any:
    if isinstance(body, Raw):
        return api.request(
            method, path, content=body.text, headers={"Content-Type": "application/json"}
        )
    return api.request(method, path, json=body)


CASES = [(e, c) for e in ENDPOINTS for c in e.cases]


@pytest.mark.parametrize(
    ("endpoint", "case"), CASES, ids=[f"{e.name}: {c.label}" for e, c in CASES]
)
def test_bad_input_is_a_problem_naming_the_field_and_writes_nothing(
    shared: tuple[Api, World], db: Database, endpoint: Endpoint, case: Case
) -> None:
    api, world = shared
    body = case.change(world, endpoint.valid(world))
    target = endpoint.url(world, endpoint.target) if endpoint.target else None
    before_target = api.get(target).json() if target else None
    before = row_counts(db.engine)

    response = send(api, endpoint.method, endpoint.url(world), body)

    assert response.status_code == case.status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert {"type", "title", "status", "detail"} <= problem.keys()
    assert problem["status"] == case.status
    assert case.field in [e["field"] for e in problem.get("errors", [])], problem
    assert row_counts(db.engine) == before
    if target:
        assert api.get(target).json() == before_target


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_the_valid_body_of_each_endpoint_is_accepted_so_the_cases_above_mean_something(
    api: Any, endpoint: Endpoint
) -> None:
    world = build_world(api)
    response = send(api, endpoint.method, endpoint.url(world), endpoint.valid(world))
    if endpoint.action:
        # On a confirmed appointment an action is either legal or an illegal transition.
        assert response.status_code in (200, 409), response.text
    else:
        assert response.status_code in (200, 201), response.text


WITH_IDS = [e for e in ENDPOINTS if "{" in e.path]


@pytest.mark.parametrize("endpoint", WITH_IDS, ids=[e.name for e in WITH_IDS])
@pytest.mark.parametrize("bad_id", [UNKNOWN_ID, -1, 0, TOO_BIG_ID])
def test_an_unknown_id_in_the_path_is_404_and_writes_nothing(
    shared: tuple[Api, World], db: Database, endpoint: Endpoint, bad_id: int
) -> None:
    api, world = shared
    before = row_counts(db.engine)

    response = send(api, endpoint.method, endpoint.url(world, id=bad_id), endpoint.valid(world))

    assert response.status_code == 404, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert row_counts(db.engine) == before


def test_a_missing_body_is_a_problem_naming_the_body(api: Any, db: Any) -> None:
    before = row_counts(db.engine)
    response = api.post("/v1/locations")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    assert row_counts(db.engine) == before


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=yesterday", "from"),
        ("from=2030-01-07T10:00:00", "from"),
        ("from=2030-01-08T00:00:00Z&to=2030-01-07T00:00:00Z", "to"),
        ("from=0001-01-01T00:00:00%2B05:00", "from"),
        ("to=9999-12-31T23:00:00-05:00", "to"),
        ("staff_id=abc", "staff_id"),
        (f"staff_id={TOO_BIG_ID}", "staff_id"),
        ("status=maybe", "status"),
        ("sort=price", "sort"),
        ("limit=0", "limit"),
        ("limit=ten", "limit"),
        ("offset=-1", "offset"),
        (f"offset={2**70}", "offset"),
        ("include_archived=perhaps", "include_archived"),
    ],
)
def test_bad_list_filters_are_a_problem_naming_the_parameter(
    api: Any, query: str, field: str
) -> None:
    response = api.get(f"/v1/appointments?{query}")
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert field in [e["field"] for e in response.json()["errors"]]


@pytest.mark.parametrize("kind", ["locations", "staff", "services", "resources", "clients"])
@pytest.mark.parametrize(("query", "field"), [("limit=0", "limit"), (f"offset={2**70}", "offset")])
def test_bad_paging_of_catalog_lists_is_a_problem_naming_the_parameter(
    api: Any, kind: str, query: str, field: str
) -> None:
    response = api.get(f"/v1/{kind}?{query}")
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]
