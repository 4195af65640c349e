"""Staff assignment: the staff member a booking without ``staff_id`` goes to.

Runs inside the booking's unit of work, before :func:`appointd.app.placement.check_and_block`,
which then checks the chosen staff member, the additional staff and the resources as for any
booking. Four statements whatever the number of staff: the account's unarchived staff, their
date overrides near the span, their holding blocks over the span, and the round-robin figures
of those who are free. The rules are in :mod:`appointd.domain.assignment`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from zoneinfo import ZoneInfo

from appointd.app.context import Context
from appointd.app.placement import calendars
from appointd.domain import assignment, booking
from appointd.domain.errors import Invalid, SlotTaken
from appointd.domain.model import Location, Service, Staff
from appointd.domain.wallclock import local_to_instant
from appointd.store.uow import UnitOfWork


def assign(
    uow: UnitOfWork,
    ctx: Context,
    *,
    service: Service,
    location: Location,
    tz: ZoneInfo,
    spans: booking.Spans,
    exclude: Iterable[int] = (),
    override: bool = False,
    among: Iterable[int] | None = None,
) -> Staff:
    """The qualified staff member who is free for ``spans.busy`` and next in round-robin order.

    :class:`Invalid` naming ``staff_id`` when nobody qualifies; :class:`SlotTaken` when nobody
    who qualifies is free (listing what the busy ones collide with). With ``override`` the
    working-time and overlap checks are skipped, as for a booking that names its staff.
    ``exclude`` holds the additional staff, who cannot also be the primary staff member.
    ``among``, when given, narrows the choice to those staff members (the ones a slot offered;
    :class:`Invalid` naming ``staff_candidates`` when none of them qualifies).
    """
    people = assignment.qualified(
        uow.availability.active_staff(), service, location.id, exclude=exclude
    )
    if among is not None:
        wanted = set(among)
        people = [p for p in people if p.id in wanted]
        if not people:
            raise Invalid.field(
                "staff_candidates",
                f"none of staff {sorted(wanted)} offers service {service.id} at location "
                f"{location.id}",
            )
    if not people:
        raise Invalid.field(
            "staff_id",
            f"no staff member offers service {service.id} at location {location.id}; "
            "name one with staff_id",
        )
    busy = spans.busy
    free = people
    if not override:
        working = calendars(uow, people, busy)
        existing = uow.blocks.holding_in([("staff", p.id) for p in people], busy.start, busy.end)
        live, _ = booking.split_expired(existing, ctx.now())
        free, conflicts = assignment.free_for(people, working, live, busy)
        if not free:
            considered = ", ".join(
                f"{p.id} ({' '.join(n for n in (p.first_name, p.last_name) if n)})" for p in people
            )
            refused = SlotTaken(
                booking.dedupe(conflicts),
                f"no qualified staff member is free from "
                f"{spans.client.start.astimezone(tz).isoformat()} to "
                f"{spans.client.end.astimezone(tz).isoformat()} ({tz.key}); staff considered: "
                f"{considered}; ask GET /v1/availability for free times",
            )
            refused.time_zone = tz
            raise refused
    day = spans.client.start.astimezone(tz).date()
    loads = uow.availability.staff_loads(
        [p.id for p in free],
        local_to_instant(day, 0, tz),
        local_to_instant(day + timedelta(days=1), 0, tz),
    )
    chosen = assignment.choose(loads[p.id] for p in free)
    assert chosen is not None  # free is not empty
    return next(p for p in free if p.id == chosen.staff_id)
