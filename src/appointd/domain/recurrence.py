"""Recurrence rules: the RFC 5545 subset appointd accepts, and how a rule becomes occurrences.

Accepted: ``FREQ=DAILY|WEEKLY|MONTHLY`` with ``INTERVAL``, ``COUNT`` or ``UNTIL``, ``BYDAY``
(``MO``..``SU``; ordinals such as ``1MO`` or ``-1FR`` with ``MONTHLY`` only) and ``BYMONTHDAY``
(``1``..``31`` or ``-31``..``-1``; not with ``WEEKLY``). Anything else - another frequency, an
unknown or repeated part, a malformed value - is refused naming ``recurrence.rrule``.

A series must be bounded, so that every occurrence can be checked before anything is written:
a rule needs ``COUNT`` or ``UNTIL`` (not both), may produce at most :data:`MAX_OCCURRENCES`
occurrences, and its last occurrence may start at most :data:`MAX_YEARS` years after its first.

Rules are expanded in the location's wall time: the first start, as local wall time, is the
rule's naive ``DTSTART``, so "every Monday 09:00" stays 09:00 on the wall clock across a DST
change while the UTC instant moves. An occurrence whose wall time falls in a DST gap has no
instant; the caller reports it (see :mod:`appointd.domain.occurrences`). The first start must
itself be an occurrence of the rule: RFC 5545 leaves a DTSTART that does not match its rule
undefined, and booking a first appointment the rule would not produce would surprise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any, Literal
from zoneinfo import ZoneInfo

from dateutil import rrule as du
from dateutil.relativedelta import relativedelta

from appointd.domain.errors import Invalid

FIELD = "recurrence.rrule"
MAX_OCCURRENCES = 500
MAX_YEARS = 3
MAX_INTERVAL = 1000
FREQUENCIES: dict[str, Literal[1, 2, 3]] = {
    "DAILY": du.DAILY,
    "WEEKLY": du.WEEKLY,
    "MONTHLY": du.MONTHLY,
}
WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
PARTS = ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY")

_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_INT = re.compile(r"^[+-]?\d{1,4}$")
_UNTIL = re.compile(r"^(\d{8})(?:T(\d{6})(Z?))?$")


@dataclass(frozen=True, slots=True)
class Rule:
    """A parsed, validated rule. ``until`` is naive local wall time, inclusive."""

    freq: str
    interval: int = 1
    count: int | None = None
    until: datetime | None = None
    by_day: tuple[tuple[int, int | None], ...] = ()  # (weekday 0=MO..6=SU, ordinal or None)
    by_month_day: tuple[int, ...] = ()
    text: str = ""  # as the caller wrote it, without an ``RRULE:`` prefix

    def to_dateutil(self, dtstart: datetime) -> du.rrule:
        weekdays = [du.weekday(wd, n) if n else du.weekday(wd) for wd, n in self.by_day]
        return du.rrule(
            FREQUENCIES[self.freq],
            dtstart=dtstart,
            interval=self.interval,
            count=self.count,
            until=self.until,
            byweekday=weekdays or None,
            bymonthday=list(self.by_month_day) or None,
        )


@dataclass(slots=True)
class Series:
    """A stored recurring series: the rule, the zone it is expanded in, and what was booked.

    ``local_start`` is the first occurrence's wall time (ISO, no offset). ``template`` keeps the
    booking every occurrence was made from, and the occurrences skipped at booking time.
    """

    id: int
    account_id: int
    rrule: str
    time_zone: str
    local_start: str
    template: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None


def _refuse(message: str) -> Invalid:
    return Invalid.field(FIELD, message)


def parse_rule(text: object, tz: ZoneInfo) -> Rule:
    """Parse ``text`` (``FREQ=...;...``, optionally prefixed ``RRULE:``) into a :class:`Rule`.

    ``UNTIL`` may be a date (the whole local day is included), a local date-time, or a UTC
    date-time ending in ``Z`` (converted to wall time in ``tz``).
    """
    if not isinstance(text, str) or not text.strip():
        raise _refuse("required, e.g. FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10")
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    parts: dict[str, str] = {}
    for chunk in body.split(";"):
        name, eq, value = chunk.partition("=")
        name = name.strip().upper()
        if not eq or not name or not value.strip():
            raise _refuse(f"malformed part {chunk!r}; expected NAME=VALUE")
        if name not in PARTS:
            raise _refuse(f"{name} is not supported; use only {', '.join(PARTS)}")
        if name in parts:
            raise _refuse(f"{name} is given twice")
        parts[name] = value.strip().upper()
    freq = parts.get("FREQ")
    if freq is None:
        raise _refuse("FREQ is required")
    if freq not in FREQUENCIES:
        raise _refuse(f"FREQ={freq} is not supported; use DAILY, WEEKLY or MONTHLY")
    interval = _int(parts.get("INTERVAL", "1"), "INTERVAL", 1, MAX_INTERVAL)
    count = _int(parts["COUNT"], "COUNT", 1, None) if "COUNT" in parts else None
    until = _until(parts["UNTIL"], tz) if "UNTIL" in parts else None
    if count is None and until is None:
        raise _refuse("the series is unbounded; give COUNT or UNTIL")
    if count is not None and until is not None:
        raise _refuse("COUNT and UNTIL may not both be given")
    if count is not None and count > MAX_OCCURRENCES:
        raise _refuse(f"COUNT={count} is more than {MAX_OCCURRENCES} occurrences")
    by_day = tuple(_by_day(v, freq) for v in parts["BYDAY"].split(",")) if "BYDAY" in parts else ()
    if len(set(by_day)) != len(by_day):
        raise _refuse("BYDAY repeats a day")
    by_month_day: tuple[int, ...] = ()
    if "BYMONTHDAY" in parts:
        if freq == "WEEKLY":
            raise _refuse("BYMONTHDAY may not be used with FREQ=WEEKLY")
        by_month_day = tuple(_month_day(v) for v in parts["BYMONTHDAY"].split(","))
    return Rule(freq, interval, count, until, by_day, by_month_day, body)


def _int(raw: str, name: str, low: int, high: int | None) -> int:
    if not _INT.match(raw):
        raise _refuse(f"{name}={raw} is not a whole number")
    value = int(raw)
    if value < low or (high is not None and value > high):
        bound = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise _refuse(f"{name} must be {bound}")
    return value


def _until(raw: str, tz: ZoneInfo) -> datetime:
    match = _UNTIL.match(raw)
    if match is None:
        raise _refuse(f"UNTIL={raw} is not YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ")
    day_text, time_text, utc = match.groups()
    try:
        day = datetime.strptime(day_text, "%Y%m%d").date()
        moment = datetime.strptime(time_text, "%H%M%S").time() if time_text else time.max
    except ValueError:
        raise _refuse(f"UNTIL={raw} is not a real date and time") from None
    until = datetime.combine(day, moment)
    if utc:
        until = until.replace(tzinfo=UTC).astimezone(tz).replace(tzinfo=None)
    return until


def _by_day(raw: str, freq: str) -> tuple[int, int | None]:
    match = _BYDAY.match(raw.strip())
    if match is None:
        raise _refuse(f"BYDAY value {raw!r} is not a weekday such as MO or 1MO")
    ordinal_text, day = match.groups()
    if ordinal_text is None:
        return WEEKDAYS[day], None
    if freq != "MONTHLY":
        raise _refuse(f"BYDAY={raw} (with a number) needs FREQ=MONTHLY")
    ordinal = int(ordinal_text)
    if ordinal == 0 or abs(ordinal) > 5:
        raise _refuse(f"BYDAY={raw}: the number must be 1..5 or -5..-1")
    return WEEKDAYS[day], ordinal


def _month_day(raw: str) -> int:
    text = raw.strip()
    if not _INT.match(text) or int(text) == 0 or abs(int(text)) > 31:
        raise _refuse(f"BYMONTHDAY value {raw!r} must be 1..31 or -31..-1")
    return int(text)


def expand(rule: Rule, first: datetime) -> list[datetime]:
    """The naive local wall times of every occurrence, ``first`` (naive, local) included.

    Refused naming ``recurrence.rrule`` when ``first`` is not the rule's first occurrence, when
    the rule yields more than :data:`MAX_OCCURRENCES`, or when it lasts longer than
    :data:`MAX_YEARS` years.
    """
    first = first.replace(tzinfo=None, fold=0)
    horizon = first + relativedelta(years=MAX_YEARS)
    if rule.until is not None and rule.until > horizon:
        raise _refuse(f"UNTIL is more than {MAX_YEARS} years after the first occurrence")
    found: list[datetime] = []
    # Lazily: a COUNT rule that matches rarely stops at the horizon instead of running on.
    for occurrence in rule.to_dateutil(first):
        if occurrence > horizon:
            raise _refuse(f"the series would last more than {MAX_YEARS} years")
        if len(found) == MAX_OCCURRENCES:
            raise _refuse(f"the rule yields more than {MAX_OCCURRENCES} occurrences")
        found.append(occurrence)
    if not found or found[0] != first:
        raise _refuse(
            f"the first start ({local_iso(first)} local) is not an occurrence of the rule; "
            "start the series on a day the rule includes"
        )
    return found


def local_iso(value: datetime) -> str:
    """A naive wall time as ISO text, e.g. ``2030-03-11T09:00``."""
    return value.isoformat(timespec="seconds" if value.second else "minutes")
