"""Changing or cancelling many occurrences of a series at once: ``scope=following|all``.

Changing or cancelling with ``scope="following"`` or ``"all"`` applies to the named appointment
and to the series' other *open* occurrences - pending or confirmed for a change, cancellable
ones for a cancel, archived ones never - from the named one on (by rule position) or all of
them. A time change moves each by the same local wall-clock delta, every occurrence is checked,
and any refusal refuses the whole change.

Like booking a series, this is one transaction with a bounded number of statements: the
placements are resolved once per distinct who/what/where, the whole span is loaded once, and
the writes are one multi-row statement per table.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from appointd.app import appointments, placement, shared_fields
from appointd.app.appointments import (
    SCHEDULING_FIELDS,
    as_command,
    history_entry,
    payload,
    snapshot,
)
from appointd.app.commands import BookAppointment, ChangeAppointment
from appointd.app.context import Context
from appointd.app.placement import Placement, run_again_after_a_lost_race
from appointd.app.retry import retry_transient
from appointd.app.series import decide, people_of, plan_occurrence, wall_time
from appointd.domain import appointment_fields, booking, occurrences
from appointd.domain.errors import Invalid, NotFound
from appointd.domain.events import EventType
from appointd.domain.model import Appointment, Block, Event
from appointd.domain.notifications import check_reminders
from appointd.domain.occurrences import Planned
from appointd.domain.status import TRANSITIONS, Status, transition
from appointd.domain.wallclock import zone
from appointd.store.uow import UnitOfWork

SCOPES = ("this", "following", "all")
OPEN = frozenset({Status.PENDING, Status.CONFIRMED})


@retry_transient()
def change(ctx: Context, cmd: ChangeAppointment, scope: str = "this") -> Appointment:
    """PATCH with a scope; ``this`` is :func:`appointd.app.appointments.change` unchanged."""
    if scope == "this":
        return appointments.change(ctx, cmd)
    return run_again_after_a_lost_race(lambda: _change_members(ctx, cmd, scope))


def _change_members(ctx: Context, cmd: ChangeAppointment, scope: str) -> Appointment:
    with ctx.uow() as uow:
        target, members = _members(uow, cmd.appointment_id, scope, lambda a: a.status in OPEN)
        changes = dict(cmd.changes)
        # Ids and answers of one appointment are not copied across a series.
        alone = sorted(changes.keys() & {"external_id", "form", "custom_status_id"})
        if alone:
            raise Invalid.field(alone[0], "only with scope=this")
        shared_fields.check_changes(changes)
        if SCHEDULING_FIELDS & changes.keys():
            if not target.holding:
                raise Invalid.field(
                    "start", f"a {target.status.value} appointment cannot be moved; book a new one"
                )
            updated, blocks = _moved(uow, ctx, target, members, changes)
        else:
            blocks = []
            _check_references(uow, changes)
            plain = {
                "notes",
                "client_id",
                "coordinator_staff_id",
                "extra",
                "paid",
                "metadata",
                "reminders",
            }
            if changes.get("reminders") is not None:
                changes["reminders"] = check_reminders(changes["reminders"])
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
            old, new = snapshot(before), snapshot(after)
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
    cache: dict[tuple[Any, ...], Placement] = {}
    target_p = _placement(uow, cache, as_command(target, changes))
    places = uow.locations.get_many({m.location_id for m in members})
    old_tz = {i: zone(loc.time_zone) for i, loc in places.items()}
    delta = (
        wall_time(target_p.spans.client.start, target_p.tz)
        - wall_time(target.start, old_tz[target.location_id])
        if "start" in changes
        else timedelta(0)
    )
    length = target_p.spans.client.end - target_p.spans.client.start if "end" in changes else None
    planned: list[Planned] = []
    placements: list[Placement] = []
    for m in members:
        rest = {k: v for k, v in changes.items() if k not in ("start", "end")}
        tz = target_p.tz if "location_id" in changes else old_tz[m.location_id]
        local = wall_time(m.start, old_tz[m.location_id]) + delta
        start = occurrences.instant(local, tz) if "start" in changes else m.start
        if start is not None and "start" in changes:
            rest["start"] = start
        if start is not None and length is not None:
            rest["end"] = start + length
        p = _placement(uow, cache, as_command(m, rest))
        placements.append(p)
        if start is None:
            planned.append(Planned(m.series_index or 0, local, None))
            continue
        planned.append(
            plan_occurrence(m.series_index or 0, local, p.spans.client.start, p.spans.client.end, p)
        )
    people = [s for p in placements for s in people_of(p)]
    resources = [r for p in placements for r in p.resources]
    refusals = decide(
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
        cache[key] = placement.resolve(uow, draft)
        return cache[key]
    known = cache[key]  # draft times are instants here: occurrence starts are computed
    return dataclasses.replace(known, spans=booking.spans(known.service, draft.start, draft.end))


@retry_transient()
def cancel(
    ctx: Context,
    appointment_id: int,
    scope: str,
    reason: str | None = None,
    extra: dict[str, Any] | None = None,
    code: str | None = None,
    note: str | None = None,
) -> Appointment:
    """Cancel with a scope; ``this`` is the plain single cancel (done by the caller's route).

    ``extra`` is merged into each cancelled appointment's ``extra`` document; ``code`` and
    ``note`` are the cancellation's reason code and note, stamped on each.
    """
    with ctx.uow() as uow:
        target, members = _members(
            uow, appointment_id, scope, lambda a: Status.CANCELLED in TRANSITIONS[a.status]
        )
        now = ctx.now()
        before = {m.id: m.status for m in members}
        for m in members:
            m.status = transition(m.status, Status.CANCELLED)
            m.updated_at = now
            appointment_fields.cancelled(m, now, ctx.caller.actor, code, note)
            if extra:
                m.extra = {**m.extra, **extra}
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
