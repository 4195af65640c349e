"""The dispatcher as processes on PostgreSQL: at least once through SIGKILL (of a worker, and of
the whole `appointd serve` process group), exactly once between two healthy workers (SKIP
LOCKED), and `appointd serve` waking at once on NOTIFY."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from appointd.app.accounts import create_account
from appointd.app.context import Caller, Context, Services
from appointd.app.subscriptions import create as create_subscription
from appointd.domain.model import Event
from appointd.store.uow import UnitOfWork
from tests.conftest import Database
from tests.worker.conftest import Receiver, free_port
from tests.worker.conftest import receiver as receiver  # the fixture


@pytest.fixture
def pg(pg_db: Database) -> Database:
    return pg_db


def _env(db: Database, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "APPOINTD_DATABASE_URL": db.url,
        "APPOINTD_WEBHOOKS_ALLOW_PRIVATE": "true",
        "APPOINTD_DISPATCHER_LEASE_SECONDS": "5",
        **extra,
    }


def _worker(db: Database, **extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "appointd.cli", "worker"],
        env=_env(db, **extra),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _account_with_webhook(db: Database, url: str) -> tuple[int, Context]:
    account = create_account(db.services, "dispatch e2e")
    services = Services(
        engine=db.engine,
        settings=db.settings.model_copy(update={"webhooks_allow_private": True}),
    )
    ctx = Context(services, Caller(account.account_id))
    create_subscription(ctx, url=url, events=["*"])
    return account.account_id, ctx


def _events(db: Database, account_id: int, n: int) -> list[str]:
    with UnitOfWork(db.engine, account_id) as uow:
        ids = uow.bulk.record_events(
            [Event("appointment.updated", {"n": i}) for i in range(n)],
            db.services.clock(),
        )
        uow.commit()
    return ids


def _wait_for(predicate: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.fixture
def slow_receiver() -> Iterator[Receiver]:
    def slowly(_: Any) -> int:
        time.sleep(0.02)
        return 200

    r = Receiver(status=slowly)
    server = r.start()
    yield r
    server.shutdown()
    server.server_close()


def test_every_event_arrives_at_least_once_when_the_dispatcher_is_killed_mid_delivery(
    pg: Database, slow_receiver: Receiver
) -> None:
    account_id, _ = _account_with_webhook(pg, slow_receiver.url)
    expected = set(_events(pg, account_id, 300))

    def arrived() -> Counter[str]:
        with slow_receiver.lock:
            return Counter(r.headers["webhook-id"] for r in slow_receiver.requests)

    first = _worker(pg)
    try:
        assert _wait_for(lambda: len(arrived()) >= 60, 60), "the first worker delivered nothing"
        first.send_signal(signal.SIGKILL)
        first.wait()
    finally:
        _stop(first)
    killed_at = len(arrived())
    assert killed_at < len(expected), "killed too late to prove anything"
    second = _worker(pg)
    try:
        # The dead worker's leases run out (5 s here) and the second one takes them over.
        assert _wait_for(lambda: expected <= set(arrived()), 90), (
            f"missing {len(expected - set(arrived()))} of {len(expected)} events"
        )
    finally:
        _stop(second)
    counts = arrived()
    assert set(counts) == expected
    print(f"\n{len(expected)} events, {sum(counts.values())} arrivals, killed after {killed_at}")


def test_two_healthy_workers_share_the_work_and_send_each_event_once(
    pg: Database, receiver: Receiver
) -> None:
    account_id, _ = _account_with_webhook(pg, receiver.url)
    workers = [_worker(pg), _worker(pg)]
    try:
        expected = set(_events(pg, account_id, 400))

        def arrived() -> Counter[str]:
            with receiver.lock:
                return Counter(r.headers["webhook-id"] for r in receiver.requests)

        assert _wait_for(lambda: expected <= set(arrived()), 60)
        time.sleep(0.5)  # anything sent twice would arrive by now
    finally:
        for w in workers:
            _stop(w)
    counts = arrived()
    assert set(counts) == expected
    assert max(counts.values()) == 1


def test_serve_runs_one_dispatcher_that_a_new_event_wakes_at_once(
    pg: Database, receiver: Receiver
) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "appointd.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=_env(pg, APPOINTD_DISPATCHER_POLL_SECONDS="30"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        started = _wait_for(lambda: _healthy(base) or proc.poll() is not None, 120)
        assert started and proc.poll() is None, _output(proc)
        account_id, _ = _account_with_webhook(pg, receiver.url)
        time.sleep(1.0)  # let the dispatcher go to sleep (polling every 30 s only)
        expected = set(_events(pg, account_id, 3))
        # Far sooner than the 30 s poll: the NOTIFY of the commit woke it.
        assert _wait_for(lambda: len(receiver.requests) >= 3, 10)
        assert {r.headers["webhook-id"] for r in receiver.requests} == expected
    finally:
        _stop(proc)


def _serve(db: Database, port: int) -> subprocess.Popen[bytes]:
    """``appointd serve`` in a process group of its own (its uvicorn worker and its
    dispatcher child are in it too), so the test can kill all of it at once."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "appointd.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            "1",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=_env(db),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def test_every_event_arrives_at_least_once_when_the_serve_process_group_is_killed(
    pg: Database, slow_receiver: Receiver
) -> None:
    """SIGKILL to ``appointd serve``, its HTTP worker and its dispatcher child, mid-delivery;
    a new ``serve`` takes the dead dispatcher's leases over and delivers the rest."""
    account_id, _ = _account_with_webhook(pg, slow_receiver.url)

    def arrived() -> Counter[str]:
        with slow_receiver.lock:
            return Counter(r.headers["webhook-id"] for r in slow_receiver.requests)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    first = _serve(pg, port)
    try:
        started = _wait_for(lambda: _healthy(base) or first.poll() is not None, 120)
        assert started and first.poll() is None, "serve did not start"
        expected = set(_events(pg, account_id, 300))
        assert _wait_for(lambda: len(arrived()) >= 60, 60), "serve's dispatcher delivered nothing"
        os.killpg(first.pid, signal.SIGKILL)  # the parent, its HTTP worker and the dispatcher
        first.wait()
        assert _wait_for(lambda: _group_gone(first.pid), 10), "a process of the group survived"
    finally:
        if first.poll() is None or not _group_gone(first.pid):
            os.killpg(first.pid, signal.SIGKILL)
            first.wait()
    killed_at = len(arrived())
    assert killed_at < len(expected), "killed too late to prove anything"
    second = _serve(pg, port)
    try:
        # The dead dispatcher's leases run out (5 s here) and the new server's takes them over.
        assert _wait_for(lambda: expected <= set(arrived()), 120), (
            f"missing {len(expected - set(arrived()))} of {len(expected)} events"
        )
        assert _wait_for(lambda: _healthy(base), 60), "the restarted serve does not answer"
    finally:
        _stop(second)
    counts = arrived()
    assert set(counts) == expected
    print(f"\n{len(expected)} events, {sum(counts.values())} arrivals, killed after {killed_at}")


def _output(proc: subprocess.Popen[bytes]) -> str:
    _stop(proc)
    return proc.stdout.read().decode() if proc.stdout else ""


def _healthy(base: str) -> bool:
    try:
        return httpx.get(base + "/v1/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
