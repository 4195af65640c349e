"""Creating accounts and resolving API keys to accounts.

A key is ``apd_<random>``; only its SHA-256 hash is stored. A random 256-bit secret needs no slow
password hash: nobody can guess it, so the hash only has to be one-way.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from appointd.app.context import Services
from appointd.domain.errors import Invalid, Unauthenticated
from appointd.store.uow import UnitOfWork


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return "apd_" + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class NewAccount:
    account_id: int
    api_key: str


def create_account(services: Services, name: str) -> NewAccount:
    """A new account with one fresh API key; the key is returned once and never stored."""
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise Invalid.field("name", "must be 1 to 200 characters")
    key = new_key()
    with UnitOfWork(services.engine, None) as uow:
        account = uow.accounts.add(name, services.clock())
        uow.accounts.add_key(account.id, hash_key(key), services.clock())
        uow.commit()
    return NewAccount(account.id, key)


def issue_key(services: Services, account_id: int, label: str | None = None) -> str:
    """Another API key for an existing account (rotation, or the demo server's restarts)."""
    key = new_key()
    with UnitOfWork(services.engine, None) as uow:
        uow.accounts.add_key(account_id, hash_key(key), services.clock(), label=label)
        uow.commit()
    return key


def authenticate(services: Services, key: str | None) -> int:
    """The account id that ``key`` belongs to; :class:`Unauthenticated` otherwise."""
    if not key:
        raise Unauthenticated("missing API key")
    with UnitOfWork(services.engine, None, write=False) as uow:
        account_id = uow.accounts.account_id_for_key(hash_key(key))
    if account_id is None:
        raise Unauthenticated("unknown API key")
    return account_id
