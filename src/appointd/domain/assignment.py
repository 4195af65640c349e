"""Choosing a staff member for a booking that names none: who qualifies, who is free, who is next.

A booking without ``staff_id`` goes to a staff member who

1. qualifies: not archived, offers the service (:func:`appointd.domain.booking.offers`) and works
   at the location (:func:`appointd.domain.booking.works_at`);
2. is free for the whole busy span: it fits one stretch of their working time and overlaps none
   of their live holding blocks (the same rules as a booking that names them);
3. comes first in round-robin order: fewest holding appointments on the appointment's local date
   at the location, then booked least recently (the oldest latest ``created_at`` of their
   appointments; never booked counts as least recent of all), then the lowest id.

The order is total, so the same calendar always gives the same choice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from appointd.domain import booking
from appointd.domain.errors import ConflictItem
from appointd.domain.intervals import Interval
from appointd.domain.model import Block, Service, Staff
from appointd.domain.working_hours import WorkingCalendar


@dataclass(frozen=True, slots=True)
class StaffLoad:
    """What round-robin looks at for one candidate."""

    staff_id: int
    appointments_that_day: int = 0
    last_booked_at: datetime | None = None


def qualified(
    people: Iterable[Staff], service: Service, location_id: int, exclude: Iterable[int] = ()
) -> list[Staff]:
    """Staff members who may take ``service`` at the location, ascending by id."""
    skip = set(exclude)
    return sorted(
        (
            p
            for p in people
            if p.id not in skip
            and p.archived_at is None
            and booking.offers(p, service)
            and booking.works_at(p, location_id)
        ),
        key=lambda p: p.id,
    )


def free_for(
    candidates: Sequence[Staff],
    calendars: Mapping[int, WorkingCalendar],
    live_blocks: Iterable[Block],
    busy: Interval,
) -> tuple[list[Staff], list[ConflictItem]]:
    """The candidates free for ``busy``, and what the others who work then collide with.

    ``live_blocks`` are holding blocks of the candidates with expired holds already removed
    (:func:`appointd.domain.booking.split_expired`).
    """
    blocks = list(live_blocks)
    free: list[Staff] = []
    conflicts: list[ConflictItem] = []
    for person in candidates:
        if not calendars[person.id].covers(busy):
            continue
        wanted = [Block("staff", person.id, busy.start, busy.end)]
        hits = booking.find_conflicts(wanted, blocks)
        if hits:
            conflicts.extend(hits)
        else:
            free.append(person)
    return free, conflicts


def round_robin_key(load: StaffLoad) -> tuple[int, int, float, int]:
    """Sort key of the round-robin order; the smallest key is chosen.

    Never booked sorts before any booking time (second element), so it counts as least recent.
    """
    if load.last_booked_at is None:
        return (load.appointments_that_day, 0, 0.0, load.staff_id)
    return (load.appointments_that_day, 1, load.last_booked_at.timestamp(), load.staff_id)


def choose(loads: Iterable[StaffLoad]) -> StaffLoad | None:
    """The next staff member in round-robin order, or ``None`` when there is nobody."""
    return min(loads, key=round_robin_key, default=None)
