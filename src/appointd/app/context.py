"""What every use case is given: the store, the clock, and who is calling through which face."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from appointd.domain.wallclock import utcnow
from appointd.settings import Settings
from appointd.store.uow import UnitOfWork


@dataclass(frozen=True)
class Services:
    """The composition root's products, shared by every request of one process."""

    engine: Engine
    settings: Settings
    clock: Callable[[], datetime] = field(default=utcnow)


@dataclass(frozen=True)
class Caller:
    """The authenticated account, a label for the key that acted, and the face it came through."""

    account_id: int
    actor: str = "api"
    source: str = "native"


@dataclass(frozen=True)
class Context:
    services: Services
    caller: Caller
    # The base URL the request came to (e.g. "http://host:8000/"): links such as the manage
    # URL are built on it when ``settings.public_url`` is unset. None outside a request.
    base_url: str | None = None

    @property
    def account_id(self) -> int:
        return self.caller.account_id

    def now(self) -> datetime:
        return self.services.clock()

    def uow(self, *, write: bool = True) -> UnitOfWork:
        return UnitOfWork(
            self.services.engine, self.caller.account_id, write=write, actor=self.caller.actor
        )
