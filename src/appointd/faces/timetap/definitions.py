"""What an account defines for its appointments, as TimeTap carries it: custom statuses as
``subStatus`` values and form fields as the appointment's ``fields`` (scheduler fields).

**Custom subStatuses.** Besides the seed's values (:mod:`.status`), a ``subStatus`` may name one
of the account's custom statuses (``/v1/custom-statuses``) by its ``name``: exactly, or else
ignoring case. The seed's own values always win over a custom status of the same name; an
archived custom status is refused for new use and still rendered where it is set. The
appointment then carries the core's custom status, so its core status is the custom status's
``base_status`` and its TimeTap ``status`` the one of that base (a custom status based on
``checked_in`` is ``status`` OPEN).

**Fields.** An appointment's ``fields`` array holds TimeTap scheduler field objects::

    {"schedulerPreferenceFieldDefnId": 12, "value": "Boo!", "businessId": 403923}

where ``schedulerPreferenceFieldDefnId`` is the id of one of the account's form fields
(``/v1/form-fields``) and ``value`` its answer as text. A field that takes several values
(``multiselect``, ``checkbox``) takes a JSON array of options, or one text holding the
options separated by commas (the whole text counts as one option when it is one). They become
the core's form answers and are checked by its rules (unknown fields, fields of other
reasons, missing required ones, options, types, formats), each refusal naming
``fields[i]...``. Sending ``fields`` (even ``[]``) has the account's required fields checked;
a booking without ``fields`` is not asked for them (TimeTap marks ``fields`` optional).

Rendered back, each answer is ``{"schedulerPreferenceFieldDefnId", "businessId", "label",
"dataType", "mode": "APPT", "required", "value", "values"}`` and ``customFieldDesc`` lists
``label : value`` lines, as the seed describes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.concurrency import run_in_threadpool

from appointd.app.context import Context
from appointd.domain.errors import Invalid
from appointd.domain.model import Appointment, CustomStatus, FieldType, FormField
from appointd.faces.timetap import parse

FIELD_ID = "schedulerPreferenceFieldDefnId"
DATA_TYPES = {
    FieldType.TEXT: "TEXT",
    FieldType.TEXTAREA: "TEXTAREA",
    FieldType.NUMBER: "NUMBER",
    FieldType.EMAIL: "EMAIL",
    FieldType.PHONE: "PHONE",
    FieldType.URL: "URL",
    FieldType.DATE: "DATE",
    FieldType.SELECT: "LIST",
    FieldType.MULTISELECT: "MULTI_LIST",
    FieldType.CHECKBOX: "CHECKBOX",
    FieldType.RADIO: "RADIO",
}
MAX_FIELDS = 200


@dataclass(slots=True)
class Definitions:
    """The custom statuses and form fields a response's appointments refer to, by id."""

    statuses: dict[int, CustomStatus] = field(default_factory=dict)
    fields: dict[int, FormField] = field(default_factory=dict)


NONE = Definitions()


def wanted(appts: Sequence[Appointment]) -> bool:
    """Whether any of ``appts`` carries a custom status or form answers."""
    return any(a.custom_status_id is not None or a.form for a in appts)


async def load(ctx: Context, appts: Sequence[Appointment]) -> Definitions:
    """:func:`of_appointments` from the event loop: no hop to a worker thread when nothing
    is wanted (a report of 500 plain rows pays nothing for this)."""
    if not wanted(appts):
        return NONE
    return await run_in_threadpool(of_appointments, ctx, appts)


def of_appointments(ctx: Context, appts: Sequence[Appointment]) -> Definitions:
    """The definitions ``appts`` refer to: no statement when none carries a custom status or
    form answers (the usual report), else one unit of work with at most two statements."""
    status_ids = {a.custom_status_id for a in appts if a.custom_status_id is not None}
    field_ids = {int(x["field_id"]) for a in appts for x in (a.form or ())}
    if not status_ids and not field_ids:
        return NONE
    with ctx.uow(write=False) as uow:
        return Definitions(
            statuses=uow.custom_statuses.get_many(status_ids) if status_ids else {},
            fields=uow.form_fields.get_many(field_ids) if field_ids else {},
        )


def custom_statuses(ctx: Context) -> list[CustomStatus]:
    """Every custom status of the account, archived ones included (one statement)."""
    with ctx.uow(write=False) as uow:
        return uow.custom_statuses.all_of_account()


def active_form_fields(ctx: Context) -> dict[int, FormField]:
    """The account's form fields that are not archived (one statement)."""
    with ctx.uow(write=False) as uow:
        return {f.id: f for f in uow.form_fields.active()}


def custom_named(name: str, customs: Iterable[CustomStatus], field: str) -> CustomStatus | None:
    """The custom status called ``name`` (exactly, else ignoring case; the lowest id when
    several are), ``None`` when there is none; an archived one is refused naming ``field``."""
    everyone = sorted(customs, key=lambda c: c.id)
    found = next((c for c in everyone if c.name == name), None)
    if found is None:
        folded = name.casefold()
        found = next((c for c in everyone if c.name.casefold() == folded), None)
    if found is not None and found.archived_at is not None:
        live = next(
            (c for c in everyone if c.archived_at is None and c.name.casefold() == name.casefold()),
            None,
        )
        if live is None:
            raise Invalid.field(field, f"custom status {found.name!r} is archived")
        found = live
    return found


# -- fields ------------------------------------------------------------------------------------


def answers(raw: Any, defined: Mapping[int, FormField], account_id: int) -> list[dict[str, Any]]:
    """TimeTap's ``fields`` as the core's form answers (checked by the core afterwards)."""
    if not isinstance(raw, list):
        raise Invalid.field("fields", "must be an array of scheduler field objects")
    if len(raw) > MAX_FIELDS:
        raise Invalid.field("fields", f"at most {MAX_FIELDS} fields")
    out: list[dict[str, Any]] = []
    for i, item in enumerate(raw):
        where = f"fields[{i}]"
        if not isinstance(item, dict):
            raise Invalid.field(where, "must be a scheduler field object")
        if item.get(FIELD_ID) in (None, ""):
            raise Invalid.field(f"{where}.{FIELD_ID}", "required: the form field's id")
        ident = parse.ident(item[FIELD_ID], f"{where}.{FIELD_ID}")
        business = item.get("businessId")
        if business not in (None, "") and parse.ident(business, f"{where}.businessId") != (
            account_id
        ):
            raise Invalid.field(f"{where}.businessId", "must be your business id (the apiKey)")
        value = item.get("value")
        if value is None and isinstance(item.get("values"), list):
            value = item["values"]
        definition = defined.get(ident)
        if definition is not None and definition.type.multiple:
            out.append({"field_id": ident, "values": _values(value, definition, where)})
            continue
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)  # a NUMBER field's answer sent as a JSON number
        out.append({"field_id": ident, "value": "" if value is None else value})
    return out


def _values(value: Any, definition: FormField, where: str) -> Any:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        if value in definition.options:
            return [value]
        return [v.strip() for v in value.split(",") if v.strip()]
    raise Invalid.field(f"{where}.value", "a list of options, or text with commas between them")


def rendered_fields(a: Appointment, defs: Definitions) -> tuple[list[dict[str, Any]], str] | None:
    """``fields`` and ``customFieldDesc`` of ``a``'s form answers; ``None`` when it has none."""
    if not a.form:
        return None
    out: list[dict[str, Any]] = []
    lines: list[str] = []
    for answer in a.form:
        d = defs.fields.get(int(answer["field_id"]))
        values = answer.get("values")
        value = ", ".join(values) if values is not None else answer.get("value")
        out.append(
            {
                FIELD_ID: answer["field_id"],
                "businessId": a.account_id,
                "label": d.label if d is not None else None,
                "dataType": DATA_TYPES.get(d.type) if d is not None else None,
                "mode": "APPT",
                "required": d.required if d is not None else False,
                "value": value,
                "values": list(values) if values is not None else None,
            }
        )
        if d is not None:
            lines.append(f"{d.label} : {value}")
    return out, "\n".join(lines)
