"""Wire schemas of the native face. Input models refuse unknown fields and wrong JSON types.

Ids and counts are strict integers (``"12"`` is refused, not coerced); times are RFC 3339.
PATCH models have every field optional and only the fields actually sent are applied.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

T = TypeVar("T")
Id = StrictInt
Name = StrictStr


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Problem(BaseModel):
    """An RFC 9457 problem document, with appointd's extension members."""

    type: str = Field(examples=["/problems/slot-taken"])
    title: str
    status: int
    detail: str
    errors: list[dict[str, str]] | None = Field(
        default=None, description="validation problems: [{field, message}]"
    )
    conflicts: list[dict[str, Any]] | None = Field(
        default=None, description="what a refused booking collides with"
    )
    current_status: str | None = Field(default=None, description="on an illegal transition")


class ListOf(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


# -- locations ----------------------------------------------------------------------------


class LocationIn(In):
    name: Name
    time_zone: StrictStr = Field(description="IANA zone, e.g. Europe/Berlin")
    address: StrictStr | None = None


class LocationPatch(In):
    name: Name | None = None
    time_zone: StrictStr | None = None
    address: StrictStr | None = None


class LocationOut(Out):
    id: int
    name: str
    time_zone: str
    address: str | None
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime


# -- staff ----------------------------------------------------------------------------------


class WeeklyRangeIn(In):
    weekday: StrictInt = Field(description="ISO weekday, Monday = 1 ... Sunday = 7")
    start: StrictStr = Field(examples=["09:00"])
    end: StrictStr = Field(examples=["17:00"])


class RangeIn(In):
    start: StrictStr
    end: StrictStr


class DateOverrideIn(In):
    date: StrictStr = Field(examples=["2026-12-24"])
    ranges: list[RangeIn] = Field(default_factory=list, description="empty = day off")


class StaffIn(In):
    first_name: Name
    last_name: StrictStr = ""
    email: StrictStr | None = None
    time_zone: StrictStr | None = Field(
        default=None, description="defaults to the first location's"
    )
    location_ids: list[Id] = Field(default_factory=list)
    service_ids: list[Id] = Field(default_factory=list)
    working_hours: list[WeeklyRangeIn] = Field(default_factory=list)
    date_overrides: list[DateOverrideIn] = Field(default_factory=list)


class StaffPatch(In):
    first_name: Name | None = None
    last_name: StrictStr | None = None
    email: StrictStr | None = None
    time_zone: StrictStr | None = None
    location_ids: list[Id] | None = None
    service_ids: list[Id] | None = None
    working_hours: list[WeeklyRangeIn] | None = None
    date_overrides: list[DateOverrideIn] | None = None


class TimeOffIn(In):
    start: datetime
    end: datetime
    reason: StrictStr | None = None
    override: StrictBool = Field(default=False, description="allow it over booked appointments")


class TimeOffOut(Out):
    id: int
    staff_id: int
    start: datetime
    end: datetime
    reason: str | None


class StaffOut(Out):
    id: int
    first_name: str
    last_name: str
    email: str | None
    time_zone: str
    location_ids: list[int]
    service_ids: list[int]
    working_hours: list[dict[str, Any]]
    date_overrides: list[dict[str, Any]]
    time_off: list[TimeOffOut]
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime


# -- services -----------------------------------------------------------------------------


class ServiceIn(In):
    name: Name
    duration_minutes: StrictInt
    buffer_before_minutes: StrictInt = 0
    buffer_after_minutes: StrictInt = 0
    price: Decimal | None = Field(default=None, description='decimal string, e.g. "45.00"')
    currency: StrictStr | None = None
    kind: Literal["service", "class"] = "service"
    capacity: StrictInt = 1
    staff_ids: list[Id] = Field(default_factory=list)
    resource_ids: list[Id] = Field(default_factory=list, description="resources the service needs")
    min_notice_minutes: StrictInt | None = None
    max_advance_days: StrictInt | None = None


class ServicePatch(In):
    name: Name | None = None
    duration_minutes: StrictInt | None = None
    buffer_before_minutes: StrictInt | None = None
    buffer_after_minutes: StrictInt | None = None
    price: Decimal | None = None
    currency: StrictStr | None = None
    kind: Literal["service", "class"] | None = None
    capacity: StrictInt | None = None
    staff_ids: list[Id] | None = None
    resource_ids: list[Id] | None = None
    min_notice_minutes: StrictInt | None = None
    max_advance_days: StrictInt | None = None


class ServiceOut(Out):
    id: int
    name: str
    duration_minutes: int
    buffer_before_minutes: int
    buffer_after_minutes: int
    price: str | None
    currency: str | None
    kind: str
    capacity: int
    staff_ids: list[int]
    resource_ids: list[int]
    min_notice_minutes: int | None
    max_advance_days: int | None
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime


# -- resources and clients ----------------------------------------------------------------


class ResourceIn(In):
    name: Name
    location_id: Id | None = None
    capacity: StrictInt = 1


class ResourcePatch(In):
    name: Name | None = None
    location_id: Id | None = None
    capacity: StrictInt | None = None


class ResourceOut(Out):
    id: int
    name: str
    location_id: int | None
    capacity: int
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ClientIn(In):
    first_name: Name
    last_name: StrictStr = ""
    email: StrictStr | None = None
    phone: StrictStr | None = None
    time_zone: StrictStr | None = None
    external_id: StrictStr | None = None


class ClientPatch(In):
    first_name: Name | None = None
    last_name: StrictStr | None = None
    email: StrictStr | None = None
    phone: StrictStr | None = None
    time_zone: StrictStr | None = None
    external_id: StrictStr | None = None


class ClientOut(Out):
    id: int
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    time_zone: str | None
    external_id: str | None
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime


# -- appointments -------------------------------------------------------------------------


class AppointmentIn(In):
    location_id: Id
    service_id: Id
    client_id: Id
    start: datetime = Field(
        description="RFC 3339; without an offset it is wall time at the location"
    )
    staff_id: Id | None = None
    end: datetime | None = Field(default=None, description="default: start + service duration")
    resource_ids: list[Id] = Field(default_factory=list)
    additional_staff_ids: list[Id] = Field(default_factory=list)
    coordinator_staff_id: Id | None = None
    notes: StrictStr | None = None
    status: Literal["pending", "confirmed"] = "confirmed"
    override: StrictBool = Field(
        default=False, description="skip working-hours and overlap checks on purpose (recorded)"
    )


class AppointmentPatch(In):
    start: datetime | None = None
    end: datetime | None = None
    staff_id: Id | None = None
    additional_staff_ids: list[Id] | None = None
    resource_ids: list[Id] | None = None
    coordinator_staff_id: Id | None = None
    client_id: Id | None = None
    service_id: Id | None = None
    location_id: Id | None = None
    notes: StrictStr | None = None
    override: StrictBool | None = None


class ReasonIn(In):
    reason: StrictStr | None = None


class AppointmentOut(Out):
    id: int
    status: str
    kind: str
    location_id: int
    service_id: int
    staff_id: int | None
    client_id: int | None
    start: datetime
    end: datetime
    busy_start: datetime
    busy_end: datetime
    additional_staff_ids: list[int]
    resource_ids: list[int]
    coordinator_staff_id: int | None
    notes: str | None
    override: bool
    class_session_id: int | None
    seats: int
    series_id: int | None
    intent_id: int | None
    hold_expires_at: datetime | None
    source: str
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime


class HistoryOut(Out):
    at: datetime
    action: str
    actor: str
    source: str
    from_status: str | None
    to_status: str | None
    reason: str | None
    changes: dict[str, Any]


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"]
    version: str
    database: dict[str, Any]
