"""Resolving API keys: each process remembers the keys it resolved lately, and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from appointd.app.accounts import authenticate, create_account, forget_keys, known_account_id
from appointd.domain.errors import Unauthenticated
from tests.conftest import Database, StatementCounter, _make


@pytest.fixture
def count_statements(db: Database) -> StatementCounter:
    """Key lookups are what these tests count."""
    return StatementCounter(db.engine, count_auth=True)


def test_a_key_resolved_once_is_resolved_again_without_a_query(
    db: Database, count_statements: StatementCounter
) -> None:
    created = create_account(db.services, "cache")
    assert authenticate(db.services, created.api_key) == created.account_id
    with count_statements:
        assert authenticate(db.services, created.api_key) == created.account_id
    assert count_statements.count == 0


def test_only_keys_resolved_lately_are_known_without_asking_the_database(db: Database) -> None:
    created = create_account(db.services, "cache")
    assert known_account_id(db.services, created.api_key) is None
    authenticate(db.services, created.api_key)
    assert known_account_id(db.services, created.api_key) == created.account_id
    assert known_account_id(db.services, None) is None
    assert known_account_id(db.services, "apd_nobody") is None


def test_an_unknown_key_is_looked_up_every_time_and_refused(
    db: Database, count_statements: StatementCounter
) -> None:
    with count_statements:
        for _ in range(2):
            with pytest.raises(Unauthenticated):
                authenticate(db.services, "apd_nobody")
    assert count_statements.count == 2


def test_forgetting_keys_makes_the_next_request_look_its_key_up(
    db: Database, count_statements: StatementCounter
) -> None:
    created = create_account(db.services, "cache")
    authenticate(db.services, created.api_key)
    forget_keys()
    with count_statements:
        assert authenticate(db.services, created.api_key) == created.account_id
    assert count_statements.count == 1


def test_a_remembered_key_opens_nothing_in_another_database(db: Database, tmp_path: Path) -> None:
    created = create_account(db.services, "cache")
    authenticate(db.services, created.api_key)
    other = _make(f"sqlite:///{tmp_path / 'other.db'}", "sqlite")
    try:
        with pytest.raises(Unauthenticated):
            authenticate(other.services, created.api_key)
    finally:
        other.engine.dispose()
