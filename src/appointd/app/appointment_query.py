"""Lists and reports of appointments for every face: one query, one page loader.

:func:`search_appointments` runs an :class:`AppointmentQuery` and answers a page of
:class:`AppointmentView`: each appointment with its location, service, staff, client,
resources, additional staff and custom status, loaded for the whole page with one statement per
related table, however many rows the page has. Faces render from these views and never load
related objects row by row.
"""

from __future__ import annotations

from collections.abc import Sequence

from appointd.app.context import Context
from appointd.app.queries import (
    ORDERS,
    AppointmentPage,
    AppointmentQuery,
    AppointmentView,
    StatusCount,
)
from appointd.domain.errors import Invalid, NotFound
from appointd.domain.model import Appointment
from appointd.store.uow import UnitOfWork

__all__ = [
    "ORDERS",
    "AppointmentPage",
    "AppointmentQuery",
    "AppointmentView",
    "StatusCount",
    "count_by_status",
    "find_appointments",
    "get_appointment_view",
    "load_views",
    "search_appointments",
    "view_appointments",
]


def search_appointments(ctx: Context, query: AppointmentQuery) -> AppointmentPage:
    """The page of appointments ``query`` selects, as views; ``total`` when it asks for it.

    Statements: one for the page, one for the count (only when ``with_total`` and the page
    does not already hold every match), and at most one per related table.
    """
    _check(query)
    with ctx.uow(write=False) as uow:
        items, total = uow.appointment_search.search(query)
        return AppointmentPage(load_views(uow, items), total)


def find_appointments(
    ctx: Context, query: AppointmentQuery
) -> tuple[list[Appointment], int | None]:
    """:func:`search_appointments` without the related objects, for callers that render the
    appointments alone."""
    _check(query)
    with ctx.uow(write=False) as uow:
        return uow.appointment_search.search(query)


def count_by_status(
    ctx: Context, query: AppointmentQuery, group_by_service: bool = False
) -> list[StatusCount]:
    """How many appointments ``query`` selects per status and custom status (and service);
    its order, limit and offset are ignored. One statement."""
    _check(query)
    with ctx.uow(write=False) as uow:
        return uow.appointment_search.count_by_status(query, group_by_service)


def get_appointment_view(ctx: Context, appointment_id: int) -> AppointmentView:
    """One appointment (deleted and archived ones too) with its related objects."""
    with ctx.uow(write=False) as uow:
        appt = uow.appointments.get(appointment_id)
        if appt is None:
            raise NotFound("appointment", appointment_id)
        return load_views(uow, [appt])[0]


def view_appointments(ctx: Context, appointments: Sequence[Appointment]) -> list[AppointmentView]:
    """Views of appointments a use case already returned (e.g. a booked series)."""
    with ctx.uow(write=False) as uow:
        return load_views(uow, appointments)


def load_views(uow: UnitOfWork, appointments: Sequence[Appointment]) -> list[AppointmentView]:
    """``appointments`` with their related objects: one statement per related table that any
    of them refers to (none for an empty list), whatever their number."""
    if not appointments:
        return []
    staff_ids = {
        i
        for a in appointments
        for i in [a.staff_id, a.coordinator_staff_id, *a.additional_staff_ids]
        if i is not None
    }
    locations = uow.locations.get_many({a.location_id for a in appointments})
    services = uow.services.get_many({a.service_id for a in appointments})
    staff = uow.staff.get_many(staff_ids)
    clients = uow.clients.get_many({a.client_id for a in appointments if a.client_id})
    resources = uow.resources.get_many({r for a in appointments for r in a.resource_ids})
    statuses = uow.custom_statuses.get_many(
        {a.custom_status_id for a in appointments if a.custom_status_id}
    )
    return [
        AppointmentView(
            appointment=a,
            location=locations.get(a.location_id),
            service=services.get(a.service_id),
            staff=staff.get(a.staff_id) if a.staff_id is not None else None,
            client=clients.get(a.client_id) if a.client_id is not None else None,
            resources=[resources[r] for r in a.resource_ids if r in resources],
            additional_staff=[staff[s] for s in a.additional_staff_ids if s in staff],
            custom_status=statuses.get(a.custom_status_id) if a.custom_status_id else None,
            coordinator=(
                staff.get(a.coordinator_staff_id) if a.coordinator_staff_id is not None else None
            ),
        )
        for a in appointments
    ]


def _check(query: AppointmentQuery) -> None:
    if query.order_by not in ORDERS:
        raise Invalid.field("order_by", "one of " + ", ".join(sorted(ORDERS)))
    if query.limit is not None and query.limit < 0:
        raise Invalid.field("limit", "must not be negative")
    if query.offset < 0:
        raise Invalid.field("offset", "must not be negative")
