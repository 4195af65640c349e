"""What every use case is given: the store, the clock, and who is calling through which face."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, Engine

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
        """A unit of work for this account; inside :func:`joining`, one that joins its
        transaction (see :class:`~appointd.store.uow.UnitOfWork`)."""
        shared = _joined.get()
        if (
            shared is not None
            and shared.account_id == self.caller.account_id
            and shared.engine is self.services.engine
        ):
            return UnitOfWork(
                self.services.engine,
                self.caller.account_id,
                write=write,
                actor=self.caller.actor,
                joined=shared.conn,
            )
        return UnitOfWork(
            self.services.engine, self.caller.account_id, write=write, actor=self.caller.actor
        )


@dataclass(frozen=True)
class SharedTransaction:
    """An open transaction that every unit of work of ``account_id`` should join."""

    engine: Engine
    account_id: int
    conn: Connection


_joined: ContextVar[SharedTransaction | None] = ContextVar("appointd_joined", default=None)


@contextmanager
def joining(shared: SharedTransaction) -> Iterator[None]:
    """Within this block (and the worker threads it starts, which copy the context), every
    :meth:`Context.uow` of ``shared.account_id`` runs inside ``shared``'s transaction.

    The idempotency machinery uses it to write a request's stored answer in the same
    transaction as the request's effects.
    """
    token = _joined.set(shared)
    try:
        yield
    finally:
        _joined.reset(token)


@contextmanager
def one_transaction(ctx: Context) -> Iterator[None]:
    """Within this block every :meth:`Context.uow` of ``ctx``'s account joins one transaction,
    so that several use cases (a face's "create the client, then book") succeed or fail as one.

    Inside :func:`joining` already (an ``Idempotency-Key`` request) that transaction is used,
    and commits with the stored answer; otherwise one is opened here, committed when the block
    ends normally and rolled back when it raises.
    """
    shared = _joined.get()
    if (
        shared is not None
        and shared.account_id == ctx.caller.account_id
        and shared.engine is ctx.services.engine
    ):
        yield
        return
    with ctx.services.engine.connect() as conn:
        conn.begin()
        try:
            with joining(SharedTransaction(ctx.services.engine, ctx.caller.account_id, conn)):
                yield
        except BaseException:
            conn.rollback()
            raise
        conn.commit()
