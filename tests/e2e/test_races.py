"""No double booking under real concurrency: many clients, two server processes, one slot.

Each race fires 50 bookings at once, every one on its own HTTP connection, so both worker
processes of the server take part and the bookings really overlap in time. The no-overlap
guarantee must hold however the race falls: on SQLite because write transactions run one at a
time, on PostgreSQL because the exclusion constraint on ``blocks`` refuses the losers that
passed the check. Either way a loser gets a 409 problem document, never a 500, and the database
ends up with exactly one holding block.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from appointd.app import appointments, placement
from appointd.app.accounts import create_account
from appointd.app.commands import BookAppointment
from appointd.app.context import Caller, Context
from appointd.store.uow import UnitOfWork
from tests.e2e.conftest import Server
from tests.factories import (
    create_client,
    create_location,
    create_resource,
    create_service,
    create_staff,
)
from tests.staged_race import block_inserts_waiting, wait_until

RACERS = 50
LONDON = ZoneInfo("Europe/London")
PROBLEM = "application/problem+json"


# -- helpers ---------------------------------------------------------------------------------


class Account:
    """A fresh account on the server: its id (for looking into the database) and a client."""

    def __init__(self, server: Server) -> None:
        created = create_account(server.db.services, "race")
        self.server = server
        self.account_id = created.account_id
        self.headers = {"Authorization": f"Bearer {created.api_key}"}
        self.client = httpx.Client(base_url=server.base_url, timeout=60, headers=self.headers)

    def new_connection(self) -> httpx.Client:
        """A client with its own connection pool, so each racer opens its own TCP connection."""
        return httpx.Client(base_url=self.server.base_url, timeout=60, headers=self.headers)

    def holding_blocks(self, kind: str, subject_id: int, start: datetime, end: datetime) -> int:
        """Holding blocks of one staff member or resource overlapping ``[start, end)``."""
        with UnitOfWork(self.server.db.engine, self.account_id, write=False) as uow:
            return len(uow.blocks.holding_in([(kind, subject_id)], start, end))


def race_day() -> date:
    """A Wednesday two to three weeks ahead: a working day, in the future, inside any window."""
    day = date.today() + timedelta(days=14)
    return day + timedelta(days=(2 - day.weekday()) % 7)


def starts(day: date) -> list[str]:
    """50 wall-clock starts 30 s apart from 10:00: all within 25 minutes, no two identical."""
    first = datetime(day.year, day.month, day.day, 10, 0)
    return [(first + timedelta(seconds=30 * i)).isoformat() for i in range(RACERS)]


def window(day: date) -> tuple[datetime, datetime]:
    """09:00-12:00 local on ``day`` in UTC: covers every racer's busy span."""
    return (
        datetime(day.year, day.month, day.day, 9, 0, tzinfo=LONDON).astimezone(UTC),
        datetime(day.year, day.month, day.day, 12, 0, tzinfo=LONDON).astimezone(UTC),
    )


def fire(account: Account, bodies: list[dict[str, Any]]) -> list[httpx.Response]:
    """POST every body to /v1/appointments at the same moment, each on its own connection."""
    clients = [account.new_connection() for _ in bodies]
    try:
        # Open every connection before the barrier so the requests leave together.
        for c in clients:
            assert c.get("/v1/health").status_code == 200
        barrier = threading.Barrier(len(bodies))

        def post(i: int) -> httpx.Response:
            barrier.wait(timeout=60)
            return clients[i].post("/v1/appointments", json=bodies[i])

        with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
            return list(pool.map(post, range(len(bodies))))
    finally:
        for c in clients:
            c.close()


def assert_one_winner(responses: list[httpx.Response]) -> httpx.Response:
    codes = sorted(r.status_code for r in responses)
    assert codes.count(201) == 1, codes
    assert codes.count(409) == RACERS - 1, codes
    return next(r for r in responses if r.status_code == 201)


def assert_slot_taken_problem(response: httpx.Response) -> None:
    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["type"] == "/problems/slot-taken"
    assert body["status"] == 409


# -- the races -------------------------------------------------------------------------------


@pytest.mark.slow
def test_fifty_concurrent_bookings_of_one_staff_member_leave_exactly_one_appointment(
    server: Server,
) -> None:
    account = Account(server)
    api = account.client
    location = create_location(api)
    staff = create_staff(api, location)
    service = create_service(api, duration_minutes=30, staff_ids=[staff["id"]])
    client = create_client(api)
    day = race_day()
    bodies = [
        {
            "location_id": location["id"],
            "service_id": service["id"],
            "staff_id": staff["id"],
            "client_id": client["id"],
            "start": start,
        }
        for start in starts(day)
    ]

    responses = fire(account, bodies)

    winner = assert_one_winner(responses)
    for r in responses:
        if r.status_code == 409:
            assert_slot_taken_problem(r)
    start, end = window(day)
    listed = api.get(
        "/v1/appointments",
        params={"from": start.isoformat(), "to": end.isoformat(), "staff_id": staff["id"]},
    ).json()
    assert listed["total"] == 1
    assert [a["id"] for a in listed["items"]] == [winner.json()["id"]]
    assert account.holding_blocks("staff", staff["id"], start, end) == 1
    api.close()


@pytest.mark.slow
def test_fifty_concurrent_bookings_of_one_resource_by_different_staff_leave_exactly_one(
    server: Server,
) -> None:
    account = Account(server)
    api = account.client
    location = create_location(api)
    room = create_resource(api, capacity=1, location_id=location["id"])
    team = [create_staff(api, location, first_name=f"Racer {i}") for i in range(RACERS)]
    service = create_service(api, duration_minutes=30, resource_ids=[room["id"]])
    client = create_client(api)
    day = race_day()
    bodies = [
        {
            "location_id": location["id"],
            "service_id": service["id"],
            "staff_id": person["id"],
            "client_id": client["id"],
            "start": start,
        }
        for person, start in zip(team, starts(day), strict=True)
    ]

    responses = fire(account, bodies)

    winner = assert_one_winner(responses)
    for r in responses:
        if r.status_code == 409:
            assert_slot_taken_problem(r)
    start, end = window(day)
    listed = api.get(
        "/v1/appointments",
        params={"from": start.isoformat(), "to": end.isoformat(), "resource_id": room["id"]},
    ).json()
    assert listed["total"] == 1
    assert [a["id"] for a in listed["items"]] == [winner.json()["id"]]
    assert account.holding_blocks("resource", room["id"], start, end) == 1
    # The losers' staff members stay free: a refused booking writes nothing.
    booked_staff = winner.json()["staff_id"]
    for person in team:
        expected = 1 if person["id"] == booked_staff else 0
        assert account.holding_blocks("staff", person["id"], start, end) == expected
    api.close()


# -- the exclusion constraint's verdict, rendered ---------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_a_booking_refused_by_the_exclusion_constraint_is_a_409_problem_naming_the_winner(
    server: Server,
) -> None:
    """The race staged so it cannot fall the other way: the check passes, the insert loses.

    A competing booking is written through the same use-case code but left uncommitted. The
    server's check cannot see it (READ COMMITTED), so its block insert (part of booking's one
    write statement on PostgreSQL) waits on the exclusion constraint; once the competitor
    commits, PostgreSQL refuses the insert with 23P01 and the server must answer 409
    ``slot-taken`` naming the competitor, not 500.
    """
    account = Account(server)
    api = account.client
    location = create_location(api)
    staff = create_staff(api, location)
    service = create_service(api, duration_minutes=30, staff_ids=[staff["id"]])
    client = create_client(api)
    day = race_day()
    first, second = starts(day)[0], starts(day)[10]  # 10:00 and 10:05: overlapping
    ctx = Context(server.db.services, Caller(account.account_id, actor="competitor"))
    competing = BookAppointment(
        location_id=location["id"],
        service_id=service["id"],
        staff_id=staff["id"],
        client_id=client["id"],
        start=datetime.fromisoformat(first),
    )
    with ThreadPoolExecutor(max_workers=1) as pool, ctx.uow() as uow:
        winner = appointments.place(uow, ctx, competing, placement.resolve(uow, competing))
        pending = pool.submit(
            api.post,
            "/v1/appointments",
            json={
                "location_id": location["id"],
                "service_id": service["id"],
                "staff_id": staff["id"],
                "client_id": client["id"],
                "start": second,
            },
        )
        wait_until(lambda: block_inserts_waiting(server.db.url) == 1)
        uow.commit()
        response = pending.result(timeout=60)

    assert_slot_taken_problem(response)
    body = response.json()
    assert "just taken" in body["detail"]
    assert [c["appointment_id"] for c in body["conflicts"]] == [winner.id]
    start, end = window(day)
    assert account.holding_blocks("staff", staff["id"], start, end) == 1
    listed = api.get("/v1/appointments", params={"staff_id": staff["id"]}).json()
    assert [a["id"] for a in listed["items"]] == [winner.id]
    api.close()
