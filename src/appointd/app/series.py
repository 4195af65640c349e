"""Use cases of recurring series: book every occurrence at once, and read a series.

Booking a series is one transaction with a bounded number of SQL statements, whatever the
number of occurrences: the rule is expanded in the location's wall time
(:mod:`appointd.domain.recurrence`), the working calendars and the holding blocks of the whole
span are loaded once, every occurrence is decided in memory - against what exists and against
the occurrences before it (:mod:`appointd.domain.occurrences`) - and the accepted ones are
written with one multi-row statement per table.

``on_conflict="fail"`` (the default) writes nothing when any occurrence is refused: 422 when
some are invalid (a DST gap, outside working hours), else 409 listing every conflict with its
``occurrence``. ``on_conflict="skip"`` books the others and reports the skipped ones; when every
occurrence is refused nothing is written and the refusal is raised as in ``fail``.

Changing or cancelling many occurrences at once is :mod:`appointd.app.series_scope`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from appointd.app import appointments, placement, shared_fields
from appointd.app.appointments import history_entry, payload
from appointd.app.commands import BookAppointment
from appointd.app.context import Context
from appointd.app.placement import Placement, run_again_after_a_lost_race
from appointd.app.retry import lost_race, retry_transient
from appointd.domain import booking, occurrences, recurrence
from appointd.domain.errors import Invalid, NotFound
from appointd.domain.events import EventType
from appointd.domain.model import Appointment, Event, Resource, Staff
from appointd.domain.occurrences import Planned, Refusal
from appointd.domain.recurrence import Series
from appointd.domain.status import INITIAL
from appointd.store.uow import UnitOfWork


@dataclass(slots=True)
class SeriesView:
    """A series with its occurrences (rule order) and the occurrences skipped when booked."""

    series: Series
    occurrences: list[Appointment]
    skipped: list[Refusal]


# -- booking ---------------------------------------------------------------------------------


@retry_transient(lost_race)
def book(ctx: Context, cmd: BookAppointment) -> SeriesView:
    """Book every occurrence of ``cmd.recurrence`` (``{"rrule": ...}``) from ``cmd.start``."""
    _check_series_command(cmd)
    shared_fields.check_command(cmd)
    return appointments.fresh_codes_on_collision(
        lambda: run_again_after_a_lost_race(lambda: _book(ctx, cmd))
    )


def _book(ctx: Context, cmd: BookAppointment) -> SeriesView:
    text = (cmd.recurrence or {}).get("rrule")
    with ctx.uow() as uow:
        p = placement.resolve(uow, cmd)
        if p.staff is None:
            raise Invalid.field("staff_id", "required for a series")
        cmd = shared_fields.for_booking(uow, cmd, p.service.id)
        rule = recurrence.parse_rule(text, p.tz)
        first = wall_time(p.spans.client.start, p.tz)
        length = p.spans.client.end - p.spans.client.start
        planned = [
            plan_occurrence(i, local, occurrences.instant(local, p.tz), None, p)
            for i, local in enumerate(recurrence.expand(rule, first))
        ]
        refusals = decide(uow, ctx, planned, people_of(p), p.resources, exclude=set())
        refused = {r.index for r in refusals}
        if cmd.on_conflict == "fail" or len(refused) == len(planned):
            occurrences.refuse(refusals, len(planned))
        accepted = [o for o in planned if o.index not in refused]
        now = ctx.now()
        series = Series(
            id=0,
            account_id=ctx.account_id,
            rrule=rule.text,
            time_zone=p.tz.key,
            local_start=recurrence.local_iso(first),
            template=_template(cmd, length, refusals),
            created_at=now,
            updated_at=now,
        )
        uow.series.add(series)
        appts = [_appointment(ctx, cmd, p, o, series.id) for o in accepted]
        uow.bulk.add_appointments(appts)
        blocks = []
        for appt, occ in zip(appts, accepted, strict=True):
            for b in occ.blocks:
                b.appointment_id = appt.id
                blocks.append(b)
        uow.blocks.add(blocks)
        marks = {"series_id": series.id}
        uow.bulk.record_history(
            [
                history_entry(
                    ctx, a, "booked", None, a.status.value, None, _booked_changes(a, p.override)
                )
                for a in appts
            ]
        )
        events = [
            Event(EventType.APPOINTMENT_BOOKED, {**payload(a, cmd.notify), **marks}) for a in appts
        ]
        booked = {**marks, "appointment_ids": [a.id for a in appts], "skipped": sorted(refused)}
        uow.bulk.record_events([*events, Event(EventType.SERIES_BOOKED, booked)], now)
        uow.commit()
    return SeriesView(series, appts, refusals)


def _check_series_command(cmd: BookAppointment) -> None:
    if cmd.status not in INITIAL:
        raise Invalid.field("status", "a new appointment is 'pending' or 'confirmed'")
    if cmd.on_conflict not in ("fail", "skip"):
        raise Invalid.field("on_conflict", "one of fail, skip")
    for name, value in (
        ("class_session_id", cmd.class_session_id),
        ("intent_id", cmd.intent_id),
        ("waitlist_entry_id", cmd.waitlist_entry_id),
    ):
        if value is not None:
            raise Invalid.field(name, "cannot be combined with recurrence (one appointment only)")


def plan_occurrence(
    index: int, local: datetime, start: datetime | None, end: datetime | None, p: Placement
) -> Planned:
    """Occurrence ``index`` at wall time ``local`` with ``p``'s people, things and length."""
    if start is None:
        return Planned(index, local, None)
    length = p.spans.client.end - p.spans.client.start
    spans = booking.spans(p.service, start, end or start + length)
    blocks = booking.blocks_for(
        busy=spans.busy,
        staff_id=p.staff.id if p.staff else None,
        additional_staff_ids=[s.id for s in p.additional],
        resources=p.resources,
        override=p.override,
    )
    people = [(s.id, "staff_id" if s is p.staff else "additional_staff_ids") for s in people_of(p)]
    return Planned(index, local, spans, blocks, people, p.override)


def people_of(p: Placement) -> list[Staff]:
    return [s for s in [p.staff, *p.additional] if s is not None]


def decide(
    uow: UnitOfWork,
    ctx: Context,
    planned: Sequence[Planned],
    people: Sequence[Staff],
    resources: Sequence[Resource],
    *,
    exclude: set[int],
    gap_field: str = "recurrence.rrule",
) -> list[Refusal]:
    """Load the whole span once, then decide every occurrence in memory.

    ``exclude`` are appointments whose blocks do not count (those being moved).
    """
    window = occurrences.span_of(planned)
    if window is None:
        return occurrences.check(planned, [], {}, {}, gap_field=gap_field)
    calendars = placement.calendars(uow, list({s.id: s for s in people}.values()), window)
    shared = sorted({r.id for r in resources if r.capacity > 1})
    if shared:
        uow.resources.lock(shared)
    subjects = sorted({(b.subject_kind, b.subject_id) for o in planned for b in o.blocks})
    existing = [
        b
        for b in uow.blocks.holding_in(subjects, window.start, window.end)
        if b.appointment_id is None or b.appointment_id not in exclude
    ]
    live, expired = booking.split_expired(existing, ctx.now())
    if expired:
        uow.blocks.release_appointments(expired)
    capacities = {r.id: r.capacity for r in resources}
    return occurrences.check(planned, live, calendars, capacities, gap_field=gap_field)


def _appointment(
    ctx: Context, cmd: BookAppointment, p: Placement, occ: Planned, series_id: int
) -> Appointment:
    assert occ.spans is not None  # accepted occurrences have an instant
    return appointments.new_appointment(
        ctx, cmd, p, occ.spans, series_id=series_id, series_index=occ.index
    )


def _template(cmd: BookAppointment, length: timedelta, refusals: list[Refusal]) -> dict[str, Any]:
    """What every occurrence was booked from, and what was skipped (kept on the series row)."""
    return {
        "location_id": cmd.location_id,
        "service_id": cmd.service_id,
        "staff_id": cmd.staff_id,
        "client_id": cmd.client_id,
        "additional_staff_ids": list(cmd.additional_staff_ids),
        "resource_ids": list(cmd.resource_ids),
        "coordinator_staff_id": cmd.coordinator_staff_id,
        "notes": cmd.notes,
        "status": cmd.status.value,
        "override": cmd.override,
        "on_conflict": cmd.on_conflict,
        "length_minutes": length.total_seconds() / 60,
        "skipped": [occurrences.to_document(r) for r in refusals],
    }


def _booked_changes(appt: Appointment, override: bool) -> dict[str, Any]:
    changes: dict[str, Any] = {"series_id": appt.series_id, "series_index": appt.series_index}
    if override:
        changes["override"] = True
    return changes


# -- reading ---------------------------------------------------------------------------------


def get(ctx: Context, series_id: int, *, include_archived: bool = False) -> SeriesView:
    with ctx.uow(write=False) as uow:
        found = uow.series.get(series_id)
        if found is None:
            raise NotFound("series", series_id)
        members = uow.series.occurrences(series_id, include_archived=include_archived)
    skipped = [occurrences.from_document(d) for d in found.template.get("skipped", [])]
    return SeriesView(found, members, skipped)


# -- shared ----------------------------------------------------------------------------------


def wall_time(moment: datetime, tz: ZoneInfo) -> datetime:
    """The naive wall time of ``moment`` in ``tz``."""
    return moment.astimezone(tz).replace(tzinfo=None)
