"""Working time of a staff member: a weekly pattern, date overrides, and how both become instants.

Ranges are local wall time (minutes after midnight, end exclusive, ``24:00`` allowed as an end) in
the staff member's zone. Several ranges in one day leave breaks between them. A date override
replaces the weekly pattern for that date; an override with no ranges is a day off.

On DST days the pattern stays on the wall clock: 09:00-17:00 is 09:00-17:00 local (still eight
hours when the change happens at night; a range that spans the change is shorter or longer).
A rule range that starts or ends in a gap is shifted forward like RFC 5545 recurrence; an
override written for a specific date that names a time in that date's gap is refused, because
the user asked for a time that does not exist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from appointd.domain.errors import FieldError, Invalid
from appointd.domain.intervals import Interval
from appointd.domain.wallclock import (
    format_hhmm,
    in_gap,
    local_to_instant,
    parse_date,
    parse_hhmm,
)


@dataclass(frozen=True, slots=True, order=True)
class TimeRange:
    """``[start, end)`` in minutes after local midnight, ``0 <= start < end <= 1440``."""

    start: int
    end: int

    def as_dict(self) -> dict[str, str]:
        return {"start": format_hhmm(self.start), "end": format_hhmm(self.end)}


def parse_ranges(raw: Sequence[Mapping[str, Any]], field_prefix: str) -> tuple[TimeRange, ...]:
    """Validated, sorted ranges from ``[{"start": "HH:MM", "end": "HH:MM"}, ...]``.

    Raises :class:`Invalid` naming every bad field by its input position: unparsable times, end
    not after start, and each range that overlaps an earlier one.
    """
    return tuple(r for r, _ in _indexed_ranges(raw, field_prefix))


def _indexed_ranges(
    raw: Sequence[Mapping[str, Any]], field_prefix: str, start_index: int = 0
) -> list[tuple[TimeRange, int]]:
    """Like :func:`parse_ranges`, keeping each range's input index (sorted by time)."""
    errors: list[FieldError] = []
    ranges: list[tuple[TimeRange, int]] = []
    for offset, item in enumerate(raw):
        i = start_index + offset
        prefix = f"{field_prefix}[{i}]"
        if not isinstance(item, Mapping):
            errors.append(FieldError(prefix, 'expected {"start": "HH:MM", "end": "HH:MM"}'))
            continue
        parsed: list[int] = []
        for name, allow_24 in (("start", False), ("end", True)):
            try:
                parsed.append(parse_hhmm(item.get(name), f"{prefix}.{name}", allow_24=allow_24))
            except Invalid as exc:
                errors.extend(exc.errors)
        if len(parsed) < 2:
            continue
        start, end = parsed
        if end <= start:
            errors.append(FieldError(f"{prefix}.end", "must be after start"))
            continue
        ranges.append((TimeRange(start, end), i))
    ranges.sort()
    latest_end = -1
    for r, i in ranges:
        if r.start < latest_end:
            errors.append(FieldError(f"{field_prefix}[{i}]", "overlaps another range"))
        latest_end = max(latest_end, r.end)
    if errors:
        raise Invalid(errors)
    return ranges


@dataclass(frozen=True, slots=True)
class WeeklyRange:
    """One range on one ISO weekday (Monday = 1 ... Sunday = 7)."""

    weekday: int
    range: TimeRange


@dataclass(frozen=True)
class WorkingWeek:
    """The repeating weekly pattern: ISO weekday -> sorted, non-overlapping ranges."""

    days: Mapping[int, tuple[TimeRange, ...]] = field(default_factory=dict)

    @classmethod
    def parse(
        cls, raw: Sequence[Mapping[str, Any]], field_name: str = "working_hours"
    ) -> WorkingWeek:
        """From ``[{"weekday": 1..7, "start": "HH:MM", "end": "HH:MM"}, ...]``."""
        errors: list[FieldError] = []
        by_day: dict[int, list[tuple[int, Mapping[str, Any]]]] = {}
        for i, item in enumerate(raw):
            weekday = item.get("weekday")
            if not isinstance(weekday, int) or isinstance(weekday, bool) or not 1 <= weekday <= 7:
                errors.append(FieldError(f"{field_name}[{i}].weekday", "must be 1 (Monday) to 7"))
                continue
            by_day.setdefault(weekday, []).append((i, item))
        days: dict[int, tuple[TimeRange, ...]] = {}
        for weekday, items in by_day.items():
            day_ranges: list[tuple[TimeRange, int]] = []
            for i, item in items:
                try:
                    day_ranges.extend(_indexed_ranges([item], field_name, start_index=i))
                except Invalid as exc:
                    errors.extend(exc.errors)
            day_ranges.sort()
            latest_end = -1
            for r, i in day_ranges:
                if r.start < latest_end:
                    errors.append(
                        FieldError(
                            f"{field_name}[{i}]", f"overlaps another range on weekday {weekday}"
                        )
                    )
                latest_end = max(latest_end, r.end)
            days[weekday] = tuple(r for r, _ in day_ranges)
        if errors:
            raise Invalid(errors)
        return cls(days)

    def to_list(self) -> list[dict[str, Any]]:
        return [{"weekday": wd, **r.as_dict()} for wd in sorted(self.days) for r in self.days[wd]]


@dataclass(frozen=True, slots=True)
class DateOverride:
    """Working ranges for one date, replacing the weekly pattern; no ranges means a day off."""

    date: date
    ranges: tuple[TimeRange, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "ranges": [r.as_dict() for r in self.ranges]}


def parse_override(raw: Mapping[str, Any], tz: ZoneInfo, field_prefix: str) -> DateOverride:
    """A validated override; a range boundary inside that date's DST gap is refused."""
    day = parse_date(raw.get("date"), f"{field_prefix}.date")
    indexed = _indexed_ranges(raw.get("ranges") or [], f"{field_prefix}.ranges")
    errors: list[FieldError] = []
    for r, i in indexed:
        for name, minute in (("start", r.start), ("end", r.end)):
            if minute < 1440 and in_gap(
                datetime.combine(day, datetime.min.time()) + timedelta(minutes=minute), tz
            ):
                errors.append(
                    FieldError(
                        f"{field_prefix}.ranges[{i}].{name}",
                        f"{format_hhmm(minute)} does not exist on {day} in {tz.key} (DST gap)",
                    )
                )
    if errors:
        raise Invalid(errors)
    return DateOverride(day, tuple(r for r, _ in indexed))


@dataclass(frozen=True)
class WorkingCalendar:
    """Everything that decides when one staff member works."""

    tz: ZoneInfo
    week: WorkingWeek
    overrides: Mapping[date, tuple[TimeRange, ...]] = field(default_factory=dict)

    def ranges_on(self, day: date) -> tuple[TimeRange, ...]:
        found = self.overrides.get(day)
        if found is not None:
            return found
        return self.week.days.get(day.isoweekday(), ())

    def intervals(self, window: Interval) -> list[Interval]:
        """Working time inside ``window`` as sorted, non-overlapping UTC intervals."""
        first = window.start.astimezone(self.tz).date() - timedelta(days=1)
        last = window.end.astimezone(self.tz).date()
        spans: list[tuple[datetime, datetime]] = []
        day = first
        while day <= last:
            for r in self.ranges_on(day):
                start = max(local_to_instant(day, r.start, self.tz), window.start)
                end = min(local_to_instant(day, r.end, self.tz), window.end)
                if start < end:
                    spans.append((start, end))
            day += timedelta(days=1)
        # Sort before merging: a range shifted forward out of a DST gap can land after the
        # start of the next range of the same day.
        spans.sort()
        out: list[Interval] = []
        for start, end in spans:
            if out and out[-1].end >= start:
                out[-1] = Interval(out[-1].start, max(end, out[-1].end))
            else:
                out.append(Interval(start, end))
        return out

    def covers(self, span: Interval) -> bool:
        """True when ``span`` lies wholly inside one stretch of working time."""
        return any(iv.contains(span) for iv in self.intervals(span))
