"""The shared appointment query (:class:`appointd.app.queries.AppointmentQuery`) in SQL.

Each filter is one condition on ``appointments`` (sub-selects for resources, additional staff
and clients' external ids); the indexes of migration 0002 match the sync and report filters
(``account_id`` with ``change_seq``, ``updated_at``, ``created_at``, ``external_id``,
``reference``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select, text

from appointd.app.queries import ORDERS, AppointmentQuery, StatusCount
from appointd.domain.model import Appointment
from appointd.domain.status import Status
from appointd.store import tables
from appointd.store.repositories.appointments import (
    AppointmentRepository,
    general_conditions,
    general_order,
)
from appointd.store.repositories.base import Repository

a = tables.appointments

_ORDER_COLUMNS = {
    "start": a.c.start_at,
    "created": a.c.created_at,
    "updated": a.c.updated_at,
    "change_seq": a.c.change_seq,
    "id": a.c.id,
}

# A case-insensitive substring of any form answer's value(s), per dialect (:p is the pattern).
_FORM_TEXT = {
    "postgresql": text(
        "EXISTS (SELECT 1 FROM jsonb_array_elements(appointments.form) AS answer "
        "WHERE lower(answer->>'value') LIKE :p ESCAPE '\\' "
        "OR (jsonb_typeof(answer->'values') = 'array' AND EXISTS ("
        "SELECT 1 FROM jsonb_array_elements_text(answer->'values') AS v(value) "
        "WHERE lower(v.value) LIKE :p ESCAPE '\\')))"
    ),
    "sqlite": text(
        "EXISTS (SELECT 1 FROM json_each(appointments.form) AS answer "
        "WHERE lower(json_extract(answer.value, '$.value')) LIKE :p ESCAPE '\\' "
        "OR EXISTS (SELECT 1 FROM json_each(answer.value, '$.values') AS v "
        "WHERE lower(v.value) LIKE :p ESCAPE '\\'))"
    ),
}


def like_pattern(fragment: str) -> str:
    """``%fragment%`` in lower case with LIKE's wildcards escaped."""
    escaped = fragment.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class AppointmentSearchRepository(Repository):
    """Runs :class:`AppointmentQuery` within one account."""

    def conditions(self, q: AppointmentQuery) -> tuple[list[Any], dict[str, Any]]:
        """The WHERE conditions of ``q`` and the parameters its text fragments need."""
        cond: list[Any] = [a.c.account_id == self.account_id]
        params: dict[str, Any] = {}
        for column, values in (
            (a.c.id, q.ids),
            (a.c.location_id, q.location_ids),
            (a.c.service_id, q.service_ids),
            (a.c.client_id, q.client_ids),
            (a.c.custom_status_id, q.custom_status_ids),
            (a.c.series_id, q.series_ids),
            (a.c.class_session_id, q.class_session_ids),
            (a.c.external_id, q.external_ids),
        ):
            if values is not None:
                cond.append(column.in_(list(values)))
        if q.staff_ids is not None:
            b = tables.blocks
            cond.append(
                or_(
                    a.c.staff_id.in_(list(q.staff_ids)),
                    a.c.id.in_(
                        select(b.c.appointment_id).where(
                            b.c.account_id == self.account_id,
                            b.c.subject_kind == "staff",
                            b.c.role == "additional",
                            b.c.subject_id.in_(list(q.staff_ids)),
                        )
                    ),
                )
            )
        if q.resource_ids is not None:
            ar = tables.appointment_resources
            cond.append(
                a.c.id.in_(
                    select(ar.c.appointment_id).where(
                        ar.c.account_id == self.account_id,
                        ar.c.resource_id.in_(list(q.resource_ids)),
                    )
                )
            )
        if q.client_external_ids is not None:
            c = tables.clients
            cond.append(
                a.c.client_id.in_(
                    select(c.c.id).where(
                        c.c.account_id == self.account_id,
                        c.c.external_id.in_(list(q.client_external_ids)),
                    )
                )
            )
        if q.references is not None:
            cond.append(a.c.reference.in_([r.strip().upper() for r in q.references]))
        if q.statuses is not None:
            cond.append(a.c.status.in_([Status(s).value for s in q.statuses]))
        if q.kinds is not None:
            cond.append(a.c.kind.in_([k.value for k in q.kinds]))
        if q.window_start is not None:
            cond.append(a.c.end_at > q.window_start)
        if q.window_end is not None:
            cond.append(a.c.start_at < q.window_end)
        if q.created_from is not None:
            cond.append(a.c.created_at >= q.created_from)
        if q.created_to is not None:
            cond.append(a.c.created_at < q.created_to)
        if q.updated_since is not None:
            cond.append(a.c.updated_at > q.updated_since)
        if q.changed_since is not None:
            cond.append(a.c.change_seq > q.changed_since)
        if q.text:
            params["p"] = like_pattern(q.text)
            dialect = "postgresql" if self.conn.dialect.name == "postgresql" else "sqlite"
            cond.append(
                or_(
                    func.lower(a.c.notes).like(bindparam("p"), escape="\\"),
                    _FORM_TEXT[dialect],
                )
            )
        if not q.include_archived:
            cond.append(a.c.archived_at.is_(None))
        if not q.include_deleted:
            cond.append(a.c.deleted_at.is_(None))
        if not q.include_cancelled:
            cond.append(a.c.status != Status.CANCELLED.value)
        cond.extend(
            general_conditions(
                self.account_id, q.conditions, q.exclude_statuses, q.repeats, q.repeats_of
            )
        )
        return cond, params

    def search(self, q: AppointmentQuery) -> tuple[list[Appointment], int | None]:
        """The page of ``q`` and, when ``q.with_total``, the number of every match."""
        if q.order_by not in ORDERS:
            raise ValueError(f"order_by must be one of {sorted(ORDERS)}")
        cond, params = self.conditions(q)
        column = _ORDER_COLUMNS[q.order_by]
        order = (column.desc(), a.c.id.desc()) if q.descending else (column.asc(), a.c.id.asc())
        if q.order:
            order = tuple(general_order(q.order))
        query = select(a).where(and_(*cond)).order_by(*order).offset(q.offset)
        if q.limit is not None:
            query = query.limit(q.limit)
        repo = AppointmentRepository(self.conn, self.account_id)
        items = [repo.to_entity(r) for r in self.conn.execute(query, params)]
        total = None
        if q.with_total:
            if q.offset == 0 and (q.limit is None or len(items) < q.limit):
                total = len(items)  # the page holds every match: no need to count
            else:
                counted = select(func.count()).select_from(a).where(and_(*cond))
                total = int(self.conn.execute(counted, params).scalar_one())
        return items, total

    def count_by_status(self, q: AppointmentQuery, group_by_service: bool) -> list[StatusCount]:
        """How many appointments match ``q`` per status and custom status (and service)."""
        cond, params = self.conditions(q)
        keys: list[Any] = [a.c.status, a.c.custom_status_id]
        if group_by_service:
            keys.append(a.c.service_id)
        rows = self.conn.execute(
            select(*keys, func.count().label("n"))
            .where(and_(*cond))
            .group_by(*keys)
            .order_by(*keys),
            params,
        )
        return [
            StatusCount(
                status=Status(r.status),
                custom_status_id=r.custom_status_id,
                service_id=r.service_id if group_by_service else None,
                count=int(r.n),
            )
            for r in rows
        ]
