"""Contact details of people (clients, staff) and integrators' own ids: the core's one set of rules.

Every face hands its wire values to these functions (through the catalog use cases), so a phone
number, an address or a date of birth is refused the same way whichever API it came through:
:class:`~appointd.domain.errors.Invalid` naming the offending field, e.g. ``phones[1].number``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date, timedelta
from typing import Any

from appointd.domain.errors import FieldError, Invalid

PHONE_TYPES = ("mobile", "home", "work", "fax", "other")
MAX_PHONES = 10
MAX_PHONE_LENGTH = 64
MAX_ADDRESS_FIELD = 200
MAX_EXTERNAL_ID = 200
# Digits, spaces and + - ( ) . only; at least one digit (a number of only punctuation is none).
_NUMBER = re.compile(r"[0-9 +\-().]*[0-9][0-9 +\-().]*")
_EARLIEST_BIRTH_YEAR = 1900
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


@dataclass(frozen=True, slots=True)
class Phone:
    """One phone number of a person; ``type`` is one of :data:`PHONE_TYPES`."""

    type: str
    number: str

    def as_dict(self) -> dict[str, str]:
        return {"type": self.type, "number": self.number}


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address; every part optional, each at most 200 characters."""

    line1: str | None = None
    line2: str | None = None
    line3: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)


ADDRESS_FIELDS = tuple(f.name for f in fields(Address))


def phone_number_errors(value: Any, field: str) -> list[FieldError]:
    """The problems of one phone number (none when it is 1..64 digits, spaces and ``+-().``)."""
    if not isinstance(value, str) or not value:
        return [FieldError(field, "must be a non-empty string")]
    if len(value) > MAX_PHONE_LENGTH:
        return [FieldError(field, f"must be at most {MAX_PHONE_LENGTH} characters")]
    if not _NUMBER.fullmatch(value):
        return [FieldError(field, "must be digits, spaces and + - ( ) . only")]
    return []


def parse_phones(raw: Any, field: str = "phones") -> list[Phone]:
    """``raw`` (a list of :class:`Phone` or of ``{"type", "number"}`` objects) as checked phones.

    Numbers are kept exactly as given. Raises :class:`Invalid` naming
    ``phones`` (not a list, more than :data:`MAX_PHONES`) or ``phones[i].type|number``.
    """
    if raw is None:
        return []
    if not isinstance(raw, Sequence) or isinstance(raw, str | bytes):
        raise Invalid.field(field, "must be a list of {type, number} objects")
    if len(raw) > MAX_PHONES:
        raise Invalid.field(field, f"at most {MAX_PHONES} phone numbers")
    errors: list[FieldError] = []
    out: list[Phone] = []
    for i, item in enumerate(raw):
        at = f"{field}[{i}]"
        kind: Any
        number: Any
        if isinstance(item, Phone):
            kind, number = item.type, item.number
        elif isinstance(item, Mapping):
            unknown = sorted(str(k) for k in item if k not in ("type", "number"))
            errors.extend(FieldError(f"{at}.{k}", "unknown field") for k in unknown)
            kind, number = item.get("type"), item.get("number")
        else:
            errors.append(FieldError(at, "must be an object with type and number"))
            continue
        if kind not in PHONE_TYPES:
            errors.append(FieldError(f"{at}.type", f"must be one of {', '.join(PHONE_TYPES)}"))
        number_errors = phone_number_errors(number, f"{at}.number")
        errors.extend(number_errors)
        if not number_errors and kind in PHONE_TYPES:
            out.append(Phone(str(kind), str(number)))
    if errors:
        raise Invalid(errors)
    return out


def primary_phone(phones: Sequence[Phone]) -> str | None:
    """The number that stands for all of ``phones`` (the one SMS goes to): the first mobile
    number, else the first number, else ``None``."""
    for p in phones:
        if p.type == "mobile":
            return p.number
    return phones[0].number if phones else None


def parse_address(raw: Any, field: str = "address") -> Address | None:
    """``raw`` (an :class:`Address`, a mapping of its parts, or ``None``) as a checked address.

    Empty parts become ``None``; an address with no part at all is ``None``. Raises
    :class:`Invalid` naming ``address`` or ``address.<part>``.
    """
    if raw is None:
        return None
    if isinstance(raw, Address):
        raw = raw.as_dict()
    if not isinstance(raw, Mapping):
        raise Invalid.field(field, "must be an object (line1, line2, line3, city, ...)")
    errors = [
        FieldError(f"{field}.{k}", "unknown field")
        for k in sorted(map(str, raw))
        if k not in ADDRESS_FIELDS
    ]
    parts: dict[str, str | None] = {}
    for name in ADDRESS_FIELDS:
        value = raw.get(name)
        if value is None:
            parts[name] = None
        elif not isinstance(value, str):
            errors.append(FieldError(f"{field}.{name}", "must be a string"))
        elif len(value) > MAX_ADDRESS_FIELD:
            errors.append(
                FieldError(f"{field}.{name}", f"must be at most {MAX_ADDRESS_FIELD} characters")
            )
        else:
            parts[name] = value.strip() or None
    if errors:
        raise Invalid(errors)
    address = Address(**parts)
    return None if address == Address() else address


def parse_date_of_birth(raw: Any, today: date, field: str = "date_of_birth") -> date | None:
    """``raw`` (a :class:`date` or ``YYYY-MM-DD``) as a date of birth: year 1900 or later and
    not in the future. ``today`` is the UTC date; a day more is allowed, as it is already
    tomorrow in the zones east of UTC."""
    if raw is None:
        return None
    value = raw
    if isinstance(raw, str):
        try:
            # Only YYYY-MM-DD: fromisoformat also reads week dates such as 2019-W01-1.
            value = date.fromisoformat(raw) if _ISO_DATE.fullmatch(raw) else None
        except ValueError:
            value = None
    if not isinstance(value, date) or hasattr(value, "hour"):  # a datetime is no date of birth
        raise Invalid.field(field, "must be a date, YYYY-MM-DD")
    if value.year < _EARLIEST_BIRTH_YEAR:
        raise Invalid.field(field, f"must be in {_EARLIEST_BIRTH_YEAR} or later")
    if value > today + timedelta(days=1):
        raise Invalid.field(field, "must not be in the future")
    return value


def external_id_errors(value: Any, field: str = "external_id") -> list[FieldError]:
    """The problems of an integrator's id (``None`` = none; else 1..200 characters)."""
    if value is None:
        return []
    if not isinstance(value, str) or not value or len(value) > MAX_EXTERNAL_ID:
        return [FieldError(field, f"must be 1 to {MAX_EXTERNAL_ID} characters")]
    return []


def parse_extra(raw: Any, field: str = "extra") -> dict[str, Any]:
    """A face-private document: a JSON object (``None`` = empty)."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise Invalid.field(field, "must be an object")
    return dict(raw)


def merge_extra(current: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``current`` with ``changes`` merged one level deep, so each face keeps its own key and
    a face's write never drops another face's data; a key set to ``None`` is removed."""
    merged = dict(current)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged
