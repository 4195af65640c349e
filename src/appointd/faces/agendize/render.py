"""Core objects -> Agendize resources (appointments, companies, services, staff, ...).

Ids are strings. ``levelDetail=light`` is a fixed subset, the same in list and get: ``id``,
``reference``, ``status`` or ``customStatus``, ``start``, ``end``, and ``company``,
``service``, ``staff``, ``resource``, ``client`` as ``{id, name}``. ``full`` is every
property of the seed; what appointd has nothing for is present and empty (``""``, ``{}``,
``[]``, ``false``). Personal appointments (the core's time off) have ids ``personal-<n>``,
which no appointment id or reference can be.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from json.encoder import encode_basestring
from typing import Any

from appointd.app.links import manage_url
from appointd.domain.errors import Invalid
from appointd.domain.model import Client, HistoryEntry, Location, Resource, Service, Staff
from appointd.domain.status import Status
from appointd.faces.agendize import history as hist
from appointd.faces.agendize.times import render_zoned, render_zoned_fast
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
    return {"id": str(e.id), "name": e.name, "externalId": e.external_id or ""} if e else {}


def staff_ref(e: Staff | None) -> dict[str, str]:
    if e is None:
        return {}
    return {
        "id": str(e.id),
        "firstName": e.first_name,
        "lastName": e.last_name,
        "externalId": e.external_id or "",
    }


def resource_ref(e: Resource | None) -> dict[str, str]:
    return {"id": str(e.id), "name": e.name, "externalId": e.external_id or ""} if e else {}


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
# The JSON of every answer: compact, not ASCII-escaped (errors.reply writes the same).
dumps = _dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_string = encode_basestring  # a str as a JSON string, as _dumps writes it
# What secrets.token_urlsafe draws: such a manage token needs no quoting in a URL.
_URL_SAFE = re.compile(r"[A-Za-z0-9_-]*")


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


class Writer:
    """Renders the appointments of one answer (a list, a get, a batch of watch deliveries).

    Whatever the items share is worked out once per writer, not once per item: the company,
    service, staff and client objects (built once per object and shared between items, never
    changed), each ``{dateTime, timeZone}`` of an instant in a zone, the manage page's base URL.
    A 500-item ``levelDetail=full`` list therefore costs little more than its dicts.
    """

    def __init__(
        self, *, level: str, lang: str, now: datetime, settings: Settings | None = None
    ) -> None:
        self.level = level
        self.lang = lang
        self.now = now
        self.memo: Memo = {}
        self._manage = manage_url(settings, "") if settings is not None else None
        self._settings = settings
        self._times: dict[tuple[datetime, str], dict[str, str]] = {}
        self._texts: dict[tuple[datetime, str], str] = {}
        self._users: dict[tuple[str, str, int], str] = {}

    def zoned(self, instant: datetime | None, time_zone: str) -> dict[str, str] | None:
        """:func:`~appointd.faces.agendize.times.render_zoned`, remembered per instant and zone
        (a list's start and end times repeat from one staff member to the next)."""
        if instant is None:
            return None
        key = (instant, time_zone)
        found = self._times.get(key)
        if found is None:
            found = self._times[key] = render_zoned_fast(instant, time_zone)
        return found

    def manage(self, token: str) -> str:
        """The manage page of ``token`` (``""`` without settings to take the base from)."""
        if self._manage is None or not token:
            return ""
        if _URL_SAFE.fullmatch(token):
            return self._manage + token
        assert self._settings is not None
        return manage_url(self._settings, token)

    def appointment(self, v: View) -> dict[str, Any]:
        """The Agendize Appointment resource of ``v`` at this writer's level."""
        a = v.appointment
        memo = self.memo
        tz = v.location.time_zone if v.location else "UTC"
        zoned = self.zoned
        # "status" or "customStatus", never both: an account-defined status wins.
        status = (
            {"customStatus": {"id": str(v.custom_status.id), "name": v.custom_status.name}}
            if v.custom_status is not None
            else {"status": STATUS_OUT[a.status]}
        )
        if self.level == "light":
            return {
                "id": str(a.id),
                "reference": a.reference,
                **status,
                "start": zoned(a.start, tz),
                "end": zoned(a.end, tz),
                "company": _once(memo, "company", v.location, company_ref),
                "service": _once(memo, "light-service", v.service, _light_service),
                "staff": _once(memo, "light-staff", v.staff, _light_staff),
                "resource": ref(v.resources[0].id, v.resources[0].name) if v.resources else {},
                "client": _once(memo, "light-client", v.client, _light_client),
            }
        mine: dict[str, Any] = a.extra.get(EXTRA_KEY, {}) if isinstance(a.extra, dict) else {}
        client = _once(memo, "client", v.client, client_ref)
        lang = self.lang
        metadata = a.metadata
        return {
            "id": str(a.id),
            "reference": a.reference,
            "company": _once(memo, "company", v.location, company_ref),
            "service": _once(memo, "service", v.service, service_ref),
            "resource": resource_ref(v.resources[0]) if v.resources else {},
            "staff": _once(memo, "staff", v.staff, staff_ref),
            "client": client,
            "parent": {},
            "start": zoned(a.start, tz),
            "end": zoned(a.end, tz),
            "created": zoned(a.created_at, tz),
            "form": [_form_item(x) for x in a.form] if a.form else [],
            **status,
            "notes": a.notes or "",
            "history": [hist.entry(h, tz, lang, client, zoned(h.at, tz)) for h in v.history],
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
            "rescheduleLink": self.manage(a.manage_token) if a.end > self.now else "",
            "onlineMeeting": {},
            "encryptedId": a.manage_token,
            "price": _price(v),
            "location": mine.get("location", "companyAddress"),
            "locationCustom": "",
            "extendedProperties": {
                "private": metadata.get("private", {}),
                "public": metadata.get("public", {}),
            },
        }

    # -- the same resource as JSON text, for lists ------------------------------------------

    def _shared_text(self, kind: str, obj: Any, build: Any) -> str:
        """The JSON text of ``build(obj)``, encoded once per object of the answer."""
        if obj is None:
            return "{}"
        key = ("text-" + kind, id(obj))
        found: str | None = self.memo.get(key)
        if found is None:
            found = self.memo[key] = _dumps(_once(self.memo, kind, obj, build))
        return found

    def _zoned_text(self, instant: datetime | None, time_zone: str) -> str:
        if instant is None:
            return "null"
        key = (instant, "text-" + time_zone)
        found = self._texts.get(key)
        if found is None:
            found = self._texts[key] = _dumps(self.zoned(instant, time_zone))
        return found

    def appointment_text(self, v: View) -> str:
        """``json.dumps(self.appointment(v))`` (compact, not ASCII-escaped), character for
        character, written directly: a list encodes each shared object and each zoned time
        once, and the properties appointd keeps empty as constant text. The full level only;
        ``tests/faces/agendize/test_render_text.py`` holds the two forms equal."""
        if self.level != "full":
            return _dumps(self.appointment(v))
        a = v.appointment
        tz = v.location.time_zone if v.location else "UTC"
        text, zoned = _string, self._zoned_text
        if v.custom_status is not None:
            status = ',"customStatus":' + _dumps(
                {"id": str(v.custom_status.id), "name": v.custom_status.name}
            )
        else:
            status = ',"status":' + text(STATUS_OUT[a.status])
        client = _once(self.memo, "client", v.client, client_ref)
        mine: dict[str, Any] = a.extra.get(EXTRA_KEY, {}) if isinstance(a.extra, dict) else {}
        metadata = a.metadata
        return "".join(
            (
                '{"id":',
                text(str(a.id)),
                ',"reference":',
                text(a.reference),
                ',"company":',
                self._shared_text("company", v.location, company_ref),
                ',"service":',
                self._shared_text("service", v.service, service_ref),
                ',"resource":',
                _dumps(resource_ref(v.resources[0])) if v.resources else "{}",
                ',"staff":',
                self._shared_text("staff", v.staff, staff_ref),
                ',"client":',
                self._shared_text("client", v.client, client_ref),
                ',"parent":{},"start":',
                zoned(a.start, tz),
                ',"end":',
                zoned(a.end, tz),
                ',"created":',
                zoned(a.created_at, tz),
                ',"form":',
                _dumps([_form_item(x) for x in a.form]) if a.form else "[]",
                status,
                ',"notes":',
                text(a.notes or ""),
                ',"history":[',
                ",".join(self._history_text(h, tz, client) for h in v.history),
                '],"service-resource":[],"meta-event":false,"type":"normal","paid":',
                "true" if a.paid else "false",
                ',"addToWaitingList":false,"source":',
                text(a.source),
                ',"iterationCount":1,"resourceCount":',
                str(len(v.resources)),
                ',"sendto":"","synchronization":{},"rescheduleLink":',
                text(self.manage(a.manage_token) if a.end > self.now else ""),
                ',"onlineMeeting":{},"encryptedId":',
                text(a.manage_token),
                ',"price":',
                _dumps(_price(v)),
                ',"location":',
                _dumps(mine.get("location", "companyAddress")),
                ',"locationCustom":"","extendedProperties":',
                _dumps(
                    {"private": metadata.get("private", {}), "public": metadata.get("public", {})}
                )
                if metadata
                else '{"private":{},"public":{}}',
                "}",
            )
        )

    def _history_text(self, h: HistoryEntry, tz: str, client: dict[str, Any]) -> str:
        type_, key = hist.kind_of(h)
        user_key = ("text-user", h.actor, id(client))
        user = self._users.get(user_key)
        if user is None:
            user = self._users[user_key] = _dumps(hist.user_of(h, client))
        return "".join(
            (
                '{"text":',
                _string(hist.text_of(h, key, self.lang)),
                ',"date":',
                self._zoned_text(h.at, tz),
                ',"source":',
                _string(h.source),
                ',"user":',
                user,
                ',"type":',
                _string(type_),
                "}",
            )
        )


def appointment(
    v: View,
    *,
    level: str,
    lang: str,
    now: datetime,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """The Agendize Appointment resource of ``v`` at ``level`` (``light`` or ``full``); a list
    renders its items with one :class:`Writer` instead."""
    return Writer(level=level, lang=lang, now=now, settings=settings).appointment(v)


def extra_full(v: View, full: dict[str, Any]) -> dict[str, Any]:
    """A watch's ``levelDetails=extraFull``: the full resource with its company, service, staff,
    resource and client expanded from references to the whole objects the catalog endpoints
    answer (``GET /companies/{id}``, ``/services/{id}``, ...), so that a receiver needs no
    second call. The seed names the level without saying more; this is appointd's reading."""
    return {
        **full,
        "company": company(v.location) if v.location else {},
        "service": service(v.service) if v.service else {},
        "resource": resource(v.resources[0]) if v.resources else {},
        "staff": staff(v.staff) if v.staff else {},
        "client": client(v.client) if v.client else {},
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
        "externalId": e.external_id or "",
    }


def staff(e: Staff) -> dict[str, Any]:
    return {
        "id": str(e.id),
        "firstName": e.first_name,
        "lastName": e.last_name,
        "email": e.email or "",
        "timeZone": e.time_zone,
        "services": [{"id": str(i)} for i in e.service_ids],
        "externalId": e.external_id or "",
    }


def resource(e: Resource) -> dict[str, Any]:
    return {
        "id": str(e.id),
        "name": e.name,
        "count": e.capacity,
        "externalId": e.external_id or "",
    }


def client(e: Client) -> dict[str, Any]:
    return client_ref(e)
