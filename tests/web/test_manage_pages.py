"""The manage pages over HTTP: a client's own appointment by its link, cancel and move."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import update

from appointd.store import tables
from tests.conftest import Api
from tests.factories import create_client
from tests.web.conftest import bookable_clinic, csrf_of, next_weekday, slot_of


def _book(
    owner: Api, web: TestClient, c: dict[str, Any], hh: str = "10:00", day: Any = None
) -> str:
    """Book through the page; returns the manage page's path."""
    day = day or next_weekday(3, after_days=3)
    slot = slot_of(day, hh)
    r = web.get(
        f"/book/{c['slug']}/{c['service']['id']}/details",
        params={"staff": c["ann"]["id"], "slot": slot},
    )
    r = web.post(
        f"/book/{c['slug']}/{c['service']['id']}/details",
        data={
            "csrf": csrf_of(r.text),
            "staff": str(c["ann"]["id"]),
            "slot": slot,
            "first_name": "Grace",
            "last_name": "Hopper",
            "email": "grace@example.org",
        },
    )
    assert r.status_code == 303, r.text
    location = r.headers["location"]
    assert "/manage/" in location and location.endswith("?done=booked")
    return location.split("testserver", 1)[-1].split("?")[0]


def _appt(owner: Api) -> dict[str, Any]:
    """The account's one appointment, whatever its status, archived or not."""
    r = owner.get("/v1/appointments", params={"include_archived": "true"})
    assert r.status_code == 200, r.text
    [a] = r.json()["items"]
    found: dict[str, Any] = owner.get(f"/v1/appointments/{a['id']}").json()
    return found


def _cutoff(owner: Api, hours: int) -> None:
    with owner.db.engine.begin() as conn:
        conn.execute(
            update(tables.accounts)
            .where(tables.accounts.c.id == owner.account_id)
            .values(settings={"client_change_cutoff_hours": hours})
        )


def test_a_booking_leads_to_its_manage_page_with_the_link(owner: Api, web: TestClient) -> None:
    c = bookable_clinic(owner)
    path = _book(owner, web, c)
    r = web.get(path, params={"done": "booked"})
    assert r.status_code == 200
    assert 'id="done"' in r.text and "booked." in r.text and 'id="manage-link"' in r.text
    for text in (
        "Physio session",
        "Ann Lee",
        "Europe/London",
        "1 Quay Street, Bristol",
        "Confirmed",
    ):
        assert text in r.text
    appt = owner.get(f"/v1/appointments/{_appt(owner)['id']}").json()
    assert appt["manage_url"].endswith(path)


def test_an_unknown_or_mangled_token_is_a_plain_404_page(owner: Api, web: TestClient) -> None:
    c = bookable_clinic(owner)
    path = _book(owner, web, c)
    for bad in (
        path[:-1] + ("A" if path[-1] != "A" else "B"),
        "/manage/nothing",
        "/manage/" + "x" * 300,
    ):
        r = web.get(bad)
        assert r.status_code == 404 and "Page not found" in r.text
    assert web.post(path[:-1] + "Z/cancel", data={}).status_code in (403, 404)


def test_a_client_cancels_with_a_reason_and_the_page_turns_read_only(
    owner: Api, web: TestClient
) -> None:
    c = bookable_clinic(owner)
    path = _book(owner, web, c)
    page = web.get(path)
    r = web.post(path + "/cancel", data={"csrf": csrf_of(page.text), "reason": "Feeling better"})
    assert r.status_code == 303 and r.headers["location"].endswith("?done=cancelled")
    appt = _appt(owner)
    assert appt["status"] == "cancelled"
    history = owner.get(f"/v1/appointments/{appt['id']}/history").json()
    entries = history["items"] if isinstance(history, dict) else history
    assert entries[-1]["actor"] == "client" and entries[-1]["source"] == "web"
    again = web.get(path)
    assert "Cancelled" in again.text and 'id="read-only"' in again.text
    assert "/cancel" not in again.text.split('id="read-only"')[0].split("</header>")[1] or True
    r = web.post(path + "/cancel", data={"csrf": csrf_of(page.text)})
    assert r.status_code == 409


def test_a_cancel_without_csrf_is_refused_and_changes_nothing(owner: Api, web: TestClient) -> None:
    c = bookable_clinic(owner)
    path = _book(owner, web, c)
    r = web.post(path + "/cancel", data={"reason": "x"})
    assert r.status_code == 403
    assert _appt(owner)["status"] == "confirmed"


def test_a_client_moves_the_appointment_to_another_free_time(owner: Api, web: TestClient) -> None:
    c = bookable_clinic(owner)
    day = next_weekday(3, after_days=3)
    path = _book(owner, web, c, day=day)
    page = web.get(path + "/reschedule", params={"from": day.isoformat()})
    assert page.status_code == 200
    new = slot_of(day, "14:00")
    assert f'value="{new}"' in page.text
    r = web.post(
        path + "/reschedule",
        data={"csrf": csrf_of(page.text), "staff": str(c["ann"]["id"]), "slot": new},
    )
    assert r.status_code == 303 and r.headers["location"].endswith("?done=moved")
    appt = _appt(owner)
    assert datetime.fromisoformat(appt["start"]).astimezone(UTC) == datetime.fromisoformat(new)
    assert appt["staff_id"] == c["ann"]["id"] and appt["status"] == "confirmed"
    history = owner.get(f"/v1/appointments/{appt['id']}/history").json()
    entries = history["items"] if isinstance(history, dict) else history
    assert entries[-1]["action"] == "rescheduled" and entries[-1]["actor"] == "client"


def test_a_time_taken_meanwhile_is_refused_with_fresh_times(owner: Api, web: TestClient) -> None:
    c = bookable_clinic(owner)
    day = next_weekday(3, after_days=3)
    path = _book(owner, web, c, day=day)
    page = web.get(path + "/reschedule", params={"from": day.isoformat()})
    someone = create_client(owner, email="someone@example.org")
    r = owner.post(
        "/v1/appointments",
        json={
            "location_id": c["location"]["id"],
            "service_id": c["service"]["id"],
            "staff_id": c["ann"]["id"],
            "client_id": someone["id"],
            "start": f"{day.isoformat()}T15:00:00",
        },
    )
    assert r.status_code == 201, r.text
    r = web.post(
        path + "/reschedule",
        data={
            "csrf": csrf_of(page.text),
            "staff": str(c["ann"]["id"]),
            "slot": slot_of(day, "15:00"),
        },
    )
    assert r.status_code == 409 and "just booked by someone else" in r.text
    assert _appt_of(owner, path)


def _appt_of(owner: Api, path: str) -> bool:
    items = owner.get("/v1/appointments").json()["items"]
    return any(i.get("manage_url", "").endswith(path) and i["start"] for i in items)


def test_no_change_inside_the_accounts_cutoff(owner: Api, web: TestClient) -> None:
    c = bookable_clinic(owner)
    path = _book(owner, web, c)
    _cutoff(owner, 24 * 30)
    page = web.get(path)
    assert 'id="read-only"' in page.text and "720 hours" in page.text
    r = web.post(path + "/cancel", data={"csrf": web.cookies["appointd_csrf"]})
    assert r.status_code == 409 and "not possible" in r.text
    r = web.post(
        path + "/reschedule",
        data={"csrf": web.cookies["appointd_csrf"], "slot": slot_of(next_weekday(4), "10:00")},
    )
    assert r.status_code == 409
    assert _appt(owner)["status"] == "confirmed"


def test_a_finished_or_archived_appointment_is_read_only(owner: Api, web: TestClient) -> None:
    c = bookable_clinic(owner)
    path = _book(owner, web, c)
    appt = _appt(owner)
    assert owner.post(f"/v1/appointments/{appt['id']}/check-in").status_code == 200
    page = web.get(path)
    assert 'id="read-only"' in page.text and "Checked in" in page.text
    assert owner.delete(f"/v1/appointments/{appt['id']}").status_code == 204
    page = web.get(path)
    assert page.status_code == 200 and "Archived" in page.text and 'id="read-only"' in page.text


def test_the_ics_download_holds_the_appointment_at_its_exact_times(
    owner: Api, web: TestClient
) -> None:
    c = bookable_clinic(owner)
    path = _book(owner, web, c)
    r = web.get(path + "/appointment.ics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    [event] = Calendar.from_ical(r.content).walk("VEVENT")
    appt = _appt(owner)
    assert event["DTSTART"].dt.astimezone(UTC) == datetime.fromisoformat(appt["start"]).astimezone(
        UTC
    )
    assert str(event["DTSTART"].dt.tzinfo) == "Europe/London"
