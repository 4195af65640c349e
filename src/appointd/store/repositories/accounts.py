"""Accounts and their API keys. Keys are stored only as SHA-256 hashes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select

from appointd.domain.model import Account
from appointd.store import tables


class AccountRepository:
    """Account-level queries; the only repository not scoped to one account."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, name: str, at: datetime) -> Account:
        result = self.conn.execute(
            tables.accounts.insert().values(name=name, created_at=at, settings={})
        )
        return Account(id=int(result.inserted_primary_key[0]), name=name, created_at=at)  # type: ignore[index]

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
    ) -> None:
        self.conn.execute(
            tables.api_keys.insert().values(
                account_id=account_id, key_hash=key_hash, kind=kind, label=label, created_at=at
            )
        )

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
