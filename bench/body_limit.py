"""The body limit under fire: how fast a 10 MB body is refused, and what eight of them at once
do to a normal booking beside them.

    .venv/bin/python bench/body_limit.py [--database-url postgresql://...] [--rounds 5]

Against the real server (``--workers 2``) on a scratch PostgreSQL database: one client sends a
10 MB JSON body (200,000 working-hour ranges) to ``POST /v1/staff`` on a raw socket and times
the 413; then eight such clients send theirs at once, repeatedly, while one client books
appointments one after another; the booking latency is compared with the same bookings made
alone. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import statistics
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from appointd.app.accounts import create_account
from appointd.app.context import Services
from appointd.settings import Settings
from appointd.store.engine import make_engine
from appointd.store.migrate import upgrade
from harness import Http, database, first_monday, server

RANGES = 200_000


def big_body() -> bytes:
    ranges = [{"weekday": 1 + i % 7, "start": "09:00", "end": "17:00"} for i in range(RANGES)]
    return json.dumps({"first_name": "Big", "working_hours": ranges}).encode()


def send_big(port: int, key: str, body: bytes) -> tuple[int, float]:
    """POST ``body`` on a raw socket; the status and the seconds until it arrived."""
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        head = (
            f"POST /v1/staff HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        s.sendall(head)
        # The server may answer and close before it has read it all.
        with contextlib.suppress(OSError):
            s.sendall(body)
        reply = s.recv(64)
    elapsed = time.perf_counter() - started
    return int(reply.split(b" ")[1]), elapsed


def book_many(api: Http, ids: dict[str, int], starts: list[datetime]) -> list[float]:
    latencies = []
    for start in starts:
        t0 = time.perf_counter()
        status, out = api.call(
            "POST", "/v1/appointments", {**ids, "start": start.isoformat() + "+00:00"}
        )
        latencies.append(time.perf_counter() - t0)
        if status != 201:
            raise SystemExit(f"booking failed: {status} {out}")
    return latencies


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--database-url")
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args()
    body = big_body()
    with database(args.database_url) as pg_url:
        settings = Settings(database_url=pg_url, db_pool_size=2)
        services = Services(engine=make_engine(settings), settings=settings)
        upgrade(services.engine)
        key = create_account(services, "bench").api_key
        with server(pg_url, workers=2, pool_size=10) as (port, _pid):
            api = Http(port, key)
            loc = api.create("/v1/locations", {"name": "L", "time_zone": "UTC"})
            hours = [{"weekday": d, "start": "00:00", "end": "24:00"} for d in range(1, 8)]
            staff = api.create(
                "/v1/staff", {"first_name": "S", "location_ids": [loc], "working_hours": hours}
            )
            svc = api.create(
                "/v1/services", {"name": "S", "duration_minutes": 10, "staff_ids": [staff]}
            )
            client = api.create("/v1/clients", {"first_name": "C"})
            ids = {"location_id": loc, "service_id": svc, "staff_id": staff, "client_id": client}
            monday = datetime.combine(first_monday(), datetime.min.time())
            slots = [monday + timedelta(minutes=10 * i) for i in range(40 * args.rounds)]

            singles = [send_big(port, key, body) for _ in range(args.rounds)]
            print(
                f"10 MB body ({len(body):,} bytes): statuses {sorted({s for s, _ in singles})}, "
                f"median {statistics.median(t for _, t in singles) * 1000:.0f} ms, "
                f"max {max(t for _, t in singles) * 1000:.0f} ms"
            )
            half = len(slots) // 2
            alone = book_many(api, ids, slots[:half])
            stop = threading.Event()
            big_statuses: list[int] = []

            def flood() -> None:
                while not stop.is_set():
                    big_statuses.append(send_big(port, key, body)[0])

            flooders = [threading.Thread(target=flood) for _ in range(8)]
            for t in flooders:
                t.start()
            time.sleep(0.5)
            beside = book_many(api, ids, slots[half:])
            stop.set()
            for t in flooders:
                t.join()
            a, b = statistics.median(alone), statistics.median(beside)
            print(
                f"booking alone: median {a * 1000:.1f} ms; beside 8 concurrent 10 MB bodies "
                f"({len(big_statuses)} sent, statuses {sorted(set(big_statuses))}): median "
                f"{b * 1000:.1f} ms, factor {b / a:.2f}"
            )
            api.close()


if __name__ == "__main__":
    main()
