"""Classes on the booking page: sessions with the seats left, a seat booked, a full session."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Api
from tests.web.conftest import bookable_clinic, csrf_of, next_weekday


def _class_page(owner: Api, capacity: int = 2) -> dict[str, Any]:
    c = bookable_clinic(owner, kind="class", capacity=capacity)
    day = next_weekday(2)
    r = owner.post(
        "/v1/class-sessions",
        json={
            "service_id": c["service"]["id"],
            "staff_id": c["ann"]["id"],
            "location_id": c["location"]["id"],
            "start": f"{day.isoformat()}T15:00:00",
            "end": f"{day.isoformat()}T16:00:00",
        },
    )
    assert r.status_code == 201, r.text
    return {**c, "session": r.json(), "day": day}


def test_a_class_goes_straight_to_its_sessions_with_the_seats_left(
    owner: Api, web: TestClient
) -> None:
    c = _class_page(owner, capacity=2)
    r = web.get(f"/book/{c['slug']}/{c['service']['id']}")
    assert r.status_code == 303 and r.headers["location"].endswith("/times")
    times = web.get(
        f"/book/{c['slug']}/{c['service']['id']}/times", params={"from": c["day"].isoformat()}
    )
    assert times.status_code == 200
    assert times.text.count('class="slot"') == 1
    assert "2 seats left" in times.text and "15:00" in times.text


def _seat(web: TestClient, c: dict[str, Any], email: str) -> Any:
    slot = f"{c['session']['start'].replace('Z', '+00:00')}~{c['session']['id']}"
    page = web.get(
        f"/book/{c['slug']}/{c['service']['id']}/details", params={"staff": "any", "slot": slot}
    )
    assert page.status_code == 200, page.text
    return web.post(
        f"/book/{c['slug']}/{c['service']['id']}/details",
        data={
            "csrf": csrf_of(page.text),
            "staff": "any",
            "slot": slot,
            "first_name": "Grace",
            "email": email,
        },
    )


def test_a_client_takes_a_seat_and_a_full_session_is_refused_kindly(
    owner: Api, web: TestClient
) -> None:
    c = _class_page(owner, capacity=1)
    r = _seat(web, c, "grace@example.org")
    assert r.status_code in (200, 303), r.text
    seats = owner.get(f"/v1/class-sessions/{c['session']['id']}/appointments").json()
    items = seats["items"] if isinstance(seats, dict) else seats
    assert [(a["source"], a["seats"]) for a in items] == [("web", 1)]
    late = _seat(web, c, "ada@example.org")
    assert late.status_code == 409 and "just booked by someone else" in late.text
    assert owner.get(f"/v1/class-sessions/{c['session']['id']}").json()["seats_taken"] == 1
