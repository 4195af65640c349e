"""Strict readers of TimeTap's wire values: ids, booleans, HHMM times, dates, epoch ms, lists.

Every reader takes the raw JSON or query value and the field name to blame; a value it cannot
read is :class:`Invalid` naming that field (the face answers 400). Ids, dates and HHMM times
are the shared strict parsers of :mod:`appointd.faces.shared.parsing`; what only TimeTap writes
(``0``/``1`` flags, epoch-ms dates, comma lists) is read here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from appointd.domain.errors import Invalid
from appointd.faces.shared.parsing import parse_date, parse_hhmm_compact, parse_id

TRUE = frozenset({"true", "1", "yes"})
FALSE = frozenset({"false", "0", "no"})
# Epoch milliseconds of 1900-01-01 and 9000-01-01: the years appointd stores.
MIN_MS, MAX_MS = -2_208_988_800_000, 221_845_392_000_000


def ident(value: Any, field: str) -> int:
    """A positive 64-bit id, as a JSON number or a string of digits."""
    return parse_id(value.strip() if isinstance(value, str) else value, field=field)


def optional_ident(value: Any, field: str) -> int | None:
    return None if value is None or value == "" else ident(value, field)


def integer(value: Any, field: str, low: int, high: int) -> int:
    """A whole number within ``low..high`` (JSON number or digits)."""
    if isinstance(value, bool):
        raise Invalid.field(field, "must be an integer")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and value.isascii():
        value = int(value.strip())
    if not isinstance(value, int):
        raise Invalid.field(field, "must be an integer")
    if not low <= value <= high:
        raise Invalid.field(field, f"must be {low} to {high}")
    return value


def boolean(value: Any, field: str) -> bool:
    """``true``/``false`` (JSON or text, any case) or TimeTap's ``1``/``0``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in TRUE | FALSE:
        return value.strip().lower() in TRUE
    raise Invalid.field(field, "must be true or false (or 1 or 0)")


def optional_boolean(value: Any, field: str, default: bool) -> bool:
    return default if value is None or value == "" else boolean(value, field)


def day(value: Any, field: str) -> date:
    """A ``YYYY-MM-DD`` date."""
    return parse_date(value, field=field)


def hhmm(value: Any, field: str) -> int:
    """Minutes after midnight of a TimeTap "military" time: ``930`` is 09:30, ``0`` midnight,
    ``2400`` the midnight that ends the day. ``1275`` or ``2500`` are not times."""
    return parse_hhmm_compact(value, field=field, allow_24=True)


def epoch_ms(value: Any, field: str) -> datetime:
    """An instant from milliseconds since 1970-01-01 UTC."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid.field(field, "must be milliseconds since 1970-01-01 UTC")
    if not MIN_MS <= value < MAX_MS:
        raise Invalid.field(field, "must be in the years 1900 to 8999")
    return datetime.fromtimestamp(value / 1000, UTC)


def epoch_ms_date(value: Any, field: str) -> date:
    """A date carried as epoch milliseconds (TimeTap intents): the UTC date of that instant.

    ``YYYY-MM-DD`` text is accepted too."""
    if isinstance(value, str):
        return day(value, field)
    return epoch_ms(value, field).date()


def id_list(value: Any, field: str) -> list[int]:
    """Ids from a JSON array, a comma list, or repeated query values (already a list)."""
    items: Iterable[Any]
    if isinstance(value, list | tuple):
        items = [p for v in value for p in (v.split(",") if isinstance(v, str) else [v])]
    elif isinstance(value, str):
        items = value.split(",")
    else:
        items = [value]
    return [ident(v.strip() if isinstance(v, str) else v, field) for v in items if v != ""]


def text_list(value: Any, field: str) -> list[str]:
    if isinstance(value, list | tuple):
        raw = [p for v in value for p in (v.split(",") if isinstance(v, str) else [v])]
    elif isinstance(value, str):
        raw = value.split(",")
    else:
        raise Invalid.field(field, "must be a comma list")
    if not all(isinstance(v, str) for v in raw):
        raise Invalid.field(field, "must be a list of strings")
    return [v.strip() for v in raw if v.strip()]


def text(value: Any, field: str, limit: int = 10_000) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid.field(field, "must be a string")
    if len(value) > limit:
        raise Invalid.field(field, f"must be at most {limit} characters")
    return value


def obj(value: Any, field: str) -> Mapping[str, Any] | None:
    """A nested object (``location``, ``staff``...), or ``None``."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise Invalid.field(field, "must be an object")
    return value


def ref(body: Mapping[str, Any], name: str, key: str, *, required: bool) -> int | None:
    """The id inside a nested reference object, e.g. ``location.locationId``."""
    nested = obj(body.get(name), name)
    if nested is None or nested.get(key) is None:
        if required:
            raise Invalid.field(f"{name}.{key}", "required")
        return None
    return ident(nested[key], f"{name}.{key}")
