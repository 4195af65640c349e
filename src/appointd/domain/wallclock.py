"""Wall-clock time: IANA zones, local times, and the DST traps between them.

Rules (working hours, overrides, recurrence) are kept as local wall time in a zone; instants are
UTC. Converting local to UTC has two traps:

* a *gap* (spring forward): the local time does not exist. Explicit input in a gap is refused
  (:func:`to_instant` with ``strict=True``); rules that merely pass through one are shifted
  forward by the gap's length, as RFC 5545 does for recurrence.
* a *fold* (fall back): the local time happens twice. The first occurrence is taken.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from appointd.domain.errors import Invalid


@lru_cache(maxsize=1024)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=1)
def available_zones() -> frozenset[str]:
    """Every IANA zone name this server knows: exactly what :func:`zone` accepts (the OpenAPI
    document lists them)."""
    return frozenset(available_timezones())


def zone(name: str, field: str = "time_zone") -> ZoneInfo:
    """The IANA zone called ``name``; :class:`Invalid` naming ``field`` when there is none.

    Only the names :func:`available_zones` lists: ``ZoneInfo`` would also load files of the
    zone database that are not zones (``posixrules``, ``Factory``)."""
    if not isinstance(name, str) or name not in available_zones():
        raise Invalid.field(field, f"unknown time zone {name!r}")
    try:
        return _zone(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise Invalid.field(field, f"unknown time zone {name!r}") from None


def is_valid_zone(name: str) -> bool:
    try:
        zone(name)
    except Invalid:
        return False
    return True


def in_gap(local: datetime, tz: ZoneInfo) -> bool:
    """True when the naive ``local`` time does not exist in ``tz`` (a spring-forward gap)."""
    aware = local.replace(tzinfo=tz, fold=0)
    back = aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return back != local.replace(fold=0)


def to_instant(
    local: datetime, tz: ZoneInfo, *, strict: bool = True, field: str = "start"
) -> datetime:
    """The UTC instant of the naive wall time ``local`` in ``tz``.

    Ambiguous times take their first occurrence. A time inside a gap raises :class:`Invalid`
    naming ``field`` when ``strict``; otherwise it moves forward by the length of the gap
    (02:30 on a New York spring-forward day becomes 03:30 EDT).
    """
    if strict and in_gap(local, tz):
        raise Invalid.field(
            field, f"{local.isoformat(timespec='minutes')} does not exist in {tz.key} (DST gap)"
        )
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def local_to_instant(
    d: date, minute_of_day: int, tz: ZoneInfo, *, strict: bool = False, field: str = "start"
) -> datetime:
    """The instant of ``minute_of_day`` (0..1440) on local date ``d``; 1440 is next midnight."""
    day, minute = divmod(minute_of_day, 1440)
    local = datetime.combine(d + timedelta(days=day), time(minute // 60, minute % 60))
    return to_instant(local, tz, strict=strict, field=field)


def as_utc(value: datetime, tz: ZoneInfo | None = None, *, field: str = "start") -> datetime:
    """Normalise ``value`` to an aware UTC datetime.

    An aware value is converted; a naive one is read as wall time in ``tz`` (strictly: a time in
    a DST gap is refused). A naive value with no zone to read it in is refused.
    """
    if value.tzinfo is not None and value.utcoffset() is not None:
        return value.astimezone(UTC)
    if tz is None:
        raise Invalid.field(field, "needs a UTC offset, e.g. 2026-05-04T09:00:00+02:00")
    return to_instant(value, tz, strict=True, field=field)


def parse_hhmm(text: object, field: str, *, allow_24: bool = False) -> int:
    """Minutes after midnight for ``"HH:MM"``; ``"24:00"`` only when ``allow_24``."""
    if not isinstance(text, str) or len(text) != 5 or text[2] != ":":
        raise Invalid.field(field, f"expected HH:MM, got {text!r}")
    hh, mm = text[:2], text[3:]
    # isdigit() alone admits digits such as '²' that int() cannot read.
    if not (text.isascii() and hh.isdigit() and mm.isdigit()):
        raise Invalid.field(field, f"expected HH:MM, got {text!r}")
    hours, minutes = int(hh), int(mm)
    if minutes > 59 or hours > 24 or (hours == 24 and (minutes or not allow_24)):
        raise Invalid.field(field, f"{text!r} is not a time of day")
    return hours * 60 + minutes


def parse_date(text: object, field: str) -> date:
    """A calendar date from exactly ``YYYY-MM-DD``, years 1900 to 8999.

    ``date.fromisoformat`` alone would also take ``20300101`` and ``2030-W01-1``.
    """
    if (
        not isinstance(text, str)
        or len(text) != 10
        or text[4] != "-"
        or text[7] != "-"
        or not text.isascii()
    ):
        raise Invalid.field(field, "expected YYYY-MM-DD")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise Invalid.field(field, f"{text!r} is not a date") from None
    if not 1900 <= day.year <= 8999:
        raise Invalid.field(field, "year must be 1900 to 8999")
    return day


def format_hhmm(minute_of_day: int) -> str:
    return f"{minute_of_day // 60:02d}:{minute_of_day % 60:02d}"


def utcnow() -> datetime:
    return datetime.now(UTC)
