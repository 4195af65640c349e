"""Writing a new appointment with its blocks, resources, history and event.

On PostgreSQL this is one statement; it must write exactly the rows the separate inserts
(SQLite's way, and the reference) write, and stay a statement psycopg can cache.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg._queries
import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql

from appointd.app.accounts import create_account
from appointd.domain.events import EventType
from appointd.domain.model import Appointment, Block, Event, HistoryEntry
from appointd.domain.status import Status
from appointd.store import tables
from appointd.store.engine import OverlapRefused
from appointd.store.repositories.new_appointments import _PG_INSERT
from appointd.store.uow import UnitOfWork

NINE = datetime(2031, 3, 3, 9, tzinfo=UTC)
NOW = datetime(2031, 3, 1, 8, 0, 0, 123456, tzinfo=UTC)


def _catalog(uow: UnitOfWork) -> dict[str, Any]:
    """Rows the appointment refers to, written straight into the tables."""
    ids: dict[str, Any] = {}
    for name, table, row in [
        ("location", tables.locations, {"name": "L", "time_zone": "Europe/London"}),
        ("service", tables.services, {"name": "S", "duration_minutes": 30, "kind": "service"}),
        ("client", tables.clients, {"first_name": "C"}),
        ("room", tables.resources, {"name": "R", "capacity": 1}),
        ("board", tables.resources, {"name": "B", "capacity": 3}),
        ("sam", tables.staff, {"first_name": "Sam", "time_zone": "Europe/London"}),
        ("kim", tables.staff, {"first_name": "Kim", "time_zone": "Europe/London"}),
    ]:
        values = {"account_id": uow.account_id, **row}
        if "created_at" in table.c:
            values |= {"created_at": NOW, "updated_at": NOW}
        ids[name] = uow.conn.execute(table.insert().values(values)).inserted_primary_key[0]
    return ids


def _booking(ids: dict[str, Any], start: datetime, account_id: int):
    end = start + timedelta(minutes=30)
    appt = Appointment(
        id=0,
        account_id=account_id,
        location_id=ids["location"],
        service_id=ids["service"],
        staff_id=ids["sam"],
        client_id=ids["client"],
        start=start,
        end=end,
        busy_start=start - timedelta(minutes=5),
        busy_end=end,
        status=Status.CONFIRMED,
        additional_staff_ids=[ids["kim"]],
        resource_ids=[ids["board"], ids["room"]],
        notes="first visit",
        override=True,
        source="native",
        extra={"colour": "blue", "tags": ["a", "b"]},
        created_at=NOW,
        updated_at=NOW,
        price=Decimal("45.50"),
        currency="EUR",
        paid=True,
        form=[{"field_id": 1, "value": "x"}, {"field_id": 2, "values": ["a", "b"]}],
        created_by="account:1",
        updated_by="account:1",
        external_id="ext-1",
        metadata={"crm": {"id": 7, "tags": ["vip"]}, "note": "é"},
        cancellation_note="kept",
        cancelled_at=NOW,
    )
    blocks = [
        Block("staff", ids["sam"], appt.busy_start, appt.busy_end, True, "primary"),
        Block("staff", ids["kim"], appt.busy_start, appt.busy_end, True, "additional"),
        Block("resource", ids["room"], appt.busy_start, appt.busy_end, True, "resource"),
        Block(
            "resource",
            ids["board"],
            appt.busy_start,
            appt.busy_end,
            False,
            "resource",
            expires_at=NOW + timedelta(hours=1),
        ),
    ]
    entry = HistoryEntry(
        appointment_id=0,
        at=NOW,
        action="booked",
        actor="account:1",
        source="native",
        from_status=None,
        to_status="confirmed",
        reason=None,
        changes={"override": True},
    )
    event = Event(EventType.APPOINTMENT_BOOKED, {"appointment_id": 0, "status": "confirmed"})
    return appt, blocks, entry, event


def _rows(uow: UnitOfWork, appointment_id: int) -> dict[str, list[dict[str, Any]]]:
    """Everything written for one appointment, without the ids that differ between writes."""
    a, b, r, h, o = (
        tables.appointments,
        tables.blocks,
        tables.appointment_resources,
        tables.appointment_history,
        tables.outbox,
    )

    def rows(query: Any, *drop: str) -> list[dict[str, Any]]:
        found = [dict(row._mapping) for row in uow.conn.execute(query)]
        return [{k: v for k, v in row.items() if k not in drop} for row in found]

    events = [
        row
        for row in rows(select(o).order_by(o.c.id), "id", "event_id")
        if row["payload"].get("appointment_id") == appointment_id
    ]
    return {
        "appointments": rows(select(a).where(a.c.id == appointment_id), "id"),
        "blocks": rows(
            select(b).where(b.c.appointment_id == appointment_id).order_by(b.c.id),
            "id",
            "appointment_id",
        ),
        "resources": rows(
            select(r.c.resource_id, r.c.account_id)
            .where(r.c.appointment_id == appointment_id)
            .order_by(r.c.resource_id)
        ),
        "history": rows(
            select(h).where(h.c.appointment_id == appointment_id), "id", "appointment_id"
        ),
        "outbox": [{**e, "payload": {**e["payload"], "appointment_id": None}} for e in events],
    }


def test_a_new_appointment_is_written_with_everything_that_goes_with_it(db):
    account = create_account(db.services, "writes").account_id
    with UnitOfWork(db.engine, account) as uow:
        ids = _catalog(uow)
        appt, blocks, entry, event = _booking(ids, NINE, account)
        event_id = uow.new_appointments.add(appt, blocks, entry, event, NOW)
        uow.commit()
    assert appt.id > 0
    assert {b.appointment_id for b in blocks} == {entry.appointment_id} == {appt.id}
    assert event.payload["appointment_id"] == appt.id
    with UnitOfWork(db.engine, account, write=False) as uow:
        stored = uow.appointments.get(appt.id)
        written = _rows(uow, appt.id)
        outbox = uow.conn.execute(
            select(tables.outbox.c.payload).where(tables.outbox.c.event_id == event_id)
        ).scalar_one()
    assert stored == appt
    assert [(b["subject_kind"], b["role"], b["exclusive"]) for b in written["blocks"]] == [
        ("staff", "primary", True),
        ("staff", "additional", True),
        ("resource", "resource", True),
        ("resource", "resource", False),
    ]
    assert written["blocks"][3]["expires_at"] == NOW + timedelta(hours=1)
    assert [r["resource_id"] for r in written["resources"]] == sorted([ids["room"], ids["board"]])
    assert written["history"][0]["changes"] == {"override": True}
    assert outbox == {"appointment_id": appt.id, "status": "confirmed"}


def test_on_postgresql_the_one_statement_writes_what_the_separate_inserts_write(pg_db):
    account = create_account(pg_db.services, "same rows").account_id
    with UnitOfWork(pg_db.engine, account) as uow:
        ids = _catalog(uow)
        one = _booking(ids, NINE, account)
        uow.new_appointments.add(*one, NOW)
        separate = _booking(ids, NINE + timedelta(hours=2), account)
        uow.new_appointments.add_one_by_one(*separate, NOW)
        uow.commit()
    with UnitOfWork(pg_db.engine, account, write=False) as uow:
        first, second = _rows(uow, one[0].id), _rows(uow, separate[0].id)
    for rows in (first, second):
        for appt in rows["appointments"]:
            del appt["start_at"], appt["end_at"], appt["busy_start_at"], appt["busy_end_at"]
            # Drawn per appointment, or stamped per change: never the same for two.
            del appt["reference"], appt["manage_token"], appt["change_seq"]
        for block in rows["blocks"]:
            del block["start_at"], block["end_at"]
    assert first == second


def test_on_postgresql_an_overlapping_write_is_refused_and_leaves_nothing(pg_db):
    account = create_account(pg_db.services, "overlap").account_id
    with UnitOfWork(pg_db.engine, account) as uow:
        ids = _catalog(uow)
        uow.new_appointments.add(*_booking(ids, NINE, account), NOW)
        uow.commit()
    with pytest.raises(OverlapRefused), UnitOfWork(pg_db.engine, account) as uow:
        uow.new_appointments.add(*_booking(ids, NINE + timedelta(minutes=15), account), NOW)
        uow.commit()
    with UnitOfWork(pg_db.engine, account, write=False) as uow:
        for table in (tables.appointments, tables.appointment_history, tables.outbox):
            count = uow.conn.execute(select(table.c.id).where(table.c.account_id == account)).all()
            assert len(count) == 1, table.name


def test_the_one_statement_stays_within_what_psycopg_caches():
    """psycopg converts and caches a statement only up to a number of parameters and a length;
    past them every booking would pay the conversion again."""
    compiled = _PG_INSERT.compile(dialect=postgresql.dialect())
    assert len(compiled.params) <= psycopg._queries.MAX_CACHED_STATEMENT_PARAMS
    assert len(str(compiled).encode()) <= psycopg._queries.MAX_CACHED_STATEMENT_LENGTH
