"""The entities of one account's calendar, as plain dataclasses.

Ids are 64-bit integers given by the store; ``0`` means "not stored yet". Every entity belongs
to exactly one account, and nothing in the core ever relates objects of two accounts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from appointd.domain.codes import new_manage_token, new_reference
from appointd.domain.contacts import Address, Phone
from appointd.domain.status import Status
from appointd.domain.working_hours import DateOverride, WorkingWeek


@dataclass(slots=True)
class Account:
    id: int
    name: str
    default_min_notice_minutes: int = 0
    default_max_advance_days: int = 365
    created_at: datetime | None = None


@dataclass(slots=True)
class Location:
    id: int
    account_id: int
    name: str
    time_zone: str
    address: str | None = None
    archived_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    # Public booking page at {public_url}/book/{booking_slug} while online_booking is on.
    online_booking: bool = False
    booking_slug: str | None = None


@dataclass(slots=True)
class TimeOff:
    id: int
    account_id: int
    staff_id: int
    start: datetime
    end: datetime
    reason: str | None = None
    created_at: datetime | None = None
    # Repeating time off: every member keeps the rule as given (``{"rrule": ...}``); a repeat
    # links to the first of its rule. ``updated_at`` is None until changed in place.
    repeated_from_id: int | None = None
    repeat_rule: dict[str, Any] | None = None
    updated_at: datetime | None = None


@dataclass(slots=True)
class Staff:
    id: int
    account_id: int
    first_name: str
    last_name: str
    time_zone: str
    email: str | None = None
    location_ids: list[int] = field(default_factory=list)
    service_ids: list[int] = field(default_factory=list)
    working_hours: WorkingWeek = field(default_factory=WorkingWeek)
    date_overrides: list[DateOverride] = field(default_factory=list)
    time_off: list[TimeOff] = field(default_factory=list)
    archived_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    # The staff member's phone (SMS to staff), and an integrator's own id for them
    # (domain.contacts has the rules of both).
    phone: str | None = None
    external_id: str | None = None


class ServiceKind(StrEnum):
    SERVICE = "service"
    CLASS = "class"


@dataclass(slots=True)
class Service:
    id: int
    account_id: int
    name: str
    duration_minutes: int
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0
    price: Decimal | None = None
    currency: str | None = None
    kind: ServiceKind = ServiceKind.SERVICE
    capacity: int = 1
    staff_ids: list[int] = field(default_factory=list)
    resource_ids: list[int] = field(default_factory=list)
    min_notice_minutes: int | None = None
    max_advance_days: int | None = None
    archived_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    external_id: str | None = None  # an integrator's own id for the service


@dataclass(slots=True)
class Resource:
    id: int
    account_id: int
    name: str
    location_id: int | None = None
    capacity: int = 1
    archived_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    external_id: str | None = None  # an integrator's own id for the resource


@dataclass(slots=True)
class Client:
    id: int
    account_id: int
    first_name: str
    last_name: str
    email: str | None = None
    phone: str | None = None
    time_zone: str | None = None
    external_id: str | None = None
    archived_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    # -- contact details (migration 0010; rules in domain.contacts) ---------------------------
    # ``phone`` above stays the primary number (SMS goes there); a write that gives ``phones``
    # but no ``phone`` sets it to the first mobile number, else the first number.
    phones: list[Phone] = field(default_factory=list)
    address: Address | None = None
    date_of_birth: date | None = None
    notes: str | None = None
    # Face-private data, one key per face (like Appointment.extra); never shown natively.
    extra: dict[str, Any] = field(default_factory=dict)


class AppointmentKind(StrEnum):
    APPOINTMENT = "appointment"
    HOLD = "hold"  # time kept for waitlist invitees; has no client


@dataclass(slots=True)
class Appointment:
    id: int
    account_id: int
    location_id: int
    service_id: int
    staff_id: int | None
    client_id: int | None
    start: datetime
    end: datetime
    busy_start: datetime
    busy_end: datetime
    status: Status = Status.CONFIRMED
    kind: AppointmentKind = AppointmentKind.APPOINTMENT
    additional_staff_ids: list[int] = field(default_factory=list)
    resource_ids: list[int] = field(default_factory=list)
    coordinator_staff_id: int | None = None
    notes: str | None = None
    override: bool = False
    class_session_id: int | None = None
    seats: int = 1
    series_id: int | None = None
    series_index: int | None = None
    intent_id: int | None = None
    waitlist_entry_id: int | None = None
    hold_expires_at: datetime | None = None
    source: str = "native"
    extra: dict[str, Any] = field(default_factory=dict)
    archived_at: datetime | None = None
    deleted_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    # -- what the faces share (DESIGN.md "What the faces share") ------------------------------
    # A short code for people (unique in the account) and the secret behind the manage link;
    # both are drawn when the object is built, so every new appointment has them.
    reference: str = field(default_factory=new_reference)
    manage_token: str = field(default_factory=new_manage_token)
    # Copied from the service at booking: a later price change does not rewrite the past.
    price: Decimal | None = None
    currency: str | None = None
    paid: bool = False
    # An account-defined status; when set, ``status`` is its base status.
    custom_status_id: int | None = None
    # Answers to the account's form fields: [{"field_id", "value"}] or [{"field_id", "values"}].
    form: list[dict[str, Any]] = field(default_factory=list)
    # Set when the appointment is cancelled: a face's reason code, a note, when and by whom.
    cancellation_code: str | None = None
    cancellation_note: str | None = None
    cancelled_at: datetime | None = None
    cancelled_by: str | None = None
    # Actor labels (the API key's actor, "client" from the manage page).
    created_by: str = ""
    updated_by: str = ""
    # The caller's own id for the appointment, and free properties (bounded in size).
    external_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    # Account-wide change sequence, stamped by the store as the last write of every change.
    change_seq: int = 0
    # [{"channel", "to", "minutes_before"}] (domain.notifications); None = the account default.
    reminders: list[dict[str, Any]] | None = None

    @property
    def holding(self) -> bool:
        """Whether this appointment blocks its staff's and resources' time."""
        return self.status.holding and self.archived_at is None and self.deleted_at is None


@dataclass(slots=True)
class CustomStatus:
    """An account-defined status name; an appointment carrying it has ``base_status``."""

    id: int
    account_id: int
    name: str
    base_status: Status
    archived_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class FieldType(StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    NUMBER = "number"
    EMAIL = "email"
    PHONE = "phone"
    URL = "url"
    DATE = "date"
    SELECT = "select"
    MULTISELECT = "multiselect"
    CHECKBOX = "checkbox"
    RADIO = "radio"

    @property
    def multiple(self) -> bool:
        """Whether answers carry ``values`` (a list) rather than one ``value``."""
        return self in (FieldType.MULTISELECT, FieldType.CHECKBOX)

    @property
    def has_options(self) -> bool:
        return self in (FieldType.SELECT, FieldType.MULTISELECT, FieldType.RADIO)


@dataclass(slots=True)
class FormField:
    """An account-defined question asked when booking ``service_ids`` (empty: every service)."""

    id: int
    account_id: int
    label: str
    type: FieldType = FieldType.TEXT
    required: bool = False
    options: list[str] = field(default_factory=list)
    service_ids: list[int] = field(default_factory=list)
    value_format: str | None = None  # a regular expression every value must match in full
    position: int = 0
    archived_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def applies_to(self, service_id: int) -> bool:
        return not self.service_ids or service_id in self.service_ids


@dataclass(slots=True)
class HistoryEntry:
    """One stamped change of an appointment: who, when, through which face, from what to what."""

    appointment_id: int
    at: datetime
    action: str
    actor: str
    source: str
    from_status: str | None = None
    to_status: str | None = None
    reason: str | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    id: int = 0


@dataclass(slots=True)
class Block:
    """A busy span of one staff member or resource; the unit the database refuses to overlap.

    ``exclusive`` blocks take part in the no-overlap guarantee; blocks of deliberate
    double-bookings (override) and of resources with capacity above one do not.
    """

    subject_kind: str  # "staff" | "resource"
    subject_id: int
    start: datetime
    end: datetime
    exclusive: bool = True
    role: str = "primary"  # primary | additional | resource | time_off | class_session
    appointment_id: int | None = None
    time_off_id: int | None = None
    class_session_id: int | None = None
    expires_at: datetime | None = None
    holding: bool = True


@dataclass(slots=True)
class Event:
    """A fact recorded for the outbox, dispatched after commit (e.g. ``appointment.booked``)."""

    type: str
    payload: dict[str, Any]


@dataclass(slots=True)
class DateWindow:
    start: date
    end: date
