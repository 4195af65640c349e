"""Free slots: when a service can be booked, for whom, computed on integer epoch seconds.

The rules are the booking rules (:mod:`appointd.domain.booking`) asked the other way round. A
slot is offered when its *busy span* (client span plus the service's buffers)

* lies wholly inside one stretch of the staff member's working time (weekly pattern, breaks,
  date overrides and days off, kept on the local wall clock, so DST days stay 09:00-17:00 local),
* overlaps none of the staff member's live holding blocks (appointments, time off, class
  sessions; expired holds were already left out by the caller),
* overlaps no instant at which a resource the service needs is already used to capacity,

and its client start is no earlier than ``earliest`` (now plus the minimum notice) and no later
than ``latest`` (now plus the booking horizon).

Slot grid: candidate busy spans start at the start of a working stretch and every ``step``
seconds after it, so a 09:00-17:00 day with a 30-minute step offers 09:00, 09:30, ... (shifted by
the buffer before, which has to fit inside the stretch too). The grid restarts at each stretch,
so a break ending at 13:10 offers 13:10. An instant inside a DST gap is never produced: the grid
walks elapsed time, and local wall times are only computed when rendering.

Everything here is pure and works on ints: the caller converts once, at the edges. Inner loops
avoid datetime objects because a 50-staff, 31-day search visits tens of thousands of candidates.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from appointd.domain.wallclock import local_to_instant
from appointd.domain.working_hours import WorkingCalendar

Span = tuple[int, int]  # [start, end) in epoch seconds


@dataclass(frozen=True, slots=True)
class SlotRules:
    """How one service's slots are laid out; every value in seconds (epoch or length)."""

    duration: int
    buffer_before: int
    buffer_after: int
    step: int
    window_start: int  # client starts in [window_start, window_end)
    window_end: int
    earliest: int  # client start >= earliest (now + minimum notice)
    latest: int  # client start <= latest (now + horizon)

    @property
    def busy_length(self) -> int:
        return self.buffer_before + self.duration + self.buffer_after

    @property
    def load_span(self) -> Span:
        """Every busy span a candidate can have lies inside this span."""
        return (
            self.window_start - self.buffer_before,
            self.window_end + self.duration + self.buffer_after,
        )


@dataclass(frozen=True, slots=True)
class StaffTime:
    """One staff member's pre-loaded time: working stretches and busy spans, both epoch seconds.

    ``working`` is sorted and merged (see :func:`working_stretches`); ``busy`` may be unsorted
    and overlapping.
    """

    staff_id: int
    working: Sequence[Span]
    busy: Sequence[Span] = ()


@dataclass(frozen=True, slots=True)
class Slot:
    """A bookable client span and who (or which class session) would take it."""

    start: int
    end: int
    staff_ids: tuple[int, ...]
    resource_ids: tuple[int, ...] = ()
    class_session_id: int | None = None
    seats_left: int | None = None


@dataclass(frozen=True, slots=True)
class Day:
    """One local date of the requested zone and the slots whose client start falls on it."""

    date: date
    slots: list[Slot] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Session:
    """A class session as availability needs it."""

    id: int
    staff_id: int
    resource_id: int | None
    start: int
    end: int
    capacity: int
    seats_taken: int


# -- building blocks ---------------------------------------------------------------------------


def merge(spans: Iterable[Span]) -> list[Span]:
    """Sorted union of ``spans``; touching spans are joined."""
    out: list[Span] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def intersect(a: Sequence[Span], b: Sequence[Span]) -> list[Span]:
    """Intersection of two sorted, merged span lists."""
    out: list[Span] = []
    i = j = 0
    while i < len(a) and j < len(b):
        s = max(a[i][0], b[j][0])
        e = min(a[i][1], b[j][1])
        if s < e:
            out.append((s, e))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


@functools.lru_cache(maxsize=1 << 16)
def epoch_of(day: date, minute: int, tz: ZoneInfo) -> int:
    """``local_to_instant`` as epoch seconds, memoised for the whole process.

    A pure function of its arguments, so the cache is always right: fifty staff members with
    the same zone and pattern, and every search over the same weeks, share the few conversions
    they need.
    """
    return int(local_to_instant(day, minute, tz).timestamp())


def working_stretches(calendar: WorkingCalendar, first: date, last: date) -> list[Span]:
    """Working time on the local dates ``first``..``last`` as sorted, merged epoch spans.

    The same arithmetic as :meth:`WorkingCalendar.intervals` (ranges on the wall clock, a range
    boundary in a DST gap moves forward, ranges touching across midnight join), without clipping
    to a window: clipping would move the start a slot grid is anchored on.
    """
    tz = calendar.tz
    out: list[Span] = []
    day = first
    one = timedelta(days=1)
    while day <= last:
        for r in calendar.ranges_on(day):
            s = epoch_of(day, r.start, tz)
            e = epoch_of(day, r.end, tz)
            if s >= e:  # a range wholly inside a gap has no instants
                continue
            if out and out[-1][1] >= s:
                out[-1] = (out[-1][0], max(e, out[-1][1]))
            else:
                out.append((s, e))
        day += one
    return out


def saturated(spans: Iterable[Span], capacity: int) -> list[Span]:
    """Where at least ``capacity`` of ``spans`` are in use at once (merged), i.e. where a
    resource of that capacity has nothing left. Capacity one gives the union of ``spans``."""
    if capacity <= 1:
        return merge(spans)
    edges: list[tuple[int, int]] = []
    for s, e in spans:
        edges.append((s, 1))
        edges.append((e, -1))
    edges.sort()  # at one instant, ends (-1) come before starts: back-to-back is not concurrent
    out: list[Span] = []
    current = 0
    opened = 0
    for at, delta in edges:
        before = current
        current += delta
        if before < capacity <= current:
            opened = at
        elif current < capacity <= before and at > opened:
            out.append((opened, at))
    return merge(out)


# -- the slot search ---------------------------------------------------------------------------


def free_starts(working: Sequence[Span], busy: Sequence[Span], rules: SlotRules) -> list[int]:
    """Client starts of every free grid slot, ascending.

    ``busy`` must be sorted and merged. One pass over the stretches and busy spans: after a
    collision the grid jumps straight past the busy span, so the cost is proportional to the
    slots offered plus the busy spans, not to the length of the window.
    """
    step = rules.step
    before = rules.buffer_before
    length = rules.busy_length
    lo = max(rules.window_start, rules.earliest) - before  # lowest busy start allowed
    hi = min(rules.window_end - 1, rules.latest) - before  # highest busy start allowed
    out: list[int] = []
    append = out.append
    n = len(busy)
    j = 0
    for ws, we in working:
        last = min(we - length, hi)
        b = ws if lo <= ws else ws + -(-(lo - ws) // step) * step
        while b <= last:
            while j < n and busy[j][1] <= b:
                j += 1
            if j < n and busy[j][0] < b + length:
                b = ws + -(-(busy[j][1] - ws) // step) * step
                continue
            append(b + before)
            b += step
    return out


def staff_slots(
    staff: Sequence[StaffTime],
    rules: SlotRules,
    *,
    mode: str = "any",
    resources_full: Sequence[Span] = (),
    resource_ids: tuple[int, ...] = (),
) -> list[Slot]:
    """Free slots of ``staff`` in ``rules``' window, ascending by start.

    ``mode="any"``: a slot where at least one staff member is free; ``staff_ids`` names the free
    ones (ascending). ``mode="all"``: every staff member free at once (their working stretches
    intersected, their busy time united); ``staff_ids`` names them all. ``resources_full`` is
    where a needed resource has no capacity left (see :func:`saturated`); it blocks everyone.
    """
    if not staff:
        return []
    duration = rules.duration
    if mode == "all":
        working: list[Span] = list(staff[0].working)
        busy: list[Span] = list(resources_full)
        for person in staff:
            if person is not staff[0]:
                working = intersect(working, person.working)
            busy.extend(person.busy)
        ids = tuple(sorted(p.staff_id for p in staff))
        return [
            Slot(s, s + duration, ids, resource_ids)
            for s in free_starts(working, merge(busy), rules)
        ]
    by_start: dict[int, list[int]] = {}
    for person in sorted(staff, key=lambda p: p.staff_id):
        merged = merge([*person.busy, *resources_full]) if resources_full else merge(person.busy)
        sid = person.staff_id
        for s in free_starts(person.working, merged, rules):
            found = by_start.get(s)
            if found is None:
                by_start[s] = [sid]
            else:
                found.append(sid)
    return [Slot(s, s + duration, tuple(by_start[s]), resource_ids) for s in sorted(by_start)]


def session_slots(sessions: Iterable[Session], rules: SlotRules) -> list[Slot]:
    """Class sessions starting in the window and inside the booking window, with seats left."""
    lo = max(rules.window_start, rules.earliest)
    hi = min(rules.window_end - 1, rules.latest)
    out = [
        Slot(
            s.start,
            s.end,
            (s.staff_id,),
            (s.resource_id,) if s.resource_id is not None else (),
            class_session_id=s.id,
            seats_left=s.capacity - s.seats_taken,
        )
        for s in sessions
        if lo <= s.start <= hi and s.capacity > s.seats_taken
    ]
    out.sort(key=lambda slot: (slot.start, slot.class_session_id or 0))
    return out


# -- days ---------------------------------------------------------------------------------------


def day_bounds(first: date, last: date, tz: ZoneInfo) -> list[int]:
    """Epoch starts of the local dates ``first``..``last`` in ``tz`` and the end of ``last``."""
    days = (last - first).days + 1
    return [epoch_of(first + timedelta(days=i), 0, tz) for i in range(days + 1)]


def by_day(slots: Sequence[Slot], first: date, bounds: Sequence[int]) -> list[Day]:
    """Every date of the window (``bounds`` from :func:`day_bounds`) with its slots; slots
    outside the window are dropped."""
    days = [Day(first + timedelta(days=i)) for i in range(len(bounds) - 1)]
    for slot in slots:
        i = bisect.bisect_right(bounds, slot.start) - 1
        if 0 <= i < len(days):
            days[i].slots.append(slot)
    return days


def search(
    calendars: Mapping[int, WorkingCalendar],
    busy: Mapping[int, Sequence[Span]],
    rules: SlotRules,
    *,
    first: date,
    bounds: Sequence[int],
    mode: str = "any",
    resources: Mapping[int, tuple[int, Sequence[Span]]] | None = None,
) -> list[Day]:
    """The whole search on pre-loaded data: every date of the window with the free slots of
    the staff in ``calendars``.

    ``busy`` maps staff ids to their live holding spans; ``resources`` maps each resource the
    service needs to ``(capacity, holding spans)``. ``bounds`` (from :func:`day_bounds`) are
    the local midnights of ``first`` and the following dates in the requested zone, and
    ``rules`` covers the same window.
    """
    load_start, load_end = rules.load_span
    # Staff with the same zone and weekly pattern object and no overrides work the same hours.
    shared: dict[tuple[str, int], list[Span]] = {}
    people: list[StaffTime] = []
    for sid, cal in calendars.items():
        key = (cal.tz.key, id(cal.week))
        working = None if cal.overrides else shared.get(key)
        if working is None:
            # Dates in the staff member's own zone; one day of margin each side for stretches
            # that cross midnight into the window.
            d0 = _local_date(load_start, cal.tz) - timedelta(days=1)
            d1 = _local_date(load_end, cal.tz) + timedelta(days=1)
            working = working_stretches(cal, d0, d1)
            if not cal.overrides:
                shared[key] = working
        people.append(StaffTime(sid, working, busy.get(sid, ())))
    full: list[Span] = []
    for capacity, spans in (resources or {}).values():
        full.extend(saturated(spans, capacity))
    found = staff_slots(
        people,
        rules,
        mode=mode,
        resources_full=merge(full) if full else (),
        resource_ids=tuple(sorted((resources or {}).keys())),
    )
    return by_day(found, first, bounds)


def make_rules(
    *,
    duration_minutes: int,
    buffer_before_minutes: int,
    buffer_after_minutes: int,
    step_minutes: int,
    bounds: Sequence[int],
    now: int,
    min_notice_minutes: int,
    max_advance_days: int,
) -> SlotRules:
    """Rules for the window ``bounds`` (from :func:`day_bounds`) seen at epoch ``now``."""
    return SlotRules(
        duration=duration_minutes * 60,
        buffer_before=buffer_before_minutes * 60,
        buffer_after=buffer_after_minutes * 60,
        step=step_minutes * 60,
        window_start=bounds[0],
        window_end=bounds[-1],
        earliest=now + min_notice_minutes * 60,
        latest=now + max_advance_days * 86400,
    )


def _local_date(epoch: int, tz: ZoneInfo) -> date:
    return datetime.fromtimestamp(epoch, tz).date()
