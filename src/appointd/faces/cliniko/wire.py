"""Values on Cliniko's wire: int64 ids as strings (or numbers), UTC ``Z`` instants, dates.

Parsing is :mod:`appointd.faces.shared.parsing` (the same rules as every face); this module
only adapts it to the places Cliniko answers differently (a bad ``q[]`` value is a 400, a bad
id in a path a 404, so those ask for ``None`` instead of an error) and renders instants in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from appointd.domain.errors import Invalid
from appointd.faces.shared import parsing


def id_value(value: Any) -> int | None:
    """An id from a string of digits or an integer; ``None`` if it is not one."""
    try:
        return parsing.parse_id(value, field="id")
    except Invalid:
        return None


def path_id(raw: str) -> int | None:
    """An id in a path; ``None`` (answered 404) when it could name no object."""
    return id_value(raw)


def instant_value(value: Any) -> datetime | None:
    """An aware UTC datetime from an RFC 3339 string with ``Z`` or an offset."""
    if not isinstance(value, str):
        return None
    try:
        return parsing.parse_instant(value, field="instant").astimezone(UTC)
    except Invalid:
        return None


def date_value(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return parsing.parse_date(value, field="date")
    except Invalid:
        return None


def utc(moment: datetime | None) -> str | None:
    """``2014-08-30T18:00:00Z``: Cliniko's rendering of an instant."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
