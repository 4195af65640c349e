"""Every table of appointd, declared once with SQLAlchemy Core.

The schema itself is built by the Alembic migrations, never by ``metadata.create_all``; these
declarations are what the repositories query with. Every row carries ``account_id`` and every
query filters on it.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
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
    # -- public pages (issue 14, migration 0009) --
    Column("online_booking", Boolean, nullable=False, server_default="0"),
    Column("booking_slug", String(60)),
    Index("uq_locations_booking_slug", "booking_slug", unique=True),
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
    # -- contact details and external ids (migration 0010) --
    Column("phone", String(64)),
    Column("external_id", String(200)),
    Index("ix_staff_account_external", "account_id", "external_id"),
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
    # A repeat's first time off (null for the first itself and for time off that never
    # repeated), the rule as given (``{"rrule": ...}``, on every member), and the last change.
    Column("repeated_from_id", Id, ForeignKey("time_off.id"), index=True),
    Column("repeat_rule", JsonDoc),
    Column("updated_at", UTCDateTime),
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
    Column("external_id", String(200)),  # migration 0010
    Index("ix_services_account_external", "account_id", "external_id"),
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
    Column("external_id", String(200)),  # migration 0010
    Index("ix_resources_account_external", "account_id", "external_id"),
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
    # -- contact details (migration 0010; rules in domain.contacts) --
    Column("phones", JsonDoc, nullable=False, default=list),  # [{"type", "number"}]
    Column("address", JsonDoc),  # {"line1", "line2", "line3", "city", "state", ...} or NULL
    Column("date_of_birth", Date),
    Column("notes", Text),
    # Face-private data, one key per face (like appointments.extra); never shown natively.
    Column("extra", JsonDoc, nullable=False, default=dict),
    Index("ix_clients_account_external", "account_id", "external_id"),
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
    # [{"channel": "email"|"sms", "to": "client"|"staff", "minutes_before": n}]; NULL = the
    # account's default_reminders (dispatcher, migration 0004).
    Column("reminders", JsonDoc),
    CheckConstraint("start_at < end_at", name="span"),
    CheckConstraint("busy_start_at <= start_at AND end_at <= busy_end_at", name="busy_covers_span"),
    Index("ix_appointments_account_start", "account_id", "start_at"),
    Index("ix_appointments_staff_start", "account_id", "staff_id", "start_at"),
    Index("ix_appointments_client_start", "account_id", "client_id", "start_at"),
    Index("ix_appointments_series", "series_id"),
    Index("ix_appointments_class_session", "class_session_id"),
    # -- core-ideas (migration 0002): what the faces share -----------------------------------
    Column("reference", String(16), nullable=False),
    Column("manage_token", String(64), nullable=False),
    Column("price", Numeric(12, 2)),
    Column("currency", String(3)),
    Column("paid", Boolean, nullable=False, server_default="0"),
    Column("custom_status_id", Id, ForeignKey("custom_statuses.id")),
    Column("form", JsonDoc, nullable=False, default=list),
    Column("cancellation_code", String(40)),
    Column("cancellation_note", Text),
    Column("cancelled_at", UTCDateTime),
    Column("cancelled_by", String(200)),
    Column("created_by", String(200), nullable=False, server_default=""),
    Column("updated_by", String(200), nullable=False, server_default=""),
    Column("external_id", String(200)),
    Column("metadata", JsonDoc, nullable=False, default=dict),
    Column("change_seq", BigInteger, nullable=False, server_default="0"),
    UniqueConstraint("account_id", "reference", name="uq_appointments_account_reference"),
    # The manage page knows only the token, not the account: it looks the token up alone. One
    # index, unique on its own (every index is paid for on every booking).
    Index("ix_appointments_manage_token", "manage_token", unique=True),
    Index("ix_appointments_account_change_seq", "account_id", "change_seq"),
    Index("ix_appointments_account_updated", "account_id", "updated_at"),
    Index("ix_appointments_account_created", "account_id", "created_at"),
    Index("ix_appointments_account_external", "account_id", "external_id"),
)

# -- core-ideas (migration 0002): custom statuses, form fields, change counters --------------

# The last change sequence number handed out per account (see appointd.store.change_feed). A
# table of its own, not a column of ``accounts``: every insert that refers to an account locks
# the account row FOR KEY SHARE (foreign key checks), and a counter updated on that same row by
# every change would turn those locks into multixacts on the hottest row of the database.
change_counters = Table(
    "change_counters",
    metadata,
    Column("account_id", Id, ForeignKey("accounts.id"), primary_key=True),
    Column("change_seq", BigInteger, nullable=False, server_default="0"),
)

custom_statuses = Table(
    "custom_statuses",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _account(),
    Column("name", String(200), nullable=False),
    Column("base_status", String(20), nullable=False),
    Column("archived_at", UTCDateTime),
    *_stamps(),
)

form_fields = Table(
    "form_fields",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _account(),
    Column("label", String(200), nullable=False),
    Column("type", String(20), nullable=False),
    Column("required", Boolean, nullable=False, server_default="0"),
    Column("options", JsonDoc, nullable=False, default=list),
    Column("service_ids", JsonDoc, nullable=False, default=list),
    Column("value_format", String(500)),
    Column("position", Integer, nullable=False, server_default="0"),
    Column("archived_at", UTCDateTime),
    *_stamps(),
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


# -- public pages (issue 14, migration 0009) --------------------------------------------------

# One secret iCalendar feed per staff member; POST /v1/staff/{id}/calendar-feed replaces it.
calendar_feeds = Table(
    "calendar_feeds",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("account_id", Id, ForeignKey("accounts.id"), nullable=False),
    Column("staff_id", Id, ForeignKey("staff.id"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),  # sha256 of the URL's token
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("account_id", "staff_id", name="uq_calendar_feeds_account_staff"),
)

# Fixed-window hit counters of the public pages, shared by every server process. Keyed by
# client address, not by account, so no account_id (nothing in it belongs to a tenant).
rate_limit_hits = Table(
    "rate_limit_hits",
    metadata,
    Column("subject", String(120), primary_key=True),
    Column("window_start", BigInteger, primary_key=True),
    Column("hits", Integer, nullable=False),
    Index("ix_rate_limit_hits_window", "window_start"),
)

# -- dispatcher (issue 10, migration 0004) -----------------------------------------------------
# A subscription is a receiver of outbox events: a native webhook (kind "webhook") or a kind a
# face owns (Agendize's watch), whose ``config`` the face's renderer reads.
subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("account_id", Id, ForeignKey("accounts.id"), nullable=False),
    Column("kind", String(40), nullable=False, server_default="webhook"),
    Column("url", Text, nullable=False),
    Column("events", JsonDoc, nullable=False, default=list),  # event types, or ["*"]
    Column("enabled", Boolean, nullable=False, server_default="1"),
    Column("description", Text),
    Column("secret", String(100)),  # whsec_...; None = unsigned (a kind may not sign)
    Column("config", JsonDoc, nullable=False, default=dict),
    Column("disabled_reason", Text),
    Column("failing_since", UTCDateTime),
    Column("deleted_at", UTCDateTime),
    *_stamps(),
    Index("ix_subscriptions_account_kind", "account_id", "kind"),
)

# One thing to send: a webhook delivery (one event to one subscription) or a message (e-mail or
# SMS, for an event or a reminder timer). ``next_attempt_at`` is set while it waits to be sent
# and NULL once it is final; ``lease_*`` mark a dispatcher's claim.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("account_id", Id, ForeignKey("accounts.id"), nullable=False),
    Column("channel", String(10), nullable=False),  # webhook | email | sms
    Column("subscription_id", Id),
    Column("outbox_id", Id),
    Column("event_id", String(36)),
    Column("type", String(60), nullable=False),  # event type, or message kind
    Column("appointment_id", Id),
    Column("recipient", String(10)),  # client | staff
    Column("recipient_id", Id),
    Column("to_address", String(320)),
    Column("minutes_before", Integer),  # reminders only
    Column("status", String(10), nullable=False),  # pending | sent | failed | not_sent
    Column("reason", Text),
    Column("subject", Text),
    Column("body", Text),
    Column("html", Text),
    Column("data", JsonDoc, nullable=False, default=dict),  # the event payload it sends
    Column("due_at", UTCDateTime, nullable=False),
    Column("next_attempt_at", UTCDateTime),
    Column("attempt_count", Integer, nullable=False, server_default="0"),
    Column("lease_owner", String(64)),
    Column("lease_until", UTCDateTime),
    Column("sent_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_deliveries_next_attempt", "next_attempt_at"),
    Index("ix_deliveries_subscription", "account_id", "subscription_id", "id"),
    Index("ix_deliveries_appointment", "account_id", "appointment_id"),
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("account_id", Id, ForeignKey("accounts.id"), nullable=False),
    Column("delivery_id", Id, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("status_code", Integer),
    Column("error", Text),
    Column("next_attempt_at", UTCDateTime),
    Index("ix_delivery_attempts_delivery", "delivery_id", "id"),
)

# On SQLite one dispatcher at a time holds the row named "sqlite" until ``until``.
dispatcher_leases = Table(
    "dispatcher_leases",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("owner", String(64), nullable=False),
    Column("until", UTCDateTime, nullable=False),
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
    # The credential row (api_keys) the session was opened with: revoking it ends the session.
    Column("key_id", Id, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Index("ix_session_tokens_expires_at", "expires_at"),
)

# -- newcomer (#9, migration 0005): API key usage and the demo key ---------------------------
# When a key last authenticated a request (kept to the minute, see app/keys.py), and, for the
# one key `serve --demo` made, its secret, so that each restart prints the same key again.
api_keys.append_column(Column("last_used_at", UTCDateTime))
api_keys.append_column(Column("demo_secret", String(200)))
# A face's derived credential (kind other than "secret") points at the key it was derived from,
# so revoking that key revokes the credential too.
api_keys.append_column(Column("parent_key_id", Id, index=True))


# -- hardening (issue 8, migration 0003) ------------------------------------------------------

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("account_id", Id, ForeignKey("accounts.id"), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("method", String(10), nullable=False),
    Column("path", Text, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    # "completed": the answer below is stored (written in the transaction of its effects).
    Column("state", String(20), nullable=False),
    Column("status", Integer),
    Column("headers", JsonDoc, nullable=False, default=dict),
    Column("body", LargeBinary),
    Column("created_at", UTCDateTime, nullable=False, index=True),
    Column("completed_at", UTCDateTime),
)
