"""Accounts and their API keys. Keys are stored only as SHA-256 hashes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from appointd.domain.model import Account
from appointd.store import tables


@dataclass(frozen=True)
class KeyRow:
    """An API key's bookkeeping, never its secret."""

    id: int
    account_id: int
    label: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class KeyMatch:
    """Who a presented key belongs to, and when it was last stamped as used."""

    key_id: int
    account_id: int
    last_used_at: datetime | None


class AccountRepository:
    """Account-level queries; the only repository not scoped to one account."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(
        self, name: str, at: datetime, min_notice_minutes: int = 0, max_advance_days: int = 365
    ) -> Account:
        result = self.conn.execute(
            tables.accounts.insert().values(
                name=name,
                created_at=at,
                settings={},
                default_min_notice_minutes=min_notice_minutes,
                default_max_advance_days=max_advance_days,
            )
        )
        return Account(
            id=int(result.inserted_primary_key[0]),  # type: ignore[index]
            name=name,
            default_min_notice_minutes=min_notice_minutes,
            default_max_advance_days=max_advance_days,
            created_at=at,
        )

    def settings_of(self, account_id: int) -> dict[str, Any]:
        """The account's settings document (``{}`` for a missing account)."""
        row = self.conn.execute(
            select(tables.accounts.c.settings).where(tables.accounts.c.id == account_id)
        ).first()
        return dict(row.settings or {}) if row is not None else {}

    def update(self, account_id: int, values: dict[str, Any]) -> None:
        """Set columns of the account row (``name``, ``default_*``, ``settings``)."""
        self.conn.execute(
            update(tables.accounts).where(tables.accounts.c.id == account_id).values(**values)
        )

    def get(self, account_id: int) -> Account | None:
        row = self.conn.execute(
            select(tables.accounts).where(tables.accounts.c.id == account_id)
        ).first()
        if row is None:
            return None
        return Account(
            id=row.id,
            name=row.name,
            default_min_notice_minutes=row.default_min_notice_minutes,
            default_max_advance_days=row.default_max_advance_days,
            created_at=row.created_at,
        )

    def find_by_name(self, name: str) -> Account | None:
        row = self.conn.execute(
            select(tables.accounts.c.id)
            .where(tables.accounts.c.name == name)
            .order_by(tables.accounts.c.id)
            .limit(1)
        ).first()
        return None if row is None else self.get(row.id)

    def add_key(
        self,
        account_id: int,
        key_hash: str,
        at: datetime,
        kind: str = "secret",
        label: str | None = None,
        demo_secret: str | None = None,
    ) -> int:
        result = self.conn.execute(
            tables.api_keys.insert().values(
                account_id=account_id,
                key_hash=key_hash,
                kind=kind,
                label=label,
                created_at=at,
                demo_secret=demo_secret,
            )
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def account_id_for_key(self, key_hash: str, kind: str = "secret") -> int | None:
        k = tables.api_keys
        row = self.conn.execute(
            select(k.c.account_id).where(
                k.c.key_hash == key_hash, k.c.kind == kind, k.c.revoked_at.is_(None)
            )
        ).first()
        return None if row is None else int(row.account_id)

    def missing_hashes(self, key_hashes: list[str]) -> set[str]:
        """Which of ``key_hashes`` no key row holds."""
        k = tables.api_keys
        rows = self.conn.execute(select(k.c.key_hash).where(k.c.key_hash.in_(key_hashes)))
        return set(key_hashes) - {r.key_hash for r in rows}

    def account_for_credential(self, account_id: int, key_hash: str, kind: str) -> bool:
        """Whether ``key_hash`` is an unrevoked credential of ``kind`` of ``account_id``."""
        k = tables.api_keys
        row = self.conn.execute(
            select(k.c.id).where(
                k.c.key_hash == key_hash,
                k.c.kind == kind,
                k.c.account_id == account_id,
                k.c.revoked_at.is_(None),
            )
        ).first()
        return row is not None

    # -- session tokens (a face's short-lived bearer tokens; only their hash is stored) ------
    def add_session(
        self, account_id: int, token_hash: str, kind: str, at: datetime, expires_at: datetime
    ) -> None:
        self.conn.execute(
            tables.session_tokens.insert().values(
                account_id=account_id,
                token_hash=token_hash,
                kind=kind,
                created_at=at,
                expires_at=expires_at,
            )
        )

    def session_account(
        self, token_hash: str, kind: str, now: datetime
    ) -> tuple[int, datetime] | None:
        """The account and expiry of an unexpired session token, else ``None``."""
        s = tables.session_tokens
        row = self.conn.execute(
            select(s.c.account_id, s.c.expires_at).where(
                s.c.token_hash == token_hash, s.c.kind == kind, s.c.expires_at > now
            )
        ).first()
        return None if row is None else (int(row.account_id), row.expires_at)

    def drop_expired_sessions(self, now: datetime) -> None:
        s = tables.session_tokens
        self.conn.execute(s.delete().where(s.c.expires_at <= now))

    def match_key(self, key_hash: str, kind: str = "secret") -> KeyMatch | None:
        """The live (not revoked) key with this hash."""
        k = tables.api_keys
        row = self.conn.execute(
            select(k.c.id, k.c.account_id, k.c.last_used_at).where(
                k.c.key_hash == key_hash, k.c.kind == kind, k.c.revoked_at.is_(None)
            )
        ).first()
        return None if row is None else KeyMatch(int(row.id), int(row.account_id), row.last_used_at)

    def stamp_key_used(self, key_id: int, at: datetime) -> None:
        k = tables.api_keys
        self.conn.execute(update(k).where(k.c.id == key_id).values(last_used_at=at))

    def keys_of(self, account_id: int, kind: str = "secret") -> list[KeyRow]:
        k = tables.api_keys
        rows = self.conn.execute(
            select(k).where(k.c.account_id == account_id, k.c.kind == kind).order_by(k.c.id)
        )
        return [_key_row(r._mapping) for r in rows]

    def key(self, key_id: int, kind: str = "secret") -> KeyRow | None:
        k = tables.api_keys
        row = self.conn.execute(select(k).where(k.c.id == key_id, k.c.kind == kind)).first()
        return None if row is None else _key_row(row._mapping)

    def revoke_key(self, key_id: int, at: datetime) -> None:
        """Revoke the key (and forget a demo secret kept for it); revoking twice keeps the
        first stamp."""
        k = tables.api_keys
        self.conn.execute(
            update(k)
            .where(k.c.id == key_id, k.c.revoked_at.is_(None))
            .values(revoked_at=at, demo_secret=None)
        )

    def demo_secret(self, account_id: int) -> str | None:
        """The secret of the account's live demo key, if ``serve --demo`` kept one."""
        k = tables.api_keys
        row = self.conn.execute(
            select(k.c.demo_secret)
            .where(
                k.c.account_id == account_id,
                k.c.demo_secret.is_not(None),
                k.c.revoked_at.is_(None),
            )
            .order_by(k.c.id.desc())
            .limit(1)
        ).first()
        return None if row is None else str(row.demo_secret)


def _key_row(m: Any) -> KeyRow:
    return KeyRow(
        id=int(m["id"]),
        account_id=int(m["account_id"]),
        label=m["label"],
        created_at=m["created_at"],
        last_used_at=m["last_used_at"],
        revoked_at=m["revoked_at"],
    )
