"""The OpenAPI documents tell the truth: schemathesis ``--checks all`` finds nothing.

A real ``appointd serve`` runs on the test database (SQLite and PostgreSQL); the schemathesis
CLI (pinned 4.32) generates requests for every operation of each document in :data:`RUNS`,
with a fixed budget of examples and deterministic generation, and every check it has must pass:
status codes, content types, headers and bodies as documented, valid requests accepted,
invalid ones refused, 405 with ``Allow`` for undeclared methods, no 5xx.

Rules no JSON Schema can state are listed, with the rule, in
:data:`RULES_BEYOND_JSON_SCHEMA`.

Each face adds its own document to :data:`RUNS` (its OpenAPI path, the paths to test and how to
authenticate); they all run in this one test, one CLI run per document.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from appointd.app.accounts import create_account
from tests.conftest import Database
from tests.e2e.conftest import _free_port

# A fixed, bounded budget: the run must stay short enough for every CI run.
MAX_EXAMPLES = 3
PHASES = "examples,coverage,fuzzing"
# Rules JSON Schema cannot state, each named in its operation's description and answered 422
# naming the field: an id must name a live object of the account (schemathesis archives the
# objects it creates as it goes), one field constrains another, a value must be unique, a URL
# must not resolve to a private address, a definition in use cannot change. For these operations
# alone 422 is accepted by ``positive_data_acceptance`` (ST202), as schemathesis documents for
# exactly this (`st explain ST202`); every other check runs unchanged on every operation. Every
# rule that JSON Schema can state (lengths, ranges, patterns, zone names, event types, a
# ``limit`` maximum taken from the settings, which fields may be null) is in the document
# (``appointd.faces.native.openapi_rules``), so no operation is listed for one of those.
RULES_BEYOND_JSON_SCHEMA: dict[str, str] = {
    "GET /v1/appointments": "`to` after `from`",
    "GET /v1/availability": "live service, location and staff; `to` within 93 days of `from`",
    "POST /v1/appointments": "location_id, service_id and start unless class_session_id; "
    "live references; end after start",
    "PATCH /v1/appointments/{id}": "live references; end after start",
    "POST /v1/appointments/{id}/cancel": "hold_minutes only with offer_to",
    "POST /v1/appointment-intents": "live client; end_date on or after start_date",
    "PATCH /v1/appointment-intents/{id}": "end_date on or after start_date",
    "POST /v1/class-sessions": "live service, staff, location and resource; end after start",
    "PATCH /v1/class-sessions/{id}": "live references; end after start",
    "PATCH /v1/custom-statuses/{id}": "base_status cannot change while appointments carry it",
    "POST /v1/form-fields": "options only for choice and checkbox fields, and required there",
    "PATCH /v1/form-fields/{id}": "options only for choice and checkbox fields",
    "POST /v1/locations": "booking_slug unique; required while online_booking",
    "PATCH /v1/locations/{id}": "booking_slug unique; required while online_booking",
    "POST /v1/services": "currency required with a price; live staff and resources",
    "PATCH /v1/services/{id}": "currency required with a price; live staff and resources",
    "POST /v1/staff": "time_zone unless a location is given; live locations and services; "
    "each range's end after its start",
    "PATCH /v1/staff/{id}": "live locations and services; each range's end after its start",
    "POST /v1/clients": "date_of_birth not in the future",
    "PATCH /v1/clients/{id}": "date_of_birth not in the future",
    "POST /v1/resources": "live location",
    "PATCH /v1/resources/{id}": "live location",
    "POST /v1/waitlist": "live references; each preferred time's end after its start; "
    "latest on or after earliest",
    "POST /v1/webhooks": "the URL's host must not resolve to a private address",
    "PATCH /v1/webhooks/{id}": "the URL's host must not resolve to a private address",
    "POST /v1/staff/{staff_id}/time-off": "end after start",
}
_ACCEPTED = '["2xx", "3xx", "401", "403", "404", "409", "429", "5xx", "422"]'


def _config(path: Path) -> Path:
    blocks = [
        f'[[operations]]\ninclude-name = "{name}"\n'
        f"checks.positive_data_acceptance.expected-statuses = {_ACCEPTED}\n"
        for name in RULES_BEYOND_JSON_SCHEMA
    ]
    path.write_text("\n".join(blocks))
    return path


@dataclass(frozen=True)
class Run:
    """One OpenAPI document to check: where it is, which paths, and the auth headers."""

    name: str
    schema_path: str
    include_path_regex: str
    headers: Callable[[Database], dict[str, str]]


def _bearer(db: Database) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_account(db.services, 'schemathesis').api_key}"}


RUNS: list[Run] = [
    Run("native", "/openapi.json", "^/v1/", _bearer),
]


@pytest.fixture
def live_server(db: Database) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "APPOINTD_DATABASE_URL": db.url}
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
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base + "/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("server did not start")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("run", RUNS, ids=lambda r: r.name)
def test_schemathesis_checks_all_find_no_failure(
    live_server: str, db: Database, run: Run, tmp_path: Path
) -> None:
    st = os.path.join(os.path.dirname(sys.executable), "st")
    command = [
        st,
        "--config-file",
        str(_config(tmp_path / "schemathesis.toml")),
        "run",
        live_server + run.schema_path,
        "--checks",
        "all",
        "--include-path-regex",
        run.include_path_regex,
        "--max-examples",
        str(MAX_EXAMPLES),
        "--phases",
        PHASES,
        "--generation-deterministic",
        "--workers",
        "2",
        "--no-color",
    ]
    for name, value in run.headers(db).items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    out = done.stdout + done.stderr
    summary = re.findall(r"(\d+ generated, .*|=+ .* in [\d.]+s =+)", out)
    print(f"\nschemathesis {run.name} on {db.name}: {' | '.join(summary)}")
    assert done.returncode == 0, out[-20000:]
