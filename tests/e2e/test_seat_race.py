"""Concurrent seat bookings against a real server (two worker processes), on both databases.

Seats are taken with a guarded UPDATE, so however the requests interleave, a 10-seat session
gives exactly 10 seats: never 11, and never fewer because of a lost update.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.factories import WEEKDAYS_9_TO_5

CAPACITY = 10
REQUESTS = 30

pytestmark = pytest.mark.slow


def _created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _class_session(client: httpx.Client) -> dict[str, Any]:
    location = _created(client.post("/v1/locations", json={"name": "Gym", "time_zone": "UTC"}))
    staff = _created(
        client.post(
            "/v1/staff",
            json={
                "first_name": "Coach",
                "location_ids": [location["id"]],
                "working_hours": WEEKDAYS_9_TO_5,
            },
        )
    )
    service = _created(
        client.post(
            "/v1/services",
            json={
                "name": "Spin",
                "duration_minutes": 45,
                "kind": "class",
                "capacity": CAPACITY,
                "staff_ids": [staff["id"]],
            },
        )
    )
    return _created(
        client.post(
            "/v1/class-sessions",
            json={
                "service_id": service["id"],
                "staff_id": staff["id"],
                "location_id": location["id"],
                "start": "2030-01-07T10:00:00Z",
            },
        )
    )


def test_thirty_concurrent_single_seat_bookings_fill_ten_seats_exactly(server):
    with server.client_for_new_account("seat race") as setup:
        session = _class_session(setup)
        clients = [
            _created(setup.post("/v1/clients", json={"first_name": f"Rider {i}"}))["id"]
            for i in range(REQUESTS)
        ]
        key = setup.headers["Authorization"]

    def take_a_seat(client_id: int) -> int:
        with httpx.Client(
            base_url=server.base_url, timeout=60, headers={"Authorization": key}
        ) as http:
            response = http.post(
                "/v1/appointments",
                json={"class_session_id": session["id"], "client_id": client_id},
            )
            assert response.status_code in (201, 409), response.text
            return response.status_code

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        codes = list(pool.map(take_a_seat, clients))

    assert codes.count(201) == CAPACITY
    assert codes.count(409) == REQUESTS - CAPACITY
    with httpx.Client(base_url=server.base_url, headers={"Authorization": key}) as http:
        after = http.get(f"/v1/class-sessions/{session['id']}").json()
        seats = http.get(f"/v1/class-sessions/{session['id']}/appointments").json()
    assert (after["seats_taken"], after["seats_left"]) == (CAPACITY, 0)
    holding = [a for a in seats if a["status"] == "confirmed"]
    assert len(seats) == len(holding) == CAPACITY
    assert sum(a["seats"] for a in holding) == CAPACITY
