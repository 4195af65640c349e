"""The waitlist through /v1 on both databases: entries, candidates, holds, claims, bookings."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from appointd.app import holds
from appointd.asgi import create_app
from appointd.domain.errors import Conflict
from tests.conftest import Api
from tests.factories import book, clinic, create_client, create_service, create_staff

MONDAY_10 = "2030-01-07T10:00:00Z"


@contextmanager
def clock_at(api: Api, when: datetime) -> Iterator[Api]:
    """The same account served by an app whose clock reads ``when``."""
    services = dataclasses.replace(api.db.services, clock=lambda: when)
    app = create_app(api.db.settings, services)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client, api.account_id, api.key, api.db)


def join(api: Api, world: dict[str, Any], client: dict[str, Any] | None = None, **kw: Any) -> Any:
    body = {
        "client_id": (client or world["client"])["id"],
        "service_id": world["service"]["id"],
        "location_id": world["location"]["id"],
        **kw,
    }
    return api.post("/v1/waitlist", json=body)


def joined(api: Api, world: dict[str, Any], client: dict[str, Any] | None = None, **kw: Any) -> Any:
    response = join(api, world, client, **kw)
    assert response.status_code == 201, response.text
    return response.json()


def booked(api: Api, world: dict[str, Any], start: str = MONDAY_10, **kw: Any) -> Any:
    response = book(api, world, start, **kw)
    assert response.status_code == 201, response.text
    return response.json()


def fields(response: Any) -> set[str]:
    return {e["field"] for e in response.json().get("errors", [])}


# -- entries -----------------------------------------------------------------------------------


def test_joining_the_waitlist_returns_a_waiting_entry(api: Api) -> None:
    world = clinic(api)
    entry = joined(
        api,
        world,
        staff_id=world["staff"]["id"],
        earliest="2030-01-07",
        latest="2030-01-31",
        preferred_times=[{"weekday": 1, "start": "09:00", "end": "12:00"}],
        notes="mornings please",
    )
    assert entry["status"] == "waiting"
    assert entry["earliest"] == "2030-01-07"
    assert entry["preferred_times"] == [{"weekday": 1, "start": "09:00", "end": "12:00"}]
    assert entry["hold_appointment_id"] is None and entry["appointment_id"] is None
    assert api.get(f"/v1/waitlist/{entry['id']}").json() == entry


def test_bad_waitlist_input_is_refused_naming_each_field(api: Api) -> None:
    world = clinic(api)
    late = join(api, world, earliest="2030-02-01", latest="2030-01-31")
    assert late.status_code == 422 and fields(late) == {"latest"}
    times = join(api, world, preferred_times=[{"weekday": 9, "start": "09:00", "end": "08:00"}])
    assert times.status_code == 422 and fields(times) == {"preferred_times[0].weekday"}
    order = join(api, world, preferred_times=[{"start": "12:00", "end": "11:00"}])
    assert order.status_code == 422 and fields(order) == {"preferred_times[0].end"}
    number = join(api, world, earliest=20300107)
    assert number.status_code == 422 and fields(number) == {"earliest"}
    unknown = join(api, world, client_id=10**9)
    assert unknown.status_code == 404 and fields(unknown) == {"client_id"}
    other = create_staff(api, world["location"])
    stranger = join(api, world, staff_id=other["id"])
    assert stranger.status_code == 422 and fields(stranger) == {"staff_id"}
    assert api.get("/v1/waitlist").json()["total"] == 0


def test_another_accounts_entries_and_ids_are_invisible(api: Api, other_api: Api) -> None:
    world = clinic(api)
    entry = joined(api, world)
    assert other_api.get(f"/v1/waitlist/{entry['id']}").status_code == 404
    assert other_api.get("/v1/waitlist").json()["total"] == 0
    theirs = clinic(other_api)
    response = join(other_api, theirs, client_id=world["client"]["id"])
    assert response.status_code == 404 and fields(response) == {"client_id"}


def test_the_list_filters_and_pages_oldest_first(api: Api) -> None:
    world = clinic(api)
    second_client = create_client(api, first_name="Grace")
    other_service = create_service(api, staff_ids=[world["staff"]["id"]], name="Other")
    a = joined(api, world)
    b = joined(api, world, second_client)
    c = joined(api, world, service_id=other_service["id"])
    d = joined(api, world, staff_id=world["staff"]["id"])
    api.post(f"/v1/waitlist/{a['id']}/cancel")
    everything = api.get("/v1/waitlist").json()
    assert [e["id"] for e in everything["items"]] == [a["id"], b["id"], c["id"], d["id"]]
    page = api.get("/v1/waitlist", params={"limit": 2, "offset": 1}).json()
    assert ([e["id"] for e in page["items"]], page["total"]) == ([b["id"], c["id"]], 4)

    def ids(**params: Any) -> list[int]:
        return [e["id"] for e in api.get("/v1/waitlist", params=params).json()["items"]]

    assert ids(client_id=second_client["id"]) == [b["id"]]
    assert ids(service_id=other_service["id"]) == [c["id"]]
    assert ids(staff_id=world["staff"]["id"]) == [d["id"]]
    assert ids(location_id=world["location"]["id"], status="waiting") == [b["id"], c["id"], d["id"]]
    assert ids(status="cancelled") == [a["id"]]
    assert api.get("/v1/waitlist", params={"status": "gone"}).status_code == 422


def test_an_entry_can_be_cancelled_by_post_or_delete_and_cancelling_is_idempotent(
    api: Api,
) -> None:
    world = clinic(api)
    first, second = joined(api, world), joined(api, world)
    response = api.post(f"/v1/waitlist/{first['id']}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert api.post(f"/v1/waitlist/{first['id']}/cancel").status_code == 200
    assert api.delete(f"/v1/waitlist/{second['id']}").status_code == 204
    assert api.get(f"/v1/waitlist/{second['id']}").json()["status"] == "cancelled"
    assert api.delete("/v1/waitlist/999999999").status_code == 404


# -- candidates --------------------------------------------------------------------------------


def test_candidates_are_the_waiting_entries_the_time_suits_oldest_first(api: Api) -> None:
    world = clinic(api)
    other_staff = create_staff(
        api, world["location"], first_name="Kim", service_ids=[world["service"]["id"]]
    )
    other_service = create_service(api, name="Other")
    appt = booked(api, world)  # Monday 2030-01-07 10:00-10:30 London
    anyone = joined(api, world)
    with_staff = joined(api, world, staff_id=world["staff"]["id"])
    in_window = joined(api, world, earliest="2030-01-07", latest="2030-01-07")
    mornings = joined(
        api, world, preferred_times=[{"weekday": 1, "start": "09:00", "end": "12:00"}]
    )
    joined(api, world, staff_id=other_staff["id"])
    joined(api, world, service_id=other_service["id"])
    joined(api, world, earliest="2030-01-08")
    joined(api, world, latest="2030-01-06")
    joined(api, world, preferred_times=[{"start": "10:15", "end": "12:00"}])
    joined(api, world, preferred_times=[{"weekday": 2, "start": "09:00", "end": "12:00"}])
    gone = joined(api, world)
    api.post(f"/v1/waitlist/{gone['id']}/cancel")
    response = api.get(f"/v1/appointments/{appt['id']}/waitlist-candidates")
    assert response.status_code == 200, response.text
    body = response.json()
    expected = [anyone["id"], with_staff["id"], in_window["id"], mornings["id"]]
    assert [e["id"] for e in body["items"]] == expected
    assert body["total"] == 4
    paged = api.get(
        f"/v1/appointments/{appt['id']}/waitlist-candidates", params={"limit": 1, "offset": 1}
    ).json()
    assert [e["id"] for e in paged["items"]] == [with_staff["id"]]
    assert api.get("/v1/appointments/999999999/waitlist-candidates").status_code == 404


def test_candidates_compare_the_local_date_and_time_at_the_location(api: Api) -> None:
    world = clinic(api, time_zone="Pacific/Auckland")
    # 2030-01-06 21:00 UTC is Monday 2030-01-07 10:00 in Auckland (UTC+13).
    appt = booked(api, world, "2030-01-06T21:00:00Z")
    fits = joined(
        api,
        world,
        earliest="2030-01-07",
        preferred_times=[{"weekday": 1, "start": "10:00", "end": "11:00"}],
    )
    joined(api, world, latest="2030-01-06")
    found = api.get(f"/v1/appointments/{appt['id']}/waitlist-candidates").json()
    assert [e["id"] for e in found["items"]] == [fits["id"]]


# -- holds and claims --------------------------------------------------------------------------


def offer(api: Api, appt: dict[str, Any], entries: list[dict[str, Any]], **kw: Any) -> Any:
    body = {"reason": "client rang", "offer_to": [e["id"] for e in entries], **kw}
    return api.post(f"/v1/appointments/{appt['id']}/cancel", json=body)


def holds_of(api: Api) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api.get("/v1/appointments", params={"kind": "hold"}).json()[
        "items"
    ]
    return items


def test_cancelling_with_an_offer_keeps_the_time_as_a_hold_for_the_named_entries(
    api: Api,
) -> None:
    world = clinic(api, buffer_after_minutes=10)
    resource = api.post("/v1/resources", json={"name": "Room"}).json()
    appt = booked(api, world, resource_ids=[resource["id"]])
    first, second, bystander = joined(api, world), joined(api, world), joined(api, world)
    before = datetime.now(UTC)
    response = offer(api, appt, [first, second], hold_minutes=30)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    [hold] = holds_of(api)
    assert hold["kind"] == "hold" and hold["client_id"] is None
    assert hold["status"] == "pending"
    same = ("staff_id", "start", "end", "busy_start", "busy_end", "resource_ids", "service_id")
    assert {k: hold[k] for k in same} == {k: appt[k] for k in same}
    expires = datetime.fromisoformat(hold["hold_expires_at"])
    assert before + timedelta(minutes=30) <= expires <= datetime.now(UTC) + timedelta(minutes=30)
    for entry in (first, second):
        now = api.get(f"/v1/waitlist/{entry['id']}").json()
        assert (now["status"], now["hold_appointment_id"]) == ("invited", hold["id"])
    assert api.get(f"/v1/waitlist/{bystander['id']}").json()["status"] == "waiting"
    # Holds stay out of the default list, and the held time is still taken.
    listed = api.get("/v1/appointments").json()["items"]
    assert [a["id"] for a in listed] == [appt["id"]]
    assert len(api.get("/v1/appointments", params={"kind": "all"}).json()["items"]) == 2
    clash = book(api, world, MONDAY_10)
    assert clash.status_code == 409
    assert {c["appointment_id"] for c in clash.json()["conflicts"]} == {hold["id"]}
    history = api.get(f"/v1/appointments/{appt['id']}/history").json()
    assert history[-1]["changes"]["hold_appointment_id"] == hold["id"]


def test_a_refused_offer_writes_nothing(api: Api, other_api: Api) -> None:
    world = clinic(api)
    appt = booked(api, world)
    waiting = joined(api, world)
    done = joined(api, world)
    api.post(f"/v1/waitlist/{done['id']}/cancel")
    theirs = joined(other_api, clinic(other_api))
    for entries, status, field in [
        ([waiting, {"id": 10**9}], 404, "offer_to"),
        ([waiting, theirs], 404, "offer_to"),
        ([waiting, done], 422, "offer_to"),
    ]:
        response = offer(api, appt, entries)
        assert response.status_code == status, response.text
        assert fields(response) == {field}
    bad_length = offer(api, appt, [waiting], hold_minutes=0)
    assert bad_length.status_code == 422 and fields(bad_length) == {"hold_minutes"}
    alone = api.post(f"/v1/appointments/{appt['id']}/cancel", json={"hold_minutes": 5})
    assert alone.status_code == 422 and fields(alone) == {"hold_minutes"}
    assert api.get(f"/v1/appointments/{appt['id']}").json()["status"] == "confirmed"
    assert api.get(f"/v1/waitlist/{waiting['id']}").json()["status"] == "waiting"
    assert holds_of(api) == []


def test_a_plain_cancel_still_works_with_or_without_a_body(api: Api) -> None:
    world = clinic(api)
    first, second = booked(api, world), booked(api, world, "2030-01-07T11:00:00Z")
    assert api.post(f"/v1/appointments/{first['id']}/cancel").json()["status"] == "cancelled"
    response = api.post(f"/v1/appointments/{second['id']}/cancel", json={"reason": "ill"})
    assert response.json()["status"] == "cancelled"
    assert holds_of(api) == []
    assert booked(api, world)["status"] == "confirmed"


def test_the_first_claim_wins_and_turns_the_hold_into_the_clients_appointment(api: Api) -> None:
    world = clinic(api)
    appt = booked(api, world)
    grace = create_client(api, first_name="Grace")
    first, second = joined(api, world, grace), joined(api, world)
    offer(api, appt, [first, second])
    [hold] = holds_of(api)
    response = api.post(f"/v1/waitlist/{first['id']}/claim")
    assert response.status_code == 200, response.text
    claimed = response.json()
    assert claimed["id"] == hold["id"]
    assert (claimed["kind"], claimed["status"], claimed["client_id"]) == (
        "appointment",
        "confirmed",
        grace["id"],
    )
    assert claimed["hold_expires_at"] is None
    assert claimed["waitlist_entry_id"] == first["id"]
    entry = api.get(f"/v1/waitlist/{first['id']}").json()
    assert (entry["status"], entry["appointment_id"]) == ("booked", hold["id"])
    late = api.post(f"/v1/waitlist/{second['id']}/claim")
    assert late.status_code == 409, late.text
    assert "already claimed" in late.json()["detail"]
    # The other invitee waits again, and the claimed appointment is listed like any other.
    assert api.get(f"/v1/waitlist/{second['id']}").json()["status"] == "waiting"
    listed = api.get("/v1/appointments", params={"status": "confirmed"}).json()["items"]
    assert [a["id"] for a in listed] == [hold["id"]]
    actions = [h["action"] for h in api.get(f"/v1/appointments/{hold['id']}/history").json()]
    assert actions == ["held", "claimed"]
    assert api.post(f"/v1/waitlist/{first['id']}/claim").status_code == 409


def test_an_entry_that_was_never_invited_cannot_claim(api: Api) -> None:
    world = clinic(api)
    entry = joined(api, world)
    response = api.post(f"/v1/waitlist/{entry['id']}/claim")
    assert response.status_code == 409
    assert "not been offered" in response.json()["detail"]
    assert api.post("/v1/waitlist/999999999/claim").status_code == 404


def test_an_expired_hold_cannot_be_claimed_and_its_time_is_free_again(api: Api) -> None:
    world = clinic(api)
    appt = booked(api, world)
    entry = joined(api, world)
    offer(api, appt, [entry], hold_minutes=15)
    [hold] = holds_of(api)
    later = datetime.now(UTC) + timedelta(minutes=16)
    with clock_at(api, later) as late:
        too_late = late.post(f"/v1/waitlist/{entry['id']}/claim")
        assert too_late.status_code == 409
        assert "expired" in too_late.json()["detail"]
        # The invitation lapsed with the hold: the entry is a candidate again.
        over = book(late, world, MONDAY_10)
        assert over.status_code == 201, over.text
        found = late.get(f"/v1/appointments/{over.json()['id']}/waitlist-candidates").json()
        assert [e["id"] for e in found["items"]] == [entry["id"]]
    assert api.get(f"/v1/appointments/{hold['id']}").json()["kind"] == "hold"


def test_a_claimed_hold_keeps_its_time_after_the_hold_would_have_expired(api: Api) -> None:
    world = clinic(api)
    appt = booked(api, world)
    entry = joined(api, world)
    offer(api, appt, [entry], hold_minutes=5)
    assert api.post(f"/v1/waitlist/{entry['id']}/claim").status_code == 200
    with clock_at(api, datetime.now(UTC) + timedelta(minutes=10)) as late:
        assert book(late, world, MONDAY_10).status_code == 409


def test_an_invited_entry_whose_hold_expired_may_be_offered_again(api: Api) -> None:
    world = clinic(api)
    first = booked(api, world)
    second = booked(api, world, "2030-01-07T11:00:00Z")
    entry = joined(api, world)
    offer(api, first, [entry], hold_minutes=5)
    assert offer(api, second, [entry]).status_code == 422  # still invited to a live hold
    with clock_at(api, datetime.now(UTC) + timedelta(minutes=6)) as late:
        response = offer(late, second, [entry])
        assert response.status_code == 200, response.text
        assert late.post(f"/v1/waitlist/{entry['id']}/claim").status_code == 200


# -- booking from an entry ---------------------------------------------------------------------


def test_booking_with_a_waitlist_entry_marks_it_booked(api: Api) -> None:
    world = clinic(api)
    entry = joined(api, world)
    appt = booked(api, world, waitlist_entry_id=entry["id"])
    assert appt["waitlist_entry_id"] == entry["id"]
    now = api.get(f"/v1/waitlist/{entry['id']}").json()
    assert (now["status"], now["appointment_id"]) == ("booked", appt["id"])
    again = book(api, world, "2030-01-07T11:00:00Z", waitlist_entry_id=entry["id"])
    assert again.status_code == 409 and "waitlist_entry_id" in again.json()["detail"]


def test_booking_with_someone_elses_or_an_unknown_entry_is_refused_and_writes_nothing(
    api: Api,
) -> None:
    world = clinic(api)
    grace = create_client(api, first_name="Grace")
    theirs = joined(api, world, grace)
    wrong = book(api, world, MONDAY_10, waitlist_entry_id=theirs["id"])
    assert wrong.status_code == 422 and fields(wrong) == {"waitlist_entry_id"}
    missing = book(api, world, MONDAY_10, waitlist_entry_id=10**9)
    assert missing.status_code == 404 and fields(missing) == {"waitlist_entry_id"}
    assert api.get("/v1/appointments").json()["total"] == 0
    assert api.get(f"/v1/waitlist/{theirs['id']}").json()["status"] == "waiting"


def test_an_invited_entry_may_book_another_time_directly(api: Api) -> None:
    world = clinic(api)
    appt = booked(api, world)
    entry = joined(api, world)
    offer(api, appt, [entry])
    other = booked(api, world, "2030-01-08T10:00:00Z", waitlist_entry_id=entry["id"])
    assert api.get(f"/v1/waitlist/{entry['id']}").json()["appointment_id"] == other["id"]
    assert api.post(f"/v1/waitlist/{entry['id']}/claim").status_code == 409


# -- races -------------------------------------------------------------------------------------


def test_of_many_concurrent_claims_of_one_hold_exactly_one_wins(api: Api) -> None:
    world = clinic(api)
    appt = booked(api, world)
    entries = [joined(api, world) for _ in range(8)]
    offer(api, appt, entries)
    start = threading.Barrier(len(entries))

    def claim(entry: dict[str, Any]) -> str:
        start.wait()
        try:
            holds.claim(api.context(), entry["id"])
        except Conflict as exc:
            return exc.message
        return "won"

    with ThreadPoolExecutor(len(entries)) as pool:
        results = list(pool.map(claim, entries))
    assert results.count("won") == 1
    assert all("already claimed" in r for r in results if r != "won"), results
    statuses = sorted(api.get(f"/v1/waitlist/{e['id']}").json()["status"] for e in entries)
    assert statuses == ["booked"] + ["waiting"] * (len(entries) - 1)


def test_a_hold_can_only_be_claimed_or_cancelled_not_confirmed_or_moved(api: Api) -> None:
    world = clinic(api)
    appt = booked(api, world)
    entry = joined(api, world)
    assert offer(api, appt, [entry], hold_minutes=30).status_code == 200
    [hold] = holds_of(api)
    for action in ("confirm", "check-in", "no-show", "decline"):
        refused = api.post(f"/v1/appointments/{hold['id']}/{action}")
        assert refused.status_code == 409, (action, refused.text)
        assert "waitlist hold" in refused.json()["detail"]
    moved = api.patch(f"/v1/appointments/{hold['id']}", json={"notes": "keep it"})
    assert moved.status_code == 409
    assert api.get(f"/v1/appointments/{hold['id']}").json()["status"] == "pending"
    cancelled = api.post(f"/v1/appointments/{hold['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert book(api, world, MONDAY_10).status_code == 201
