"""Names of the facts appointd records in its outbox. Past tense, dotted, stable."""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    APPOINTMENT_BOOKED = "appointment.booked"
    APPOINTMENT_RESCHEDULED = "appointment.rescheduled"
    APPOINTMENT_UPDATED = "appointment.updated"
    APPOINTMENT_STATUS_CHANGED = "appointment.status_changed"
    APPOINTMENT_ARCHIVED = "appointment.archived"
