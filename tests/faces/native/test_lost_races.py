"""A change that loses a race on PostgreSQL is a 409 naming the winner, like a booking.

The race is staged so it cannot fall the other way: a competing booking is written through the
use cases and left uncommitted, so the PATCH's check cannot see it (READ COMMITTED) and its
block insert waits on the exclusion constraint; when the competitor commits, PostgreSQL refuses
the insert and the answer must name the competitor.
"""

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest

from appointd.app import appointments, placement
from appointd.app.commands import BookAppointment
from appointd.app.context import Caller, Context
from tests.factories import book, clinic
from tests.staged_race import block_inserts_waiting, wait_until


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_a_reschedule_refused_by_the_exclusion_constraint_names_the_winner(api, db):
    world = clinic(api)
    moving = book(api, world, "2030-01-07T14:00:00Z")
    assert moving.status_code == 201, moving.text
    ctx = Context(db.services, Caller(api.account_id, actor="competitor"))
    competing = BookAppointment(
        location_id=world["location"]["id"],
        service_id=world["service"]["id"],
        staff_id=world["staff"]["id"],
        client_id=world["client"]["id"],
        start=datetime.fromisoformat("2030-01-07T10:00:00+00:00"),
    )
    with ThreadPoolExecutor(max_workers=1) as pool, ctx.uow() as uow:
        winner = appointments.place(uow, ctx, competing, placement.resolve(uow, competing))
        pending = pool.submit(
            api.patch,
            f"/v1/appointments/{moving.json()['id']}",
            json={"start": "2030-01-07T10:15:00Z"},
        )
        wait_until(lambda: block_inserts_waiting(db.url) == 1)
        uow.commit()
        response = pending.result(timeout=60)

    assert response.status_code == 409, response.text
    body = response.json()
    assert body["type"] == "/problems/slot-taken"
    assert "just taken" in body["detail"]
    assert [c["appointment_id"] for c in body["conflicts"]] == [winner.id]
    # The refused move changed nothing: the appointment keeps its time.
    kept = api.get(f"/v1/appointments/{moving.json()['id']}").json()
    assert kept["start"] == moving.json()["start"]
