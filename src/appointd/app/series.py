"""Use cases of recurring series: book every occurrence at once, read, change or cancel many.

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

Changing or cancelling with ``scope="following"`` or ``"all"`` applies to the named appointment
and to the series' other *open* occurrences - pending or confirmed for a change, cancellable
ones for a cancel, archived ones never - from the named one on (by rule position) or all of
them. A time change moves each by the same local wall-clock delta, every occurrence is checked,
and any refusal refuses the whole change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from appointd.app import appointments
from appointd.app.appointments import (
    SCHEDULING_FIELDS,
    Placement,
    _as_command,
    _snapshot,
    guard_overlaps,
    payload,
)
from appointd.app.commands import BookAppointment, ChangeAppointment
from appointd.app.context import Context
from appointd.domain import booking, occurrences, recurrence
from appointd.domain.errors import Invalid, NotFound
from appointd.domain.events import EventType
from appointd.domain.model import Appointment, Block, Event, HistoryEntry, Resource, Staff
from appointd.domain.occurrences import Planned, Refusal
from appointd.domain.recurrence import Series
from appointd.domain.status import INITIAL, TRANSITIONS, Status, transition
from appointd.domain.wallclock import zone
from appointd.store.uow import UnitOfWork

SCOPES = ("this", "following", "all")
OPEN = frozenset({Status.PENDING, Status.CONFIRMED})


@dataclass(slots=True)
class SeriesView:
    """A series with its occurrences (rule order) and the occurrences skipped when booked."""

    series: Series
    occurrences: list[Appointment]
    skipped: list[Refusal]


# -- booking ---------------------------------------------------------------------------------


def book(ctx: Context, cmd: BookAppointment) -> SeriesView:
    """Book every occurrence of ``cmd.recurrence`` (``{"rrule": ...}``) from ``cmd.start``."""
    _check_series_command(cmd)
    text = (cmd.recurrence or {}).get("rrule")
    with guard_overlaps(ctx), ctx.uow() as uow:
        p = appointments.resolve(uow, cmd)
        if p.staff is None:
            raise Invalid.field("staff_id", "required for a series")
        rule = recurrence.parse_rule(text, p.tz)
        first = _local(p.spans.client.start, p.tz)
        length = p.spans.client.end - p.spans.client.start
        planned = [
            _plan(i, local, occurrences.instant(local, p.tz), None, p)
            for i, local in enumerate(recurrence.expand(rule, first))
        ]
        refusals = _decide(uow, ctx, planned, _people(p), p.resources, exclude=set())
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
        events = [Event(EventType.APPOINTMENT_BOOKED, {**payload(a), **marks}) for a in appts]
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


def _plan(
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
    people = [(s.id, "staff_id" if s is p.staff else "additional_staff_ids") for s in _people(p)]
    return Planned(index, local, spans, blocks, people, p.override)


def _people(p: Placement) -> list[Staff]:
    return [s for s in [p.staff, *p.additional] if s is not None]


def _decide(
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
    calendars = appointments.calendars(uow, list({s.id: s for s in people}.values()), window)
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
    now = ctx.now()
    return Appointment(
        id=0,
        account_id=ctx.account_id,
        location_id=p.location.id,
        service_id=p.service.id,
        staff_id=p.staff.id if p.staff else None,
        client_id=cmd.client_id,
        start=occ.spans.client.start,
        end=occ.spans.client.end,
        busy_start=occ.spans.busy.start,
        busy_end=occ.spans.busy.end,
        status=cmd.status,
        additional_staff_ids=[s.id for s in p.additional],
        resource_ids=[r.id for r in p.resources],
        coordinator_staff_id=cmd.coordinator_staff_id,
        notes=cmd.notes,
        override=p.override,
        series_id=series_id,
        series_index=occ.index,
        source=ctx.caller.source,
        extra=dict(cmd.extra),
        created_at=now,
        updated_at=now,
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


# -- changing and cancelling many ------------------------------------------------------------


def change(ctx: Context, cmd: ChangeAppointment, scope: str = "this") -> Appointment:
    """PATCH with a scope; ``this`` is :func:`appointd.app.appointments.change` unchanged."""
    if scope == "this":
        return appointments.change(ctx, cmd)
    with guard_overlaps(ctx), ctx.uow() as uow:
        target, members = _members(uow, cmd.appointment_id, scope, lambda a: a.status in OPEN)
        changes = dict(cmd.changes)
        if SCHEDULING_FIELDS & changes.keys():
            if not target.holding:
                raise Invalid.field(
                    "start", f"a {target.status.value} appointment cannot be moved; book a new one"
                )
            updated, blocks = _moved(uow, ctx, target, members, changes)
        else:
            blocks = []
            _check_references(uow, changes)
            plain = {"notes", "client_id", "coordinator_staff_id", "extra"}
            updated = [
                dataclasses.replace(m, **{k: v for k, v in changes.items() if k in plain})
                for m in members
            ]
        now = ctx.now()
        for u in updated:
            u.updated_at = now
        uow.bulk.update_appointments(updated)
        if SCHEDULING_FIELDS & changes.keys():
            uow.bulk.delete_blocks([u.id for u in updated])
            uow.blocks.add([b for per in blocks for b in per])
        entries, events = [], []
        for before, after in zip(members, updated, strict=True):
            old, new = _snapshot(before), _snapshot(after)
            diff = {k: [old[k], v] for k, v in new.items() if old[k] != v}
            moved = "start" in diff or "end" in diff
            action = "rescheduled" if moved else "updated"
            reason = f"scope={scope} from appointment {target.id}"
            entries.append(
                history_entry(
                    ctx, after, action, after.status.value, after.status.value, reason, diff
                )
            )
            kind = EventType.APPOINTMENT_RESCHEDULED if moved else EventType.APPOINTMENT_UPDATED
            events.append(Event(kind, payload(after)))
        uow.bulk.record_history(entries)
        uow.bulk.record_events(events, now)
        uow.commit()
    return next(u for u in updated if u.id == target.id)


def _members(
    uow: UnitOfWork, appointment_id: int, scope: str, eligible: Callable[[Appointment], bool]
) -> tuple[Appointment, list[Appointment]]:
    """The named appointment (locked) and the occurrences ``scope`` reaches, named one first."""
    if scope not in SCOPES:
        raise Invalid.field("scope", "one of this, following, all")
    target = uow.appointments.for_update(appointment_id)
    if target is None:
        raise NotFound("appointment", appointment_id)
    if target.series_id is None:
        raise Invalid.field(
            "scope", f"appointment {appointment_id} is not part of a series; use scope=this"
        )
    first = target.series_index or 0
    others = [
        a
        for a in uow.series.occurrences(target.series_id, include_archived=False, lock=True)
        if a.id != target.id and eligible(a) and (scope == "all" or (a.series_index or 0) >= first)
    ]
    return target, [target, *others]


def _check_references(uow: UnitOfWork, changes: dict[str, Any]) -> None:
    if changes.get("client_id") is not None and uow.clients.get(changes["client_id"]) is None:
        raise NotFound("client", changes["client_id"], "client_id")
    coordinator = changes.get("coordinator_staff_id")
    if coordinator is not None and uow.staff.get(coordinator) is None:
        raise NotFound("staff", coordinator, "coordinator_staff_id")


def _moved(
    uow: UnitOfWork,
    ctx: Context,
    target: Appointment,
    members: list[Appointment],
    changes: dict[str, Any],
) -> tuple[list[Appointment], list[list[Block]]]:
    """``members`` with ``changes`` applied and the blocks each will hold, every one checked;
    all are refused if any one is."""
    target_p = appointments.resolve(uow, _as_command(target, changes))
    places = uow.locations.get_many({m.location_id for m in members})
    old_tz = {i: zone(loc.time_zone) for i, loc in places.items()}
    delta = (
        _local(target_p.spans.client.start, target_p.tz)
        - _local(target.start, old_tz[target.location_id])
        if "start" in changes
        else timedelta(0)
    )
    length = target_p.spans.client.end - target_p.spans.client.start if "end" in changes else None
    cache: dict[tuple[Any, ...], Placement] = {}
    planned: list[Planned] = []
    placements: list[Placement] = []
    for m in members:
        rest = {k: v for k, v in changes.items() if k not in ("start", "end")}
        tz = target_p.tz if "location_id" in changes else old_tz[m.location_id]
        local = _local(m.start, old_tz[m.location_id]) + delta
        start = occurrences.instant(local, tz) if "start" in changes else m.start
        if start is not None and "start" in changes:
            rest["start"] = start
        if start is not None and length is not None:
            rest["end"] = start + length
        p = _placement(uow, cache, _as_command(m, rest))
        placements.append(p)
        if start is None:
            planned.append(Planned(m.series_index or 0, local, None))
            continue
        planned.append(
            _plan(m.series_index or 0, local, p.spans.client.start, p.spans.client.end, p)
        )
    people = [s for p in placements for s in _people(p)]
    resources = [r for p in placements for r in p.resources]
    refusals = _decide(
        uow, ctx, planned, people, resources, exclude={m.id for m in members}, gap_field="start"
    )
    occurrences.refuse(refusals, len(planned))
    moved = [
        dataclasses.replace(
            m,
            location_id=p.location.id,
            service_id=p.service.id,
            staff_id=p.staff.id if p.staff else None,
            additional_staff_ids=[s.id for s in p.additional],
            resource_ids=[r.id for r in p.resources],
            client_id=changes.get("client_id", m.client_id),
            coordinator_staff_id=changes.get("coordinator_staff_id", m.coordinator_staff_id),
            notes=changes.get("notes", m.notes),
            extra=changes.get("extra", m.extra),
            start=o.spans.client.start if o.spans else m.start,
            end=o.spans.client.end if o.spans else m.end,
            busy_start=o.spans.busy.start if o.spans else m.busy_start,
            busy_end=o.spans.busy.end if o.spans else m.busy_end,
            override=p.override,
        )
        for m, p, o in zip(members, placements, planned, strict=True)
    ]
    for appt, occ in zip(moved, planned, strict=True):
        for b in occ.blocks:
            b.appointment_id = appt.id
    return moved, [o.blocks for o in planned]


def _placement(
    uow: UnitOfWork, cache: dict[tuple[Any, ...], Placement], draft: BookAppointment
) -> Placement:
    """``resolve`` once per distinct who/what/where; the time is set per occurrence."""
    key = (
        draft.location_id,
        draft.service_id,
        draft.client_id,
        draft.staff_id,
        tuple(draft.additional_staff_ids),
        tuple(draft.resource_ids),
        draft.coordinator_staff_id,
        draft.override,
    )
    if key not in cache:
        cache[key] = appointments.resolve(uow, draft)
        return cache[key]
    known = cache[key]  # draft times are instants here: occurrence starts are computed
    return dataclasses.replace(known, spans=booking.spans(known.service, draft.start, draft.end))


def cancel(ctx: Context, appointment_id: int, scope: str, reason: str | None = None) -> Appointment:
    """Cancel with a scope; ``this`` is the plain single cancel (done by the caller's route)."""
    with ctx.uow() as uow:
        target, members = _members(
            uow, appointment_id, scope, lambda a: Status.CANCELLED in TRANSITIONS[a.status]
        )
        now = ctx.now()
        before = {m.id: m.status for m in members}
        for m in members:
            m.status = transition(m.status, Status.CANCELLED)
            m.updated_at = now
        uow.bulk.update_appointments(members)
        uow.blocks.release_appointments([m.id for m in members])
        why = reason or f"scope={scope} from appointment {target.id}"
        uow.bulk.record_history(
            [
                history_entry(
                    ctx, m, Status.CANCELLED.value, before[m.id].value, m.status.value, why
                )
                for m in members
            ]
        )
        uow.bulk.record_events(
            [
                Event(
                    EventType.APPOINTMENT_STATUS_CHANGED, {**payload(m), "from": before[m.id].value}
                )
                for m in members
            ],
            now,
        )
        uow.commit()
    return target


# -- shared ----------------------------------------------------------------------------------


def _local(moment: datetime, tz: ZoneInfo) -> datetime:
    """The naive wall time of ``moment`` in ``tz``."""
    return moment.astimezone(tz).replace(tzinfo=None)


def history_entry(
    ctx: Context,
    appt: Appointment,
    action: str,
    from_status: str | None,
    to_status: str | None,
    reason: str | None = None,
    changes: dict[str, Any] | None = None,
) -> HistoryEntry:
    """One history entry stamped with the caller, for the bulk writes of many appointments."""
    return HistoryEntry(
        appointment_id=appt.id,
        at=ctx.now(),
        action=action,
        actor=ctx.caller.actor,
        source=ctx.caller.source,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        changes=changes or {},
    )
