"""Appointment intents: a promise that a client may book once, within a window of dates.

An intent (TimeTap's ``appointmentIntent``) is created ahead of the booking, often by another
system that keeps its own ``external_reference``. It may be booked exactly once, by its client,
for a time whose local date at the appointment's location lies in ``start_date .. end_date``
(inclusive). It stops being usable when deactivated or once its ``expiration_date`` has passed:
an intent expiring today is still usable today. "Today" is the UTC date, since intents belong to
the account and name no location.

Refusals when booking: an intent already booked is a :class:`Conflict` (409); an inactive or
expired intent, another client, or a date outside the window is :class:`Invalid` (422), each
naming ``intent_id`` (and ``client_id`` or ``start``, the other field at fault).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from appointd.domain.errors import Conflict, FieldError, Invalid

MAX_REFERENCE = 200  # characters of an external reference, as the store keeps them


@dataclass(slots=True)
class Intent:
    id: int
    account_id: int
    client_id: int
    external_reference: str
    start_date: date
    end_date: date
    description: str | None = None
    expiration_date: date | None = None
    active: bool = True
    booked: bool = False
    appointment_id: int | None = None
    created_by: str | None = None
    modified_by: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


def is_expired(intent: Intent, today: date) -> bool:
    """Past its expiration date (the expiration date itself still counts)."""
    return intent.expiration_date is not None and intent.expiration_date < today


def is_usable(intent: Intent, today: date) -> bool:
    """Active and not expired: what ``GET /appointment-intents`` lists by default."""
    return intent.active and not is_expired(intent, today)


def check(intent: Intent) -> None:
    """The rules every stored intent keeps; checked on create and again after every change."""
    errors: list[FieldError] = []
    if not intent.external_reference.strip():
        errors.append(FieldError("external_reference", "must not be empty"))
    elif len(intent.external_reference) > MAX_REFERENCE:
        errors.append(
            FieldError("external_reference", f"must be at most {MAX_REFERENCE} characters")
        )
    if intent.end_date < intent.start_date:
        errors.append(FieldError("end_date", "must be on or after start_date"))
    if errors:
        raise Invalid(errors)


def check_booking(intent: Intent, client_id: int | None, local_date: date, today: date) -> None:
    """Refuse booking ``intent`` for ``client_id`` on ``local_date`` (the location's date)."""
    if intent.booked:
        raise Conflict(
            f"intent_id: intent {intent.id} is already booked (appointment {intent.appointment_id})"
        )
    errors: list[FieldError] = []
    if not intent.active:
        errors.append(FieldError("intent_id", f"intent {intent.id} is inactive"))
    elif is_expired(intent, today):
        errors.append(
            FieldError("intent_id", f"intent {intent.id} expired on {intent.expiration_date}")
        )
    if client_id != intent.client_id:
        message = f"intent {intent.id} is for client {intent.client_id}, not {client_id}"
        errors += [FieldError("intent_id", message), FieldError("client_id", message)]
    if not intent.start_date <= local_date <= intent.end_date:
        message = (
            f"{local_date} is outside intent {intent.id}'s window "
            f"{intent.start_date} .. {intent.end_date}"
        )
        errors += [FieldError("intent_id", message), FieldError("start", message)]
    if errors:
        raise Invalid(errors)


def mark_booked(intent: Intent, appointment_id: int, actor: str, now: datetime) -> None:
    intent.booked = True
    intent.appointment_id = appointment_id
    intent.modified_by = actor
    intent.updated_at = now
