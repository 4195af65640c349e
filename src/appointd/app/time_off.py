"""Time off: a staff member's personal busy time, blocking bookings like an appointment does.

New time off may not cover holding appointments unless ``override`` is set (the appointments
then stay, and the staff member is deliberately double-booked); this keeps a manager from
silently stranding booked clients.

Time off may repeat (:func:`add_repeating`): every span of the rule is written at once, each
checked like single time off, and each repeat links to the first (``repeated_from_id``).
:func:`update` changes one time off in place, keeping its id and its links.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from appointd.app.context import Context
from appointd.app.placement import run_again_after_a_lost_race
from appointd.app.retry import retry_transient
from appointd.domain import booking, occurrences, recurrence
from appointd.domain.errors import NotFound
from appointd.domain.intervals import Interval
from appointd.domain.model import Block, Staff, TimeOff
from appointd.domain.occurrences import Planned
from appointd.domain.wallclock import as_utc, zone
from appointd.store.repositories.base import Page
from appointd.store.repositories.conditions import Condition
from appointd.store.uow import UnitOfWork


@retry_transient()
def add(
    ctx: Context,
    staff_id: int,
    start: datetime,
    end: datetime,
    reason: str | None,
    override: bool = False,
) -> TimeOff:
    return run_again_after_a_lost_race(lambda: _add(ctx, staff_id, start, end, reason, override))


def _add(
    ctx: Context, staff_id: int, start: datetime, end: datetime, reason: str | None, override: bool
) -> TimeOff:
    with ctx.uow() as uow:
        entry = _place(uow, ctx, staff_id, start, end, reason, override)
        uow.commit()
    return entry


@retry_transient()
def add_repeating(
    ctx: Context,
    staff_id: int,
    start: datetime,
    end: datetime,
    reason: str | None,
    rrule: str,
    override: bool = False,
) -> list[TimeOff]:
    """Time off from ``start`` to ``end`` and its repeats by RFC 5545 rule ``rrule`` (the
    first included), in one transaction: all or nothing.

    The rule is expanded in the staff member's zone, so every repeat starts at the first's
    local wall time across DST changes, and lasts as long as the first. A repeat whose wall
    time does not exist (DST gap) is :class:`Invalid` naming ``recurrence.rrule``; a repeat
    overlapping holding bookings (unless ``override``) is :class:`SlotTaken` with every
    conflict. Returns the time off in rule order; the first has no ``repeated_from_id``.
    """
    return run_again_after_a_lost_race(
        lambda: _add_repeating(ctx, staff_id, start, end, reason, rrule, override)
    )


def _add_repeating(
    ctx: Context,
    staff_id: int,
    start: datetime,
    end: datetime,
    reason: str | None,
    rrule: str,
    override: bool,
) -> list[TimeOff]:
    with ctx.uow() as uow:
        staff = uow.staff.get(staff_id)
        if staff is None:
            raise NotFound("staff", staff_id)
        tz = zone(staff.time_zone)
        first = Interval(as_utc(start, tz, field="start"), as_utc(end, tz, field="end"))
        rule = recurrence.parse_rule(rrule, tz)
        length = first.end - first.start
        planned = []
        for i, local in enumerate(recurrence.expand(rule, first.start.astimezone(tz))):
            at = occurrences.instant(local, tz)
            if at is None:
                planned.append(Planned(i, local, None))
                continue
            span = Interval(at, at + length)
            block = Block("staff", staff_id, span.start, span.end, not override, "time_off")
            planned.append(
                Planned(i, local, booking.Spans(span, span), [block], [], override=override)
            )
        window = occurrences.span_of(planned)
        live: list[Block] = []
        if window is not None:
            existing = uow.blocks.holding_in([("staff", staff_id)], window.start, window.end)
            live, expired = booking.split_expired(existing, ctx.now())
            if expired:
                uow.blocks.release_appointments(expired)
        occurrences.refuse(occurrences.check(planned, live, {}, {}), len(planned))
        now = ctx.now()
        doc = {"rrule": rule.text}
        entries: list[TimeOff] = []
        blocks: list[Block] = []
        for occ in planned:
            assert occ.spans is not None  # a refused occurrence raised above
            span = occ.spans.client
            entry = TimeOff(
                0,
                ctx.account_id,
                staff_id,
                span.start,
                span.end,
                reason,
                now,
                entries[0].id if entries else None,
                dict(doc),
            )
            uow.time_off.add(entry, now)
            for block in occ.blocks:
                block.time_off_id = entry.id
                blocks.append(block)
            entries.append(entry)
        uow.blocks.add(blocks)
        uow.commit()
    return entries


@retry_transient()
def update(
    ctx: Context,
    time_off_id: int,
    staff_id: int,
    start: datetime,
    end: datetime,
    reason: str | None,
    override: bool = False,
) -> TimeOff:
    """Change time off ``time_off_id`` in place (same id, same repeat links): its staff
    member, span and reason. The new span is checked like new time off, its own old span left
    out; refused, nothing changes."""
    return run_again_after_a_lost_race(
        lambda: _update(ctx, time_off_id, staff_id, start, end, reason, override)
    )


def _update(
    ctx: Context,
    time_off_id: int,
    staff_id: int,
    start: datetime,
    end: datetime,
    reason: str | None,
    override: bool,
) -> TimeOff:
    with ctx.uow() as uow:
        entry = uow.time_off.by_id(time_off_id)
        if entry is None:
            raise NotFound("time_off", time_off_id)
        staff = uow.staff.get(staff_id)
        if staff is None:
            raise NotFound("staff", staff_id)
        tz = zone(staff.time_zone)
        span = Interval(as_utc(start, tz, field="start"), as_utc(end, tz, field="end"))
        # Its own old blocks go first, so the database's no-overlap guarantee (PostgreSQL)
        # does not see the old and the new span of the same time off as a clash.
        uow.blocks.delete_for_time_off(time_off_id)
        block = _checked_block(uow, ctx, staff_id, span, override)
        entry.staff_id, entry.reason = staff_id, reason
        entry.start, entry.end = span.start, span.end
        uow.time_off.update(entry, ctx.now())
        block.time_off_id = entry.id
        uow.blocks.add([block])
        uow.commit()
    return entry


def _place(
    uow: UnitOfWork,
    ctx: Context,
    staff_id: int,
    start: datetime,
    end: datetime,
    reason: str | None,
    override: bool,
) -> TimeOff:
    """Check and write one time off in ``uow`` (the caller commits)."""
    staff = uow.staff.get(staff_id)
    if staff is None:
        raise NotFound("staff", staff_id)
    tz = zone(staff.time_zone)
    span = Interval(as_utc(start, tz, field="start"), as_utc(end, tz, field="end"))
    block = _checked_block(uow, ctx, staff_id, span, override)
    entry = TimeOff(0, ctx.account_id, staff_id, span.start, span.end, reason, ctx.now())
    uow.time_off.add(entry, ctx.now())
    block.time_off_id = entry.id
    uow.blocks.add([block])
    return entry


def _checked_block(
    uow: UnitOfWork, ctx: Context, staff_id: int, span: Interval, override: bool
) -> Block:
    """The block of time off over ``span``, refused (:class:`SlotTaken`) when it overlaps
    holding bookings of the staff member unless ``override``; expired holds are released."""
    block = Block("staff", staff_id, span.start, span.end, exclusive=not override, role="time_off")
    existing = uow.blocks.holding_in([("staff", staff_id)], span.start, span.end)
    live, expired = booking.split_expired(existing, ctx.now())
    if expired:
        uow.blocks.release_appointments(expired)
    if not override:
        booking.raise_if_conflicts(booking.find_conflicts([block], live))
    return block


def list_for(ctx: Context, staff_id: int) -> list[TimeOff]:
    with ctx.uow(write=False) as uow:
        if uow.staff.get(staff_id) is None:
            raise NotFound("staff", staff_id)
        return uow.time_off.for_staff(staff_id)


@retry_transient()
def remove(ctx: Context, staff_id: int, time_off_id: int) -> None:
    with ctx.uow() as uow:
        if uow.time_off.get(staff_id, time_off_id) is None:
            raise NotFound("time_off", time_off_id)
        uow.blocks.delete_for_time_off(time_off_id)
        uow.time_off.remove(time_off_id)
        uow.commit()


def search(
    ctx: Context,
    conditions: Sequence[Condition] = (),
    order: Sequence[tuple[str, bool]] = (),
    limit: int = 50,
    offset: int = 0,
) -> tuple[Page[TimeOff], dict[int, Staff]]:
    """A page of the account's time off, with the staff members it belongs to."""
    with ctx.uow(write=False) as uow:
        found = uow.time_off.page(conditions=conditions, order=order, limit=limit, offset=offset)
        staff = uow.staff.get_many({t.staff_id for t in found.items})
    return found, staff


def get(ctx: Context, time_off_id: int) -> tuple[TimeOff, Staff | None]:
    """Time off by id alone, with its staff member; :class:`NotFound` otherwise."""
    with ctx.uow(write=False) as uow:
        found = uow.time_off.by_id(time_off_id)
        if found is None:
            raise NotFound("time_off", time_off_id)
        return found, uow.staff.get(found.staff_id)


def has_conflicts(ctx: Context, time_off_id: int) -> bool:
    """Whether holding bookings of the staff member overlap this time off (an override)."""
    with ctx.uow(write=False) as uow:
        found = uow.time_off.by_id(time_off_id)
        if found is None:
            raise NotFound("time_off", time_off_id)
        blocks = uow.blocks.holding_in([("staff", found.staff_id)], found.start, found.end)
        live, _ = booking.split_expired(blocks, ctx.now())
    return any(b.time_off_id != time_off_id for b in live)
