"""Webhook dispatch on PostgreSQL: deliveries/s and the delay from commit to receipt.

    .venv/bin/python bench/dispatch.py [--workers 1 2] [--count 10000] [--rate 400]
                                       [--steady 4000] [--database-url URL]
                                       [--receiver asyncio|threaded]
    .venv/bin/python bench/dispatch.py --receiver-alone 20000 [--receiver asyncio|threaded]
    .venv/bin/python bench/dispatch.py --senders-alone 5000

For each worker count, ``appointd worker`` processes run against one scratch database with one
account and one webhook pointing at a local receiver (``bench/receiver.py`` in its own process:
it answers 200 and notes when each ``webhook-id`` arrived). Two runs:

* **burst**: ``--count`` events committed at once (transactions of 500); prints deliveries/s
  from the first commit to the last receipt: the dispatcher's throughput with a backlog;
* **steady**: ``--steady`` events committed at ``--rate`` events/s (a commit every 20 ms);
  prints the p50/p95/max delay from each event's commit to its receipt, the figure a receiver
  feels when the dispatcher keeps up.

Each prints the CPU per delivery of the workers, the PostgreSQL backends and the receiver, and
the load average: on a shared machine throughput moves with the load, CPU per delivery hardly.
``--receiver-alone N`` measures only the receiver (N requests, 8 keep-alive clients), to show it
is not what limits the dispatcher; ``--senders-alone N`` compares the CPU per request of the
HTTP clients a dispatcher could use.

Targets on the 2-core machine (issue 10): at least 500 deliveries/s; p95 delay under 1 s.
Figures are printed, never asserted. Without ``--database-url`` a scratch database is created on
127.0.0.1:5432, migrated, and dropped at the end; everything stays on this machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

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
    """``bench/receiver.py`` in its own process: notes the first arrival of each webhook-id."""

    def __init__(self, kind: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("receiver.py")), "--kind", kind],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._in, self._out = self.proc.stdin, self.proc.stdout
        self.url = self._out.readline().strip()

    def _ask(self, command: str) -> str:
        self._in.write(command + "\n")
        self._in.flush()
        return self._out.readline()

    def counts(self) -> tuple[int, int]:
        """Distinct ids and requests received so far."""
        distinct, total = self._ask("count").split()
        return int(distinct), int(total)

    def dump(self) -> tuple[dict[str, float], int]:
        """Each id's first arrival time, and the number of requests."""
        found = json.loads(self._ask("dump"))
        return found["arrived"], int(found["total"])

    def cpu(self) -> float:
        return cpu_seconds(self.proc.pid)

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def _commit(services: Services, account_id: int, n: int, start: int) -> tuple[list[str], float]:
    with UnitOfWork(services.engine, account_id) as uow:
        ids = uow.bulk.record_events(
            [Event("appointment.updated", {"n": start + i}) for i in range(n)], services.clock()
        )
        uow.commit()
    return ids, time.time()


def _wait(receiver: Receiver, distinct: int, budget: float) -> bool:
    """Until ``distinct`` ids have arrived in all (or ``budget`` seconds have passed)."""
    deadline = time.monotonic() + budget
    while time.monotonic() < deadline:
        if receiver.counts()[0] >= distinct:
            return True
        time.sleep(0.02)
    return False


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f} {five:.1f}"


def run(url: str, workers: int, count: int, steady: int, rate: float, kind: str) -> None:
    settings = Settings(database_url=url, webhooks_allow_private=True)
    services = Services(engine=make_engine(settings), settings=settings)
    account = create_account(services, f"bench {workers}")
    receiver = Receiver(kind)
    create_subscription(
        Context(services, Caller(account.account_id)), url=receiver.url, events=["*"]
    )
    env = {**os.environ, "APPOINTD_DATABASE_URL": url, "APPOINTD_WEBHOOKS_ALLOW_PRIVATE": "true"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "appointd.cli", "worker"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    try:
        for p in procs:  # each prints one line when it is ready (then goes to sleep on LISTEN)
            assert p.stdout is not None
            p.stdout.readline()
        time.sleep(0.5)
        # -- burst ------------------------------------------------------------------------
        print(f"workers={workers} worker pids: {[p.pid for p in procs]}; {_load()}", flush=True)
        pg_pids = backends(url)
        cpu_before = sum(cpu_seconds(p.pid) for p in procs)
        pg_before = sum(cpu_seconds(p) for p in pg_pids)
        receiver_before = receiver.cpu()
        started = time.time()
        committed: dict[str, float] = {}
        for start in range(0, count, 500):
            batch, at = _commit(services, account.account_id, min(500, count - start), start)
            committed.update(dict.fromkeys(batch, at))
        ok = _wait(receiver, count, 300)
        cpu = sum(cpu_seconds(p.pid) for p in procs) - cpu_before
        pg_cpu = sum(cpu_seconds(p) for p in pg_pids) - pg_before
        receiver_cpu = receiver.cpu() - receiver_before
        arrived, _ = receiver.dump()
        got = [arrived[i] for i in committed if i in arrived]
        delivered, last = len(got), max(got)
        delays = [arrived[i] - at for i, at in committed.items() if i in arrived]
        print(
            f"workers={workers} burst: {delivered}/{count} delivered in {last - started:.2f} s "
            f"= {delivered / (last - started):.0f} deliveries/s; delay commit->receipt "
            f"p50 {statistics.median(delays) * 1000:.0f} ms, "
            f"p95 {_percentile(delays, 0.95) * 1000:.0f} ms" + ("" if ok else " (TIMED OUT)"),
            flush=True,
        )
        print(
            f"workers={workers} burst CPU per delivery: dispatcher {cpu / delivered * 1000:.2f} ms"
            f", PostgreSQL backends {pg_cpu / delivered * 1000:.2f} ms"
            f", receiver {receiver_cpu / delivered * 1000:.2f} ms; {_load()}",
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
        ok = _wait(receiver, count + steady, 120)
        arrived, total = receiver.dump()
        delays = [arrived[i] - at for i, at in steady_ids.items() if i in arrived]
        print(
            f"workers={workers} steady {rate:.0f} events/s x {steady}: delay commit->receipt "
            f"p50 {statistics.median(delays) * 1000:.0f} ms, "
            f"p95 {_percentile(delays, 0.95) * 1000:.0f} ms, max {max(delays) * 1000:.0f} ms"
            + ("" if ok else f" ({len(steady_ids) - len(delays)} MISSING)")
            + f"; {_load()}",
            flush=True,
        )
        print(f"workers={workers} requests received twice: {total - len(arrived)}", flush=True)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
        receiver.close()
        services.engine.dispose()


def receiver_alone(kind: str, requests: int, connections: int) -> None:
    """The receiver with no dispatcher: ``connections`` keep-alive clients in this process
    POST ``requests`` webhook-sized bodies; its requests/s and CPU per request."""
    receiver = Receiver(kind)
    parts = urlsplit(receiver.url)
    body = json.dumps({"type": "appointment.updated", "data": {"n": 1, "x": "y" * 200}}).encode()
    jobs = iter(range(requests))
    lock = threading.Lock()

    def client() -> None:
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port)
        while True:
            with lock:
                n = next(jobs, None)
            if n is None:
                break
            conn.request("POST", parts.path, body, {"webhook-id": f"msg_{n}"})
            conn.getresponse().read()
        conn.close()

    before = receiver.cpu()
    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - started
    cpu = receiver.cpu() - before
    _, total = receiver.dump()
    receiver.close()
    print(
        f"receiver {kind} alone: {total} requests over {connections} connections in {took:.2f} s "
        f"= {total / took:.0f}/s (bounded by this client too); receiver CPU "
        f"{cpu / total * 1000:.3f} ms per request; {_load()}",
        flush=True,
    )


def senders_alone(requests: int) -> None:
    """CPU per request of HTTP clients a dispatcher could send with, against the receiver:
    the stdlib ``http.client`` keep-alive connection it uses, ``httpx.Client`` and
    ``httpx.AsyncClient`` with 32 requests in flight."""
    import asyncio

    import httpx

    receiver = Receiver("asyncio")
    parts = urlsplit(receiver.url)
    body = json.dumps({"type": "appointment.updated", "data": {"n": 1}}).encode()
    headers = {"Content-Type": "application/json", "webhook-id": "msg_1"}

    def stdlib() -> None:
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port)
        for _ in range(requests):
            conn.request("POST", parts.path, body=body, headers=headers)
            conn.getresponse().read()
        conn.close()

    def httpx_sync() -> None:
        with httpx.Client() as client:
            for _ in range(requests):
                client.post(receiver.url, content=body, headers=headers)

    def httpx_async() -> None:
        async def main() -> None:
            limits = httpx.Limits(max_connections=32)
            async with httpx.AsyncClient(limits=limits) as client:
                gate = asyncio.Semaphore(32)

                async def one() -> None:
                    async with gate:
                        await client.post(receiver.url, content=body, headers=headers)

                await asyncio.gather(*(one() for _ in range(requests)))

        asyncio.run(main())

    for name, send in (
        ("http.client keep-alive", stdlib),
        ("httpx.Client", httpx_sync),
        ("httpx.AsyncClient, 32 in flight", httpx_async),
    ):
        before, started = os.times(), time.monotonic()
        send()
        after, took = os.times(), time.monotonic() - started
        cpu = (after.user + after.system) - (before.user + before.system)
        print(
            f"sender {name}: {cpu / requests * 1e6:.0f} us CPU per request, "
            f"{requests / took:.0f} requests/s; {_load()}",
            flush=True,
        )
    receiver.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    p.add_argument("--count", type=int, default=10_000)
    p.add_argument("--steady", type=int, default=4_000)
    p.add_argument("--rate", type=float, default=400.0)
    p.add_argument("--database-url")
    p.add_argument("--receiver", choices=["asyncio", "threaded"], default="asyncio")
    p.add_argument(
        "--receiver-alone",
        type=int,
        metavar="N",
        help="only measure the receiver: N requests from 8 keep-alive clients, no dispatcher",
    )
    p.add_argument(
        "--senders-alone",
        type=int,
        metavar="N",
        help="only measure HTTP clients: N requests each to the receiver, no dispatcher",
    )
    args = p.parse_args()
    if args.senders_alone:
        senders_alone(args.senders_alone)
        return
    if args.receiver_alone:
        receiver_alone(args.receiver, args.receiver_alone, 8)
        return
    with database(args.database_url) as url:
        engine = make_engine(Settings(database_url=url))
        upgrade(engine)
        engine.dispose()
        for n in args.workers:
            run(url, n, args.count, args.steady, args.rate, args.receiver)


if __name__ == "__main__":
    main()
