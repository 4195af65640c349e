"""Every curl command of the README, run as written against ``appointd serve --demo``.

The section "First booking in five requests" runs command by command, in order. Every other
section with a ``curl`` in its shell blocks runs as one bash script (its blocks in order, so a
variable set by one line, such as a TimeTap session token, is there for the next), against a
fresh demo server of its own, since each section's ids are those of a fresh demo database.

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
            if match := re.match(
                r"export (APPOINTD_KEY|APPOINTD_URL|APPOINTD_ACCOUNT)=(\S+)$", line.strip()
            ):
                exports[match[1]] = match[2]

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        for _ in range(900):
            if proc.poll() is not None:
                pytest.fail("serve --demo exited early:\n" + "".join(lines))
            if len(exports) == 3:
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


# Sections whose shell blocks install or administer rather than call the API: never run here.
NOT_RUN = ("## Quick start", "## Command line", "## First booking in five requests")
# Wraps curl so that every call, wherever it sits ($(...), a pipe), reports its status on stderr.
CURL_STATUS = "curl() { command curl -w '%{stderr}__status=%{http_code}\\n' \"$@\"; }\n"


def sections_with_curl() -> dict[str, str]:
    """Title -> the section's shell blocks joined, for every section that calls curl."""
    found: dict[str, str] = {}
    for section in re.split(r"\n(?=## )", README.read_text()):
        title = section.splitlines()[0]
        script = "\n".join(BLOCK.findall(section))
        if title.startswith(NOT_RUN) or not curl_commands(section):
            continue
        found[title] = script
    return found


def test_the_vendor_sections_have_runnable_examples() -> None:
    titles = " | ".join(sections_with_curl())
    for face in ("TimeTap", "Cliniko", "Agendize"):
        assert face in titles
    for script in sections_with_curl().values():
        assert "$APPOINTD_URL" in script and "localhost:8000" not in script


@pytest.mark.parametrize("title", sorted(sections_with_curl()))
def test_every_curl_of_a_section_answers_2xx_run_as_one_script(
    demo_server: dict[str, str], title: str
) -> None:
    script = sections_with_curl()[title]
    done = subprocess.run(
        ["bash", "-c", "set -eo pipefail\n" + CURL_STATUS + script],
        env={**os.environ, **demo_server},
        capture_output=True,
        text=True,
        timeout=120,
    )
    statuses = [int(s) for s in re.findall(r"__status=(\d+)", done.stderr)]
    assert done.returncode == 0, (title, done.stdout[-4000:], done.stderr[-4000:])
    assert len(statuses) >= len(curl_commands(script)), (title, statuses)
    assert all(200 <= s < 300 for s in statuses), (title, statuses, done.stdout[-4000:])
