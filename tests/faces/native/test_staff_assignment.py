"""POST /v1/appointments without staff_id: a qualified, free staff member is assigned round-robin.

Order: fewest holding appointments that local day, then least recently booked (never booked
first), then lowest id. 2030-01-07 is a Monday; the location is in Europe/London (+00:00).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from appointd.app import appointments
from appointd.app.commands import BookAppointment
from appointd.asgi import create_app
from appointd.domain.errors import SlotTaken
from tests.conftest import Api, Database, StatementCounter, new_api
from tests.factories import create_client, create_location, create_service, create_staff

MONDAY_10 = "2030-01-07T10:00:00Z"


@pytest.fixture
def api(db: Database) -> Iterator[Api]:
    """A fresh account on an app whose clock stands at 2029-12-01."""
    services = dataclasses.replace(db.services, clock=lambda: datetime(2029, 12, 1, tzinfo=UTC))
    with TestClient(create_app(db.settings, services), raise_server_exceptions=False) as client:
        yield new_api(client, db, "Assignment clinic")


def team(api: Api, size: int, **service_fields: Any) -> dict[str, Any]:
    """A location, ``size`` staff members (Mon-Fri 09:00-17:00) offering one service, a client."""
    location = create_location(api)
    people = [create_staff(api, location, first_name=f"S{i}") for i in range(size)]
    service = create_service(api, staff_ids=[p["id"] for p in people], **service_fields)
    return {
        "location": location,
        "people": people,
        "ids": [p["id"] for p in people],
        "service": service,
        "client": create_client(api),
    }


def book(api: Api, world: dict[str, Any], start: str, **fields: Any) -> Any:
    body = {
        "location_id": world["location"]["id"],
        "service_id": world["service"]["id"],
        "client_id": world["client"]["id"],
        "start": start,
        **fields,
    }
    return api.post("/v1/appointments", json=body)


def assigned(api: Api, world: dict[str, Any], start: str, **fields: Any) -> int:
    response = book(api, world, start, **fields)
    assert response.status_code == 201, response.text
    staff_id: int = response.json()["staff_id"]
    return staff_id


def test_a_booking_without_staff_goes_to_the_qualified_staff_member(api):
    world = team(api, 1)
    assert assigned(api, world, MONDAY_10) == world["ids"][0]


def test_never_booked_staff_are_taken_lowest_id_first_then_in_turn(api):
    world = team(api, 3)
    a, b, c = world["ids"]
    got = [assigned(api, world, f"2030-01-07T{h}:00:00Z") for h in (10, 11, 12, 13, 14, 15)]
    assert got == [a, b, c, a, b, c]


def test_fewest_appointments_that_day_wins_over_least_recently_booked(api):
    world = team(api, 2)
    a, b = world["ids"]
    for start in ("2030-01-07T09:00:00Z", "2030-01-07T09:30:00Z"):
        assert assigned(api, world, start, staff_id=a) == a
    assert assigned(api, world, "2030-01-07T10:00:00Z", staff_id=b) == b  # b booked last
    # a has two that day, b one: b, although booked more recently.
    assert assigned(api, world, "2030-01-07T11:00:00Z") == b
    # Now two each: a was booked less recently.
    assert assigned(api, world, "2030-01-07T12:00:00Z") == a


def test_the_day_count_is_of_the_day_of_the_booking_and_of_holding_appointments_only(api):
    world = team(api, 2)
    a, b = world["ids"]
    # Tuesday's appointments of a do not count on Monday.
    assigned(api, world, "2030-01-08T09:00:00Z", staff_id=a)
    assigned(api, world, "2030-01-08T09:30:00Z", staff_id=a)
    first = book(api, world, "2030-01-07T09:00:00Z", staff_id=b)
    assert first.status_code == 201
    cancelled = api.post(f"/v1/appointments/{first.json()['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    # Monday: a 0, b 0 (cancelled); a was booked less recently than b.
    assert assigned(api, world, "2030-01-07T11:00:00Z") == a


def test_busy_staff_and_staff_off_work_are_skipped(api):
    world = team(api, 3)
    a, b, c = world["ids"]
    assigned(api, world, MONDAY_10, staff_id=a)
    off = api.post(
        f"/v1/staff/{b}/time-off",
        json={"start": "2030-01-07T00:00:00Z", "end": "2030-01-08T00:00:00Z"},
    )
    assert off.status_code == 201, off.text
    assert assigned(api, world, MONDAY_10) == c
    # Nobody else works at 18:00, and a's hours end at 17:00 too.
    late = book(api, world, "2030-01-07T16:45:00Z")
    assert late.status_code == 409, late.text


def test_archived_staff_and_staff_elsewhere_are_never_assigned(api):
    world = team(api, 3)
    a, b, c = world["ids"]
    assert api.delete(f"/v1/staff/{a}").status_code == 204
    moved = api.patch(f"/v1/staff/{b}", json={"location_ids": [create_location(api)["id"]]})
    assert moved.status_code == 200, moved.text
    assert {assigned(api, world, f"2030-01-07T{h}:00:00Z") for h in (10, 11, 12)} == {c}


def test_nobody_free_is_409_with_a_clear_message_and_the_conflicts(api):
    world = team(api, 2)
    a, b = world["ids"]
    taken = [book(api, world, MONDAY_10, staff_id=i).json()["id"] for i in (a, b)]
    response = book(api, world, MONDAY_10)
    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["type"] == "/problems/slot-taken"
    assert "no qualified staff member is free" in problem["detail"]
    assert sorted(c["appointment_id"] for c in problem["conflicts"]) == sorted(taken)


def test_nobody_qualified_is_422_naming_staff_id(api):
    world = team(api, 1)
    assert api.delete(f"/v1/staff/{world['ids'][0]}").status_code == 204
    response = book(api, world, MONDAY_10)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["staff_id"]


def test_additional_staff_are_not_chosen_as_primary_and_must_be_free(api):
    world = team(api, 3)
    a, b, c = world["ids"]
    assert assigned(api, world, MONDAY_10, additional_staff_ids=[a]) == b
    clash = book(api, world, "2030-01-07T10:15:00Z", additional_staff_ids=[b])
    assert clash.status_code == 409, clash.text
    # Round-robin counts the appointments someone is the primary staff member of: a's turn.
    assert assigned(api, world, "2030-01-07T11:00:00Z", additional_staff_ids=[b]) == a
    assert assigned(api, world, "2030-01-07T12:00:00Z", additional_staff_ids=[b]) == c


def test_a_refused_assignment_writes_nothing(api):
    world = team(api, 1)
    assigned(api, world, MONDAY_10)
    before = api.get("/v1/appointments", params={"include_archived": "true"}).json()["total"]
    assert book(api, world, MONDAY_10).status_code == 409
    after = api.get("/v1/appointments", params={"include_archived": "true"}).json()["total"]
    assert before == after == 1


def test_the_number_of_statements_does_not_grow_with_the_number_of_staff(api, db):
    small = team(api, 1)
    other = new_api(api.client, db, "Bigger team")
    big = team(other, 10)
    for person in big["ids"][:5]:
        assigned(other, big, MONDAY_10, staff_id=person)
    with StatementCounter(db.engine) as one:
        assigned(api, small, "2030-01-07T11:00:00Z")
    with StatementCounter(db.engine) as many:
        assert assigned(other, big, MONDAY_10) == big["ids"][5]
    assert one.count == many.count, (one.statements, many.statements)


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_concurrent_bookings_without_staff_spread_over_the_free_staff(api, db):
    """On PostgreSQL racing bookings all choose the same staff member first; the losers are
    refused by the exclusion constraint and choose again, so every staff member is booked."""
    world = team(api, 3)
    ctx = api.context()
    racers = 9
    barrier = threading.Barrier(racers)
    command = BookAppointment(
        location_id=world["location"]["id"],
        service_id=world["service"]["id"],
        client_id=world["client"]["id"],
        start=datetime(2030, 1, 7, 10, tzinfo=UTC),
    )

    def race(_: int) -> int | str:
        barrier.wait()
        try:
            staff_id = appointments.book(ctx, dataclasses.replace(command)).staff_id
        except SlotTaken:
            return "taken"
        assert staff_id is not None
        return staff_id

    with ThreadPoolExecutor(max_workers=racers) as pool:
        outcomes = list(pool.map(race, range(racers)))
    booked = sorted(o for o in outcomes if isinstance(o, int))
    assert booked == sorted(world["ids"]), outcomes
    assert outcomes.count("taken") == racers - 3
