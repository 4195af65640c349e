"""Appointment intents through /v1 on both databases: CRUD, listing, and booking with one."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from appointd.app import appointments
from appointd.app.commands import BookAppointment
from appointd.domain.errors import Conflict
from tests.conftest import Api
from tests.factories import book, clinic, create_client

MONDAY_10 = "2030-01-07T10:00:00Z"
YESTERDAY = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()


def make(api: Api, client: dict[str, Any], **kw: Any) -> Any:
    body = {
        "client_id": client["id"],
        "external_reference": "order-17",
        "start_date": "2030-01-07",
        "end_date": "2030-01-11",
        **kw,
    }
    return api.post("/v1/appointment-intents", json=body)


def made(api: Api, client: dict[str, Any], **kw: Any) -> Any:
    response = make(api, client, **kw)
    assert response.status_code == 201, response.text
    return response.json()


def fields(response: Any) -> set[str]:
    return {e["field"] for e in response.json().get("errors", [])}


def listed(api: Api, **params: Any) -> list[int]:
    return [i["id"] for i in api.get("/v1/appointment-intents", params=params).json()["items"]]


# -- the intents themselves --------------------------------------------------------------------


def test_creating_an_intent_returns_it_active_unbooked_and_stamped(api: Api) -> None:
    client = create_client(api)
    intent = made(api, client, description="follow-up", expiration_date="2030-01-05")
    assert intent["active"] is True and intent["booked"] is False
    assert intent["appointment_id"] is None
    assert intent["created_by"] == intent["modified_by"] == f"account:{api.account_id}"
    assert (intent["start_date"], intent["end_date"], intent["expiration_date"]) == (
        "2030-01-07",
        "2030-01-11",
        "2030-01-05",
    )
    assert api.get(f"/v1/appointment-intents/{intent['id']}").json() == intent


def test_bad_intents_are_refused_naming_the_field(api: Api) -> None:
    client = create_client(api)
    backwards = make(api, client, start_date="2030-01-11", end_date="2030-01-07")
    assert backwards.status_code == 422 and fields(backwards) == {"end_date"}
    no_reference = api.post(
        "/v1/appointment-intents",
        json={"client_id": client["id"], "start_date": "2030-01-07", "end_date": "2030-01-08"},
    )
    assert no_reference.status_code == 422 and fields(no_reference) == {"external_reference"}
    too_long = make(api, client, external_reference="r" * 201)
    assert too_long.status_code == 422 and fields(too_long) == {"external_reference"}
    read_only = make(api, client, booked=True)
    assert read_only.status_code == 422 and fields(read_only) == {"booked"}
    not_a_date = make(api, client, start_date="07/01/2030")
    assert not_a_date.status_code == 422 and fields(not_a_date) == {"start_date"}
    no_such_day = make(api, client, end_date="2030-02-30")
    assert no_such_day.status_code == 422 and fields(no_such_day) == {"end_date"}
    unknown = make(api, {"id": 10**9})
    assert unknown.status_code == 404 and fields(unknown) == {"client_id"}
    assert api.get("/v1/appointment-intents", params={"active": "all"}).json()["total"] == 0


def test_the_list_leaves_out_expired_and_inactive_intents_unless_asked(api: Api) -> None:
    ada, grace = create_client(api), create_client(api, first_name="Grace")
    live = made(api, ada)
    today = made(api, ada, expiration_date=datetime.now(UTC).date().isoformat())
    expired = made(api, ada, expiration_date=YESTERDAY)
    inactive = made(api, grace)
    assert api.delete(f"/v1/appointment-intents/{inactive['id']}").status_code == 204
    assert listed(api) == [live["id"], today["id"]]
    assert listed(api, active="true") == [live["id"], today["id"]]
    assert listed(api, active="false") == [expired["id"], inactive["id"]]
    assert listed(api, active="all") == [live["id"], today["id"], expired["id"], inactive["id"]]
    assert listed(api, active="all", client_id=grace["id"]) == [inactive["id"]]
    page = api.get("/v1/appointment-intents", params={"active": "all", "limit": 2, "offset": 1})
    assert [i["id"] for i in page.json()["items"]] == [today["id"], expired["id"]]
    assert page.json()["total"] == 4
    assert api.get("/v1/appointment-intents", params={"active": "maybe"}).status_code == 422


def test_a_patch_changes_only_what_was_sent_and_checks_the_whole_intent(api: Api) -> None:
    client = create_client(api)
    intent = made(api, client)
    moved = api.patch(f"/v1/appointment-intents/{intent['id']}", json={"end_date": "2030-01-31"})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["start_date"], moved.json()["end_date"]) == ("2030-01-07", "2030-01-31")
    backwards = api.patch(
        f"/v1/appointment-intents/{intent['id']}", json={"start_date": "2030-02-01"}
    )
    assert backwards.status_code == 422 and fields(backwards) == {"end_date"}
    for bad in ({"start_date": None}, {"active": None}, {"external_reference": "x"}):
        response = api.patch(f"/v1/appointment-intents/{intent['id']}", json=bad)
        assert response.status_code == 422, bad
    assert api.get(f"/v1/appointment-intents/{intent['id']}").json()["end_date"] == "2030-01-31"
    off = api.patch(f"/v1/appointment-intents/{intent['id']}", json={"active": False})
    assert off.json()["active"] is False
    on = api.patch(
        f"/v1/appointment-intents/{intent['id']}",
        json={"active": True, "description": "again", "expiration_date": None},
    )
    assert (on.json()["active"], on.json()["description"]) == (True, "again")
    assert api.patch("/v1/appointment-intents/999999999", json={}).status_code == 404


def test_another_accounts_intents_are_invisible(api: Api, other_api: Api) -> None:
    intent = made(api, create_client(api))
    assert other_api.get(f"/v1/appointment-intents/{intent['id']}").status_code == 404
    assert other_api.delete(f"/v1/appointment-intents/{intent['id']}").status_code == 404
    assert other_api.get("/v1/appointment-intents", params={"active": "all"}).json()["total"] == 0


# -- booking with an intent --------------------------------------------------------------------


def test_booking_inside_the_window_marks_the_intent_booked(api: Api) -> None:
    world = clinic(api)
    intent = made(api, world["client"])
    response = book(api, world, MONDAY_10, intent_id=intent["id"])
    assert response.status_code == 201, response.text
    appt = response.json()
    assert appt["intent_id"] == intent["id"]
    now = api.get(f"/v1/appointment-intents/{intent['id']}").json()
    assert (now["booked"], now["appointment_id"]) == (True, appt["id"])
    again = book(api, world, "2030-01-08T10:00:00Z", intent_id=intent["id"])
    assert again.status_code == 409 and "already booked" in again.json()["detail"]
    assert api.get("/v1/appointments").json()["total"] == 1


def test_the_window_is_read_as_local_dates_at_the_location(api: Api) -> None:
    world = clinic(api, time_zone="Pacific/Auckland")
    intent = made(api, world["client"], start_date="2030-01-07", end_date="2030-01-07")
    # 2030-01-06 21:00 UTC is 2030-01-07 10:00 in Auckland.
    response = book(api, world, "2030-01-06T21:00:00Z", intent_id=intent["id"])
    assert response.status_code == 201, response.text


def test_a_refused_intent_booking_names_the_field_and_writes_nothing(api: Api) -> None:
    world = clinic(api)
    grace = create_client(api, first_name="Grace")
    outside = made(api, world["client"])
    expired = made(api, world["client"], expiration_date=YESTERDAY)
    inactive = made(api, world["client"])
    api.delete(f"/v1/appointment-intents/{inactive['id']}")
    graces = made(api, grace)
    cases = [
        (outside, "2030-01-14T10:00:00Z", 422, {"intent_id", "start"}),
        (expired, MONDAY_10, 422, {"intent_id"}),
        (inactive, MONDAY_10, 422, {"intent_id"}),
        (graces, MONDAY_10, 422, {"intent_id", "client_id"}),
        ({"id": 10**9}, MONDAY_10, 404, {"intent_id"}),
    ]
    for intent, start, status, named in cases:
        response = book(api, world, start, intent_id=intent["id"])
        assert response.status_code == status, (intent, response.text)
        assert fields(response) == named
    assert api.get("/v1/appointments").json()["total"] == 0
    everything = api.get("/v1/appointment-intents", params={"active": "all"}).json()["items"]
    assert not any(i["booked"] for i in everything)


def test_an_intent_of_another_account_cannot_be_booked(api: Api, other_api: Api) -> None:
    world = clinic(api)
    theirs = made(other_api, create_client(other_api))
    response = book(api, world, MONDAY_10, intent_id=theirs["id"])
    assert response.status_code == 404 and fields(response) == {"intent_id"}


def test_of_concurrent_bookings_with_one_intent_exactly_one_succeeds(api: Api) -> None:
    world = clinic(api)
    intent = made(api, world["client"])
    days = range(7, 12)
    start = threading.Barrier(len(days))

    def book_on(day: int) -> str:
        cmd = BookAppointment(
            location_id=world["location"]["id"],
            service_id=world["service"]["id"],
            staff_id=world["staff"]["id"],
            client_id=world["client"]["id"],
            start=datetime(2030, 1, day, 10, tzinfo=UTC),
            intent_id=intent["id"],
        )
        start.wait()
        try:
            appointments.book(api.context(), cmd)
        except Conflict as exc:
            return exc.message
        return "booked"

    with ThreadPoolExecutor(len(days)) as pool:
        results = list(pool.map(book_on, days))
    assert results.count("booked") == 1
    assert all("already booked" in r for r in results if r != "booked"), results
    assert api.get("/v1/appointments").json()["total"] == 1
