"""Class sessions: one staff member's class at one time, with a number of seats.

A session holds its staff member's (and resource's) time like an appointment does, with the
service's buffers around it. Clients take *seats*: a seat is an appointment that copies the
session's service, staff, location and times and makes nothing busy itself - the session
already holds the time. Seats are counted on the session row and taken with a guarded update
in the store (``seats_taken + n <= capacity``), never by reading and then writing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from appointd.domain.errors import CapacityExceeded, FieldError, Invalid
from appointd.domain.model import Service, ServiceKind

MAX_CAPACITY = 10_000  # as for a service's capacity


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


@dataclass(slots=True)
class ClassSession:
    id: int
    account_id: int
    service_id: int
    staff_id: int
    location_id: int
    start: datetime
    end: datetime
    capacity: int
    resource_id: int | None = None
    seats_taken: int = 0
    status: SessionStatus = SessionStatus.SCHEDULED
    archived_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def open(self) -> bool:
        """Whether seats may be taken: scheduled and not archived."""
        return self.status is SessionStatus.SCHEDULED and self.archived_at is None


def check_class_service(service: Service, field: str = "service_id") -> None:
    """Only a ``class``-kind service is given as class sessions."""
    if service.kind is not ServiceKind.CLASS:
        raise Invalid.field(
            field, f"service {service.id} is a {service.kind.value!r} service, not a 'class'"
        )


def check_capacity(capacity: int, seats_taken: int = 0) -> None:
    """A capacity is 1 to :data:`MAX_CAPACITY` seats, and never below the seats already taken."""
    if not 1 <= capacity <= MAX_CAPACITY:
        raise Invalid.field("capacity", f"must be 1 to {MAX_CAPACITY}")
    if capacity < seats_taken:
        raise CapacityExceeded(
            f"capacity {capacity} is below the {seats_taken} seats already taken; "
            "cancel seats first",
            available=0,
        )


def check_seat_request(
    session: ClassSession,
    seats: int,
    *,
    location_id: int | None = None,
    service_id: int | None = None,
    staff_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    extras: dict[str, bool] | None = None,
) -> None:
    """Refuse a seat request that contradicts its session or asks for what a seat cannot have.

    Fields the caller repeats from the session are accepted when they agree with it. ``extras``
    names fields that make no sense for a seat (resources, additional staff, override) and
    whether the caller set them.
    """
    errors: list[FieldError] = []
    if not session.open:
        errors.append(FieldError("class_session_id", f"class session {session.id} is cancelled"))
    if not 1 <= seats <= MAX_CAPACITY:
        errors.append(FieldError("seats", f"must be 1 to {MAX_CAPACITY}"))
    for name, given, actual in (
        ("location_id", location_id, session.location_id),
        ("service_id", service_id, session.service_id),
        ("staff_id", staff_id, session.staff_id),
    ):
        if given is not None and given != actual:
            errors.append(
                FieldError(name, f"class session {session.id} has {name} {actual}, not {given}")
            )
    for name, given_time, actual_time in (
        ("start", start, session.start),
        ("end", end, session.end),
    ):
        if given_time is not None and given_time != actual_time:
            errors.append(
                FieldError(
                    name,
                    f"class session {session.id} {name}s at {actual_time.isoformat()}; "
                    "leave it out to take a seat",
                )
            )
    for name, given_flag in (extras or {}).items():
        if given_flag:
            errors.append(FieldError(name, "does not apply to a class seat"))
    if errors:
        raise Invalid(errors)


def seats_message(session: ClassSession, seats: int) -> str:
    left = session.seats_left
    return (
        f"class session {session.id} has {left} of {session.capacity} seats left; {seats} requested"
    )
