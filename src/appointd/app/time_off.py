"""Time off: a staff member's personal busy time, blocking bookings like an appointment does.

New time off may not cover holding appointments unless ``override`` is set (the appointments
then stay, and the staff member is deliberately double-booked); this keeps a manager from
silently stranding booked clients.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from appointd.app.context import Context
from appointd.app.placement import run_again_after_a_lost_race
from appointd.app.retry import retry_transient
from appointd.domain import booking
from appointd.domain.errors import NotFound
from appointd.domain.intervals import Interval
from appointd.domain.model import Block, Staff, TimeOff
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


def replace(
    ctx: Context,
    time_off_id: int,
    staff_id: int,
    start: datetime,
    end: datetime,
    reason: str | None,
    override: bool = False,
) -> TimeOff:
    """Move time off ``time_off_id`` (to another staff member, too) in one transaction: the
    new span is checked like new time off; refused, the old one stays. Returns the new entry
    (it has a new id)."""
    return run_again_after_a_lost_race(
        lambda: _replace(ctx, time_off_id, staff_id, start, end, reason, override)
    )


def _replace(
    ctx: Context,
    time_off_id: int,
    staff_id: int,
    start: datetime,
    end: datetime,
    reason: str | None,
    override: bool,
) -> TimeOff:
    with ctx.uow() as uow:
        if uow.time_off.by_id(time_off_id) is None:
            raise NotFound("time_off", time_off_id)
        uow.blocks.delete_for_time_off(time_off_id)
        uow.time_off.remove(time_off_id)
        entry = _place(uow, ctx, staff_id, start, end, reason, override)
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
    block = Block("staff", staff_id, span.start, span.end, exclusive=not override, role="time_off")
    existing = uow.blocks.holding_in([("staff", staff_id)], span.start, span.end)
    live, expired = booking.split_expired(existing, ctx.now())
    if expired:
        uow.blocks.release_appointments(expired)
    if not override:
        booking.raise_if_conflicts(booking.find_conflicts([block], live))
    entry = TimeOff(0, ctx.account_id, staff_id, span.start, span.end, reason, ctx.now())
    uow.time_off.add(entry, ctx.now())
    block.time_off_id = entry.id
    uow.blocks.add([block])
    return entry


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
