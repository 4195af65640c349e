"""The dispatch bench's webhook receiver, in a process of its own.

    python bench/receiver.py [--kind asyncio|threaded]

Listens on a free port of 127.0.0.1, answers every request ``200`` with an empty body (HTTP/1.1
keep-alive) and notes when each ``webhook-id`` first arrived (``time.time()``). It prints its URL
on the first line of stdout, then answers commands read from stdin, one a line:

* ``count``: ``<distinct ids> <requests>``;
* ``dump``: one JSON line ``{"arrived": {id: time}, "total": n, "cpu": seconds}``.

Two kinds, to show the receiver is not what limits the bench:

* ``asyncio`` (default): one event loop (uvloop when installed) with the ``httptools`` C parser,
  tens of microseconds of CPU per request;
* ``threaded``: the stdlib ``ThreadingHTTPServer`` the bench used first (a thread per
  connection, ``email.parser`` headers), about ten times that.

Its own process keeps its CPU out of the bench process, which commits the events: before, the
two shared one GIL and every receipt delayed the commits it was measured against.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

_OK = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"


class Book:
    """First arrival time of each id, and the number of requests."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.total = 0
        self.lock = threading.Lock()

    def note(self, event_id: str, at: float) -> None:
        with self.lock:
            self.total += 1
            self.arrived.setdefault(event_id, at)


def serve_asyncio(book: Book) -> str:
    """Start the asyncio receiver on a thread; its URL."""
    import httptools

    class Connection(asyncio.Protocol):
        def __init__(self) -> None:
            self.parser = httptools.HttpRequestParser(self)
            self.event_id = b""
            self.transport: asyncio.Transport | None = None

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = cast(asyncio.Transport, transport)  # uvloop's is no subclass

        def data_received(self, data: bytes) -> None:
            try:
                self.parser.feed_data(data)
            except httptools.HttpParserError:
                assert self.transport is not None
                self.transport.close()

        def on_header(self, name: bytes, value: bytes) -> None:
            if name.lower() == b"webhook-id":
                self.event_id = value

        def on_message_complete(self) -> None:
            book.note(self.event_id.decode(), time.time())
            self.event_id = b""
            assert self.transport is not None
            self.transport.write(_OK)

    try:
        import uvloop

        loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    except ImportError:  # pragma: no cover - uvloop is in the dev lock
        loop = asyncio.new_event_loop()
    server = loop.run_until_complete(
        loop.create_server(Connection, "127.0.0.1", 0, backlog=1024, reuse_address=True)
    )
    port = server.sockets[0].getsockname()[1]
    threading.Thread(target=loop.run_forever, daemon=True).start()
    return f"http://127.0.0.1:{port}/hook"


def serve_threaded(book: Book) -> str:
    """Start the stdlib threaded receiver; its URL."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            book.note(self.headers.get("webhook-id", ""), time.time())
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/hook"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--kind", choices=["asyncio", "threaded"], default="asyncio")
    args = p.parse_args()
    book = Book()
    url = serve_asyncio(book) if args.kind == "asyncio" else serve_threaded(book)
    print(url, flush=True)
    for line in sys.stdin:
        command = line.strip()
        with book.lock:
            if command == "count":
                print(len(book.arrived), book.total, flush=True)
            elif command == "dump":
                times = os.times()
                cpu = times.user + times.system
                print(
                    json.dumps({"arrived": book.arrived, "total": book.total, "cpu": cpu}),
                    flush=True,
                )


if __name__ == "__main__":
    main()
