"""The Agendize face against the native API in one run: an insert and a 500-item list.

    .venv/bin/python bench/agendize.py [--inserts 300] [--lists 30] [--database-url URL]

One server (``python -m appointd.cli serve --workers 1``) on one PostgreSQL database, one
keep-alive client calling one request at a time, alternating the two faces so both see the
same machine load:

* **insert**: ``POST /v1/appointments`` vs ``POST /api/2.1/scheduling/companies/{id}/
  appointments`` booking the same kind of appointment (``{dateTime, timeZone}`` wall time);
* **list**: ``GET /v1/appointments?limit=500`` vs the Agendize list of the same 500
  appointments with ``levelDetail=full`` (history included) and with the default ``light``.

For each it prints the latency (p50, p90) and the server's CPU per request (from /proc), and
the ratio Agendize / native of both (the target: at most 1.3x the native call's server time).
Figures are printed, never asserted. Without ``--database-url`` a scratch database is created
on 127.0.0.1:5432 and dropped at the end; all traffic stays on this machine.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from appointd.app.accounts import create_account
from appointd.app.context import Services
from appointd.settings import Settings
from appointd.store.engine import make_engine
from appointd.store.migrate import upgrade
from harness import Http, cpu_seconds, database, first_monday, process_tree, server

LONDON = ZoneInfo("Europe/London")
STAFF = 20
SLOTS_PER_DAY = 16
LISTED = 500  # appointments in the listed window (a multiple of STAFF)
WORKING_WEEK = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(1, 6)]


class Timed:
    """Latencies and server CPU of one kind of request."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.latencies: list[float] = []
        self.cpu: list[float] = []

    def line(self) -> str:
        lat = sorted(self.latencies)
        p90 = lat[min(len(lat) - 1, int(len(lat) * 0.9))]
        return (
            f"{self.label:<46} n={len(lat):<4} p50 {statistics.median(lat) * 1000:7.2f} ms"
            f"  p90 {p90 * 1000:7.2f} ms  server CPU {self.cpu_ms():6.2f} ms/request"
        )

    def cpu_ms(self) -> float:
        return sum(self.cpu) / len(self.cpu) * 1000 if self.cpu else 0.0

    def p50(self) -> float:
        return statistics.median(self.latencies)


def server_cpu(pid: int) -> float:
    """CPU of the server's process tree: uvicorn (``pid`` itself with ``--workers 1``) and its
    child, the outbox dispatcher (an insert's events are part of its cost)."""
    return sum(cpu_seconds(p) for p in process_tree(pid))


def dispatcher_cpu(pid: int) -> float:
    """The dispatcher child's part (printed: it should be near nothing during the lists)."""
    return sum(cpu_seconds(p) for p in process_tree(pid) if p != pid)


def timed(t: Timed, pid: int, call: Callable[[], tuple[int, Any]], ok: int) -> Any:
    before = server_cpu(pid)
    t0 = time.perf_counter()
    status, body = call()
    t.latencies.append(time.perf_counter() - t0)
    t.cpu.append(server_cpu(pid) - before)
    if status != ok:
        raise SystemExit(f"{t.label}: {status} {str(body)[:300]}")
    return body


def slot(k: int, monday: datetime) -> tuple[int, datetime]:
    """Staff index and local start of the ``k``-th booking: no two share staff and time."""
    staff, j = k % STAFF, k // STAFF
    day_no, in_day = divmod(j, SLOTS_PER_DAY)
    weeks, weekday = divmod(day_no, 5)
    day = monday + timedelta(weeks=weeks, days=weekday)
    return staff, day.replace(hour=9) + timedelta(minutes=30 * in_day)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--inserts", type=int, default=300, help="inserts per face (default 300)")
    p.add_argument("--lists", type=int, default=30, help="list calls per face (default 30)")
    p.add_argument("--database-url", help="a local PostgreSQL database (default: a scratch one)")
    args = p.parse_args(argv)
    if not 10 <= args.inserts <= 2000 or not 5 <= args.lists <= 500:
        p.error("--inserts must be 10..2000 and --lists 5..500")
    start_day = first_monday()
    monday = datetime(start_day.year, start_day.month, start_day.day)
    with database(args.database_url) as pg_url:
        settings = Settings(database_url=pg_url, db_pool_size=2)
        services = Services(engine=make_engine(settings), settings=settings)
        upgrade(services.engine)
        account = create_account(services, "bench agendize")
        with server(pg_url, 1, 4) as (port, pid):
            native = Http(port, account.api_key)
            loc = native.create("/v1/locations", {"name": "Bench", "time_zone": "Europe/London"})
            staff = [
                native.create(
                    "/v1/staff",
                    {"first_name": f"S{i}", "location_ids": [loc], "working_hours": WORKING_WEEK},
                )
                for i in range(STAFF)
            ]
            service = native.create(
                "/v1/services", {"name": "Consultation", "duration_minutes": 30, "staff_ids": staff}
            )
            client = native.create("/v1/clients", {"first_name": "Bench", "last_name": "Client"})
            agz = Http(port)
            auth = urlencode({"apiKey": account.account_id, "token": account.api_key})
            base = f"/api/2.1/scheduling/companies/{loc}/appointments"
            ins_native, ins_agz = (
                Timed("insert  POST /v1/appointments"),
                Timed("insert  POST .../companies/{id}/appointments"),
            )
            k = 0
            for i in range(args.inserts * 2 + 20):
                s, local = slot(k, monday)
                k += 1
                if i % 2 == 0:
                    body: dict[str, Any] = {
                        "location_id": loc,
                        "service_id": service,
                        "staff_id": staff[s],
                        "client_id": client,
                        "start": local.replace(tzinfo=LONDON).astimezone(UTC).isoformat(),
                    }
                    t = ins_native if i >= 20 else Timed("warm-up")
                    timed(t, pid, lambda b=body: native.call("POST", "/v1/appointments", b), 201)
                else:
                    body = {
                        "client": {"id": str(client)},
                        "service": {"id": str(service)},
                        "staff": {"id": str(staff[s])},
                        "start": {"dateTime": local.strftime("%Y-%m-%dT%H:%M:%S")},
                    }
                    t = ins_agz if i >= 20 else Timed("warm-up")
                    timed(t, pid, lambda b=body: agz.call("POST", f"{base}?{auth}", b), 200)
            # Exactly 500 appointments in one window for both lists: 25 slots of 20 staff.
            while k <= LISTED:
                s, local = slot(k, monday)
                k += 1
                body = {
                    "location_id": loc,
                    "service_id": service,
                    "staff_id": staff[s],
                    "client_id": client,
                    "start": local.replace(tzinfo=LONDON).astimezone(UTC).isoformat(),
                }
                native.create("/v1/appointments", body)
            since = monday.replace(tzinfo=LONDON).astimezone(UTC)
            until = slot(LISTED, monday)[1].replace(tzinfo=LONDON).astimezone(UTC)
            span = {"from": since.isoformat(), "to": until.isoformat()}
            listed_native = "/v1/appointments?limit=500&" + urlencode(span)
            window = urlencode({"startDate": span["from"], "endDate": span["to"]})
            list_full = f"{base}?{auth}&{window}&levelDetail=full"
            list_light = f"{base}?{auth}&{window}"
            n = len(native.call("GET", listed_native)[1]["items"])
            got = len(agz.call("GET", list_full)[1]["items"])
            print(f"list sizes: native {n}, Agendize {got} (the same window)")
            lists = [
                (Timed("list    GET /v1/appointments?limit=500"), native, listed_native),
                (Timed("list    Agendize levelDetail=full"), agz, list_full),
                (Timed("list    Agendize levelDetail=light"), agz, list_light),
            ]
            dispatching = dispatcher_cpu(pid)
            for _ in range(args.lists):
                for t, conn, path in lists:
                    timed(t, pid, lambda c=conn, q=path: c.call("GET", q), 200)
            dispatching = dispatcher_cpu(pid) - dispatching
            native.close()
            agz.close()
        services.engine.dispose()
    print(f"the dispatcher child used {dispatching * 1000:.0f} ms of CPU during the lists")
    print(ins_native.line())
    print(ins_agz.line())
    for t, _, _ in lists:
        print(t.line())
    print(
        f"insert ratio Agendize/native: latency {ins_agz.p50() / ins_native.p50():.2f},"
        f" server CPU {ins_agz.cpu_ms() / max(ins_native.cpu_ms(), 1e-9):.2f}  (target <= 1.3)"
    )
    for t, _, _ in lists[1:]:
        print(
            f"{t.label.strip()} / native list: latency {t.p50() / lists[0][0].p50():.2f},"
            f" server CPU {t.cpu_ms() / max(lists[0][0].cpu_ms(), 1e-9):.2f}  (target <= 1.3)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
