"""Lists write each full item as JSON text directly (``Writer.appointment_text``); it must be the
very text ``json.dumps`` gives of the dict form (``Writer.appointment``), for every shape."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from appointd.domain.model import (
    Appointment,
    Client,
    CustomStatus,
    HistoryEntry,
    Location,
    Resource,
    Service,
    Staff,
)
from appointd.domain.status import Status
from appointd.faces.agendize.render import Writer
from appointd.faces.agendize.views import View
from appointd.settings import Settings

NOW = datetime(2030, 1, 7, 12, tzinfo=UTC)
START = datetime(2030, 1, 8, 9, 30, 15, 123456, tzinfo=UTC)


def _view(**changes: Any) -> View:
    location = Location(1, 1, 'Main "street"', "Europe/Paris")
    appt = Appointment(
        id=7,
        account_id=1,
        location_id=1,
        service_id=2,
        staff_id=3,
        client_id=4,
        start=START,
        end=START + timedelta(minutes=30),
        busy_start=START,
        busy_end=START + timedelta(minutes=30),
        created_at=NOW - timedelta(days=1, microseconds=5),
        notes='Notes with ünïcode, "quotes", a\nnewline and a \\ backslash \u2028',
    )
    view = View(
        appt,
        location,
        Service(2, 1, "Consultation", 30, price=Decimal("40.50"), currency="EUR"),
        Staff(3, 1, "Sam", "Ørsted", "Europe/Paris"),
        Client(4, 1, "Ada", "Lovelace", email="ada@example.org", external_id="crm-1"),
        [Resource(5, 1, "Room 1")],
        [
            HistoryEntry(7, NOW - timedelta(days=1), "booked", "account:1", "agendize"),
            HistoryEntry(
                7,
                NOW - timedelta(hours=3),
                "rescheduled",
                "client",
                "web",
                changes={"start": "x", "override": True},
                reason="late train",
            ),
            HistoryEntry(7, NOW, "cancelled", "account:1", "native", to_status="cancelled"),
        ],
    )
    for key, value in changes.items():
        if hasattr(view, key):
            setattr(view, key, value)
        else:
            setattr(view.appointment, key, value)
    return view


SHAPES: list[dict[str, Any]] = [
    {},
    {"custom_status": CustomStatus(9, 1, "Waiting room", Status.CONFIRMED)},
    {"client": None, "staff": None, "service": None, "resources": [], "history": []},
    {"location": None},
    {"form": [{"field_id": 3, "value": "yes"}, {"field_id": 4, "values": ["a", "b"]}]},
    {"metadata": {"private": {"k": [1, 2.5, None]}, "public": {}}},
    {"metadata": {"public": {"x": "y"}}},
    {"extra": {"agendize": {"location": "phone"}}, "paid": True, "notes": None},
    {"status": Status.NO_SHOW, "end": NOW - timedelta(minutes=1)},
    {"manage_token": "needs/quoting here"},
    {"price": Decimal("12"), "currency": "GBP"},
]


@pytest.mark.parametrize("shape", range(len(SHAPES)))
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_text_of_a_full_item_is_the_json_of_its_dict(shape: int, lang: str) -> None:
    settings = Settings(public_url="https://book.example.org/x")
    view = _view(**SHAPES[shape])
    writer = Writer(level="full", lang=lang, now=NOW, settings=settings)
    expected = json.dumps(writer.appointment(view), separators=(",", ":"), ensure_ascii=False)
    # A fresh writer and a used one (its caches filled) write the same text.
    assert (
        Writer(level="full", lang=lang, now=NOW, settings=settings).appointment_text(view)
        == expected
    )
    assert writer.appointment_text(view) == expected
    assert writer.appointment_text(view) == expected


def test_without_settings_the_reschedule_link_is_empty_in_both_forms() -> None:
    writer = Writer(level="full", lang="en", now=NOW)
    view = _view()
    assert json.loads(writer.appointment_text(view)) == writer.appointment(view)
    assert writer.appointment(view)["rescheduleLink"] == ""


def test_a_light_writer_writes_the_light_dict() -> None:
    writer = Writer(level="light", lang="en", now=NOW)
    view = _view()
    assert json.loads(writer.appointment_text(view)) == writer.appointment(view)
