"""Fixtures of the public pages' HTTP tests: an app whose clients each have their own address
(rate limits count per address, in the shared test database), and a bookable clinic."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from appointd.asgi import create_app
from appointd.settings import Settings
from tests.conftest import Api, Database, new_api
from tests.factories import create_location, create_service, create_staff

ClientFactory = Callable[..., TestClient]


@pytest.fixture
def make_client(db: Database) -> Iterator[ClientFactory]:
    """``make_client(**settings)``: a test client of a fresh app, from a fresh address."""
    opened: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        settings = Settings(
            database_url=db.url,
            db_pool_size=20,
            **{"public_views_per_minute": 10_000, "public_posts_per_minute": 10_000, **overrides},
        )
        app = create_app(settings, db.services.__class__(db.services.engine, settings))
        client = TestClient(
            app,
            raise_server_exceptions=False,
            client=(
                f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}",
                50000,
            ),
            follow_redirects=False,
        )
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for c in opened:
        c.__exit__(None, None, None)


@pytest.fixture
def web(make_client: ClientFactory) -> TestClient:
    return make_client()


@pytest.fixture
def owner(web: TestClient, db: Database) -> Api:
    """The business: an account with its API key, through the same app."""
    return new_api(web, db, "Harbour Clinic")


def next_weekday(weekday: int, *, after_days: int = 2) -> date:
    """The first date with ISO ``weekday`` at least ``after_days`` from today (UTC)."""
    day = datetime.now().date() + timedelta(days=after_days)
    while day.isoweekday() != weekday:
        day += timedelta(days=1)
    return day


def bookable_clinic(owner: Api, *, slug: str | None = None, **service: Any) -> dict[str, Any]:
    """A London location with online booking on, two staff (Mon-Fri 09-17) and a service."""
    slug = slug or f"clinic-{uuid.uuid4().hex[:10]}"
    location = create_location(owner, name="Harbour Clinic", address="1 Quay Street, Bristol")
    r = owner.patch(
        f"/v1/locations/{location['id']}", json={"online_booking": True, "booking_slug": slug}
    )
    assert r.status_code == 200, r.text
    ann = create_staff(owner, location, first_name="Ann", last_name="Lee")
    bob = create_staff(owner, location, first_name="Bob", last_name="Stone")
    svc = create_service(
        owner,
        name="Physio session",
        duration_minutes=30,
        price="45.00",
        currency="GBP",
        staff_ids=[ann["id"], bob["id"]],
        **service,
    )
    return {"slug": slug, "location": r.json(), "ann": ann, "bob": bob, "service": svc}


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    m = CSRF.search(html)
    assert m, "the page has no CSRF field"
    return m.group(1)


def slot_of(day: date, hh_mm: str, tz: str = "Europe/London") -> str:
    """The slot value of a local start (what the times page links to)."""
    from zoneinfo import ZoneInfo

    h, m = (int(x) for x in hh_mm.split(":"))
    local = datetime(day.year, day.month, day.day, h, m, tzinfo=ZoneInfo(tz))
    return local.astimezone(ZoneInfo("UTC")).isoformat()
