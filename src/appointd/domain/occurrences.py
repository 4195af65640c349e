"""Deciding many occurrences at once: a recurring series, or a change to many of its members.

The use case loads once, for the whole span of the series, the working calendars of the people
involved and the holding blocks of every staff member and resource; :func:`check` then decides
each occurrence in memory, against what exists *and* against the occurrences of the same series
accepted before it. Each occurrence is refused for one reason:

* ``dst_gap`` - its wall time does not exist at the location (spring forward); it has no instant.
* ``outside_working_hours`` - its busy span does not fit a staff member's working time.
* ``conflict`` - its busy span overlaps holding time (listed, each item carrying ``occurrence``).

Indexes are positions in the rule's expansion, counted from 0; they stay fixed when occurrences
are skipped, so "occurrence 3" always means the fourth date the rule produced.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from appointd.domain import booking
from appointd.domain.errors import ConflictItem, FieldError, Invalid, SlotTaken
from appointd.domain.intervals import Interval
from appointd.domain.model import Block
from appointd.domain.recurrence import local_iso
from appointd.domain.wallclock import in_gap, to_instant
from appointd.domain.working_hours import WorkingCalendar

DST_GAP = "dst_gap"
OUTSIDE_WORKING_HOURS = "outside_working_hours"
CONFLICT = "conflict"


@dataclass(slots=True)
class Planned:
    """One occurrence to decide: where it falls and what it would make busy."""

    index: int
    local_start: datetime  # naive wall time at the location
    spans: booking.Spans | None  # None: the wall time falls in a DST gap
    blocks: list[Block] = field(default_factory=list)  # wanted; no appointment id yet
    people: list[tuple[int, str]] = field(default_factory=list)  # (staff id, input field)
    override: bool = False


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why one occurrence cannot be booked (or moved)."""

    index: int
    local_start: datetime
    start: datetime | None  # None for a DST gap: there is no such instant
    reason: str  # dst_gap | outside_working_hours | conflict
    message: str
    field: str
    conflicts: tuple[ConflictItem, ...] = ()


def instant(local: datetime, tz: ZoneInfo) -> datetime | None:
    """The UTC instant of wall time ``local``; ``None`` when it falls in a DST gap."""
    if in_gap(local, tz):
        return None
    return to_instant(local, tz, strict=False)


class BlockIndex:
    """Blocks bucketed by the UTC dates they touch, so each occurrence looks only nearby."""

    def __init__(self, window: Interval, blocks: Iterable[Block] = ()) -> None:
        self._first = _day(window.start)
        self._last = _day(window.end - timedelta(microseconds=1))
        self._by_day: dict[date, list[Block]] = defaultdict(list)
        for block in blocks:
            self.add(block)

    def add(self, block: Block) -> None:
        day = max(_day(block.start), self._first)
        last = min(_day(block.end - timedelta(microseconds=1)), self._last)
        while day <= last:
            self._by_day[day].append(block)
            day += timedelta(days=1)

    def near(self, span: Interval) -> list[Block]:
        """Every block sharing a UTC date with ``span`` (a superset of those overlapping it)."""
        found: dict[int, Block] = {}
        day, last = _day(span.start), _day(span.end - timedelta(microseconds=1))
        while day <= last:
            for block in self._by_day.get(day, ()):
                found[id(block)] = block
            day += timedelta(days=1)
        return list(found.values())


def _day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def span_of(planned: Sequence[Planned]) -> Interval | None:
    """The busy span from the first occurrence to the last (``None`` if none has an instant)."""
    busy = [p.spans.busy for p in planned if p.spans is not None]
    if not busy:
        return None
    return Interval(min(b.start for b in busy), max(b.end for b in busy))


def check(
    planned: Sequence[Planned],
    existing: Iterable[Block],
    calendars: Mapping[int, WorkingCalendar],
    capacities: Mapping[int, int],
    *,
    gap_field: str = "recurrence.rrule",
) -> list[Refusal]:
    """Decide every occurrence; returns the refused ones (empty: all may be written).

    ``existing`` are live holding blocks (expired holds already left out). An accepted
    occurrence's blocks count for the occurrences after it; a refused one's do not.
    """
    window = span_of(planned)
    if window is None:
        return [_gap(p, gap_field) for p in planned]
    index = BlockIndex(window, existing)
    refusals: list[Refusal] = []
    for occ in planned:
        if occ.spans is None:
            refusals.append(_gap(occ, gap_field))
            continue
        busy = occ.spans.busy
        if not occ.override:
            outside = next(
                ((sid, f) for sid, f in occ.people if not calendars[sid].covers(busy)), None
            )
            if outside is not None:
                refusals.append(
                    Refusal(
                        occ.index,
                        occ.local_start,
                        occ.spans.client.start,
                        OUTSIDE_WORKING_HOURS,
                        f"outside the working hours of staff {outside[0]}",
                        outside[1],
                    )
                )
                continue
            hits = booking.find_conflicts(occ.blocks, index.near(busy), dict(capacities))
            if hits:
                items = tuple(_own(c, occ.index) for c in _unique(hits))
                refusals.append(
                    Refusal(
                        occ.index,
                        occ.local_start,
                        occ.spans.client.start,
                        CONFLICT,
                        "overlaps " + ", ".join(f"{c.kind} {c.id}" for c in items),
                        "start",
                        items,
                    )
                )
                continue
        for block in occ.blocks:
            # A negative appointment id marks a sibling occurrence not written yet.
            index.add(dataclasses.replace(block, appointment_id=-(occ.index + 1)))
    return refusals


def _gap(occ: Planned, field_name: str) -> Refusal:
    return Refusal(
        occ.index,
        occ.local_start,
        None,
        DST_GAP,
        f"{local_iso(occ.local_start)} does not exist at the location (DST gap)",
        field_name,
    )


def _unique(items: list[ConflictItem]) -> list[ConflictItem]:
    seen: dict[tuple[str, int, str, int], ConflictItem] = {}
    for c in items:
        seen.setdefault((c.kind, c.id, c.subject_kind, c.subject_id), c)
    return list(seen.values())


def _own(c: ConflictItem, occurrence: int) -> ConflictItem:
    """Tag ``c`` with the refused occurrence; a sibling occurrence becomes ``series_occurrence``."""
    if c.kind == "appointment" and c.id < 0:
        return dataclasses.replace(c, kind="series_occurrence", id=-c.id - 1, occurrence=occurrence)
    return dataclasses.replace(c, occurrence=occurrence)


def refuse(refusals: Sequence[Refusal], total: int) -> None:
    """Raise for ``refusals`` (nothing when empty).

    Invalid occurrences (DST gap, outside working hours) are a 422-style :class:`Invalid`
    naming each; when every refusal is a conflict it is a :class:`SlotTaken` whose conflicts
    carry their ``occurrence``. Invalid input is reported first, as for a single booking.
    """
    if not refusals:
        return
    invalid = [r for r in refusals if r.reason != CONFLICT]
    if invalid:
        raise Invalid(
            [
                FieldError(
                    r.field, f"occurrence {r.index} ({local_iso(r.local_start)}): {r.message}"
                )
                for r in invalid
            ]
        )
    raise SlotTaken(
        [c for r in refusals for c in r.conflicts],
        f"{len(refusals)} of {total} occurrences overlap other bookings; nothing was written",
    )


def to_document(r: Refusal) -> dict[str, Any]:
    """A refusal as plain JSON data, kept with the series (its ``skipped`` occurrences)."""
    return {
        "occurrence": r.index,
        "local_start": local_iso(r.local_start),
        "start": r.start.isoformat() if r.start is not None else None,
        "reason": r.reason,
        "message": r.message,
        "field": r.field,
        "conflicts": [
            {
                "kind": c.kind,
                "id": c.id,
                "subject_kind": c.subject_kind,
                "subject_id": c.subject_id,
                "start": c.start.isoformat() if c.start is not None else None,
                "end": c.end.isoformat() if c.end is not None else None,
            }
            for c in r.conflicts
        ],
    }


def from_document(doc: Mapping[str, Any]) -> Refusal:
    """The inverse of :func:`to_document`."""

    def when(text: str | None) -> datetime | None:
        return datetime.fromisoformat(text) if text else None

    index = int(doc["occurrence"])
    return Refusal(
        index,
        datetime.fromisoformat(doc["local_start"]),
        when(doc.get("start")),
        str(doc["reason"]),
        str(doc.get("message", "")),
        str(doc.get("field", "")),
        tuple(
            ConflictItem(
                c["kind"],
                int(c["id"]),
                c["subject_kind"],
                int(c["subject_id"]),
                when(c.get("start")),
                when(c.get("end")),
                occurrence=index,
            )
            for c in doc.get("conflicts", [])
        ),
    )
