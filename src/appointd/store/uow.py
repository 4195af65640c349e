"""The unit of work: one connection, one transaction, and every repository bound to one account.

A use case opens a unit of work, loads, decides, writes, and calls :meth:`commit`. Leaving the
``with`` block without committing rolls everything back, so a refused request writes nothing.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine, NestedTransaction
from sqlalchemy.exc import DBAPIError, IntegrityError

from appointd.store import change_feed
from appointd.store.engine import (
    EXCLUSION_VIOLATION,
    TRANSIENT,
    OverlapRefused,
    ReferenceCollision,
    TransientFailure,
    is_reference_collision,
    sqlstate,
)
from appointd.store.repositories.account_definitions import (
    CustomStatusRepository,
    FormFieldRepository,
)
from appointd.store.repositories.accounts import AccountRepository
from appointd.store.repositories.appointment_search import AppointmentSearchRepository
from appointd.store.repositories.appointments import AppointmentRepository
from appointd.store.repositories.availability import AvailabilityRepository
from appointd.store.repositories.blocks import BlockRepository
from appointd.store.repositories.bulk import BulkRepository
from appointd.store.repositories.catalog import (
    ClientRepository,
    LocationRepository,
    ResourceRepository,
    ServiceRepository,
)
from appointd.store.repositories.classes import ClassSessionRepository
from appointd.store.repositories.idempotency import IdempotencyRepository
from appointd.store.repositories.intents import IntentRepository
from appointd.store.repositories.new_appointments import NewAppointmentRepository
from appointd.store.repositories.outbox import OutboxRepository
from appointd.store.repositories.public import PublicRepository
from appointd.store.repositories.references import ReferenceRepository
from appointd.store.repositories.series import SeriesRepository
from appointd.store.repositories.staff import StaffRepository, TimeOffRepository
from appointd.store.repositories.subscriptions import SubscriptionRepository
from appointd.store.repositories.waitlist import WaitlistRepository


class UnitOfWork:
    """Repositories over one transaction, scoped to ``account_id``.

    ``write=False`` is for reading only: on SQLite a transaction that does not take the write
    lock, on PostgreSQL no transaction at all (each statement on its own, as READ COMMITTED
    would run it anyway).
    ``account_id=None`` is only for account-level work (creating accounts, resolving keys).
    ``actor`` labels who changes appointments in this unit of work (``updated_by``).

    :meth:`commit` first stamps every appointment the unit of work changed with the account's
    next change sequence numbers (see :mod:`appointd.store.change_feed`), as its last statement.

    ``joined`` is a connection whose transaction is already open (an idempotent request's, see
    :mod:`appointd.faces.shared.idempotency`): the unit of work then runs in a savepoint of that
    transaction. :meth:`commit` releases the savepoint and leaving without it rolls back to it,
    so a use case behaves exactly as alone, but its effects become durable only when the owner
    of the transaction commits it, together with whatever the owner wrote beside them.
    """

    def __init__(
        self,
        engine: Engine,
        account_id: int | None,
        *,
        write: bool = True,
        actor: str = "system",
        joined: Connection | None = None,
    ) -> None:
        self._engine = engine
        self._write = write
        self.actor = actor
        self._joined = joined
        self._savepoint: NestedTransaction | None = None
        self.account_id = account_id if account_id is not None else 0
        self.dialect = engine.dialect.name

    def __enter__(self) -> UnitOfWork:
        if self._joined is not None:
            self._savepoint = self._joined.begin_nested()
            return self._bind(self._joined)
        conn = self._engine.connect()
        if not self._write:
            if self.dialect == "postgresql":
                # Under READ COMMITTED every statement sees its own snapshot, in a transaction
                # or not: reading without one saves the BEGIN and ROLLBACK round trips.
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            else:
                conn = conn.execution_options(sqlite_begin="DEFERRED")
        conn.begin()
        return self._bind(conn)

    def _bind(self, conn: Connection) -> UnitOfWork:
        change_feed.reset(conn)
        self.conn: Connection = conn
        aid = self.account_id
        self.accounts = AccountRepository(conn)
        self.locations = LocationRepository(conn, aid)
        self.staff = StaffRepository(conn, aid)
        self.time_off = TimeOffRepository(conn, aid)
        self.services = ServiceRepository(conn, aid)
        self.resources = ResourceRepository(conn, aid)
        self.clients = ClientRepository(conn, aid)
        self.appointments = AppointmentRepository(conn, aid)
        self.blocks = BlockRepository(conn, aid)
        self.class_sessions = ClassSessionRepository(conn, aid)
        self.series = SeriesRepository(conn, aid)
        self.bulk = BulkRepository(conn, aid)
        self.availability = AvailabilityRepository(conn, aid)
        self.references = ReferenceRepository(conn, aid)
        self.new_appointments = NewAppointmentRepository(conn, aid)
        self.outbox = OutboxRepository(conn, aid)
        self.waitlist = WaitlistRepository(conn, aid)
        self.intents = IntentRepository(conn, aid)
        self.idempotency = IdempotencyRepository(conn, aid)
        self.appointment_search = AppointmentSearchRepository(conn, aid)
        self.custom_statuses = CustomStatusRepository(conn, aid)
        self.form_fields = FormFieldRepository(conn, aid)
        self.public = PublicRepository(conn, aid)
        self.subscriptions = SubscriptionRepository(conn, aid)
        return self

    def commit(self) -> None:
        try:
            if self._savepoint is not None:
                change_feed.stamp(self.conn, self.account_id, self.actor)
                self._savepoint.commit()
            else:
                change_feed.commit(self.conn, self.account_id, self.actor)
        except IntegrityError as exc:
            _raise_if_overlap(exc)
            raise
        except DBAPIError as exc:
            _raise_if_transient(exc)
            raise

    def rollback(self) -> None:
        if self._savepoint is not None:
            self._savepoint.rollback()
        else:
            self.conn.rollback()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._savepoint is not None:
            change_feed.reset(self.conn)
            if self._savepoint.is_active:
                self._savepoint.rollback()
        else:
            try:
                change_feed.reset(self.conn)
                if self.conn.in_transaction():
                    self.conn.rollback()
            finally:
                self.conn.close()
        if isinstance(exc, IntegrityError):
            _raise_if_overlap(exc)
        if isinstance(exc, DBAPIError):
            _raise_if_transient(exc)


def _raise_if_transient(exc: DBAPIError) -> None:
    if sqlstate(exc) in TRANSIENT:
        raise TransientFailure() from exc


def _raise_if_overlap(exc: IntegrityError) -> None:
    if sqlstate(exc) == EXCLUSION_VIOLATION:
        raise OverlapRefused(str(exc.orig)) from exc
    if is_reference_collision(exc):
        raise ReferenceCollision(str(exc.orig)) from exc
