"""Session tokens: short-lived bearer credentials handed out by a face after a static check.

TimeTap clients first call ``GET /sessionToken`` with the account id and a static signature
derived from the key (:data:`appointd.app.accounts.DERIVED_CREDENTIALS`), then send the token
they get as ``Authorization: Bearer``. A token is random (256 bits); only its SHA-256 is stored,
with its account and expiry, so every server process accepts it and a restart keeps it.
Tokens live ``settings.session_token_minutes``; an expired or unknown token is
:class:`Unauthenticated`, and the client asks for a new one.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from appointd.app.accounts import hash_key
from appointd.app.context import Services
from appointd.domain.errors import Unauthenticated
from appointd.store.repositories.base import storable
from appointd.store.uow import UnitOfWork


def open_session(services: Services, kind: str, account_id: int, credential: str) -> str:
    """A new token for ``account_id`` if ``credential`` is its derived credential of ``kind``.

    Expired tokens of every account are swept in the same transaction, so the table stays as
    small as the number of live sessions.
    """
    if not storable(account_id) or not credential:
        raise Unauthenticated("unknown account or wrong signature")
    now = services.clock()
    token = f"st:{kind}:{secrets.token_hex(32)}"
    with UnitOfWork(services.engine, None) as uow:
        if not uow.accounts.account_for_credential(account_id, hash_key(credential), kind):
            raise Unauthenticated("unknown account or wrong signature")
        uow.accounts.drop_expired_sessions(now)
        expires = now + timedelta(minutes=services.settings.session_token_minutes)
        uow.accounts.add_session(account_id, hash_key(token), kind, now, expires)
        uow.commit()
    return token


def session_account(services: Services, kind: str, token: str | None) -> tuple[int, float]:
    """The account of an unexpired token of ``kind`` and the seconds it has left;
    :class:`Unauthenticated` otherwise."""
    if not token:
        raise Unauthenticated("missing session token")
    now = services.clock()
    with UnitOfWork(services.engine, None, write=False) as uow:
        found = uow.accounts.session_account(hash_key(token), kind, now)
    if found is None:
        raise Unauthenticated("unknown or expired session token")
    return found[0], (found[1] - now).total_seconds()
