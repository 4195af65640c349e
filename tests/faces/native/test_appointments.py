"""Appointments through /v1: booking rules, changes, lists, the status machine and history.

The clinic of :func:`tests.factories.clinic` is in Europe/London (UTC+00:00 in January); its
staff member works Monday to Friday 09:00-17:00. 2030-01-07 is a Monday.
"""

from __future__ import annotations

from typing import Any

import pytest

from appointd.domain.status import ACTIONS, TRANSITIONS, Status
from tests.conftest import Api, Database, StatementCounter
from tests.faces.native.row_counts import row_counts
from tests.factories import (
    book,
    clinic,
    create_client,
    create_location,
    create_resource,
    create_service,
    create_staff,
)
from tests.instants import at as instant
from tests.instants import ats

MON = "2030-01-07"
PROBLEM = "application/problem+json"


def booked(api: Api, world: dict[str, Any], start: str, **fields: Any) -> dict[str, Any]:
    response = book(api, world, start, **fields)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def refused(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    return body


def conflict_ids(response: Any) -> list[int]:
    return sorted({c["id"] for c in refused(response, 409)["conflicts"]})


def team(api: Api, size: int = 3, **service_fields: Any) -> dict[str, Any]:
    """A clinic with ``size`` staff members who all give the service."""
    world = clinic(api)
    people = [world["staff"]] + [
        create_staff(api, world["location"], first_name=f"S{i}") for i in range(1, size)
    ]
    world["people"] = people
    world["service"] = create_service(api, staff_ids=[p["id"] for p in people], **service_fields)
    return world


def at(world: dict[str, Any], index: int) -> dict[str, Any]:
    """Booking fields for staff member ``index`` of a :func:`team`."""
    return {"staff_id": world["people"][index]["id"]}


# -- spans and buffers -----------------------------------------------------------------------


def test_the_end_defaults_to_start_plus_duration_and_buffers_widen_the_busy_span(
    api: Api,
) -> None:
    world = clinic(api, buffer_before_minutes=10, buffer_after_minutes=15)
    appt = booked(api, world, f"{MON}T10:00:00Z", notes="first visit")
    assert appt["id"] > 0
    assert appt["status"] == "confirmed"
    assert (appt["start"], appt["end"]) == (f"{MON}T10:00:00Z", f"{MON}T10:30:00Z")
    assert (appt["busy_start"], appt["busy_end"]) == (f"{MON}T09:50:00Z", f"{MON}T10:45:00Z")
    assert appt["notes"] == "first visit"
    assert appt["staff_id"] == world["staff"]["id"]
    assert appt["client_id"] == world["client"]["id"]
    assert api.get(f"/v1/appointments/{appt['id']}").json() == appt


def test_an_explicit_end_is_kept_and_pending_may_be_asked_for(api: Api) -> None:
    world = clinic(api, buffer_after_minutes=5)
    appt = booked(api, world, f"{MON}T10:00:00Z", end=f"{MON}T11:00:00Z", status="pending")
    assert appt["status"] == "pending"
    assert (appt["end"], appt["busy_end"]) == (f"{MON}T11:00:00Z", f"{MON}T11:05:00Z")


def test_a_start_without_offset_is_wall_time_at_the_location(api: Api) -> None:
    world = clinic(api, time_zone="America/New_York")
    appt = booked(api, world, f"{MON}T10:00:00")
    assert instant(appt["start"]) == instant(f"{MON}T15:00:00Z")
    assert appt["start"] == f"{MON}T10:00:00-05:00"  # written in the location's offset
    summer = booked(api, world, "2030-07-01T10:00:00")
    assert instant(summer["start"]) == instant("2030-07-01T14:00:00Z")
    assert summer["start"] == "2030-07-01T10:00:00-04:00"


def test_buffers_collide_but_back_to_back_busy_spans_do_not(api: Api) -> None:
    world = clinic(api, buffer_before_minutes=10, buffer_after_minutes=10)
    first = booked(api, world, f"{MON}T10:00:00Z")  # busy 09:50-10:40
    assert conflict_ids(book(api, world, f"{MON}T10:45:00Z")) == [first["id"]]  # busy 10:35
    assert conflict_ids(book(api, world, f"{MON}T09:15:00Z")) == [first["id"]]  # busy to 09:55
    after = booked(api, world, f"{MON}T10:50:00Z")  # busy 10:40-11:30
    before = booked(api, world, f"{MON}T09:10:00Z")  # busy 09:00-09:50
    assert after["busy_start"] == first["busy_end"]
    assert before["busy_end"] == first["busy_start"]


def test_the_busy_span_with_its_buffers_must_fit_the_working_hours(api: Api) -> None:
    world = clinic(api, buffer_before_minutes=10, buffer_after_minutes=10)
    problem = refused(book(api, world, f"{MON}T09:00:00Z"), 422)  # busy from 08:50
    assert problem["type"] == "/problems/outside-working-hours"
    assert problem["errors"][0]["field"] == "staff_id"
    refused(book(api, world, f"{MON}T16:30:00Z"), 422)  # busy until 17:10
    refused(book(api, world, "2030-01-12T10:00:00Z"), 422)  # a Saturday
    booked(api, world, f"{MON}T09:10:00Z")


def test_a_conflict_lists_every_appointment_it_overlaps(api: Api) -> None:
    world = clinic(api)
    a = booked(api, world, f"{MON}T10:00:00Z")
    b = booked(api, world, f"{MON}T10:30:00Z")
    response = book(api, world, f"{MON}T10:15:00Z", end=f"{MON}T10:45:00Z")
    assert conflict_ids(response) == sorted([a["id"], b["id"]])
    conflict = response.json()["conflicts"][0]
    assert {"kind", "id", "appointment_id", "subject_kind", "subject_id", "start", "end"} <= set(
        conflict
    )
    assert response.json()["type"] == "/problems/slot-taken"


def test_a_refused_booking_writes_nothing(api: Api, db: Database) -> None:
    world = clinic(api)
    booked(api, world, f"{MON}T10:00:00Z")
    before = row_counts(db.engine)
    refused(book(api, world, f"{MON}T10:10:00Z"), 409)
    refused(book(api, world, f"{MON}T20:00:00Z"), 422)
    assert row_counts(db.engine) == before


# -- other people and things -----------------------------------------------------------------


def test_additional_staff_are_as_busy_as_the_main_staff_member(api: Api) -> None:
    world = team(api)
    both = booked(
        api,
        world,
        f"{MON}T10:00:00Z",
        **at(world, 0),
        additional_staff_ids=[world["people"][1]["id"]],
    )
    assert both["additional_staff_ids"] == [world["people"][1]["id"]]
    # The additional staff member cannot be booked as main staff...
    assert conflict_ids(book(api, world, f"{MON}T10:15:00Z", **at(world, 1))) == [both["id"]]
    # ...nor as additional staff of someone else.
    response = book(
        api,
        world,
        f"{MON}T10:15:00Z",
        **at(world, 2),
        additional_staff_ids=[world["people"][1]["id"]],
    )
    assert conflict_ids(response) == [both["id"]]
    # A busy main staff member cannot be added as additional staff either.
    response = book(
        api,
        world,
        f"{MON}T10:15:00Z",
        **at(world, 2),
        additional_staff_ids=[world["people"][0]["id"]],
    )
    assert conflict_ids(response) == [both["id"]]
    booked(api, world, f"{MON}T10:15:00Z", **at(world, 2))


def test_additional_staff_must_be_within_their_working_hours(api: Api) -> None:
    world = team(api)
    api.patch(
        f"/v1/staff/{world['people'][1]['id']}",
        json={"working_hours": [{"weekday": 1, "start": "13:00", "end": "17:00"}]},
    )
    problem = refused(
        book(api, world, f"{MON}T10:00:00Z", additional_staff_ids=[world["people"][1]["id"]]),
        422,
    )
    assert problem["errors"][0]["field"] == "additional_staff_ids"


def test_the_coordinator_is_not_made_busy(api: Api) -> None:
    world = team(api)
    coordinated = booked(
        api,
        world,
        f"{MON}T10:00:00Z",
        **at(world, 0),
        coordinator_staff_id=world["people"][1]["id"],
    )
    assert coordinated["coordinator_staff_id"] == world["people"][1]["id"]
    booked(api, world, f"{MON}T10:00:00Z", **at(world, 1))


def test_a_resource_of_capacity_one_takes_one_appointment_at_a_time(api: Api) -> None:
    world = team(api)
    room = create_resource(api, location_id=world["location"]["id"])
    first = booked(api, world, f"{MON}T10:00:00Z", **at(world, 0), resource_ids=[room["id"]])
    assert first["resource_ids"] == [room["id"]]
    response = book(api, world, f"{MON}T10:15:00Z", **at(world, 1), resource_ids=[room["id"]])
    assert conflict_ids(response) == [first["id"]]
    assert response.json()["conflicts"][0]["subject_kind"] == "resource"
    booked(api, world, f"{MON}T10:30:00Z", **at(world, 1), resource_ids=[room["id"]])


def test_a_shared_resource_takes_as_many_appointments_as_its_capacity(api: Api) -> None:
    world = team(api)
    gym = create_resource(api, capacity=2)
    booked(api, world, f"{MON}T10:00:00Z", **at(world, 0), resource_ids=[gym["id"]])
    booked(api, world, f"{MON}T10:00:00Z", **at(world, 1), resource_ids=[gym["id"]])
    refused(book(api, world, f"{MON}T10:15:00Z", **at(world, 2), resource_ids=[gym["id"]]), 409)


def test_resources_the_service_needs_are_taken_without_being_asked_for(api: Api) -> None:
    world = team(api)
    room = create_resource(api)
    world["service"] = create_service(
        api, staff_ids=[p["id"] for p in world["people"]], resource_ids=[room["id"]]
    )
    first = booked(api, world, f"{MON}T10:00:00Z", **at(world, 0))
    assert first["resource_ids"] == [room["id"]]
    assert conflict_ids(book(api, world, f"{MON}T10:00:00Z", **at(world, 1))) == [first["id"]]


def test_a_resource_at_another_location_or_archived_is_refused(api: Api) -> None:
    world = clinic(api)
    elsewhere = create_resource(api, location_id=create_location(api)["id"])
    problem = refused(book(api, world, f"{MON}T10:00:00Z", resource_ids=[elsewhere["id"]]), 422)
    assert problem["errors"][0]["field"] == "resource_ids"
    gone = create_resource(api)
    api.delete(f"/v1/resources/{gone['id']}")
    refused(book(api, world, f"{MON}T10:00:00Z", resource_ids=[gone["id"]]), 422)


@pytest.mark.parametrize(
    ("path", "key"),
    [("clients", "client"), ("services", "service"), ("staff", "staff"), ("locations", "location")],
)
def test_archived_catalog_objects_cannot_be_booked(api: Api, path: str, key: str) -> None:
    world = clinic(api)
    assert api.delete(f"/v1/{path}/{world[key]['id']}").status_code == 204
    problem = refused(book(api, world, f"{MON}T10:00:00Z"), 422)
    assert problem["errors"][0]["field"] == f"{key}_id"


def test_time_off_blocks_bookings_until_it_is_removed(api: Api) -> None:
    world = clinic(api)
    path = f"/v1/staff/{world['staff']['id']}/time-off"
    off = api.post(path, json={"start": f"{MON}T12:00:00Z", "end": f"{MON}T13:00:00Z"}).json()
    response = book(api, world, f"{MON}T12:15:00Z")
    conflicts = refused(response, 409)["conflicts"]
    assert [(c["kind"], c["id"]) for c in conflicts] == [("time_off", off["id"])]
    booked(api, world, f"{MON}T11:30:00Z")  # ends as the time off starts
    api.delete(f"{path}/{off['id']}")
    booked(api, world, f"{MON}T12:15:00Z")


def test_override_books_over_conflicts_and_outside_hours_and_is_recorded(api: Api) -> None:
    world = clinic(api)
    first = booked(api, world, f"{MON}T10:00:00Z")
    forced = booked(api, world, f"{MON}T10:00:00Z", override=True)
    assert forced["override"] is True
    weekend = booked(api, world, "2030-01-12T22:00:00Z", override=True)
    history = api.get(f"/v1/appointments/{forced['id']}/history").json()
    assert history[0]["action"] == "booked"
    assert history[0]["changes"] == {"override": True}
    assert weekend["status"] == "confirmed"
    # The overridden booking still blocks normal bookings, and so does the first one.
    assert conflict_ids(book(api, world, f"{MON}T10:10:00Z")) == sorted([first["id"], forced["id"]])


# -- changing ----------------------------------------------------------------------------------


def test_a_reschedule_keeps_the_length_and_may_overlap_its_own_old_time(api: Api) -> None:
    world = clinic(api, buffer_after_minutes=10)
    appt = booked(api, world, f"{MON}T10:00:00Z", end=f"{MON}T10:45:00Z")
    moved = api.patch(f"/v1/appointments/{appt['id']}", json={"start": f"{MON}T10:15:00Z"})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["start"], moved.json()["end"]) == (f"{MON}T10:15:00Z", f"{MON}T11:00:00Z")
    assert moved.json()["busy_end"] == f"{MON}T11:10:00Z"
    booked(api, world, f"{MON}T09:30:00Z")  # the old time is free again


def test_a_reschedule_into_another_booking_or_out_of_hours_is_refused_and_changes_nothing(
    api: Api, db: Database
) -> None:
    world = clinic(api)
    appt = booked(api, world, f"{MON}T10:00:00Z")
    other = booked(api, world, f"{MON}T12:00:00Z")
    path = f"/v1/appointments/{appt['id']}"
    before = row_counts(db.engine)
    assert conflict_ids(api.patch(path, json={"start": f"{MON}T11:45:00Z"})) == [other["id"]]
    assert conflict_ids(api.patch(path, json={"end": f"{MON}T12:30:00Z"})) == [other["id"]]
    problem = refused(api.patch(path, json={"start": f"{MON}T18:00:00Z"}), 422)
    assert problem["errors"][0]["field"] == "staff_id"
    assert row_counts(db.engine) == before
    assert api.get(path).json() == appt
    # Still blocking its original time.
    assert conflict_ids(book(api, world, f"{MON}T10:00:00Z")) == [appt["id"]]


def test_reassigning_checks_the_new_staff_member_and_frees_the_old_one(api: Api) -> None:
    world = team(api)
    appt = booked(api, world, f"{MON}T10:00:00Z", **at(world, 0))
    busy = booked(api, world, f"{MON}T10:00:00Z", **at(world, 1))
    path = f"/v1/appointments/{appt['id']}"
    assert conflict_ids(api.patch(path, json=at(world, 1))) == [busy["id"]]
    moved = api.patch(path, json=at(world, 2))
    assert moved.status_code == 200
    assert moved.json()["staff_id"] == world["people"][2]["id"]
    booked(api, world, f"{MON}T10:00:00Z", **at(world, 0))
    added = api.patch(path, json={"additional_staff_ids": [world["people"][1]["id"]]})
    assert conflict_ids(added) == [busy["id"]]


def test_changing_resources_is_checked_again(api: Api) -> None:
    world = team(api)
    room = create_resource(api)
    holder = booked(api, world, f"{MON}T10:00:00Z", **at(world, 0), resource_ids=[room["id"]])
    appt = booked(api, world, f"{MON}T10:00:00Z", **at(world, 1))
    path = f"/v1/appointments/{appt['id']}"
    assert conflict_ids(api.patch(path, json={"resource_ids": [room["id"]]})) == [holder["id"]]
    api.patch(f"/v1/appointments/{holder['id']}", json={"resource_ids": []})
    assert api.patch(path, json={"resource_ids": [room["id"]]}).json()["resource_ids"] == [
        room["id"]
    ]


def test_notes_change_without_a_calendar_check_and_are_in_the_history(api: Api) -> None:
    world = clinic(api)
    appt = booked(api, world, f"{MON}T10:00:00Z")
    # Working hours shrink afterwards; annotating the appointment must still work.
    api.patch(f"/v1/staff/{world['staff']['id']}", json={"working_hours": []})
    noted = api.patch(f"/v1/appointments/{appt['id']}", json={"notes": "bring x-rays"})
    assert noted.status_code == 200, noted.text
    assert noted.json()["notes"] == "bring x-rays"
    last = api.get(f"/v1/appointments/{appt['id']}/history").json()[-1]
    assert last["action"] == "updated"
    assert last["changes"] == {"notes": [None, "bring x-rays"]}
    # ...but moving it now is checked against the new (empty) working hours.
    refused(api.patch(f"/v1/appointments/{appt['id']}", json={"start": f"{MON}T11:00:00Z"}), 422)


def test_override_on_a_patch_moves_over_a_conflict_and_is_recorded(api: Api) -> None:
    world = clinic(api)
    appt = booked(api, world, f"{MON}T10:00:00Z")
    booked(api, world, f"{MON}T12:00:00Z")
    moved = api.patch(
        f"/v1/appointments/{appt['id']}", json={"start": f"{MON}T12:00:00Z", "override": True}
    )
    assert moved.status_code == 200, moved.text
    last = api.get(f"/v1/appointments/{appt['id']}/history").json()[-1]
    assert last["action"] == "rescheduled"
    assert last["changes"]["override"] == [False, True]


def test_an_override_covers_only_the_request_that_asked_for_it(api: Api) -> None:
    world = clinic(api)
    first = booked(api, world, f"{MON}T10:00:00Z")
    booked(api, world, f"{MON}T12:00:00Z")
    forced = booked(api, world, f"{MON}T10:00:00Z", override=True)
    path = f"/v1/appointments/{forced['id']}"
    # Moving the double-booking onto another booking is checked again...
    assert conflict_ids(api.patch(path, json={"start": f"{MON}T12:00:00Z"})) != []
    # ...and moving it to free time clears the override, which the history shows.
    moved = api.patch(path, json={"start": f"{MON}T14:00:00Z"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["override"] is False
    assert api.get(f"{path}/history").json()[-1]["changes"]["override"] == [True, False]
    assert conflict_ids(book(api, world, f"{MON}T14:00:00Z")) == [forced["id"]]
    assert first["id"] != forced["id"]


def test_a_naive_new_start_keeps_the_real_length_across_a_dst_change(api: Api) -> None:
    world = clinic(api, duration_minutes=60)
    # London springs forward on Sunday 2030-03-31 at 01:00; let the staff member work then.
    sunday = {"date": "2030-03-31", "ranges": [{"start": "00:00", "end": "06:00"}]}
    api.patch(f"/v1/staff/{world['staff']['id']}", json={"date_overrides": [sunday]})
    appt = booked(api, world, "2030-03-31T00:00:00")
    assert ats(appt["start"], appt["end"]) == ats("2030-03-31T00:00:00Z", "2030-03-31T01:00:00Z")
    # Wall time 00:30 + one hour is 02:30 BST; 01:30 does not exist and was never asked for.
    moved = api.patch(f"/v1/appointments/{appt['id']}", json={"start": "2030-03-31T00:30:00"})
    assert moved.status_code == 200, moved.text
    assert ats(moved.json()["start"], moved.json()["end"]) == ats(
        "2030-03-31T00:30:00Z",
        "2030-03-31T01:30:00Z",
    )
    assert moved.json()["end"] == "2030-03-31T02:30:00+01:00"  # BST, the location's offset


def test_changing_the_service_takes_its_duration_and_buffers(api: Api) -> None:
    world = clinic(api)
    appt = booked(api, world, f"{MON}T10:00:00Z")
    longer = create_service(
        api,
        name="Long",
        duration_minutes=90,
        buffer_after_minutes=15,
        staff_ids=[world["staff"]["id"]],
    )
    changed = api.patch(f"/v1/appointments/{appt['id']}", json={"service_id": longer["id"]})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["end"], changed.json()["busy_end"]) == (
        f"{MON}T11:30:00Z",
        f"{MON}T11:45:00Z",
    )


def test_moving_to_a_location_where_the_staff_member_does_not_work_is_refused(api: Api) -> None:
    world = clinic(api)
    appt = booked(api, world, f"{MON}T10:00:00Z")
    elsewhere = create_location(api, name="Elsewhere")
    problem = refused(
        api.patch(f"/v1/appointments/{appt['id']}", json={"location_id": elsewhere["id"]}), 422
    )
    assert problem["errors"][0]["field"] == "staff_id"


def test_an_appointment_cannot_be_given_to_an_archived_client(api: Api) -> None:
    world = clinic(api)
    appt = booked(api, world, f"{MON}T10:00:00Z")
    gone = create_client(api, first_name="Gone")
    api.delete(f"/v1/clients/{gone['id']}")
    problem = refused(
        api.patch(f"/v1/appointments/{appt['id']}", json={"client_id": gone["id"]}), 422
    )
    assert problem["errors"][0]["field"] == "client_id"
    assert api.get(f"/v1/appointments/{appt['id']}").json() == appt


def test_a_cancelled_appointment_cannot_be_moved(api: Api) -> None:
    world = clinic(api)
    appt = booked(api, world, f"{MON}T10:00:00Z")
    api.post(f"/v1/appointments/{appt['id']}/cancel")
    refused(api.patch(f"/v1/appointments/{appt['id']}", json={"start": f"{MON}T11:00:00Z"}), 422)
    assert api.patch(f"/v1/appointments/{appt['id']}", json={"notes": "ok"}).status_code == 200


# -- lists -----------------------------------------------------------------------------------


@pytest.fixture
def listed(api: Api) -> dict[str, Any]:
    """Five appointments across two staff, services, clients and locations."""
    world = team(api, 2)
    second_location = create_location(api, name="Annex")
    s2 = create_staff(api, second_location, first_name="Annex staff")
    svc2 = create_service(api, name="Other", staff_ids=[s2["id"]])
    c2 = create_client(api, first_name="Bea")
    room = create_resource(api)
    s1 = world["staff"]
    base = {"location_id": world["location"]["id"], "service_id": world["service"]["id"]}
    a1 = booked(api, world, f"{MON}T10:00:00Z")
    a2 = booked(api, world, "2030-01-08T10:00:00Z", client_id=c2["id"], status="pending")
    a3 = booked(
        api,
        world,
        f"{MON}T11:00:00Z",
        location_id=second_location["id"],
        service_id=svc2["id"],
        staff_id=s2["id"],
        resource_ids=[room["id"]],
    )
    a4 = booked(api, world, "2030-01-09T10:00:00Z")
    api.post(f"/v1/appointments/{a4['id']}/cancel")
    a5 = booked(api, world, "2030-01-06T10:00:00Z", override=True)  # a Sunday, forced
    api.delete(f"/v1/appointments/{a5['id']}")
    return {
        "a": [a1, a2, a3, a4, a5],
        "s1": s1,
        "s2": s2,
        "svc2": svc2,
        "c2": c2,
        "room": room,
        "world": world,
        "base": base,
        "l2": second_location,
    }


def listing(api: Api, query: str = "") -> list[int]:
    response = api.get(f"/v1/appointments?{query}")
    assert response.status_code == 200, response.text
    return [a["id"] for a in response.json()["items"]]


def test_lists_filter_by_every_field(api: Api, listed: dict[str, Any]) -> None:
    a1, a2, a3, a4, a5 = (a["id"] for a in listed["a"])
    world = listed["world"]
    assert listing(api) == [a1, a3, a2, a4]  # by start; the archived one is hidden
    assert listing(api, "include_archived=true") == [a5, a1, a3, a2, a4]
    # Overlap: [10:15, 11:00) meets a1 (10:00-10:30) but not a3, which starts at 11:00.
    assert listing(api, f"from={MON}T10:15:00Z&to={MON}T11:00:00Z") == [a1]
    assert listing(api, f"from={MON}T10:30:00Z&to={MON}T11:01:00Z") == [a3]
    assert listing(api, "from=2030-01-08T00:00:00Z") == [a2, a4]
    assert listing(api, f"to={MON}T10:30:00Z") == [a1]
    assert listing(api, f"staff_id={listed['s2']['id']}") == [a3]
    assert listing(api, f"staff_id={listed['s1']['id']},{listed['s2']['id']}") == [a1, a3, a2, a4]
    assert listing(api, f"location_id={listed['l2']['id']}") == [a3]
    assert listing(api, f"service_id={listed['svc2']['id']}") == [a3]
    assert listing(api, f"client_id={world['client']['id']}") == [a1, a3, a4]
    assert listing(api, f"resource_id={listed['room']['id']}") == [a3]
    assert listing(api, "status=pending") == [a2]
    assert listing(api, "status=confirmed,pending") == [a1, a3, a2]
    assert listing(api, "status=cancelled") == [a4]
    assert listing(api, f"status=confirmed&staff_id={listed['s1']['id']}") == [a1]
    assert listing(api, "staff_id=987654321") == []


def test_lists_sort_by_start_or_creation_either_way(api: Api, listed: dict[str, Any]) -> None:
    a1, a2, a3, a4, _ = (a["id"] for a in listed["a"])
    assert listing(api, "sort=start") == [a1, a3, a2, a4]
    assert listing(api, "sort=-start") == [a4, a2, a3, a1]
    assert listing(api, "sort=created_at") == [a1, a2, a3, a4]
    assert listing(api, "sort=-created_at") == [a4, a3, a2, a1]


def test_lists_page_with_a_total_of_every_match(api: Api, listed: dict[str, Any]) -> None:
    _, a2, a3, _, _ = (a["id"] for a in listed["a"])
    page = api.get("/v1/appointments?limit=2&offset=1").json()
    assert [a["id"] for a in page["items"]] == [a3, a2]
    assert (page["total"], page["limit"], page["offset"]) == (4, 2, 1)
    beyond = api.get("/v1/appointments?limit=2&offset=10").json()
    assert beyond["items"] == [] and beyond["total"] == 4
    filtered = api.get("/v1/appointments?status=confirmed&limit=1").json()
    assert filtered["total"] == 2 and len(filtered["items"]) == 1


# -- the status machine ----------------------------------------------------------------------

# How to reach each status from a new pending appointment.
ROUTE_TO = {
    Status.PENDING: [],
    Status.CONFIRMED: ["confirm"],
    Status.CHECKED_IN: ["check-in"],
    Status.IN_PROGRESS: ["confirm", "start"],
    Status.COMPLETED: ["confirm", "complete"],
    Status.NO_SHOW: ["no-show"],
    Status.CANCELLED: ["cancel"],
    Status.DECLINED: ["decline"],
}


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("status", list(Status))
def test_every_action_from_every_status_is_allowed_or_refused_naming_the_status(
    api: Api, db: Database, status: Status, action: str
) -> None:
    world = clinic(api)
    appt = booked(api, world, f"{MON}T10:00:00Z", status="pending")
    path = f"/v1/appointments/{appt['id']}"
    for step in ROUTE_TO[status]:
        assert api.post(f"{path}/{step}").status_code == 200
    assert api.get(path).json()["status"] == status.value
    target = ACTIONS[action]
    before = row_counts(db.engine)

    response = api.post(f"{path}/{action}", json={"reason": "because"})

    if target in TRANSITIONS[status]:
        assert response.status_code == 200, response.text
        assert response.json()["status"] == target.value
        last = api.get(f"{path}/history").json()[-1]
        assert (last["from_status"], last["to_status"]) == (status.value, target.value)
        assert last["reason"] == "because"
    else:
        problem = refused(response, 409)
        assert problem["type"] == "/problems/illegal-transition"
        assert problem["current_status"] == status.value
        assert status.value in problem["detail"]
        assert row_counts(db.engine) == before
        assert api.get(path).json()["status"] == status.value


@pytest.mark.parametrize("action", ["cancel", "decline"])
def test_cancelling_or_declining_frees_the_time(api: Api, action: str) -> None:
    world = clinic(api)
    appt = booked(api, world, f"{MON}T10:00:00Z", status="pending")
    refused(book(api, world, f"{MON}T10:00:00Z"), 409)
    assert api.post(f"/v1/appointments/{appt['id']}/{action}").status_code == 200
    booked(api, world, f"{MON}T10:00:00Z")


@pytest.mark.parametrize("route", [["check-in"], ["confirm", "complete"], ["no-show"]])
def test_holding_statuses_keep_the_time(api: Api, route: list[str]) -> None:
    world = clinic(api)
    appt = booked(api, world, f"{MON}T10:00:00Z", status="pending")
    for step in route:
        assert api.post(f"/v1/appointments/{appt['id']}/{step}").status_code == 200
    assert conflict_ids(book(api, world, f"{MON}T10:00:00Z")) == [appt["id"]]


def test_an_action_takes_an_optional_reason_and_no_body_at_all(api: Api) -> None:
    world = clinic(api)
    appt = booked(api, world, f"{MON}T10:00:00Z", status="pending")
    assert api.post(f"/v1/appointments/{appt['id']}/confirm").status_code == 200
    assert api.post(f"/v1/appointments/{appt['id']}/check-in", json={}).status_code == 200
    history = api.get(f"/v1/appointments/{appt['id']}/history").json()
    assert [h["reason"] for h in history] == [None, None, None]


def test_archiving_frees_the_time_hides_the_appointment_and_keeps_it_readable(api: Api) -> None:
    world = clinic(api)
    appt = booked(api, world, f"{MON}T10:00:00Z")
    path = f"/v1/appointments/{appt['id']}"
    assert api.delete(path).status_code == 204
    assert api.get(path).json()["archived_at"] is not None
    assert api.get(path).json()["status"] == "confirmed"
    assert appt["id"] not in listing(api)
    assert appt["id"] in listing(api, "include_archived=true")
    booked(api, world, f"{MON}T10:00:00Z")
    assert api.delete(path).status_code == 204
    actions = [h["action"] for h in api.get(f"{path}/history").json()]
    assert actions == ["booked", "archived"]


def test_unknown_appointments_are_404_on_every_read(api: Api) -> None:
    for path in ["/v1/appointments/987654321", "/v1/appointments/987654321/history"]:
        refused(api.get(path), 404)
    refused(api.delete("/v1/appointments/987654321"), 404)


# -- history -----------------------------------------------------------------------------------


def test_the_history_lists_every_change_with_when_who_source_and_reason(api: Api) -> None:
    world = clinic(api)
    appt = booked(api, world, f"{MON}T10:00:00Z", status="pending")
    path = f"/v1/appointments/{appt['id']}"
    api.post(f"{path}/confirm", json={"reason": "phoned back"})
    api.patch(path, json={"start": f"{MON}T11:00:00Z"})
    api.patch(path, json={"notes": "ring first"})
    api.post(f"{path}/cancel", json={"reason": "ill"})
    api.delete(path)

    history = api.get(f"{path}/history").json()
    assert [h["action"] for h in history] == [
        "booked",
        "confirmed",
        "rescheduled",
        "updated",
        "cancelled",
        "archived",
    ]
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        (None, "pending"),
        ("pending", "confirmed"),
        ("confirmed", "confirmed"),
        ("confirmed", "confirmed"),
        ("confirmed", "cancelled"),
        ("cancelled", "cancelled"),
    ]
    assert [h["reason"] for h in history] == [None, "phoned back", None, None, "ill", None]
    assert history[2]["changes"]["start"] == [f"{MON}T10:00:00+00:00", f"{MON}T11:00:00+00:00"]
    assert all(h["source"] == "native" for h in history)
    assert all(h["actor"] == f"account:{api.account_id}" for h in history)
    stamps = [h["at"] for h in history]
    assert stamps == sorted(stamps)


def test_listing_appointments_costs_the_same_statements_for_twenty_as_for_two(
    api: Api, other_api: Api, count_statements: StatementCounter
) -> None:
    for account, n in [(api, 2), (other_api, 20)]:
        world = clinic(account)
        for i in range(n):
            booked(account, world, f"2030-01-{7 + i // 8:02d}T{9 + i % 8:02d}:00:00Z")

    with count_statements as few:
        assert len(api.get("/v1/appointments?limit=100").json()["items"]) == 2
    with StatementCounter(count_statements.engine) as many:
        assert len(other_api.get("/v1/appointments?limit=100").json()["items"]) == 20
    assert many.count == few.count, many.statements
