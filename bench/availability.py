"""Availability search speed: one staff member, and fifty searched together, over 31 days.

    .venv/bin/python bench/availability.py [--runs 300] [--postgres | --database-url URL]

Workloads (both: Europe/London location, staff working Mon-Fri 09:00-17:00, a 30-minute
service, a window of 31 days from the Monday one to two weeks ahead, and about half of every
staff member's 30-minute grid booked, chosen at random with a fixed seed):

* **W1**: one staff member;
* **W2**: fifty staff members, searched with the default any-staff mode.

For each it prints p50/p95 of

* **core**: the pure slot search (:func:`appointd.app.availability.compute`) on data loaded once;
* **use case**: :func:`appointd.app.availability.find`, queries included;
* **HTTP TestClient**: ``GET /v1/availability`` through the ASGI app in process (Starlette's
  TestClient over httpx), no network socket;
* **HTTP uvicorn thread**: the same request to uvicorn serving the app in a thread of this
  process;
* **HTTP server**: the same request to the real server (``python -m appointd.cli serve``) in a
  process of its own: what a client of a deployed server sees;

and the SQL statements one HTTP request sends. Design targets (p50): W1 core < 2 ms and HTTP
< 5 ms; W2 core < 50 ms and HTTP < 100 ms. Figures are printed, never asserted.

The database is a scratch SQLite file in a temporary directory by default; ``--postgres``
creates a scratch database ``appointd_bench_<random>`` on 127.0.0.1:5432 and drops it at the
end; ``--database-url`` uses an existing (migrated or empty) database and leaves its data. The
bookings are written as the rows a booking writes (``appointments`` + ``blocks``) in bulk, so
the set-up takes seconds. Everything runs on the real clock.
"""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import os
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, insert, text

from appointd.app import availability
from appointd.app.accounts import create_account
from appointd.app.context import Caller, Context, Services
from appointd.asgi import create_app
from appointd.domain.codes import new_manage_token, new_reference
from appointd.settings import Settings
from appointd.store import tables
from appointd.store.engine import make_engine
from appointd.store.migrate import upgrade
from harness import database as scratch_postgres
from harness import first_monday, server

FIRST = first_monday()
DAYS = 31
LONDON = ZoneInfo("Europe/London")
WORKING_WEEK = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(1, 6)]


@dataclasses.dataclass(frozen=True)
class Workload:
    name: str
    staff: int
    account_id: int = 0
    key: str = ""
    location_id: int = 0
    service_id: int = 0
    booked: int = 0

    @property
    def params(self) -> dict[str, Any]:
        return {
            "service_id": self.service_id,
            "location_id": self.location_id,
            "from": FIRST.isoformat(),
            "to": (FIRST + timedelta(days=DAYS - 1)).isoformat(),
        }

    def query(self) -> availability.AvailabilityQuery:
        return availability.AvailabilityQuery(
            service_id=self.service_id,
            location_id=self.location_id,
            first=FIRST,
            last=FIRST + timedelta(days=DAYS - 1),
        )


# -- set-up ------------------------------------------------------------------------------------


def build(
    services: Services, client: TestClient, name: str, staff_count: int, seed: int
) -> Workload:
    """An account with ``staff_count`` staff members, half of each one's grid booked.

    The catalog is created through ``/v1`` like any client would; the bookings are bulk rows.
    """
    created = create_account(services, f"bench {name}")
    headers = {"Authorization": f"Bearer {created.api_key}"}

    def post(path: str, body: dict[str, Any]) -> int:
        response = client.post(path, json=body, headers=headers)
        if response.status_code != 201:
            raise SystemExit(
                f"set-up failed: POST {path} -> {response.status_code} {response.text}"
            )
        return int(response.json()["id"])

    location = post("/v1/locations", {"name": "Bench", "time_zone": "Europe/London"})
    people = [
        post(
            "/v1/staff",
            {"first_name": f"Staff {i}", "location_ids": [location], "working_hours": WORKING_WEEK},
        )
        for i in range(staff_count)
    ]
    service = post(
        "/v1/services", {"name": "Consultation", "duration_minutes": 30, "staff_ids": people}
    )
    client_id = post("/v1/clients", {"first_name": "Bench", "last_name": "Client"})
    rng = random.Random(seed)
    created_at = datetime.now(UTC)
    appointments: list[dict[str, Any]] = []
    for person in people:
        for d in range(DAYS):
            day = FIRST + timedelta(days=d)
            if day.isoweekday() > 5:
                continue
            for k in rng.sample(range(16), 8):  # half of the sixteen 30-minute slots
                start = datetime(day.year, day.month, day.day, 9, tzinfo=LONDON).astimezone(UTC)
                start += timedelta(minutes=30 * k)
                appointments.append(
                    {
                        "account_id": created.account_id,
                        "location_id": location,
                        "service_id": service,
                        "staff_id": person,
                        "client_id": client_id,
                        "start_at": start,
                        "end_at": start + timedelta(minutes=30),
                        "busy_start_at": start,
                        "busy_end_at": start + timedelta(minutes=30),
                        "status": "confirmed",
                        "kind": "appointment",
                        "additional_staff_ids": [],
                        "resource_ids": [],
                        "override": False,
                        "seats": 1,
                        "source": "native",
                        "extra": {},
                        "reference": new_reference(),
                        "manage_token": new_manage_token(),
                        "created_at": created_at,
                        "updated_at": created_at,
                    }
                )
    with services.engine.begin() as conn:
        ids = [
            conn.execute(insert(tables.appointments).values(row)).inserted_primary_key[0]
            for row in appointments
        ]
        conn.execute(
            insert(tables.blocks),
            [
                {
                    "account_id": created.account_id,
                    "subject_kind": "staff",
                    "subject_id": row["staff_id"],
                    "start_at": row["busy_start_at"],
                    "end_at": row["busy_end_at"],
                    "holding": True,
                    "exclusive": True,
                    "role": "primary",
                    "appointment_id": appt_id,
                }
                for row, appt_id in zip(appointments, ids, strict=True)
            ],
        )
    return Workload(
        name,
        staff_count,
        created.account_id,
        created.api_key,
        location,
        service,
        len(appointments),
    )


LABELS = ("core", "use case", "HTTP TestClient", "HTTP uvicorn thread", "HTTP server")

# -- measuring ---------------------------------------------------------------------------------


def timed(fn: Callable[[], Any], runs: int, warmup: int = 5) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Statements:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.count = 0

    def _on(self, *args: Any) -> None:
        statement = str(args[2]).strip().upper()
        if not statement.startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            self.count += 1

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._on)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on)


class Server:
    """uvicorn serving ``app`` on a free local port, in a thread of this process."""

    def __init__(self, app: Any) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> int:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise SystemExit("uvicorn did not start")
            time.sleep(0.01)
        port: int = self.server.servers[0].sockets[0].getsockname()[1]
        return port

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def measure(
    services: Services, client: TestClient, ports: tuple[int, int], w: Workload, runs: int
) -> dict[str, Any]:
    ctx = Context(services, Caller(w.account_id, actor="bench"))
    q = w.query()
    with ctx.uow(write=False) as uow:
        prepared = availability.prepare(uow, ctx, q, None)
    result = availability.compute(prepared)
    headers = {"Authorization": f"Bearer {w.key}"}
    path = "/v1/availability?" + urlencode(w.params)

    def in_process() -> None:
        response = client.get(path, headers=headers)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} -> {response.status_code} {response.text}")

    def over_socket(conn: http.client.HTTPConnection) -> Callable[[], None]:
        def call() -> None:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            if response.status != 200:
                raise SystemExit(f"GET {path} -> {response.status} {body[:200]!r}")

        return call

    in_thread, own_process = (
        http.client.HTTPConnection("127.0.0.1", port, timeout=60) for port in ports
    )

    with Statements(services.engine) as counted:
        in_process()
    try:
        return {
            "core": timed(lambda: availability.compute(prepared), runs),
            "use case": timed(lambda: availability.find(ctx, q), runs),
            "HTTP TestClient": timed(in_process, runs),
            "HTTP uvicorn thread": timed(over_socket(in_thread), runs),
            "HTTP server": timed(over_socket(own_process), runs),
            "statements": counted.count,
            "slots": sum(len(d.slots) for d in result.days),
            "staff-slots": sum(len(s.staff_ids) for d in result.days for s in d.slots),
            "bytes": len(client.get(path, headers=headers).content),
        }
    finally:
        in_thread.close()
        own_process.close()


# -- the database ------------------------------------------------------------------------------


@contextmanager
def database(args: argparse.Namespace) -> Iterator[str]:
    if args.database_url:
        yield args.database_url
        return
    if not args.postgres:
        with tempfile.TemporaryDirectory(prefix="appointd-bench-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    with scratch_postgres(None) as url:
        yield url


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=300, help="timed runs per figure")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--postgres", action="store_true", help="scratch PostgreSQL database")
    group.add_argument("--database-url", help="an existing database to use")
    args = parser.parse_args(argv)
    runs = max(10, min(args.runs, 10_000))
    with database(args) as url:
        settings = Settings(database_url=url)
        engine = make_engine(settings)
        try:
            upgrade(engine)
            services = Services(engine=engine, settings=settings)
            app = create_app(settings, services)
            with (
                TestClient(app) as client,
                Server(app) as port,
                server(url, workers=1, pool_size=4) as (own_port, _),
            ):
                started = time.perf_counter()
                workloads = [
                    build(services, client, "W1", 1, seed=1),
                    build(services, client, "W2", 50, seed=2),
                ]
                if engine.dialect.name == "postgresql":
                    # A live database has planner statistics; a freshly filled scratch one has
                    # none until autovacuum gets to it, and the plans without them are not the
                    # plans production runs.
                    with engine.connect() as conn:
                        conn.execute(text("ANALYZE"))
                        conn.commit()
                setup = time.perf_counter() - started
                print(f"database: {engine.dialect.name}; set-up {setup:.1f} s")
                print(
                    f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
                    f"{os.getloadavg()[0]:.1f}; {runs} runs per figure"
                )
                print(f"window {FIRST}..{FIRST + timedelta(days=DAYS - 1)} ({DAYS} days)")
                for w in workloads:
                    r = measure(services, client, (port, own_port), w, runs)
                    print(
                        f"\n{w.name}: {w.staff} staff, {w.booked} appointments booked; "
                        f"{r['slots']} slots offered ({r['staff-slots']} staff-slots), "
                        f"{r['bytes']} bytes, {r['statements']} SQL statements per request"
                    )
                    for label in LABELS:
                        values = r[label]
                        print(
                            f"  {label:19} p50 {p(values, 0.5):7.2f} ms   "
                            f"p95 {p(values, 0.95):7.2f} ms"
                        )
                print(f"\nload average after: {os.getloadavg()[0]:.1f}")
        finally:
            engine.dispose()


if __name__ == "__main__":
    main()
