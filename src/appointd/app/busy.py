"""Whether a resource is busy over a span: the question TimeTap's ``isBusy`` asks."""

from __future__ import annotations

from datetime import datetime

from appointd.app.context import Context
from appointd.domain import booking
from appointd.domain.errors import NotFound
from appointd.domain.intervals import Interval


def resource_busy(ctx: Context, resource_id: int, start: datetime, end: datetime) -> bool:
    """True when holding time (appointments, class sessions, unexpired holds) of the resource
    overlapping ``[start, end)`` leaves no capacity at some moment of it."""
    with ctx.uow(write=False) as uow:
        resource = uow.resources.get(resource_id)
        if resource is None:
            raise NotFound("resource", resource_id)
        blocks = uow.blocks.holding_in([("resource", resource_id)], start, end)
    live, _ = booking.split_expired(blocks, ctx.now())
    if not live:
        return False
    # Peak use, not a sum: two half-hour bookings of a room of capacity 2 never share a moment.
    return booking._peak_use(live, Interval(start, end)) >= resource.capacity
