"""Creating accounts and resolving API keys to accounts.

A key is ``apd_<random>``; only its SHA-256 hash is stored. A random 256-bit secret needs no slow
password hash: nobody can guess it, so the hash only has to be one-way.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine

from appointd.app.context import Services
from appointd.domain.errors import Invalid, Unauthenticated
from appointd.store.uow import UnitOfWork


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return "apd_" + secrets.token_urlsafe(32)


def timetap_signature(account_id: int, key: str) -> str:
    """TimeTap's static signature: ``md5hex(apiKey + privateKey)``, apiKey being the account id."""
    return hashlib.md5(f"{account_id}{key}".encode()).hexdigest()  # the vendor's scheme, not ours


# Static credentials some faces derive from the secret key, by kind (the ``api_keys.kind`` of
# the row that keeps their hash). A face whose client sends a fixed value computed from the key
# (TimeTap's md5 signature) is checked against this row; the key itself is never stored.
DERIVED_CREDENTIALS: dict[str, Callable[[int, str], str]] = {"timetap": timetap_signature}


def derived_hashes(account_id: int, key: str) -> dict[str, str]:
    """The hash of every derived credential of ``key``, by kind."""
    return {kind: hash_key(derive(account_id, key)) for kind, derive in DERIVED_CREDENTIALS.items()}


@dataclass(frozen=True)
class NewAccount:
    account_id: int
    api_key: str


def create_account(
    services: Services, name: str, *, label: str | None = None, keep_secret: bool = False
) -> NewAccount:
    """A new account with one fresh API key; the key is returned once and stored only as a hash
    (``keep_secret`` also keeps the secret itself: only for the demo account, whose key
    ``serve --demo`` prints again on every start)."""
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise Invalid.field("name", "must be 1 to 200 characters")
    key = new_key()
    with UnitOfWork(services.engine, None) as uow:
        account = uow.accounts.add(
            name,
            services.clock(),
            min_notice_minutes=services.settings.default_min_notice_minutes,
            max_advance_days=services.settings.default_max_advance_days,
        )
        _add_key(uow, account.id, key, services, label, demo_secret=key if keep_secret else None)
        uow.commit()
    return NewAccount(account.id, key)


def issue_key(
    services: Services, account_id: int, label: str | None = None, *, keep_secret: bool = False
) -> str:
    """Another API key for an existing account (see :func:`create_account` for
    ``keep_secret``)."""
    key = new_key()
    with UnitOfWork(services.engine, None) as uow:
        _add_key(uow, account_id, key, services, label, demo_secret=key if keep_secret else None)
        uow.commit()
    return key


def _add_key(
    uow: UnitOfWork,
    account_id: int,
    key: str,
    services: Services,
    label: str | None,
    demo_secret: str | None = None,
) -> None:
    """The key's hash and, beside it, the hash of each credential a face derives from it."""
    now = services.clock()
    uow.accounts.add_key(account_id, hash_key(key), now, label=label, demo_secret=demo_secret)
    for kind, derived in derived_hashes(account_id, key).items():
        uow.accounts.add_key(account_id, derived, now, kind=kind, label=label)


def _derive_missing(services: Services, account_id: int, key: str) -> None:
    """Keys issued before a face's derived credential existed get it the first time they are
    used (their plain value is only ever seen then): one lookup, and one insert ever."""
    wanted = derived_hashes(account_id, key)
    with UnitOfWork(services.engine, None, write=False) as uow:
        missing = uow.accounts.missing_hashes(list(wanted.values()))
    if not missing:
        return
    with UnitOfWork(services.engine, None) as uow:
        for kind, derived in wanted.items():
            if derived in missing and uow.accounts.missing_hashes([derived]):
                uow.accounts.add_key(account_id, derived, services.clock(), kind=kind)
        uow.commit()


# Every request presents its key and keys change rarely, so each process remembers which account
# the keys it resolved lately belong to: most requests then pay no transaction to authenticate.
# Only known keys are remembered (an unknown one is looked up each time, so a new key works at
# once), and only for KEY_CACHE_SECONDS: a key revoked by any process (the CLI, another server)
# is refused everywhere within that time, with no message passing between processes. The price
# is one indexed lookup per key, process and half second.
KEY_CACHE_SECONDS = 0.5
KEY_CACHE_SIZE = 10_000
# ``last_used_at`` is written at most once a minute per key, never on every request.
LAST_USED_PRECISION = timedelta(minutes=1)
_known_keys: dict[tuple[Engine, str], tuple[int, float]] = {}
# Keys whose face-derived credentials this process has made sure of (see _derive_missing).
_derived_checked: set[tuple[Engine, str]] = set()


def known_account_id(services: Services, key: str | None) -> int | None:
    """The account of ``key`` if this process resolved it lately; ``None`` means "ask
    :func:`authenticate`". Touches no database, so async code may call it directly."""
    if not key:
        return None
    known = _known_keys.get((services.engine, hash_key(key)))
    return known[0] if known is not None and known[1] > time.monotonic() else None


def authenticate(services: Services, key: str | None) -> int:
    """The account id that ``key`` belongs to; :class:`Unauthenticated` otherwise (also for a
    revoked key, at the latest KEY_CACHE_SECONDS after its revocation)."""
    if not key:
        raise Unauthenticated("missing API key")
    slot = (services.engine, hash_key(key))
    known = _known_keys.get(slot)
    if known is not None and known[1] > time.monotonic():
        return known[0]
    with UnitOfWork(services.engine, None, write=False) as uow:
        match = uow.accounts.match_key(slot[1])
    if match is None:
        _known_keys.pop(slot, None)
        raise Unauthenticated("unknown or revoked API key")
    now = services.clock()
    if match.last_used_at is None or now - match.last_used_at >= LAST_USED_PRECISION:
        with UnitOfWork(services.engine, None) as uow:
            uow.accounts.stamp_key_used(match.key_id, now)
            uow.commit()
    if slot not in _derived_checked:  # once per key and process, not on every refresh
        _derive_missing(services, match.account_id, key)
        if len(_derived_checked) >= KEY_CACHE_SIZE:
            _derived_checked.clear()
        _derived_checked.add(slot)
    if len(_known_keys) >= KEY_CACHE_SIZE:
        _known_keys.clear()
    _known_keys[slot] = (match.account_id, time.monotonic() + KEY_CACHE_SECONDS)
    return match.account_id


def forget_keys() -> None:
    """Make every process-local answer of :func:`authenticate` be looked up again."""
    _known_keys.clear()
