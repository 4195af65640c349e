"""Appointments, their history, and the list queries the faces filter with."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, false, func, or_, select

from appointd.domain.model import Appointment, AppointmentKind, HistoryEntry
from appointd.domain.status import Status
from appointd.store import change_feed, tables
from appointd.store.repositories.base import Page, TableRepository, one_of
from appointd.store.repositories.conditions import Condition, clauses, ordering


@dataclass(slots=True)
class AppointmentFilter:
    """What ``GET /appointments`` may filter on; ``None`` means "any"."""

    start: datetime | None = None  # overlap window
    end: datetime | None = None
    staff_ids: Sequence[int] | None = None
    location_ids: Sequence[int] | None = None
    service_ids: Sequence[int] | None = None
    client_ids: Sequence[int] | None = None
    resource_ids: Sequence[int] | None = None
    statuses: Sequence[Status] | None = None
    # Appointments carrying one of these custom statuses; with ``statuses`` too, either
    # matches (a vendor's status list may mix its own values and the account's).
    custom_status_ids: Sequence[int] | None = None
    kinds: Sequence[AppointmentKind] | None = (AppointmentKind.APPOINTMENT,)
    series_id: int | None = None
    class_session_id: int | None = None
    ids: Sequence[int] | None = None
    series_ids: Sequence[int] | None = None
    class_session_ids: Sequence[int] | None = None
    # Starts within a window per location ({location_id: (from, until)}, half-open): local
    # dates of several zones become one query. Appointments at other locations are excluded.
    start_windows: Mapping[int, tuple[datetime, datetime]] | None = None
    include_archived: bool = False
    include_deleted: bool = False
    sort: str = "start"  # start | -start | created_at | -created_at | id | -id | ...
    limit: int = 50
    offset: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    # General comparisons and ordering on the fields in FILTERABLE (``order`` replaces
    # ``sort`` when given: ``(field, descending)`` pairs, the id breaking ties).
    conditions: Sequence[Condition] = ()
    order: Sequence[tuple[str, bool]] = ()
    exclude_statuses: Sequence[Status] | None = None
    # True: only the later occurrences of a series; False: no later occurrences.
    repeats: bool | None = None
    # Only the later occurrences of the series whose first occurrences these are.
    repeats_of: Sequence[int] | None = None


_SORTS = {
    "start": (tables.appointments.c.start_at, tables.appointments.c.id),
    "-start": (tables.appointments.c.start_at.desc(), tables.appointments.c.id.desc()),
    "created_at": (tables.appointments.c.created_at, tables.appointments.c.id),
    "-created_at": (tables.appointments.c.created_at.desc(), tables.appointments.c.id.desc()),
    "updated_at": (tables.appointments.c.updated_at, tables.appointments.c.id),
    "-updated_at": (tables.appointments.c.updated_at.desc(), tables.appointments.c.id.desc()),
    "id": (tables.appointments.c.id,),
    "-id": (tables.appointments.c.id.desc(),),
}
SORTS = frozenset({"start", "-start", "created_at", "-created_at"})  # the native API's
ALL_SORTS = frozenset(_SORTS)
_HISTORY_OF_MANY: dict[str, Any] = {}
FILTERABLE = frozenset(
    {
        "id",
        "start",
        "end",
        "created_at",
        "updated_at",
        "archived_at",
        "deleted_at",
        "cancelled_at",
        "location_id",
        "service_id",
        "staff_id",
        "client_id",
        "series_id",
        "class_session_id",
    }
)


_RENAMES = {"start": "start_at", "end": "end_at"}


def general_conditions(
    account_id: int,
    conditions: Sequence[Condition] = (),
    exclude_statuses: Sequence[Status] | None = None,
    repeats: bool | None = None,
    repeats_of: Sequence[int] | None = None,
) -> list[Any]:
    """SQL conditions on ``appointments`` for the general filters every appointment query
    takes: comparisons on :data:`FILTERABLE` fields, statuses left out, and series repeats
    (``repeats``: only later occurrences, or none of them; ``repeats_of``: the later
    occurrences of the series whose first occurrences these ids are)."""
    t = tables.appointments
    cond: list[Any] = []
    if exclude_statuses:
        cond.append(t.c.status.not_in([s.value for s in exclude_statuses]))
    if repeats is True:
        cond.append(t.c.series_index > 0)
    elif repeats is False:
        cond.append(or_(t.c.series_index.is_(None), t.c.series_index == 0))
    if repeats_of is not None:
        firsts = select(t.c.series_id).where(
            t.c.account_id == account_id,
            t.c.id.in_(list(repeats_of)),
            t.c.series_index == 0,
        )
        cond.extend([t.c.series_id.in_(firsts), t.c.series_index > 0])
    cond.extend(clauses(t, _RENAMES, FILTERABLE, conditions))
    return cond


def general_order(order: Sequence[tuple[str, bool]]) -> list[Any]:
    """ORDER BY terms for ``(field, descending)`` pairs of :data:`FILTERABLE` fields."""
    return ordering(tables.appointments, _RENAMES, FILTERABLE, order)


class AppointmentRepository(TableRepository[Appointment]):
    table = tables.appointments
    entity = Appointment
    renames = {
        "start": "start_at",
        "end": "end_at",
        "busy_start": "busy_start_at",
        "busy_end": "busy_end_at",
    }

    def decode(self, kwargs: dict[str, Any]) -> Appointment:
        kwargs["status"] = Status(kwargs["status"])
        kwargs["kind"] = AppointmentKind(kwargs["kind"])
        kwargs["additional_staff_ids"] = list(kwargs.get("additional_staff_ids") or [])
        kwargs["resource_ids"] = list(kwargs.get("resource_ids") or [])
        kwargs["extra"] = dict(kwargs.get("extra") or {})
        kwargs["form"] = list(kwargs.get("form") or [])
        kwargs["metadata"] = dict(kwargs.get("metadata") or {})
        return Appointment(**kwargs)

    def encode(self, name: str, value: Any) -> Any:
        if name in ("status", "kind"):
            return value.value
        return value

    def add(self, entity: Appointment) -> int:
        new_id = super().add(entity)
        self._write_resources(entity)
        change_feed.note(self.conn, [entity])
        return new_id

    def update(self, entity: Appointment) -> None:
        super().update(entity)
        ar = tables.appointment_resources
        self.conn.execute(delete(ar).where(ar.c.appointment_id == entity.id))
        self._write_resources(entity)
        change_feed.note(self.conn, [entity])

    def by_reference(self, reference: str) -> Appointment | None:
        """The account's appointment with ``reference`` (case-insensitive)."""
        t = self.table
        row = self.conn.execute(
            select(t).where(
                t.c.account_id == self.account_id, t.c.reference == reference.strip().upper()
            )
        ).first()
        return None if row is None else self.to_entity(row)

    def by_manage_token(self, token: str, *, any_account: bool = False) -> Appointment | None:
        """The appointment whose manage token is ``token``; in this account unless
        ``any_account`` (the manage page knows only the token). The caller compares the token
        again in constant time."""
        t = self.table
        query = select(t).where(t.c.manage_token == token)
        if not any_account:
            query = query.where(t.c.account_id == self.account_id)
        rows = self.conn.execute(query.limit(2)).all()
        return self.to_entity(rows[0]) if len(rows) == 1 else None

    def _write_resources(self, appt: Appointment) -> None:
        if appt.resource_ids:
            self.conn.execute(
                tables.appointment_resources.insert(),
                [
                    {"appointment_id": appt.id, "resource_id": r, "account_id": self.account_id}
                    for r in sorted(set(appt.resource_ids))
                ],
            )

    def search(self, f: AppointmentFilter) -> Page[Appointment]:
        t = self.table
        cond = self._conditions(f)
        order = general_order(f.order) if f.order else _SORTS[f.sort]
        total = self.conn.execute(select(func.count()).select_from(t).where(*cond)).scalar_one()
        rows = self.conn.execute(
            select(t).where(*cond).order_by(*order).limit(f.limit).offset(f.offset)
        )
        return Page([self.to_entity(r) for r in rows], int(total))

    def count(self, f: AppointmentFilter) -> int:
        t = self.table
        query = select(func.count()).select_from(t).where(*self._conditions(f))
        return int(self.conn.execute(query).scalar_one())

    def count_by_status_and_service(self, f: AppointmentFilter) -> dict[tuple[str, str, int], int]:
        """``{(kind, status, service_id): n}`` of the appointments matching ``f``, one
        statement."""
        t = self.table
        rows = self.conn.execute(
            select(t.c.kind, t.c.status, t.c.service_id, func.count())
            .where(*self._conditions(f))
            .group_by(t.c.kind, t.c.status, t.c.service_id)
        )
        return {(r[0], r[1], int(r[2])): int(r[3]) for r in rows}

    def _conditions(self, f: AppointmentFilter) -> list[Any]:
        t = self.table
        cond: list[Any] = [t.c.account_id == self.account_id]
        if f.start is not None:
            cond.append(t.c.end_at > f.start)
        if f.end is not None:
            cond.append(t.c.start_at < f.end)
        for column, values in (
            (t.c.staff_id, f.staff_ids),
            (t.c.location_id, f.location_ids),
            (t.c.service_id, f.service_ids),
            (t.c.client_id, f.client_ids),
            (t.c.id, f.ids),
            (t.c.series_id, f.series_ids),
            (t.c.class_session_id, f.class_session_ids),
        ):
            if values is not None:
                cond.append(column.in_(list(values)))
        if f.resource_ids is not None:
            ar = tables.appointment_resources
            cond.append(
                t.c.id.in_(
                    select(ar.c.appointment_id).where(
                        ar.c.account_id == self.account_id,
                        ar.c.resource_id.in_(list(f.resource_ids)),
                    )
                )
            )
        if f.start_windows is not None:
            windows = [
                and_(t.c.location_id == loc, t.c.start_at >= low, t.c.start_at < high)
                for loc, (low, high) in sorted(f.start_windows.items())
            ]
            cond.append(or_(*windows) if windows else false())
        if f.custom_status_ids is not None:
            custom: Any = t.c.custom_status_id.in_(list(f.custom_status_ids))
            if f.statuses is not None:
                custom = or_(t.c.status.in_([s.value for s in f.statuses]), custom)
            cond.append(custom)
        elif f.statuses is not None:
            cond.append(t.c.status.in_([s.value for s in f.statuses]))
        if f.kinds is not None:
            cond.append(t.c.kind.in_([k.value for k in f.kinds]))
        if f.series_id is not None:
            cond.append(t.c.series_id == f.series_id)
        if f.class_session_id is not None:
            cond.append(t.c.class_session_id == f.class_session_id)
        if not f.include_archived:
            cond.append(t.c.archived_at.is_(None))
        if not f.include_deleted:
            cond.append(t.c.deleted_at.is_(None))
        cond.extend(
            general_conditions(
                self.account_id, f.conditions, f.exclude_statuses, f.repeats, f.repeats_of
            )
        )
        return cond

    def series_firsts(self, series_ids: Sequence[int]) -> dict[int, int]:
        """The id of the first occurrence of each of ``series_ids`` (one statement)."""
        ids = sorted(set(series_ids))
        if not ids:
            return {}
        t = self.table
        rows = self.conn.execute(
            select(t.c.series_id, t.c.id).where(
                t.c.account_id == self.account_id,
                t.c.series_id.in_(ids),
                t.c.series_index == 0,
            )
        )
        return {r.series_id: r.id for r in rows}

    # -- history -------------------------------------------------------------------------
    def record(self, entry: HistoryEntry) -> None:
        self.conn.execute(
            tables.appointment_history.insert(),
            dict(
                account_id=self.account_id,
                appointment_id=entry.appointment_id,
                at=entry.at,
                action=entry.action,
                actor=entry.actor,
                source=entry.source,
                from_status=entry.from_status,
                to_status=entry.to_status,
                reason=entry.reason,
                changes=entry.changes,
            ),
        )

    def history(self, appointment_id: int) -> list[HistoryEntry]:
        h = tables.appointment_history
        rows = self.conn.execute(
            select(h)
            .where(h.c.account_id == self.account_id, h.c.appointment_id == appointment_id)
            .order_by(h.c.at, h.c.id)
        )
        return [
            HistoryEntry(
                id=r.id,
                appointment_id=r.appointment_id,
                at=r.at,
                action=r.action,
                actor=r.actor,
                source=r.source,
                from_status=r.from_status,
                to_status=r.to_status,
                reason=r.reason,
                changes=dict(r.changes or {}),
            )
            for r in rows
        ]

    def history_of_many(self, appointment_ids: Sequence[int]) -> dict[int, list[HistoryEntry]]:
        """The history of every appointment of ``appointment_ids`` in one statement, each in
        time order (renderers of whole lists use it: no statement per appointment)."""
        out: dict[int, list[HistoryEntry]] = {i: [] for i in appointment_ids}
        if not out:
            return out
        h = tables.appointment_history
        dialect = self.conn.dialect.name
        query = _HISTORY_OF_MANY.get(dialect)
        if query is None:  # built once: the id list is one parameter (see base.one_of)
            query = _HISTORY_OF_MANY[dialect] = (
                select(h)
                .where(
                    h.c.account_id == bindparam("account_id"),
                    one_of(h.c.appointment_id, "ids", dialect),
                )
                .order_by(h.c.appointment_id, h.c.at, h.c.id)
            )
        rows = self.conn.execute(query, {"account_id": self.account_id, "ids": sorted(out)})
        for r in rows:
            out[r.appointment_id].append(
                HistoryEntry(
                    id=r.id,
                    appointment_id=r.appointment_id,
                    at=r.at,
                    action=r.action,
                    actor=r.actor,
                    source=r.source,
                    from_status=r.from_status,
                    to_status=r.to_status,
                    reason=r.reason,
                    changes=dict(r.changes or {}),
                )
            )
        return out
