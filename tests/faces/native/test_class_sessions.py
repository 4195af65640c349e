"""Class sessions and their seats through /v1, on both databases."""

from __future__ import annotations

from typing import Any

from tests.factories import (
    book,
    clinic,
    create_client,
    create_resource,
    create_service,
    create_staff,
)

MONDAY_10 = "2030-01-07T10:00:00Z"


def class_clinic(api: Any, **fields: Any) -> dict[str, Any]:
    return clinic(
        api, kind="class", capacity=fields.pop("capacity", 10), duration_minutes=60, **fields
    )


def schedule(api: Any, world: dict[str, Any], start: str = MONDAY_10, **fields: Any) -> Any:
    body = {
        "service_id": world["service"]["id"],
        "staff_id": world["staff"]["id"],
        "location_id": world["location"]["id"],
        "start": start,
        **fields,
    }
    return api.post("/v1/class-sessions", json=body)


def session_of(api: Any, world: dict[str, Any], **fields: Any) -> dict[str, Any]:
    response = schedule(api, world, **fields)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def seat(api: Any, session: dict[str, Any], client_id: int, **fields: Any) -> Any:
    body = {"class_session_id": session["id"], "client_id": client_id, **fields}
    return api.post("/v1/appointments", json=body)


def taken(api: Any, session: dict[str, Any]) -> int:
    value: int = api.get(f"/v1/class-sessions/{session['id']}").json()["seats_taken"]
    return value


# -- scheduling -------------------------------------------------------------------------------


def test_a_session_takes_the_services_duration_and_capacity_by_default(api):
    world = class_clinic(api, capacity=12)
    session = session_of(api, world)
    assert session["end"] == "2030-01-07T11:00:00Z"
    assert (session["capacity"], session["seats_taken"], session["seats_left"]) == (12, 0, 12)
    assert session["status"] == "scheduled"


def test_only_a_class_service_can_be_given_as_a_session(api):
    world = clinic(api)
    response = schedule(api, world)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "service_id"
    assert api.get("/v1/class-sessions").json()["total"] == 0


def test_a_session_is_checked_against_working_hours_and_other_bookings(api):
    world = class_clinic(api)
    outside = schedule(api, world, start="2030-01-07T18:00:00Z")
    assert outside.status_code == 422
    assert outside.json()["errors"][0]["field"] == "staff_id"
    one_to_one = create_service(api, staff_ids=[world["staff"]["id"]])
    booked = book(api, {**world, "service": one_to_one}, "2030-01-07T10:30:00Z")
    assert booked.status_code == 201, booked.text
    clash = schedule(api, world)
    assert clash.status_code == 409
    assert [c["appointment_id"] for c in clash.json()["conflicts"]] == [booked.json()["id"]]


def test_nothing_can_be_booked_over_a_session(api):
    world = class_clinic(api)
    session = session_of(api, world)
    one_to_one = create_service(api, staff_ids=[world["staff"]["id"]])
    clash = book(api, {**world, "service": one_to_one}, "2030-01-07T10:30:00Z")
    assert clash.status_code == 409
    [conflict] = clash.json()["conflicts"]
    assert (conflict["kind"], conflict["id"]) == ("class_session", session["id"])
    second = schedule(api, world, start="2030-01-07T10:30:00Z")
    assert second.status_code == 409


def test_a_capacity_below_one_is_refused(api):
    world = class_clinic(api)
    response = schedule(api, world, capacity=0)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "capacity"


# -- seats ------------------------------------------------------------------------------------


def test_a_seat_copies_the_session_and_counts_against_its_capacity(api):
    world = class_clinic(api, capacity=3)
    session = session_of(api, world)
    response = seat(api, session, world["client"]["id"], seats=2)
    assert response.status_code == 201, response.text
    appt = response.json()
    assert appt["class_session_id"] == session["id"]
    assert appt["seats"] == 2
    assert (appt["start"], appt["end"]) == (session["start"], session["end"])
    assert (appt["staff_id"], appt["service_id"]) == (world["staff"]["id"], world["service"]["id"])
    assert taken(api, session) == 2
    # A seat makes nothing busy: other clients take seats at the very same time.
    other = create_client(api, first_name="Grace")
    assert seat(api, session, other["id"]).status_code == 201
    assert api.get(f"/v1/class-sessions/{session['id']}").json()["seats_left"] == 0


def test_a_full_session_refuses_more_seats_and_writes_nothing(api):
    world = class_clinic(api, capacity=2)
    session = session_of(api, world)
    assert seat(api, session, world["client"]["id"], seats=2).status_code == 201
    full = seat(api, session, world["client"]["id"])
    assert full.status_code == 409
    assert full.json()["type"] == "/problems/capacity-exceeded"
    assert taken(api, session) == 2
    assert len(api.get(f"/v1/class-sessions/{session['id']}/appointments").json()) == 1


def test_a_seat_request_must_agree_with_its_session(api):
    world = class_clinic(api)
    session = session_of(api, world)
    other_staff = create_staff(api, world["location"])
    for fields, field in [
        ({"seats": 0}, "seats"),
        ({"staff_id": other_staff["id"]}, "staff_id"),
        ({"start": "2030-01-07T12:00:00Z"}, "start"),
        ({"override": True}, "override"),
        ({"recurrence": {"rrule": "FREQ=DAILY;COUNT=2"}}, "class_session_id"),
    ]:
        response = seat(api, session, world["client"]["id"], **fields)
        assert response.status_code == 422, (fields, response.text)
        assert field in [e["field"] for e in response.json()["errors"]], response.text
    repeated = seat(
        api, session, world["client"]["id"], staff_id=world["staff"]["id"], start=session["start"]
    )
    assert repeated.status_code == 201, repeated.text
    assert taken(api, session) == 1


def test_a_booking_without_a_session_still_needs_location_service_and_start(api):
    world = class_clinic(api)
    response = api.post("/v1/appointments", json={"client_id": world["client"]["id"]})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"location_id", "service_id", "start"}


def test_cancelling_declining_or_archiving_a_seat_gives_its_seats_back_once(api):
    world = class_clinic(api, capacity=10)
    session = session_of(api, world)
    client = world["client"]["id"]
    cancelled = seat(api, session, client, seats=2).json()
    declined = seat(api, session, client, seats=3, status="pending").json()
    archived = seat(api, session, client, seats=4).json()
    assert taken(api, session) == 9
    assert api.post(f"/v1/appointments/{cancelled['id']}/cancel").status_code == 200
    assert taken(api, session) == 7
    assert api.post(f"/v1/appointments/{declined['id']}/decline").status_code == 200
    assert taken(api, session) == 4
    assert api.delete(f"/v1/appointments/{archived['id']}").status_code == 204
    assert taken(api, session) == 0
    # Archiving a cancelled seat, or archiving twice, gives nothing back again.
    assert api.delete(f"/v1/appointments/{cancelled['id']}").status_code == 204
    assert api.delete(f"/v1/appointments/{archived['id']}").status_code == 204
    assert taken(api, session) == 0


def test_a_seat_cannot_be_moved_in_time(api):
    world = class_clinic(api)
    session = session_of(api, world)
    appt = seat(api, session, world["client"]["id"]).json()
    moved = api.patch(f"/v1/appointments/{appt['id']}", json={"start": "2030-01-07T12:00:00Z"})
    assert moved.status_code == 422
    assert moved.json()["errors"][0]["field"] == "start"
    assert "another session" in moved.json()["errors"][0]["message"]
    noted = api.patch(f"/v1/appointments/{appt['id']}", json={"notes": "vegetarian"})
    assert noted.status_code == 200, noted.text


# -- changing and cancelling a session ----------------------------------------------------------


def test_capacity_may_not_drop_below_the_seats_taken(api):
    world = class_clinic(api, capacity=5)
    session = session_of(api, world)
    assert seat(api, session, world["client"]["id"], seats=3).status_code == 201
    too_small = api.patch(f"/v1/class-sessions/{session['id']}", json={"capacity": 2})
    assert too_small.status_code == 409
    assert too_small.json()["type"] == "/problems/capacity-exceeded"
    resized = api.patch(f"/v1/class-sessions/{session['id']}", json={"capacity": 3})
    assert resized.status_code == 200, resized.text
    assert (resized.json()["capacity"], resized.json()["seats_left"]) == (3, 0)


def test_rescheduling_a_session_rechecks_it_and_moves_its_open_seats(api):
    world = class_clinic(api)
    session = session_of(api, world)
    appt = seat(api, session, world["client"]["id"]).json()
    late = api.patch(f"/v1/class-sessions/{session['id']}", json={"start": "2030-01-07T16:30:00Z"})
    assert late.status_code == 422  # would end after 17:00
    moved = api.patch(f"/v1/class-sessions/{session['id']}", json={"start": "2030-01-07T13:00:00Z"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["end"] == "2030-01-07T14:00:00Z"
    seat_now = api.get(f"/v1/appointments/{appt['id']}").json()
    assert (seat_now["start"], seat_now["end"]) == ("2030-01-07T13:00:00Z", "2030-01-07T14:00:00Z")
    actions = [h["action"] for h in api.get(f"/v1/appointments/{appt['id']}/history").json()]
    assert actions == ["booked", "rescheduled"]
    # The old time is free, the new one is held.
    one_to_one = create_service(api, staff_ids=[world["staff"]["id"]])
    assert book(api, {**world, "service": one_to_one}, MONDAY_10).status_code == 201
    assert book(api, {**world, "service": one_to_one}, "2030-01-07T13:30:00Z").status_code == 409


def test_a_refused_reschedule_leaves_the_session_where_it_was(api):
    world = class_clinic(api)
    session = session_of(api, world)
    one_to_one = create_service(api, staff_ids=[world["staff"]["id"]])
    assert book(api, {**world, "service": one_to_one}, "2030-01-07T13:00:00Z").status_code == 201
    clash = api.patch(f"/v1/class-sessions/{session['id']}", json={"start": "2030-01-07T13:00:00Z"})
    assert clash.status_code == 409
    assert api.get(f"/v1/class-sessions/{session['id']}").json()["start"] == session["start"]
    assert book(api, {**world, "service": one_to_one}, MONDAY_10).status_code == 409


def test_cancelling_a_session_cancels_its_seats_with_history_and_frees_its_time(api):
    world = class_clinic(api)
    session = session_of(api, world)
    appt = seat(api, session, world["client"]["id"], seats=2).json()
    response = api.request("DELETE", f"/v1/class-sessions/{session['id']}", json={"reason": "ill"})
    assert response.status_code == 204
    gone = api.get(f"/v1/class-sessions/{session['id']}").json()
    assert gone["status"] == "cancelled" and gone["archived_at"] is not None
    assert gone["seats_taken"] == 0
    seat_now = api.get(f"/v1/appointments/{appt['id']}").json()
    assert seat_now["status"] == "cancelled"
    last = api.get(f"/v1/appointments/{appt['id']}/history").json()[-1]
    assert last["action"] == "cancelled" and "ill" in last["reason"]
    one_to_one = create_service(api, staff_ids=[world["staff"]["id"]])
    assert book(api, {**world, "service": one_to_one}, MONDAY_10).status_code == 201
    assert seat(api, session, world["client"]["id"]).status_code == 422
    assert api.delete(f"/v1/class-sessions/{session['id']}").status_code == 204


def test_sessions_are_listed_with_filters_and_cancelled_ones_only_on_request(api):
    world = class_clinic(api)
    first = session_of(api, world)
    second = session_of(api, world, start="2030-01-08T10:00:00Z")
    session_of(api, world, start="2030-01-09T10:00:00Z")
    listed = api.get("/v1/class-sessions", params={"limit": 2}).json()
    assert listed["total"] == 3 and [s["id"] for s in listed["items"]] == [
        first["id"],
        second["id"],
    ]
    window = {"from": "2030-01-08T00:00:00Z", "to": "2030-01-09T00:00:00Z"}
    assert [s["id"] for s in api.get("/v1/class-sessions", params=window).json()["items"]] == [
        second["id"]
    ]
    assert api.get("/v1/class-sessions", params={"staff_id": 987_654_321}).json()["total"] == 0
    api.delete(f"/v1/class-sessions/{first['id']}")
    assert api.get("/v1/class-sessions").json()["total"] == 2
    assert api.get("/v1/class-sessions", params={"include_archived": True}).json()["total"] == 3


def test_another_accounts_session_does_not_exist_for_you(api, other_api):
    world = class_clinic(api)
    session = session_of(api, world)
    assert other_api.get(f"/v1/class-sessions/{session['id']}").status_code == 404
    client = create_client(other_api)
    stolen = seat(other_api, session, client["id"])
    assert stolen.status_code == 404
    assert stolen.json()["errors"][0]["field"] == "class_session_id"
    assert other_api.delete(f"/v1/class-sessions/{session['id']}").status_code == 404
    assert taken(api, session) == 0


def test_a_sessions_resource_is_blocked_and_named_as_resource_id(api):
    world = class_clinic(api)
    room = create_resource(api, location_id=world["location"]["id"])
    session_of(api, world, resource_id=room["id"])
    other_staff = create_staff(api, world["location"], first_name="Kim")
    api.patch(
        f"/v1/services/{world['service']['id']}",
        json={"staff_ids": [world["staff"]["id"], other_staff["id"]]},
    )
    same_room = schedule(api, {**world, "staff": other_staff}, resource_id=room["id"])
    assert same_room.status_code == 409
    assert {c["subject_kind"] for c in same_room.json()["conflicts"]} == {"resource"}
    unknown = schedule(api, {**world, "staff": other_staff}, resource_id=987_654_321)
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0]["field"] == "resource_id"


def test_out_of_range_numbers_are_refused_naming_the_field_not_failing(api):
    world = class_clinic(api)
    huge = 2**64
    assert schedule(api, world, capacity=2**40).json()["errors"][0]["field"] == "capacity"
    assert api.get("/v1/class-sessions", params={"staff_id": huge}).status_code == 422
    for response in [
        api.get(f"/v1/class-sessions/{huge}"),
        api.patch(f"/v1/class-sessions/{huge}", json={"capacity": 3}),
        api.delete(f"/v1/class-sessions/{huge}"),
        api.get(f"/v1/class-sessions/{huge}/appointments"),
    ]:
        assert response.status_code == 404, response.text
    session = session_of(api, world)
    too_many = seat(api, session, world["client"]["id"], seats=2**40)
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "seats"


def test_a_seat_booked_from_an_intent_or_a_waitlist_entry_marks_it_booked(api):
    world = class_clinic(api)
    session = session_of(api, world)
    client = world["client"]
    intent = api.post(
        "/v1/appointment-intents",
        json={
            "client_id": client["id"],
            "external_reference": "pack-5",
            "start_date": "2030-01-07",
            "end_date": "2030-01-07",
        },
    ).json()
    from_intent = seat(api, session, client["id"], intent_id=intent["id"])
    assert from_intent.status_code == 201, from_intent.text
    marked = api.get(f"/v1/appointment-intents/{intent['id']}").json()
    assert (marked["booked"], marked["appointment_id"]) == (True, from_intent.json()["id"])
    again = seat(api, session, client["id"], intent_id=intent["id"])
    assert again.status_code == 409
    assert taken(api, session) == 1  # the refused seat was not taken

    waiting = create_client(api, first_name="Wanda")
    entry = api.post(
        "/v1/waitlist",
        json={
            "client_id": waiting["id"],
            "service_id": world["service"]["id"],
            "location_id": world["location"]["id"],
        },
    ).json()
    from_entry = seat(api, session, waiting["id"], waitlist_entry_id=entry["id"])
    assert from_entry.status_code == 201, from_entry.text
    now = api.get(f"/v1/waitlist/{entry['id']}").json()
    assert (now["status"], now["appointment_id"]) == ("booked", from_entry.json()["id"])
