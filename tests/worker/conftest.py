"""Real receivers for the dispatcher's tests: an HTTP server and an SMTP server on free ports,
and a dispatcher bound to one test account with a clock the test moves."""

from __future__ import annotations

import email
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import update

from appointd.app.context import Services
from appointd.store import tables
from appointd.worker.dispatcher import Dispatcher
from tests.conftest import Api, Database


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A local HTTP server recording every request; ``status`` decides each answer."""

    status: Callable[[Received], int] = lambda r: 200
    requests: list[Received] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> ThreadingHTTPServer:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                got = Received(
                    self.command,
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length),
                )
                with receiver.lock:
                    receiver.requests.append(got)
                code = receiver.status(got)
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_PUT = _handle

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        # A sender killed mid-request resets its connection: expected here, not an error.
        server.handle_error = lambda *args: None  # type: ignore[method-assign]
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    server = r.start()
    yield r
    server.shutdown()
    server.server_close()


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


@dataclass
class Smtp:
    url: str
    mailbox: _Mailbox


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    mailbox = _Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield Smtp(f"smtp://127.0.0.1:{port}", mailbox)
    controller.stop()


class Clock:
    """A clock the test moves; starts at the real time."""

    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def dispatcher(api: Api, clock: Clock | None = None, **settings: Any) -> Dispatcher:
    """A dispatcher over ``api``'s account only, private addresses allowed (local receivers)."""
    db: Database = api.db
    merged = db.settings.model_copy(update={"webhooks_allow_private": True, **settings})
    services = Services(engine=db.engine, settings=merged, clock=clock or Clock())
    return Dispatcher(services, account_ids=[api.account_id])


def set_account_settings(api: Api, **values: Any) -> None:
    """Write keys of the account's settings document (what GET/PATCH /v1/account will show)."""
    t = tables.accounts
    with api.db.engine.begin() as conn:
        current = conn.execute(t.select().where(t.c.id == api.account_id)).one().settings or {}
        conn.execute(
            update(t).where(t.c.id == api.account_id).values(settings={**current, **values})
        )


def create_webhook(api: Api, url: str, events: list[str] | None = None) -> dict[str, Any]:
    response = api.post("/v1/webhooks", json={"url": url, "events": events or ["*"]})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def hooks_api(db: Database) -> Iterator[Api]:
    """An account on an app that allows private webhook addresses (the local receivers)."""
    from fastapi.testclient import TestClient

    from appointd.asgi import create_app
    from tests.conftest import new_api

    settings = db.settings.model_copy(update={"webhooks_allow_private": True})
    services = Services(engine=db.engine, settings=settings)
    with TestClient(create_app(settings, services), raise_server_exceptions=False) as client:
        yield new_api(client, db, "Hooks clinic")
