"""Form fields and their answers: what an account asks when booking, and what it accepts.

An answer is ``{"field_id": id, "value": "text"}``, or ``{"field_id": id, "values": [...]}`` for
the fields that take several values (``multiselect``, ``checkbox``). Answers are checked against
the account's (active) fields that apply to the appointment's service: unknown fields, fields of
other services, missing required answers, options outside the field's list, values that are not
of the field's type and values that do not match the field's ``value_format`` are refused, each
error naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from appointd.domain.errors import FieldError, Invalid
from appointd.domain.model import FieldType, FormField

VALUE_MAX = 10_000
ANSWERS_MAX = 200
OPTIONS_MAX = 200
LABEL_MAX = 200
VALUE_FORMAT_MAX = 500

_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?[0-9 ()./-]+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def check_definition(f: FormField) -> None:
    """Refuse a form field that could never be answered sensibly; errors name the property."""
    problems: list[FieldError] = []
    if not f.label.strip():
        problems.append(FieldError("label", "must not be empty"))
    elif len(f.label) > LABEL_MAX:
        problems.append(FieldError("label", f"at most {LABEL_MAX} characters"))
    if len(f.options) > OPTIONS_MAX:
        problems.append(FieldError("options", f"at most {OPTIONS_MAX} options"))
    if any(not isinstance(o, str) or not o for o in f.options):
        problems.append(FieldError("options", "every option is non-empty text"))
    elif len(set(f.options)) != len(f.options):
        problems.append(FieldError("options", "has duplicates"))
    if f.type.has_options and not f.options:
        problems.append(FieldError("options", f"a {f.type.value} field needs options"))
    if f.options and not (f.type.has_options or f.type is FieldType.CHECKBOX):
        problems.append(FieldError("options", f"a {f.type.value} field takes no options"))
    if f.value_format is not None:
        if len(f.value_format) > VALUE_FORMAT_MAX:
            problems.append(FieldError("value_format", f"at most {VALUE_FORMAT_MAX} characters"))
        else:
            try:
                re.compile(f.value_format)
            except re.error as exc:
                problems.append(FieldError("value_format", f"not a regular expression: {exc}"))
    if problems:
        raise Invalid(problems)


def check_answers(
    fields: Iterable[FormField],
    answers: Any,
    service_id: int,
    *,
    require: bool = True,
    field: str = "form",
) -> list[dict[str, Any]]:
    """The answers, normalised, if they suit the active ``fields`` for ``service_id``.

    ``require=False`` skips the "required field not answered" rule (a change that only
    touches some answers is checked with the whole new list, so callers pass the full list).
    """
    if answers is None:
        answers = []
    if not isinstance(answers, list):
        raise Invalid.field(field, "must be a list of answers")
    if len(answers) > ANSWERS_MAX:
        raise Invalid.field(field, f"at most {ANSWERS_MAX} answers")
    active = {f.id: f for f in fields if f.archived_at is None}
    problems: list[FieldError] = []
    normalised: list[dict[str, Any]] = []
    seen: set[int] = set()
    for i, raw in enumerate(answers):
        where = f"{field}[{i}]"
        if not isinstance(raw, dict):
            problems.append(FieldError(where, "must be an object with field_id and value(s)"))
            continue
        ident = raw.get("field_id")
        if isinstance(ident, bool) or not isinstance(ident, int):
            problems.append(FieldError(f"{where}.field_id", "must be a form field id (integer)"))
            continue
        definition = active.get(ident)
        if definition is None:
            problems.append(FieldError(f"{where}.field_id", f"unknown form field {ident}"))
            continue
        if not definition.applies_to(service_id):
            problems.append(
                FieldError(
                    f"{where}.field_id",
                    f"form field {ident} ({definition.label}) is not asked for service "
                    f"{service_id}",
                )
            )
            continue
        if ident in seen:
            problems.append(FieldError(f"{where}.field_id", f"form field {ident} answered twice"))
            continue
        seen.add(ident)
        extra = set(raw) - {"field_id", "value", "values"}
        if extra:
            problems.append(FieldError(where, f"unknown properties: {', '.join(sorted(extra))}"))
            continue
        answer, errors = _answer(definition, raw, where)
        problems.extend(errors)
        if answer is not None:
            normalised.append(answer)
    if require:
        answered = {a["field_id"] for a in normalised}
        for f in sorted(active.values(), key=lambda f: (f.position, f.id)):
            if f.required and f.applies_to(service_id) and f.id not in answered:
                problems.append(FieldError(field, f"form field {f.id} ({f.label}) is required"))
    if problems:
        raise Invalid(problems)
    return normalised


def _answer(
    f: FormField, raw: dict[str, Any], where: str
) -> tuple[dict[str, Any] | None, list[FieldError]]:
    """One answer normalised (``None`` when it is empty), or the problems with it."""
    name = f"form field {f.id} ({f.label})"
    if f.type.multiple:
        if "value" in raw:
            return None, [FieldError(f"{where}.values", f"{name} takes values (a list)")]
        values = raw.get("values")
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            return None, [FieldError(f"{where}.values", f"{name}: a list of text values")]
        problems = [p for v in values for p in _value(f, v, f"{where}.values", name)]
        if len(set(values)) != len(values):
            problems.append(FieldError(f"{where}.values", f"{name}: values repeat"))
        if f.required and not values:
            problems.append(FieldError(f"{where}.values", f"{name} is required"))
        if problems:
            return None, problems
        return ({"field_id": f.id, "values": list(values)} if values else None), []
    if "values" in raw:
        return None, [FieldError(f"{where}.value", f"{name} takes one value, not values")]
    value = raw.get("value")
    if not isinstance(value, str):
        return None, [FieldError(f"{where}.value", f"{name}: the value is text")]
    if value == "":
        if f.required:
            return None, [FieldError(f"{where}.value", f"{name} is required")]
        return None, []
    problems = _value(f, value, f"{where}.value", name)
    return (None if problems else {"field_id": f.id, "value": value}), problems


def _value(f: FormField, value: str, where: str, name: str) -> list[FieldError]:
    if len(value) > VALUE_MAX:
        return [FieldError(where, f"{name}: at most {VALUE_MAX} characters")]
    if (f.type.has_options or f.type is FieldType.CHECKBOX) and f.options:
        if value not in f.options:
            return [FieldError(where, f"{name}: {value!r} is not one of its options")]
    elif not _of_type(f.type, value):
        return [FieldError(where, f"{name}: {value!r} is not a valid {f.type.value}")]
    if f.value_format is not None and re.fullmatch(f.value_format, value) is None:
        return [FieldError(where, f"{name}: {value!r} does not match its format")]
    return []


def _of_type(kind: FieldType, value: str) -> bool:
    if kind is FieldType.NUMBER:
        return _NUMBER.fullmatch(value) is not None
    if kind is FieldType.EMAIL:
        return _EMAIL.fullmatch(value) is not None
    if kind is FieldType.PHONE:
        return _PHONE.fullmatch(value) is not None and sum(c.isdigit() for c in value) >= 3
    if kind is FieldType.URL:
        parts = urlsplit(value)
        return parts.scheme in ("http", "https") and bool(parts.netloc)
    if kind is FieldType.DATE:
        if _DATE.fullmatch(value) is None:
            return False
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
        return True
    return True  # text, textarea (and option fields without options, e.g. a lone checkbox)


def values_of(answers: Sequence[dict[str, Any]]) -> list[str]:
    """Every answered value, for free-text search."""
    out: list[str] = []
    for a in answers:
        if "values" in a:
            out.extend(a["values"])
        elif "value" in a:
            out.append(a["value"])
    return out
