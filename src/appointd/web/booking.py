"""``/book/{slug}``: the public booking pages of a location.

Steps, each a plain page with links or one form: services -> staff ("anyone" or a name) ->
a week of free times -> the client's details -> the confirmation. The pages only translate:
what is offered and whether a booking is accepted is decided by :mod:`appointd.app.online`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from appointd.app import online
from appointd.app.context import Context
from appointd.domain.availability import Slot
from appointd.domain.errors import CapacityExceeded, FieldError, Invalid, NotFound, SlotTaken
from appointd.domain.model import Appointment, FormField, Location, ServiceKind
from appointd.domain.wallclock import zone
from appointd.web import shell
from appointd.web.links import parse_slot, slot_value
from appointd.web.shell import Form, manage_url, page, services_of

FIELDS = ("first_name", "last_name", "email", "phone", "notes")
LIMITS = {"first_name": 200, "last_name": 200, "email": 320, "phone": 64, "notes": 2000}


def _positive_int(raw: str) -> int:
    """A path or query id; anything else is a page that does not exist."""
    if not raw.isdigit() or len(raw) > 18 or int(raw) < 1:
        raise HTTPException(404)
    return int(raw)


def _staff_param(raw: str | None) -> int | None:
    if raw in (None, "", "any"):
        return None
    return _positive_int(raw)


class BookingPage:
    """The location behind ``slug`` and the client context of its account."""

    def __init__(self, request: Request) -> None:
        services = services_of(request)
        try:
            self.location: Location = online.find_page(services, request.path_params["slug"])
        except NotFound:
            raise HTTPException(404) from None
        self.ctx: Context = online.client_context(services, self.location.account_id)
        self.tz: ZoneInfo = zone(self.location.time_zone)

    def offer(self, raw_service_id: str) -> online.Offer:
        try:
            return online.offer(self.ctx, self.location, _positive_int(raw_service_id))
        except NotFound:
            raise HTTPException(404) from None


def _base(request: Request) -> str:
    return f"{request.scope.get('root_path', '')}/{request.path_params['slug']}"


async def services_page(request: Request) -> Response:
    bp = await run_in_threadpool(BookingPage, request)
    offers = await run_in_threadpool(online.offers, bp.ctx, bp.location)
    return page(
        request, "book_services.html", location=bp.location, offers=offers, base=_base(request)
    )


async def staff_page(request: Request) -> Response:
    bp = await run_in_threadpool(BookingPage, request)
    offer = await run_in_threadpool(bp.offer, request.path_params["service_id"])
    if offer.service.kind == ServiceKind.CLASS or len(offer.staff) == 1:
        # A class is booked into its sessions; with one person there is nobody to choose.
        return RedirectResponse(f"{_base(request)}/{offer.service.id}/times", status_code=303)
    return page(
        request,
        "book_staff.html",
        location=bp.location,
        offer=offer,
        base=_base(request),
    )


def _first_day(raw: str | None, today: date) -> date:
    if not raw:
        return today
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise HTTPException(404) from None
    if day < today or day > today + timedelta(days=3660):
        return today
    return day


async def times_page(request: Request) -> Response:
    bp = await run_in_threadpool(BookingPage, request)
    offer = await run_in_threadpool(bp.offer, request.path_params["service_id"])
    staff_id = _staff_param(request.query_params.get("staff"))
    if staff_id is not None and staff_id not in {s.id for s in offer.staff}:
        raise HTTPException(404)
    today = bp.ctx.now().astimezone(bp.tz).date()
    first = _first_day(request.query_params.get("from"), today)
    start = datetime(first.year, first.month, first.day, tzinfo=bp.tz)
    found = await run_in_threadpool(
        online.week, bp.ctx, bp.location, offer.service, staff_id, start
    )
    staff_q = str(staff_id) if staff_id is not None else "any"
    days = [
        {
            "date": d.date,
            "slots": [
                {
                    "start": _instant(s.start),
                    "seats_left": s.seats_left,
                    "href": f"{_base(request)}/{offer.service.id}/details?"
                    + urlencode({"staff": staff_q, "slot": slot_value(s)}),
                }
                for s in d.slots
            ],
        }
        for d in found.days
    ]
    nav = {
        "prev": None if first <= today else max(today, first - timedelta(days=7)).isoformat(),
        "next": (first + timedelta(days=7)).isoformat(),
    }
    return page(
        request,
        "book_times.html",
        location=bp.location,
        offer=offer,
        staff=next((s for s in offer.staff if s.id == staff_id), None),
        staff_q=staff_q,
        days=days,
        tz=bp.tz,
        nav=nav,
        base=_base(request),
    )


def _instant(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, ZoneInfo("UTC"))


async def details_page(request: Request) -> Response:
    bp = await run_in_threadpool(BookingPage, request)
    offer = await run_in_threadpool(bp.offer, request.path_params["service_id"])
    staff_id = _staff_param(request.query_params.get("staff"))
    chosen = parse_slot(request.query_params.get("slot", ""))
    if chosen is None:
        raise HTTPException(404)
    return _details(request, bp, offer, staff_id, chosen, values={}, errors={})


def answers_of(fields: Form, questions: list[FormField]) -> list[dict[str, Any]]:
    """The form answers posted for ``questions`` (inputs named ``q<field id>``)."""
    out: list[dict[str, Any]] = []
    for q in questions:
        name = f"q{q.id}"
        if q.type.multiple:
            out.append({"field_id": q.id, "values": fields.getlist(name)})
        else:
            out.append({"field_id": q.id, "value": fields.get(name, "").strip()})
    return out


def form_errors(errors: Sequence[FieldError], answers: list[dict[str, Any]]) -> dict[str, str]:
    """The core's form-answer errors by input name (``q<field id>``), in a client's words."""
    out: dict[str, str] = {}
    for e in errors:
        index = _INDEX.match(e.field)
        named = _NAMED.search(e.message)
        if index and int(index.group(1)) < len(answers):
            key = f"q{answers[int(index.group(1))]['field_id']}"
        elif named:
            key = f"q{named.group(1)}"
        else:
            continue
        if e.message.endswith("is required"):
            message = "Please answer this question."
        else:
            message = "Please check this answer: " + e.message.split(": ", 1)[-1]
        out.setdefault(key, message)
    return out


_INDEX = re.compile(r"form\[(\d+)\]")
_NAMED = re.compile(r"form field (\d+) ")


def _details(
    request: Request,
    bp: BookingPage,
    offer: online.Offer,
    staff_id: int | None,
    chosen: tuple[datetime, int | None] | None,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
    alternatives: list[Slot] | None = None,
    taken: bool = False,
    answered: Form | None = None,
) -> Response:
    questions = online.form_fields(bp.ctx, offer.service.id)
    return page(
        request,
        "book_details.html",
        status_code=status_code,
        location=bp.location,
        offer=offer,
        staff=next((s for s in offer.staff if s.id == staff_id), None),
        staff_q=str(staff_id) if staff_id is not None else "any",
        start=chosen[0] if chosen else None,
        slot=slot_value_of(chosen) if chosen else "",
        tz=bp.tz,
        values=values,
        errors=errors,
        alternatives=[
            {"value": slot_value(s), "start": _instant(s.start), "seats_left": s.seats_left}
            for s in alternatives or []
        ],
        taken=taken,
        base=_base(request),
        questions=questions,
        answered=answered or Form([]),
    )


def slot_value_of(chosen: tuple[datetime, int | None]) -> str:
    start, session = chosen
    text = start.isoformat()
    return f"{text}~{session}" if session is not None else text


async def book(request: Request) -> Response:
    bp = await run_in_threadpool(BookingPage, request)
    offer = await run_in_threadpool(bp.offer, request.path_params["service_id"])
    try:
        fields = await shell.form(request)
    except shell.FormTooLarge:
        return _details(
            request,
            bp,
            offer,
            None,
            None,
            values={},
            errors={"form": "The form sent too much data. Please shorten your notes."},
            status_code=413,
        )
    staff_id = _staff_param(fields.get("staff"))
    values = {k: fields.get(k, "") for k in FIELDS}
    errors = {
        k: f"Please use at most {limit} characters."
        for k, limit in LIMITS.items()
        if len(values[k]) > limit
    }
    details = online.ClientDetails(
        first_name=values["first_name"],
        last_name=values["last_name"],
        email=values["email"],
        phone=values["phone"],
    )
    try:
        online.check_client(details)
    except Invalid as exc:
        for name, message in _friendly(shell.field_errors(exc.errors)).items():
            errors.setdefault(name, message)
    questions = await run_in_threadpool(online.form_fields, bp.ctx, offer.service.id)
    answers = answers_of(fields, questions)
    try:
        answers = online.check_form(questions, answers, offer.service.id)
    except Invalid as exc:
        for name, message in form_errors(exc.errors, answers).items():
            errors.setdefault(name, message)
    chosen = parse_slot(fields.get("slot", ""))
    if chosen is None:
        errors["slot"] = "Please choose one of the listed times."
    if staff_id is not None and staff_id not in {s.id for s in offer.staff}:
        errors["slot"] = "Please choose one of the listed times."
        staff_id = None
    if errors:
        return _details(
            request,
            bp,
            offer,
            staff_id,
            chosen,
            values=values,
            answered=fields,
            errors=errors,
            status_code=422,
        )
    assert chosen is not None
    req = online.OnlineBooking(
        location=bp.location,
        service_id=offer.service.id,
        start=chosen[0],
        staff_id=staff_id,
        class_session_id=chosen[1],
        notes=values["notes"].strip() or None,
        client=details,
        form=answers,
    )
    try:
        appt = await run_in_threadpool(online.book, bp.ctx, req)
    except (SlotTaken, CapacityExceeded):
        alternatives = await run_in_threadpool(
            online.next_free, bp.ctx, bp.location, offer.service, staff_id, chosen[0]
        )
        return _details(
            request,
            bp,
            offer,
            staff_id,
            None,
            values=values,
            answered=fields,
            errors={},
            status_code=409,
            alternatives=alternatives,
            taken=True,
        )
    except Invalid as exc:
        errors = _friendly(shell.field_errors(exc.errors))
        if "start" in errors:
            errors["slot"] = errors.pop("start")
        return _details(
            request,
            bp,
            offer,
            staff_id,
            chosen,
            values=values,
            answered=fields,
            errors=errors,
            status_code=422,
        )
    return await after_booking(request, bp.location, offer, appt)


_FRIENDLY = {
    "first_name": "Please tell us your first name (at most 200 characters).",
    "last_name": "Please use at most 200 characters.",
    "email": "Please enter an e-mail address such as name@example.com.",
}


def _friendly(errors: Mapping[str, str]) -> dict[str, str]:
    """The core's field messages, in the words of a page for clients."""
    return {k: _FRIENDLY.get(k, v) for k, v in errors.items()}


async def after_booking(
    request: Request, location: Location, offer: online.Offer, appt: Appointment
) -> Response:
    """The answer to a booking that went through: to its manage page, which confirms it and
    shows the link to keep (a redirect, so reloading it books nothing twice)."""
    return RedirectResponse(
        f"{manage_url(request, appt.manage_token)}?done=booked", status_code=303
    )


routes = [
    Route("/{slug}", services_page, methods=["GET"]),
    Route("/{slug}/{service_id}", staff_page, methods=["GET"]),
    Route("/{slug}/{service_id}/times", times_page, methods=["GET"]),
    Route("/{slug}/{service_id}/details", details_page, methods=["GET"]),
    Route("/{slug}/{service_id}/details", book, methods=["POST"]),
]
