"""Names of the facts appointd records in its outbox. Past tense, dotted, stable."""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    APPOINTMENT_BOOKED = "appointment.booked"
    APPOINTMENT_RESCHEDULED = "appointment.rescheduled"
    APPOINTMENT_UPDATED = "appointment.updated"
    APPOINTMENT_STATUS_CHANGED = "appointment.status_changed"
    APPOINTMENT_ARCHIVED = "appointment.archived"
    # A tombstone: the appointment is gone for every face, its row kept for change feeds.
    APPOINTMENT_DELETED = "appointment.deleted"
    CLASS_SESSION_SCHEDULED = "class_session.scheduled"
    CLASS_SESSION_CHANGED = "class_session.changed"
    CLASS_SESSION_CANCELLED = "class_session.cancelled"
    SERIES_BOOKED = "series.booked"
    # A cancelled appointment's time is held for a waitlist entry until the hold expires.
    WAITLIST_INVITED = "waitlist.invited"
