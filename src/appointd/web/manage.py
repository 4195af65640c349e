"""``/manage/{token}``: a client's own appointment, reached by the link in its confirmation.

Shows the appointment (service, staff, time in the location's zone, place, status) and, while
the account's rules allow, a form to cancel it (with an optional reason) and a page of free
times to move it to. Read-only once it is finished, cancelled or archived. The rules are the
core's (:mod:`appointd.app.client_changes`); an unknown token is the same 404 page as any.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from appointd.app import client_changes, online
from appointd.app.client_changes import Managed
from appointd.app.feeds import FeedEvent
from appointd.domain.errors import Forbidden, Invalid, NotFound, SlotTaken
from appointd.domain.wallclock import zone
from appointd.web import shell
from appointd.web.calendar import ICS, ics_document
from appointd.web.links import parse_slot, slot_value
from appointd.web.shell import page, services_of

STATUS_LABELS = {
    "pending": "Waiting for confirmation",
    "confirmed": "Confirmed",
    "checked_in": "Checked in",
    "in_progress": "In progress",
    "completed": "Completed",
    "no_show": "Missed",
    "cancelled": "Cancelled",
    "declined": "Declined",
}
DONE = {
    "booked": "You're booked. Keep this page's address to change or cancel later.",
    "moved": "Your appointment has been moved.",
    "cancelled": "Your appointment has been cancelled.",
}


async def _open(request: Request) -> Managed:
    try:
        return await run_in_threadpool(
            client_changes.open_link, services_of(request), request.path_params["token"]
        )
    except NotFound:
        raise HTTPException(404) from None


def _home(request: Request) -> str:
    return f"{request.scope.get('root_path', '')}/{request.path_params['token']}"


def _show(
    request: Request,
    m: Managed,
    *,
    status_code: int = 200,
    problem: str | None = None,
    errors: dict[str, str] | None = None,
    reason: str = "",
) -> Response:
    a = m.appointment
    status = "archived" if a.archived_at is not None else a.status.value
    return page(
        request,
        "manage.html",
        status_code=status_code,
        m=m,
        location=m.location,
        offer=online.Offer(m.service, [m.staff] if m.staff else []),
        appt=a,
        staff=m.staff,
        tz=zone(m.location.time_zone),
        status_label="Archived" if status == "archived" else STATUS_LABELS.get(status, status),
        done=DONE.get(request.query_params.get("done", "")),
        problem=problem,
        errors=errors or {},
        reason=reason,
        home=_home(request),
        manage_url=f"{shell.public_base(request)}/manage/{request.path_params['token']}",
    )


async def show(request: Request) -> Response:
    return _show(request, await _open(request))


async def cancel(request: Request) -> Response:
    m = await _open(request)
    try:
        fields = await shell.form(request)
    except shell.FormTooLarge:
        return _show(request, m, status_code=413, errors={"reason": "Please write less."})
    reason = fields.get("reason", "")
    try:
        await run_in_threadpool(
            client_changes.cancel, services_of(request), request.path_params["token"], reason
        )
    except Forbidden as exc:
        return _show(request, m, status_code=409, problem=_sentence(exc.message), reason=reason)
    except Invalid as exc:
        errs = dict(shell.field_errors(exc.errors))
        return _show(request, m, status_code=422, errors=errs, reason=reason)
    return RedirectResponse(f"{_home(request)}?done=cancelled", status_code=303)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _staff_param(raw: str | None, m: Managed) -> int | None:
    if raw in (None, "", "any"):
        return None
    if raw.isdigit() and m.staff is not None and int(raw) == m.staff.id:
        return m.staff.id
    raise HTTPException(404)


async def times(request: Request, *, taken: bool = False, problem: str | None = None) -> Response:
    m = await _open(request)
    if m.locked or not m.movable:
        return _show(request, m, status_code=409 if taken or problem else 200)
    source = request.query_params if request.method == "GET" else {}
    staff_id = _staff_param(source.get("staff", str(m.staff.id) if m.staff else "any"), m)
    tz = zone(m.location.time_zone)
    today = m.ctx.now().astimezone(tz).date()
    first = _first_day(source.get("from"), today)
    found = await run_in_threadpool(
        online.week,
        m.ctx,
        m.location,
        m.service,
        staff_id,
        datetime(first.year, first.month, first.day, tzinfo=tz),
    )
    days = [
        {
            "date": d.date,
            "slots": [
                {"start": datetime.fromtimestamp(s.start, UTC), "value": slot_value(s)}
                for s in d.slots
                if s.start != int(m.appointment.start.timestamp()) or staff_id is None
            ],
        }
        for d in found.days
    ]
    return page(
        request,
        "manage_times.html",
        status_code=409 if taken else 200,
        m=m,
        location=m.location,
        tz=tz,
        days=days,
        staff_q=str(staff_id) if staff_id is not None else "any",
        nav={
            "prev": None if first <= today else max(today, first - timedelta(days=7)).isoformat(),
            "next": (first + timedelta(days=7)).isoformat(),
        },
        taken=taken,
        problem=problem,
        home=_home(request),
    )


def _first_day(raw: Any, today: date) -> date:
    if not raw:
        return today
    try:
        day = date.fromisoformat(str(raw))
    except ValueError:
        raise HTTPException(404) from None
    return day if today <= day <= today + timedelta(days=3660) else today


async def times_page(request: Request) -> Response:
    return await times(request)


async def move(request: Request) -> Response:
    m = await _open(request)
    try:
        fields = await shell.form(request)
    except shell.FormTooLarge:
        return await times(request, problem="The form sent too much data.")
    chosen = parse_slot(fields.get("slot", ""))
    staff_id = _staff_param(fields.get("staff"), m)
    if chosen is None or chosen[1] is not None:
        return await times(request, problem="Please choose one of the listed times.")
    try:
        await run_in_threadpool(
            client_changes.reschedule,
            services_of(request),
            request.path_params["token"],
            chosen[0],
            staff_id,
        )
    except SlotTaken:
        return await times(request, taken=True)
    except Forbidden as exc:
        return _show(request, m, status_code=409, problem=_sentence(exc.message))
    except Invalid:
        return await times(request, problem="Please choose one of the listed times.")
    return RedirectResponse(f"{_home(request)}?done=moved", status_code=303)


async def ics(request: Request) -> Response:
    m = await _open(request)
    a = m.appointment
    who = f" with {m.staff.first_name} {m.staff.last_name}".rstrip() if m.staff else ""
    event = FeedEvent(
        uid=f"appointment-{a.id}-{a.account_id}@appointd",
        start=a.start,
        end=a.end,
        time_zone=m.location.time_zone,
        summary=f"{m.service.name}{who}",
        location=f"{m.location.name}, {m.location.address}"
        if m.location.address
        else m.location.name,
        description=f"{shell.public_base(request)}/manage/{request.path_params['token']}",
        status="CANCELLED" if a.status.value in ("cancelled", "declined") else "CONFIRMED",
        sequence=0,
        created=a.created_at,
        updated=a.updated_at,
    )
    body = ics_document([event], m.location.name, m.ctx.now())
    return Response(
        body,
        media_type=ICS,
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": 'attachment; filename="appointment.ics"',
        },
    )


routes = [
    Route("/{token}", show, methods=["GET"]),
    Route("/{token}/cancel", cancel, methods=["POST"]),
    Route("/{token}/reschedule", times_page, methods=["GET"]),
    Route("/{token}/reschedule", move, methods=["POST"]),
    Route("/{token}/appointment.ics", ics, methods=["GET"]),
]
