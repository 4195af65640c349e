"""The TimeTap face against the native API, same server, same run: a booking, and a 500-row
report with its nested objects.

    .venv/bin/python bench/timetap.py [--bookings 300] [--reports 30] [--database-url URL]

One real server (``python -m appointd.cli serve --workers 1``) on a scratch PostgreSQL database
(``appointd_bench_<random>`` on 127.0.0.1:5432, dropped at the end). One client, sequential
keep-alive requests, the two faces interleaved in rounds so that both see the same warm server:

* **booking**: ``POST /timetap/live/appointments`` (the seed's minimum body) against
  ``POST /v1/appointments`` (the same booking), each on its own free slot;
* **report**: ``GET /timetap/live/appointmentList/reportWithCount?pageSize=500&startDate=..&
  endDate=..`` against ``GET /v1/appointments?limit=500&from=..&to=..`` over the same 500+
  appointments.

Printed per call: the server's CPU time (read from /proc: the honest "server time" on a shared
machine), PostgreSQL's CPU time, and the client-side latency (p50). The target is face <= 1.3x
native server time. The reports are timed up to their last byte and not parsed (TimeTap's
answer, with every nested object, is several times the bytes of /v1's: parsing it in this
client would be counted as the server's latency); their sizes are printed. Figures are printed,
never asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from appointd.app.accounts import create_account
from appointd.app.context import Services
from appointd.settings import Settings
from appointd.store.engine import make_engine
from harness import CpuMeter, Http, database, first_monday, server

STAFF = 10
SLOTS_PER_DAY = 48  # 30-minute slots, staff working around the clock
ALL_DAY = [{"weekday": d, "start": "00:00", "end": "24:00"} for d in range(1, 8)]


@dataclass
class Tally:
    """Calls of one kind: their count, the server CPU they cost, their latencies."""

    label: str
    calls: int = 0
    server_cpu: float = 0.0
    db_cpu: float = 0.0
    latencies: list[float] = field(default_factory=list)

    def line(self) -> str:
        p50 = statistics.median(self.latencies) * 1000 if self.latencies else 0.0
        per = self.server_cpu / self.calls * 1000 if self.calls else 0.0
        db = self.db_cpu / self.calls * 1000 if self.calls else 0.0
        return (
            f"{self.label:<34} {self.calls:>5} calls  server CPU {per:6.2f} ms/call"
            f"  PostgreSQL CPU {db:6.2f} ms/call  p50 {p50:6.2f} ms"
        )

    def per_call(self) -> float:
        return self.server_cpu / self.calls if self.calls else 0.0


def timed(meter: CpuMeter, tally: Tally, calls: list[Callable[[], None]]) -> None:
    with meter.measure() as spent:
        for call in calls:
            start = time.perf_counter()
            call()
            tally.latencies.append(time.perf_counter() - start)
    tally.calls += len(calls)
    tally.server_cpu += spent.get("server", 0.0)
    tally.db_cpu += spent.get("PostgreSQL", 0.0)


def slot(i: int, monday: date) -> tuple[int, datetime]:
    """Booking ``i``'s staff index and local start: a free slot of its own."""
    staff, n = i % STAFF, i // STAFF
    day, half_hours = divmod(n, SLOTS_PER_DAY)
    start = datetime.combine(monday + timedelta(days=day), datetime.min.time())
    return staff, start + timedelta(minutes=30 * half_hours)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bookings", type=int, default=300, help="per face (>= 250)")
    parser.add_argument("--reports", type=int, default=30, help="report calls per face")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    bookings = max(args.bookings, 250)
    with database(args.database_url) as pg, server(pg, workers=1, pool_size=4) as (port, pid):
        settings = Settings(database_url=pg)
        services = Services(engine=make_engine(settings), settings=settings)
        account = create_account(services, "TimeTap bench")
        services.engine.dispose()
        native = Client(port, account.api_key)
        loc = native.create("/v1/locations", {"name": "Main", "time_zone": "Europe/London"})
        staff = [
            native.create("/v1/staff", {"first_name": f"S{i}", "location_ids": [loc],
                                        "working_hours": ALL_DAY})
            for i in range(STAFF)
        ]  # fmt: skip
        svc = native.create("/v1/services", {"name": "Visit", "duration_minutes": 30,
                                              "staff_ids": staff})  # fmt: skip
        client = native.create("/v1/clients", {"first_name": "Ada", "last_name": "L"})
        signature = hashlib.md5(f"{account.account_id}{account.api_key}".encode()).hexdigest()
        probe = Client(port)
        status, token = probe.call(
            "GET",
            f"/timetap/live/sessionToken?apiKey={account.account_id}&timestamp={time.time()}"
            f"&signature={signature}",
        )
        if status != 200:
            raise SystemExit(f"no session token: {status} {token}")
        face = Client(port, token["sessionToken"])
        monday = first_monday()

        def tt_booking(i: int) -> Callable[[], None]:
            s, start = slot(i, monday)
            end = start + timedelta(minutes=30)
            body: dict[str, Any] = {
                "location": {"locationId": loc}, "staff": {"professionalId": staff[s]},
                "reason": {"reasonId": svc}, "client": {"clientId": client},
                "clientStartDate": start.date().isoformat(),
                "clientEndDate": end.date().isoformat(),
                "clientStartTime": start.hour * 100 + start.minute,
                "clientEndTime": end.hour * 100 + end.minute,
                "startTime": None, "endTime": None, "status": "OPEN",
                "clientReminderHours": 24, "staffReminderHours": 0, "remindClientSmsHrs": 0,
                "remindStaffSmsHrs": 0, "sendConfirmationToClient": False,
                "sendConfirmationToStaff": False, "note": "",
            }  # fmt: skip
            return lambda: _ok(face.call("POST", "/timetap/live/appointments", body), 200)

        def v1_booking(i: int) -> Callable[[], None]:
            s, start = slot(i, monday)
            body = {"location_id": loc, "service_id": svc, "staff_id": staff[s],
                    "client_id": client, "start": start.isoformat()}  # fmt: skip
            return lambda: _ok(native.call("POST", "/v1/appointments", body), 201)

        meter = CpuMeter(pg, pid)
        tt_book, v1_book = (
            Tally("TimeTap POST /appointments"),
            Tally("native POST /v1/appointments"),
        )
        rounds, per_round = 5, bookings // 5
        for r in range(rounds):
            base = r * per_round * 2
            timed(meter, tt_book, [tt_booking(base + 2 * k) for k in range(per_round)])
            timed(meter, v1_book, [v1_booking(base + 2 * k + 1) for k in range(per_round)])
        total = rounds * per_round * 2
        last_day = slot(total - 1, monday)[1].date()
        print(f"booked {total} appointments, {monday} .. {last_day}")
        tt_path = (
            f"/timetap/live/appointmentList/reportWithCount?pageSize=500"
            f"&startDate={monday}&endDate={last_day}"
        )
        v1_path = (
            f"/v1/appointments?limit=500&from={monday}T00:00:00Z"
            f"&to={last_day + timedelta(days=1)}T00:00:00Z"
        )
        rows = face.call("GET", tt_path)[1]
        tt_bytes, v1_bytes = len(face.raw("GET", tt_path)[1]), len(native.raw("GET", v1_path)[1])
        print(f"report rows: TimeTap {len(rows['appts'])} of {rows['count']}, "
              f"native {len(native.call('GET', v1_path)[1]['items'])}; "
              f"bytes: TimeTap {tt_bytes}, native {v1_bytes}")  # fmt: skip
        tt_rep, v1_rep = Tally("TimeTap reportWithCount (500)"), Tally("native GET /v1 (500)")
        for _ in range(5):
            n = max(args.reports // 5, 1)
            timed(meter, tt_rep, [lambda: _ok(face.raw("GET", tt_path), 200)] * n)
            timed(meter, v1_rep, [lambda: _ok(native.raw("GET", v1_path), 200)] * n)
        for t in (tt_book, v1_book, tt_rep, v1_rep):
            print(t.line())
        for name, a, b in (("booking", tt_book, v1_book), ("500-row report", tt_rep, v1_rep)):
            ratio = a.per_call() / b.per_call() if b.per_call() else float("nan")
            p50 = statistics.median(a.latencies) / statistics.median(b.latencies)
            print(f"{name:<16} face/native: server CPU {ratio:.2f}x, latency p50 {p50:.2f}x")


class Client(Http):
    """A keep-alive connection that reconnects once when the server closed it while idle
    (uvicorn drops idle keep-alive connections after a few seconds)."""

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        try:
            return super().call(method, path, body)
        except (OSError, http.client.HTTPException):
            self.conn.close()
            return super().call(method, path, body)

    def raw(self, method: str, path: str) -> tuple[int, bytes]:
        """The status and body bytes of a bodiless request, read to the end, not parsed."""
        for attempt in range(2):
            try:
                self.conn.request(method, path, None, self.headers)
                response = self.conn.getresponse()
                return response.status, response.read()
            except (OSError, http.client.HTTPException):
                self.conn.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")


def _ok(result: tuple[int, Any], expected: int) -> None:
    if result[0] != expected:
        raise SystemExit(f"unexpected {result[0]}: {str(result[1])[:300]}")


if __name__ == "__main__":
    main()
