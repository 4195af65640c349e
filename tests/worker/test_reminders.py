"""Reminders are timers: deliveries due minutes before the start, moved with the appointment,
withdrawn when it is cancelled or archived, taken from the account default when absent."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.conftest import Api
from tests.factories import book, clinic
from tests.worker.conftest import Clock, Smtp, dispatcher, set_account_settings

EMAIL_CLIENT_1H = {"channel": "email", "to": "client", "minutes_before": 60}


def _reminders(api: Api, appt: dict[str, Any]) -> list[dict[str, Any]]:
    items = api.get("/v1/notifications", params={"appointment_id": appt["id"]}).json()["items"]
    return sorted((n for n in items if n["kind"] == "reminder"), key=lambda n: n["id"])


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _book_in(
    api: Api, world: dict[str, Any], clock: Clock, delta: timedelta, **fields: Any
) -> dict[str, Any]:
    start = (clock.at + delta).replace(microsecond=0)
    response = book(
        api,
        world,
        start.isoformat(),
        override=True,
        notify={"client": False, "staff": False},
        **fields,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_reminder_is_sent_when_its_time_comes_and_not_before(
    api: Api, smtp: Smtp, clock: Clock
) -> None:
    world = clinic(api)
    appt = _book_in(api, world, clock, timedelta(days=2), reminders=[EMAIL_CLIENT_1H])
    d = dispatcher(api, clock, smtp_url=smtp.url)
    d.run_until_idle()
    (waiting,) = _reminders(api, appt)
    assert waiting["status"] == "pending" and waiting["minutes_before"] == 60
    assert _at(waiting["due_at"]) == _at(appt["start"]) - timedelta(hours=1)
    clock.at = _at(waiting["due_at"]) - timedelta(seconds=1)
    d.run_until_idle()
    assert smtp.mailbox.messages == []
    clock.advance(seconds=1)
    d.run_until_idle()
    (mail,) = smtp.mailbox.messages
    assert mail["Subject"].startswith("Reminder: Consultation")
    assert _reminders(api, appt)[0]["status"] == "sent"


def test_a_reschedule_moves_the_reminders_and_a_cancellation_withdraws_them(
    api: Api, clock: Clock
) -> None:
    world = clinic(api)
    appt = _book_in(api, world, clock, timedelta(days=2), reminders=[EMAIL_CLIENT_1H])
    d = dispatcher(api, clock)
    d.run_until_idle()
    new_start = _at(appt["start"]) + timedelta(days=1)
    moved = api.patch(
        f"/v1/appointments/{appt['id']}", json={"start": new_start.isoformat(), "override": True}
    )
    assert moved.status_code == 200, moved.text
    d.run_until_idle()
    (waiting,) = _reminders(api, appt)
    assert _at(waiting["due_at"]) == new_start - timedelta(hours=1)
    api.post(f"/v1/appointments/{appt['id']}/cancel")
    d.run_until_idle()
    (withdrawn,) = _reminders(api, appt)
    assert withdrawn["status"] == "not_sent" and "withdrawn" in withdrawn["reason"]


def test_archiving_withdraws_the_reminders(api: Api, clock: Clock) -> None:
    world = clinic(api)
    appt = _book_in(api, world, clock, timedelta(days=2), reminders=[EMAIL_CLIENT_1H])
    d = dispatcher(api, clock)
    d.run_until_idle()
    assert api.delete(f"/v1/appointments/{appt['id']}").status_code == 204
    d.run_until_idle()
    assert [r["status"] for r in _reminders(api, appt)] == ["not_sent"]


def test_the_account_default_applies_when_an_appointment_has_no_reminders_of_its_own(
    api: Api, clock: Clock
) -> None:
    set_account_settings(
        api,
        default_reminders=[
            {"channel": "email", "to": "client", "minutes_before": 1440},
            {"channel": "email", "to": "staff", "minutes_before": 30},
        ],
    )
    world = clinic(api)
    by_default = _book_in(api, world, clock, timedelta(days=3))
    none = _book_in(api, world, clock, timedelta(days=4), reminders=[])
    assert by_default["reminders"] is None and none["reminders"] == []
    dispatcher(api, clock).run_until_idle()
    assert sorted((r["recipient"], r["minutes_before"]) for r in _reminders(api, by_default)) == [
        ("client", 1440),
        ("staff", 30),
    ]
    assert _reminders(api, none) == []


def test_a_reminder_whose_time_has_passed_at_booking_is_not_sent(api: Api, clock: Clock) -> None:
    world = clinic(api)
    appt = _book_in(
        api,
        world,
        clock,
        timedelta(minutes=90),
        reminders=[EMAIL_CLIENT_1H, {"channel": "email", "to": "client", "minutes_before": 120}],
    )
    dispatcher(api, clock).run_until_idle()
    assert [r["minutes_before"] for r in _reminders(api, appt)] == [60]


def test_patching_reminders_replaces_the_waiting_ones(api: Api, clock: Clock) -> None:
    world = clinic(api)
    appt = _book_in(api, world, clock, timedelta(days=2), reminders=[EMAIL_CLIENT_1H])
    d = dispatcher(api, clock)
    d.run_until_idle()
    changed = api.patch(
        f"/v1/appointments/{appt['id']}",
        json={"reminders": [{"channel": "email", "to": "client", "minutes_before": 180}]},
    )
    assert changed.json()["reminders"] == [
        {"channel": "email", "to": "client", "minutes_before": 180}
    ]
    d.run_until_idle()
    assert [r["minutes_before"] for r in _reminders(api, appt)] == [180]


def test_bad_reminders_are_refused_naming_the_field(api: Api) -> None:
    world = clinic(api)
    response = book(
        api,
        world,
        "2030-01-07T10:00:00Z",
        reminders=[{"channel": "pigeon", "to": "client", "minutes_before": 60}],
    )
    assert response.status_code == 422
    assert "reminders" in response.text and "channel" in response.text
    negative = book(
        api,
        world,
        "2030-01-07T10:00:00Z",
        reminders=[{"channel": "email", "to": "client", "minutes_before": -5}],
    )
    assert negative.status_code == 422 and "minutes_before" in negative.text
    assert api.get("/v1/appointments").json()["total"] == 0


def test_which_reminders_were_sent_is_read_in_one_statement(
    api: Api, clock: Clock, smtp: Smtp, count_statements: Any
) -> None:
    from appointd.app.notifications import reminders_sent

    world = clinic(api)
    appts = [
        _book_in(api, world, clock, timedelta(days=2, hours=i), reminders=[EMAIL_CLIENT_1H])
        for i in range(3)
    ]
    d = dispatcher(api, clock, smtp_url=smtp.url)
    d.run_until_idle()
    clock.advance(days=2)  # the first two reminders are due, the third one an hour later
    d.run_until_idle()
    ids = [a["id"] for a in appts]
    with count_statements:
        sent = reminders_sent(api.context(), ids)
    assert count_statements.count == 1
    assert sent == {ids[0]: {"email"}, ids[1]: {"email"}, ids[2]: set()}
