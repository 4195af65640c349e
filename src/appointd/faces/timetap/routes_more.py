"""Availability, class schedules, the waitlist and appointment intents, TimeTap's way."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request

from appointd.app import availability, catalog, classes, intents, waitlist
from appointd.app.appointment_views import related_of_entries, related_of_sessions
from appointd.app.context import Context
from appointd.domain.errors import FieldError, Invalid
from appointd.domain.waitlist import EntryStatus
from appointd.faces.timetap import parse, render
from appointd.faces.timetap.auth import context
from appointd.faces.timetap.errors import TimeTapRoute, fields_named
from appointd.faces.timetap.requests import call, json_object, query
from appointd.faces.timetap.routes_catalog import paging
from appointd.faces.timetap.wire import date_and_hhmm, ms
from appointd.store.repositories.waitlist import WaitlistFilter

router = APIRouter(route_class=TimeTapRoute, include_in_schema=False)

AVAILABILITY_NAMES = {
    "service_id": "reasonId",
    "location_id": "locationId",
    "staff_id": "staffId",
    "from": "date",
    "to": "date",
}


def _ymd(year: str, month: str, day: str | None) -> date:
    text = f"{year}-{month}-{day or '01'}"
    if not (len(year) == 4 and len(month) == 2 and (day is None or len(day) == 2)):
        raise Invalid.field("date", "YYYY/MM/DD with zero-padded month and day")
    return parse.day(text, "date")


def _query(
    first: date, last: date, staff: str, loc: str, reason: str
) -> availability.AvailabilityQuery:
    staff_id = parse.integer(staff, "staffId", 0, 2**63 - 1)
    return availability.AvailabilityQuery(
        service_id=parse.ident(reason, "reasonId"),
        location_id=parse.ident(loc, "locationId"),
        first=first,
        last=last,
        staff_ids=None if staff_id == 0 else [staff_id],
    )


@router.get("/availability/{year}/{month}/{day}/{staff}/{loc}/{reason}")
async def day_slots(
    year: str,
    month: str,
    day: str,
    staff: str,
    loc: str,
    reason: str,
    ctx: Context = Depends(context),
) -> list[Any]:
    """The day's timeslots: client and staff dates and HHMM times (wall time at the location),
    UTC epoch ms, and ``units`` (one per staff member free then; ``staffId`` 0 means anyone).
    Pass a timeslot as ``calTimeSlot`` with ``staff.professionalId`` null to book round robin."""
    on = _ymd(year, month, day)
    q = _query(on, on, staff, loc, reason)
    with fields_named(AVAILABILITY_NAMES):
        found = await call(availability.find, ctx, q)
        svc = await call(catalog.get, ctx, "services", q.service_id)
    before, after = (
        timedelta(minutes=m) for m in (svc.buffer_before_minutes, svc.buffer_after_minutes)
    )
    out = []
    for d in found.days:
        for slot in d.slots:
            start = datetime.fromtimestamp(slot.start, UTC)
            end = datetime.fromtimestamp(slot.end, UTC)
            c_sd, c_st = date_and_hhmm(start, found.tz)
            c_ed, c_et = date_and_hhmm(end, found.tz, end=True)
            s_sd, s_st = date_and_hhmm(start - before, found.tz)
            s_ed, s_et = date_and_hhmm(end + after, found.tz, end=True)
            units = [
                {
                    "professionalId": sid,
                    "locationId": q.location_id,
                    "reasonId": q.service_id,
                    "resourceId": slot.resource_ids[0] if slot.resource_ids else None,
                    "bundleResourceIdList": list(slot.resource_ids[1:]) or None,
                    "tandemStaffIdList": None,
                    "roundRobin": len(slot.staff_ids) > 1,
                }
                for sid in slot.staff_ids
            ]
            out.append(
                {
                    "staffStartDate": s_sd,
                    "staffEndDate": s_ed,
                    "staffStartTime": s_st,
                    "staffEndTime": s_et,
                    "startTime": s_st,
                    "endTime": s_et,
                    "clientStartDate": c_sd,
                    "clientEndDate": c_ed,
                    "clientStartTime": c_st,
                    "clientEndTime": c_et,
                    "timeString": f"{c_st:04d} - {c_et:04d} ({found.tz.key})",
                    "units": units,
                    "staffStartDateTimeUTC": ms(start - before),
                    "staffEndDateTimeUTC": ms(end + after),
                    "clientStartDateTimeUTC": ms(start),
                    "clientEndDateTimeUTC": ms(end),
                    "classScheduleId": slot.class_session_id,
                    "seatsLeft": slot.seats_left,
                    "selected": False,
                }
            )
    return out


@router.get("/availability/{year}/{month}/{staff}/{loc}/{reason}")
async def month_days(
    year: str, month: str, staff: str, loc: str, reason: str, ctx: Context = Depends(context)
) -> list[str]:
    """The dates (``YYYY-MM-DD``) of the month that have at least one opening."""
    first = _ymd(year, month, None)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    with fields_named(AVAILABILITY_NAMES):
        found = await call(availability.find, ctx, _query(first, last, staff, loc, reason))
    return [d.date.isoformat() for d in found.days if d.slots]


@router.get("/classschedule/{session_id}")
async def class_schedule(session_id: str, ctx: Context = Depends(context)) -> Any:
    session = await call(classes.get, ctx, parse.ident(session_id, "classScheduleId"))
    rel = await call(related_of_sessions, ctx, [session])
    return render.class_schedule(session, rel)


# -- waitlist -------------------------------------------------------------------------------

OPEN_ENTRIES = [EntryStatus.WAITING, EntryStatus.INVITED]


@router.get("/waitlist")
async def waitlist_list(request: Request, ctx: Context = Depends(context)) -> list[Any]:
    """Every registration that is not cancelled or booked (invited ones included), oldest
    first; ``clientId``, ``locationIdList``, ``staffIdList``, ``reasonIdList``, paging."""
    q = query(request)
    limit, offset = paging(q, ctx)
    f = WaitlistFilter(
        client_ids=parse.id_list(q["clientId"], "clientId") if q.get("clientId") else None,
        location_ids=parse.id_list(q["locationIdList"], "locationIdList")
        if q.get("locationIdList")
        else None,
        staff_ids=parse.id_list(q["staffIdList"], "staffIdList") if q.get("staffIdList") else None,
        service_ids=parse.id_list(q["reasonIdList"], "reasonIdList")
        if q.get("reasonIdList")
        else None,
        statuses=OPEN_ENTRIES,
        limit=limit,
        offset=offset,
    )
    found = await call(waitlist.search, ctx, f)
    rel = await call(related_of_entries, ctx, found.items)
    return [render.waitlist(e, rel) for e in found.items]


@router.get("/waitlist/{entry_id}")
async def waitlist_one(entry_id: str, ctx: Context = Depends(context)) -> Any:
    entry = await call(waitlist.get, ctx, parse.ident(entry_id, "waitListId"))
    return render.waitlist(entry, await call(related_of_entries, ctx, [entry]))


WAITLIST_NAMES = {
    "client_id": "client.clientId",
    "service_id": "reason.reasonId",
    "location_id": "location.locationId",
    "staff_id": "staff.professionalId",
    "earliest": "startDate",
    "latest": "endDate",
}


@router.post("/waitlist")
async def waitlist_add(request: Request, ctx: Context = Depends(context)) -> Any:
    """Register a client: ``client``, ``location``, ``reason`` and optionally ``staff`` by id,
    ``startDate``/``endDate`` (``YYYY-MM-DD``) and ``note``."""
    body = await json_object(request)
    fields = dict(
        client_id=parse.ref(body, "client", "clientId", required=True),
        location_id=parse.ref(body, "location", "locationId", required=True),
        service_id=parse.ref(body, "reason", "reasonId", required=True),
        staff_id=parse.ref(body, "staff", "professionalId", required=False),
        earliest=parse.day(body["startDate"], "startDate") if body.get("startDate") else None,
        latest=parse.day(body["endDate"], "endDate") if body.get("endDate") else None,
        notes=parse.text(body.get("note"), "note", 2000),
    )
    with fields_named(WAITLIST_NAMES):
        entry = await call(lambda: waitlist.create(ctx, **fields))  # type: ignore[arg-type]
    return render.waitlist(entry, await call(related_of_entries, ctx, [entry]))


@router.post("/waitlist/cancel/{entry_id}")
async def waitlist_cancel(entry_id: str, ctx: Context = Depends(context)) -> Any:
    entry = await call(waitlist.cancel, ctx, parse.ident(entry_id, "waitListId"))
    return render.waitlist(entry, await call(related_of_entries, ctx, [entry]))


# -- appointment intents (seed 000) ---------------------------------------------------------

INTENT_NAMES = {
    "client_id": "clientId",
    "external_reference": "externalReferenceNumber",
    "start_date": "startDate",
    "end_date": "endDate",
    "expiration_date": "expirationDate",
    "description": "description",
    "active": "active",
}


def _intent_fields(body: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """The writable fields of an intent object; every required one must be present."""
    missing = [
        FieldError(name, "required")
        for name in ("businessId", "clientId", "externalReferenceNumber", "startDate", "endDate")
        if body.get(name) in (None, "")
    ]
    if missing:
        raise Invalid(missing)
    if parse.ident(body["businessId"], "businessId") != ctx.account_id:
        raise Invalid.field("businessId", "must be your business id (the apiKey)")
    out: dict[str, Any] = {
        "client_id": parse.ident(body["clientId"], "clientId"),
        "external_reference": parse.text(
            body["externalReferenceNumber"], "externalReferenceNumber", 200
        ),
        "start_date": parse.epoch_ms_date(body["startDate"], "startDate"),
        "end_date": parse.epoch_ms_date(body["endDate"], "endDate"),
        "description": parse.text(body.get("description"), "description", 5000),
        "expiration_date": parse.epoch_ms_date(body["expirationDate"], "expirationDate")
        if body.get("expirationDate") is not None
        else None,
    }
    if body.get("booked") is not None and parse.boolean(body["booked"], "booked"):
        raise Invalid.field("booked", "is set by booking with the intent, not by hand")
    return out


@router.get("/appointmentIntent/{intent_id}")
async def intent_one(intent_id: str, ctx: Context = Depends(context)) -> Any:
    found = await call(intents.get, ctx, parse.ident(intent_id, "appointmentIntentId"))
    return render.intent(found, found.active)


async def _intent_list(request: Request, ctx: Context, client: int | None) -> list[Any]:
    q = query(request)
    active = parse.optional_boolean(q.get("active"), "active", True)
    limit, offset = paging(q, ctx)
    found = await call(
        lambda: intents.search(
            ctx,
            client_id=client,
            usability="usable" if active else "all",
            limit=limit,
            offset=offset,
        )
    )
    return [render.intent(i, i.active) for i in found.items]


@router.get("/appointmentIntentList")
async def intent_list(request: Request, ctx: Context = Depends(context)) -> list[Any]:
    return await _intent_list(request, ctx, None)


@router.get("/appointmentIntentList/{client_id}")
async def intent_list_of_client(
    client_id: str, request: Request, ctx: Context = Depends(context)
) -> list[Any]:
    cid = parse.ident(client_id, "clientId")
    await call(catalog.get, ctx, "clients", cid)
    return await _intent_list(request, ctx, cid)


@router.post("/appointmentIntent")
async def intent_create(request: Request, ctx: Context = Depends(context)) -> Any:
    fields = _intent_fields(await json_object(request), ctx)
    with fields_named(INTENT_NAMES):
        created = await call(lambda: intents.create(ctx, **fields))
    return render.intent(created, created.active)


@router.put("/appointmentIntent/{intent_id}")
async def intent_update(intent_id: str, request: Request, ctx: Context = Depends(context)) -> Any:
    iid = parse.ident(intent_id, "appointmentIntentId")
    body = await json_object(request)
    if body.get("appointmentIntentId") is None:
        raise Invalid.field("appointmentIntentId", "required on PUT")
    if parse.ident(body["appointmentIntentId"], "appointmentIntentId") != iid:
        raise Invalid.field("appointmentIntentId", "must match the id in the path")
    fields = _intent_fields(body, ctx)
    current = await call(intents.get, ctx, iid)
    if fields.pop("client_id") != current.client_id:
        raise Invalid.field("clientId", "an intent's client cannot be changed")
    fields.pop("external_reference")
    if body.get("active") is not None:
        fields["active"] = parse.boolean(body["active"], "active")
    with fields_named(INTENT_NAMES):
        updated = await call(intents.update, ctx, iid, fields)
    return render.intent(updated, updated.active)


@router.delete("/appointmentIntent/{intent_id}")
async def intent_delete(intent_id: str, ctx: Context = Depends(context)) -> Any:
    iid = parse.ident(intent_id, "appointmentIntentId")
    await call(intents.deactivate, ctx, iid)
    found = await call(intents.get, ctx, iid)
    return render.intent(found, found.active)
