"""Event messages by SMS: the account's ``notify_channels`` says how the client and the staff
hear about a change; the texts go to a real local Twilio-compatible gateway."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

from tests.conftest import Api
from tests.factories import book, clinic, create_client
from tests.worker.conftest import Receiver, Smtp, dispatcher

MONDAY_10 = "2030-01-07T10:00:00Z"
SMS = {
    "sms_url": "/2010-04-01/Accounts/{sid}/Messages.json",
    "sms_account_sid": "AC123",
    "sms_auth_token": "secret",
    "sms_from": "+15005550006",
}


def _sms_settings(receiver: Receiver) -> dict[str, Any]:
    return {**SMS, "sms_url": receiver.url + SMS["sms_url"]}


def _texts(receiver: Receiver) -> list[tuple[str, str]]:
    """(To, Body) of every SMS the gateway received, in order."""
    out = []
    for got in receiver.requests:
        form = parse_qs(got.body.decode())
        out.append((form["To"][0], form["Body"][0]))
    return out


def _notifications(api: Api, **query: object) -> list[dict[str, Any]]:
    response = api.get("/v1/notifications", params=query)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _channels(api: Api, **channels: list[str]) -> dict[str, Any]:
    response = api.patch("/v1/account", json={"notify_channels": channels})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_account_chooses_the_channels_per_recipient_and_a_recipient_left_out_keeps_its(
    api: Api,
) -> None:
    assert api.get("/v1/account").json()["notify_channels"] == {
        "client": ["email"],
        "staff": ["email"],
    }
    assert _channels(api, client=["sms", "email"])["notify_channels"] == {
        "client": ["email", "sms"],
        "staff": ["email"],
    }
    assert _channels(api, staff=[])["notify_channels"] == {
        "client": ["email", "sms"],
        "staff": [],
    }
    for bad, field in (
        ({"client": ["fax"]}, "notify_channels.client"),
        ({"client": "sms"}, "notify_channels.client"),
        ({"everyone": ["sms"]}, "notify_channels"),
    ):
        response = api.patch("/v1/account", json={"notify_channels": bad, "name": "Renamed"})
        assert response.status_code == 422, (bad, response.text)
        assert any(field in str(e.get("field", "")) for e in response.json()["errors"]), (
            bad,
            response.json(),
        )
    after = api.get("/v1/account").json()
    assert after["name"] != "Renamed"  # nothing written by a refused request
    assert after["notify_channels"] == {"client": ["email", "sms"], "staff": []}


def test_by_default_event_messages_go_by_e_mail_only(api: Api, receiver: Receiver) -> None:
    world = clinic(api)
    phoned = create_client(api, phone="+447700900123")
    book(api, world, MONDAY_10, client_id=phoned["id"])
    dispatcher(api, **_sms_settings(receiver)).run_until_idle()
    assert receiver.requests == []
    assert _notifications(api, channel="sms") == []
    assert {n["recipient"] for n in _notifications(api, channel="email")} == {"client", "staff"}


def test_booked_moved_and_cancelled_are_texted_and_e_mailed_when_the_account_asks(
    api: Api, receiver: Receiver, smtp: Smtp
) -> None:
    world = clinic(api)
    phoned = create_client(api, phone="+447700900123")
    _channels(api, client=["email", "sms"], staff=["sms"])
    appt = book(api, world, MONDAY_10, client_id=phoned["id"]).json()
    d = dispatcher(api, smtp_url=smtp.url, **_sms_settings(receiver))
    d.run_until_idle()
    moved = api.patch(f"/v1/appointments/{appt['id']}", json={"start": "2030-01-07T11:00:00Z"})
    assert moved.status_code == 200, moved.text
    d.run_until_idle()
    assert api.post(f"/v1/appointments/{appt['id']}/cancel").status_code == 200
    d.run_until_idle()

    texts = _texts(receiver)
    assert [to for to, _ in texts] == ["+447700900123"] * 3
    bodies = [body for _, body in texts]
    # Times in the location's zone (London, GMT in January), the manage link while it is useful.
    assert bodies[0].startswith("Booked: Consultation with Sam Carter Mon 07 Jan 10:00")
    assert bodies[1].startswith("Moved: Consultation with Sam Carter is now Mon 07 Jan 11:00")
    assert bodies[2].startswith("Cancelled: Consultation with Sam Carter Mon 07 Jan 11:00")
    assert all(len(b) <= 320 for b in bodies)
    # The e-mails still go: the client asked for both.
    assert [m["Subject"].split(":")[0] for m in smtp.mailbox.messages] == [
        "Booked",
        "Moved",
        "Cancelled",
    ]
    sms = _notifications(api, appointment_id=appt["id"], channel="sms")
    client_sms = [n for n in sms if n["recipient"] == "client"]
    assert sorted(n["kind"] for n in client_sms) == ["booked", "cancelled", "rescheduled"]
    assert all((n["status"], n["to"]) == ("sent", "+447700900123") for n in client_sms)
    # The staff asked for SMS only; a staff member without a phone is kept, saying why.
    staff_sms = [n for n in sms if n["recipient"] == "staff"]
    assert len(staff_sms) == 3
    assert all(n["status"] == "not_sent" for n in staff_sms)
    assert all("phone" in str(n["reason"]) for n in staff_sms)
    assert not [n for n in _notifications(api, channel="email") if n["recipient"] == "staff"]
    # Nothing is sent twice.
    d.run_until_idle()
    assert len(receiver.requests) == 3


def test_no_show_and_completed_texts_follow_the_notify_flags(api: Api, receiver: Receiver) -> None:
    world = clinic(api)
    phoned = create_client(api, phone="+447700900123")
    _channels(api, client=["sms"], staff=[])
    missed = book(api, world, MONDAY_10, client_id=phoned["id"], notify={"client": False}).json()
    came = book(api, world, "2030-01-07T12:00:00Z", client_id=phoned["id"]).json()
    response = api.post(
        f"/v1/appointments/{missed['id']}/no-show", json={"notify": {"client": True}}
    )
    assert response.status_code == 200, response.text
    for action in ("check-in", "start", "complete"):
        assert api.post(f"/v1/appointments/{came['id']}/{action}").status_code == 200, action
    dispatcher(api, **_sms_settings(receiver)).run_until_idle()
    bodies = sorted(body for _, body in _texts(receiver))
    # Booked (came) told, booked (missed) silenced by its flag; no-show and thank-you told.
    assert len(bodies) == 3, bodies
    assert bodies[0].startswith("Booked: Consultation with Sam Carter Mon 07 Jan 12:00")
    assert bodies[1].startswith("Thank you for coming to Consultation.")
    assert bodies[2].startswith("We missed you at Consultation Mon 07 Jan 10:00.")
    assert _notifications(api, channel="email") == []


def test_a_waitlist_invitation_is_texted_with_its_hold(api: Api, receiver: Receiver) -> None:
    world = clinic(api)
    phoned = create_client(api, phone="+447700900124", first_name="Grace")
    _channels(api, client=["sms"], staff=[])
    appt = book(api, world, MONDAY_10, notify={"client": False}).json()
    entry = api.post(
        "/v1/waitlist",
        json={
            "client_id": phoned["id"],
            "service_id": world["service"]["id"],
            "location_id": world["location"]["id"],
        },
    )
    assert entry.status_code == 201, entry.text
    response = api.post(
        f"/v1/appointments/{appt['id']}/cancel",
        json={"offer_to": [entry.json()["id"]], "hold_minutes": 30, "notify": {"client": False}},
    )
    assert response.status_code == 200, response.text
    dispatcher(api, **_sms_settings(receiver)).run_until_idle()
    ((to, body),) = _texts(receiver)
    assert to == "+447700900124"
    assert body.startswith("A place is free: Consultation Mon 07 Jan 10:00, held for you until")


def test_staff_texts_go_to_the_staff_members_phone(
    api: Api, receiver: Receiver, clock: Any
) -> None:
    """Staff have a phone (migration 0010): their event texts and SMS reminders are sent."""
    world = clinic(api)
    staff = api.patch(f"/v1/staff/{world['staff']['id']}", json={"phone": "+447700900555"})
    assert staff.status_code == 200, staff.text
    _channels(api, client=[], staff=["sms"])
    start = clock.at.replace(microsecond=0) + timedelta(days=3)
    appt = book(
        api,
        world,
        start.isoformat(),
        override=True,
        reminders=[{"channel": "sms", "to": "staff", "minutes_before": 60}],
    ).json()
    d = dispatcher(api, clock, **_sms_settings(receiver))
    d.run_until_idle()
    ((to, body),) = _texts(receiver)
    assert to == "+447700900555"
    assert body.startswith("New booking: Consultation for Ada Lovelace")
    assert "/manage/" not in body  # the client's link is not the staff's to use
    clock.advance(days=3, minutes=-60)
    d.run_until_idle()
    assert [to for to, _ in _texts(receiver)] == ["+447700900555"] * 2
    assert _texts(receiver)[1][1].startswith("Reminder: Consultation")
    sent = _notifications(api, appointment_id=appt["id"], channel="sms", status="sent")
    assert sorted(n["kind"] for n in sent) == ["booked", "reminder"]
    assert {n["recipient"] for n in sent} == {"staff"}
