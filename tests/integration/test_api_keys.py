"""Managing API keys: issue, list (never the secret), revoke; the demo key survives restarts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from appointd.app.accounts import authenticate, create_account
from appointd.app.keys import create_key, list_keys, revoke_key
from appointd.demo import ensure_demo
from appointd.domain.errors import Invalid, NotFound, Unauthenticated
from tests.conftest import Database, _make


def test_an_issued_key_authenticates_as_its_account_and_is_listed_without_its_secret(
    db: Database,
) -> None:
    account = create_account(db.services, "keys")
    issued = create_key(db.services, account.account_id, "zapier")
    assert issued.api_key.startswith("apd_")
    assert authenticate(db.services, issued.api_key) == account.account_id
    keys = list_keys(db.services, account.account_id)
    assert [k.label for k in keys] == [None, "zapier"]
    mine = keys[1]
    assert mine.id == issued.id
    assert mine.last_used_at is not None and mine.revoked_at is None
    assert issued.api_key not in repr(keys)


def test_a_revoked_key_is_refused_at_once_in_the_revoking_process(db: Database) -> None:
    account = create_account(db.services, "keys")
    issued = create_key(db.services, account.account_id, "old")
    authenticate(db.services, issued.api_key)
    revoked = revoke_key(db.services, issued.id)
    assert revoked.revoked_at is not None
    with pytest.raises(Unauthenticated):
        authenticate(db.services, issued.api_key)
    assert authenticate(db.services, account.api_key) == account.account_id
    assert revoke_key(db.services, issued.id).revoked_at == revoked.revoked_at


def test_keys_of_a_missing_account_or_a_missing_key_are_not_found(db: Database) -> None:
    with pytest.raises(NotFound):
        create_key(db.services, 2**62, "x")
    with pytest.raises(NotFound):
        list_keys(db.services, 2**62)
    with pytest.raises(NotFound):
        revoke_key(db.services, 2**62)
    account = create_account(db.services, "keys")
    with pytest.raises(Invalid):
        create_key(db.services, account.account_id, "   ")


def test_the_demo_account_keeps_its_key_across_restarts_until_it_is_revoked(
    tmp_path: Path,
) -> None:
    demo_db = _make(f"sqlite:///{tmp_path / 'demo.db'}", "sqlite")
    try:
        first = ensure_demo(demo_db.services)
        assert ensure_demo(demo_db.services) == first
        account_id = authenticate(demo_db.services, first)
        (key,) = list_keys(demo_db.services, account_id)
        revoke_key(demo_db.services, key.id)
        fresh = ensure_demo(demo_db.services)
        assert fresh != first
        assert ensure_demo(demo_db.services) == fresh
        assert authenticate(demo_db.services, fresh) == account_id
    finally:
        demo_db.engine.dispose()


def test_the_keys_commands_print_one_json_object_per_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPOINTD_")}
    env["APPOINTD_DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"

    def cli(*args: str) -> list[dict[str, object]]:
        done = subprocess.run(
            [sys.executable, "-m", "appointd.cli", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return [json.loads(line) for line in done.stdout.splitlines()]

    (account,) = cli("accounts", "create", "CLI clinic")
    (issued,) = cli("keys", "create", str(account["account_id"]), "--label", "reports")
    assert set(issued) == {"id", "account_id", "label", "api_key"}
    assert issued["label"] == "reports" and issued["account_id"] == account["account_id"]
    listed = cli("keys", "list", str(account["account_id"]))
    assert [k["id"] for k in listed][-1] == issued["id"]
    for row in listed:
        assert {"id", "label", "created_at", "last_used_at"} <= set(row)
        assert "api_key" not in row and str(issued["api_key"]) not in json.dumps(row)
    (revoked,) = cli("keys", "revoke", str(issued["id"]))
    assert revoked["id"] == issued["id"] and revoked["revoked_at"]
