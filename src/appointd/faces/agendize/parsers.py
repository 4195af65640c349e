"""The Agendize face's use of the shared strict parsers (``appointd.faces.shared.parsing``).

Ids in a body or query are :class:`Invalid` naming the property (400); ids in a path name no
object when malformed (404, like an unknown one). Query instants (``startDate`` ...) are RFC
3339; a naive one is UTC ("in GMT", as the seed says) and a bare ``YYYY-MM-DD`` that day's
midnight UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from appointd.domain.errors import Invalid
from appointd.faces.shared.parsing import parse_date, parse_instant_or_local, parse_path_id
from appointd.faces.shared.parsing import parse_id as _parse_id


def parse_id(value: Any, field: str) -> int:
    """An id of a body or query property: ``"12"`` or ``12``."""
    return _parse_id(value, field=field)


def path_id(value: str, kind: str) -> int:
    """An id of a path segment; malformed is :class:`NotFound` of ``kind``."""
    return parse_path_id(value, kind=kind)


def parse_date_time(value: Any, field: str) -> datetime:
    """``YYYY-MM-DDTHH:MM[:SS[.f]]`` with an optional ``Z`` or offset; naive when it has none."""
    return parse_instant_or_local(value, field=field)


def parse_instant(value: Any, field: str) -> datetime:
    """An instant of a query; naive means UTC, a bare date its midnight UTC."""
    if isinstance(value, str) and len(value) == 10:
        return datetime.combine(parse_date(value, field=field), time(), tzinfo=UTC)
    parsed = parse_date_time(value, field)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_bool(value: Any, field: str) -> bool:
    """``true``/``false`` as JSON booleans or strings (Agendize documents both forms)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    raise Invalid.field(field, "must be true or false")
