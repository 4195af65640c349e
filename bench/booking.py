"""Booking throughput on PostgreSQL: the HTTP API against bare inserts of the same rows.

    .venv/bin/python bench/booking.py [--clients 16] [--count 2000] [--database-url URL]

Two runs over one database, each booking ``--count`` non-conflicting appointments across 50
staff members with ``--clients`` concurrent clients:

* **API**: the real server (``python -m appointd.cli serve --workers 2``) as a subprocess, each
  client a keep-alive HTTP connection sending ``POST /v1/appointments``;
* **bare**: the rows one booking writes (an ``appointments`` row, its ``blocks`` row, its
  ``appointment_history`` row and its ``outbox`` row), inserted with psycopg by as many
  connections, one transaction per booking, under the same exclusion constraint.

It prints bookings/s of both and their ratio (the design's target: API >= 0.5x bare). Figures
are printed, never asserted. Without ``--database-url`` a scratch database
``appointd_bench_<random>`` is created on 127.0.0.1:5432, migrated, and dropped at the end. All
traffic stays on this machine; the run is bounded by ``--count`` and ``--max-seconds``.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from psycopg.types.json import Jsonb

from appointd.app.accounts import create_account
from appointd.app.context import Services
from appointd.settings import Settings
from appointd.store.engine import make_engine
from appointd.store.migrate import upgrade
from harness import CpuMeter, Http, Jobs, Outcome, Run, database, first_monday, measure, server

STAFF = 50
SLOT = timedelta(minutes=30)  # the service's duration, and the grid bookings are laid on
SLOTS_PER_DAY = 16  # 09:00-17:00, the staff members' working day
MAX_COUNT = 50_000  # 1,000 bookings per staff member: about 13 weeks of working days
LONDON = ZoneInfo("Europe/London")
WORKING_WEEK = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(1, 6)]


# -- the calendar both runs fill ---------------------------------------------------------------


@dataclass(frozen=True)
class Clinic:
    """One account's catalog: what every booking of a run refers to."""

    account_id: int
    key: str
    location_id: int
    service_id: int
    client_id: int
    staff_ids: list[int]


def slot(k: int, staff_ids: list[int], monday: date) -> tuple[int, datetime]:
    """The ``k``-th booking: round-robin over staff, then 30-minute slots through working days.

    No two ``k`` share a staff member and an instant, so no booking of a run conflicts.
    """
    staff_id = staff_ids[k % len(staff_ids)]
    j = k // len(staff_ids)
    weekday_no, in_day = divmod(j, SLOTS_PER_DAY)
    weeks, weekday = divmod(weekday_no, 5)
    day = monday + timedelta(weeks=weeks, days=weekday)
    local = datetime(day.year, day.month, day.day, 9, 0, tzinfo=LONDON) + SLOT * in_day
    return staff_id, local.astimezone(UTC)


# -- the API run -------------------------------------------------------------------------------


def make_clinic(services: Services, port: int, name: str) -> Clinic:
    """A fresh account with one location, 50 staff, a 30-minute service and a client."""
    created = create_account(services, name)
    api = Http(port, created.api_key)
    try:
        location = api.create("/v1/locations", {"name": "Bench", "time_zone": "Europe/London"})
        staff = [
            api.create(
                "/v1/staff",
                {
                    "first_name": f"Staff {i}",
                    "location_ids": [location],
                    "working_hours": WORKING_WEEK,
                },
            )
            for i in range(STAFF)
        ]
        service = api.create(
            "/v1/services", {"name": "Consultation", "duration_minutes": 30, "staff_ids": staff}
        )
        client = api.create("/v1/clients", {"first_name": "Bench", "last_name": "Client"})
    finally:
        api.close()
    return Clinic(created.account_id, created.api_key, location, service, client, staff)


def api_work(port: int, clinic: Clinic, monday: date) -> Callable[[Jobs, Outcome], None]:
    def work(jobs: Jobs, out: Outcome) -> None:
        api = Http(port, clinic.key)
        try:
            while (k := jobs.next()) is not None:
                staff_id, start = slot(k, clinic.staff_ids, monday)
                body = {
                    "location_id": clinic.location_id,
                    "service_id": clinic.service_id,
                    "staff_id": staff_id,
                    "client_id": clinic.client_id,
                    "start": start.isoformat(),
                }
                t0 = time.perf_counter()
                status, reply = api.call("POST", "/v1/appointments", body)
                elapsed = time.perf_counter() - t0
                with out.lock:
                    out.latencies.append(elapsed)
                    if status == 201:
                        out.done += 1
                    else:
                        out.failures.append(f"{status} {reply}")
        finally:
            api.close()

    return work


# -- the bare run ------------------------------------------------------------------------------

INSERT_APPOINTMENT = """
INSERT INTO appointments (account_id, location_id, service_id, staff_id, client_id,
    start_at, end_at, busy_start_at, busy_end_at, status, kind, additional_staff_ids,
    resource_ids, override, seats, source, extra, created_at, updated_at, reference, manage_token)
VALUES (%(account_id)s, %(location_id)s, %(service_id)s, %(staff_id)s, %(client_id)s,
    %(start)s, %(end)s, %(start)s, %(end)s, 'confirmed', 'appointment', '[]', '[]', false, 1,
    'native', '{}', %(now)s, %(now)s, upper(substr(md5(random()::text), 1, 8)),
    md5(random()::text))
RETURNING id
"""
INSERT_BLOCK = """
INSERT INTO blocks (account_id, subject_kind, subject_id, start_at, end_at, holding, exclusive,
    role, appointment_id)
VALUES (%(account_id)s, 'staff', %(staff_id)s, %(start)s, %(end)s, true, true, 'primary', %(id)s)
"""
INSERT_HISTORY = """
INSERT INTO appointment_history (account_id, appointment_id, at, action, actor, source,
    from_status, to_status, changes)
VALUES (%(account_id)s, %(id)s, %(now)s, 'booked', %(actor)s, 'native', NULL, 'confirmed', '{}')
"""
INSERT_OUTBOX = """
INSERT INTO outbox (account_id, event_id, type, payload, created_at)
VALUES (%(account_id)s, %(event_id)s, 'appointment.booked', %(payload)s, %(now)s)
"""


class Connections:
    """Pre-opened psycopg connections, one per client, so connecting is not timed and the
    server processes behind them live (and can be measured) until the run is over."""

    def __init__(self, pg_url: str, n: int) -> None:
        self.all = [psycopg.connect(pg_url, autocommit=True) for _ in range(n)]
        self._free = list(self.all)
        self._lock = threading.Lock()

    @contextmanager
    def take(self) -> Iterator[psycopg.Connection[Any]]:
        with self._lock:
            conn = self._free.pop()
        try:
            yield conn
        finally:
            with self._lock:
                self._free.append(conn)

    def close(self) -> None:
        for conn in self.all:
            conn.close()


def bare_work(conns: Connections, clinic: Clinic, monday: date) -> Callable[[Jobs, Outcome], None]:
    """One transaction of four INSERTs per booking, on the client's own connection."""

    def work(jobs: Jobs, out: Outcome) -> None:
        with conns.take() as conn:
            while (k := jobs.next()) is not None:
                staff_id, start = slot(k, clinic.staff_ids, monday)
                row: dict[str, Any] = {
                    "account_id": clinic.account_id,
                    "location_id": clinic.location_id,
                    "service_id": clinic.service_id,
                    "staff_id": staff_id,
                    "client_id": clinic.client_id,
                    "start": start,
                    "end": start + SLOT,
                    "now": datetime.now(UTC),
                    "actor": f"account:{clinic.account_id}",
                    "event_id": str(uuid.uuid4()),
                }
                t0 = time.perf_counter()
                try:
                    with conn.transaction():
                        fetched = conn.execute(INSERT_APPOINTMENT, row).fetchone()
                        assert fetched is not None
                        row["id"] = fetched[0]
                        conn.execute(INSERT_BLOCK, row)
                        conn.execute(INSERT_HISTORY, row)
                        row["payload"] = Jsonb(
                            {
                                "appointment_id": row["id"],
                                "status": "confirmed",
                                "start": start.isoformat(),
                                "end": row["end"].isoformat(),
                                "staff_id": staff_id,
                                "client_id": clinic.client_id,
                                "location_id": clinic.location_id,
                                "service_id": clinic.service_id,
                            }
                        )
                        conn.execute(INSERT_OUTBOX, row)
                    ok, failure = True, ""
                except psycopg.Error as exc:
                    ok, failure = False, f"{exc.sqlstate} {exc}"
                elapsed = time.perf_counter() - t0
                with out.lock:
                    out.latencies.append(elapsed)
                    if ok:
                        out.done += 1
                    else:
                        out.failures.append(failure)

    return work


def count_rows(pg_url: str, account_id: int) -> dict[str, int]:
    counts = {}
    with psycopg.connect(pg_url) as conn:
        for table in ("appointments", "blocks", "appointment_history", "outbox"):
            row = conn.execute(
                f"SELECT count(*) FROM {table} WHERE account_id = %s", [account_id]
            ).fetchone()
            counts[table] = int(row[0]) if row else 0
    return counts


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    p.add_argument("--count", type=int, default=2000, help="bookings per run (default 2000)")
    p.add_argument("--database-url", help="a local PostgreSQL database (default: a scratch one)")
    p.add_argument("--workers", type=int, default=2, help="server processes (default 2)")
    p.add_argument("--warmup", type=int, default=200, help="untimed bookings before each run")
    p.add_argument("--max-seconds", type=float, default=120, help="time budget of each run")
    args = p.parse_args(argv)
    if not 1 <= args.clients <= 64:
        p.error("--clients must be 1..64")
    if not 1 <= args.workers <= 8:
        p.error("--workers must be 1..8")
    if not 1 <= args.count + args.warmup <= MAX_COUNT:
        p.error(f"--count plus --warmup must be 1..{MAX_COUNT}")

    monday = first_monday()
    warm, timed = range(args.warmup), range(args.warmup, args.warmup + args.count)
    with database(args.database_url) as pg_url:
        settings = Settings(database_url=pg_url, db_pool_size=2)
        services = Services(engine=make_engine(settings), settings=settings)
        upgrade(services.engine)
        with psycopg.connect(pg_url) as conn:
            row = conn.execute("SHOW server_version").fetchone()
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"PostgreSQL {row[0] if row else '?'} on 127.0.0.1; {os.cpu_count()} CPUs, load {load};"
            f" {args.clients} clients; {args.count} bookings per run over {STAFF} staff"
            f" (+{args.warmup} untimed); server --workers {args.workers}"
        )
        # Uvicorn does not spread connections evenly over its processes: give each a pool that
        # holds every client, so no request waits for, or churns, a database connection.
        pool_size = args.clients + 2
        with server(pg_url, args.workers, pool_size) as (port, pid):
            api_clinic = make_clinic(services, port, "bench api")
            bare_clinic = make_clinic(services, port, "bench bare")
            api = Run("API   POST /v1/appointments", api_work(port, api_clinic, monday),
                      CpuMeter(pg_url, pid))  # fmt: skip
            measure(api, args.clients, warm, args.max_seconds, quiet=True)
            api_rate = measure(api, args.clients, timed, args.max_seconds)
        conns = Connections(pg_url, args.clients)
        try:
            bare = Run("bare  psycopg, 4 INSERTs per transaction",
                       bare_work(conns, bare_clinic, monday), CpuMeter(pg_url, None))  # fmt: skip
            measure(bare, args.clients, warm, args.max_seconds, quiet=True)
            bare_rate = measure(bare, args.clients, timed, args.max_seconds)
        finally:
            conns.close()
        for label, clinic in (("API", api_clinic), ("bare", bare_clinic)):
            print(f"rows of the {label} account: {count_rows(pg_url, clinic.account_id)}")
        services.engine.dispose()

    ratio = api_rate / bare_rate if bare_rate else 0.0
    print(f"ratio API / bare: {ratio:.2f}  (target >= 0.5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
