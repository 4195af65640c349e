"""The dispatcher: outbox events become deliveries, and due deliveries are sent.

One loop, three steps, each its own short transaction:

1. **fan out** — claim undispatched outbox events (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) and
   write their deliveries in the same transaction (:mod:`appointd.worker.fanout`);
2. **claim** — lease due deliveries (``lease_until`` = now + the lease), skipping endpoints that
   already have their share of requests in flight; render each (the subscription's kind, or a
   message template) and hand it to a thread pool that makes the one HTTP or SMTP attempt;
3. **finish** — write the attempts that came back: sent, retried on the Standard Webhooks
   schedule, or failed; endpoints failing for 5 days are disabled.

Leases are renewed while work is in flight, so only a dead dispatcher's claims run out; another
dispatcher then takes them (at least once: a delivery whose sending was cut short by a crash is
sent again). On SQLite a single dispatcher runs at a time, holding the ``sqlite`` lease. On
PostgreSQL a committed outbox row wakes the dispatcher at once (``LISTEN appointd_outbox``);
otherwise it sleeps until the next due delivery, at most ``APPOINTD_DISPATCHER_POLL_SECONDS``.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import queue
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from appointd.app.context import Services
from appointd.store.repositories.dispatch import DispatchStore
from appointd.worker import kinds, retry
from appointd.worker.fanout import fan_out
from appointd.worker.messages import environment
from appointd.worker.prepare import Job, prepare
from appointd.worker.subscriptions import OutgoingRequest
from appointd.worker.transports import HttpPool, Outcome, send_email, send_http

log = logging.getLogger("appointd.dispatcher")

SQLITE_LEASE = "sqlite"


@dataclass
class _Done:
    job: Job
    outcome: Outcome
    at: datetime


@dataclass
class Stats:
    fanned_out: int = 0
    sent: int = 0
    failed_attempts: int = 0
    not_sent: int = 0
    by_status: Counter[str] = field(default_factory=Counter)


class Dispatcher:
    """One dispatcher. ``account_ids`` limits it to some accounts (tests use this)."""

    def __init__(
        self,
        services: Services,
        *,
        account_ids: list[int] | None = None,
        owner: str | None = None,
    ) -> None:
        self.services = services
        self.settings = services.settings
        self.account_ids = account_ids
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.templates = environment(self.settings.templates_dir)
        kinds.load()  # the faces' subscription kinds, without their HTTP applications

        self.postgres = services.engine.dialect.name == "postgresql"
        self.lease = timedelta(seconds=self.settings.dispatcher_lease_seconds)
        self.pool = ThreadPoolExecutor(
            self.settings.dispatcher_concurrency, thread_name_prefix="appointd-send"
        )
        self.http = HttpPool()
        self.results: queue.SimpleQueue[_Done] = queue.SimpleQueue()
        self.inflight: dict[int, Job] = {}
        self.per_endpoint: Counter[int] = Counter()
        self.backlog: list[Job] = []
        self.stats = Stats()
        self._last_renew = 0.0
        self._holds_sqlite_lease = False
        self._healthy: set[int] = set()

    # -- the loop --------------------------------------------------------------------------
    def now(self) -> datetime:
        return self.services.clock()

    def step(self) -> bool:
        """One round, one transaction: write the attempts that came back, fan out a batch of
        events (their deliveries leased to this dispatcher at once), lease due deliveries,
        and hand what is ready to the senders. Whether it did anything."""
        if not self.postgres and not self._sqlite_lease():
            return False
        done = self._collect()
        now = self.now()
        room = self.settings.dispatcher_concurrency * 4 - len(self.inflight) - len(self.backlog)
        batch = self.settings.dispatcher_batch_size
        with self.services.engine.begin() as conn:
            store = DispatchStore(conn, self.account_ids)
            self._write_results(store, done, now)
            claimed = store.claim_events(batch, now) if room > 0 else []
            rows = fan_out(store, claimed, now, self.owner, now + self.lease)
            self.stats.fanned_out += len(claimed)
            if room - len(rows) > 0:
                rows += store.claim_deliveries(
                    self.owner, now, now + self.lease, min(room - len(rows), batch), self._full()
                )
            jobs, finals = prepare(store, rows, self.settings, self.templates, now)
        for job, outcome in finals:
            self.results.put(_Done(job, outcome, now))
        self.backlog.extend(jobs)
        self._submit_backlog()
        self._renew_leases()
        return bool(done or claimed or rows)

    def _full(self) -> list[int]:
        """Endpoints with a full share of claimed work waiting here: not claimed for now."""
        waiting = Counter(j.subscription_id for j in self.backlog if j.subscription_id)
        cap = self.settings.endpoint_concurrency
        return sorted(s for s, n in waiting.items() if n >= cap)

    def run_until_idle(self, timeout: float = 30.0) -> Stats:
        """Work until nothing is undispatched, due or in flight (tests and the bench)."""
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                did = self.step()
                if self.inflight or self.backlog:
                    self._wait_for_results(0.2)
                    continue
                if not did:
                    return self.stats
            raise TimeoutError("the dispatcher did not become idle")
        finally:
            self._release_sqlite_lease()

    def run(self, stop: threading.Event) -> None:
        """Work until ``stop`` is set."""
        listener = _Listener(self.settings.database_url) if self.postgres else None
        try:
            while not stop.is_set():
                try:
                    did = self.step()
                except Exception:  # a broken round must not stop the dispatcher for good
                    log.exception("dispatcher round failed; trying again")
                    did = False
                    stop.wait(1.0)
                if self.inflight or self.backlog:
                    self._wait_for_results(0.05 if did else 0.2)
                elif not did:
                    self._sleep(stop, listener)
        finally:
            if listener is not None:
                listener.close()
            self.close()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=False)
        done = self._collect()
        if done:
            with self.services.engine.begin() as conn:
                self._write_results(DispatchStore(conn, self.account_ids), done, self.now())
        self._release_sqlite_lease()

    def _release_sqlite_lease(self) -> None:
        if self._holds_sqlite_lease:
            with self.services.engine.begin() as conn:
                DispatchStore(conn).release_lease(SQLITE_LEASE, self.owner)
            self._holds_sqlite_lease = False

    def _sleep(self, stop: threading.Event, listener: _Listener | None) -> None:
        wait = self.settings.dispatcher_poll_seconds
        with self.services.engine.connect() as conn:
            due = DispatchStore(conn, self.account_ids).next_due()
        if due is not None:
            wait = max(0.0, min(wait, (due - self.now()).total_seconds()))
        if listener is not None:
            listener.wait(wait)
        else:
            stop.wait(wait)

    def _wait_for_results(self, timeout: float) -> None:
        try:
            first = self.results.get(timeout=timeout)
        except queue.Empty:
            return
        self.results.put(first)
        # A few milliseconds more let the answers arriving together share one transaction.
        time.sleep(0.005)

    # -- steps -----------------------------------------------------------------------------
    def _sqlite_lease(self) -> bool:
        now = self.now()
        with self.services.engine.begin() as conn:
            held = DispatchStore(conn).take_lease(SQLITE_LEASE, self.owner, now, now + self.lease)
        self._holds_sqlite_lease = held
        return held

    def _submit_backlog(self) -> None:
        cap = self.settings.endpoint_concurrency
        waiting: list[Job] = []
        for job in self.backlog:
            sid = job.subscription_id
            if sid is not None and self.per_endpoint[sid] >= cap:
                waiting.append(job)
                continue
            if sid is not None:
                self.per_endpoint[sid] += 1
            self.inflight[job.row["id"]] = job
            self.pool.submit(self._attempt, job)
        self.backlog = waiting

    def _attempt(self, job: Job) -> None:
        try:
            if job.email is not None:
                outcome = send_email(
                    self.settings, job.email, self.settings.webhook_timeout_seconds
                )
            else:
                assert job.request is not None
                request = job.signed(self.now())
                if job.authorize is not None:  # a kind's auth that needs I/O (OAuth2 tokens)
                    request = _with(request, job.authorize(False))
                outcome = self._send(request, job.timeout)
                if job.authorize is not None and outcome.status_code == 401:
                    outcome = self._send(_with(request, job.authorize(True)), job.timeout)
        except Exception as exc:  # never lose a result: a bug in sending is a failed attempt
            outcome = Outcome(False, error=f"{type(exc).__name__}: {exc}"[:500])
        self.results.put(_Done(job, outcome, self.now()))

    def _send(self, request: OutgoingRequest, timeout: float) -> Outcome:
        return send_http(
            self.http,
            request,
            allow_private=self.settings.webhooks_allow_private,
            timeout=timeout,
        )

    def _collect(self) -> list[_Done]:
        done: list[_Done] = []
        while True:
            try:
                d = self.results.get_nowait()
            except queue.Empty:
                return done
            done.append(d)
            self.inflight.pop(d.job.row["id"], None)
            sid = d.job.subscription_id
            if sid is not None and self.per_endpoint[sid] > 0:
                self.per_endpoint[sid] -= 1

    def _write_results(self, store: DispatchStore, done: list[_Done], now: datetime) -> None:
        if not done:
            return
        results: list[dict[str, Any]] = []
        ok_endpoints: list[int] = []
        bad_endpoints: list[int] = []
        for d in done:
            row = d.job.row
            result = {**row, **d.job.rendered_columns()}
            if d.job.settle is not None:
                status, reason = d.job.settle
                result.update(status=status, reason=reason, next_attempt_at=None, attempted_at=None)
                self.stats.not_sent += status == "not_sent"
            else:
                attempts = int(row["attempt_count"]) + 1
                result.update(
                    attempt_count=attempts,
                    attempted_at=d.at,
                    status_code=d.outcome.status_code,
                    error=d.outcome.error,
                )
                if d.outcome.ok:
                    result.update(status="sent", reason=None, sent_at=d.at, next_attempt_at=None)
                    self.stats.sent += 1
                else:
                    self.stats.failed_attempts += 1
                    again = None if d.outcome.final else retry.next_attempt(attempts, d.at)
                    result.update(
                        status="pending" if again else "failed",
                        reason=d.outcome.error,
                        next_attempt_at=again,
                    )
                if d.job.subscription_id is not None:
                    (ok_endpoints if d.outcome.ok else bad_endpoints).append(d.job.subscription_id)
            self.stats.by_status[result["status"]] += 1
            results.append(result)
        store.finish(self.owner, results)
        # An endpoint known to be healthy since its last failure needs no write per success.
        ok = {s for s in ok_endpoints if s not in self._healthy}
        if ok or bad_endpoints:
            store.endpoint_health(ok, bad_endpoints, now, now - retry.DISABLE_AFTER)
        self._healthy |= ok
        self._healthy -= set(bad_endpoints)

    def _renew_leases(self) -> None:
        if time.monotonic() - self._last_renew < self.lease.total_seconds() / 3:
            return
        self._last_renew = time.monotonic()
        ids = list(self.inflight) + [j.row["id"] for j in self.backlog]
        if ids:
            with self.services.engine.begin() as conn:
                DispatchStore(conn).renew(self.owner, ids, self.now() + self.lease)


def _with(request: OutgoingRequest, headers: Mapping[str, str]) -> OutgoingRequest:
    return dataclasses.replace(request, headers={**request.headers, **headers})


class _Listener:
    """``LISTEN appointd_outbox`` on its own connection; :meth:`wait` returns at a NOTIFY."""

    def __init__(self, database_url: str) -> None:
        import psycopg

        url = database_url.replace("postgresql+psycopg://", "postgresql://")
        self.conn = psycopg.connect(url, autocommit=True)
        self.conn.execute("LISTEN appointd_outbox")

    def wait(self, timeout: float) -> None:
        for _ in self.conn.notifies(timeout=max(timeout, 0.001), stop_after=1):
            break

    def close(self) -> None:
        self.conn.close()
