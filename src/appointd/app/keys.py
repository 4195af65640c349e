"""API key management for the command line: issue, list and revoke an account's keys.

Secrets are shown once, when issued, and stored only as hashes; listing shows bookkeeping only.
A revoked key is refused by every server process within
:data:`appointd.app.accounts.KEY_CACHE_SECONDS`.
"""

from __future__ import annotations

from dataclasses import dataclass

from appointd.app.accounts import derived_hashes, forget_keys, hash_key, new_key
from appointd.app.context import Services
from appointd.domain.errors import Invalid, NotFound
from appointd.store.repositories.accounts import KeyRow
from appointd.store.uow import UnitOfWork


@dataclass(frozen=True)
class IssuedKey:
    id: int
    account_id: int
    label: str | None
    api_key: str


def _label(label: str | None) -> str | None:
    if label is None:
        return None
    label = label.strip()
    if not label or len(label) > 200:
        raise Invalid.field("label", "must be 1 to 200 characters")
    return label


def create_key(services: Services, account_id: int, label: str | None = None) -> IssuedKey:
    """A new secret key for an existing account (:class:`NotFound` naming ``account_id``)."""
    label = _label(label)
    secret = new_key()
    with UnitOfWork(services.engine, None) as uow:
        if uow.accounts.get(account_id) is None:
            raise NotFound("account", account_id, field="account_id")
        now = services.clock()
        key_id = uow.accounts.add_key(account_id, hash_key(secret), now, label=label)
        for kind, derived in derived_hashes(account_id, secret).items():
            uow.accounts.add_key(account_id, derived, now, kind=kind, label=label)
        uow.commit()
    return IssuedKey(key_id, account_id, label, secret)


def list_keys(services: Services, account_id: int) -> list[KeyRow]:
    """Every key of the account, revoked ones included, oldest first; never a secret."""
    with UnitOfWork(services.engine, None, write=False) as uow:
        if uow.accounts.get(account_id) is None:
            raise NotFound("account", account_id, field="account_id")
        return uow.accounts.keys_of(account_id)


def revoke_key(services: Services, key_id: int) -> KeyRow:
    """Revoke the key; revoking a revoked key changes nothing and answers it again."""
    with UnitOfWork(services.engine, None) as uow:
        if uow.accounts.key(key_id) is None:
            raise NotFound("api key", key_id, field="key_id")
        uow.accounts.revoke_key(key_id, services.clock())
        row = uow.accounts.key(key_id)
        uow.commit()
    forget_keys()  # this process at once; the others within KEY_CACHE_SECONDS
    assert row is not None
    return row
