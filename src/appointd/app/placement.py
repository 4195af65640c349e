"""Where an appointment goes, and whether it may: resolving a booking and checking its time.

:func:`resolve` loads and checks everything a booking names (location, service, client, staff,
resources, times); :func:`check_and_block` refuses a placement that breaks working time or
overlaps holding time and returns the blocks to write. Every use case that puts time on the
calendar (single bookings, series, class sessions, holds) goes through these two, so the rules
are the same whichever way time is booked. :func:`guard_overlaps` turns the PostgreSQL
exclusion violation of a lost race into the same :class:`SlotTaken`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from appointd.app import zones
from appointd.app.commands import BookAppointment
from appointd.app.context import Context
from appointd.app.references import usable
from appointd.domain import booking
from appointd.domain.errors import FieldError, Invalid, NotFound, SlotTaken
from appointd.domain.intervals import Interval
from appointd.domain.model import Client, Location, Resource, Service, Staff
from appointd.domain.wallclock import as_utc, zone
from appointd.domain.working_hours import WorkingCalendar
from appointd.store.engine import OverlapRefused
from appointd.store.uow import UnitOfWork


@dataclass(slots=True)
class Placement:
    """Everything resolved for one appointment: who, what, where, when."""

    location: Location
    tz: ZoneInfo
    service: Service
    staff: Staff | None
    additional: list[Staff]
    resources: list[Resource]
    spans: booking.Spans
    override: bool
    client: Client | None = None  # loaded with the rest; faces render it without asking again


def resolve(uow: UnitOfWork, cmd: BookAppointment) -> Placement:
    """Load and check everything ``cmd`` names; every failure names its field."""
    staff_ids = [
        i
        for i in [cmd.staff_id, *cmd.additional_staff_ids, cmd.coordinator_staff_id]
        if i is not None
    ]
    refs = uow.references.load(cmd.location_id, cmd.service_id, cmd.client_id, staff_ids)
    location = usable(refs.location, "location", cmd.location_id, "location_id")
    zones.remember_in(uow, location.id, location.time_zone)  # the answer renders in this zone
    service = usable(refs.service, "service", cmd.service_id, "service_id")
    client = None
    if cmd.client_id is not None:
        client = usable(refs.client, "client", cmd.client_id, "client_id")
    people = refs.staff
    for field, ident in [
        ("staff_id", cmd.staff_id),
        *(("additional_staff_ids", i) for i in cmd.additional_staff_ids),
        ("coordinator_staff_id", cmd.coordinator_staff_id),
    ]:
        if ident is not None and ident not in people:
            raise NotFound("staff", ident, field)
    if cmd.staff_id is not None and cmd.staff_id in cmd.additional_staff_ids:
        raise Invalid.field("additional_staff_ids", "must not repeat staff_id")
    if len(set(cmd.additional_staff_ids)) != len(cmd.additional_staff_ids):
        raise Invalid.field("additional_staff_ids", "has duplicates")
    staff = people.get(cmd.staff_id) if cmd.staff_id is not None else None
    if staff is not None:
        booking.check_staff_fit(staff, service, location.id, "staff_id")
    additional = [people[i] for i in cmd.additional_staff_ids]
    for extra in additional:
        if extra.archived_at is not None:
            raise Invalid.field("additional_staff_ids", f"staff {extra.id} is archived")
    resources = _resources(uow, cmd.resource_ids, service, location)
    tz = zone(location.time_zone)
    start = as_utc(cmd.start, tz, field="start")
    end = as_utc(cmd.end, tz, field="end") if cmd.end is not None else None
    return Placement(
        location,
        tz,
        service,
        staff,
        additional,
        resources,
        booking.spans(service, start, end),
        cmd.override,
        client,
    )


def _resources(
    uow: UnitOfWork, requested: Sequence[int], service: Service, location: Location
) -> list[Resource]:
    """The resources asked for plus those the service always needs, each checked."""
    wanted = list(dict.fromkeys([*requested, *service.resource_ids]))
    found = uow.resources.get_many(wanted)
    errors: list[FieldError] = []
    for rid in wanted:
        res = found.get(rid)
        if res is None:
            raise NotFound("resource", rid, "resource_ids")
        if res.archived_at is not None:
            errors.append(FieldError("resource_ids", f"resource {rid} is archived"))
        elif res.location_id is not None and res.location_id != location.id:
            errors.append(FieldError("resource_ids", f"resource {rid} is at another location"))
    if errors:
        raise Invalid(errors)
    return [found[r] for r in wanted]


def calendars(
    uow: UnitOfWork, people: Sequence[Staff], span: Interval
) -> dict[int, WorkingCalendar]:
    """Working calendars of ``people`` with the overrides that can touch ``span`` (one query)."""
    if not people:
        return {}
    # Two days of margin: the span's UTC dates may differ from the staff members' local dates.
    overrides = uow.availability.overrides(
        [p.id for p in people],
        span.start.date() - timedelta(days=2),
        span.end.date() + timedelta(days=2),
    )
    return {
        p.id: WorkingCalendar(zone(p.time_zone), p.working_hours, overrides[p.id]) for p in people
    }


def check_and_block(
    uow: UnitOfWork,
    ctx: Context,
    p: Placement,
    *,
    exclude_appointment_id: int | None = None,
    expires_at: datetime | None = None,
) -> list[Any]:
    """Refuse ``p`` if it breaks working time or overlaps holding time; return its blocks.

    The blocks are returned without an appointment id; the caller sets it and writes them.
    """
    busy = p.spans.busy
    people = [s for s in [p.staff, *p.additional] if s is not None]
    if not p.override:
        cals = calendars(uow, people, busy)
        for person in people:
            field = (
                "staff_id"
                if p.staff is not None and person.id == p.staff.id
                else "additional_staff_ids"
            )
            booking.check_working_time(cals[person.id], person.id, busy, field, p.tz)
    wanted = booking.blocks_for(
        busy=busy,
        staff_id=p.staff.id if p.staff else None,
        additional_staff_ids=[s.id for s in p.additional],
        resources=p.resources,
        override=p.override,
        expires_at=expires_at,
    )
    shared = [r.id for r in p.resources if r.capacity > 1]
    if shared and not p.override:
        uow.resources.lock(shared)
    subjects = [(b.subject_kind, b.subject_id) for b in wanted]
    existing = uow.blocks.holding_in(
        subjects, busy.start, busy.end, exclude_appointment_id=exclude_appointment_id
    )
    live, expired_holds = booking.split_expired(existing, ctx.now())
    if expired_holds:
        uow.blocks.release_appointments(expired_holds)
    if not p.override:
        capacities = {r.id: r.capacity for r in p.resources}
        try:
            booking.raise_if_conflicts(booking.find_conflicts(wanted, live, capacities))
        except SlotTaken as refused:
            refused.time_zone = p.tz  # the face writes the conflicts' times in this zone
            raise
    return wanted


@contextmanager
def guard_overlaps(ctx: Context, cmd: BookAppointment | None = None) -> Iterator[None]:
    """Turn the database's refusal of overlapping time into :class:`SlotTaken` naming the
    conflicts with ``cmd``.

    The refusal (:class:`OverlapRefused`, raised by the unit of work on PostgreSQL) means a
    concurrent booking won the race after our check passed. The transaction is already rolled
    back; we look up what holds the time now and report it. Use cases that only know what they
    place once inside their unit of work use :func:`run_again_after_a_lost_race` instead.
    """
    try:
        yield
    except OverlapRefused as exc:
        conflicts = _current_conflicts(ctx, cmd) if cmd else []
        raise SlotTaken(conflicts, JUST_TAKEN) from exc


JUST_TAKEN = "the requested time was just taken by another booking"
T = TypeVar("T")


def run_again_after_a_lost_race(run: Callable[[], T]) -> T:
    """``run()``, a use case's whole unit of work; once more if PostgreSQL refused its write
    as overlapping.

    That refusal means a concurrent transaction took the time after our check passed, and it
    has committed (until then our insert waits for it), so the second run's check sees it and
    refuses the usual way: every conflict named, per occurrence for a series. Or, if the time
    came free meanwhile, the second run succeeds. Nothing of the first run was written. A
    second refusal is :class:`SlotTaken` without the conflicts.
    """
    try:
        return run()
    except OverlapRefused:
        pass
    try:
        return run()
    except OverlapRefused as exc:
        raise SlotTaken([], JUST_TAKEN) from exc


def _current_conflicts(ctx: Context, cmd: BookAppointment) -> list[Any]:
    with ctx.uow(write=False) as uow:
        p = resolve(uow, cmd)
        wanted = booking.blocks_for(
            busy=p.spans.busy,
            staff_id=p.staff.id if p.staff else None,
            additional_staff_ids=[s.id for s in p.additional],
            resources=p.resources,
            override=p.override,
        )
        existing = uow.blocks.holding_in(
            [(b.subject_kind, b.subject_id) for b in wanted],
            p.spans.busy.start,
            p.spans.busy.end,
        )
    live, _ = booking.split_expired(existing, ctx.now())
    return booking.find_conflicts(wanted, live, {r.id: r.capacity for r in p.resources})
