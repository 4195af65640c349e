"""Start-up failures of the command line: one line on stderr saying what and how, no traceback.

Each case runs the real ``appointd`` command in a subprocess, in an empty folder (no ``.env``).
"""

from __future__ import annotations

import os
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from appointd import __version__
from tests.conftest import PG_ADMIN, _pg_available


def run_cli(tmp_path: Path, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPOINTD_")}
    env["APPOINTD_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "appointd.cli", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,  # a hang guard, not a timing assertion
    )


def assert_one_line_failure(done: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert done.returncode != 0
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for needle in needles:
        assert needle in lines[0]
    return lines[0]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def require_pg() -> None:
    problem = _pg_available()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required under CI: {problem}")
        pytest.skip(f"PostgreSQL not reachable: {problem}")


@pytest.fixture
def password_refusing_server() -> Iterator[int]:
    """A stand-in PostgreSQL server that answers every login with SQLSTATE 28P01, as a real
    server with password authentication does for a wrong password (the test server trusts
    everyone, so it cannot play this part)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = int(listener.getsockname()[1])
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(5)
                try:
                    while True:
                        size = struct.unpack("!I", conn.recv(4))[0]
                        code = struct.unpack("!I", conn.recv(4))[0]
                        conn.recv(size - 8) if size > 8 else None
                        if code in (80877103, 80877104):  # SSL / GSS encryption request
                            conn.sendall(b"N")
                            continue
                        break
                    fields = (
                        b"SFATAL\0VFATAL\0C28P01\0"
                        b'Mpassword authentication failed for user "postgres"\0\0'
                    )
                    conn.sendall(b"E" + struct.pack("!I", len(fields) + 4) + fields)
                except (OSError, struct.error):
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield port
    stop.set()
    thread.join(timeout=5)
    listener.close()


@pytest.mark.parametrize("command", [["db", "upgrade"], ["serve", "--port", "0"]])
def test_an_unreachable_postgresql_server_is_one_line_naming_the_setting(
    tmp_path: Path, command: list[str]
) -> None:
    done = run_cli(tmp_path, f"postgresql://postgres@127.0.0.1:{closed_port()}/x", *command)
    assert_one_line_failure(done, "cannot reach PostgreSQL", "APPOINTD_DATABASE_URL")


def test_a_wrong_password_is_one_line_naming_the_setting(
    tmp_path: Path, password_refusing_server: int
) -> None:
    url = f"postgresql://postgres:wrong@127.0.0.1:{password_refusing_server}/appointd"
    done = run_cli(tmp_path, url, "db", "upgrade")
    line = assert_one_line_failure(done, "password", "APPOINTD_DATABASE_URL")
    assert "wrong" not in line  # the password itself is never printed


def test_a_missing_database_is_created_when_the_user_may(tmp_path: Path) -> None:
    require_pg()
    name = f"appointd_cli_{uuid.uuid4().hex[:10]}"
    base = PG_ADMIN.rsplit("/", 1)[0]
    try:
        done = run_cli(tmp_path, f"{base}/{name}", "db", "upgrade")
        assert done.returncode == 0, done.stderr
        with psycopg.connect(f"{base}/{name}") as conn:
            assert conn.execute("SELECT count(*) FROM alembic_version").fetchone() != (0,)
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_missing_database_the_user_may_not_create_is_one_line_with_the_command_to_fix_it(
    tmp_path: Path,
) -> None:
    require_pg()
    role = f"appointd_nocreate_{uuid.uuid4().hex[:8]}"
    name = f"appointd_cli_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN NOCREATEDB')
    try:
        url = PG_ADMIN.replace("postgres@", f"{role}@", 1).rsplit("/", 1)[0] + f"/{name}"
        done = run_cli(tmp_path, url, "db", "upgrade")
        assert_one_line_failure(done, f"'{name}' does not exist", "createdb -h 127.0.0.1")
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


@pytest.mark.parametrize("command", [["db", "upgrade"], ["serve", "--port", "0"]])
def test_a_database_migrated_by_a_newer_appointd_is_refused_in_one_line(
    tmp_path: Path, command: list[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'newer.db'}"
    assert run_cli(tmp_path, url, "db", "upgrade").returncode == 0
    conn = sqlite3.connect(tmp_path / "newer.db")
    with conn:
        conn.execute("INSERT INTO alembic_version (version_num) VALUES ('9999')")
    conn.close()
    done = run_cli(tmp_path, url, *command)
    assert_one_line_failure(done, "migration 9999", "upgrade appointd")


def test_an_invalid_setting_is_one_line_naming_the_variable(tmp_path: Path) -> None:
    done = run_cli(tmp_path, "mysql://somewhere/db", "db", "upgrade")
    assert_one_line_failure(done, "APPOINTD_DATABASE_URL")


def test_the_version_is_printed(tmp_path: Path) -> None:
    done = run_cli(tmp_path, "sqlite:///unused.db", "--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"appointd {__version__}"
