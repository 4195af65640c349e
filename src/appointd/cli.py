"""The ``appointd`` command: accounts, API keys, migrations and the server.

appointd --version
appointd accounts create NAME             -> {"account_id": 1, "api_key": "apd_..."}
appointd keys create ACCOUNT [--label L]  -> {"id", "account_id", "label", "api_key"}
appointd keys list ACCOUNT                -> one JSON object per key (never the secret)
appointd keys revoke KEY_ID               -> {"id", "revoked_at"}
appointd db upgrade                       create (PostgreSQL, when allowed) and migrate the database
appointd serve [--host H] [--port P] [--workers N] [--demo] [--no-dispatcher]
appointd worker                           run the outbox dispatcher alone (as many as wanted)

Expected failures (an unreachable database, a wrong password, an unknown account) print one line
on stderr, ``appointd: <what is wrong and how to fix it>``, and exit with status 1 or 2.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from appointd import __version__
from appointd.app.accounts import create_account
from appointd.app.context import Services
from appointd.app.keys import create_key, list_keys, revoke_key
from appointd.domain.errors import AppointdError
from appointd.settings import Settings, get_settings
from appointd.store.bootstrap import StartupError, open_database
from appointd.worker.messages import TemplateProblem, environment


def _services(settings: Settings) -> Services:
    return Services(engine=open_database(settings), settings=settings)


def _stamp(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def _out(doc: dict[str, Any]) -> None:
    print(json.dumps(doc), flush=True)


def _accounts_create(args: argparse.Namespace) -> int:
    created = create_account(_services(get_settings()), args.name)
    _out({"account_id": created.account_id, "api_key": created.api_key})
    return 0


def _keys_create(args: argparse.Namespace) -> int:
    issued = create_key(_services(get_settings()), args.account, args.label)
    _out(
        {
            "id": issued.id,
            "account_id": issued.account_id,
            "label": issued.label,
            "api_key": issued.api_key,
        }
    )
    return 0


def _keys_list(args: argparse.Namespace) -> int:
    for key in list_keys(_services(get_settings()), args.account):
        _out(
            {
                "id": key.id,
                "label": key.label,
                "created_at": _stamp(key.created_at),
                "last_used_at": _stamp(key.last_used_at),
                "revoked_at": _stamp(key.revoked_at),
            }
        )
    return 0


def _keys_revoke(args: argparse.Namespace) -> int:
    key = revoke_key(_services(get_settings()), args.key_id)
    _out({"id": key.id, "revoked_at": _stamp(key.revoked_at)})
    return 0


def _db_upgrade(args: argparse.Namespace) -> int:
    settings = get_settings()
    open_database(settings).dispose()
    _out({"database": settings.database_url.split("@")[-1], "revision": "heads"})
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    services = _services(settings)
    if args.demo:
        from appointd.demo import demo_account_id, ensure_demo

        key = ensure_demo(services)
        host = "localhost" if args.host in ("0.0.0.0", "127.0.0.1") else args.host
        base = f"http://{host}:{args.port}"
        print("appointd demo account ready; paste these lines into your shell:", flush=True)
        print(f"export APPOINTD_KEY={key}", flush=True)
        print(f"export APPOINTD_URL={base}", flush=True)
        # The vendor faces' examples name the account too (TimeTap's and Agendize's apiKey).
        print(f"export APPOINTD_ACCOUNT={demo_account_id(services)}", flush=True)
        print(f"  docs: {base}/docs", flush=True)
    # A broken template override stops the start here, naming the file.
    environment(settings.templates_dir)
    services.engine.dispose()
    # One dispatcher per server, whatever --workers: a process of its own beside uvicorn's.
    dispatcher = _dispatcher_process() if args.dispatcher else None
    try:
        uvicorn.run(
            "appointd.asgi:serve_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level=args.log_level,
            access_log=args.access_log,
            # A worker process that starts slowly on a busy machine is not a hung one.
            timeout_worker_healthcheck=30,
        )
    finally:
        if dispatcher is not None:
            dispatcher.terminate()
            try:
                dispatcher.wait(timeout=30)
            except subprocess.TimeoutExpired:
                dispatcher.kill()
    return 0


def _dispatcher_process() -> subprocess.Popen[bytes]:
    """``appointd worker`` as a child that dies with this process (even by SIGKILL)."""

    def _die_with_parent() -> None:
        import contextlib
        import ctypes
        import signal

        # Linux: PR_SET_PDEATHSIG; elsewhere the child outlives a killed parent.
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(1, signal.SIGTERM)

    return subprocess.Popen(
        [sys.executable, "-m", "appointd.cli", "worker"],
        preexec_fn=_die_with_parent,
    )


def _worker(args: argparse.Namespace) -> int:
    import signal
    import threading

    from appointd.worker.dispatcher import Dispatcher

    settings = get_settings()
    dispatcher = Dispatcher(_services(settings))
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    print(json.dumps({"dispatcher": dispatcher.owner, "database": _where(settings)}), flush=True)
    dispatcher.run(stop)
    return 0


def _where(settings: Settings) -> str:
    return settings.database_url.split("@")[-1]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="appointd", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--version", action="version", version=f"appointd {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    accounts = sub.add_parser("accounts", help="manage accounts").add_subparsers(
        dest="action", required=True
    )
    create = accounts.add_parser("create", help="create an account and print its API key")
    create.add_argument("name")
    create.set_defaults(run=_accounts_create)

    keys = sub.add_parser("keys", help="manage API keys").add_subparsers(
        dest="action", required=True
    )
    kc = keys.add_parser("create", help="issue another key for an account and print it once")
    kc.add_argument("account", type=int, metavar="ACCOUNT", help="account id")
    kc.add_argument("--label", help="a name for the key, e.g. the integration using it")
    kc.set_defaults(run=_keys_create)
    kl = keys.add_parser("list", help="list an account's keys (never their secrets)")
    kl.add_argument("account", type=int, metavar="ACCOUNT", help="account id")
    kl.set_defaults(run=_keys_list)
    kr = keys.add_parser("revoke", help="revoke a key: refused everywhere within a second")
    kr.add_argument("key_id", type=int, metavar="KEY_ID")
    kr.set_defaults(run=_keys_revoke)

    db = sub.add_parser("db", help="database").add_subparsers(dest="action", required=True)
    db.add_parser(
        "upgrade", help="create the database if missing (PostgreSQL) and apply migrations"
    ).set_defaults(run=_db_upgrade)
    serve = sub.add_parser("serve", help="migrate, then serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--demo", action="store_true", help="create (once) a demo account with data; print its key"
    )
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--no-access-log", dest="access_log", action="store_false")
    serve.add_argument(
        "--no-dispatcher",
        dest="dispatcher",
        action="store_false",
        help="do not run the outbox dispatcher in this server (run `appointd worker`s instead)",
    )
    serve.set_defaults(run=_serve)
    worker = sub.add_parser("worker", help="run the outbox dispatcher (webhooks, e-mail, SMS)")
    worker.set_defaults(run=_worker)
    return p


def _fail(message: str, code: int) -> int:
    print("appointd: " + " ".join(message.split()), file=sys.stderr, flush=True)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except StartupError as exc:
        return _fail(str(exc), 1)
    except ValidationError as exc:  # the settings: name the variable, not pydantic's essay
        first = exc.errors()[0]
        name = "APPOINTD_" + "_".join(str(p) for p in first["loc"]).upper()
        return _fail(f"{name}: {first['msg']}", 1)
    except AppointdError as exc:
        return _fail(exc.message, 2)
    except TemplateProblem as exc:
        return _fail(str(exc), 2)
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    raise SystemExit(main())
