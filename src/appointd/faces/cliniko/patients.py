"""Cliniko patients on the core's clients: every writable property of the spec is kept.

What the core holds is mapped onto it (so ``/v1`` and every face see it too):

==============================  ===============================================================
Cliniko                         core client
==============================  ===============================================================
``first_name``, ``last_name``   ``first_name``, ``last_name``
``email``, ``time_zone``        ``email``, ``time_zone``
``old_reference_id``            ``external_id``
``patient_phone_numbers``       ``phones`` (``Mobile`` -> ``mobile``...); ``phone`` follows
``address_1..3``, ``city``,     ``address`` (``line1..3``, ``city``, ``state``, ``postal_code``,
``state``, ``post_code``,       ``country``)
``country``
``date_of_birth``, ``notes``    ``date_of_birth``, ``notes``
==============================  ===============================================================

Every other writable property of the spec's patient body (``title``, ``sex``, ``pronouns``,
``custom_fields``, ``medicare``, ``reminder_type``...) is checked against the type the spec gives
it (:data:`EXTRA_FIELDS`) and kept in the client's face-private ``extra["cliniko"]``, rendered
back as sent. ``unsubscribe_sms_marketing: true`` (write-only in the spec) sets
``accepted_sms_marketing`` to false. ``concession_type_id`` and ``referring_doctor_id`` name
objects appointd does not have: any id is 422 "does not exist". Unknown properties are ignored,
as Cliniko ignores them.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from appointd.app import catalog
from appointd.app.context import Context
from appointd.domain.errors import FieldError, Invalid, NotFound
from appointd.faces.cliniko import render
from appointd.faces.cliniko.auth import context
from appointd.faces.cliniko.bodies import Fields, json_object
from appointd.faces.cliniko.query import base_url
from appointd.faces.cliniko.wire import path_id

router = APIRouter()

FACE_KEY = "cliniko"
PHONE_TYPES = {"Mobile": "mobile", "Home": "home", "Work": "work", "Fax": "fax", "Other": "other"}
PHONE_LABELS = {core: label for label, core in PHONE_TYPES.items()}
# Cliniko's address fields -> the core address's parts (the renderer writes them back).
ADDRESS = render.ADDRESS_PARTS
ADDRESS_NAMES = {part: name for name, part in ADDRESS.items()}
# The spec's e-mail pattern (a Ruby /i regex, so matched without regard to case).
EMAIL = r"^[A-Z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Z0-9.-]+\.[A-Z]{2,63}$"
DVA = r"^[NVQSWT]([A-Z ][0-9]{1,6}|[A-Z]{2}[0-9]{1,5}|[A-Z]{3}[0-9]{1,4})[A-Z]?$"
UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
# Strings the spec gives no maximum are still bounded (the body limit aside).
LONG_TEXT = 20_000


def _text(limit: int = 255, *, nullable: bool = True, **more: Any) -> dict[str, Any]:
    return {"type": "string", "maxLength": limit, "nullable": nullable, **more}


_BOOL = {"type": "boolean", "nullable": True}
_FLAG = {"type": "boolean", "nullable": False}
_OPTION = {
    "type": "object",
    "required": ["token"],
    "properties": {
        "archived": _BOOL,
        "name": _text(),
        "token": _text(36, nullable=False, pattern=UUID),
        "selected": _FLAG,
    },
}
_CUSTOM_FIELD = {
    "type": "object",
    "required": ["token"],
    "properties": {
        "archived": _BOOL,
        "name": _text(),
        "token": _text(36, nullable=False, pattern=UUID),
        "type": _text(),
        "options": {"type": "array", "maxItems": 200, "items": _OPTION},
        "other": {
            "type": "object",
            "properties": {
                "enabled": _BOOL,
                "archived": _BOOL,
                "selected": _FLAG,
                "value": _text(nullable=False),
            },
        },
        "value": _text(LONG_TEXT, nullable=False),
    },
}
_SECTION = {
    "type": "object",
    "required": ["token", "fields"],
    "properties": {
        "name": _text(),
        "token": _text(36, nullable=False, pattern=UUID),
        "archived": _BOOL,
        "fields": {"type": "array", "maxItems": 200, "items": _CUSTOM_FIELD},
    },
}
_PRONOUN_PARTS = (
    "accusative",
    "nominative",
    "predicative_possessive",
    "pronominal_possessive",
    "reflexive",
)
# The writable patient properties the core has no field for, typed as the spec's patient body
# types them (maxLength, patterns, enums, nested objects).
EXTRA_FIELDS: dict[str, dict[str, Any]] = {
    "accepted_privacy_policy": _BOOL,
    "accepted_email_marketing": _BOOL,
    "appointment_notes": _text(LONG_TEXT),
    "custom_fields": {
        "type": "object",
        "nullable": True,
        "properties": {"sections": {"type": "array", "maxItems": 100, "items": _SECTION}},
    },
    "dva_card_number": _text(pattern=DVA),
    "emergency_contact": _text(),
    "gender_identity": _text(),
    "invoice_default_to": _text(),
    "invoice_email": _text(pattern=EMAIL, ignore_case=True),
    "invoice_extra_information": _text(LONG_TEXT),
    "medicare": _text(),
    "medicare_reference_number": _text(),
    "occupation": _text(),
    "preferred_first_name": _text(),
    "pronouns": {
        "type": "object",
        "nullable": True,
        "required": list(_PRONOUN_PARTS),
        "properties": {part: _text(nullable=False) for part in _PRONOUN_PARTS},
    },
    "receives_confirmation_emails": _BOOL,
    "referral_source": _text(),
    "reminder_type": {
        "type": "string",
        "nullable": True,
        "enum": ["None", "SMS", "Email", "SMS & Email"],
    },
    "sex": _text(),
    "title": _text(),
}
# Rendered from extra, beside EXTRA_FIELDS: set through unsubscribe_sms_marketing.
ACCEPTED_SMS = "accepted_sms_marketing"
_TYPES: dict[str, type[Any]] = {"string": str, "boolean": bool, "object": dict, "array": list}


def check(value: Any, schema: dict[str, Any], at: str, errors: list[FieldError]) -> None:
    """Append to ``errors`` every way ``value`` breaks ``schema`` (the subset of OpenAPI 3.0
    the patient body uses: type, nullable, maxLength, pattern, enum, properties, required,
    items, maxItems), naming the place (``custom_fields.sections[0].token``)."""
    if value is None:
        if not schema.get("nullable", False):
            errors.append(FieldError(at, "can't be null"))
        return
    kind = schema["type"]
    if not isinstance(value, _TYPES[kind]) or (kind != "boolean" and isinstance(value, bool)):
        errors.append(FieldError(at, f"must be {'an' if kind[0] in 'aeio' else 'a'} {kind}"))
        return
    if isinstance(value, str):
        limit = schema.get("maxLength", LONG_TEXT)
        if len(value) > limit:
            errors.append(FieldError(at, f"is too long (maximum is {limit})"))
        elif "pattern" in schema:
            flags = re.IGNORECASE if schema.get("ignore_case") else 0
            if not re.search(schema["pattern"], value, flags):
                errors.append(FieldError(at, "is invalid"))
        if "enum" in schema and value not in schema["enum"]:
            errors.append(FieldError(at, "must be one of " + ", ".join(schema["enum"])))
    elif isinstance(value, dict):
        errors.extend(
            FieldError(f"{at}.{name}", "can't be blank")
            for name in schema.get("required", ())
            if name not in value
        )
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                check(value[name], sub, f"{at}.{name}", errors)
    elif isinstance(value, list):
        most = schema.get("maxItems", 100)
        if len(value) > most:
            errors.append(FieldError(at, f"has too many items (maximum is {most})"))
            return
        for i, item in enumerate(value):
            check(item, schema["items"], f"{at}[{i}]", errors)


def _known(value: Any, schema: dict[str, Any]) -> Any:
    """``value`` (already checked) with only the properties ``schema`` names, so that what is
    kept is exactly what the spec describes."""
    if isinstance(value, dict) and "properties" in schema:
        props = schema["properties"]
        return {k: _known(v, props[k]) for k, v in value.items() if k in props}
    if isinstance(value, list) and "items" in schema:
        return [_known(v, schema["items"]) for v in value]
    return value


def patient_fields(body: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """Core client fields from a Cliniko patient body (only what it sent, on update)."""
    fields = Fields(body)
    out: dict[str, Any] = {}
    for name in ("first_name", "last_name"):
        if creating or fields.has(name):
            out[name] = fields.text(name, 255, required=True)
    if fields.has("email"):
        out["email"] = fields.text("email", 255)
    if fields.has("time_zone"):
        out["time_zone"] = fields.text("time_zone", 64)
    if fields.has("old_reference_id"):
        out["external_id"] = fields.text("old_reference_id", 255)
    if fields.has("notes"):
        out["notes"] = fields.text("notes", LONG_TEXT)
    if fields.has("date_of_birth"):
        out["date_of_birth"] = _date_of_birth(fields)
    if fields.has("patient_phone_numbers"):
        out["phones"] = _phones(fields)
    address = {part: fields.text(name, 255) for name, part in ADDRESS.items() if fields.has(name)}
    if address:
        out["address"] = address  # merged with the stored address by the caller
    for name in ("concession_type_id", "referring_doctor_id"):
        if fields.id(name) is not None:
            fields.fail(name, "does not exist")
    kept: dict[str, Any] = {}
    for name, schema in EXTRA_FIELDS.items():
        if fields.has(name):
            before = len(fields.errors)
            check(body[name], schema, name, fields.errors)
            if len(fields.errors) == before:
                kept[name] = _known(body[name], schema)
    unsubscribe = fields.boolean("unsubscribe_sms_marketing")
    if fields.has("unsubscribe_sms_marketing") and body["unsubscribe_sms_marketing"] is None:
        fields.fail("unsubscribe_sms_marketing", "must be true or false")
    if unsubscribe:
        kept[ACCEPTED_SMS] = False
    if kept:
        out["extra"] = {FACE_KEY: kept}
    fields.done()
    return out


def _date_of_birth(fields: Fields) -> str | None:
    value = fields.body.get("date_of_birth")
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        fields.fail("date_of_birth", "must be a date such as 1980-05-17")
        return None
    return value  # the core checks that it is a real day, not in the future


def _phones(fields: Fields) -> list[dict[str, str]] | None:
    numbers = fields.body.get("patient_phone_numbers")
    if numbers is None:
        return []
    if not isinstance(numbers, list):
        fields.fail("patient_phone_numbers", "must be a list of phone numbers")
        return None
    out: list[dict[str, str]] = []
    for i, item in enumerate(numbers):
        at = f"patient_phone_numbers[{i}]"
        if not isinstance(item, dict):
            fields.fail(at, "must be an object with phone_type and number")
            continue
        label = item.get("phone_type", "Mobile")
        number = item.get("number")
        if label not in PHONE_TYPES:
            fields.fail(f"{at}.phone_type", "must be one of " + ", ".join(sorted(PHONE_TYPES)))
            continue
        if not isinstance(number, str) or not number.strip():
            fields.fail(f"{at}.number", "can't be blank")
            continue
        out.append({"type": PHONE_TYPES[label], "number": number})
    return out


def cliniko_field(name: str) -> str:
    """The Cliniko name of a core client field named in an error (``phones[1].number`` is
    ``patient_phone_numbers[1].number``, ``address.postal_code`` is ``post_code``)."""
    if name.startswith("phones"):
        return "patient_phone_numbers" + name[len("phones") :]
    if name.startswith("address."):
        return ADDRESS_NAMES.get(name[len("address.") :], name)
    if name.startswith(f"extra.{FACE_KEY}."):
        return name[len(f"extra.{FACE_KEY}.") :]
    return {"external_id": "old_reference_id"}.get(name, name)


def _renamed(exc: Invalid) -> Invalid:
    return Invalid(
        [FieldError(cliniko_field(e.field), e.message) for e in exc.errors], message=exc.message
    )


def _client_id(raw: str) -> int:
    found = path_id(raw)
    if found is None:
        raise NotFound("client", raw)
    return found


@router.post("/patients", status_code=201)
async def create_patient(
    request: Request, response: Response, ctx: Context = Depends(context)
) -> dict[str, Any]:
    values = patient_fields(await json_object(request), creating=True)
    try:
        client = await run_in_threadpool(catalog.create, ctx, "clients", values)
    except Invalid as exc:
        raise _renamed(exc) from None
    doc = render.patient(client, base_url(request))
    response.headers["Location"] = doc["links"]["self"]
    return doc


@router.patch("/patients/{patient_id}")
@router.put("/patients/{patient_id}")
async def update_patient(
    patient_id: str, request: Request, ctx: Context = Depends(context)
) -> dict[str, Any]:
    client_id = _client_id(patient_id)
    current = await run_in_threadpool(catalog.get, ctx, "clients", client_id)
    values = patient_fields(await json_object(request), creating=False)
    if "address" in values:
        # Cliniko sends address fields one by one: the others keep their stored values.
        stored = current.address.as_dict() if current.address is not None else {}
        values["address"] = {**stored, **values["address"]}
    try:
        client = await run_in_threadpool(catalog.update, ctx, "clients", client_id, values)
    except Invalid as exc:
        raise _renamed(exc) from None
    return render.patient(client, base_url(request))


@router.delete("/patients/{patient_id}", status_code=204)
@router.post("/patients/{patient_id}/archive", status_code=204)
async def archive_patient(patient_id: str, ctx: Context = Depends(context)) -> Response:
    await run_in_threadpool(catalog.archive, ctx, "clients", _client_id(patient_id))
    return Response(status_code=204)
