"""Writing a new appointment together with everything that goes with it.

A booking writes five kinds of row: the appointment, its busy blocks, the resources it uses, its
first history entry and its outbox event; all but the first need the appointment's id. On
PostgreSQL :meth:`NewAppointmentRepository.add` sends them as one statement (data-modifying
``WITH`` clauses that share the id ``INSERT ... RETURNING`` gives), so a booking costs one round
trip to write, not five; the exclusion constraint on ``blocks`` checks that statement as it
would the separate inserts. SQLite has no data-modifying ``WITH`` and no round trips to save,
so there it is the separate inserts.

Before its rows are inserted, the statement takes the advisory locks of the blocks' subjects in
ascending key order (:func:`~appointd.store.engine.subject_lock_key`): concurrent bookings of
the same staff member then queue instead of deadlocking in the exclusion constraint's check,
which waits on every uncommitted overlapping block it finds, in no fixed order.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from appointd.domain.model import Appointment, Block, Event, HistoryEntry
from appointd.store import change_feed, tables
from appointd.store.engine import subject_lock_key
from appointd.store.repositories.appointments import AppointmentRepository
from appointd.store.repositories.base import Repository
from appointd.store.repositories.blocks import BlockRepository
from appointd.store.repositories.outbox import OutboxRepository

# psycopg caches the conversion of a statement only up to 50 parameters (and 4 kB of text):
# the appointment's row and its blocks each travel as one JSON document so the statement stays
# below both, however many columns an appointment has.
#
# The columns of appointments written on booking: every column the entity maps onto (columns
# only the database knows keep their defaults). ``jsonb_populate_record`` turns the JSON row
# into a record of the table's own types.
_APPOINTMENT_COLUMNS = tuple(
    c
    for c in (
        AppointmentRepository.renames.get(f.name, f.name) for f in dataclasses.fields(Appointment)
    )
    if c not in ("id", "account_id") and c in tables.appointments.c
)
_COLUMN_LIST = ", ".join(_APPOINTMENT_COLUMNS)

_PG_INSERT = text(
    f"""
WITH new_appointment AS (
    INSERT INTO appointments (account_id, {_COLUMN_LIST})
    SELECT :account_id, {_COLUMN_LIST}
    FROM jsonb_populate_record(NULL::appointments, CAST(:appointment AS jsonb)),
         (SELECT count(pg_advisory_xact_lock(k))
          FROM (SELECT k FROM unnest(CAST(:lock_keys AS bigint[])) AS u(k) ORDER BY k) AS o
         ) AS subjects_locked
    RETURNING id
), new_blocks AS (
    INSERT INTO blocks (account_id, appointment_id, subject_kind, subject_id, start_at, end_at,
                        holding, exclusive, role, class_session_id, expires_at)
    SELECT :account_id, new_appointment.id, b.kind, b.subject_id, b.start_at, b.end_at,
           b.holding, b.exclusive, b.role, b.class_session_id, b.expires_at
    FROM new_appointment,
         jsonb_to_recordset(CAST(:blocks AS jsonb))
           AS b(kind text, subject_id bigint, start_at timestamptz, end_at timestamptz,
                holding boolean, exclusive boolean, role text, class_session_id bigint,
                expires_at timestamptz)
), new_resources AS (
    INSERT INTO appointment_resources (appointment_id, resource_id, account_id)
    SELECT new_appointment.id, r.id, :account_id
    FROM new_appointment, unnest(CAST(:resource_id_set AS bigint[])) AS r(id)
), new_history AS (
    INSERT INTO appointment_history (account_id, appointment_id, at, action, actor, source,
                                     from_status, to_status, reason, changes)
    SELECT :account_id, new_appointment.id, :h_at, :h_action, :h_actor, :h_source,
           :h_from_status, :h_to_status, :h_reason, CAST(:h_changes AS jsonb)
    FROM new_appointment
), new_event AS (
    INSERT INTO outbox (account_id, event_id, type, payload, created_at)
    SELECT :account_id, :e_event_id, :e_type,
           CAST(:e_payload AS jsonb) || jsonb_build_object('appointment_id', new_appointment.id),
           :e_at
    FROM new_appointment
)
SELECT id FROM new_appointment
"""
)


class NewAppointmentRepository(Repository):
    def add(
        self,
        appt: Appointment,
        blocks: list[Block],
        entry: HistoryEntry,
        event: Event,
        at: datetime,
    ) -> str:
        """Write ``appt`` with its ``blocks``, history ``entry`` and outbox ``event``.

        Sets the new id on ``appt`` and as ``appointment_id`` on the blocks, the entry and the
        event's payload; returns the event's id. Overlapping busy time is refused by the
        database on PostgreSQL as it is for separate inserts.
        """
        if self.conn.dialect.name != "postgresql":
            return self.add_one_by_one(appt, blocks, entry, event, at)
        event_id = str(uuid.uuid4())
        row = AppointmentRepository(self.conn, self.account_id).to_row(appt)
        params: dict[str, Any] = dict(
            appointment=json.dumps(
                {c: row.get(c) for c in _APPOINTMENT_COLUMNS}, default=_json_value
            ),
            account_id=self.account_id,
            blocks=json.dumps([_block(b) for b in blocks]),
            lock_keys=sorted(
                {subject_lock_key(b.subject_kind, b.subject_id) for b in blocks if b.holding}
            ),
            resource_id_set=sorted(set(appt.resource_ids)),
            h_at=_utc(entry.at),
            h_action=entry.action,
            h_actor=entry.actor,
            h_source=entry.source,
            h_from_status=entry.from_status,
            h_to_status=entry.to_status,
            h_reason=entry.reason,
            h_changes=json.dumps(entry.changes),
            e_event_id=event_id,
            e_type=event.type,
            e_payload=json.dumps(event.payload),
            e_at=_utc(at),
        )
        new_id = int(self.conn.execute(_PG_INSERT, params).scalar_one())
        _set_id(new_id, appt, blocks, entry, event)
        change_feed.note(self.conn, [appt])
        return event_id

    def add_one_by_one(
        self,
        appt: Appointment,
        blocks: list[Block],
        entry: HistoryEntry,
        event: Event,
        at: datetime,
    ) -> str:
        """:meth:`add` as separate inserts: SQLite's way, and what the one PostgreSQL
        statement is tested against."""
        new_id = AppointmentRepository(self.conn, self.account_id).add(appt)
        _set_id(new_id, appt, blocks, entry, event)
        BlockRepository(self.conn, self.account_id).add(blocks)
        AppointmentRepository(self.conn, self.account_id).record(entry)
        return OutboxRepository(self.conn, self.account_id).add(event, at)


def _set_id(
    new_id: int, appt: Appointment, blocks: list[Block], entry: HistoryEntry, event: Event
) -> None:
    appt.id = new_id
    for b in blocks:
        b.appointment_id = new_id
    entry.appointment_id = new_id
    event.payload["appointment_id"] = new_id


def _block(b: Block) -> dict[str, Any]:
    return {
        "kind": b.subject_kind,
        "subject_id": b.subject_id,
        "start_at": b.start.isoformat(),
        "end_at": b.end.isoformat(),
        "holding": b.holding,
        "exclusive": b.exclusive,
        "role": b.role,
        "class_session_id": b.class_session_id,
        "expires_at": None if b.expires_at is None else b.expires_at.isoformat(),
    }


def _json_value(value: Any) -> Any:
    """JSON for the column values ``json`` does not know: instants (in UTC) and decimals."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} into the appointment row")


def _utc(at: datetime | None) -> datetime | None:
    """An aware instant in UTC, as the UTC columns store it (``text`` skips their type)."""
    return None if at is None else at.astimezone(UTC)
