"""A real appointd server, started as several worker processes on the test database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from appointd.app.accounts import create_account
from tests.conftest import Database


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    base_url: str
    db: Database

    def client_for_new_account(self, name: str = "race") -> httpx.Client:
        """An HTTP client authenticated as a fresh account of this server's database."""
        created = create_account(self.db.services, name)
        return httpx.Client(
            base_url=self.base_url,
            timeout=60,
            headers={"Authorization": f"Bearer {created.api_key}"},
        )

    def new_key(self, name: str = "race") -> str:
        return create_account(self.db.services, name).api_key


@pytest.fixture
def server(db: Database) -> Iterator[Server]:
    """``appointd serve --workers 2`` on ``db``, ready to take requests; stopped afterwards."""
    port = _free_port()
    env = {**os.environ, "APPOINTD_DATABASE_URL": db.url, "APPOINTD_DB_POOL_SIZE": "20"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "appointd.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
            "--no-access-log",
            "--no-dispatcher",  # these tests race bookings; the dispatcher has its own
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    try:
        while True:
            if proc.poll() is not None:
                out = proc.stdout.read().decode() if proc.stdout else ""
                pytest.fail(f"server exited early:\n{out}")
            try:
                if httpx.get(base + "/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("server did not become healthy in 90 s")
            time.sleep(0.2)
        yield Server(base, db)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()
