"""``/companies/{companyId}/appointments``: list, get, insert, update, delete.

Each handler parses the Agendize request into one core command, calls the use case, and renders
the result. ``{appointmentId}`` is an appointment id, the appointment's reference, or
``personal-<n>`` for a personal appointment (the core's time off). Success is always 200;
DELETE answers 200 with an empty body.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Body, Depends, Request, Response

from appointd.app import appointments, catalog, time_off
from appointd.app.commands import BookAppointment, ChangeAppointment, TransitionAppointment
from appointd.app.context import Context, one_transaction
from appointd.app.queries import AppointmentQuery
from appointd.domain.errors import FieldError, Invalid, NotFound
from appointd.domain.model import Client, HistoryEntry, Location
from appointd.domain.notifications import Notify
from appointd.domain.status import Status, transition
from appointd.faces.agendize import render, views
from appointd.faces.agendize.auth import context
from appointd.faces.agendize.errors import AgendizeRoute, reply, reply_text
from appointd.faces.agendize.history import language
from appointd.faces.agendize.parse import AppointmentBody, merged_extra, parse_body
from appointd.faces.agendize.parsers import parse_bool, parse_id, parse_instant, path_id
from appointd.faces.agendize.render import EXTRA_KEY, PERSONAL_PREFIX
from appointd.store.repositories.conditions import Condition

router = APIRouter(route_class=AgendizeRoute, include_in_schema=False)
BASE = "/companies/{company_id}/appointments"
LEVELS = ("light", "full")


def company_of(ctx: Context, raw: str) -> Location:
    location: Location = catalog.get(ctx, "locations", path_id(raw, "location"))
    return location


def _flag(request: Request, name: str) -> bool:
    value = request.query_params.get(name)
    return False if value is None or value == "" else parse_bool(value, name)


def _notify(request: Request) -> Notify | None:
    """``silent=true``: neither the client nor the staff hear; otherwise the account default."""
    return Notify(client=False, staff=False) if _flag(request, "silent") else None


def _level(request: Request, default: str) -> str:
    value = request.query_params.get("levelDetail") or default
    if value not in LEVELS:
        raise Invalid.field("levelDetail", 'one of "light", "full"')
    return value


def _personal_id(raw: str) -> int | None:
    if raw.startswith(PERSONAL_PREFIX):
        return path_id(raw.removeprefix(PERSONAL_PREFIX), "time_off")
    return None


def _appointment_id(ctx: Context, raw: str) -> int:
    """An appointment id, or the id of the appointment whose reference is ``raw``."""
    if raw.isascii() and raw.isdigit():
        return path_id(raw, "appointment")
    return appointments.get_appointment_by_reference(ctx, raw).id


def _now(ctx: Context) -> datetime:
    return ctx.now()


def _one(ctx: Context, appointment_id: int, company: Location) -> views.View:
    view = views.one(ctx, appointment_id)
    if view is None or view.appointment.location_id != company.id:
        raise NotFound("appointment", appointment_id)
    return view


def _shown(ctx: Context, view: views.View, request: Request, level: str = "full") -> dict[str, Any]:
    lang = language(request.query_params.get("lang"))
    settings = ctx.services.settings
    return render.appointment(view, level=level, lang=lang, now=_now(ctx), settings=settings)


# -- list ------------------------------------------------------------------------------------


def _add_months(moment: datetime, months: int) -> datetime:
    month0 = moment.month - 1 + months
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    days = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30]
    days += [31, 31, 30, 31, 30, 31]
    return moment.replace(year=year, month=month, day=min(moment.day, days[month - 1]))


_LIST_STATUS = {
    "noShow": [Status.NO_SHOW],
    "accepted": [Status.CONFIRMED, Status.CHECKED_IN],
    "completed": [Status.COMPLETED],
    "cancelled": [Status.CANCELLED],
    "pending": [Status.PENDING],
    "declined": [Status.DECLINED],
    "inProgress": [Status.IN_PROGRESS],
}


_FILTER_KINDS = {"serviceId": "services", "staffId": "staff", "resourceId": "resources"}
_REF_KINDS = {"service": "services", "staff": "staff", "resource": "resources"}


def _ref_filter(ctx: Context, request: Request, name: str) -> list[int] | None:
    """An internal or external id (the seed's words): the object with that id, else the one
    with that external id; one that names neither matches nothing."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if len(raw) > 200:
        raise Invalid.field(name, "an id or external id of at most 200 characters")
    found = catalog.resolve_id(ctx, _FILTER_KINDS[name], raw)
    return [] if found is None else [found]


def resolve_external(ctx: Context, parsed: AppointmentBody) -> None:
    """Fill the ids of the staff, service and resource a body names by ``externalId`` alone;
    an external id nobody carries is 400 naming ``<name>.externalId``."""
    problems = []
    for name, external in parsed.external.items():
        found = catalog.id_by_external_id(ctx, _REF_KINDS[name], external, live_only=True)
        if found is None:
            problems.append(
                FieldError(f"{name}.externalId", f"no {name} has externalId {external!r}")
            )
        elif name == "service":
            parsed.service_id = found
        elif name == "staff":
            parsed.staff_id = found
        else:
            parsed.resource_ids = [found]
    if problems:
        raise Invalid(problems)


@router.get(BASE, summary="List appointments")
def list_appointments(
    company_id: str, request: Request, ctx: Context = Depends(context)
) -> Response:
    q = request.query_params
    company = company_of(ctx, company_id)
    problems: list[FieldError] = []
    now = _now(ctx)

    def instant(name: str, default: datetime | None) -> datetime | None:
        try:
            return parse_instant(q[name], name) if q.get(name) else default
        except Invalid as exc:
            problems.extend(exc.errors)
            return None

    start = instant("startDate", _add_months(now, -1))
    end = instant("endDate", _add_months(now, 1))
    created_from = instant("createdStartDate", None)
    created_to = instant("createdEndDate", None)
    statuses = None
    if q.get("status"):
        if q["status"] not in _LIST_STATUS:
            problems.append(FieldError("status", "one of " + ", ".join(_LIST_STATUS)))
        else:
            statuses = _LIST_STATUS[q["status"]]
    try:
        level = _level(request, "light")
        names = render.fields_of(q.get("fields"))
        personal = _flag(request, "personalAppointments")
        deleted = _flag(request, "showDeleted")
        client_ids = [parse_id(q["clientId"], "clientId")] if q.get("clientId") else None
        service_ids = _ref_filter(ctx, request, "serviceId")
        staff_ids = _ref_filter(ctx, request, "staffId")
        resource_ids = _ref_filter(ctx, request, "resourceId")
        sync = parse_id(q["syncToken"], "syncToken") if q.get("syncToken") else None
    except Invalid as exc:
        raise Invalid(problems + exc.errors) from None
    if start and end and end <= start:
        problems.append(FieldError("endDate", "must be after startDate"))
    if problems:
        raise Invalid(problems)
    text = (q.get("q") or "").strip() or None
    external = q.get("externalClientId")
    query = AppointmentQuery(
        window_start=start,
        window_end=end,
        created_from=created_from,
        created_to=created_to,
        location_ids=[company.id],
        staff_ids=staff_ids,
        service_ids=service_ids,
        client_ids=client_ids,
        resource_ids=resource_ids,
        statuses=statuses,
        client_external_ids=[external] if external is not None else None,
        text=text,
        include_deleted=deleted,
    )
    if sync is not None:
        # A sync list is every change since the token, whatever the window, deletions
        # included (a client must learn of them), in change order.
        query.window_start = query.window_end = None
        query.changed_since = sync
        query.include_deleted = True
        query.order_by = "change_seq"
    found, latest = views.search(ctx, query, with_history=level == "full")
    lang = language(q.get("lang"))
    writer = render.Writer(level=level, lang=lang, now=now, settings=ctx.services.settings)
    if names is None:
        # Each item written as JSON text directly: a 500-item full list is mostly this.
        texts = [writer.appointment_text(v) for v in found]
    else:
        texts = [render.dumps(render.project(writer.appointment(v), names)) for v in found]
    narrowed = statuses or client_ids or service_ids or resource_ids or text or external
    if personal and sync is None and not narrowed:
        for p in views.personal(ctx, company.id, start, end):
            if staff_ids is None or p.time_off.staff_id in staff_ids:
                item = render.project(render.personal(p, company, level=level), names)
                texts.append(render.dumps(item))
    token = render.dumps(str(max(latest, sync or 0)))
    return reply_text('{"items":[' + ",".join(texts) + '],"nextSyncToken":' + token + "}")


def _searchable(v: views.View) -> str:
    """The text ``q`` searches: form answers (and notes), lower case."""
    mine = v.appointment.extra.get(EXTRA_KEY, {}) if isinstance(v.appointment.extra, dict) else {}
    parts = [v.appointment.notes or ""]
    for item in mine.get("form", []):
        if isinstance(item, dict):
            parts.append(str(item.get("value") or ""))
            for value in item.get("values") or []:
                if isinstance(value, dict):
                    parts.extend(str(value.get(k) or "") for k in ("name", "value"))
    for value in getattr(v.appointment, "form", []) or []:
        if isinstance(value, dict):
            parts.append(str(value.get("value") or ""))
            parts.extend(str(x) for x in value.get("values") or [])
    return "\n".join(parts).lower()


# -- get -------------------------------------------------------------------------------------


@router.get(BASE + "/{appointment_id}", summary="Get an appointment")
def get_appointment(
    company_id: str, appointment_id: str, request: Request, ctx: Context = Depends(context)
) -> Response:
    company = company_of(ctx, company_id)
    level = _level(request, "full")
    names = render.fields_of(request.query_params.get("fields"))
    personal_id = _personal_id(appointment_id)
    if personal_id is not None:
        p = views.personal_one(ctx, personal_id)
        if p is None or (
            p.staff and p.staff.location_ids and company.id not in p.staff.location_ids
        ):
            raise NotFound("time_off", appointment_id)
        return reply(render.project(render.personal(p, company, level=level), names))
    view = _one(ctx, _appointment_id(ctx, appointment_id), company)
    return reply(render.project(_shown(ctx, view, request, level), names))


# -- insert ----------------------------------------------------------------------------------


@router.post(BASE, summary="Insert an appointment")
def insert_appointment(
    company_id: str,
    request: Request,
    body: Any = Body(None),
    ctx: Context = Depends(context),
) -> Response:
    location_id = path_id(company_id, "location")
    force = _flag(request, "force")
    notify = _notify(request)
    _flag(request, "personalAppointmentSync")  # accepted; appointd syncs no calendars
    # Wall times without a zone stay naive: the core reads them at the company (one lookup
    # fewer on the hot path) and refuses a gap there.
    parsed = parse_body(body, None)
    if parsed.external:
        resolve_external(ctx, parsed)
    if parsed.personal:
        company = company_of(ctx, company_id)
        parsed = parse_body(body, company.time_zone)
        resolve_external(ctx, parsed)
        return reply(_insert_personal(ctx, parsed, company, force))
    missing = [
        FieldError(name, "required")
        for name, value in (
            ("client.id", parsed.client_id or parsed.new_client),
            ("service.id", parsed.service_id),
            ("start", parsed.start),
        )
        if value is None
    ]
    if force and parsed.staff_id is None:
        missing.append(FieldError("staff.id", "required with force"))
    if missing:
        raise Invalid(missing)
    assert parsed.service_id is not None and parsed.start is not None
    if parsed.new_client is not None:
        # The client and the booking in one transaction: a refused booking leaves no client.
        with one_transaction(ctx):
            parsed.client_id = _client_for(ctx, parsed.new_client)
            return _book(ctx, request, parsed, location_id, force, notify)
    return _book(ctx, request, parsed, location_id, force, notify)


def _client_for(ctx: Context, sent: dict[str, str]) -> int:
    """The id of the client an insert names without an id: the account's client with that
    ``externalId`` when there is one, else a new client (the same clients as ``/v1``)."""
    external = sent.get("externalId")
    if external is not None:
        found = catalog.list_page(
            ctx,
            "clients",
            include_archived=False,
            limit=1,
            offset=0,
            conditions=[Condition("external_id", "=", external)],
        ).items
        if found:
            return int(found[0].id)
    if not any(sent.get(name) for name in ("firstName", "lastName", "email")):
        raise Invalid.field(
            "client.id", "required (or the new client's firstName, lastName or email)"
        )
    fields: dict[str, Any] = {
        "first_name": sent.get("firstName") or "",
        "last_name": sent.get("lastName") or "",
        "email": sent.get("email"),
        "phone": sent.get("phone") or sent.get("mobilePhone"),
        "time_zone": sent.get("timeZone"),
        "external_id": external,
    }
    try:
        created: Client = catalog.create(ctx, "clients", fields)
    except Invalid as exc:
        raise Invalid(
            [
                FieldError("client." + _CLIENT_NAMES.get(e.field, e.field), e.message)
                for e in exc.errors
            ]
        ) from None
    return created.id


_CLIENT_NAMES = {
    "first_name": "firstName",
    "last_name": "lastName",
    "email": "email",
    "phone": "phone",
    "time_zone": "timeZone",
    "external_id": "externalId",
}


def _book(
    ctx: Context,
    request: Request,
    parsed: AppointmentBody,
    location_id: int,
    force: bool,
    notify: Notify | None,
) -> Response:
    assert parsed.service_id is not None and parsed.start is not None
    cmd = BookAppointment(
        location_id=location_id,
        service_id=parsed.service_id,
        start=parsed.start,
        client_id=parsed.client_id,
        staff_id=parsed.staff_id,
        end=parsed.end,
        resource_ids=parsed.resource_ids or [],
        notes=parsed.notes,
        status=parsed.status or Status.CONFIRMED,
        override=force,
        extra={EXTRA_KEY: parsed.extra} if parsed.extra else {},
        notify=notify,
        form=parsed.form,
        paid=bool(parsed.paid),
        metadata=parsed.metadata or {},
        custom_status_id=parsed.custom_status_id,
    )
    appt = appointments.book(ctx, cmd)
    # A new booking's history is its one "booked" entry, stamped as the core stamps it.
    booked: HistoryEntry | None = HistoryEntry(
        appointment_id=appt.id,
        at=appt.created_at or ctx.now(),
        action="booked",
        actor=ctx.caller.actor,
        source=ctx.caller.source,
        to_status=appt.status.value,
        changes={"override": True} if appt.override else {},
    )
    if appt.custom_status_id is not None or appt.status is not Status.CONFIRMED:
        booked = None  # the core may have recorded more than one entry: read them
    return reply(_shown(ctx, views.of(ctx, appt, [booked] if booked else None), request))


def _insert_personal(
    ctx: Context, parsed: AppointmentBody, company: Location, force: bool
) -> dict[str, Any]:
    missing = [
        FieldError(name, "required for a personal appointment")
        for name, value in (
            ("staff.id", parsed.staff_id),
            ("start", parsed.start),
            ("end", parsed.end),
        )
        if value is None
    ]
    if missing:
        raise Invalid(missing)
    assert parsed.staff_id and parsed.start and parsed.end
    if parsed.end <= parsed.start:
        raise Invalid.field("end", "must be after start")
    entry = time_off.add(ctx, parsed.staff_id, parsed.start, parsed.end, parsed.notes, force)
    p = views.personal_one(ctx, entry.id)
    assert p is not None
    return render.personal(p, company, level="full")


# -- update ----------------------------------------------------------------------------------


@router.put(BASE + "/{appointment_id}", summary="Update an appointment")
def update_appointment(
    company_id: str,
    appointment_id: str,
    request: Request,
    body: Any = Body(None),
    ctx: Context = Depends(context),
) -> Response:
    company = company_of(ctx, company_id)
    force = _flag(request, "force")
    notify = _notify(request)
    _flag(request, "personalAppointmentSync")
    parsed = parse_body(body, company.time_zone)
    resolve_external(ctx, parsed)
    personal_id = _personal_id(appointment_id)
    if personal_id is not None:
        return reply(_update_personal(ctx, personal_id, parsed, company, force))
    current = _one(ctx, _appointment_id(ctx, appointment_id), company)
    a = current.appointment
    changes: dict[str, Any] = {}
    for key, value in (
        ("start", parsed.start),
        ("end", parsed.end),
        ("staff_id", parsed.staff_id),
        ("service_id", parsed.service_id),
        ("resource_ids", parsed.resource_ids),
        ("client_id", parsed.client_id),
    ):
        if value is not None and value != getattr(a, key):
            changes[key] = value
    if parsed.notes is not None and parsed.notes != (a.notes or ""):
        changes["notes"] = parsed.notes
    if parsed.extra:
        extra = merged_extra(a.extra, parsed)
        if extra != a.extra:
            changes["extra"] = extra
    if parsed.paid is not None and parsed.paid != a.paid:
        changes["paid"] = parsed.paid
    if parsed.metadata is not None and parsed.metadata != a.metadata:
        changes["metadata"] = parsed.metadata
    if parsed.form is not None:
        changes["form"] = parsed.form
    if parsed.custom_status_id is not None and parsed.custom_status_id != a.custom_status_id:
        changes["custom_status_id"] = parsed.custom_status_id
    if force:
        if (changes.get("staff_id") or a.staff_id) is None:
            raise Invalid.field("staff.id", "required with force")
        if changes.keys() & {"start", "end", "staff_id", "service_id", "resource_ids"}:
            changes["override"] = True
    target = parsed.status
    if target is not None and render.STATUS_OUT[target] == render.STATUS_OUT[a.status]:
        target = None
        if a.custom_status_id is not None:  # "status" given: the custom status goes
            changes["custom_status_id"] = None
    if target is not None:
        # Checked before anything is written, so a refused status change writes nothing.
        transition(a.status, target)
    if changes:
        appointments.change(ctx, ChangeAppointment(a.id, changes, notify=notify))
    if target is not None:
        appointments.transition_to(ctx, TransitionAppointment(a.id, target, notify=notify))
    return reply(_shown(ctx, _one(ctx, a.id, company), request))


def _update_personal(
    ctx: Context, time_off_id: int, parsed: AppointmentBody, company: Location, force: bool
) -> dict[str, Any]:
    current = views.personal_one(ctx, time_off_id)
    if current is None:
        raise NotFound("time_off", f"{PERSONAL_PREFIX}{time_off_id}")
    t = current.time_off
    start, end = parsed.start or t.start, parsed.end or t.end
    if end <= start:
        raise Invalid.field("end", "must be after start")
    entry = time_off.update(
        ctx,
        t.id,
        parsed.staff_id or t.staff_id,
        start,
        end,
        parsed.notes if parsed.notes is not None else t.reason,
        force,
    )
    p = views.personal_one(ctx, entry.id)
    assert p is not None
    return render.personal(p, company, level="full")


# -- delete ----------------------------------------------------------------------------------


@router.delete(BASE + "/{appointment_id}", summary="Delete an appointment")
def delete_appointment(
    company_id: str, appointment_id: str, request: Request, ctx: Context = Depends(context)
) -> Response:
    company = company_of(ctx, company_id)
    _flag(request, "silent")
    personal_id = _personal_id(appointment_id)
    if personal_id is not None:
        p = views.personal_one(ctx, personal_id)
        if p is None:
            raise NotFound("time_off", appointment_id)
        time_off.remove(ctx, p.time_off.staff_id, p.time_off.id)
    else:
        view = _one(ctx, _appointment_id(ctx, appointment_id), company)
        appointments.delete_appointment(ctx, view.appointment.id)
    return Response(status_code=200)
