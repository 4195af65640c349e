"""A TimeTap session token is one of the database's, not of a process: it works on every
``appointd serve`` process of the same PostgreSQL database, and still works after they all
restart."""

from __future__ import annotations

import time
from contextlib import ExitStack

import httpx
import pytest

from appointd.app.accounts import create_account
from tests.conftest import Database
from tests.e2e.test_key_revocation import serve
from tests.faces.timetap.conftest import signature

pytestmark = pytest.mark.slow


def _token(base: str, account_id: int, key: str) -> str:
    response = httpx.get(
        f"{base}/timetap/live/sessionToken",
        params={
            "apiKey": account_id,
            "timestamp": f"{time.time():.3f}",
            "signature": signature(account_id, key),
        },
        timeout=30,
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["sessionToken"]
    return token


def _status(base: str, path: str, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.get(base + path, headers=headers, timeout=30).status_code


def test_a_token_from_one_process_works_on_another_and_after_a_restart(pg_db: Database) -> None:
    account = create_account(pg_db.services, "timetap sessions")
    with ExitStack() as stack:
        first, second = (stack.enter_context(serve(pg_db)) for _ in range(2))
        token = _token(first, account.account_id, account.api_key)
        # Issued by the first process, never seen by the second: it asks the database.
        for base, prefix in ((second, "/timetap/live"), (first, "/timetap/test")):
            assert _status(base, prefix + "/locations", token) == 200
        assert _status(second, "/timetap/locations", token + "x") == 401
    # Every process is gone; a new one knows the token from the database alone.
    with serve(pg_db) as restarted:
        assert _status(restarted, "/timetap/live/locations", token) == 200
        assert _status(restarted, "/timetap/live/staff", "st:timetap:unknown") == 401
