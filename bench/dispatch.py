"""Webhook dispatch on PostgreSQL: deliveries/s and the delay from commit to receipt.

    .venv/bin/python bench/dispatch.py [--workers 1 2] [--count 10000] [--rate 400]
                                       [--steady 4000] [--database-url URL]

For each worker count, ``appointd worker`` processes run against one scratch database with one
account and one webhook pointing at a local receiver (a threaded HTTP server in this process
that answers 200 and notes when each ``webhook-id`` arrived). Two runs:

* **burst**: ``--count`` events committed at once (transactions of 500); prints deliveries/s
  from the first commit to the last receipt: the dispatcher's throughput with a backlog;
* **steady**: ``--steady`` events committed at ``--rate`` events/s (a commit every 20 ms);
  prints the p50/p95/max delay from each event's commit to its receipt, the figure a receiver
  feels when the dispatcher keeps up.

Targets on the 2-core machine (issue 10): at least 500 deliveries/s; p95 delay under 1 s.
Figures are printed, never asserted. Without ``--database-url`` a scratch database is created on
127.0.0.1:5432, migrated, and dropped at the end; everything stays on this machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from appointd.app.accounts import create_account
from appointd.app.context import Caller, Context, Services
from appointd.app.subscriptions import create as create_subscription
from appointd.domain.model import Event
from appointd.settings import Settings
from appointd.store.engine import make_engine
from appointd.store.migrate import upgrade
from appointd.store.uow import UnitOfWork
from harness import backends, cpu_seconds, database


class Receiver:
    """Notes the arrival time of each webhook-id (first arrival only)."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.total = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                now = time.time()
                event_id = self.headers.get("webhook-id", "")
                with receiver.lock:
                    receiver.total += 1
                    receiver.arrived.setdefault(event_id, now)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def count(self, ids: set[str]) -> int:
        with self.lock:
            return sum(1 for i in ids if i in self.arrived)


def _commit(services: Services, account_id: int, n: int, start: int) -> tuple[list[str], float]:
    with UnitOfWork(services.engine, account_id) as uow:
        ids = uow.bulk.record_events(
            [Event("appointment.updated", {"n": start + i}) for i in range(n)], services.clock()
        )
        uow.commit()
    return ids, time.time()


def _wait(receiver: Receiver, ids: set[str], budget: float) -> bool:
    deadline = time.monotonic() + budget
    while time.monotonic() < deadline:
        if receiver.count(ids) == len(ids):
            return True
        time.sleep(0.01)
    return False


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def run(url: str, workers: int, count: int, steady: int, rate: float) -> None:
    settings = Settings(database_url=url, webhooks_allow_private=True)
    services = Services(engine=make_engine(settings), settings=settings)
    account = create_account(services, f"bench {workers}")
    receiver = Receiver()
    create_subscription(
        Context(services, Caller(account.account_id)), url=receiver.url, events=["*"]
    )
    env = {**os.environ, "APPOINTD_DATABASE_URL": url, "APPOINTD_WEBHOOKS_ALLOW_PRIVATE": "true"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "appointd.cli", "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    try:
        time.sleep(2.0)  # the workers start and go to sleep on LISTEN
        # -- burst ------------------------------------------------------------------------
        pg_pids = backends(url)
        cpu_before = sum(cpu_seconds(p.pid) for p in procs)
        pg_before = sum(cpu_seconds(p) for p in pg_pids)
        started = time.time()
        ids: set[str] = set()
        committed: dict[str, float] = {}
        for start in range(0, count, 500):
            batch, at = _commit(services, account.account_id, min(500, count - start), start)
            ids.update(batch)
            committed.update(dict.fromkeys(batch, at))
        ok = _wait(receiver, ids, 300)
        last = max(receiver.arrived[i] for i in ids if i in receiver.arrived)
        delivered = receiver.count(ids)
        cpu = sum(cpu_seconds(p.pid) for p in procs) - cpu_before
        pg_cpu = sum(cpu_seconds(p) for p in pg_pids) - pg_before
        print(
            f"workers={workers} burst: {delivered}/{count} delivered in {last - started:.2f} s "
            f"= {delivered / (last - started):.0f} deliveries/s" + ("" if ok else " (TIMED OUT)"),
            flush=True,
        )
        print(
            f"workers={workers} burst CPU per delivery: dispatcher {cpu / delivered * 1000:.2f} ms"
            f", PostgreSQL backends {pg_cpu / delivered * 1000:.2f} ms",
            flush=True,
        )
        # -- steady -----------------------------------------------------------------------
        per_commit = max(1, round(rate * 0.02))
        steady_ids: dict[str, float] = {}
        t0 = time.monotonic()
        sent = 0
        while sent < steady:
            batch, at = _commit(services, account.account_id, min(per_commit, steady - sent), sent)
            steady_ids.update(dict.fromkeys(batch, at))
            sent += len(batch)
            pause = t0 + sent / rate - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        ok = _wait(receiver, set(steady_ids), 120)
        delays = [receiver.arrived[i] - at for i, at in steady_ids.items() if i in receiver.arrived]
        print(
            f"workers={workers} steady {rate:.0f} events/s x {steady}: delay commit->receipt "
            f"p50 {statistics.median(delays) * 1000:.0f} ms, "
            f"p95 {_percentile(delays, 0.95) * 1000:.0f} ms, max {max(delays) * 1000:.0f} ms"
            + ("" if ok else f" ({len(steady_ids) - len(delays)} MISSING)"),
            flush=True,
        )
        with receiver.lock:
            dupes = receiver.total - len(receiver.arrived)
        print(f"workers={workers} requests received twice: {dupes}", flush=True)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
        receiver.server.shutdown()
        services.engine.dispose()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    p.add_argument("--count", type=int, default=10_000)
    p.add_argument("--steady", type=int, default=4_000)
    p.add_argument("--rate", type=float, default=400.0)
    p.add_argument("--database-url")
    args = p.parse_args()
    with database(args.database_url) as url:
        engine = make_engine(Settings(database_url=url))
        upgrade(engine)
        engine.dispose()
        for n in args.workers:
            run(url, n, args.count, args.steady, args.rate)


if __name__ == "__main__":
    main()
