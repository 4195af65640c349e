"""Resolving the ids a request names to objects that may still be used."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, TypeVar

from appointd.domain.errors import Invalid, NotFound
from appointd.store.repositories.base import TableRepository


class Archivable(Protocol):
    archived_at: datetime | None


T = TypeVar("T", bound=Archivable)


def active(repo: TableRepository[T], kind: str, id: int, field: str) -> T:
    """The ``kind`` with ``id`` in the caller's account, fit to be named in something new.

    :class:`NotFound` naming ``field`` when the account has none (another account's id looks
    exactly the same); :class:`Invalid` naming ``field`` when it is archived.
    """
    return usable(repo.get(id), kind, id, field)


def usable(found: T | None, kind: str, id: int, field: str) -> T:
    """``found`` (the ``kind`` with ``id`` as loaded), checked as :func:`active` checks it."""
    if found is None:
        raise NotFound(kind, id, field)
    if found.archived_at is not None:
        raise Invalid.field(field, f"{kind} {id} is archived")
    return found
