"""The shared appointment query, and what it answers: pages of appointments with everything a
face renders around them.

Plain data, importable by the store (which runs the query) without importing any use case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from appointd.domain.model import (
    Appointment,
    AppointmentKind,
    Client,
    CustomStatus,
    Location,
    Resource,
    Service,
    Staff,
)
from appointd.domain.status import Status
from appointd.store.repositories.conditions import Condition

ORDERS = frozenset({"start", "created", "updated", "change_seq", "id"})


@dataclass(slots=True)
class AppointmentQuery:
    """Filters, order and page of an appointment list; ``None`` (or empty default) is "any".

    Every filter narrows the result (they are AND-ed; values within one list are OR-ed).

    - ``staff_ids`` matches the main staff member or any additional staff member.
    - ``window_start``/``window_end``: appointments whose client span overlaps
      ``[window_start, window_end)``; either bound may be left open.
    - ``created_from``/``created_to``: ``created_from <= created_at < created_to``.
    - ``updated_since``: ``updated_at > updated_since``; ``changed_since``: ``change_seq >``.
    - ``client_external_ids``: appointments of clients with these ``external_id`` values.
    - ``references`` are compared case-insensitively (references are stored upper case).
    - ``text``: a case-insensitive substring of the notes or of any form answer value.
    - ``kinds`` defaults to real appointments; pass ``None`` to include waitlist holds.
    - ``include_cancelled=False`` leaves out status ``cancelled`` (``declined`` stays unless
      ``statuses`` says otherwise); archived and deleted ones are left out unless asked.
    - ``order_by``: one of :data:`ORDERS`, ties broken by id in the same direction.
    - ``limit=None`` returns every match; ``with_total`` also counts every match (one more
      statement).
    """

    ids: Sequence[int] | None = None
    location_ids: Sequence[int] | None = None
    staff_ids: Sequence[int] | None = None
    service_ids: Sequence[int] | None = None
    client_ids: Sequence[int] | None = None
    resource_ids: Sequence[int] | None = None
    statuses: Sequence[Status] | None = None
    custom_status_ids: Sequence[int] | None = None
    kinds: Sequence[AppointmentKind] | None = (AppointmentKind.APPOINTMENT,)
    series_ids: Sequence[int] | None = None
    class_session_ids: Sequence[int] | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    updated_since: datetime | None = None
    changed_since: int | None = None
    external_ids: Sequence[str] | None = None
    client_external_ids: Sequence[str] | None = None
    references: Sequence[str] | None = None
    text: str | None = None
    include_archived: bool = False
    include_deleted: bool = False
    include_cancelled: bool = True
    order_by: str = "start"
    descending: bool = False
    limit: int | None = 50
    offset: int = 0
    with_total: bool = True
    # General filters (see appointd.store.repositories.appointments.general_conditions):
    # comparisons on appointment fields, statuses left out, series repeats; ``order`` pairs
    # ``(field, descending)`` replace ``order_by`` when given.
    conditions: Sequence[Condition] = ()
    order: Sequence[tuple[str, bool]] = ()
    exclude_statuses: Sequence[Status] | None = None
    repeats: bool | None = None
    repeats_of: Sequence[int] | None = None


@dataclass(slots=True)
class AppointmentView:
    """An appointment with the objects a face renders around it, loaded for a whole page at
    once (see :func:`appointd.app.appointment_query.load_views`).

    A related object that no longer exists in the account is ``None`` (resources and additional
    staff are simply left out); archived ones are included as they are.
    """

    appointment: Appointment
    location: Location | None
    service: Service | None
    staff: Staff | None
    client: Client | None
    resources: list[Resource] = field(default_factory=list)
    additional_staff: list[Staff] = field(default_factory=list)
    custom_status: CustomStatus | None = None
    coordinator: Staff | None = None


@dataclass(slots=True)
class AppointmentPage:
    items: list[AppointmentView]
    total: int | None


@dataclass(frozen=True, slots=True)
class StatusCount:
    """One row of :func:`appointd.app.appointment_query.count_by_status`."""

    status: Status
    custom_status_id: int | None
    service_id: int | None  # None unless grouped by service
    count: int
