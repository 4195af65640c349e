"""Opening the configured database at start-up, with one-line answers for what usually goes wrong.

``appointd db upgrade``, ``serve`` and the other commands call :func:`open_database`: it reaches
the server (giving up after a bounded time), creates a missing PostgreSQL database when the
user may, refuses a database migrated by a newer appointd, and applies the migrations. Every
expected failure is a :class:`StartupError` whose message is one line saying what is wrong and
how to fix it; the command line prints it instead of a traceback.
"""

from __future__ import annotations

import time

import psycopg
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from appointd import __version__
from appointd.settings import Settings
from appointd.store.engine import make_engine
from appointd.store.migrate import alembic_config, upgrade

# Start-up gives up after this long in all (a connection attempt and, when the database is
# missing, one more to create it).
STARTUP_SECONDS = 10.0


class StartupError(Exception):
    """An expected start-up failure; ``str()`` is one line: what is wrong and the fix."""


def open_database(settings: Settings, *, create_missing: bool = True) -> Engine:
    """An engine on the migrated database of ``settings`` (see the module docstring)."""
    deadline = time.monotonic() + STARTUP_SECONDS
    if not settings.is_sqlite:
        _reach_postgresql(make_url(settings.database_url), deadline, create_missing)
    engine = make_engine(settings)
    try:
        _refuse_newer_schema(engine)
        upgrade(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StartupError(f"cannot open {_where(settings)}: {_first_line(exc)}") from None
    except StartupError:
        engine.dispose()
        raise
    return engine


def _where(settings: Settings) -> str:
    url = make_url(settings.database_url)
    if settings.is_sqlite:
        return f"the SQLite database {url.database} (check that its folder exists and is writable)"
    return f"PostgreSQL database {url.database!r} at {url.host or 'localhost'}:{url.port or 5432}"


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = [ln.strip() for ln in str(orig).splitlines() if ln.strip()]
    return lines[0] if lines else type(exc).__name__


def _conninfo(url: URL, database: str | None = None) -> str:
    plain = url.set(drivername="postgresql")
    if database is not None:
        plain = plain.set(database=database)
    return plain.render_as_string(hide_password=False)


def _connect_timeout(deadline: float) -> int:
    # libpq counts whole seconds and treats anything below 2 as 2.
    return max(2, int(deadline - time.monotonic()) // 2)


def _reach_postgresql(url: URL, deadline: float, create_missing: bool) -> None:
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    user = url.username or "the current user"
    try:
        psycopg.connect(_conninfo(url), connect_timeout=_connect_timeout(deadline)).close()
        return
    except psycopg.Error as exc:
        reason = _reason(exc)
    if "does not exist" in reason and f'database "{url.database}"' in reason:
        _create_database(url, deadline, create_missing)
        return
    if "password" in reason:
        raise StartupError(
            f"PostgreSQL at {where} refused the password of user {user!r}: "
            "fix the user or password in APPOINTD_DATABASE_URL"
        )
    if "role" in reason and "does not exist" in reason:
        raise StartupError(
            f"PostgreSQL at {where} has no user {user!r}: create it "
            f"(createuser -h {url.host or 'localhost'} {user}) or fix APPOINTD_DATABASE_URL"
        )
    raise StartupError(
        f"cannot reach PostgreSQL at {where} ({reason}): start the server or fix the host "
        "and port in APPOINTD_DATABASE_URL"
    )


def _reason(exc: psycopg.Error) -> str:
    """libpq's first line without its "connection to server ... failed:" preamble."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()] or [type(exc).__name__]
    first = lines[0].rsplit(" failed: ", 1)[-1]
    return first.removeprefix("FATAL:").strip()


def _create_database(url: URL, deadline: float, create_missing: bool) -> None:
    name = url.database or ""
    host, port, user = url.host or "localhost", url.port or 5432, url.username or "postgres"
    fix = f"createdb -h {host} -p {port} -U {user} {name}"
    if not create_missing:
        raise StartupError(f"PostgreSQL database {name!r} does not exist: create it ({fix})")
    try:
        with psycopg.connect(
            _conninfo(url, "postgres"), connect_timeout=_connect_timeout(deadline), autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name.replace(chr(34), chr(34) * 2)}"')
    except psycopg.errors.DuplicateDatabase:
        return  # created meanwhile by another process: that is what we wanted
    except psycopg.Error as exc:
        raise StartupError(
            f"PostgreSQL database {name!r} does not exist and user {url.username!r} may not "
            f"create it ({_reason(exc)}): create it ({fix}) or grant CREATEDB"
        ) from None


def _refuse_newer_schema(engine: Engine) -> None:
    """A database stamped with a revision this code does not know was migrated by a newer
    appointd; migrating it "down" or running on it would lose or misread data."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return
        stamped = {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}
    script = ScriptDirectory.from_config(alembic_config(str(engine.url)))
    known = {rev.revision for rev in script.walk_revisions()}
    unknown = sorted(stamped - known)
    if unknown:
        raise StartupError(
            f"the database is at migration {', '.join(unknown)}, newer than this appointd "
            f"{__version__} knows: upgrade appointd, or point APPOINTD_DATABASE_URL elsewhere"
        )
