"""Values on Cliniko's wire: int64 ids as strings (or numbers), UTC ``Z`` instants, dates.

Every parser names the field it refuses (422 in the face's format). These are the face's only
parsers; when ``appointd.faces.shared`` lands they become thin calls into it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from appointd.domain.errors import FieldError, Invalid

MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"^[0-9]{1,19}$")
_INSTANT = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:?\d{2})$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FIRST_YEAR, LAST_YEAR = 1900, 8999


def id_value(value: Any) -> int | None:
    """An id from a string of digits or an integer; ``None`` if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= MAX_ID else None
    if isinstance(value, str) and _DIGITS.match(value):
        number = int(value)
        return number if 1 <= number <= MAX_ID else None
    return None


def parse_id(value: Any, field: str) -> int:
    found = id_value(value)
    if found is None:
        raise Invalid.field(field, "is not a valid id")
    return found


def path_id(raw: str) -> int | None:
    """An id in a path; ``None`` (answered 404) when it could name no object."""
    return id_value(raw)


def instant_value(value: Any) -> datetime | None:
    """An aware UTC datetime from an RFC 3339 string with ``Z`` or an offset."""
    if not isinstance(value, str) or not _INSTANT.match(value):
        return None
    text = value.replace("z", "Z").replace("t", "T")
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        return None
    return parsed.astimezone(UTC)


def parse_instant(value: Any, field: str) -> datetime:
    found = instant_value(value)
    if found is None:
        raise Invalid.field(field, "must be a date-time such as 2014-08-30T18:00:00Z")
    return found


def date_value(value: Any) -> date | None:
    if not isinstance(value, str) or not _DATE.match(value):
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return None
    return parsed if FIRST_YEAR <= parsed.year <= LAST_YEAR else None


def parse_text(value: Any, field: str, limit: int = 10_000) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid.field(field, "must be a string")
    if len(value) > limit:
        raise Invalid.field(field, f"is too long (maximum is {limit} characters)")
    return value


def parse_bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise Invalid.field(field, "must be true or false")
    return value


def utc(moment: datetime | None) -> str | None:
    """``2014-08-30T18:00:00Z``: Cliniko's rendering of an instant."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def collect(errors: list[FieldError]) -> None:
    if errors:
        raise Invalid(errors)
