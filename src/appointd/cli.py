"""The ``appointd`` command: accounts, migrations and the server.

appointd accounts create NAME        -> {"account_id": 1, "api_key": "apd_..."}
appointd db upgrade                  migrate APPOINTD_DATABASE_URL to the newest schema
appointd serve [--host H] [--port P] [--workers N] [--demo] [--no-dispatcher]
appointd worker                      run the outbox dispatcher alone (as many as wanted)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Sequence

from appointd.app.accounts import create_account
from appointd.app.context import Services
from appointd.domain.errors import AppointdError
from appointd.settings import Settings, get_settings
from appointd.store.engine import make_engine
from appointd.store.migrate import upgrade
from appointd.worker.messages import TemplateProblem, environment


def _services(settings: Settings) -> Services:
    return Services(engine=make_engine(settings), settings=settings)


def _accounts_create(args: argparse.Namespace) -> int:
    services = _services(get_settings())
    upgrade(services.engine)
    created = create_account(services, args.name)
    print(json.dumps({"account_id": created.account_id, "api_key": created.api_key}))
    return 0


def _db_upgrade(args: argparse.Namespace) -> int:
    settings = get_settings()
    upgrade(make_engine(settings))
    print(json.dumps({"database": settings.database_url.split("@")[-1], "revision": "head"}))
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    services = _services(settings)
    upgrade(services.engine)
    if args.demo:
        from appointd.demo import ensure_demo

        key = ensure_demo(services)
        host = "localhost" if args.host in ("0.0.0.0", "127.0.0.1") else args.host
        base = f"http://{host}:{args.port}"
        print(f"appointd demo account ready; API key: {key}", flush=True)
        print(f"  docs:  {base}/docs", flush=True)
        print(f"  try:   curl -H 'Authorization: Bearer {key}' {base}/v1/appointments", flush=True)
    # A broken template override stops the start here, naming the file.
    environment(settings.templates_dir)
    services.engine.dispose()
    # One dispatcher per server, whatever --workers: a process of its own beside uvicorn's.
    dispatcher = _dispatcher_process() if args.dispatcher else None
    try:
        uvicorn.run(
            "appointd.asgi:create_app",
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
    sub = p.add_subparsers(dest="command", required=True)
    accounts = sub.add_parser("accounts", help="manage accounts").add_subparsers(
        dest="action", required=True
    )
    create = accounts.add_parser("create", help="create an account and print its API key")
    create.add_argument("name")
    create.set_defaults(run=_accounts_create)
    db = sub.add_parser("db", help="database").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", help="apply migrations").set_defaults(run=_db_upgrade)
    serve = sub.add_parser("serve", help="migrate, then serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--demo", action="store_true", help="create a demo account with data")
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


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except AppointdError as exc:
        print(json.dumps({"error": exc.message}), file=sys.stderr)
        return 2
    except TemplateProblem as exc:
        print(json.dumps({"error": str(exc)}), file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    raise SystemExit(main())
