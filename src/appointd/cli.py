"""The ``appointd`` command: accounts, migrations and the server.

appointd accounts create NAME        -> {"account_id": 1, "api_key": "apd_..."}
appointd db upgrade                  migrate APPOINTD_DATABASE_URL to the newest schema
appointd serve [--host H] [--port P] [--workers N] [--demo]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from appointd.app.accounts import create_account
from appointd.app.context import Services
from appointd.domain.errors import AppointdError
from appointd.settings import Settings, get_settings
from appointd.store.engine import make_engine
from appointd.store.migrate import upgrade


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
    services.engine.dispose()
    uvicorn.run(
        "appointd.asgi:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        access_log=args.access_log,
        # uvicorn restarts a worker that has not answered its health ping within this many
        # seconds; on a loaded machine importing the application alone can take longer than
        # uvicorn's default of 5, and workers were killed in a loop before serving anything.
        timeout_worker_healthcheck=60,
    )
    return 0


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
    serve.set_defaults(run=_serve)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except AppointdError as exc:
        print(json.dumps({"error": exc.message}), file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    raise SystemExit(main())
