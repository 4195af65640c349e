"""Cliniko face vs native API: one create and one 100-row list, same database, same run.

Measures, in one process and one run, the server time (ASGI app called in process, no
network) of:

- a Cliniko ``POST /cliniko/v1/individual_appointments`` against the native
  ``POST /v1/appointments`` (alternating, each booking a fresh slot);
- a Cliniko ``GET /cliniko/v1/individual_appointments?per_page=100`` against the native
  ``GET /v1/appointments?limit=100`` over the same appointments.

Prints p50/p95 in milliseconds and the ratio Cliniko / native of the medians (target <= 1.3).
Usage: ``.venv/bin/python bench/cliniko.py [--runs 200] [--postgres]``.
"""

from __future__ import annotations

import argparse
import base64
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from appointd.app.accounts import create_account
from appointd.app.context import Services
from appointd.asgi import create_app
from appointd.settings import Settings
from appointd.store.engine import make_engine
from appointd.store.migrate import upgrade

sys.path.insert(0, str(Path(__file__).parent))
from harness import database as scratch_postgres
from harness import first_monday

LONDON = ZoneInfo("Europe/London")
WEEK = [{"weekday": d, "start": "08:00", "end": "18:00"} for d in range(1, 8)]


@contextmanager
def database(postgres: bool) -> Iterator[str]:
    if postgres:
        with scratch_postgres(None) as url:
            yield url
        return
    with tempfile.TemporaryDirectory(prefix="appointd-bench-") as tmp:
        yield f"sqlite:///{Path(tmp) / 'bench.db'}"


def timed(fn: Callable[[], Any], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def p(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args(argv)
    runs = max(20, min(args.runs, 2000))
    with database(args.postgres) as url:
        settings = Settings(database_url=url)
        services = Services(engine=make_engine(settings), settings=settings)
        upgrade(services.engine)
        account = create_account(services, "bench")
        native = {"Authorization": f"Bearer {account.api_key}"}
        token = base64.b64encode(f"{account.api_key}:".encode()).decode()
        cliniko = {"Authorization": f"Basic {token}"}
        with TestClient(create_app(settings, services)) as c:

            def made(path: str, body: dict[str, Any]) -> int:
                r = c.post(path, json=body, headers=native)
                assert r.status_code == 201, r.text
                return int(r.json()["id"])

            loc = made("/v1/locations", {"name": "Bench", "time_zone": "Europe/London"})
            staff = made(
                "/v1/staff",
                {"first_name": "B", "last_name": "C", "location_ids": [loc], "working_hours": WEEK},
            )
            svc = made("/v1/services", {"name": "S", "duration_minutes": 15, "staff_ids": [staff]})
            client = made("/v1/clients", {"first_name": "A", "last_name": "L"})
            monday = first_monday()
            slot = iter(range(10**6))

            def start() -> str:
                k = next(slot)
                day = monday + timedelta(days=k // 32)
                local = datetime(day.year, day.month, day.day, 9, tzinfo=LONDON)
                moment = local + timedelta(minutes=15 * (k % 32))
                return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

            def native_create() -> None:
                body = {
                    "location_id": loc,
                    "service_id": svc,
                    "staff_id": staff,
                    "client_id": client,
                    "start": start(),
                }
                assert c.post("/v1/appointments", json=body, headers=native).status_code == 201

            def cliniko_create() -> None:
                body = {
                    "business_id": str(loc),
                    "appointment_type_id": str(svc),
                    "practitioner_id": str(staff),
                    "patient_id": str(client),
                    "starts_at": start(),
                }
                r = c.post("/cliniko/v1/individual_appointments", json=body, headers=cliniko)
                assert r.status_code == 201, r.text

            def native_list() -> None:
                r = c.get("/v1/appointments", params={"limit": 100}, headers=native)
                assert r.status_code == 200 and len(r.json()["items"]) == 100

            def cliniko_list() -> None:
                r = c.get(
                    "/cliniko/v1/individual_appointments",
                    params={"per_page": 100},
                    headers=cliniko,
                )
                assert r.status_code == 200 and len(r.json()["individual_appointments"]) == 100

            for fn in (native_create, cliniko_create) * 10:  # warm-up
                fn()
            figures: dict[str, list[float]] = {k: [] for k in ("nc", "cc", "nl", "cl")}
            for _ in range(runs):
                figures["nc"] += timed(native_create, 1)
                figures["cc"] += timed(cliniko_create, 1)
            for _ in range(runs):
                figures["nl"] += timed(native_list, 1)
                figures["cl"] += timed(cliniko_list, 1)
    dialect = "postgresql" if args.postgres else "sqlite"
    print(f"database {dialect}, {runs} runs each, in-process ASGI (no network)")
    for label, n, k in (("create", "nc", "cc"), ("100-row list", "nl", "cl")):
        nm, cm = statistics.median(figures[n]), statistics.median(figures[k])
        print(
            f"{label:13s} native p50 {nm:6.2f} ms p95 {p(figures[n], 0.95):6.2f} | "
            f"cliniko p50 {cm:6.2f} ms p95 {p(figures[k], 0.95):6.2f} | ratio {cm / nm:4.2f}"
        )


if __name__ == "__main__":
    main()
