"""Online booking: what a location's public booking page offers, and a client booking there.

The public pages decide nothing themselves; these use cases do, with the same rules as every
other booking. A client may only book a time that availability *offers* (the service's minimum
notice and horizon, working time, free staff and resources), which is stricter than the
business's own API, where a walk-in may be booked inside the notice. Every booking is an
ordinary appointment written by :func:`appointd.app.appointments.place` (or a class seat), so
it has its history entry, its outbox event and hence its notifications.

The caller's context is the account the booking page belongs to, with actor ``client`` and
source ``web`` (see :func:`client_context`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from appointd.app import availability, catalog
from appointd.app.appointments import book as book_appointment
from appointd.app.appointments import place
from appointd.app.commands import BookAppointment
from appointd.app.context import Caller, Context, Services
from appointd.app.placement import Placement, check_and_block, guard_overlaps, resolve
from appointd.app.staff_assignment import assign
from appointd.domain import assignment, forms
from appointd.domain.availability import Slot
from appointd.domain.errors import CapacityExceeded, FieldError, Invalid, NotFound, SlotTaken
from appointd.domain.model import (
    Appointment,
    Client,
    FormField,
    Location,
    Service,
    ServiceKind,
    Staff,
)
from appointd.domain.wallclock import zone
from appointd.store.uow import UnitOfWork

SOURCE = "web"
ACTOR = "client"


def find_page(services: Services, slug: str) -> Location:
    """The location whose booking page is ``slug``; :class:`NotFound` unless online booking is
    on there (an unknown, switched-off and archived page look the same)."""
    with UnitOfWork(services.engine, None, write=False) as uow:
        location = uow.public.location_by_slug(slug)
    if location is None:
        raise NotFound("booking page", slug)
    return location


def client_context(services: Services, account_id: int) -> Context:
    """The context of a client acting on a public page of ``account_id``."""
    return Context(services, Caller(account_id, actor=ACTOR, source=SOURCE))


@dataclass(frozen=True, slots=True)
class Offer:
    """A service bookable at the location, and the staff who may give it there."""

    service: Service
    staff: list[Staff]


def offers(ctx: Context, location: Location) -> list[Offer]:
    """Unarchived services someone may give at ``location`` (classes: those with a teacher
    there), by name. Two statements whatever the size of the catalog."""
    with ctx.uow(write=False) as uow:
        services = uow.services.page(limit=10_000).items
        people = uow.availability.active_staff()
    found = [Offer(s, assignment.qualified(people, s, location.id)) for s in services]
    return sorted(
        (o for o in found if o.staff), key=lambda o: (o.service.name.lower(), o.service.id)
    )


def offer(ctx: Context, location: Location, service_id: int) -> Offer:
    """The one offer of ``service_id``; :class:`NotFound` when it is not bookable here."""
    for o in offers(ctx, location):
        if o.service.id == service_id:
            return o
    raise NotFound("service", service_id, "service_id")


def week(
    ctx: Context, location: Location, service: Service, staff_id: int | None, first_day: datetime
) -> availability.Availability:
    """Seven days of free slots (class sessions with seats left), dates in the location's zone."""
    day = first_day.date()
    return availability.find(
        ctx,
        availability.AvailabilityQuery(
            service_id=service.id,
            location_id=location.id,
            first=day,
            last=day + timedelta(days=6),
            staff_ids=[staff_id] if staff_id is not None else None,
        ),
    )


def next_free(
    ctx: Context,
    location: Location,
    service: Service,
    staff_id: int | None,
    after: datetime,
    limit: int = 6,
) -> list[Slot]:
    """The first ``limit`` offered slots starting after ``after`` (looking four weeks ahead)."""
    tz = zone(location.time_zone)
    day = after.astimezone(tz).date()
    found = availability.find(
        ctx,
        availability.AvailabilityQuery(
            service_id=service.id,
            location_id=location.id,
            first=day,
            last=day + timedelta(days=27),
            staff_ids=[staff_id] if staff_id is not None else None,
        ),
    )
    cut = int(after.timestamp())
    return [s for d in found.days for s in d.slots if s.start > cut][:limit]


@dataclass(slots=True)
class ClientDetails:
    first_name: str
    last_name: str
    email: str
    phone: str | None = None


@dataclass(slots=True)
class OnlineBooking:
    """A booking request from the page: a service, an offered start, optional staff or class
    session, and who the client is."""

    location: Location
    service_id: int
    start: datetime
    client: ClientDetails
    staff_id: int | None = None
    class_session_id: int | None = None
    notes: str | None = None
    extra: dict[str, object] = field(default_factory=dict)
    form: list[dict[str, Any]] | None = None


def form_fields(ctx: Context, service_id: int) -> list[FormField]:
    """The account's active form fields asked when booking ``service_id``, in their order."""
    with ctx.uow(write=False) as uow:
        found = uow.form_fields.active()
    asked = [f for f in found if f.archived_at is None and f.applies_to(service_id)]
    return sorted(asked, key=lambda f: (f.position, f.id))


def check_form(
    fields: list[FormField], answers: list[dict[str, Any]], service_id: int
) -> list[dict[str, Any]]:
    """``answers`` checked by the core's form rules (the same check booking runs)."""
    return forms.check_answers(fields, answers, service_id)


def check_client(details: ClientDetails) -> Client:
    """The client the details describe, checked like any client; an e-mail is required here
    (the confirmation and the manage link go there)."""
    client = Client(
        id=0,
        account_id=0,
        first_name=details.first_name.strip(),
        last_name=details.last_name.strip(),
        email=details.email.strip() or None,
        phone=(details.phone or "").strip() or None,
    )
    errors: list[FieldError] = []
    if client.email is None:
        errors.append(FieldError("email", "required, to send you the confirmation"))
    try:
        catalog.VALIDATORS["clients"](None, client)  # type: ignore[arg-type]
    except Invalid as exc:
        errors.extend(exc.errors)
    if errors:
        raise Invalid(errors)
    return client


def book(ctx: Context, req: OnlineBooking) -> Appointment:
    """Book ``req`` for the client it describes, if its start is an offered slot.

    :class:`Invalid` naming a field for bad details or a time that is not offered at all (a
    tampered form); :class:`SlotTaken` (or ``CapacityExceeded`` for a class) when the time was
    free when shown and is taken now. The client is found by e-mail in the account (and left
    as it is) or created, in the same transaction as the booking, so a refusal writes nothing.
    """
    details = check_client(req.client)
    service = offer(ctx, req.location, req.service_id).service
    if service.kind == ServiceKind.CLASS:
        return _take_seat(ctx, req, details)
    if req.class_session_id is not None:
        raise Invalid.field("start", "this service is not a class")
    offered = _offered(ctx, req.location, service, req.staff_id, req.start)
    cmd = BookAppointment(
        location_id=req.location.id,
        service_id=service.id,
        start=req.start,
        staff_id=req.staff_id,
        notes=req.notes,
        extra=dict(req.extra),
        form=req.form,
    )
    with guard_overlaps(ctx, cmd), ctx.uow() as uow:
        cmd.client_id = _client_id(uow, ctx, details)
        placement = resolve(uow, cmd)
        if not offered:
            _raise_why_not_offered(uow, ctx, placement)
        if placement.staff is None:
            placement.staff = assign(
                uow,
                ctx,
                service=placement.service,
                location=placement.location,
                tz=placement.tz,
                spans=placement.spans,
            )
        appt = place(uow, ctx, cmd, placement)
        uow.commit()
    return appt


NOT_OFFERED = "this time cannot be booked online; choose a listed time"


def _raise_why_not_offered(uow: UnitOfWork, ctx: Context, placement: Placement) -> None:
    """A time that is not offered was either taken by someone (:class:`SlotTaken` listing the
    bookings in the way) or never a time of this page: outside the slot grid, working time,
    the notice or the horizon (:class:`Invalid` naming ``start``)."""
    try:
        if placement.staff is None:
            placement.staff = assign(
                uow,
                ctx,
                service=placement.service,
                location=placement.location,
                tz=placement.tz,
                spans=placement.spans,
            )
        check_and_block(uow, ctx, placement)
    except SlotTaken as exc:
        if exc.conflicts:
            raise
        raise Invalid.field("start", NOT_OFFERED) from None
    except Invalid:
        raise Invalid.field("start", NOT_OFFERED) from None
    raise Invalid.field("start", NOT_OFFERED)


def _offered(
    ctx: Context, location: Location, service: Service, staff_id: int | None, start: datetime
) -> bool:
    return offered_slot(ctx, location, service, staff_id, start) is not None


def offered_slot(
    ctx: Context, location: Location, service: Service, staff_id: int | None, start: datetime
) -> Slot | None:
    """The slot availability offers now at ``start`` (with ``staff_id`` free, if given)."""
    if start.tzinfo is None:
        raise Invalid.field("start", "must carry its offset")
    tz: ZoneInfo = zone(location.time_zone)
    day = start.astimezone(tz)
    found = week(ctx, location, service, staff_id, day - timedelta(days=1))
    at = int(start.timestamp())
    for d in found.days:
        for s in d.slots:
            if s.start == at and (staff_id is None or staff_id in s.staff_ids):
                return s
    return None


def _take_seat(ctx: Context, req: OnlineBooking, details: Client) -> Appointment:
    """A seat in an offered class session. The class use case runs its own transaction, so the
    client is stored first: a seat lost to a race afterwards leaves the client on file."""
    if req.class_session_id is None:
        raise Invalid.field("start", "choose one of the listed sessions")
    sessions = _session_slots(ctx, req)
    if req.class_session_id not in sessions:
        with ctx.uow(write=False) as uow:
            session = uow.class_sessions.get(req.class_session_id)
        if session is not None and session.service_id == req.service_id and session.seats_left < 1:
            raise CapacityExceeded("this session is full", 0)
        raise Invalid.field("start", "this session cannot be booked online; choose a listed one")
    with ctx.uow() as uow:
        client_id = _client_id(uow, ctx, details)
        uow.commit()
    cmd = BookAppointment(
        location_id=req.location.id,
        service_id=req.service_id,
        start=req.start,
        client_id=client_id,
        class_session_id=req.class_session_id,
        notes=req.notes,
        extra=dict(req.extra),
        form=req.form,
    )
    return book_appointment(ctx, cmd)


def _session_slots(ctx: Context, req: OnlineBooking) -> Sequence[int | None]:
    tz = zone(req.location.time_zone)
    service = offer(ctx, req.location, req.service_id).service
    found = week(ctx, req.location, service, None, req.start.astimezone(tz) - timedelta(days=1))
    return [s.class_session_id for d in found.days for s in d.slots]


def _client_id(uow: UnitOfWork, ctx: Context, details: Client) -> int:
    """The account's client with this e-mail, else a new one from the details."""
    assert details.email is not None  # check_client requires it
    existing = uow.public.client_by_email(details.email)
    if existing is not None:
        return existing
    now = ctx.now()
    details.account_id = ctx.account_id
    details.created_at = details.updated_at = now
    return uow.clients.add(details)
