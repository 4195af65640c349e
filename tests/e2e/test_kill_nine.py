"""Kill -9 mid-load: no booking is lost or duplicated, and every client ends up with a 2xx.

Sixteen clients book with an ``Idempotency-Key`` each against ``appointd serve --workers 2`` on
PostgreSQL. While they do, every server process is killed with SIGKILL; a new server is started
and each client retries every request that got no answer, with the same key, until it is
answered. Then each booking exists exactly once and each client holds a 2xx for it, naming that
booking: an answer sent means it was committed, and a booking committed without its answer
(killed in between) is impossible because the answer is stored in the same transaction.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from appointd.app.accounts import create_account
from appointd.store import tables
from tests.conftest import Database
from tests.e2e.conftest import _free_port
from tests.factories import create_client, create_location, create_service, create_staff

CLIENTS = 16
BOOKINGS_EACH = 25


def _start(db: Database, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "APPOINTD_DATABASE_URL": db.url, "APPOINTD_DB_POOL_SIZE": "20"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "appointd.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: one killpg reaches every worker
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            _kill(proc)
            pytest.fail("server did not start")
        time.sleep(0.2)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _day() -> date:
    day = date.today() + timedelta(days=21)
    return day + timedelta(days=(0 - day.weekday()) % 7)  # a Monday


@pytest.mark.slow
@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_kill_nine_of_every_server_process_loses_and_duplicates_no_booking(db: Database) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    created = create_account(db.services, "kill-9")
    auth = {"Authorization": f"Bearer {created.api_key}"}
    proc = _start(db, port)
    try:
        with httpx.Client(base_url=base, headers=auth, timeout=60) as api:
            location = create_location(api)
            team = [create_staff(api, location, first_name=f"S{i}") for i in range(CLIENTS)]
            service = create_service(api, duration_minutes=15, staff_ids=[s["id"] for s in team])
            patient = create_client(api)
        day = _day()
        first = datetime(day.year, day.month, day.day, 9, 0)
        # Client i books its own staff member every 15 minutes: all bookings can succeed.
        plans = [
            [
                (
                    f"c{i}-b{j}",
                    {
                        "location_id": location["id"],
                        "service_id": service["id"],
                        "staff_id": team[i]["id"],
                        "client_id": patient["id"],
                        "start": (first + timedelta(minutes=15 * j)).isoformat(),
                    },
                )
                for j in range(BOOKINGS_EACH)
            ]
            for i in range(CLIENTS)
        ]
        answers: list[dict[str, httpx.Response]] = [{} for _ in range(CLIENTS)]
        unanswered: list[list[tuple[str, dict[str, Any]]]] = [[] for _ in range(CLIENTS)]
        cut_off: list[str | None] = [None] * CLIENTS
        started = threading.Barrier(CLIENTS + 1)

        def run(i: int) -> None:
            with httpx.Client(base_url=base, headers=auth, timeout=30) as c:
                started.wait()
                for j, (key, body) in enumerate(plans[i]):
                    try:
                        r = c.post("/v1/appointments", json=body, headers={"Idempotency-Key": key})
                        answers[i][key] = r
                    except httpx.HTTPError:
                        # The server is gone: this request and the ones not sent yet wait for
                        # the retry (the first of them may or may not have been committed).
                        cut_off[i] = key
                        unanswered[i].extend(plans[i][j:])
                        return

        threads = [threading.Thread(target=run, args=(i,)) for i in range(CLIENTS)]
        for t in threads:
            t.start()
        started.wait()
        # Kill once a good part of the load is through, while requests are in flight.
        while sum(len(a) for a in answers) < CLIENTS * BOOKINGS_EACH // 3:
            time.sleep(0.01)
        _kill(proc)
        for t in threads:
            t.join()
        acknowledged = sum(len(a) for a in answers)
        missing = sum(len(u) for u in unanswered)
        in_flight = sum(k is not None for k in cut_off)
        assert in_flight > 0  # the kill did cut requests off
        proc = _start(db, port)
        with httpx.Client(base_url=base, headers=auth, timeout=60) as c:
            for i in range(CLIENTS):
                for key, body in unanswered[i]:
                    answers[i][key] = c.post(
                        "/v1/appointments", json=body, headers={"Idempotency-Key": key}
                    )
        codes = [r.status_code for a in answers for r in a.values()]
        assert sorted(set(codes)) == [201], sorted(codes)
        t = tables.appointments
        with db.services.engine.connect() as conn:
            rows = conn.execute(
                select(t.c.staff_id, t.c.start_at, func.count(), func.min(t.c.id))
                .where(t.c.account_id == created.account_id)
                .group_by(t.c.staff_id, t.c.start_at)
            ).all()
        assert len(rows) == CLIENTS * BOOKINGS_EACH
        assert all(count == 1 for _, _, count, _ in rows)
        stored_ids = {row[3] for row in rows}
        held_ids = {r.json()["id"] for a in answers for r in a.values()}
        assert held_ids == stored_ids
        print(
            f"\nkill -9: {CLIENTS * BOOKINGS_EACH} bookings, {acknowledged} acknowledged before "
            f"the kill, {in_flight} in flight when killed, {missing} sent (again) after the "
            f"restart with their keys, duplicated 0, lost 0"
        )
    finally:
        _kill(proc)
