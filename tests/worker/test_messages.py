"""E-mail and SMS: rendered from templates, sent to a real SMTP server and a real local SMS
gateway, kept as not_sent without a transport; who gets what follows the notify flags."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import icalendar
import pytest

from appointd.worker.messages import TemplateProblem, environment
from tests.conftest import Api
from tests.factories import book, clinic, create_client
from tests.worker.conftest import Receiver, Smtp, dispatcher, set_account_settings

MONDAY_10 = "2030-01-07T10:00:00Z"


def _notifications(api: Api, **query: object) -> list[dict[str, object]]:
    response = api.get("/v1/notifications", params=query)
    assert response.status_code == 200, response.text
    items: list[dict[str, object]] = response.json()["items"]
    return items


def _calendar(message) -> icalendar.Calendar:  # type: ignore[no-untyped-def]
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return icalendar.Calendar.from_ical(part.get_payload(decode=True))
    raise AssertionError("no calendar attachment")


def test_without_a_transport_messages_are_rendered_and_kept_as_not_sent(api: Api) -> None:
    world = clinic(api)
    appt = book(api, world, MONDAY_10).json()
    dispatcher(api).run_until_idle()
    found = {n["recipient"]: n for n in _notifications(api, appointment_id=appt["id"])}
    client = found["client"]
    assert (client["status"], client["reason"], client["kind"]) == (
        "not_sent",
        "no transport",
        "booked",
    )
    assert client["to"] == "ada@example.org"
    assert "Consultation" in str(client["subject"])
    assert "Monday 07 January 2030, 10:00" in str(client["body"])
    # The staff member has no e-mail address: kept too, saying so.
    assert (found["staff"]["status"], found["staff"]["reason"]) == (
        "not_sent",
        "the staff has no e-mail address",
    )
    assert _notifications(api, status="sent") == []
    assert len(_notifications(api, channel="email", status="not_sent")) == 2


def test_a_booking_reschedule_and_cancellation_e_mail_the_client_with_one_calendar_entry(
    api: Api, smtp: Smtp
) -> None:
    world = clinic(api)
    appt = book(api, world, MONDAY_10, notify={"staff": False}).json()
    d = dispatcher(api, smtp_url=smtp.url, mail_from="Clinic <clinic@example.org>")
    d.run_until_idle()
    api.patch(f"/v1/appointments/{appt['id']}", json={"start": "2030-01-07T11:00:00Z"})
    d.run_until_idle()
    api.post(f"/v1/appointments/{appt['id']}/cancel")
    d.run_until_idle()
    mails = smtp.mailbox.messages
    assert [m["Subject"].split(":")[0] for m in mails] == ["Booked", "Moved", "Cancelled"]
    assert all(m["To"] == "ada@example.org" for m in mails)
    assert mails[0]["From"] == "Clinic <clinic@example.org>"
    first = mails[0]
    types = [p.get_content_type() for p in first.walk()]
    assert "text/plain" in types and "text/html" in types
    calendars = [_calendar(m) for m in mails]
    events = [c.walk("VEVENT")[0] for c in calendars]
    assert len({str(e["UID"]) for e in events}) == 1
    sequences = [int(e["SEQUENCE"]) for e in events]
    assert sequences == sorted(sequences) and sequences[0] < sequences[1] < sequences[2]
    assert [str(c["METHOD"]) for c in calendars] == ["REQUEST", "REQUEST", "CANCEL"]
    assert events[1].decoded("DTSTART").isoformat() == "2030-01-07T11:00:00+00:00"
    sent = _notifications(api, appointment_id=appt["id"], status="sent")
    assert len(sent) == 3 and all(n["recipient"] == "client" for n in sent)
    # Run again: nothing more is sent (one e-mail per message).
    d.run_until_idle()
    assert len(smtp.mailbox.messages) == 3


def test_times_are_shown_in_the_recipients_zone(api: Api, smtp: Smtp) -> None:
    world = clinic(api)
    tokyo = create_client(api, email="kenji@example.org", time_zone="Asia/Tokyo")
    book(api, world, MONDAY_10, client_id=tokyo["id"], notify={"staff": False})
    dispatcher(api, smtp_url=smtp.url).run_until_idle()
    (mail,) = smtp.mailbox.messages
    text = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
    body = text.get_payload(decode=True).decode()
    assert "10:00" not in body and "19:00" in body and "19:30 (Asia/Tokyo)" in body


def test_notify_flags_and_the_account_defaults_decide_who_is_told(api: Api) -> None:
    world = clinic(api)
    silent = book(api, world, MONDAY_10, notify={"client": False, "staff": False}).json()
    set_account_settings(api, notify_defaults={"client": True, "staff": False})
    default = book(api, world, "2030-01-07T12:00:00Z").json()
    staff_only = book(api, world, "2030-01-07T14:00:00Z", notify={"client": False}).json()
    dispatcher(api).run_until_idle()

    def told(appt: dict[str, object]) -> list[object]:
        return sorted(n["recipient"] for n in _notifications(api, appointment_id=appt["id"]))

    assert told(silent) == []
    assert told(default) == ["client"]
    # A flag left out takes the account default: staff stays off.
    assert told(staff_only) == []
    moved = api.post(f"/v1/appointments/{default['id']}/no-show", json={"notify": {"staff": True}})
    assert moved.status_code == 200, moved.text
    dispatcher(api).run_until_idle()
    kinds = sorted(
        (n["kind"], n["recipient"]) for n in _notifications(api, appointment_id=default["id"])
    )
    assert kinds == [("booked", "client"), ("no_show", "client"), ("no_show", "staff")]


def test_completing_an_appointment_thanks_the_client(api: Api, smtp: Smtp) -> None:
    world = clinic(api)
    appt = book(api, world, MONDAY_10, notify={"client": False, "staff": False}).json()
    for action in ("check-in", "start", "complete"):
        assert api.post(f"/v1/appointments/{appt['id']}/{action}").status_code == 200, action
    dispatcher(api, smtp_url=smtp.url).run_until_idle()
    assert [m["Subject"] for m in smtp.mailbox.messages] == ["Thank you for your visit"]


def test_an_sms_goes_to_the_twilio_compatible_gateway_form_encoded_with_basic_auth(
    api: Api, receiver: Receiver, clock
) -> None:  # type: ignore[no-untyped-def]
    world = clinic(api)
    phoned = create_client(api, phone="+447700900123")
    start = clock.at.replace(microsecond=0) + __import__("datetime").timedelta(days=3)
    appt = book(
        api,
        world,
        start.isoformat(),
        client_id=phoned["id"],
        override=True,
        reminders=[{"channel": "sms", "to": "client", "minutes_before": 60}],
    ).json()
    assert appt["reminders"] == [{"channel": "sms", "to": "client", "minutes_before": 60}]
    d = dispatcher(
        api,
        clock,
        sms_url=receiver.url + "/2010-04-01/Accounts/{sid}/Messages.json",
        sms_account_sid="AC123",
        sms_auth_token="secret",
        sms_from="+15005550006",
    )
    d.run_until_idle()
    assert receiver.requests == []
    clock.advance(days=3, minutes=-60)
    d.run_until_idle()
    (got,) = receiver.requests
    assert got.path == "/2010-04-01/Accounts/AC123/Messages.json"
    form = parse_qs(got.body.decode())
    assert form["To"] == ["+447700900123"] and form["From"] == ["+15005550006"]
    assert form["Body"][0].startswith("Reminder: Consultation")
    import base64

    assert got.headers["authorization"] == "Basic " + base64.b64encode(b"AC123:secret").decode()
    (sms,) = _notifications(api, channel="sms")
    assert (sms["status"], sms["to"], sms["kind"]) == ("sent", "+447700900123", "reminder")


def test_a_broken_template_override_stops_the_start_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "message.txt").write_text("Hello {{ recipient_name ")
    with pytest.raises(TemplateProblem, match=r"message\.txt"):
        environment(str(tmp_path))


def test_a_template_override_replaces_the_built_in_one(api: Api, tmp_path: Path) -> None:
    (tmp_path / "booked.subject.txt").write_text("See you at {{ location_name }}!")
    book(api, clinic(api), MONDAY_10)
    dispatcher(api, templates_dir=str(tmp_path)).run_until_idle()
    subjects = {n["subject"] for n in _notifications(api)}
    assert subjects == {"See you at Main street!"}


def test_client_messages_carry_the_manage_link_under_the_public_url(api: Api) -> None:
    appt = book(api, clinic(api), MONDAY_10).json()
    dispatcher(api, public_url="https://book.example.org").run_until_idle()
    (client,) = [n for n in _notifications(api) if n["recipient"] == "client"]
    token = appt["manage_url"].rsplit("/", 1)[1]
    assert f"Change or cancel: https://book.example.org/manage/{token}" in str(client["body"])
