"""The README's first-booking curl commands, run as written and in order against
``appointd serve --demo`` (the section "First booking in five requests"; the vendor faces'
sections use their own credentials and are not run here yet).

The server is started the way the README says (the venv's ``appointd serve --demo``, on a free
port, in an empty folder so that ``./appointd.db`` is a fresh SQLite file); the two ``export``
lines it prints give ``APPOINTD_KEY`` and ``APPOINTD_URL``. Every command must answer 2xx.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import _free_port

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCK = re.compile(r"^```(?:sh|bash|shell)\n(.*?)^```", re.S | re.M)


def curl_commands(text: str) -> list[str]:
    """Every ``curl`` command of the README's shell blocks, continuation lines and multi-line
    quoted bodies joined, comments dropped."""
    found: list[str] = []
    for block in BLOCK.findall(text):
        pending = ""
        for line in block.splitlines():
            if not pending and (not line.strip() or line.lstrip().startswith("#")):
                continue
            pending += line + "\n"
            if pending.rstrip().endswith("\\"):
                continue
            try:
                shlex.split(pending)
            except ValueError:  # a quote still open: the command goes on
                continue
            if pending.lstrip().startswith("curl "):
                found.append(pending.strip())
            pending = ""
    return found


def first_booking() -> str:
    text = README.read_text()
    start = text.index("## First booking in five requests")
    return text[start : text.index("\n## ", start + 1)]


def test_the_readme_lists_the_first_booking_sequence() -> None:
    commands = curl_commands(first_booking())
    assert len(commands) >= 9
    assert all("$APPOINTD_URL" in c for c in commands)


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[dict[str, str]]:
    appointd = Path(sys.executable).parent / "appointd"
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPOINTD_")}
    port = _free_port()
    proc = subprocess.Popen(
        [str(appointd), "serve", "--demo", "--port", str(port), "--log-level", "warning"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    exports: dict[str, str] = {}
    lines: list[str] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if match := re.match(r"export (APPOINTD_KEY|APPOINTD_URL)=(\S+)$", line.strip()):
                exports[match[1]] = match[2]

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        for _ in range(900):
            if proc.poll() is not None:
                pytest.fail("serve --demo exited early:\n" + "".join(lines))
            if len(exports) == 2:
                try:
                    if httpx.get(exports["APPOINTD_URL"] + "/v1/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
            time.sleep(0.1)
        else:
            pytest.fail("serve --demo did not come up:\n" + "".join(lines))
        assert (tmp_path / "appointd.db").exists()
        yield exports
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        reader.join(timeout=5)


def test_every_curl_command_of_the_readme_answers_2xx_against_the_demo_server(
    demo_server: dict[str, str],
) -> None:
    assert demo_server["APPOINTD_URL"] == demo_server["APPOINTD_URL"].rstrip("/")
    env = {**os.environ, **demo_server}
    for command in curl_commands(first_booking()):
        done = subprocess.run(
            ["bash", "-c", command + " -w '\\n__status=%{http_code}'"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        status = re.search(r"__status=(\d+)", done.stdout)
        assert status is not None, (command, done.stdout, done.stderr)
        assert 200 <= int(status[1]) < 300, (command, done.stdout)
        assert done.returncode == 0, (command, done.stdout, done.stderr)
