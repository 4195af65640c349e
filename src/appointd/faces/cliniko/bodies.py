"""Request bodies: JSON objects only, fields parsed with the names Cliniko clients send."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from appointd.domain.errors import FieldError, Invalid
from appointd.faces.cliniko.errors import BadRequest
from appointd.faces.cliniko.wire import id_value, instant_value
from appointd.faces.shared.parsing import check_storable

REPEAT_FREQ = {"Daily": "DAILY", "Weekly": "WEEKLY", "Monthly": "MONTHLY"}


async def json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object; 400 for malformed JSON or anything but an object."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise BadRequest("Malformed JSON") from None
    if not isinstance(body, dict):
        raise BadRequest("must be an object")
    check_storable(body)
    return body


class Fields:
    """Reads fields of one body, collecting every error before raising them together."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.errors: list[FieldError] = []

    def has(self, name: str) -> bool:
        return name in self.body

    def fail(self, name: str, message: str) -> None:
        self.errors.append(FieldError(name, message))

    def id(self, name: str, *, required: bool = False) -> int | None:
        value = self.body.get(name)
        if value is None:
            if required:
                self.fail(name, "can't be blank")
            return None
        found = id_value(value)
        if found is None:
            self.fail(name, "is not a valid id")
        return found

    def instant(self, name: str, *, required: bool = False, alias: str | None = None) -> Any:
        key = name if name in self.body or alias is None else alias
        value = self.body.get(key)
        if value is None:
            if required:
                self.fail(name, "can't be blank")
            return None
        found = instant_value(value)
        if found is None:
            self.fail(name, "must be a date-time such as 2014-08-30T18:00:00Z")
        return found

    def text(self, name: str, limit: int = 10_000, *, required: bool = False) -> str | None:
        value = self.body.get(name)
        if value is None:
            if required:
                self.fail(name, "can't be blank")
            return None
        if not isinstance(value, str):
            self.fail(name, "must be a string")
            return None
        if len(value) > limit:
            self.fail(name, f"is too long (maximum is {limit} characters)")
            return None
        if required and not value.strip():
            self.fail(name, "can't be blank")
        return value

    def boolean(self, name: str) -> bool | None:
        value = self.body.get(name)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.fail(name, "must be true or false")
            return None
        return value

    def integer(self, name: str, low: int, high: int, *, required: bool = False) -> int | None:
        value = self.body.get(name)
        if value is None:
            if required:
                self.fail(name, "can't be blank")
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(name, f"must be a whole number from {low} to {high}")
            return None
        return value

    def repeat_rule(self, name: str = "repeat_rule") -> str | None:
        """An RFC 5545 rule from ``{repeat_type, repeating_interval, number_of_repeats}``.

        ``number_of_repeats`` counts the appointments after the first (1..51), so the rule's
        ``COUNT`` is one more; ``repeating_interval`` is 1..100 (default 1).
        """
        value = self.body.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.fail(name, "must be an object")
            return None
        if not value or all(v is None for v in value.values()):
            return None
        kind = value.get("repeat_type")
        repeats = value.get("number_of_repeats")
        every = value.get("repeating_interval", 1)
        every = 1 if every is None else every
        ok = True
        if kind not in REPEAT_FREQ:
            self.fail(f"{name}.repeat_type", "must be Daily, Weekly or Monthly")
            ok = False
        if isinstance(repeats, bool) or not isinstance(repeats, int) or not 1 <= repeats <= 51:
            self.fail(f"{name}.number_of_repeats", "must be a whole number from 1 to 51")
            ok = False
        if isinstance(every, bool) or not isinstance(every, int) or not 1 <= every <= 100:
            self.fail(f"{name}.repeating_interval", "must be a whole number from 1 to 100")
            ok = False
        if not ok or not isinstance(kind, str) or not isinstance(repeats, int):
            return None
        return f"FREQ={REPEAT_FREQ[kind]};INTERVAL={every};COUNT={repeats + 1}"

    def done(self) -> None:
        if self.errors:
            raise Invalid(self.errors)
