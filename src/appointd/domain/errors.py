"""The one error hierarchy of appointd.

Errors carry meaning and data, never HTTP status codes; each face has one table that maps them
onto its own error body. The tree::

    AppointdError
    ├── Unauthenticated        no or unknown credentials
    ├── Forbidden              credentials known, action not allowed
    ├── NotFound               no such object in this account (kind, id, optional field)
    ├── Invalid                input that cannot be accepted (field errors)
    │   ├── OutsideWorkingHours    the busy span is not inside the staff member's working time
    │   └── BookingWindowViolation too soon (minimum notice) or too far ahead (horizon)
    └── Conflict               the request collides with the current state
        ├── SlotTaken              busy time overlaps other holding time (lists the conflicts)
        ├── IllegalTransition      status change the state machine forbids (names the status)
        └── CapacityExceeded       no seats or resource capacity left
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one input field; ``field`` is a dotted path such as ``ranges[0].start``."""

    field: str
    message: str


class AppointdError(Exception):
    """Base of every error the core raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unauthenticated(AppointdError):
    """No credentials, or credentials that match no account."""


class Forbidden(AppointdError):
    """The account is known but may not do this."""


class NotFound(AppointdError):
    """No object of ``kind`` with ``id`` in the caller's account.

    Another account's object is reported exactly like a missing one, so ids leak nothing.
    ``field`` names the input field that carried the id, when it came from a request body.
    """

    def __init__(self, kind: str, id: object, field: str | None = None) -> None:
        super().__init__(f"{kind} {id} not found")
        self.kind = kind
        self.id = id
        self.field = field


class Invalid(AppointdError):
    """Input that cannot be accepted; ``errors`` names each offending field."""

    def __init__(self, errors: list[FieldError] | FieldError | str, message: str | None = None):
        if isinstance(errors, str):
            errors = [FieldError("", errors)]
        elif isinstance(errors, FieldError):
            errors = [errors]
        self.errors: list[FieldError] = errors
        super().__init__(message or "; ".join(_describe(e) for e in errors))

    @classmethod
    def field(cls, name: str, message: str) -> Invalid:
        return cls([FieldError(name, message)])


def _describe(error: FieldError) -> str:
    return f"{error.field}: {error.message}" if error.field else error.message


class OutsideWorkingHours(Invalid):
    """The busy span (buffers included) does not fit the staff member's working time."""

    def __init__(self, staff_id: int, field: str = "start", why: str = "") -> None:
        text = f"outside the working hours of staff {staff_id}"
        super().__init__([FieldError(field, f"{text}; {why}" if why else text)])
        self.staff_id = staff_id


class BookingWindowViolation(Invalid):
    """A slot inside the minimum notice, beyond the booking horizon, or in the past."""


@dataclass(frozen=True, slots=True)
class ConflictItem:
    """What a refused span collides with: an appointment, time off or class session."""

    kind: str  # "appointment" | "time_off" | "class_session"
    id: int
    subject_kind: str  # "staff" | "resource"
    subject_id: int
    start: Any = None
    end: Any = None
    occurrence: int | None = None  # index in a recurring series, when relevant
    extra: dict[str, Any] = field(default_factory=dict)


class Conflict(AppointdError):
    """The request collides with the current state of the calendar."""


class SlotTaken(Conflict):
    """The busy span overlaps holding time of a staff member or resource."""

    def __init__(self, conflicts: list[ConflictItem], message: str | None = None) -> None:
        self.conflicts = conflicts
        # The zone of the location the refused request was for (set by the use case that
        # knows it), so faces can write the conflicts' times the way the caller reads them.
        self.time_zone: tzinfo | None = None
        super().__init__(message or "the requested time overlaps other bookings")

    @property
    def appointment_ids(self) -> list[int]:
        return sorted({c.id for c in self.conflicts if c.kind == "appointment"})


class IllegalTransition(Conflict):
    """A status change the state machine forbids, e.g. completed -> pending."""

    def __init__(self, current: str, requested: str) -> None:
        super().__init__(f"cannot go from {current} to {requested}")
        self.current = current
        self.requested = requested


class CapacityExceeded(Conflict):
    """No seats (or resource capacity) left for the request."""

    def __init__(self, message: str, available: int = 0) -> None:
        super().__init__(message)
        self.available = available
