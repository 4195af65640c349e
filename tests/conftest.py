"""Fixtures shared by every test: real databases built by the migrations, and the ASGI app.

Each test that asks for ``db`` runs twice, on SQLite and on PostgreSQL. The PostgreSQL database
is created for the session on 127.0.0.1:5432 and dropped afterwards; without a reachable server
those runs are skipped, except under ``CI``, where that is a failure. Tests isolate themselves by
creating their own accounts (accounts are walls), so one migrated database serves the session.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from appointd.app.accounts import create_account
from appointd.app.context import Caller, Context, Services
from appointd.asgi import create_app
from appointd.settings import Settings
from appointd.store.engine import make_engine
from appointd.store.migrate import upgrade

PG_ADMIN = os.environ.get("APPOINTD_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_available() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc)


@dataclass
class Database:
    """One migrated database of the session: its URL, settings and services."""

    name: str  # "sqlite" | "postgresql"
    url: str
    settings: Settings
    services: Services

    @property
    def engine(self) -> Engine:
        return self.services.engine


def _make(url: str, name: str) -> Database:
    settings = Settings(database_url=url, db_pool_size=20)
    services = Services(engine=make_engine(settings), settings=settings)
    upgrade(services.engine)
    return Database(name, settings.database_url, settings, services)


@pytest.fixture(scope="session")
def sqlite_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path: Path = tmp_path_factory.mktemp("sqlite") / "appointd.db"
    db = _make(f"sqlite:///{path}", "sqlite")
    yield db
    db.engine.dispose()


@pytest.fixture(scope="session")
def pg_db() -> Iterator[Database]:
    problem = _pg_available()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required under CI and is not reachable: {problem}")
        pytest.skip(f"PostgreSQL not reachable: {problem}")
    name = f"appointd_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0]
    db = _make(f"{base}/{name}", "postgresql")
    yield db
    db.engine.dispose()
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest) -> Database:
    """A migrated database; every test using it runs on SQLite and on PostgreSQL."""
    fixture = "sqlite_db" if request.param == "sqlite" else "pg_db"
    database: Database = request.getfixturevalue(fixture)
    return database


@pytest.fixture
def app_client(db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(db.settings, db.services), raise_server_exceptions=False) as c:
        yield c


class Api:
    """A test client authenticated as one account: ``api.post("/v1/...", json=...)``."""

    def __init__(self, client: TestClient, account_id: int, key: str, db: Database) -> None:
        self.client = client
        self.account_id = account_id
        self.key = key
        self.db = db
        self.headers = {"Authorization": f"Bearer {key}"}

    def request(self, method: str, path: str, **kw: object):  # type: ignore[no-untyped-def]
        headers = {**self.headers, **kw.pop("headers", {})}  # type: ignore[dict-item]
        return self.client.request(method, path, headers=headers, **kw)  # type: ignore[arg-type]

    def get(self, path: str, **kw: object):  # type: ignore[no-untyped-def]
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: object):  # type: ignore[no-untyped-def]
        return self.request("POST", path, **kw)

    def patch(self, path: str, **kw: object):  # type: ignore[no-untyped-def]
        return self.request("PATCH", path, **kw)

    def delete(self, path: str, **kw: object):  # type: ignore[no-untyped-def]
        return self.request("DELETE", path, **kw)

    def context(self) -> Context:
        """A core context for this account, to call use cases directly."""
        return Context(self.db.services, Caller(self.account_id, actor="test"))


def new_api(client: TestClient, db: Database, name: str = "Test clinic") -> Api:
    created = create_account(db.services, name)
    return Api(client, created.account_id, created.api_key, db)


@pytest.fixture
def api(app_client: TestClient, db: Database) -> Api:
    """A fresh account and a client authenticated as it."""
    return new_api(app_client, db, "Account A")


@pytest.fixture
def other_api(app_client: TestClient, db: Database) -> Api:
    """A second, unrelated account."""
    return new_api(app_client, db, "Account B")


class StatementCounter:
    """Counts SQL statements sent through an engine while active.

    Statements that resolve or stamp an API key are left out unless ``count_auth``: a process
    remembers a key for under a second, so whether a request looks its key up depends on the
    clock, not on what the request costs (tests/integration/test_api_key_cache.py counts them).
    """

    def __init__(self, engine: Engine, count_auth: bool = False) -> None:
        self.engine = engine
        self.count_auth = count_auth
        self.count = 0
        self.statements: list[str] = []

    def _on(self, conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.strip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            return
        if not self.count_auth and "api_keys" in statement:
            return
        self.count += 1
        self.statements.append(statement)

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._on)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on)


@pytest.fixture
def count_statements(db: Database) -> StatementCounter:
    return StatementCounter(db.engine)
