"""Availability search: the free slots of a service at a location over a window of dates.

One read-only unit of work and a fixed number of statements whatever the number of staff or
days: the service, the location, the account's defaults and (unless the query names staff)
the account's active staff in one statement; the named staff (if any); their date overrides;
the resources the service needs (if any); and the busy spans of all of them in one aggregated
statement. For a class, its sessions instead. The slot search itself is
:func:`appointd.domain.availability.search`, pure and on integer seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from appointd.app.context import Context
from appointd.app.references import usable
from appointd.domain import assignment
from appointd.domain import availability as slots
from appointd.domain.booking import check_staff_fit
from appointd.domain.errors import FieldError, Invalid, NotFound
from appointd.domain.model import Account, Location, Service, ServiceKind, Staff
from appointd.domain.wallclock import zone
from appointd.domain.working_hours import WorkingCalendar
from appointd.store.uow import UnitOfWork

MAX_DAYS = 93
MODES = ("any", "all")
FIRST_YEAR, LAST_YEAR = 1900, 2999


@dataclass(frozen=True, slots=True)
class AvailabilityQuery:
    """What to search: ``first``..``last`` are dates in ``time_zone`` (default: the location's).

    ``staff_ids=None`` means every staff member who may give the service there. ``step_minutes``
    defaults to the service's duration, so back-to-back slots tile a free day.
    """

    service_id: int
    location_id: int
    first: date
    last: date
    staff_ids: Sequence[int] | None = None
    mode: str = "any"
    time_zone: str | None = None
    step_minutes: int | None = None


@dataclass(frozen=True, slots=True)
class Availability:
    tz: ZoneInfo
    days: list[slots.Day]


def check(q: AvailabilityQuery) -> ZoneInfo | None:
    """Refuse a malformed query before touching the store; returns the requested zone."""
    errors: list[FieldError] = [
        # Far-off years would overflow the instant arithmetic; nothing is bookable there anyway.
        FieldError(name, f"must be in the years {FIRST_YEAR} to {LAST_YEAR}")
        for name, value in (("from", q.first), ("to", q.last))
        if not FIRST_YEAR <= value.year <= LAST_YEAR
    ]
    if errors:
        raise Invalid(errors)
    if q.last < q.first:
        errors.append(FieldError("to", "must not be before from"))
    elif (q.last - q.first).days + 1 > MAX_DAYS:
        errors.append(FieldError("to", f"the window may span at most {MAX_DAYS} days"))
    if q.step_minutes is not None and not 1 <= q.step_minutes <= 1440:
        errors.append(FieldError("step_minutes", "must be 1 to 1440"))
    if q.mode not in MODES:
        errors.append(FieldError("mode", "must be 'any' or 'all'"))
    if q.staff_ids is not None and not q.staff_ids:
        errors.append(FieldError("staff_id", "must name at least one staff member"))
    tz: ZoneInfo | None = None
    if q.time_zone is not None:
        try:
            tz = zone(q.time_zone, "time_zone")
        except Invalid as exc:
            errors.extend(exc.errors)
    if errors:
        raise Invalid(errors)
    return tz


@dataclass(frozen=True, slots=True)
class Prepared:
    """A loaded search: what the pure :func:`compute` runs on. ``days`` is set when nothing is
    left to compute (a class's sessions, or nobody who could give the service)."""

    tz: ZoneInfo
    first: date
    bounds: list[int]
    rules: slots.SlotRules
    mode: str = "any"
    calendars: dict[int, WorkingCalendar] = field(default_factory=dict)
    busy: dict[int, list[slots.Span]] = field(default_factory=dict)
    resources: dict[int, tuple[int, list[slots.Span]]] = field(default_factory=dict)
    days: list[slots.Day] | None = None


def find(ctx: Context, q: AvailabilityQuery) -> Availability:
    """The days of the window with their free slots; see :mod:`appointd.domain.availability`."""
    requested_tz = check(q)
    with ctx.uow(write=False) as uow:
        prepared = prepare(uow, ctx, q, requested_tz)
    return compute(prepared)


def compute(p: Prepared) -> Availability:
    """The pure part of :func:`find`: slots from loaded calendars and busy time."""
    if p.days is not None:
        return Availability(p.tz, p.days)
    days = slots.search(
        p.calendars,
        p.busy,
        p.rules,
        first=p.first,
        bounds=p.bounds,
        mode=p.mode,
        resources=p.resources,
    )
    return Availability(p.tz, days)


def prepare(
    uow: UnitOfWork, ctx: Context, q: AvailabilityQuery, requested_tz: ZoneInfo | None
) -> Prepared:
    """Load everything the search needs in a fixed number of statements."""
    found = uow.availability.subject(q.service_id, q.location_id, with_staff=q.staff_ids is None)
    account = found.account
    service = usable(found.service, "service", q.service_id, "service_id")
    location = usable(found.location, "location", q.location_id, "location_id")
    tz = requested_tz or zone(location.time_zone)
    bounds = slots.day_bounds(q.first, q.last, tz)
    rules = _rules(ctx, service, account, q, bounds)
    if service.kind == ServiceKind.CLASS:
        days = _classes(uow, q, service, location, rules, bounds)
        return Prepared(tz, q.first, bounds, rules, days=days)
    people = _staff(uow, q, service, location, found.staff)
    load_start, load_end = (_instant(t) for t in rules.load_span)
    # Two days of margin: local dates of far-off zones differ from UTC dates.
    overrides = uow.availability.overrides(
        [p.id for p in people],
        load_start.date() - timedelta(days=2),
        load_end.date() + timedelta(days=2),
    )
    resources = uow.resources.get_many(service.resource_ids)
    resources_usable = all(
        (r := resources.get(rid)) is not None
        and r.archived_at is None
        and r.location_id in (None, location.id)
        for rid in service.resource_ids
    )
    if not people or not resources_usable:
        return Prepared(tz, q.first, bounds, rules, days=slots.by_day([], q.first, bounds))
    subjects = [("staff", p.id) for p in people]
    subjects += [("resource", rid) for rid in service.resource_ids]
    busy = uow.availability.busy_spans(subjects, load_start, load_end, ctx.now())
    return Prepared(
        tz,
        q.first,
        bounds,
        rules,
        q.mode,
        calendars={
            p.id: WorkingCalendar(zone(p.time_zone), p.working_hours, overrides[p.id])
            for p in people
        },
        busy={p.id: busy[("staff", p.id)] for p in people},
        resources={
            rid: (resources[rid].capacity, busy[("resource", rid)]) for rid in service.resource_ids
        },
    )


def _rules(
    ctx: Context,
    service: Service,
    account: Account | None,
    q: AvailabilityQuery,
    bounds: Sequence[int],
) -> slots.SlotRules:
    """Slot layout and booking window: the service's own notice and horizon, else the
    account's defaults, else (no account row) the server settings' defaults."""
    settings = ctx.services.settings
    notice = service.min_notice_minutes
    if notice is None:
        notice = (
            account.default_min_notice_minutes if account else settings.default_min_notice_minutes
        )
    horizon = service.max_advance_days
    if horizon is None:
        horizon = account.default_max_advance_days if account else settings.default_max_advance_days
    return slots.make_rules(
        duration_minutes=service.duration_minutes,
        buffer_before_minutes=service.buffer_before_minutes,
        buffer_after_minutes=service.buffer_after_minutes,
        step_minutes=q.step_minutes or service.duration_minutes,
        bounds=bounds,
        now=int(ctx.now().timestamp()),
        min_notice_minutes=notice,
        max_advance_days=horizon,
    )


def _staff(
    uow: UnitOfWork,
    q: AvailabilityQuery,
    service: Service,
    location: Location,
    active: list[Staff] | None,
) -> list[Staff]:
    """The staff asked for, each checked like a booking would; or everyone qualified among
    the account's ``active`` staff (loaded with the service when none were asked for)."""
    if q.staff_ids is None:
        return assignment.qualified(active or [], service, location.id)
    found = uow.staff.get_many(q.staff_ids)
    for sid in q.staff_ids:
        if sid not in found:
            raise NotFound("staff", sid, "staff_id")
    errors: list[FieldError] = []
    for sid in dict.fromkeys(q.staff_ids):
        try:
            check_staff_fit(found[sid], service, location.id, "staff_id")
        except Invalid as exc:
            errors.extend(exc.errors)
    if errors:
        raise Invalid(errors)
    return [found[sid] for sid in sorted(set(q.staff_ids))]


def _classes(
    uow: UnitOfWork,
    q: AvailabilityQuery,
    service: Service,
    location: Location,
    rules: slots.SlotRules,
    bounds: Sequence[int],
) -> list[slots.Day]:
    """A class is booked into its sessions: list those with seats left, by their start."""
    if q.staff_ids is not None:
        found = uow.staff.existing_ids(q.staff_ids)
        for sid in q.staff_ids:
            if sid not in found:
                raise NotFound("staff", sid, "staff_id")
    sessions = uow.availability.class_sessions(
        service.id,
        location.id,
        _instant(rules.window_start),
        _instant(rules.window_end),
        q.staff_ids,
    )
    return slots.by_day(slots.session_slots(sessions, rules), q.first, bounds)


def _instant(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)
