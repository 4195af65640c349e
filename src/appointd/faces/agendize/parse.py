"""Agendize appointment bodies -> core commands, property by property.

Read-only properties a client may send back from a GET (``id``, ``reference``, ``created``,
``history``, ...) are ignored; every writable property is type-checked, and any problem is an
:class:`Invalid` naming the Agendize property (``start.dateTime``, ``client.id``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from appointd.domain.errors import FieldError, Invalid
from appointd.domain.status import Status
from appointd.faces.agendize.parsers import parse_bool, parse_id
from appointd.faces.agendize.render import EXTRA_KEY, STATUS_IN
from appointd.faces.agendize.times import parse_zoned
from appointd.faces.shared.parsing import check_storable

EXTENDED_PROPERTIES_LIMIT = 22 * 1024  # bytes of the JSON document, as the seed's "22KB"
NOTES_LIMIT = 65535
LOCATIONS = ("companyAddress", "videoconference", "phone", "custom")


@dataclass(slots=True)
class AppointmentBody:
    """What an insert or update body says, parsed; ``None`` means "not sent"."""

    personal: bool = False
    client_id: int | None = None
    service_id: int | None = None
    staff_id: int | None = None
    resource_ids: list[int] | None = None
    start: datetime | None = None  # naive: wall time at the company, read by the core
    end: datetime | None = None
    status: Status | None = None
    custom_status_id: int | None = None
    notes: str | None = None
    paid: bool | None = None
    form: list[dict[str, Any]] | None = None  # core answers: {"field_id", "value"|"values"}
    metadata: dict[str, Any] | None = None  # extendedProperties {private, public}
    # A client sent without an id: its Agendize properties (created, or found by externalId).
    new_client: dict[str, str] | None = None
    # staff/service/resource named by externalId alone: name -> the external id, to look up.
    external: dict[str, str] = field(default_factory=dict)
    # What the face keeps under extra["agendize"] until the core holds it.
    extra: dict[str, Any] = field(default_factory=dict)
    sent: set[str] = field(default_factory=set)


def _object(body: dict[str, Any], name: str) -> dict[str, Any] | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise Invalid.field(name, "must be an object")
    return value


def _ref_id(body: dict[str, Any], name: str, external: dict[str, str] | None = None) -> int | None:
    """``<name>.id`` of a reference object. With ``external`` (staff, services, resources),
    ``<name>.externalId`` alone is kept there for the handler to look up (the seed: "You can
    also use service.externalId"); for the client it is handled by the inline client."""
    obj = _object(body, name)
    if obj is None:
        return None
    if "id" not in obj or obj["id"] in (None, ""):
        value = obj.get("externalId")
        if value not in (None, ""):
            if external is None:
                raise Invalid.field(f"{name}.externalId", "unknown external id; send the id")
            if not isinstance(value, str) or len(value) > 200:
                raise Invalid.field(f"{name}.externalId", "a string of at most 200 characters")
            external[name] = value
        return None
    return parse_id(obj["id"], f"{name}.id")


CLIENT_PROPERTIES = ("firstName", "lastName", "email", "phone", "mobilePhone", "timeZone")


def _new_client(client: dict[str, Any]) -> dict[str, str] | None:
    """The properties of a client sent without an id (strings; ``None`` when it has none)."""
    found: dict[str, str] = {}
    for name in (*CLIENT_PROPERTIES, "externalId"):
        value = client.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise Invalid.field(f"client.{name}", "must be a string")
        found[name] = value
    return found or None


def parse_body(body: Any, default_zone: str | None) -> AppointmentBody:
    """Parse an Agendize appointment resource sent to insert or update."""
    if not isinstance(body, dict):
        raise Invalid.field("body", "expected an Appointment resource (a JSON object)")
    check_storable(body)
    out = AppointmentBody(sent=set(body))
    problems: list[FieldError] = []

    def attempt(fn: Any) -> None:
        try:
            fn()
        except Invalid as exc:
            problems.extend(exc.errors)

    def kind() -> None:
        value = body.get("type", "normal")
        if value not in ("normal", "personal"):
            raise Invalid.field("type", 'one of "normal", "personal"')
        out.personal = value == "personal"

    def refs() -> None:
        client = _object(body, "client")
        if client is not None and client.get("id") in (None, ""):
            out.new_client = _new_client(client)
            return
        out.client_id = _ref_id(body, "client")

    def service() -> None:
        out.service_id = _ref_id(body, "service", out.external)

    def staff() -> None:
        out.staff_id = _ref_id(body, "staff", out.external)

    def resource() -> None:
        rid = _ref_id(body, "resource", out.external)
        if "resource" in body and "resource" not in out.external:
            out.resource_ids = [] if rid is None else [rid]

    def start() -> None:
        if body.get("start") is not None:
            out.start = parse_zoned(body["start"], "start", default_zone).instant

    def end() -> None:
        if body.get("end") is not None:
            out.end = parse_zoned(body["end"], "end", default_zone).instant

    def status() -> None:
        if body.get("status") is not None and body.get("customStatus") is not None:
            raise Invalid.field(
                "customStatus", '"status" and "customStatus" cannot be used together'
            )
        custom = body.get("customStatus")
        if custom is not None:
            if not isinstance(custom, dict) or custom.get("id") in (None, ""):
                raise Invalid.field("customStatus.id", "required")
            out.custom_status_id = parse_id(custom["id"], "customStatus.id")
        value = body.get("status")
        if value is not None:
            if value not in STATUS_IN:
                raise Invalid.field("status", "one of " + ", ".join(STATUS_IN))
            out.status = STATUS_IN[value]

    def notes() -> None:
        value = body.get("notes")
        if value is not None:
            if not isinstance(value, str) or len(value) > NOTES_LIMIT:
                raise Invalid.field("notes", f"a string of at most {NOTES_LIMIT} characters")
            out.notes = value

    def location() -> None:
        value = body.get("location")
        if value is not None:
            if value not in LOCATIONS:
                raise Invalid.field("location", "one of " + ", ".join(LOCATIONS))
            out.extra["location"] = value

    def paid() -> None:
        if body.get("paid") is not None:
            out.paid = parse_bool(body["paid"], "paid")

    def flags() -> None:
        if body.get("addToWaitingList") is not None:
            parse_bool(body["addToWaitingList"], "addToWaitingList")
        for name in ("iterationCount", "resourceCount"):
            value = body.get(name)
            if value is not None and (
                isinstance(value, bool)
                or not isinstance(value, (int, str))
                or not str(value).isdigit()
                or not 1 <= int(value) <= 1000
            ):
                raise Invalid.field(name, "a whole number from 1")

    def form() -> None:
        value = body.get("form")
        if value is None:
            return
        if not isinstance(value, list):
            raise Invalid.field("form", "a list of FormItem objects")
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                raise Invalid.field(f"form[{i}]", "must be a FormItem object")
            if not isinstance(item.get("id"), str) or not item["id"]:
                raise Invalid.field(f"form[{i}].id", "can not be empty")
            if "value" in item and item["value"] is not None and not isinstance(item["value"], str):
                raise Invalid.field(f"form[{i}].value", "must be a string")
            if (
                "values" in item
                and item["values"] is not None
                and not isinstance(item["values"], list)
            ):
                raise Invalid.field(f"form[{i}].values", "must be a list")
        out.form = [_answer(i, item) for i, item in enumerate(value)]

    def extended() -> None:
        value = body.get("extendedProperties")
        if value is None:
            return
        if not isinstance(value, dict) or set(value) - {"private", "public"}:
            raise Invalid.field("extendedProperties", "an object with private and public")
        for part in ("private", "public"):
            if value.get(part) is not None and not isinstance(value[part], dict):
                raise Invalid.field(f"extendedProperties.{part}", "must be an object")
        size = len(json.dumps(value, separators=(",", ":")).encode())
        if size > EXTENDED_PROPERTIES_LIMIT:
            raise Invalid.field(
                "extendedProperties", f"{size} bytes; the limit is {EXTENDED_PROPERTIES_LIMIT}"
            )
        out.metadata = {
            "private": value.get("private") or {},
            "public": value.get("public") or {},
        }

    for fn in (kind, refs, service, staff, resource, start, end, status, notes, location):
        attempt(fn)
    for fn in (paid, flags, form, extended):
        attempt(fn)
    if problems:
        raise Invalid(problems)
    return out


def _answer(i: int, item: dict[str, Any]) -> dict[str, Any]:
    """A FormItem as the core's answer: ``id`` is the form field's id; ``values[]`` give their
    ``value`` (else ``name``, else ``id``)."""
    field_id = parse_id(item["id"], f"form[{i}].id")
    if item.get("values") is not None:
        values = []
        for j, v in enumerate(item["values"]):
            if not isinstance(v, dict):
                raise Invalid.field(f"form[{i}].values[{j}]", "must be an object")
            chosen = v.get("value") or v.get("name") or v.get("id")
            if not isinstance(chosen, str):
                raise Invalid.field(f"form[{i}].values[{j}].value", "must be a string")
            values.append(chosen)
        return {"field_id": field_id, "values": values}
    return {"field_id": field_id, "value": item.get("value") or ""}


def merged_extra(current: dict[str, Any], parsed: AppointmentBody) -> dict[str, Any]:
    """``current`` (an appointment's extra) with this face's part updated from ``parsed``."""
    mine = dict(current.get(EXTRA_KEY) or {})
    mine.update(parsed.extra)
    return {**current, EXTRA_KEY: mine}
