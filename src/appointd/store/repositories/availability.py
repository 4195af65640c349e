"""The read queries of availability search and staff assignment.

Each method is one statement whatever the number of staff or days, so a search costs a fixed
number of round trips. Busy time comes back as integer epoch seconds, the unit the slot search
works in; a start is rounded down and an end up to the second, so rounding never frees time.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    String,
    and_,
    bindparam,
    case,
    cast,
    extract,
    func,
    literal,
    or_,
    select,
    union_all,
)

from appointd.domain.assignment import StaffLoad
from appointd.domain.availability import Session, Span
from appointd.domain.model import Account, AppointmentKind, Location, Service, Staff
from appointd.domain.status import Status
from appointd.domain.working_hours import TimeRange, WorkingWeek, parse_ranges
from appointd.store import tables
from appointd.store.repositories.base import Repository, one_of
from appointd.store.repositories.catalog import ServiceRepository
from appointd.store.repositories.references import fields_of, prefixed

Subject = tuple[str, int]
HOLDING = sorted(s.value for s in Status if s.holding)


def _floor(at: datetime) -> int:
    return math.floor(at.timestamp())


def _ceil(at: datetime) -> int:
    return math.ceil(at.timestamp())


def _epoch_pairs(dialect: str) -> Any:
    """The aggregate of ``"start,end"`` over the grouped blocks, start rounded down, end up.

    SQLite stores UTC instants as ``YYYY-MM-DD HH:MM:SS.ffffff`` text (see
    :class:`appointd.store.types.UTCDateTime`): ``strftime('%s')`` drops the fraction, so the end
    gets one more second when its fraction is not zero.
    """
    t = tables.blocks
    if dialect == "sqlite":
        start: Any = func.strftime("%s", t.c.start_at)
        whole_end = cast(func.strftime("%s", t.c.end_at), Integer)
        end: Any = whole_end.op("+")(cast(func.substr(t.c.end_at, 21) > "000000", Integer))
        return func.group_concat(start.op("||")(",").op("||")(end), ",")
    start = cast(func.floor(extract("epoch", t.c.start_at)), BigInteger)
    end = cast(func.ceil(extract("epoch", t.c.end_at)), BigInteger)
    pair = cast(start, String) + literal(",", String) + cast(end, String)
    return func.string_agg(pair, ",")


@functools.cache
def _busy_query(dialect: str, kinds: tuple[str, ...]) -> Any:
    """The statement of :meth:`AvailabilityRepository.busy_spans`, built once per dialect and
    kinds of subject asked for.

    One row per subject with its spans as ``"start,end,start,end,..."`` in epoch seconds: a
    month of fifty calendars is fifty rows, not ten thousand, and no datetime objects. Each
    kind is its own branch of a ``UNION ALL`` rather than an ``OR``, which would keep SQLite
    from the ``(subject_kind, subject_id, end_at)`` index. Built once because composing the
    expression costs more than running it for one staff member.
    """
    t = tables.blocks
    branches = [
        select(t.c.subject_kind, t.c.subject_id, _epoch_pairs(dialect).label("spans"))
        .where(
            t.c.account_id == bindparam("account_id"),
            t.c.subject_kind == kind,
            one_of(t.c.subject_id, f"{kind}_ids", dialect),
            t.c.holding.is_(True),
            t.c.end_at > bindparam("start"),
            t.c.start_at < bindparam("end"),
            or_(t.c.expires_at.is_(None), t.c.expires_at > bindparam("now")),
        )
        .group_by(t.c.subject_kind, t.c.subject_id)
        for kind in kinds
    ]
    return branches[0] if len(branches) == 1 else union_all(*branches)


_ACTIVE_STAFF = (
    select(tables.staff)
    .where(
        tables.staff.c.account_id == bindparam("account_id"),
        tables.staff.c.archived_at.is_(None),
    )
    .order_by(tables.staff.c.id)
)


@functools.cache
def _overrides_query(dialect: str) -> Any:
    t = tables.staff_date_overrides
    return select(t.c.staff_id, t.c.date, t.c.ranges).where(
        t.c.account_id == bindparam("account_id"),
        one_of(t.c.staff_id, "ids", dialect),
        t.c.date >= bindparam("first"),
        t.c.date <= bindparam("last"),
    )


def _subject_query(with_staff: bool) -> Any:
    """The statement of :meth:`AvailabilityRepository.subject`: the account's defaults, the
    service and the location, and with ``with_staff`` one row per active staff member."""
    a, s, loc, st = tables.accounts, tables.services, tables.locations, tables.staff
    columns = [
        a.c.default_min_notice_minutes,
        a.c.default_max_advance_days,
        *prefixed(s, "s_"),
        *prefixed(loc, "l_"),
    ]
    joined = a.outerjoin(
        s, and_(s.c.account_id == a.c.id, s.c.id == bindparam("service_id"))
    ).outerjoin(loc, and_(loc.c.account_id == a.c.id, loc.c.id == bindparam("location_id")))
    if with_staff:
        columns += prefixed(st, "p_")
        joined = joined.outerjoin(st, and_(st.c.account_id == a.c.id, st.c.archived_at.is_(None)))
    query = select(*columns).select_from(joined).where(a.c.id == bindparam("account_id"))
    return query.order_by(st.c.id) if with_staff else query


_SUBJECT = {with_staff: _subject_query(with_staff) for with_staff in (False, True)}


@dataclasses.dataclass(frozen=True, slots=True)
class SearchSubject:
    """What :meth:`AvailabilityRepository.subject` found; ``None`` for what the account lacks."""

    account: Account | None
    service: Service | None
    location: Location | None
    staff: list[Staff] | None  # the active staff, when asked for


class AvailabilityRepository(Repository):
    def subject(self, service_id: int, location_id: int, *, with_staff: bool) -> SearchSubject:
        """The account's booking-window defaults, the service and the location, and with
        ``with_staff`` every active staff member (ascending by id), in one statement."""
        rows = self.conn.execute(
            _SUBJECT[with_staff],
            {"account_id": self.account_id, "service_id": service_id, "location_id": location_id},
        ).all()
        if not rows:
            return SearchSubject(None, None, None, [] if with_staff else None)
        values = rows[0]._mapping
        account = Account(
            self.account_id,
            "",
            default_min_notice_minutes=values["default_min_notice_minutes"],
            default_max_advance_days=values["default_max_advance_days"],
        )
        service = location = None
        if values["s_id"] is not None:
            service = ServiceRepository(self.conn, self.account_id).decode(
                fields_of(Service, values, "s_")
            )
        if values["l_id"] is not None:
            location = Location(**fields_of(Location, values, "l_"))
        staff = _staff_of(rows) if with_staff else None
        return SearchSubject(account, service, location, staff)

    def active_staff(self) -> list[Staff]:
        """Every staff member of the account who is not archived, ascending by id."""
        return _staff_of(
            self.conn.execute(_ACTIVE_STAFF, {"account_id": self.account_id}), prefix=""
        )

    def overrides(
        self, staff_ids: Iterable[int], first: date, last: date
    ) -> dict[int, dict[date, tuple[TimeRange, ...]]]:
        """Date overrides of each staff member from ``first`` to ``last``, by date, ready for
        :class:`~appointd.domain.working_hours.WorkingCalendar`."""
        ids = sorted(set(staff_ids))
        out: dict[int, dict[date, tuple[TimeRange, ...]]] = {i: {} for i in ids}
        if not ids:
            return out
        params = {"account_id": self.account_id, "ids": ids, "first": first, "last": last}
        for sid, day, ranges in self.conn.execute(_overrides_query(self.conn.dialect.name), params):
            out[sid][day] = parse_ranges(ranges or [], "ranges")
        return out

    def busy_spans(
        self, subjects: Iterable[Subject], start: datetime, end: datetime, now: datetime
    ) -> dict[Subject, list[Span]]:
        """Live holding spans of ``subjects`` overlapping ``[start, end)``, per subject.

        Expired holds (``expires_at <= now``) are left out: they count as free. Every subject
        asked for has an entry, empty when it is free throughout.
        """
        wanted = sorted(set(subjects))
        out: dict[Subject, list[Span]] = {s: [] for s in wanted}
        if not wanted:
            return out
        ids: dict[str, list[int]] = {}
        for kind, sid in wanted:
            ids.setdefault(kind, []).append(sid)
        rows = self.conn.execute(
            _busy_query(self.conn.dialect.name, tuple(sorted(ids))),
            {
                "account_id": self.account_id,
                **{f"{kind}_ids": sids for kind, sids in ids.items()},
                "start": start,
                "end": end,
                "now": now,
            },
        )
        for kind, sid, pairs in rows:
            numbers = [int(x) for x in pairs.split(",")]
            out[(kind, sid)] = list(zip(numbers[0::2], numbers[1::2], strict=True))
        return out

    def class_sessions(
        self,
        service_id: int,
        location_id: int,
        start: datetime,
        end: datetime,
        staff_ids: Sequence[int] | None = None,
    ) -> list[Session]:
        """Scheduled, unarchived sessions of the service at the location starting in
        ``[start, end)``, optionally only those of ``staff_ids``; full ones included."""
        t = tables.class_sessions
        query = select(
            t.c.id,
            t.c.staff_id,
            t.c.resource_id,
            t.c.start_at,
            t.c.end_at,
            t.c.capacity,
            t.c.seats_taken,
        ).where(
            t.c.account_id == self.account_id,
            t.c.service_id == service_id,
            t.c.location_id == location_id,
            t.c.archived_at.is_(None),
            t.c.status == "scheduled",
            t.c.start_at >= start,
            t.c.start_at < end,
        )
        if staff_ids is not None:
            query = query.where(t.c.staff_id.in_(sorted(set(staff_ids))))
        return [
            Session(
                r.id,
                r.staff_id,
                r.resource_id,
                _floor(r.start_at),
                _ceil(r.end_at),
                r.capacity,
                r.seats_taken,
            )
            for r in self.conn.execute(query.order_by(t.c.start_at, t.c.id))
        ]

    def staff_loads(
        self, staff_ids: Iterable[int], day_start: datetime, day_end: datetime
    ) -> dict[int, StaffLoad]:
        """Round-robin figures of each staff member: holding appointments starting in
        ``[day_start, day_end)`` and the latest ``created_at`` of any of their appointments.

        Counted: appointments (not waitlist holds) whose primary staff member they are, not
        deleted; the day count also leaves out archived and non-holding ones.
        """
        ids = sorted(set(staff_ids))
        out = {i: StaffLoad(i) for i in ids}
        if not ids:
            return out
        a = tables.appointments
        that_day: Any = case(
            (
                and_(
                    a.c.status.in_(HOLDING),
                    a.c.archived_at.is_(None),
                    a.c.start_at >= day_start,
                    a.c.start_at < day_end,
                ),
                1,
            ),
            else_=0,
        )
        query = (
            select(a.c.staff_id, func.sum(that_day), func.max(a.c.created_at))
            .where(
                a.c.account_id == self.account_id,
                a.c.staff_id.in_(ids),
                a.c.kind == AppointmentKind.APPOINTMENT.value,
                a.c.deleted_at.is_(None),
            )
            .group_by(a.c.staff_id)
        )
        for sid, count, last in self.conn.execute(query):
            out[sid] = StaffLoad(sid, int(count or 0), _as_utc(last))
        return out


def _staff_of(rows: Iterable[Any], prefix: str = "p_") -> list[Staff]:
    """Staff members from rows holding the ``prefix``-ed columns of ``staff``; rows where the
    outer join found nobody (a ``None`` id) are skipped."""
    # Most staff share a handful of weekly patterns: parse each distinct one once.
    weeks: dict[str, WorkingWeek] = {}
    out: list[Staff] = []
    for row in rows:
        r = row._mapping
        if r[prefix + "id"] is None:
            continue
        raw = r[prefix + "working_hours"] or []
        key = repr(raw)
        week = weeks.get(key)
        if week is None:
            week = weeks[key] = WorkingWeek.parse(raw)
        out.append(
            Staff(
                id=r[prefix + "id"],
                account_id=r[prefix + "account_id"],
                first_name=r[prefix + "first_name"],
                last_name=r[prefix + "last_name"],
                time_zone=r[prefix + "time_zone"],
                email=r[prefix + "email"],
                location_ids=list(r[prefix + "location_ids"] or []),
                service_ids=list(r[prefix + "service_ids"] or []),
                working_hours=week,
                archived_at=r[prefix + "archived_at"],
                created_at=r[prefix + "created_at"],
                updated_at=r[prefix + "updated_at"],
                phone=r[prefix + "phone"],
                external_id=r[prefix + "external_id"],
            )
        )
    return out


def _as_utc(value: Any) -> datetime | None:
    """``max()`` over a UTC column loses the column type on SQLite; restore an aware instant."""
    if value is None:
        return None
    at: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
