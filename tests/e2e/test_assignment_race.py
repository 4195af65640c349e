"""Auto-assignment under real concurrency never answers 500 and never turns clients away while
qualified staff stand free.

Round after round, 50 clients book the same slot without naming a staff member; six staff
members qualify. On PostgreSQL the bookings used to deadlock in the exclusion constraint's
check (each waiting for the other's uncommitted block) and some answered 500; clients also
gave up after three lost choices while staff were still free. Now writers of blocks queue on
advisory locks taken in one order, transient failures are run again, and a booking that lost its
chosen staff member chooses again until nobody is left: exactly six winners every round.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.e2e.conftest import Server
from tests.e2e.test_races import PROBLEM, RACERS, Account, fire, race_day
from tests.factories import create_client, create_location, create_service, create_staff

STAFF = 6
ROUNDS = 15


@pytest.mark.slow
@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_fifty_clients_racing_for_six_auto_assigned_staff_get_six_bookings_and_no_5xx(
    server: Server,
) -> None:
    account = Account(server)
    api = account.client
    location = create_location(api)
    team = [create_staff(api, location, first_name=f"Staff {i}") for i in range(STAFF)]
    service = create_service(api, duration_minutes=30, staff_ids=[s["id"] for s in team])
    clients = [create_client(api) for _ in range(RACERS)]
    day = race_day()
    outcomes = []
    for round_ in range(ROUNDS):
        start = datetime(day.year, day.month, day.day, 9, 0) + timedelta(minutes=30 * round_)
        bodies = [
            {
                "location_id": location["id"],
                "service_id": service["id"],
                "client_id": c["id"],
                "start": start.isoformat(),
            }
            for c in clients
        ]
        responses = fire(account, bodies)
        codes = [r.status_code for r in responses]
        outcomes.append((round_, sorted(set(codes))))
        assert not [c for c in codes if c >= 500], (round_, codes)
        winners = [r.json() for r in responses if r.status_code == 201]
        assert len(winners) == STAFF, (round_, sorted(codes))
        assert sorted(w["staff_id"] for w in winners) == sorted(s["id"] for s in team)
        assert codes.count(409) == RACERS - STAFF, (round_, sorted(codes))
        for r in responses:
            if r.status_code == 409:
                assert r.headers["content-type"].startswith(PROBLEM)
                assert r.json()["type"] == "/problems/slot-taken"
    api.close()
