"""Strict parsers every face uses for ids, instants, dates and local wall times.

Built once so that no face drifts: the same text is accepted or refused the same way whether it
arrives in a path, a query string or a body, through the native face or a vendor face. Each
parser is a pure function that returns a plain Python value or raises the core's errors
(:mod:`appointd.domain.errors`), which each face renders in its own format:

* :class:`~appointd.domain.errors.Invalid` naming ``field`` (a body or query field: 422 in the
  native face);
* :class:`~appointd.domain.errors.NotFound` from :func:`parse_path_id` (an id in a path names no
  object, so it is reported exactly like a missing one: 404).

Usage from a face::

    from appointd.faces.shared.parsing import parse_id, parse_instant, parse_hhmm_compact
    location_id = parse_id(raw, field="locationId")          # "12" or 12 -> 12
    start = parse_instant(raw, field="start")                # aware datetime, UTC offset kept
    minute = parse_hhmm_compact(930, field="startTime")      # TimeTap 930 -> 570

Rules:

* **ids**: ``[0-9]+`` in ASCII (or a JSON integer, never a boolean), 1 .. 2^63-1. Python's
  ``int()`` would also read ``1_0``, `` 7``, ``+7`` and full-width digits; none of those is an
  id here.
* **instants**: RFC 3339 ``YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`` (``T`` or a space;
  seconds optional), years 1900 to 8999 (moving between zones or adding buffers near
  ``datetime``'s limits would overflow). Numbers are never read as Unix timestamps.
* **dates**: exactly ``YYYY-MM-DD``, years 1900 to 8999.
* **local wall times**: naive ``YYYY-MM-DDTHH:MM[:SS]`` (a time on the location's clock),
  ``HH:MM`` (``24:00`` only as an end), and TimeTap's ``HHMM`` (``930`` or ``"0930"``).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

from appointd.domain.errors import Invalid, NotFound
from appointd.domain.wallclock import parse_date as _parse_date
from appointd.domain.wallclock import parse_hhmm as _parse_hhmm

MAX_ID = 2**63 - 1
MIN_YEAR, MAX_YEAR = 1900, 8999

# [0-9] with re.ASCII: \d would match every Unicode digit (full-width ones too).
_DIGITS = re.compile(r"[0-9]{1,25}", re.ASCII)
_DATETIME = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ]"
    r"(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2})(?:\.(?P<frac>[0-9]{1,9}))?)?"
    r"(?P<offset>[Zz]|[+-][0-9]{2}:[0-9]{2})?",
    re.ASCII,
)
_HHMM_COMPACT = re.compile(r"[0-9]{1,4}", re.ASCII)


def _id_value(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if 1 <= number <= MAX_ID else None


def parse_id(value: object, *, field: str) -> int:
    """An id from a body or query field: ``[0-9]+`` text or an integer, 1 .. 2^63-1.

    Raises :class:`Invalid` naming ``field`` otherwise.
    """
    number = _id_value(value)
    if number is None:
        raise Invalid.field(field, "expected an id: digits 0-9, from 1 to 9223372036854775807")
    return number


def parse_path_id(value: object, *, kind: str = "object") -> int:
    """An id from a URL path; anything that is not an id raises :class:`NotFound` (a 404)."""
    number = _id_value(value)
    if number is None:
        raise NotFound(kind, value)
    return number


def parse_id_list(value: object, *, field: str, max_items: int = 100) -> list[int]:
    """Ids from ``"1,2,3"`` (a query parameter) or a list; at most ``max_items`` of them."""
    parts: list[object]
    if isinstance(value, str):
        parts = list(value.split(","))
    elif isinstance(value, list):
        parts = list(value)
    else:
        raise Invalid.field(field, "expected an id or a comma-separated list of ids")
    if not parts or len(parts) > max_items:
        raise Invalid.field(field, f"expected 1 to {max_items} ids")
    out = []
    for part in parts:
        number = _id_value(part)
        if number is None:
            raise Invalid.field(field, "expected an id or a comma-separated list of ids")
        out.append(number)
    return out


def _check_year(value: datetime | date, field: str) -> None:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise Invalid.field(field, f"must be between the years {MIN_YEAR} and {MAX_YEAR}")


def _datetime(value: object, field: str, *, need_offset: bool | None) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    else:
        match = _DATETIME.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            raise Invalid.field(field, _expected(need_offset))
        try:
            day = date.fromisoformat(match["date"])
        except ValueError:
            raise Invalid.field(field, f"{value!r} is not a date on the calendar") from None
        hour, minute = int(match["hour"]), int(match["minute"])
        second = int(match["second"] or 0)
        micro = int((match["frac"] or "0").ljust(6, "0")[:6])
        if hour > 23 or minute > 59 or second > 59:
            raise Invalid.field(field, f"{value!r} is not a time of day")
        _check_year(day, field)
        tz = _offset(match["offset"], field)
        parsed = datetime(day.year, day.month, day.day, hour, minute, second, micro, tzinfo=tz)
    _check_year(parsed, field)
    aware = parsed.tzinfo is not None and parsed.utcoffset() is not None
    if need_offset is True and not aware:
        raise Invalid.field(field, _expected(True))
    if need_offset is False and aware:
        raise Invalid.field(field, _expected(False))
    return parsed


def _expected(need_offset: bool | None) -> str:
    if need_offset is False:
        return "expected a local date-time without offset, e.g. 2026-05-04T09:00:00"
    return "expected an RFC 3339 date-time with offset, e.g. 2026-05-04T09:00:00+02:00"


def _offset(text: str | None, field: str) -> timezone | None:
    if text is None:
        return None
    if text in ("Z", "z"):
        return UTC
    hours, minutes = int(text[1:3]), int(text[4:6])
    if hours > 23 or minutes > 59:
        raise Invalid.field(field, f"{text!r} is not a UTC offset")
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if text[0] == "-" else delta)


def parse_instant(value: object, *, field: str) -> datetime:
    """An RFC 3339 date-time **with** its UTC offset (``Z`` or ``±HH:MM``): an aware datetime.

    The offset is kept as given; call ``.astimezone(UTC)`` to normalise. Raises
    :class:`Invalid` naming ``field`` for anything else (numbers, dates alone, no offset,
    ``24:00``, a year outside 1900..8999).
    """
    return _datetime(value, field, need_offset=True)


def parse_instant_or_local(value: object, *, field: str) -> datetime:
    """Like :func:`parse_instant`, but a date-time without offset is returned naive.

    For faces where a naive time means wall time at the location (the native ``start``).
    """
    return _datetime(value, field, need_offset=None)


def parse_local_datetime(value: object, *, field: str) -> datetime:
    """A naive wall time ``YYYY-MM-DDTHH:MM[:SS]`` (no offset allowed): a naive datetime."""
    return _datetime(value, field, need_offset=False)


def parse_date(value: object, *, field: str) -> date:
    """A calendar date from exactly ``YYYY-MM-DD`` (years 1900..8999); :class:`Invalid` else."""
    if isinstance(value, date) and not isinstance(value, datetime):
        _check_year(value, field)
        return value
    return _parse_date(value, field)


def parse_wall_time(value: object, *, field: str, allow_24: bool = False) -> int:
    """Minutes after midnight from ``HH:MM`` (``24:00`` = 1440 only when ``allow_24``)."""
    return _parse_hhmm(value, field, allow_24=allow_24)


def parse_hhmm_compact(value: object, *, field: str, allow_24: bool = False) -> int:
    """Minutes after midnight from TimeTap's ``HHMM``: ``930``, ``"0930"``, ``1700``.

    An integer or up to four ASCII digits; the last two are minutes (0..59), the rest hours
    (0..23, or ``2400`` = 1440 only when ``allow_24``).
    """
    if isinstance(value, bool):
        raise Invalid.field(field, "expected a time as HHMM, e.g. 930 or 1700")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _HHMM_COMPACT.fullmatch(value):
        number = int(value)
    else:
        raise Invalid.field(field, "expected a time as HHMM, e.g. 930 or 1700")
    hours, minutes = divmod(number, 100)
    if number < 0 or minutes > 59 or hours > 24 or (hours == 24 and (minutes or not allow_24)):
        raise Invalid.field(field, f"{value!r} is not a time of day as HHMM")
    return hours * 60 + minutes


def unstorable(value: object, path: str = "") -> tuple[str, str] | None:
    """The first text in the JSON ``value`` (object keys included) that the databases cannot
    store, as ``(path, problem)``: ``("client.firstName", "must not contain NUL characters")``;
    ``None`` when every text is storable. PostgreSQL refuses U+0000 in text and JSON, and
    neither database takes a lone surrogate (``"\\ud800"``), both of which JSON can carry: a
    face that does not check would answer 500 at the insert."""
    if isinstance(value, str):
        if "\x00" in value:
            return path, "must not contain NUL characters"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path, "must be valid Unicode text (no lone surrogates)"
        return None
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            if found := unstorable(item, f"{path}[{i}]"):
                return found
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if found := unstorable(key, inner) or unstorable(item, inner):
                return found
    return None


def check_storable(value: object, *, field: str = "") -> None:
    """:class:`Invalid` naming the path of the first unstorable text of ``value`` (see
    :func:`unstorable`), prefixed by ``field``; every face checks its parsed bodies with it."""
    if found := unstorable(value, field):
        raise Invalid.field(found[0] or "body", found[1])
