"""Core objects -> Agendize resources (appointments, companies, services, staff, ...).

Ids are strings. ``levelDetail=light`` is a fixed subset, the same in list and get: ``id``,
``reference``, ``status`` or ``customStatus``, ``start``, ``end``, and ``company``,
``service``, ``staff``, ``resource``, ``client`` as ``{id, name}``. ``full`` is every
property of the seed; what appointd has nothing for is present and empty (``""``, ``{}``,
``[]``, ``false``). Personal appointments (the core's time off) have ids ``personal-<n>``,
which no appointment id or reference can be.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from appointd.app.links import manage_url
from appointd.domain.errors import Invalid
from appointd.domain.model import Client, Location, Resource, Service, Staff
from appointd.domain.status import Status
from appointd.faces.agendize import history as hist
from appointd.faces.agendize.times import render_zoned
from appointd.faces.agendize.views import PersonalView, View
from appointd.settings import Settings

PERSONAL_PREFIX = "personal-"
STATUS_OUT = {
    Status.PENDING: "pending",
    Status.CONFIRMED: "accepted",
    Status.CHECKED_IN: "accepted",
    Status.IN_PROGRESS: "inProgress",
    Status.COMPLETED: "completed",
    Status.NO_SHOW: "noShow",
    Status.CANCELLED: "cancelled",
    Status.DECLINED: "declined",
}
STATUS_IN = {
    "pending": Status.PENDING,
    "accepted": Status.CONFIRMED,
    "inProgress": Status.IN_PROGRESS,
    "completed": Status.COMPLETED,
    "noShow": Status.NO_SHOW,
    "cancelled": Status.CANCELLED,
    "declined": Status.DECLINED,
}
FULL_FIELDS = (
    "id",
    "reference",
    "company",
    "service",
    "resource",
    "staff",
    "client",
    "parent",
    "start",
    "end",
    "created",
    "form",
    "status",
    "customStatus",
    "notes",
    "history",
    "service-resource",
    "meta-event",
    "type",
    "paid",
    "addToWaitingList",
    "source",
    "iterationCount",
    "resourceCount",
    "sendto",
    "synchronization",
    "rescheduleLink",
    "onlineMeeting",
    "encryptedId",
    "price",
    "location",
    "locationCustom",
    "extendedProperties",
)
LIGHT_FIELDS = (
    "id",
    "reference",
    "status",
    "customStatus",
    "start",
    "end",
    "company",
    "service",
    "staff",
    "resource",
    "client",
)
EXTRA_KEY = "agendize"


def ref(id: int | None, name: str) -> dict[str, str]:
    return {"id": "" if id is None else str(id), "name": name}


def full_name(first: str, last: str) -> str:
    return f"{first} {last}".strip()


def company_ref(e: Location | None) -> dict[str, str]:
    return ref(e.id, e.name) if e else {}


def service_ref(e: Service | None) -> dict[str, str]:
    return {"id": str(e.id), "name": e.name, "externalId": ""} if e else {}


def staff_ref(e: Staff | None) -> dict[str, str]:
    if e is None:
        return {}
    return {"id": str(e.id), "firstName": e.first_name, "lastName": e.last_name, "externalId": ""}


def resource_ref(e: Resource | None) -> dict[str, str]:
    return {"id": str(e.id), "name": e.name, "externalId": ""} if e else {}


def client_ref(e: Client | None) -> dict[str, str]:
    if e is None:
        return {}
    return {
        "id": str(e.id),
        "firstName": e.first_name,
        "lastName": e.last_name,
        "email": e.email or "",
        "phone": e.phone or "",
        "mobilePhone": "",
        "externalId": e.external_id or "",
        "timeZone": e.time_zone or "",
    }


def _price(v: View) -> dict[str, Any]:
    """The price copied from the service at booking."""
    price, currency = v.appointment.price, v.appointment.currency
    if price is None:
        return {}
    return {"amount": float(price), "currency": currency or ""}


Memo = dict[tuple[str, int], Any]


def _once(memo: Memo | None, kind: str, obj: Any, build: Any) -> Any:
    """``build(obj)``, built once per object of a list (the dicts are shared, never changed)."""
    if obj is None:
        return {}
    if memo is None:
        return build(obj)
    key = (kind, id(obj))
    found = memo.get(key)
    if found is None:
        found = memo[key] = build(obj)
    return found


def _light_staff(e: Staff) -> dict[str, str]:
    return ref(e.id, full_name(e.first_name, e.last_name))


def _light_client(e: Client) -> dict[str, str]:
    return ref(e.id, full_name(e.first_name, e.last_name))


def _light_service(e: Service) -> dict[str, str]:
    return ref(e.id, e.name)


def _form_item(answer: dict[str, Any]) -> dict[str, Any]:
    """A core form answer as a FormItem: ``id`` is the form field's id."""
    item: dict[str, Any] = {"id": str(answer.get("field_id", ""))}
    if "values" in answer:
        item["values"] = [{"id": str(x), "name": str(x), "value": str(x)} for x in answer["values"]]
    else:
        item["value"] = "" if answer.get("value") is None else str(answer["value"])
    return item


def appointment(
    v: View,
    *,
    level: str,
    lang: str,
    now: datetime,
    memo: Memo | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """The Agendize Appointment resource of ``v`` at ``level`` (``light`` or ``full``).

    A list passes one ``memo`` for all its items: the company, service, staff and client
    objects they share are then rendered once."""
    a = v.appointment
    tz = v.location.time_zone if v.location else "UTC"
    # "status" or "customStatus", never both: an account-defined status wins.
    status = (
        {"customStatus": {"id": str(v.custom_status.id), "name": v.custom_status.name}}
        if v.custom_status is not None
        else {"status": STATUS_OUT[a.status]}
    )
    if level == "light":
        return {
            "id": str(a.id),
            "reference": a.reference,
            **status,
            "start": render_zoned(a.start, tz),
            "end": render_zoned(a.end, tz),
            "company": _once(memo, "company", v.location, company_ref),
            "service": _once(memo, "light-service", v.service, _light_service),
            "staff": _once(memo, "light-staff", v.staff, _light_staff),
            "resource": ref(v.resources[0].id, v.resources[0].name) if v.resources else {},
            "client": _once(memo, "light-client", v.client, _light_client),
        }
    mine: dict[str, Any] = a.extra.get(EXTRA_KEY, {}) if isinstance(a.extra, dict) else {}
    client = _once(memo, "client", v.client, client_ref)
    manage = manage_url(settings, a.manage_token) if settings is not None else ""
    return {
        "id": str(a.id),
        "reference": a.reference,
        "company": _once(memo, "company", v.location, company_ref),
        "service": _once(memo, "service", v.service, service_ref),
        "resource": resource_ref(v.resources[0]) if v.resources else {},
        "staff": _once(memo, "staff", v.staff, staff_ref),
        "client": client,
        "parent": {},
        "start": render_zoned(a.start, tz),
        "end": render_zoned(a.end, tz),
        "created": render_zoned(a.created_at, tz),
        "form": [_form_item(x) for x in a.form],
        **status,
        "notes": a.notes or "",
        "history": [hist.entry(h, tz, lang, client) for h in v.history],
        "service-resource": [],
        "meta-event": False,
        "type": "normal",
        "paid": a.paid,
        "addToWaitingList": False,
        "source": a.source,
        "iterationCount": 1,
        "resourceCount": len(v.resources),
        "sendto": "",
        "synchronization": {},
        # The manage page, only while the appointment has not ended.
        "rescheduleLink": manage if manage and a.end > now else "",
        "onlineMeeting": {},
        "encryptedId": a.manage_token,
        "price": _price(v),
        "location": mine.get("location", "companyAddress"),
        "locationCustom": "",
        "extendedProperties": {
            "private": a.metadata.get("private", {}),
            "public": a.metadata.get("public", {}),
        },
    }


def personal(p: PersonalView, company: Location, *, level: str) -> dict[str, Any]:
    """A personal appointment: the core's time off, shown in the company's zone."""
    t, tz = p.time_off, company.time_zone
    staff = p.staff
    body: dict[str, Any] = {
        "id": f"{PERSONAL_PREFIX}{t.id}",
        "reference": "",
        "status": "accepted",
        "start": render_zoned(t.start, tz),
        "end": render_zoned(t.end, tz),
        "company": company_ref(company),
        "service": {},
        "staff": (
            ref(staff.id, full_name(staff.first_name, staff.last_name))
            if level == "light"
            else staff_ref(staff)
        )
        if staff
        else {},
        "resource": {},
        "client": {},
    }
    if level == "light":
        return body
    body.update(
        {
            "parent": {},
            "created": None,
            "form": [],
            "notes": t.reason or "",
            "history": [],
            "service-resource": [],
            "meta-event": False,
            "type": "personal",
            "paid": False,
            "addToWaitingList": False,
            "source": "",
            "iterationCount": 1,
            "resourceCount": 0,
            "sendto": "",
            "synchronization": {},
            "rescheduleLink": "",
            "onlineMeeting": {},
            "encryptedId": "",
            "price": {},
            "location": "companyAddress",
            "locationCustom": "",
            "extendedProperties": {"private": {}, "public": {}},
        }
    )
    return {k: body[k] for k in FULL_FIELDS if k in body}


def fields_of(raw: str | None) -> list[str] | None:
    """The ``fields=`` projection: top-level property names; :class:`Invalid` for unknown."""
    if raw is None or not raw.strip():
        return None
    names = [n.strip() for n in raw.split(",") if n.strip()]
    unknown = [n for n in names if n.split(".")[0] not in FULL_FIELDS]
    if unknown:
        raise Invalid.field("fields", f"unknown properties: {', '.join(unknown)}")
    return names


def project(resource: dict[str, Any], names: list[str] | None) -> dict[str, Any]:
    """``resource`` narrowed to ``names`` (``client`` or ``client.firstName``)."""
    if names is None:
        return resource
    out: dict[str, Any] = {}
    for name in names:
        head, _, sub = name.partition(".")
        if head not in resource:
            continue
        value = resource[head]
        if sub and isinstance(value, dict):
            part = out.setdefault(head, {})
            if isinstance(part, dict) and sub in value:
                part[sub] = value[sub]
        else:
            out[head] = value
    return out


# -- the catalog ------------------------------------------------------------------------------


def company(e: Location) -> dict[str, Any]:
    return {
        "id": str(e.id),
        "name": e.name,
        "timeZone": e.time_zone,
        "email": "",
        "phone": "",
        "address": {"street": e.address or ""},
        "description": "",
        "externalId": "",
        "created": render_zoned(e.created_at, e.time_zone),
        "updated": render_zoned(e.updated_at, e.time_zone),
    }


def service(e: Service) -> dict[str, Any]:
    return {
        "id": str(e.id),
        "name": e.name,
        "duration": e.duration_minutes,
        "preparationDuration": e.buffer_before_minutes,
        "bufferDuration": e.buffer_after_minutes,
        "capacity": e.capacity,
        "price": float(e.price) if e.price is not None else None,
        "currency": e.currency or "",
        "staff": [{"id": str(i)} for i in e.staff_ids],
        "resource": [{"id": str(i), "quantity": 1} for i in e.resource_ids],
        "externalId": "",
    }


def staff(e: Staff) -> dict[str, Any]:
    return {
        "id": str(e.id),
        "firstName": e.first_name,
        "lastName": e.last_name,
        "email": e.email or "",
        "timeZone": e.time_zone,
        "services": [{"id": str(i)} for i in e.service_ids],
        "externalId": "",
    }


def resource(e: Resource) -> dict[str, Any]:
    return {"id": str(e.id), "name": e.name, "count": e.capacity, "externalId": ""}


def client(e: Client) -> dict[str, Any]:
    return client_ref(e)
