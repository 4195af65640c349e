"""Staff members, their date overrides and their time off."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, false, func, or_, select

from appointd.domain.model import Staff, TimeOff
from appointd.domain.working_hours import DateOverride, WorkingWeek, parse_ranges
from appointd.store import tables
from appointd.store.repositories.base import ExternalIds, Page, Repository, storable
from appointd.store.repositories.conditions import Condition, clauses, ordering


class StaffRepository(ExternalIds[Staff]):
    table = tables.staff
    entity = Staff
    skip = frozenset({"date_overrides", "time_off"})

    def decode(self, kwargs: dict[str, Any]) -> Staff:
        kwargs["working_hours"] = WorkingWeek.parse(kwargs.get("working_hours") or [])
        kwargs["location_ids"] = list(kwargs.get("location_ids") or [])
        kwargs["service_ids"] = list(kwargs.get("service_ids") or [])
        return Staff(**kwargs)

    def encode(self, name: str, value: Any) -> Any:
        return value.to_list() if name == "working_hours" else value

    def with_details(self, staff: Staff) -> Staff:
        """``staff`` with every date override and time-off entry loaded."""
        return self.with_details_of([staff])[0]

    def with_details_of(self, people: list[Staff]) -> list[Staff]:
        """``people`` with their overrides and time off loaded: two queries, however many."""
        ids = [p.id for p in people]
        overrides = self.overrides(ids)
        time_off = TimeOffRepository(self.conn, self.account_id).for_staff_many(ids)
        for p in people:
            p.date_overrides = overrides[p.id]
            p.time_off = time_off[p.id]
        return people

    def overrides(
        self, staff_ids: Iterable[int], first: date | None = None, last: date | None = None
    ) -> dict[int, list[DateOverride]]:
        """Date overrides per staff member, optionally only those from ``first`` to ``last``."""
        ids = sorted(set(staff_ids))
        out: dict[int, list[DateOverride]] = {i: [] for i in ids}
        if not ids:
            return out
        t = tables.staff_date_overrides
        query = select(t).where(t.c.account_id == self.account_id, t.c.staff_id.in_(ids))
        if first is not None:
            query = query.where(t.c.date >= first)
        if last is not None:
            query = query.where(t.c.date <= last)
        for row in self.conn.execute(query.order_by(t.c.staff_id, t.c.date)):
            ranges = parse_ranges(row.ranges or [], "ranges")
            out[row.staff_id].append(DateOverride(row.date, ranges))
        return out

    def replace_overrides(self, staff_id: int, overrides: Iterable[DateOverride]) -> None:
        t = tables.staff_date_overrides
        self.conn.execute(
            delete(t).where(t.c.account_id == self.account_id, t.c.staff_id == staff_id)
        )
        rows = [
            {
                "account_id": self.account_id,
                "staff_id": staff_id,
                "date": o.date,
                "ranges": [r.as_dict() for r in o.ranges],
            }
            for o in overrides
        ]
        if rows:
            self.conn.execute(t.insert(), rows)


class TimeOffRepository(Repository):
    def for_staff(self, staff_id: int) -> list[TimeOff]:
        return self.for_staff_many([staff_id])[staff_id]

    def for_staff_many(self, staff_ids: Iterable[int]) -> dict[int, list[TimeOff]]:
        """Time off per staff member, in start order, for all of ``staff_ids`` in one query."""
        ids = sorted(set(staff_ids))
        out: dict[int, list[TimeOff]] = {i: [] for i in ids}
        if not ids:
            return out
        t = tables.time_off
        rows = self.conn.execute(
            select(t)
            .where(t.c.account_id == self.account_id, t.c.staff_id.in_(ids))
            .order_by(t.c.staff_id, t.c.start_at, t.c.id)
        )
        for r in rows:
            out[r.staff_id].append(self._entity(r))
        return out

    def get(self, staff_id: int, time_off_id: int) -> TimeOff | None:
        if not (storable(staff_id) and storable(time_off_id)):
            return None
        t = tables.time_off
        row = self.conn.execute(
            select(t).where(
                t.c.account_id == self.account_id, t.c.staff_id == staff_id, t.c.id == time_off_id
            )
        ).first()
        return None if row is None else self._entity(row)

    def add(self, entry: TimeOff, at: Any) -> int:
        result = self.conn.execute(
            tables.time_off.insert().values(
                account_id=self.account_id,
                staff_id=entry.staff_id,
                start_at=entry.start,
                end_at=entry.end,
                reason=entry.reason,
                created_at=at,
                repeated_from_id=entry.repeated_from_id,
                repeat_rule=entry.repeat_rule,
                updated_at=at,
            )
        )
        entry.id = int(result.inserted_primary_key[0])  # type: ignore[index]
        entry.created_at = entry.updated_at = at
        return entry.id

    def update(self, entry: TimeOff, at: Any) -> None:
        """Write ``entry``'s staff member, span and reason onto its row (same id)."""
        t = tables.time_off
        self.conn.execute(
            t.update()
            .where(t.c.account_id == self.account_id, t.c.id == entry.id)
            .values(
                staff_id=entry.staff_id,
                start_at=entry.start,
                end_at=entry.end,
                reason=entry.reason,
                updated_at=at,
            )
        )
        entry.updated_at = at

    def remove(self, time_off_id: int) -> None:
        """Delete one time off. Its repeats (if it was the first of a rule) stay linked: the
        earliest of them becomes the first the others repeat from."""
        t = tables.time_off
        mine = t.c.account_id == self.account_id
        repeats = self.conn.execute(
            select(t.c.id)
            .where(mine, t.c.repeated_from_id == time_off_id)
            .order_by(t.c.start_at, t.c.id)
        ).all()
        if repeats:
            head = int(repeats[0].id)
            self.conn.execute(t.update().where(mine, t.c.id == head).values(repeated_from_id=None))
            self.conn.execute(
                t.update()
                .where(mine, t.c.repeated_from_id == time_off_id)
                .values(repeated_from_id=head)
            )
        self.conn.execute(delete(t).where(mine, t.c.id == time_off_id))

    def page_of_account(
        self,
        *,
        staff_ids: Iterable[int] | None,
        windows: Mapping[int, tuple[datetime, datetime]] | None,
        limit: int,
        offset: int,
        descending: bool = False,
    ) -> Page[TimeOff]:
        """Time off of the account in start order, optionally of ``staff_ids`` only and
        starting within a window per staff member (``{staff_id: (from, until)}``)."""
        t = tables.time_off
        cond: list[Any] = [t.c.account_id == self.account_id]
        if staff_ids is not None:
            cond.append(t.c.staff_id.in_(sorted(set(staff_ids))))
        if windows is not None:
            spans = [
                and_(t.c.staff_id == sid, t.c.start_at >= low, t.c.start_at < high)
                for sid, (low, high) in sorted(windows.items())
            ]
            cond.append(or_(*spans) if spans else false())
        total = self.conn.execute(select(func.count()).select_from(t).where(*cond)).scalar_one()
        order = (t.c.start_at.desc(), t.c.id.desc()) if descending else (t.c.start_at, t.c.id)
        query = select(t).where(*cond).order_by(*order).limit(limit).offset(offset)
        rows = self.conn.execute(query)
        return Page([self._entity(r) for r in rows], int(total))

    @staticmethod
    def _entity(row: Any) -> TimeOff:
        return TimeOff(
            row.id,
            row.account_id,
            row.staff_id,
            row.start_at,
            row.end_at,
            row.reason,
            row.created_at,
            row.repeated_from_id,
            row.repeat_rule,
            row.updated_at or row.created_at,
        )

    def page(
        self,
        *,
        conditions: Sequence[Condition] = (),
        order: Sequence[tuple[str, bool]] = (),
        limit: int = 50,
        offset: int = 0,
    ) -> Page[TimeOff]:
        """Time off of the whole account, filtered on :data:`TIME_OFF_FIELDS`, with a count."""
        t = tables.time_off
        cond = [
            t.c.account_id == self.account_id,
            *clauses(t, _TIME_OFF_RENAMES, TIME_OFF_FIELDS, conditions),
        ]
        total = self.conn.execute(select(func.count()).select_from(t).where(*cond)).scalar_one()
        rows = self.conn.execute(
            select(t)
            .where(*cond)
            .order_by(*ordering(t, _TIME_OFF_RENAMES, TIME_OFF_FIELDS, order))
            .limit(limit)
            .offset(offset)
        )
        return Page([self._entity(r) for r in rows], int(total))

    def by_id(self, time_off_id: int) -> TimeOff | None:
        if not storable(time_off_id):
            return None
        t = tables.time_off
        row = self.conn.execute(
            select(t).where(t.c.account_id == self.account_id, t.c.id == time_off_id)
        ).first()
        return None if row is None else self._entity(row)


TIME_OFF_FIELDS = frozenset(
    {"id", "staff_id", "start", "end", "created_at", "updated_at", "repeated_from_id"}
)
_TIME_OFF_RENAMES = {"start": "start_at", "end": "end_at"}
