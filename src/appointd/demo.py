"""Demo data for ``appointd serve --demo``: one clinic with staff, services, rooms and bookings.

The demo account is created once and keeps one key across restarts: unlike every other key, the
demo key's secret is kept in the database (``api_keys.demo_secret``) so that each start can print
the same ``export APPOINTD_KEY=...`` line again. It is a local trial account; revoking its key
(``appointd keys revoke``) makes the next ``serve --demo`` issue and keep a new one.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from appointd.app import appointments, catalog
from appointd.app.accounts import create_account, issue_key
from appointd.app.commands import BookAppointment
from appointd.app.context import Caller, Context, Services
from appointd.domain.errors import Conflict, Invalid
from appointd.store.uow import UnitOfWork

DEMO_NAME = "Demo Physio Clinic"
WEEKDAYS = [{"weekday": d, "start": "09:00", "end": "12:30"} for d in range(1, 6)] + [
    {"weekday": d, "start": "13:30", "end": "17:00"} for d in range(1, 6)
]


def ensure_demo(services: Services) -> str:
    """Create the demo account and its data if missing; return its API key (the same one on
    every start unless it was revoked)."""
    with UnitOfWork(services.engine, None, write=False) as uow:
        existing = uow.accounts.find_by_name(DEMO_NAME)
        kept = None if existing is None else uow.accounts.demo_secret(existing.id)
    if kept is not None:
        return kept
    if existing is not None:
        return issue_key(services, existing.id, label="demo", keep_secret=True)
    created = create_account(services, DEMO_NAME, label="demo", keep_secret=True)
    ctx = Context(services, Caller(created.account_id, actor="demo", source="native"))
    _populate(ctx)
    return created.api_key


def demo_account_id(services: Services) -> int | None:
    """The demo account's id (the TimeTap and Agendize faces name the account by it)."""
    with UnitOfWork(services.engine, None, write=False) as uow:
        existing = uow.accounts.find_by_name(DEMO_NAME)
    return None if existing is None else existing.id


def _populate(ctx: Context) -> None:
    loc = catalog.create(
        ctx,
        "locations",
        {"name": "Riverside", "time_zone": "Europe/Berlin", "address": "Uferstrasse 1, Berlin"},
    )
    room = catalog.create(ctx, "resources", {"name": "Treatment room 1", "location_id": loc.id})
    catalog.create(ctx, "resources", {"name": "Gym", "location_id": loc.id, "capacity": 8})
    people = [
        catalog.create(
            ctx,
            "staff",
            {
                "first_name": first,
                "last_name": last,
                "email": f"{first.lower()}@example.com",
                "location_ids": [loc.id],
                "working_hours": WEEKDAYS,
            },
        )
        for first, last in [("Ana", "Berger"), ("Jonas", "Keller")]
    ]
    assessment = catalog.create(
        ctx,
        "services",
        {
            "name": "Initial assessment",
            "duration_minutes": 60,
            "buffer_after_minutes": 15,
            "price": "80.00",
            "currency": "EUR",
            "staff_ids": [p.id for p in people],
            "resource_ids": [room.id],
        },
    )
    follow_up = catalog.create(
        ctx,
        "services",
        {
            "name": "Follow-up",
            "duration_minutes": 30,
            "price": "45.00",
            "currency": "EUR",
            "staff_ids": [p.id for p in people],
        },
    )
    clients = [
        catalog.create(
            ctx,
            "clients",
            {
                "first_name": f,
                "last_name": last,
                "email": f"{f.lower()}.{last.lower()}@example.org",
            },
        )
        for f, last in [("Mia", "Schulz"), ("Paul", "Wagner"), ("Lea", "Fischer")]
    ]
    tz = ZoneInfo(loc.time_zone)
    day = _next_weekday(date.today() + timedelta(days=1))
    plan = [
        (people[0], assessment, clients[0], 9),
        (people[0], follow_up, clients[1], 11),
        (people[1], follow_up, clients[2], 10),
    ]
    for person, service, client, hour in plan:
        try:
            appointments.book(
                ctx,
                BookAppointment(
                    location_id=loc.id,
                    service_id=service.id,
                    staff_id=person.id,
                    client_id=client.id,
                    start=datetime(day.year, day.month, day.day, hour, tzinfo=tz),
                ),
            )
        except (Conflict, Invalid):  # a demo day that happens to be odd is not worth failing for
            continue


def _next_weekday(d: date) -> date:
    while d.isoweekday() > 5:
        d += timedelta(days=1)
    return d
