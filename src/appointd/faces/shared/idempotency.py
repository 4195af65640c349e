"""``Idempotency-Key`` for the unsafe requests of every face: a retried request does its work
once, and every repeat gets the first answer.

How a face uses it (the native face does exactly this for ``/v1``)::

    from appointd.faces.shared.idempotency import register_idempotent_prefix

    def account_of(services: Services, headers: Headers) -> int | None:
        ...  # the face's own authentication; None when the credentials are not valid

    register_idempotent_prefix("/cliniko/v1", account_of)

and its use cases keep calling ``ctx.uow()`` as always. A face whose credentials may also come
in the query string (Agendize's ``?apiKey=...&token=...``) registers with
:func:`register_idempotent_prefix_by_request` instead: its resolver is given the whole
:class:`~starlette.requests.HTTPConnection` (headers and query parameters).

Nothing else: the middleware below (installed once for the whole application) does the rest
for every ``POST``, ``PUT``, ``PATCH`` and ``DELETE`` under the prefix that carries the header.

The contract:

* A key is 1 to 255 visible ASCII characters (``!`` to ``~``); anything else is 422 naming
  ``Idempotency-Key``. Keys are scoped to the account; without valid credentials the request
  goes on unchanged (and the face answers 401).
* The first request with a key runs. Its answer, when it is a success (2xx), is stored **in the
  same database transaction as its effects**: the middleware opens the transaction and reserves
  the key in it, the request's use cases join it (:func:`appointd.app.context.joining`: each
  ``ctx.uow()`` becomes a savepoint of it), and the middleware stores the answer and commits
  before a single byte of the answer is sent. A server killed at any moment therefore leaves
  either the effects *and* the answer, or neither, and a client holding a 2xx knows both exist.
* A refused request (4xx) or a failed one (5xx) stores nothing: not its effects (it has
  none), not the key. Its retry runs afresh, as it would have without the key.
* A repeat with the same key and the same request (method, path with query string, and
  SHA-256 of the body bytes) gets the stored status, headers and body, plus
  ``Idempotent-Replayed: true``, and does nothing.
* The same key with a different request is 422 naming ``Idempotency-Key``.
* A repeat that arrives while the first is still running **waits** for it (the key's row is
  locked by the first request's transaction; SQLite's writers are serialised anyway), then is
  answered as above: the stored answer if the first succeeded, or it runs if the first failed.
* Keys are kept at least ``APPOINTD_IDEMPOTENCY_RETENTION_HOURS`` (24) hours, then purged:
  each server process deletes expired keys at most every ten minutes, and an expired key met
  on the way is replaced.

Errors are rendered by the face's renderer (:mod:`appointd.faces.shared.errors`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from appointd.app.context import Services, SharedTransaction, joining
from appointd.domain.errors import AppointdError, Conflict, Invalid
from appointd.faces.shared.body_limit import BODY_KEY, replay
from appointd.faces.shared.errors import renderer_for
from appointd.store.repositories.idempotency import (
    COMPLETED,
    IdempotencyRepository,
    StoredRequest,
    purge,
)

HEADER = "Idempotency-Key"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PURGE_EVERY_SECONDS = 600.0
# Response headers never stored: the server sets them on every answer.
_NOT_STORED = frozenset({"content-length", "date", "server", "connection"})

AccountResolver = Callable[[Services, Headers], "int | None"]
RequestResolver = Callable[[Services, HTTPConnection], "int | None"]
_prefixes: dict[str, RequestResolver] = {}


def register_idempotent_prefix(prefix: str, account_of: AccountResolver) -> None:
    """Honour ``Idempotency-Key`` on unsafe requests under ``prefix``.

    ``account_of(services, headers)`` authenticates the request the face's way and returns
    the account id, or ``None`` when the credentials are missing or wrong. It runs in a worker
    thread and may query the database.
    """
    _prefixes[prefix.rstrip("/")] = lambda services, conn: account_of(services, conn.headers)


def register_idempotent_prefix_by_request(prefix: str, account_of: RequestResolver) -> None:
    """Like :func:`register_idempotent_prefix`, for credentials that may also be query
    parameters: ``account_of(services, connection)`` reads ``connection.headers`` and
    ``connection.query_params``."""
    _prefixes[prefix.rstrip("/")] = account_of


def _resolver_for(path: str) -> RequestResolver | None:
    best = max(
        (p for p in _prefixes if path == p or path.startswith(p + "/")), key=len, default=None
    )
    return None if best is None else _prefixes[best]


def valid_key(key: str) -> bool:
    return 1 <= len(key) <= 255 and all("!" <= ch <= "~" for ch in key)


@dataclass
class _Request:
    key: str
    method: str
    path: str
    fingerprint: str
    account_id: int


class Idempotency:
    """The ASGI middleware; installed once, inside the body limit, by the composition root."""

    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.services = services
        self._last_purge = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get(HEADER)
        path = scope.get("path", "/")
        resolve = _resolver_for(path)
        if key is None or resolve is None:
            await self.app(scope, receive, send)
            return
        if not valid_key(key):
            error = Invalid.field(HEADER, "must be 1 to 255 visible ASCII characters")
            await renderer_for(path)(422, error)(scope, receive, send)
            return
        account_id = await run_in_threadpool(resolve, self.services, HTTPConnection(scope))
        if account_id is None:
            await self.app(scope, receive, send)
            return
        body = scope.get(BODY_KEY)
        if body is None:
            body = await _read_body(receive)
        request = _Request(
            key=key,
            method=scope["method"],
            path=path
            + ("?" + scope["query_string"].decode("latin-1") if scope.get("query_string") else ""),
            fingerprint=_fingerprint(scope, body),
            account_id=account_id,
        )
        await self._handle(scope, replay(body, receive), send, request)

    async def _handle(self, scope: Scope, receive: Receive, send: Send, r: _Request) -> None:
        await self._maybe_purge()
        conn, stored = await run_in_threadpool(self._claim, r)
        if stored is not None:
            await self._answer_stored(scope, receive, send, r, stored)
            return
        captured = _Captured()
        try:
            with joining(SharedTransaction(self.services.engine, r.account_id, conn)):
                await self.app(scope, receive, captured.send)
            if 200 <= captured.status < 300:
                await run_in_threadpool(self._complete, conn, r, captured)
        finally:
            await run_in_threadpool(_close, conn)
        await captured.replay(send)

    def _claim(self, r: _Request) -> tuple[Connection, StoredRequest | None]:
        conn = self.services.engine.connect()
        try:
            conn.begin()
            repo = IdempotencyRepository(conn, r.account_id)
            now = self.services.clock()
            expired = now - timedelta(hours=self.services.settings.idempotency_retention_hours)
            stored = repo.claim(r.key, r.method, r.path, r.fingerprint, now, expired)
        except BaseException:
            _close(conn)
            raise
        if stored is not None:
            _close(conn)
        return conn, stored

    def _complete(self, conn: Connection, r: _Request, captured: _Captured) -> None:
        repo = IdempotencyRepository(conn, r.account_id)
        repo.complete(
            r.key, captured.status, captured.stored_headers(), captured.body, self.services.clock()
        )
        conn.commit()

    async def _answer_stored(
        self, scope: Scope, receive: Receive, send: Send, r: _Request, stored: StoredRequest
    ) -> None:
        error: AppointdError
        if (stored.method, stored.path, stored.fingerprint) != (r.method, r.path, r.fingerprint):
            error = Invalid.field(
                HEADER,
                f"key {r.key!r} was already used for a different request "
                f"({stored.method} {stored.path}); use a new key",
            )
            await renderer_for(scope["path"])(422, error)(scope, receive, send)
            return
        if stored.state != COMPLETED or stored.status is None:
            error = Conflict(f"the first request with key {r.key!r} is still in progress")
            await renderer_for(scope["path"])(409, error)(scope, receive, send)
            return
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in stored.headers.items()]
        body = stored.body or b""
        headers.append((b"content-length", str(len(body)).encode()))
        headers.append((b"idempotent-replayed", b"true"))
        await send({"type": "http.response.start", "status": stored.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _maybe_purge(self) -> None:
        now = time.monotonic()
        if now - self._last_purge < PURGE_EVERY_SECONDS:
            return
        self._last_purge = now
        await run_in_threadpool(self.purge_expired)

    def purge_expired(self) -> int:
        """Delete every key older than the retention; how many were deleted."""
        hours = self.services.settings.idempotency_retention_hours
        with self.services.engine.connect() as conn:
            conn.begin()
            count = purge(conn, self.services.clock() - timedelta(hours=hours))
            conn.commit()
        return count


class _Captured:
    """The downstream answer, held back until its stored copy is committed."""

    def __init__(self) -> None:
        self.status = 500
        self.headers: list[tuple[bytes, bytes]] = []
        self.chunks: list[bytes] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
            self.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)

    def stored_headers(self) -> dict[str, str]:
        return {
            k.decode("latin-1"): v.decode("latin-1")
            for k, v in self.headers
            if k.decode("latin-1").lower() not in _NOT_STORED
        }

    async def replay(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body})


def _fingerprint(scope: Scope, body: bytes) -> str:
    digest = hashlib.sha256()
    digest.update(scope["method"].encode())
    digest.update(b"\n" + scope.get("path", "").encode("utf-8", "surrogateescape"))
    digest.update(b"?" + scope.get("query_string", b""))
    digest.update(b"\n" + body)
    return digest.hexdigest()


def _close(conn: Connection) -> None:
    try:
        if conn.in_transaction():
            conn.rollback()
    finally:
        conn.close()


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    more = True
    while more:
        message: dict[str, Any] = dict(await receive())
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)
