"""Appointment reports: ``/appointmentList/report``, ``reportWithCount``, ``reportCount``,
``reportCountsByStatus`` (GET and POST alike) and the older ``GET /appointments/report``.

Every parameter of the seed's table is read from the query string, and on POST also from a
JSON body merged over it (an empty ``{}`` changes nothing). List parameters are comma lists
or repeated. ``pageNumber`` counts from 1; ``pageSize`` defaults to the server's largest page.
``startDate``/``endDate`` are local dates at each appointment's location (without them the
report is not limited by date). ``couponIdList``, ``packageSoldIdList`` and
``locationGroupIdList`` name things appointd does not have: given, they match nothing.
``uninvoiced`` is accepted and has no effect (appointd does not invoice). Time off (TimeTap's
PERSONAL appointments) is listed with ``onlyTimeOff=1``, or beside the appointments with
``excludeTimeOff=false``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Request, Response

from appointd.app import catalog
from appointd.app.appointment_views import count_by_status, search_views, time_off_page
from appointd.app.context import Context
from appointd.domain.errors import Invalid
from appointd.domain.model import AppointmentKind, CustomStatus
from appointd.faces.timetap import definitions, parse, render
from appointd.faces.timetap import status as statuses
from appointd.faces.timetap.auth import context
from appointd.faces.timetap.errors import TimeTapRoute
from appointd.faces.timetap.requests import call, params, reply
from appointd.faces.timetap.routes_appointments import needs_customs, status_filter
from appointd.store.repositories.appointments import AppointmentFilter

router = APIRouter(route_class=TimeTapRoute, include_in_schema=False)
F = TypeVar("F", bound=Callable[..., Any])

ORDER_FIELDS = {
    "startDate": "start",
    "clientStartDate": "start",
    "date": "start",
    "startTime": "start",
    "clientStartTime": "start",
    "startDateTime": "start",
    "createddate": "created_at",
    "createdDate": "created_at",
    "modifieddate": "updated_at",
    "modifiedDate": "updated_at",
    "calendarId": "id",
}
NOTHING_LISTS = ("couponIdList", "packageSoldIdList", "locationGroupIdList")


@dataclass
class Report:
    """A parsed report request."""

    filter: AppointmentFilter
    first: date | None = None
    last: date | None = None
    matches_nothing: bool = False
    time_off: str = "exclude"  # exclude | include | only
    show_tz: bool = False
    show_forms: bool = True
    staff_ids: list[int] | None = None
    reason_ids: list[int] | None = None
    status_names: list[str] = field(default_factory=list)
    customs: dict[str, int] = field(default_factory=dict)  # statusList name -> custom status


def _ids(p: dict[str, Any], *names: str) -> list[int] | None:
    found: list[int] | None = None
    for name in names:
        if p.get(name) not in (None, "", []):
            found = (found or []) + parse.id_list(p[name], name)
    return found


def _int(p: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = p.get(name)
    return default if value in (None, "") else parse.integer(value, name, low, high)


async def _read(request: Request, ctx: Context, *, paged: bool) -> Report:
    """:func:`read` of the request's parameters (the account's custom statuses are read only
    when ``statusList`` names one)."""
    p = await params(request)
    customs: list[CustomStatus] = []
    if p.get("statusList") not in (None, "", []) and needs_customs(p["statusList"]):
        customs = await call(definitions.custom_statuses, ctx)
    return read(p, ctx, paged=paged, customs=customs)


def read(
    p: dict[str, Any], ctx: Context, *, paged: bool, customs: list[CustomStatus] | None = None
) -> Report:
    """Every parameter of the seed's table, checked; 400 naming the first bad one.
    ``statusList`` may name the account's custom statuses (``customs``)."""
    largest = ctx.services.settings.max_page_size
    size = _int(p, "pageSize", largest, 1, largest)
    number = _int(p, "pageNumber", 1, 1, 10_000_000)
    mode = str(p.get("order_mode") or "asc").lower()
    if mode not in ("asc", "desc"):
        raise Invalid.field("order_mode", "asc or desc")
    order = p.get("order_field") or "startDate"
    if order not in ORDER_FIELDS:
        raise Invalid.field("order_field", "one of " + ", ".join(ORDER_FIELDS))
    sort = ORDER_FIELDS[order]
    first = parse.day(p["startDate"], "startDate") if p.get("startDate") else None
    last = parse.day(p["endDate"], "endDate") if p.get("endDate") else None
    if first and last and last < first:
        raise Invalid.field("endDate", "must not be before startDate")
    nothing = any(bool(_ids(p, name)) for name in NOTHING_LISTS)
    parse.optional_boolean(p.get("uninvoiced"), "uninvoiced", False)
    raw_only = p.get("onlyTimeOff")
    if isinstance(raw_only, bool) or raw_only in ("true", "false"):
        raw_only = int(raw_only in (True, "true"))  # a JSON body may say true
    only = _int({"onlyTimeOff": raw_only}, "onlyTimeOff", 0, 0, 1) == 1
    exclude = parse.optional_boolean(p.get("excludeTimeOff"), "excludeTimeOff", True)
    core_statuses, kinds = None, [AppointmentKind.APPOINTMENT]
    names: list[str] = []
    custom_ids: list[int] = []
    named: dict[str, int] = {}
    if p.get("statusList") not in (None, "", []):
        names = parse.text_list(p["statusList"], "statusList")
        core, kinds, custom_ids = status_filter(p["statusList"], "statusList", customs)
        core_statuses = core
        nothing = nothing or not kinds
        for name in names:
            if not statuses.builtin(name) and customs:
                found = definitions.custom_named(name, customs, "statusList")
                if found is not None:
                    named[name] = found.id
    class_ids = _ids(p, "classScheduleIdList", "classScheduleId")
    report = Report(
        filter=AppointmentFilter(
            ids=_ids(p, "calendarIdList"),
            client_ids=_ids(p, "clientIdList", "clientId"),
            location_ids=_ids(p, "locationIdList"),
            service_ids=_ids(p, "reasonIdList"),
            staff_ids=_ids(p, "staffIdList"),
            resource_ids=_ids(p, "resourceIdList"),
            series_ids=_ids(p, "recurringApptIdList"),
            class_session_ids=class_ids,
            statuses=core_statuses,
            custom_status_ids=custom_ids or None,
            kinds=kinds,
            sort=sort if mode == "asc" else "-" + sort,
            limit=size if paged else largest,
            offset=(number - 1) * size if paged else 0,
        ),
        first=first,
        last=last,
        matches_nothing=nothing,
        time_off="only" if only else ("exclude" if exclude else "include"),
        show_tz=parse.optional_boolean(p.get("showApptTz"), "showApptTz", False),
        show_forms=parse.optional_boolean(p.get("showClientForms"), "showClientForms", True),
        staff_ids=_ids(p, "staffIdList"),
        reason_ids=_ids(p, "reasonIdList"),
        status_names=names,
        customs=named,
    )
    return report


def _time_off_applies(r: Report) -> bool:
    """Time off has only a staff member and a time: filters on anything else exclude it."""
    f = r.filter
    return not r.matches_nothing and all(
        v is None
        for v in (
            f.ids,
            f.client_ids,
            f.location_ids,
            f.service_ids,
            f.resource_ids,
            f.series_ids,
            f.class_session_ids,
            f.statuses,
            f.custom_status_ids,
        )
    )


async def _rows(ctx: Context, r: Report) -> tuple[list[dict[str, Any]], int]:
    """The page of the report and the count of all that match."""
    f = r.filter
    if r.time_off == "only":
        if not _time_off_applies(r):
            return [], 0
        page, staff = await call(
            time_off_page,
            ctx,
            r.staff_ids,
            r.first,
            r.last,
            f.limit,
            f.offset,
            f.sort.startswith("-"),
        )
        return [render.time_off(t, staff.get(t.staff_id)) for t in page.items], page.total
    if r.matches_nothing:
        return [], 0
    if r.time_off == "exclude" or not _time_off_applies(r):
        found, rel = await call(search_views, ctx, f, r.first, r.last)
        return await _appts(found.items, rel, r, ctx), found.total
    # Appointments and time off in one order: the first offset+limit of each, merged.
    wanted, offset = f.offset + f.limit, f.offset
    f.limit, f.offset = wanted, 0
    found, rel = await call(search_views, ctx, f, r.first, r.last)
    offs, staff = await call(
        time_off_page, ctx, r.staff_ids, r.first, r.last, wanted, 0, f.sort.startswith("-")
    )
    rendered = await _appts(found.items, rel, r, ctx)
    merged: list[tuple[Any, dict[str, Any]]] = [
        (a.start, row) for a, row in zip(found.items, rendered, strict=True)
    ]
    merged += [(t.start, render.time_off(t, staff.get(t.staff_id))) for t in offs.items]
    merged.sort(key=lambda pair: pair[0], reverse=f.sort.startswith("-"))
    return [row for _, row in merged[offset:wanted]], found.total + offs.total


async def _appts(rows: list[Any], rel: Any, r: Report, ctx: Context) -> list[dict[str, Any]]:
    defs = await definitions.load(ctx, rows)
    out = render.appointments(
        rows, rel, show_tz=r.show_tz, settings=ctx.services.settings, defs=defs
    )
    if not r.show_forms:
        for row in out:
            row["fields"] = None
    return out


async def _count(ctx: Context, r: Report) -> int:
    if r.time_off == "only" or (r.time_off == "include" and _time_off_applies(r)):
        rows_total = 0
        if r.time_off == "include" and not r.matches_nothing:
            found, _ = await call(search_views, ctx, r.filter, r.first, r.last, count_only=True)
            rows_total = found.total
        if not _time_off_applies(r):
            return rows_total
        offs, _ = await call(time_off_page, ctx, r.staff_ids, r.first, r.last, 1, 0)
        return rows_total + offs.total
    if r.matches_nothing:
        return 0
    found, _ = await call(search_views, ctx, r.filter, r.first, r.last, count_only=True)
    return found.total


def _route(path: str, *, post: bool = True) -> Callable[[F], F]:
    methods = ["GET", "POST"] if post else ["GET"]
    return router.api_route(path, methods=methods)


@_route("/appointmentList/report")
async def report(request: Request, ctx: Context = Depends(context)) -> Response:
    rows, _ = await _rows(ctx, await _read(request, ctx, paged=True))
    return reply(rows)


@_route("/appointments/report", post=False)
async def old_report(request: Request, ctx: Context = Depends(context)) -> Response:
    rows, _ = await _rows(ctx, await _read(request, ctx, paged=True))
    return reply(rows)


@_route("/appointmentList/reportWithCount")
async def report_with_count(request: Request, ctx: Context = Depends(context)) -> Response:
    rows, count = await _rows(ctx, await _read(request, ctx, paged=True))
    return reply({"appts": rows, "count": count})


@_route("/appointmentList/reportCount")
async def report_count(request: Request, ctx: Context = Depends(context)) -> int:
    return await _count(ctx, await _read(request, ctx, paged=False))


DEFAULT_STATUSES = ["OPEN", "PENDING", "COMPLETED", "NO_SHOW", "CANCELLED"]


@_route("/appointmentList/reportCountsByStatus")
async def report_counts_by_status(request: Request, ctx: Context = Depends(context)) -> Any:
    """One object per status asked (``statusList``, default the five base statuses); with
    ``reasonIdList``, one per status and reason (``objectType`` REASON, ``objectId`` the
    reasonId, ``objectName`` its name). A custom status asked by name counts the
    appointments carrying it (one more statement per custom status asked)."""
    r = await _read(request, ctx, paged=False)
    names = r.status_names or DEFAULT_STATUSES
    f = r.filter
    f.statuses = None
    f.custom_status_ids = None
    f.kinds = [AppointmentKind.APPOINTMENT, AppointmentKind.HOLD]
    counts: dict[tuple[str, str, int], int] = {}
    per_custom: dict[str, dict[tuple[str, str, int], int]] = {}
    if not r.matches_nothing:
        counts = await call(count_by_status, ctx, f, r.first, r.last)
        for name, cid in r.customs.items():
            only = dataclasses.replace(
                f, custom_status_ids=[cid], kinds=[AppointmentKind.APPOINTMENT]
            )
            per_custom[name] = await call(count_by_status, ctx, only, r.first, r.last)
    reasons: dict[int, Any] = {}
    if r.reason_ids:
        for rid in dict.fromkeys(r.reason_ids):
            reasons[rid] = await call(catalog.get, ctx, "services", rid)
    out = []
    for name in names:
        source = counts
        if name in r.customs:
            source = per_custom.get(name, {})
            wanted = {s.value for s in statuses.BASE}
        else:
            wanted = {s.value for s in statuses.FILTERS[name]}
        kind = "hold" if name == "PENDING_WAITLIST" else "appointment"
        if name == "PENDING_WAITLIST":
            wanted = {"pending"}

        def total(
            service_id: int | None,
            wanted: set[str] = wanted,
            kind: str = kind,
            source: dict[tuple[str, str, int], int] = source,
        ) -> int:
            return sum(
                n
                for (k, s, sid), n in source.items()
                if k == kind and s in wanted and (service_id is None or sid == service_id)
            )

        if reasons:
            for rid, svc in reasons.items():
                out.append(
                    {
                        "count": total(rid),
                        "objectName": svc.name,
                        "objectType": "REASON",
                        "objectId": rid,
                        "status": name,
                    }
                )
        else:
            out.append(
                {
                    "count": total(None),
                    "objectName": None,
                    "objectType": None,
                    "objectId": None,
                    "status": name,
                }
            )
    return out
