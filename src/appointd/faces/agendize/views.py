"""Loading what the Agendize renderer needs for a page of appointments, in bounded statements.

An :class:`View` is an appointment with its company (location), service, staff, client,
resources and history. :func:`load` loads them for a whole list at once: one statement per
kind of object, never one per appointment. (The core's shared appointment query replaces this
loader once it lands; its views carry the same objects.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from appointd.app.appointment_query import load_views as load_core_views
from appointd.app.context import Context
from appointd.app.queries import AppointmentQuery
from appointd.domain.model import (
    Appointment,
    Client,
    CustomStatus,
    HistoryEntry,
    Location,
    Resource,
    Service,
    Staff,
    TimeOff,
)
from appointd.store.uow import UnitOfWork

# The most appointments one list answers (Agendize lists have no paging).
MAX_ITEMS = 2000


@dataclass(slots=True)
class View:
    appointment: Appointment
    location: Location | None
    service: Service | None
    staff: Staff | None
    client: Client | None
    resources: list[Resource] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    custom_status: CustomStatus | None = None


@dataclass(slots=True)
class PersonalView:
    """A personal appointment: the core's time off of one staff member."""

    time_off: TimeOff
    staff: Staff | None


def load_views(uow: UnitOfWork, appts: list[Appointment], with_history: bool) -> list[View]:
    """Views of ``appts``: the core's page loader (one statement per related table) and, when
    asked, their history in one more statement."""
    core = load_core_views(uow, appts)
    history = uow.appointments.history_of_many([a.id for a in appts]) if with_history else {}
    return [
        View(
            c.appointment,
            c.location,
            c.service,
            c.staff,
            c.client,
            c.resources,
            history.get(c.appointment.id, []),
            c.custom_status,
        )
        for c in core
    ]


def search(ctx: Context, query: AppointmentQuery, *, with_history: bool) -> tuple[list[View], int]:
    """The appointments ``query`` selects (at most :data:`MAX_ITEMS`), each with its objects
    (through the core's page loader), and the account's latest change sequence (the next sync
    token). One statement per kind of object, never one per appointment."""
    query.limit = MAX_ITEMS
    query.with_total = False
    latest_query = AppointmentQuery(
        kinds=None,
        include_archived=True,
        include_deleted=True,
        order_by="change_seq",
        descending=True,
        limit=1,
        with_total=False,
    )
    with ctx.uow(write=False) as uow:
        items, _ = uow.appointment_search.search(query)
        found = load_views(uow, items, with_history)
        last, _ = uow.appointment_search.search(latest_query)
    return found, last[0].change_seq if last else 0


def of(ctx: Context, appt: Appointment, history: list[HistoryEntry] | None = None) -> View:
    """The view of an appointment just written: its objects in one joined statement, and its
    resources and history (a booking's answer; cheaper than :func:`one`). ``history``, when
    the caller knows it (a new booking has only its "booked" entry), is not read again."""
    with ctx.uow(write=False) as uow:
        if appt.custom_status_id is not None:
            return load_views(uow, [appt], True)[0]
        refs = uow.references.load(
            appt.location_id, appt.service_id, appt.client_id, [appt.staff_id or 0]
        )
        resources = uow.resources.get_many(appt.resource_ids)
        if history is None:
            history = uow.appointments.history(appt.id)
    return View(
        appt,
        refs.location,
        refs.service,
        refs.staff.get(appt.staff_id) if appt.staff_id else None,
        refs.client,
        [resources[r] for r in appt.resource_ids if r in resources],
        history,
    )


def one(ctx: Context, appointment_id: int) -> View | None:
    with ctx.uow(write=False) as uow:
        appt = uow.appointments.get(appointment_id)
        if appt is None:
            return None
        return load_views(uow, [appt], True)[0]


def personal(
    ctx: Context, location_id: int, start: datetime | None, end: datetime | None
) -> list[PersonalView]:
    """Time off overlapping [start, end) of the staff who work at ``location_id`` (staff with
    no locations work everywhere)."""
    with ctx.uow(write=False) as uow:
        people = uow.staff.page(limit=100_000).items
        here = {s.id: s for s in people if not s.location_ids or location_id in s.location_ids}
        entries = uow.time_off.for_staff_many(here)
    out = []
    for staff_id, items in entries.items():
        for t in items:
            if (start is None or t.end > start) and (end is None or t.start < end):
                out.append(PersonalView(t, here[staff_id]))
    return sorted(out, key=lambda v: (v.time_off.start, v.time_off.id))


def personal_one(ctx: Context, time_off_id: int) -> PersonalView | None:
    with ctx.uow(write=False) as uow:
        entry = uow.time_off.by_id(time_off_id)
        if entry is None:
            return None
        return PersonalView(entry, uow.staff.get(entry.staff_id))
