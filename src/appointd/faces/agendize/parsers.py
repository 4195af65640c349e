"""Strict parsers of the Agendize wire values: ids, instants and local date-times.

Kept to one function per kind so that ``appointd.faces.shared``'s parsers replace each with a
one-line change once they land. Every failure is :class:`Invalid` naming the property.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from appointd.domain.errors import Invalid
from appointd.store.repositories.base import MAX_ID

_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"(Z|z|[+-]\d{2}:\d{2})?"
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_id(value: Any, field: str) -> int:
    """An appointd id sent as a string (Agendize's form) or an integer."""
    if isinstance(value, bool):
        raise Invalid.field(field, "must be an identifier string")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        number = int(value)
    else:
        raise Invalid.field(field, f"{value!r} is not an identifier")
    if not 0 < number <= MAX_ID:
        raise Invalid.field(field, f"{value!r} is not an identifier")
    return number


def parse_date_time(value: Any, field: str) -> datetime:
    """``YYYY-MM-DDTHH:MM[:SS[.f]]`` with an optional ``Z`` or offset; naive when it has none."""
    if not isinstance(value, str) or not value.isascii():
        raise Invalid.field(field, "expected a date-time such as 2030-01-07T09:00:00")
    m = _DATE_TIME.fullmatch(value.strip())
    if m is None:
        raise Invalid.field(field, f"{value!r} is not a date-time (YYYY-MM-DDTHH:MM:SS)")
    text = value.strip().replace(" ", "T").replace("z", "Z")
    if m.group(7) and len(m.group(7)) > 6:  # Python reads microseconds at most
        text = text.replace("." + m.group(7), "." + m.group(7)[:6])
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise Invalid.field(field, f"{value!r} is not a date-time") from None
    if not 1900 <= parsed.year <= 8999:
        raise Invalid.field(field, "year must be 1900 to 8999")
    return parsed


def parse_instant(value: Any, field: str) -> datetime:
    """An RFC 3339 instant of a query (``startDate`` ...); naive means UTC ("in GMT"), and a
    bare ``YYYY-MM-DD`` is that day's midnight UTC."""
    if isinstance(value, str) and _DATE.fullmatch(value):
        value = value + "T00:00:00"
    parsed = parse_date_time(value, field)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_bool(value: Any, field: str) -> bool:
    """``true``/``false`` as JSON booleans or strings (Agendize documents both forms)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    raise Invalid.field(field, "must be true or false")
