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
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import psycopg
from psycopg.types.json import Jsonb

from appointd.app.accounts import create_account
from appointd.app.context import Services
from appointd.settings import Settings
from appointd.store.engine import make_engine
from appointd.store.migrate import upgrade

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
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


def first_monday() -> date:
    """A Monday one to two weeks ahead, so every slot is in the future and on a working day."""
    day = date.today() + timedelta(days=7)
    return day + timedelta(days=(7 - day.weekday()) % 7)


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


class Jobs:
    """Booking numbers handed to concurrent workers, each exactly once, until a deadline."""

    def __init__(self, numbers: range, deadline: float) -> None:
        self._it = iter(numbers)
        self._lock = threading.Lock()
        self.deadline = deadline

    def next(self) -> int | None:
        if time.monotonic() > self.deadline:
            return None
        with self._lock:
            return next(self._it, None)


@dataclass
class Outcome:
    done: int = 0
    failures: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def run_concurrently(
    clients: int, work: Callable[[Jobs, Outcome], None], jobs: Jobs, out: Outcome
) -> float:
    """Run ``work`` on ``clients`` threads released together; the wall time they took, in s."""
    barrier = threading.Barrier(clients + 1)

    def thread_main() -> None:
        barrier.wait()
        work(jobs, out)

    threads = [threading.Thread(target=thread_main, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - started


# -- the API run -------------------------------------------------------------------------------


class Http:
    """One keep-alive HTTP/1.1 connection to the server (stdlib: the lightest client at hand)."""

    def __init__(self, port: int, key: str | None = None) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Content-Type": "application/json"}
        if key:
            self.headers["Authorization"] = f"Bearer {key}"

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        payload = None if body is None else json.dumps(body)
        self.conn.request(method, path, payload, self.headers)
        response = self.conn.getresponse()
        data = response.read()
        return response.status, (json.loads(data) if data else None)

    def create(self, path: str, body: dict[str, Any]) -> int:
        status, out = self.call("POST", path, body)
        if status != 201:
            raise SystemExit(f"setup failed: POST {path} -> {status} {out}")
        return int(out["id"])

    def close(self) -> None:
        self.conn.close()


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
    resource_ids, override, seats, source, extra, created_at, updated_at)
VALUES (%(account_id)s, %(location_id)s, %(service_id)s, %(staff_id)s, %(client_id)s,
    %(start)s, %(end)s, %(start)s, %(end)s, 'confirmed', 'appointment', '[]', '[]', false, 1,
    'native', '{}', %(now)s, %(now)s)
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


def bare_work(pg_url: str, clinic: Clinic, monday: date) -> Callable[[Jobs, Outcome], None]:
    """One psycopg connection per client, one transaction of four INSERTs per booking."""

    def work(jobs: Jobs, out: Outcome) -> None:
        with psycopg.connect(pg_url, autocommit=True) as conn:
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


# -- plumbing ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextmanager
def database(url: str | None) -> Iterator[str]:
    """The benchmark's database URL: ``url`` as given, or a scratch database dropped afterwards."""
    if url is not None:
        host = urlsplit(_libpq(url)).hostname or "127.0.0.1"
        if host not in LOCAL_HOSTS:
            raise SystemExit(f"refusing to benchmark against {host}: only this machine is used")
        yield _libpq(url)
        return
    name = f"appointd_bench_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def server(pg_url: str, workers: int, pool_size: int) -> Iterator[int]:
    """The real server on a free port of 127.0.0.1, healthy; stopped afterwards."""
    port = _free_port()
    env = {
        **os.environ,
        "APPOINTD_DATABASE_URL": pg_url,
        "APPOINTD_DB_POOL_SIZE": str(pool_size),
    }
    command = [
        sys.executable, "-m", "appointd.cli", "serve", "--host", "127.0.0.1",
        "--port", str(port), "--workers", str(workers), "--no-access-log",
        "--log-level", "warning",
    ]  # fmt: skip
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_healthy(proc, port, log)
            yield port
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_healthy(proc: subprocess.Popen[bytes], port: int, log: Any) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise SystemExit("server exited early:\n" + log.read().decode(errors="replace"))
        try:
            if Http(port).call("GET", "/v1/health")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("server did not become healthy in 60 s")


def measure(
    label: str, clients: int, work: Callable[[Jobs, Outcome], None], numbers: range, budget: float
) -> tuple[int, float]:
    """Run one timed pass; prints its line and returns (bookings done, seconds)."""
    out = Outcome()
    elapsed = run_concurrently(clients, work, Jobs(numbers, time.monotonic() + budget), out)
    rate = out.done / elapsed if elapsed else 0.0
    lat = sorted(out.latencies) or [0.0]
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    print(
        f"{label:<44} {out.done:>6} in {elapsed:6.2f} s = {rate:8.1f} bookings/s"
        f"   latency p50 {statistics.median(lat) * 1000:6.1f} ms, p99 {p99 * 1000:6.1f} ms"
    )
    if out.failures:
        print(f"  {len(out.failures)} failed, e.g.: {out.failures[0][:300]}")
    if out.done < len(numbers) and not out.failures:
        print(f"  stopped by --max-seconds after {out.done} of {len(numbers)}")
    return out.done, elapsed


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
    if not 1 <= args.count + args.warmup <= MAX_COUNT:
        p.error(f"--count plus --warmup must be 1..{MAX_COUNT}")

    monday = first_monday()
    timed = range(args.warmup, args.warmup + args.count)
    warm = range(args.warmup)
    with database(args.database_url) as pg_url:
        settings = Settings(database_url=pg_url, db_pool_size=2)
        services = Services(engine=make_engine(settings), settings=settings)
        upgrade(services.engine)
        # Each worker process may hold up to 2x pool_size connections; enough for every client.
        pool_size = max(4, args.clients // args.workers + 2)
        with server(pg_url, args.workers, pool_size) as port:
            api_clinic = make_clinic(services, port, "bench api")
            bare_clinic = make_clinic(services, port, "bench bare")
            with psycopg.connect(pg_url) as conn:
                version = conn.execute("SHOW server_version").fetchone()
            print(
                f"PostgreSQL {version[0] if version else '?'} on 127.0.0.1, {os.cpu_count()} CPUs;"
                f" {args.clients} clients, {args.count} bookings per run over {STAFF} staff,"
                f" server --workers {args.workers}, {args.warmup} warm-up bookings per run"
            )
            api = api_work(port, api_clinic, monday)
            measure("(warm-up API)", args.clients, api, warm, args.max_seconds)
            api_done, api_s = measure(
                "API  POST /v1/appointments", args.clients, api, timed, args.max_seconds
            )
        bare = bare_work(pg_url, bare_clinic, monday)
        measure("(warm-up bare)", args.clients, bare, warm, args.max_seconds)
        bare_done, bare_s = measure(
            "bare psycopg, 4 INSERTs per transaction", args.clients, bare, timed, args.max_seconds
        )
        for label, clinic in (("API", api_clinic), ("bare", bare_clinic)):
            print(f"rows written by the {label} runs: {count_rows(pg_url, clinic.account_id)}")
        services.engine.dispose()

    api_rate = api_done / api_s if api_s else 0.0
    bare_rate = bare_done / bare_s if bare_s else 0.0
    ratio = api_rate / bare_rate if bare_rate else 0.0
    print(f"ratio API / bare: {ratio:.2f}  (target >= 0.5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
