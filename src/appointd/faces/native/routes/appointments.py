"""``/v1/appointments``: book, list, read, change, archive, status transitions, history."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Response
from pydantic import Field

from appointd.app import appointments, holds, series_scope
from appointd.app import series as series_cases
from appointd.app.appointment_query import AppointmentQuery, find_appointments
from appointd.app.commands import BookAppointment, ChangeAppointment, TransitionAppointment
from appointd.app.context import Context
from appointd.app.zones import zone_of
from appointd.domain.errors import FieldError, Invalid
from appointd.domain.model import AppointmentKind
from appointd.domain.notifications import Notify
from appointd.domain.status import ACTIONS, Status
from appointd.domain.wallclock import as_utc
from appointd.faces.native import render
from appointd.faces.native import schemas as s
from appointd.faces.native.auth import context
from appointd.faces.native.routes.common import (
    ID_LIST_PATTERN,
    Paging,
    enum_list,
    errors,
    id_list,
    paging,
)
from appointd.faces.native.routes.series import SeriesOut, series_document

router = APIRouter(tags=["appointments"])
SCOPE = "series only: this (default), following (this and later occurrences) or all"


@router.post(
    "/appointments",
    status_code=201,
    response_model=s.AppointmentOut | SeriesOut,
    responses={
        201: {"description": "The appointment (AppointmentOut); with recurrence, the SeriesOut"},
        **errors(401, 404, 409, 422),
    },
    summary="Book an appointment, seats in a class session, or a recurring series",
)
def book(payload: s.AppointmentIn, ctx: Context = Depends(context)) -> Response | SeriesOut:
    """Refused with 409 (``conflicts`` listed) when the busy span overlaps holding time of the
    staff, additional staff or resources; with 422 outside working hours. ``override`` skips
    both on purpose and is recorded in the history.

    Without ``staff_id`` a staff member is assigned: one who offers the service, works at the
    location, is not archived and is free for the whole busy span (working hours and no
    conflicts, as when named). Among those, round-robin: the fewest holding appointments as
    primary staff on that local day, then the one booked least recently (oldest latest
    ``created_at``; never booked first), then the lowest id. Nobody free: 409 ``slot-taken``;
    nobody qualified: 422 naming ``staff_id``.

    With ``class_session_id`` it takes ``seats`` in that session: the appointment copies the
    session's service, staff, location and times (409 ``capacity-exceeded`` when too few
    seats are left). With ``recurrence`` it books every occurrence of the rule in one go and
    answers 201 with the **series document** (``occurrences`` booked, ``skipped`` ones): every
    occurrence is checked; by default any refusal refuses all (409 listing each conflict with
    its ``occurrence`` index, or 422), with ``on_conflict: "skip"`` the others are booked."""
    data = payload.model_dump()
    data["status"] = Status(data["status"])
    data["notify"] = notify_of(payload.notify)
    data["form"] = _answers(payload.form)
    missing = [f for f in ("location_id", "service_id", "start") if data[f] is None]
    if missing and payload.class_session_id is None:
        raise Invalid([FieldError(f, "required") for f in missing])
    if payload.recurrence is not None:
        return series_document(series_cases.book(ctx, BookAppointment(**data)), ctx)
    appt = appointments.book(ctx, BookAppointment(**data))
    # Written here rather than by FastAPI, which would validate the reply against the whole
    # union of the response model first: booking is the hot path.
    body = render.appointment(appt, ctx).model_dump_json()
    return Response(body, status_code=201, media_type="application/json")


def _answers(answers: list[s.FormAnswerIn] | None) -> list[dict[str, Any]] | None:
    """Form answers as the core takes them: ``value`` or ``values``, whichever was sent."""
    if answers is None:
        return None
    return [a.model_dump(exclude_none=True) for a in answers]


def _kinds(raw: str | None) -> list[AppointmentKind] | None:
    """Holds (time kept for the waitlist) are listed only when asked for; ``all`` lists both."""
    if not raw:
        return [AppointmentKind.APPOINTMENT]
    if raw == "all":
        return None
    try:
        return [AppointmentKind(x.strip()) for x in raw.split(",") if x.strip()]
    except ValueError:
        raise Invalid.field("kind", "one of appointment, hold, all") from None


class AppointmentList(s.ListOf[s.AppointmentOut]):
    next_changed_since: int | None = Field(
        default=None,
        description="with changed_since: the value to send next time to get only what changed "
        "after this page (the largest change_seq on it, or the one you sent when it is empty)",
    )


_SORTS = {
    "start": ("start", False),
    "-start": ("start", True),
    "created_at": ("created", False),
    "-created_at": ("created", True),
    "updated_at": ("updated", False),
    "-updated_at": ("updated", True),
    "change_seq": ("change_seq", False),
}


@router.get(
    "/appointments",
    response_model=AppointmentList,
    responses=errors(401, 422),
    summary="List appointments",
)
def list_appointments(
    from_: s.Instant | None = Query(None, alias="from", description="overlapping from (RFC 3339)"),
    to: s.Instant | None = Query(None, description="overlapping until (RFC 3339)"),
    staff_id: str | None = Query(
        None, pattern=ID_LIST_PATTERN, description="id or comma list (main or additional)"
    ),
    location_id: str | None = Query(None, pattern=ID_LIST_PATTERN),
    service_id: str | None = Query(None, pattern=ID_LIST_PATTERN),
    client_id: str | None = Query(None, pattern=ID_LIST_PATTERN),
    resource_id: str | None = Query(None, pattern=ID_LIST_PATTERN),
    status: str | None = Query(None, description="comma list, e.g. confirmed,pending"),
    kind: str | None = Query(None, description="appointment (default), hold, or all"),
    include_archived: bool = Query(False),
    include_deleted: bool = Query(False, description="also list deleted appointments"),
    changed_since: int | None = Query(
        None,
        ge=0,
        le=2**62,
        description="only appointments whose change_seq is greater (a change feed: items come "
        "in change_seq order, archived and deleted ones included; poll with "
        "next_changed_since)",
    ),
    reference: str | None = Query(None, max_length=64, description="comma list of references"),
    external_id: str | None = Query(None, max_length=200, description="exact external_id"),
    sort: str = Query(
        "start",
        description="start, -start, created_at, -created_at, updated_at, -updated_at or "
        "change_seq (changed_since always sorts by change_seq)",
    ),
    page: Paging = Depends(paging),
    ctx: Context = Depends(context),
) -> Any:
    problems: list[FieldError] = []
    if sort not in _SORTS:
        problems.append(FieldError("sort", "one of " + ", ".join(_SORTS)))
    start = as_utc(from_, field="from") if from_ else None
    end = as_utc(to, field="to") if to else None
    if start and end and end <= start:
        problems.append(FieldError("to", "must be after from"))
    if problems:
        raise Invalid(problems)
    order_by, descending = _SORTS[sort]
    feed = changed_since is not None
    if feed:
        # A change feed shows every change, archivals and deletions included, in order.
        order_by, descending = "change_seq", False
    items, total = find_appointments(
        ctx,
        AppointmentQuery(
            window_start=start,
            window_end=end,
            staff_ids=id_list(staff_id, "staff_id"),
            location_ids=id_list(location_id, "location_id"),
            service_ids=id_list(service_id, "service_id"),
            client_ids=id_list(client_id, "client_id"),
            resource_ids=id_list(resource_id, "resource_id"),
            statuses=enum_list(status, Status, "status"),
            kinds=_kinds(kind),
            changed_since=changed_since,
            references=[r for r in reference.split(",") if r.strip()] if reference else None,
            external_ids=[external_id] if external_id is not None else None,
            include_archived=include_archived or feed,
            include_deleted=include_deleted or feed,
            order_by=order_by,
            descending=descending,
            limit=page.limit,
            offset=page.offset,
        ),
    )
    render.prefetch(ctx, {a.location_id for a in items})
    return {
        "items": [render.appointment(a, ctx) for a in items],
        "total": total,
        "limit": page.limit,
        "offset": page.offset,
        "next_changed_since": (
            max([changed_since or 0, *(a.change_seq for a in items)]) if feed else None
        ),
    }


@router.get(
    "/appointments/{id}",
    response_model=s.AppointmentOut,
    responses=errors(401, 404),
    summary="Get an appointment",
)
def get_appointment(id: s.PathId, ctx: Context = Depends(context)) -> s.AppointmentOut:
    """Deleted appointments (gone from lists) are still found here, with ``deleted_at``."""
    return render.appointment(appointments.get(ctx, id), ctx)


@router.patch(
    "/appointments/{id}",
    response_model=s.AppointmentOut,
    responses=errors(401, 404, 409, 422),
    summary="Reschedule, reassign or annotate",
)
def change_appointment(
    id: s.PathId,
    payload: s.AppointmentPatch,
    scope: Literal["this", "following", "all"] = Query("this", description=SCOPE),
    ctx: Context = Depends(context),
) -> s.AppointmentOut:
    """Every scheduling check runs again when the time, staff, resources, service or location
    change; the end keeps its length when only the start moves. With ``scope=following|all``
    the same change applies to the series' open occurrences (a new start shifts each by the same
    local wall-clock delta), each checked, all or nothing. A class seat cannot be moved (422)."""
    changes = payload.model_dump(exclude_unset=True)
    changes.pop("notify", None)  # null in the fields of ``not_null`` was refused by the model
    if "form" in changes:
        changes["form"] = _answers(payload.form)
    appt = series_scope.change(
        ctx, ChangeAppointment(id, changes, notify_of(payload.notify)), scope
    )
    return render.appointment(appt, ctx)


@router.delete(
    "/appointments/{id}",
    status_code=204,
    responses=errors(401, 404),
    summary="Archive an appointment (frees its time)",
)
def archive_appointment(id: s.PathId, ctx: Context = Depends(context)) -> Response:
    appointments.archive(ctx, id)
    return Response(status_code=204)


@router.get(
    "/appointments/{id}/history",
    response_model=list[s.HistoryOut],
    responses=errors(401, 404),
    summary="Every change of an appointment",
)
def appointment_history(id: s.PathId, ctx: Context = Depends(context)) -> list[s.HistoryOut]:
    entries = appointments.history(ctx, id)
    tz = zone_of(ctx, appointments.get(ctx, id).location_id)
    return [render.history(h, tz) for h in entries]


def _transition_route(action: str, target: Status) -> None:
    @router.post(
        f"/appointments/{{id}}/{action}",
        response_model=s.AppointmentOut,
        responses=errors(401, 404, 409, 422),
        name=f"appointment_{action}",
        summary=f"Move the appointment to {target.value}",
    )
    def move(
        id: s.PathId, payload: s.ReasonIn | None = Body(None), ctx: Context = Depends(context)
    ) -> s.AppointmentOut:
        reason = payload.reason if payload else None
        notify = notify_of(payload.notify if payload else None)
        return render.appointment(
            appointments.transition_to(
                ctx, TransitionAppointment(id, target, reason, notify=notify)
            ),
            ctx,
        )


for _action, _target in ACTIONS.items():
    if _action != "cancel":  # cancel may also offer the freed time to the waitlist: below
        _transition_route(_action, _target)


@router.post(
    "/appointments/{id}/cancel",
    response_model=s.AppointmentOut,
    responses=errors(401, 404, 409, 422),
    name="appointment_cancel",
    summary="Cancel the appointment, optionally holding its time for waitlist entries",
)
def cancel_appointment(
    id: s.PathId,
    payload: s.CancelIn | None = Body(None),
    scope: Literal["this", "following", "all"] = Query("this", description=SCOPE),
    ctx: Context = Depends(context),
) -> s.AppointmentOut:
    """With ``offer_to``, the freed time is kept as a hold (an appointment of kind ``hold``)
    for ``hold_minutes`` (default 60) and the named waitlist entries are invited to claim it,
    all in the same transaction as the cancellation. With ``scope=following|all`` the series'
    cancellable occurrences are cancelled with it (not combinable with ``offer_to``)."""
    body = payload or s.CancelIn()
    if scope != "this":
        if body.offer_to or body.hold_minutes is not None:
            raise Invalid.field("offer_to", "only with scope=this")
        return render.appointment(
            series_scope.cancel(ctx, id, scope, body.reason, code=body.code, note=body.note), ctx
        )
    cmd = holds.CancelWithOffer(
        id,
        body.offer_to,
        body.reason,
        body.hold_minutes,
        body.code,
        body.note,
        notify=notify_of(body.notify),
    )
    return render.appointment(holds.cancel(ctx, cmd), ctx)


def notify_of(raw: s.NotifyIn | None) -> Notify | None:
    """The command's notify flags; ``None`` (absent) = the account's defaults."""
    if raw is None:
        return None
    return Notify(client=raw.client, staff=raw.staff)
