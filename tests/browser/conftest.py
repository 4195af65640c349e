"""Browser tests: a real appointd server in a thread and Debian's headless Chromium, driven by
Playwright. No browser is ever downloaded: without /usr/bin/chromium these tests are skipped
locally and fail under ``CI``. Every test saves screenshots of its steps; the folder is printed
at the end of the run."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from appointd.app.accounts import create_account
from appointd.app.context import Services
from appointd.asgi import create_app
from appointd.settings import Settings
from tests.conftest import Database

CHROMIUM = os.environ.get("APPOINTD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
_SHOTS: list[Path] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _SHOTS:
        terminalreporter.write_line(f"browser screenshots: {_SHOTS[0]}")


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("APPOINTD_SCREENSHOTS", tmp_path_factory.getbasetemp()))
    folder = folder / "screenshots" if "APPOINTD_SCREENSHOTS" not in os.environ else folder
    folder.mkdir(parents=True, exist_ok=True)
    _SHOTS.append(folder)
    print(f"\nbrowser screenshots: {folder}")
    return folder


@dataclass
class Server:
    base_url: str
    db: Database

    def owner(self) -> httpx.Client:
        """An HTTP client for a fresh business account of this server's database."""
        created = create_account(self.db.services, f"Browser {uuid.uuid4().hex[:6]}")
        return httpx.Client(
            base_url=self.base_url,
            timeout=30,
            headers={"Authorization": f"Bearer {created.api_key}"},
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(db: Database) -> Iterator[Server]:
    """appointd on a free port of 127.0.0.1, in a thread of this process."""
    settings = Settings(
        database_url=db.url,
        db_pool_size=20,
        public_views_per_minute=100_000,
        public_posts_per_minute=100_000,
    )
    app = create_app(settings, Services(engine=db.services.engine, settings=settings))
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    try:
        yield Server(f"http://127.0.0.1:{port}", db)
    finally:
        srv.should_exit = True
        thread.join(timeout=15)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is required under CI and is missing at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Shots:
    """Numbered screenshots of one test's steps."""

    def __init__(self, folder: Path, name: str) -> None:
        self.folder = folder / name
        self.folder.mkdir(parents=True, exist_ok=True)
        self.n = 0

    def __call__(self, page: Any, step: str) -> None:
        self.n += 1
        page.screenshot(path=str(self.folder / f"{self.n:02d}-{step}.png"), full_page=True)


@pytest.fixture
def shots(screenshots: Path, request: pytest.FixtureRequest) -> Shots:
    name = request.node.name.replace("[", "-").replace("]", "").replace("/", "-")
    return Shots(screenshots, name)
