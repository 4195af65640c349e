"""Appointments with everything a face renders beside them, loaded in a bounded number of
statements: the page (a count and the rows), then their locations, staff, services, clients,
resources and class sessions, one statement each, whatever the number of rows.

A stop-gap until the core's shared appointment query (``AppointmentQuery``) lands; faces ask
for views through these functions so that the switch is local to this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from appointd.app.context import Context
from appointd.domain.classes import ClassSession
from appointd.domain.errors import NotFound
from appointd.domain.model import Appointment, Client, Location, Resource, Service, Staff, TimeOff
from appointd.domain.waitlist import WaitlistEntry
from appointd.domain.wallclock import to_instant, zone
from appointd.store.repositories.appointments import AppointmentFilter
from appointd.store.repositories.base import Page
from appointd.store.uow import UnitOfWork

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


@dataclass(slots=True)
class Related:
    """The objects appointments refer to, by id."""

    locations: dict[int, Location] = field(default_factory=dict)
    staff: dict[int, Staff] = field(default_factory=dict)
    services: dict[int, Service] = field(default_factory=dict)
    clients: dict[int, Client] = field(default_factory=dict)
    resources: dict[int, Resource] = field(default_factory=dict)
    sessions: dict[int, ClassSession] = field(default_factory=dict)


def load_related(
    uow: UnitOfWork, appts: Sequence[Appointment], locations: dict[int, Location] | None = None
) -> Related:
    """Everything ``appts`` refer to: at most one statement per kind of object."""
    staff_ids: set[int] = set()
    for a in appts:
        staff_ids.update(i for i in (a.staff_id, a.coordinator_staff_id) if i is not None)
        staff_ids.update(a.additional_staff_ids)
    return Related(
        locations=locations
        if locations is not None
        else uow.locations.get_many(a.location_id for a in appts),
        staff=uow.staff.get_many(staff_ids),
        services=uow.services.get_many(a.service_id for a in appts),
        clients=uow.clients.get_many(a.client_id for a in appts if a.client_id is not None),
        resources=uow.resources.get_many(r for a in appts for r in a.resource_ids),
        sessions=uow.class_sessions.get_many(
            a.class_session_id for a in appts if a.class_session_id is not None
        ),
    )


def get_view(ctx: Context, appointment_id: int) -> tuple[Appointment, Related]:
    with ctx.uow(write=False) as uow:
        appt = uow.appointments.get(appointment_id)
        if appt is None:
            raise NotFound("appointment", appointment_id)
        return appt, load_related(uow, [appt])


def views_of(ctx: Context, appts: Sequence[Appointment]) -> Related:
    with ctx.uow(write=False) as uow:
        return load_related(uow, appts)


def search_views(
    ctx: Context,
    f: AppointmentFilter,
    first: date | None = None,
    last: date | None = None,
    *,
    count_only: bool = False,
) -> tuple[Page[Appointment], Related]:
    """Appointments matching ``f`` with their related objects.

    ``first``/``last`` (both included) are local dates: each location's own zone decides which
    appointments start on them, so a report over several zones is still one query.
    """
    with ctx.uow(write=False) as uow:
        locations: dict[int, Location] | None = None
        if first is not None or last is not None:
            locations = {loc.id: loc for loc in uow.locations.all_of_account()}
            f.start_windows = {
                loc.id: _window(loc.time_zone, first, last)
                for loc in locations.values()
                if f.location_ids is None or loc.id in f.location_ids
            }
        if count_only:
            return Page([], uow.appointments.count(f)), Related()
        page = uow.appointments.search(f)
        return page, load_related(uow, page.items, locations)


def count_by_status(
    ctx: Context, f: AppointmentFilter, first: date | None, last: date | None
) -> dict[tuple[str, str, int], int]:
    """Counts of matching appointments per (kind, status, service id): one statement (two
    with dates)."""
    with ctx.uow(write=False) as uow:
        if first is not None or last is not None:
            f.start_windows = {
                loc.id: _window(loc.time_zone, first, last)
                for loc in uow.locations.all_of_account()
                if f.location_ids is None or loc.id in f.location_ids
            }
        return uow.appointments.count_by_status_and_service(f)


def _window(tz_name: str, first: date | None, last: date | None) -> tuple[datetime, datetime]:
    tz = zone(tz_name)
    low = _midnight(first, tz) if first is not None else EARLIEST
    high = _midnight(last + timedelta(days=1), tz) if last is not None else LATEST
    return low, high


def _midnight(day: date, tz: object) -> datetime:
    return to_instant(datetime.combine(day, time(0)), tz, strict=False)  # type: ignore[arg-type]


def time_off_page(
    ctx: Context,
    staff_ids: Iterable[int] | None,
    first: date | None,
    last: date | None,
    limit: int,
    offset: int,
    descending: bool = False,
) -> tuple[Page[TimeOff], dict[int, Staff]]:
    """Time off (TimeTap's PERSONAL appointments) of ``staff_ids`` (all when ``None``) that
    starts on ``first``..``last`` in each staff member's zone, with the account's staff."""
    with ctx.uow(write=False) as uow:
        staff = {s.id: s for s in uow.staff.all_of_account()}
        windows = None
        if first is not None or last is not None:
            windows = {s.id: _window(s.time_zone, first, last) for s in staff.values()}
        page = uow.time_off.page_of_account(
            staff_ids=staff_ids, windows=windows, limit=limit, offset=offset, descending=descending
        )
    return page, staff


def related_of_entries(ctx: Context, entries: Sequence[WaitlistEntry]) -> Related:
    """The clients, locations, services and staff of waitlist entries: four statements."""
    with ctx.uow(write=False) as uow:
        return Related(
            locations=uow.locations.get_many(e.location_id for e in entries),
            staff=uow.staff.get_many(e.staff_id for e in entries if e.staff_id is not None),
            services=uow.services.get_many(e.service_id for e in entries),
            clients=uow.clients.get_many(e.client_id for e in entries),
        )


def related_of_sessions(ctx: Context, sessions: Sequence[ClassSession]) -> Related:
    """The locations, services, staff and resources of class sessions."""
    with ctx.uow(write=False) as uow:
        return Related(
            locations=uow.locations.get_many(s.location_id for s in sessions),
            staff=uow.staff.get_many(s.staff_id for s in sessions),
            services=uow.services.get_many(s.service_id for s in sessions),
            resources=uow.resources.get_many(
                s.resource_id for s in sessions if s.resource_id is not None
            ),
        )
