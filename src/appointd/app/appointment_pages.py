"""Pages of appointments with what a face needs to render them, in a bounded number of statements.

A page is the count, the rows, the clients' names, the series rules, the first occurrence of
each series and the reminders sent: six statements whatever the page size (fewer when nothing
refers to a client or a series). Faces render from :class:`AppointmentPage` and never query per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from appointd.app.context import Context
from appointd.app.queries import AppointmentQuery
from appointd.domain import booking
from appointd.domain.classes import MAX_CAPACITY
from appointd.domain.errors import NotFound
from appointd.domain.model import Appointment, Client
from appointd.domain.recurrence import Series
from appointd.domain.status import Status
from appointd.store.repositories.reminders_sent import RemindersSentRepository
from appointd.store.uow import UnitOfWork


@dataclass(slots=True)
class AppointmentPage:
    items: list[Appointment]
    total: int
    clients: dict[int, Client] = field(default_factory=dict)
    series: dict[int, Series] = field(default_factory=dict)
    series_firsts: dict[int, int] = field(default_factory=dict)
    # The channels ("email", "sms") of the reminders sent per appointment.
    reminders_sent: dict[int, set[str]] = field(default_factory=dict)


def _references(uow: UnitOfWork, items: Sequence[Appointment], page: AppointmentPage) -> None:
    client_ids = [a.client_id for a in items if a.client_id is not None]
    series_ids = [a.series_id for a in items if a.series_id is not None]
    page.clients = uow.clients.get_many(client_ids) if client_ids else {}
    if series_ids:
        page.series = uow.series.get_many(series_ids)
        page.series_firsts = uow.appointments.series_firsts(series_ids)
    if items:
        sent = RemindersSentRepository(uow.conn, uow.account_id)
        page.reminders_sent = sent.channels([a.id for a in items])


def search(ctx: Context, f: AppointmentQuery) -> AppointmentPage:
    """One page of appointments matching ``f`` (the core's appointment query), with their
    clients, series and sent reminders loaded."""
    with ctx.uow(write=False) as uow:
        items, total = uow.appointment_search.search(f)
        page = AppointmentPage(items, len(items) if total is None else total)
        _references(uow, items, page)
    return page


def of(ctx: Context, items: list[Appointment]) -> AppointmentPage:
    """``items`` (just written by a use case) as a page, with their references loaded."""
    page = AppointmentPage(items, len(items))
    if items:
        with ctx.uow(write=False) as uow:
            _references(uow, items, page)
    return page


def one(ctx: Context, appointment_id: int) -> AppointmentPage:
    """The appointment ``appointment_id`` as a page of one; :class:`NotFound` otherwise."""
    with ctx.uow(write=False) as uow:
        appt = uow.appointments.get(appointment_id)
        if appt is None:
            raise NotFound("appointment", appointment_id)
        page = AppointmentPage([appt], 1)
        _references(uow, [appt], page)
    return page


def has_conflicts(ctx: Context, appointment_id: int) -> bool:
    """Whether another holding booking overlaps this appointment's busy time (its staff and
    resources); a double booking made with an override is such a conflict."""
    with ctx.uow(write=False) as uow:
        appt = uow.appointments.get(appointment_id)
        if appt is None:
            raise NotFound("appointment", appointment_id)
        if not appt.holding:
            return False
        subjects = [("staff", s) for s in [appt.staff_id, *appt.additional_staff_ids] if s]
        subjects += [("resource", r) for r in appt.resource_ids]
        found = uow.blocks.holding_in(
            subjects, appt.busy_start, appt.busy_end, exclude_appointment_id=appt.id
        )
        live, _ = booking.split_expired(found, ctx.now())
    return bool(live)


def seated_clients(ctx: Context, session_ids: Sequence[int]) -> dict[int, list[int]]:
    """The clients holding a seat in each class session, oldest seat first (one statement)."""
    out: dict[int, list[int]] = {i: [] for i in session_ids}
    if not session_ids:
        return out
    f = AppointmentQuery(
        kinds=None,
        limit=MAX_CAPACITY * len(out),
        class_session_ids=sorted(out),
        statuses=[s for s in Status if s.holding],
        order=[("created_at", False)],
        with_total=False,
    )
    with ctx.uow(write=False) as uow:
        for a in uow.appointment_search.search(f)[0]:
            if a.class_session_id is not None and a.client_id is not None:
                out[a.class_session_id].append(a.client_id)
    return out
