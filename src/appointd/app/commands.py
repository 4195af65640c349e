"""Commands: what a face asks the core to do, already parsed out of its wire format.

Times may be aware (any offset) or naive; a naive time is wall time at the appointment's
location and is refused if it falls in a DST gap there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from appointd.domain.notifications import Notify
from appointd.domain.status import Status


@dataclass(slots=True)
class BookAppointment:
    location_id: int
    service_id: int
    start: datetime
    client_id: int | None = None
    staff_id: int | None = None
    end: datetime | None = None
    resource_ids: list[int] = field(default_factory=list)
    additional_staff_ids: list[int] = field(default_factory=list)
    coordinator_staff_id: int | None = None
    notes: str | None = None
    status: Status = Status.CONFIRMED
    override: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    # Issue 3 extensions: seats in a class, series, intents, waitlist.
    class_session_id: int | None = None
    seats: int = 1
    recurrence: dict[str, Any] | None = None
    on_conflict: str = "fail"  # fail | skip (series only)
    intent_id: int | None = None
    waitlist_entry_id: int | None = None
    # What the faces share (DESIGN.md): the caller's own id, free properties, form answers,
    # whether it is paid already, and an account-defined status (its base status wins).
    external_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    form: list[dict[str, Any]] | None = None
    paid: bool = False
    custom_status_id: int | None = None
    # Issue 10: reminders (None = the account default) and who hears about this booking
    # (None = the account's notify defaults).
    reminders: list[dict[str, Any]] | None = None
    notify: Notify | None = None
    # Without staff_id: the staff members the assignment may choose among (None = every
    # qualified one), e.g. those a vendor's availability slot offered.
    staff_candidates: list[int] | None = None


@dataclass(slots=True)
class ChangeAppointment:
    """A PATCH: ``changes`` holds only the fields the caller sent (``reminders`` included)."""

    appointment_id: int
    changes: dict[str, Any]
    notify: Notify | None = None


@dataclass(slots=True)
class TransitionAppointment:
    appointment_id: int
    target: Status
    reason: str | None = None
    # On a cancellation: a face's reason code (e.g. Cliniko's "50") and a free note.
    cancellation_code: str | None = None
    cancellation_note: str | None = None
    # Merged into the appointment's ``extra`` document in the same transaction (a face's own
    # details of the change, kept under the face's key).
    extra: dict[str, Any] | None = None
    notify: Notify | None = None
