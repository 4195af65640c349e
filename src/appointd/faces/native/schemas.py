"""Wire schemas of the native face. Input models refuse unknown fields and wrong JSON types.

Ids and counts are strict integers (``"12"`` is refused, not coerced); times are RFC 3339.
PATCH models have every field optional and only the fields actually sent are applied.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from types import UnionType
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from appointd.domain import contacts
from appointd.faces.shared.parsing import MAX_ID as _MAX_ID
from appointd.faces.shared.parsing import (
    parse_id,
    parse_instant_or_local,
    parse_path_id,
    unstorable,
)
from appointd.faces.shared.pydantic import path_validator, validator

T = TypeVar("T")
# Ids are positive 64-bit integers; anything else cannot name a stored object.
MAX_ID = _MAX_ID


def _json_id(value: Any) -> int:
    # A body id is a JSON integer ("12" is refused, not coerced); its range is checked by the
    # shared parser every face uses.
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 12.0 is an integer in JSON Schema's eyes
    if not isinstance(value, int) or isinstance(value, bool):
        raise PydanticCustomError("invalid", "expected an id (a JSON integer)")
    checked: int = validator(parse_id)(value)
    return checked


_ID_SCHEMA = WithJsonSchema({"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID})
Id = Annotated[int, BeforeValidator(_json_id), _ID_SCHEMA]
"""An id in a body: a JSON integer 1..2^63-1."""
QueryId = Annotated[int, BeforeValidator(validator(parse_id)), _ID_SCHEMA]
"""An id in a query string: ``[0-9]+`` ASCII, 1..2^63-1 (422 naming the parameter)."""
PathId = Annotated[int, BeforeValidator(path_validator(parse_path_id)), _ID_SCHEMA]
"""An id in a path: anything but ``[0-9]+`` ASCII within 1..2^63-1 is a 404."""
Name = StrictStr

# The longest list each request field takes: far above what a real calendar needs, low enough
# that a request is refused (422 naming the field) in milliseconds. In the OpenAPI document
# as maxItems.
MAX_IDS = 100  # ids in one list (staff, services, locations, resources, waitlist entries)
MAX_WEEK_RANGES = 70  # working-hour ranges in a week: ten a day
MAX_DAY_RANGES = 10  # ranges on one date override
MAX_OVERRIDES = 400  # date overrides sent at once: more than a year of them
MAX_PHONES = contacts.MAX_PHONES  # phone numbers of one client

# Contact details: the rules live in appointd.domain.contacts (every face shares them); these
# types only state them in the OpenAPI document. The core refuses what breaks them (422 naming
# the field, e.g. phones[1].number).
_PHONE_PATTERN = r"^[0-9 +\-().]*[0-9][0-9 +\-().]*$"
PhoneNumber = Annotated[
    StrictStr,
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 1,
            "maxLength": contacts.MAX_PHONE_LENGTH,
            "pattern": _PHONE_PATTERN,
            "examples": ["+49 30 1234567"],
        }
    ),
]
PhoneType = Annotated[
    StrictStr, WithJsonSchema({"type": "string", "enum": list(contacts.PHONE_TYPES)})
]
ExternalId = Annotated[
    StrictStr,
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 1,
            "maxLength": contacts.MAX_EXTERNAL_ID,
            "description": "your own id for the object (not unique; list filter external_id=)",
        }
    ),
]
AddressPart = Annotated[
    StrictStr, WithJsonSchema({"type": "string", "maxLength": contacts.MAX_ADDRESS_FIELD})
]
DateOfBirth = Annotated[
    StrictStr,
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": "^(19[0-9]{2}|20[0-9]{2})-",
            "description": "YYYY-MM-DD, from 1900 and not in the future",
        }
    ),
]

Instant = Annotated[
    datetime,
    BeforeValidator(validator(parse_instant_or_local)),
    # The pattern states the years the parser takes (1900..8999).
    WithJsonSchema(
        {"type": "string", "format": "date-time", "pattern": "^(19[0-9]{2}|[2-8][0-9]{3})-"}
    ),
]
"""RFC 3339 in a body or a query string, parsed by the shared parser (years 1900..8999).

Without an offset the value stays naive: wall time at the location, where the field allows it.
"""


def state_not_null(schema: dict[str, Any], model: type[BaseModel]) -> None:
    # A field of ``not_null`` may be left out, but not sent as null: say so in the document.
    properties = schema.get("properties", {})
    for name in getattr(model, "not_null", ()):
        if name in properties:
            drop_null(properties[name])


def drop_null(prop: dict[str, Any]) -> None:
    """Make the property schema ``prop`` (changed in place) refuse null; a no-op when it does."""
    if "anyOf" not in prop:
        return
    kept = [s for s in prop.pop("anyOf") if s.get("type") != "null"]
    prop.pop("default", None)
    if len(kept) == 1:
        prop.update(kept[0])
    else:
        prop["anyOf"] = kept


_INT_FIELDS: dict[type[BaseModel], frozenset[str]] = {}


def _is_int(annotation: Any) -> bool:
    """``int``, ``StrictInt`` or either of them ``| None``."""
    members = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else ()
    kinds = {_unannotated(m) for m in members or (annotation,)} - {type(None)}
    return kinds == {int}


def _unannotated(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _ints(model: type[BaseModel]) -> frozenset[str]:
    """The fields of ``model`` that hold an integer (or null)."""
    found = _INT_FIELDS.get(model)
    if found is None:
        found = frozenset(n for n, f in model.model_fields.items() if _is_int(f.annotation))
        _INT_FIELDS[model] = found
    return found


class In(BaseModel):
    """Base of every request body: unknown fields refused, text storable, and the fields named
    in ``not_null`` optional but never null (PATCH fields that cannot be cleared)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=state_not_null)
    not_null: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name in cls.not_null:
            raise PydanticCustomError("invalid", "may not be null")
        if isinstance(value, float) and value.is_integer() and info.field_name in _ints(cls):
            # JSON Schema's integer includes 360.0; the strict int fields would refuse it.
            return int(value)
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        # The databases store UTF-8 without NUL; JSON can still carry NUL and lone surrogates
        # ("\ud800"). Refusing them here names the field instead of failing at the insert;
        # text inside lists and JSON objects (form options, metadata) is stored too.
        _check_storable(value)
        return value


def _check_storable(value: Any) -> None:
    if found := unstorable(value):
        raise ValueError(found[1])


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


_ONLINE = "clients may book themselves at {public_url}/book/{booking_slug}"
_SLUG = "the last part of the public booking address, e.g. harbour-clinic"


class LocationIn(In):
    name: Name
    time_zone: StrictStr = Field(description="IANA zone, e.g. Europe/Berlin")
    address: StrictStr | None = None
    online_booking: StrictBool = Field(default=False, description=_ONLINE)
    booking_slug: StrictStr | None = Field(default=None, description=_SLUG)


class LocationPatch(In):
    name: Name | None = None
    time_zone: StrictStr | None = None
    address: StrictStr | None = None
    online_booking: StrictBool | None = Field(default=None, description=_ONLINE)
    booking_slug: StrictStr | None = Field(default=None, description=_SLUG)


class LocationOut(Out):
    id: int
    name: str
    time_zone: str
    address: str | None
    online_booking: bool
    booking_slug: str | None
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
    ranges: list[RangeIn] = Field(
        default_factory=list, max_length=MAX_DAY_RANGES, description="empty = day off"
    )


class StaffIn(In):
    first_name: Name
    last_name: StrictStr = ""
    email: StrictStr | None = None
    time_zone: StrictStr | None = Field(
        default=None, description="defaults to the first location's"
    )
    location_ids: list[Id] = Field(default_factory=list, max_length=MAX_IDS)
    service_ids: list[Id] = Field(default_factory=list, max_length=MAX_IDS)
    working_hours: list[WeeklyRangeIn] = Field(default_factory=list, max_length=MAX_WEEK_RANGES)
    date_overrides: list[DateOverrideIn] = Field(default_factory=list, max_length=MAX_OVERRIDES)
    phone: PhoneNumber | None = Field(default=None, description="for text messages to staff")
    external_id: ExternalId | None = None


class StaffPatch(In):
    first_name: Name | None = None
    last_name: StrictStr | None = None
    email: StrictStr | None = None
    time_zone: StrictStr | None = None
    location_ids: list[Id] | None = Field(default=None, max_length=MAX_IDS)
    service_ids: list[Id] | None = Field(default=None, max_length=MAX_IDS)
    working_hours: list[WeeklyRangeIn] | None = Field(default=None, max_length=MAX_WEEK_RANGES)
    date_overrides: list[DateOverrideIn] | None = Field(default=None, max_length=MAX_OVERRIDES)
    phone: PhoneNumber | None = None
    external_id: ExternalId | None = None


class TimeOffIn(In):
    start: Instant
    end: Instant
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
    phone: str | None
    external_id: str | None
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
    staff_ids: list[Id] = Field(default_factory=list, max_length=MAX_IDS)
    resource_ids: list[Id] = Field(
        default_factory=list, max_length=MAX_IDS, description="resources the service needs"
    )
    min_notice_minutes: StrictInt | None = None
    max_advance_days: StrictInt | None = None
    external_id: ExternalId | None = None


class ServicePatch(In):
    name: Name | None = None
    duration_minutes: StrictInt | None = None
    buffer_before_minutes: StrictInt | None = None
    buffer_after_minutes: StrictInt | None = None
    price: Decimal | None = None
    currency: StrictStr | None = None
    kind: Literal["service", "class"] | None = None
    capacity: StrictInt | None = None
    staff_ids: list[Id] | None = Field(default=None, max_length=MAX_IDS)
    resource_ids: list[Id] | None = Field(default=None, max_length=MAX_IDS)
    min_notice_minutes: StrictInt | None = None
    max_advance_days: StrictInt | None = None
    external_id: ExternalId | None = None


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
    external_id: str | None
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime


# -- resources and clients ----------------------------------------------------------------


class ResourceIn(In):
    name: Name
    location_id: Id | None = None
    capacity: StrictInt = 1
    external_id: ExternalId | None = None


class ResourcePatch(In):
    name: Name | None = None
    location_id: Id | None = None
    capacity: StrictInt | None = None
    external_id: ExternalId | None = None


class ResourceOut(Out):
    id: int
    name: str
    location_id: int | None
    capacity: int
    external_id: str | None
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime


class PhoneIn(In):
    type: PhoneType = Field(description="mobile, home, work, fax or other")
    number: PhoneNumber


class AddressIn(In):
    line1: AddressPart | None = None
    line2: AddressPart | None = None
    line3: AddressPart | None = None
    city: AddressPart | None = None
    state: AddressPart | None = None
    postal_code: AddressPart | None = None
    country: AddressPart | None = None


_PHONE = "the primary number (text messages go there)"
_PHONES = (
    "every number of the client; sent without phone, it also sets phone to the first "
    "mobile number, else the first number"
)


class ClientIn(In):
    first_name: Name
    last_name: StrictStr = ""
    email: StrictStr | None = None
    phone: StrictStr | None = Field(default=None, description=_PHONE)
    time_zone: StrictStr | None = None
    external_id: ExternalId | None = None
    phones: list[PhoneIn] = Field(default_factory=list, max_length=MAX_PHONES, description=_PHONES)
    address: AddressIn | None = None
    date_of_birth: DateOfBirth | None = None
    notes: StrictStr | None = None


class ClientPatch(In):
    not_null = frozenset({"phones"})

    first_name: Name | None = None
    last_name: StrictStr | None = None
    email: StrictStr | None = None
    phone: StrictStr | None = Field(default=None, description=_PHONE)
    time_zone: StrictStr | None = None
    external_id: ExternalId | None = None
    phones: list[PhoneIn] | None = Field(default=None, max_length=MAX_PHONES, description=_PHONES)
    address: AddressIn | None = Field(default=None, description="replaces the whole address")
    date_of_birth: DateOfBirth | None = None
    notes: StrictStr | None = None


class PhoneOut(Out):
    type: str
    number: str


class AddressOut(Out):
    line1: str | None
    line2: str | None
    line3: str | None
    city: str | None
    state: str | None
    postal_code: str | None
    country: str | None


class ClientOut(Out):
    id: int
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    time_zone: str | None
    external_id: str | None
    phones: list[PhoneOut]
    address: AddressOut | None
    date_of_birth: date | None
    notes: str | None
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime


# -- appointments -------------------------------------------------------------------------


class RecurrenceIn(In):
    rrule: StrictStr = Field(
        description="RFC 5545 subset: FREQ=DAILY|WEEKLY|MONTHLY, INTERVAL, COUNT or UNTIL, "
        "BYDAY, BYMONTHDAY; at most 500 occurrences within 3 years",
        examples=["FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,WE;COUNT=10"],
    )


class ReminderIn(In):
    """A reminder: a message ``minutes_before`` the start (TimeTap's hours are minutes x 60)."""

    channel: Literal["email", "sms"]
    to: Literal["client", "staff"]
    minutes_before: StrictInt = Field(ge=0, le=40_320)


class ReminderOut(Out):
    channel: str
    to: str
    minutes_before: int


class NotifyIn(In):
    """Who hears about this change; a missing or null flag is the account's default
    (settings key ``notify_defaults``; without one, both are told)."""

    client: StrictBool | None = None
    staff: StrictBool | None = None


REMINDERS_DOC = "reminders of this appointment; null or absent = the account's default_reminders"


class FormAnswerIn(In):
    """An answer: ``value`` for most fields, ``values`` for multiselect and checkbox."""

    field_id: Id
    value: StrictStr | None = None
    values: list[StrictStr] | None = None


class AppointmentIn(In):
    location_id: Id | None = Field(default=None, description="required unless class_session_id")
    service_id: Id | None = Field(default=None, description="required unless class_session_id")
    client_id: Id
    start: Instant | None = Field(
        default=None,
        description="RFC 3339; without an offset it is wall time at the location. "
        "Required unless class_session_id",
    )
    staff_id: Id | None = Field(
        default=None, description="default: a free, qualified staff member, round-robin"
    )
    end: Instant | None = Field(default=None, description="default: start + service duration")
    resource_ids: list[Id] = Field(default_factory=list, max_length=MAX_IDS)
    additional_staff_ids: list[Id] = Field(default_factory=list, max_length=MAX_IDS)
    coordinator_staff_id: Id | None = None
    notes: StrictStr | None = None
    status: Literal["pending", "confirmed"] = "confirmed"
    override: StrictBool = Field(
        default=False, description="skip working-hours and overlap checks on purpose (recorded)"
    )
    intent_id: Id | None = Field(
        default=None, description="use this appointment intent (same client, inside its dates)"
    )
    waitlist_entry_id: Id | None = Field(
        default=None, description="book for this waitlist entry (same client); marks it booked"
    )
    class_session_id: Id | None = Field(
        default=None, description="take seats in this class session (copies its time and staff)"
    )
    seats: StrictInt = Field(
        default=1, ge=1, le=10_000, description="seats to take in class_session_id"
    )
    recurrence: RecurrenceIn | None = Field(
        default=None, description="book a series: every occurrence of the rule (201: a series)"
    )
    reminders: list[ReminderIn] | None = Field(
        default=None, max_length=20, description=REMINDERS_DOC
    )
    notify: NotifyIn | None = Field(default=None, description="who hears about this booking")
    on_conflict: Literal["fail", "skip"] = Field(
        default="fail",
        description="series only: fail = nothing is booked if any occurrence is refused; "
        "skip = book the others and list the skipped ones",
    )
    external_id: StrictStr | None = Field(
        default=None, max_length=200, description="your own id for it (filterable)"
    )
    metadata: dict[str, Any] = Field(
        default_factory=dict, description="free JSON object, at most 32 KB serialized"
    )
    form: list[FormAnswerIn] | None = Field(
        default=None,
        description="answers to the account's form fields for the service; when given, "
        "required fields must be answered",
    )
    paid: StrictBool = False
    custom_status_id: Id | None = Field(
        default=None, description="an account-defined status; the status becomes its base"
    )


class AppointmentPatch(In):
    not_null = frozenset(
        {
            "start",
            "location_id",
            "service_id",
            "client_id",
            "staff_id",
            "override",
            "paid",
            "metadata",
            "form",
        }
    )

    start: Instant | None = None
    end: Instant | None = None
    staff_id: Id | None = None
    additional_staff_ids: list[Id] | None = Field(default=None, max_length=MAX_IDS)
    resource_ids: list[Id] | None = Field(default=None, max_length=MAX_IDS)
    coordinator_staff_id: Id | None = None
    client_id: Id | None = None
    service_id: Id | None = None
    location_id: Id | None = None
    notes: StrictStr | None = None
    override: StrictBool | None = None
    reminders: list[ReminderIn] | None = Field(
        default=None, max_length=20, description=REMINDERS_DOC
    )
    notify: NotifyIn | None = Field(default=None, description="who hears about this change")
    paid: StrictBool | None = None
    external_id: StrictStr | None = Field(default=None, max_length=200)
    metadata: dict[str, Any] | None = Field(default=None, description="replaces the whole object")
    form: list[FormAnswerIn] | None = Field(default=None, description="replaces every answer")
    custom_status_id: Id | None = Field(
        default=None, description="null removes it; the status moves to its base status"
    )


class ReasonIn(In):
    reason: StrictStr | None = None
    notify: NotifyIn | None = Field(default=None, description="who hears about this change")


class CancelIn(In):
    reason: StrictStr | None = None
    offer_to: list[Id] = Field(
        default_factory=list,
        max_length=MAX_IDS,
        description="waitlist entries to invite: the freed time is held for them (kind hold)",
    )
    hold_minutes: StrictInt | None = Field(
        default=None, description="how long the hold lasts, 1..10080 minutes (default 60)"
    )
    notify: NotifyIn | None = Field(default=None, description="who hears about this change")
    code: StrictStr | None = Field(
        default=None, max_length=40, description="a reason code (e.g. a vendor's '50')"
    )
    note: StrictStr | None = Field(default=None, description="a note on the cancellation")


class CancellationOut(Out):
    code: str | None
    note: str | None
    at: datetime
    by: str | None


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
    series_index: int | None = Field(description="position in the series' rule, from 0")
    intent_id: int | None
    waitlist_entry_id: int | None
    hold_expires_at: datetime | None
    source: str
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime
    reminders: list[ReminderOut] | None = Field(
        default=None, description="null: the account's default_reminders apply"
    )
    reference: str = Field(description="short code for people, unique in the account")
    manage_url: str = Field(description="the client's page to see, cancel or reschedule it")
    price: str | None = Field(description="copied from the service at booking")
    currency: str | None
    paid: bool
    custom_status_id: int | None
    form: list[dict[str, Any]]
    cancellation: CancellationOut | None = Field(description="set once cancelled")
    created_by: str
    updated_by: str
    external_id: str | None
    metadata: dict[str, Any]
    change_seq: int = Field(description="account-wide change sequence (see changed_since)")
    deleted_at: datetime | None
    time_zone: str = Field(description="the location's zone; every instant here is in its offset")


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
