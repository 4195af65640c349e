"""What every benchmark in bench/ shares: a scratch database, the real server, concurrent
clients, and the CPU each party spends.

* :func:`database` yields a PostgreSQL URL on this machine: the one given, or a scratch database
  ``appointd_bench_<random>`` that is dropped afterwards;
* :func:`server` runs ``python -m appointd.cli serve`` on a free port of 127.0.0.1;
* :func:`measure` releases N client threads together on a shared, bounded list of jobs and
  prints throughput, latency and CPU per job (server processes, PostgreSQL backends, client).

Figures are printed, never asserted.
"""

from __future__ import annotations

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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import psycopg

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def first_monday() -> date:
    """A Monday one to two weeks ahead: every slot of the weeks after it is in the future, on a
    working day, and inside the default booking horizon of a server on the real clock."""
    day = date.today() + timedelta(days=7)
    return day + timedelta(days=(7 - day.weekday()) % 7)


# -- concurrent clients ------------------------------------------------------------------------


class Jobs:
    """Job numbers handed to concurrent clients, each exactly once, until a deadline."""

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
    """What the clients of one run report: jobs done, failures, and each job's latency."""

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


# -- where the CPU goes ------------------------------------------------------------------------
# Throughput on a shared machine moves with whatever else runs; CPU seconds per booking of each
# party (server processes, PostgreSQL backends, this client) do not, so they are printed too.
# They are read from /proc and left out where there is none.

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far; 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def process_tree(root: int) -> list[int]:
    """``root`` and every process descended from it (uvicorn's worker processes)."""
    parents: dict[int, int] = {}
    for name in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    parents[int(name)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree = [root]
    for pid in tree:
        tree.extend(child for child, parent in parents.items() if parent == pid)
    return tree


def backends(pg_url: str) -> list[int]:
    """Server processes of the other connections to the benchmark's database."""
    with psycopg.connect(pg_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return [int(r[0]) for r in rows]


class CpuMeter:
    """CPU seconds spent by the server, PostgreSQL and this process over one timed run."""

    def __init__(self, pg_url: str, server_pid: int | None) -> None:
        self.pg_url = pg_url
        self.server_pid = server_pid

    def _sample(self) -> dict[str, dict[int, float]]:
        groups = {"PostgreSQL": backends(self.pg_url)}
        if self.server_pid is not None:
            groups["server"] = process_tree(self.server_pid)
        return {name: {p: cpu_seconds(p) for p in pids} for name, pids in groups.items()}

    @contextmanager
    def measure(self) -> Iterator[dict[str, float]]:
        spent: dict[str, float] = {}
        before, mine = self._sample(), time.process_time()
        yield spent
        after = self._sample()
        if not os.path.isdir("/proc"):
            return
        for name, now in after.items():
            spent[name] = sum(t - before[name].get(p, 0.0) for p, t in now.items())
        spent["client"] = time.process_time() - mine


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
def server(pg_url: str, workers: int, pool_size: int) -> Iterator[tuple[int, int]]:
    """The real server on a free port of 127.0.0.1, healthy: (port, pid); stopped afterwards."""
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
            yield port, proc.pid
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


@dataclass(frozen=True)
class Run:
    """One kind of booking to time: a label, the work of one client, and what it costs."""

    label: str
    work: Callable[[Jobs, Outcome], None]
    meter: CpuMeter


def measure(run: Run, clients: int, numbers: range, budget: float, *, quiet: bool = False) -> float:
    """Book ``numbers`` with ``clients`` concurrent clients; print the figures; bookings/s."""
    out = Outcome()
    with run.meter.measure() as spent:
        elapsed = run_concurrently(clients, run.work, Jobs(numbers, time.monotonic() + budget), out)
    rate = out.done / elapsed if elapsed else 0.0
    if quiet and not out.failures:
        return rate
    lat = sorted(out.latencies) or [0.0]
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    print(
        f"{run.label:<42} {out.done:>6} in {elapsed:6.2f} s = {rate:7.1f} bookings/s"
        f"  (latency p50 {statistics.median(lat) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms)"
    )
    if spent and out.done:
        parts = ", ".join(f"{k} {v / out.done * 1000:.2f} ms" for k, v in spent.items())
        print(f"{'':<42} CPU per booking: {parts}")
    if out.failures:
        print(f"  {len(out.failures)} failed, e.g.: {out.failures[0][:300]}")
    if out.done < len(numbers) and not out.failures:
        print(f"  stopped by --max-seconds after {out.done} of {len(numbers)}")
    return rate
