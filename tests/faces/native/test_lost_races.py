"""Writes that lose a race on PostgreSQL answer 409 naming the winner, like a booking does.

Each race is staged so it cannot fall the other way: a competing booking is written through the
use cases and left uncommitted, so the request's check cannot see it (READ COMMITTED) and its
block insert waits on the exclusion constraint; when the competitor commits, PostgreSQL refuses
the insert. The use case then runs once more, sees the winner, and refuses the usual way.
"""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import pytest

from appointd.app import appointments, placement
from appointd.app.commands import BookAppointment
from appointd.app.context import Caller, Context
from tests.factories import book, clinic
from tests.staged_race import block_inserts_waiting, wait_until

pytestmark = pytest.mark.parametrize("db", ["postgresql"], indirect=True)

COMPETITOR_START = "2030-01-21T10:00:00+00:00"  # a Monday


def _lose_race(api, db, world, request: Callable[[], Any]) -> tuple[int, Any]:
    """Send ``request`` while a competing booking at ``COMPETITOR_START`` is uncommitted, commit
    the competitor once the request waits on it; the competitor's id and the response."""
    ctx = Context(db.services, Caller(api.account_id, actor="competitor"))
    competing = BookAppointment(
        location_id=world["location"]["id"],
        service_id=world["service"]["id"],
        staff_id=world["staff"]["id"],
        client_id=world["client"]["id"],
        start=datetime.fromisoformat(COMPETITOR_START),
    )
    with ThreadPoolExecutor(max_workers=1) as pool, ctx.uow() as uow:
        winner = appointments.place(uow, ctx, competing, placement.resolve(uow, competing))
        pending = pool.submit(request)
        wait_until(lambda: block_inserts_waiting(db.url) == 1)
        uow.commit()
        return winner.id, pending.result(timeout=60)


def _refused(response) -> list[dict[str, Any]]:
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["type"] == "/problems/slot-taken"
    conflicts: list[dict[str, Any]] = body["conflicts"]
    return conflicts


def test_a_reschedule_that_loses_names_the_winner_and_keeps_its_time(api, db):
    world = clinic(api)
    moving = book(api, world, "2030-01-21T14:00:00Z").json()
    winner, response = _lose_race(
        api,
        db,
        world,
        lambda: api.patch(f"/v1/appointments/{moving['id']}", json={"start": "2030-01-21T10:15Z"}),
    )
    assert [c["appointment_id"] for c in _refused(response)] == [winner]
    assert api.get(f"/v1/appointments/{moving['id']}").json()["start"] == moving["start"]


def test_a_series_move_that_loses_names_the_occurrence_and_the_winner(api, db):
    world = clinic(api)
    rule = {"rrule": "FREQ=WEEKLY;COUNT=3"}
    series = book(api, world, "2030-01-07T14:00:00Z", recurrence=rule).json()
    first = series["occurrences"][0]
    winner, response = _lose_race(
        api,
        db,
        world,
        lambda: api.patch(
            f"/v1/appointments/{first['id']}",
            params={"scope": "all"},
            json={"start": "2030-01-07T10:15:00Z"},
        ),
    )
    assert [(c["occurrence"], c["appointment_id"]) for c in _refused(response)] == [(2, winner)]
    after = api.get(f"/v1/series/{series['id']}").json()["occurrences"]
    assert [a["start"] for a in after] == [a["start"] for a in series["occurrences"]]


@pytest.mark.parametrize("on_conflict", ["fail", "skip"])
def test_a_series_booking_that_loses_refuses_or_skips_the_taken_occurrence(api, db, on_conflict):
    world = clinic(api)
    winner, response = _lose_race(
        api,
        db,
        world,
        lambda: book(
            api,
            world,
            "2030-01-07T10:15:00Z",
            recurrence={"rrule": "FREQ=WEEKLY;COUNT=3"},
            on_conflict=on_conflict,
        ),
    )
    if on_conflict == "fail":
        assert [(c["occurrence"], c["appointment_id"]) for c in _refused(response)] == [(2, winner)]
        listed = api.get("/v1/appointments", params={"staff_id": world["staff"]["id"]}).json()
        assert [a["id"] for a in listed["items"]] == [winner]
    else:
        assert response.status_code == 201, response.text
        body = response.json()
        assert [a["series_index"] for a in body["occurrences"]] == [0, 1]
        assert [s["occurrence"] for s in body["skipped"]] == [2]


def test_time_off_that_loses_names_the_appointment_that_won(api, db):
    world = clinic(api)
    path = f"/v1/staff/{world['staff']['id']}/time-off"
    winner, response = _lose_race(
        api,
        db,
        world,
        lambda: api.post(
            path, json={"start": "2030-01-21T09:00:00Z", "end": "2030-01-21T12:00:00Z"}
        ),
    )
    assert [c["appointment_id"] for c in _refused(response)] == [winner]
    assert api.get(path).json() == []
