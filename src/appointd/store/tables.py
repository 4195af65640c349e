"""Every table of appointd, declared once with SQLAlchemy Core.

The schema itself is built by the Alembic migrations, never by ``metadata.create_all``; these
declarations are what the repositories query with. Every row carries ``account_id`` and every
query filters on it.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from appointd.store.types import Id, JsonDoc, UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _stamps() -> list[Column[object]]:
    return [
        Column("created_at", UTCDateTime, nullable=False),
        Column("updated_at", UTCDateTime, nullable=False),
    ]


def _account() -> Column[int]:
    return Column("account_id", Id, ForeignKey("accounts.id"), nullable=False, index=True)


accounts = Table(
    "accounts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("default_min_notice_minutes", Integer, nullable=False, server_default="0"),
    Column("default_max_advance_days", Integer, nullable=False, server_default="365"),
    Column("settings", JsonDoc, nullable=False, default=dict),
    Column("created_at", UTCDateTime, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _account(),
    # sha256 of the secret (or of a face's derived static credential); never the secret itself.
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("kind", String(20), nullable=False, server_default="secret"),
    Column("label", String(200)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
)

locations = Table(
    "locations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _account(),
    Column("name", String(200), nullable=False),
    Column("time_zone", String(64), nullable=False),
    Column("address", Text),
    Column("archived_at", UTCDateTime),
    *_stamps(),
)

staff = Table(
    "staff",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _account(),
    Column("first_name", String(200), nullable=False),
    Column("last_name", String(200), nullable=False, server_default=""),
    Column("email", String(320)),
    Column("time_zone", String(64), nullable=False),
    Column("location_ids", JsonDoc, nullable=False, default=list),
    Column("service_ids", JsonDoc, nullable=False, default=list),
    # [{"weekday": 1..7, "start": "HH:MM", "end": "HH:MM"}, ...]
    Column("working_hours", JsonDoc, nullable=False, default=list),
    Column("archived_at", UTCDateTime),
    *_stamps(),
)

staff_date_overrides = Table(
    "staff_date_overrides",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _account(),
    Column("staff_id", Id, ForeignKey("staff.id"), nullable=False),
    Column("date", Date, nullable=False),
    Column("ranges", JsonDoc, nullable=False, default=list),  # [] = day off
    UniqueConstraint("staff_id", "date", name="uq_staff_date_overrides_staff_date"),
)

time_off = Table(
    "time_off",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _account(),
    Column("staff_id", Id, ForeignKey("staff.id"), nullable=False, index=True),
    Column("start_at", UTCDateTime, nullable=False),
    Column("end_at", UTCDateTime, nullable=False),
    Column("reason", Text),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint("start_at < end_at", name="span"),
)

services = Table(
    "services",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _account(),
    Column("name", String(200), nullable=False),
    Column("duration_minutes", Integer, nullable=False),
    Column("buffer_before_minutes", Integer, nullable=False, server_default="0"),
    Column("buffer_after_minutes", Integer, nullable=False, server_default="0"),
    Column("price", Numeric(12, 2)),
    Column("currency", String(3)),
    Column("kind", String(20), nullable=False, server_default="service"),
    Column("capacity", Integer, nullable=False, server_default="1"),
    Column("staff_ids", JsonDoc, nullable=False, default=list),
    Column("resource_ids", JsonDoc, nullable=False, default=list),
    Column("min_notice_minutes", Integer),
    Column("max_advance_days", Integer),
    Column("archived_at", UTCDateTime),
    *_stamps(),
)

resources = Table(
    "resources",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _account(),
    Column("name", String(200), nullable=False),
    Column("location_id", Id, ForeignKey("locations.id")),
    Column("capacity", Integer, nullable=False, server_default="1"),
    Column("archived_at", UTCDateTime),
    *_stamps(),
)

clients = Table(
    "clients",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _account(),
    Column("first_name", String(200), nullable=False),
    Column("last_name", String(200), nullable=False, server_default=""),
    Column("email", String(320)),
    Column("phone", String(64)),
    Column("time_zone", String(64)),
    Column("external_id", String(200)),
    Column("archived_at", UTCDateTime),
    *_stamps(),
)

class_sessions = Table(
    "class_sessions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _account(),
    Column("service_id", Id, ForeignKey("services.id"), nullable=False),
    Column("staff_id", Id, ForeignKey("staff.id"), nullable=False),
    Column("location_id", Id, ForeignKey("locations.id"), nullable=False),
    Column("resource_id", Id, ForeignKey("resources.id")),
    Column("start_at", UTCDateTime, nullable=False),
    Column("end_at", UTCDateTime, nullable=False),
    Column("capacity", Integer, nullable=False),
    # Taken with a guarded UPDATE (seats_taken + n <= capacity), never read-then-write.
    Column("seats_taken", Integer, nullable=False, server_default="0"),
    CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats_within_capacity"),
    CheckConstraint("start_at < end_at", name="span"),
    Column("status", String(20), nullable=False, server_default="scheduled"),
    Column("archived_at", UTCDateTime),
    *_stamps(),
    Index("ix_class_sessions_service_start", "account_id", "service_id", "start_at"),
)

series = Table(
    "series",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _account(),
    Column("rrule", Text, nullable=False),
    Column("time_zone", String(64), nullable=False),
    Column("local_start", String(32), nullable=False),  # wall time of the first occurrence
    Column("template", JsonDoc, nullable=False, default=dict),
    *_stamps(),
)

waitlist_entries = Table(
    "waitlist_entries",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _account(),
    Column("client_id", Id, ForeignKey("clients.id"), nullable=False),
    Column("service_id", Id, ForeignKey("services.id"), nullable=False),
    Column("location_id", Id, ForeignKey("locations.id"), nullable=False),
    Column("staff_id", Id, ForeignKey("staff.id")),
    Column("earliest", Date),
    Column("latest", Date),
    Column("preferred_times", JsonDoc, nullable=False, default=list),
    Column("notes", Text),
    Column("status", String(20), nullable=False, server_default="waiting"),
    Column("hold_appointment_id", Id),
    Column("appointment_id", Id),
    *_stamps(),
    Index("ix_waitlist_entries_lookup", "account_id", "service_id", "status", "created_at"),
)

appointment_intents = Table(
    "appointment_intents",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _account(),
    Column("client_id", Id, ForeignKey("clients.id"), nullable=False),
    Column("description", Text),
    Column("external_reference", String(200), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("expiration_date", Date),
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("booked", Boolean, nullable=False, server_default="0"),
    Column("appointment_id", Id),
    Column("created_by", String(200)),
    Column("modified_by", String(200)),
    *_stamps(),
)

appointments = Table(
    "appointments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _account(),
    Column("location_id", Id, ForeignKey("locations.id"), nullable=False),
    Column("service_id", Id, ForeignKey("services.id"), nullable=False),
    Column("staff_id", Id, ForeignKey("staff.id")),
    Column("client_id", Id, ForeignKey("clients.id")),
    Column("coordinator_staff_id", Id, ForeignKey("staff.id")),
    Column("start_at", UTCDateTime, nullable=False),
    Column("end_at", UTCDateTime, nullable=False),
    Column("busy_start_at", UTCDateTime, nullable=False),
    Column("busy_end_at", UTCDateTime, nullable=False),
    Column("status", String(20), nullable=False),
    Column("kind", String(20), nullable=False, server_default="appointment"),
    Column("additional_staff_ids", JsonDoc, nullable=False, default=list),
    Column("resource_ids", JsonDoc, nullable=False, default=list),
    Column("notes", Text),
    Column("override", Boolean, nullable=False, server_default="0"),
    Column("class_session_id", Id, ForeignKey("class_sessions.id")),
    Column("seats", Integer, nullable=False, server_default="1"),
    Column("series_id", Id, ForeignKey("series.id")),
    Column("series_index", Integer),
    Column("intent_id", Id, ForeignKey("appointment_intents.id")),
    Column("waitlist_entry_id", Id, ForeignKey("waitlist_entries.id")),
    Column("hold_expires_at", UTCDateTime),
    Column("source", String(20), nullable=False, server_default="native"),
    Column("extra", JsonDoc, nullable=False, default=dict),
    Column("archived_at", UTCDateTime),
    Column("deleted_at", UTCDateTime),
    *_stamps(),
    CheckConstraint("start_at < end_at", name="span"),
    CheckConstraint("busy_start_at <= start_at AND end_at <= busy_end_at", name="busy_covers_span"),
    Index("ix_appointments_account_start", "account_id", "start_at"),
    Index("ix_appointments_staff_start", "account_id", "staff_id", "start_at"),
    Index("ix_appointments_client_start", "account_id", "client_id", "start_at"),
    Index("ix_appointments_series", "series_id"),
    Index("ix_appointments_class_session", "class_session_id"),
)

appointment_resources = Table(
    "appointment_resources",
    metadata,
    Column("appointment_id", Id, ForeignKey("appointments.id"), primary_key=True),
    Column("resource_id", Id, ForeignKey("resources.id"), primary_key=True),
    Column("account_id", Id, nullable=False),
    Index("ix_appointment_resources_resource", "resource_id"),
)

# Busy time. On PostgreSQL the migration adds
#   EXCLUDE USING gist (subject_kind WITH =, subject_id WITH =,
#                       tstzrange(start_at, end_at, '[)') WITH &&) WHERE (holding AND exclusive)
# so two holding, exclusive blocks of one staff member or resource can never overlap.
blocks = Table(
    "blocks",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _account(),
    Column("subject_kind", String(10), nullable=False),  # staff | resource
    Column("subject_id", Id, nullable=False),
    Column("start_at", UTCDateTime, nullable=False),
    Column("end_at", UTCDateTime, nullable=False),
    Column("holding", Boolean, nullable=False),
    Column("exclusive", Boolean, nullable=False),
    Column("role", String(20), nullable=False),
    Column("appointment_id", Id, ForeignKey("appointments.id")),
    Column("time_off_id", Id, ForeignKey("time_off.id")),
    Column("class_session_id", Id, ForeignKey("class_sessions.id")),
    Column("expires_at", UTCDateTime),
    CheckConstraint("start_at < end_at", name="span"),
    Index("ix_blocks_subject_end", "subject_kind", "subject_id", "end_at"),
    Index("ix_blocks_appointment", "appointment_id"),
    Index("ix_blocks_time_off", "time_off_id"),
    Index("ix_blocks_class_session", "class_session_id"),
)

appointment_history = Table(
    "appointment_history",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _account(),
    Column("appointment_id", Id, ForeignKey("appointments.id"), nullable=False, index=True),
    Column("at", UTCDateTime, nullable=False),
    Column("action", String(40), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("source", String(20), nullable=False),
    Column("from_status", String(20)),
    Column("to_status", String(20)),
    Column("reason", Text),
    Column("changes", JsonDoc, nullable=False, default=dict),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _account(),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("type", String(60), nullable=False),
    Column("payload", JsonDoc, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("dispatched_at", UTCDateTime),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Index("ix_outbox_pending", "dispatched_at", "id"),
)

# -- session tokens (migration 0006, the TimeTap face's sessionToken) ----------------------------
# Short-lived bearer tokens a face hands out after checking a static credential; only the
# SHA-256 of the token is kept, so any server process can check it and a restart keeps it.
session_tokens = Table(
    "session_tokens",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _account(),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Index("ix_session_tokens_expires_at", "expires_at"),
)
