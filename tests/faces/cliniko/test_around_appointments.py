"""Businesses, practitioners, appointment types, patients, available times, unavailable blocks,
bookings, group appointments and attendees through the Cliniko face."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.faces.cliniko.conftest import Cliniko, appointment_body, at, next_weekday


def test_catalog_objects_are_the_v1_objects_under_cliniko_names(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    loc, staff, service = world["location"], world["staff"], world["service"]
    b = cliniko.get(f"/businesses/{loc['id']}").json()
    assert b["business_name"] == "Main street" and b["time_zone_identifier"] == "Europe/London"
    assert cliniko.get("/businesses").json()["total_entries"] == 1
    p = cliniko.get(f"/practitioners/{staff['id']}").json()
    assert (p["first_name"], p["last_name"], p["active"]) == ("Sam", "Carter", True)
    assert cliniko.get("/practitioners").json()["practitioners"][0]["id"] == str(staff["id"])
    t = cliniko.get(f"/appointment_types/{service['id']}").json()
    assert (t["name"], t["duration_in_minutes"], t["max_attendees"]) == ("Consultation", 30, 1)
    assert cliniko.get("/appointment_types").json()["total_entries"] == 1
    offered = cliniko.get(f"/practitioners/{staff['id']}/appointment_types").json()
    assert [x["id"] for x in offered["appointment_types"]] == [str(service["id"])]
    for path in ("/businesses/424242", "/practitioners/x", "/appointment_types/0"):
        assert cliniko.get(path).status_code == 404


def test_catalog_lists_take_q_filters_and_refuse_unknown_ones(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    staff_id = world["staff"]["id"]
    assert (
        cliniko.get("/practitioners", params={"q[]": f"id:={staff_id}"}).json()["total_entries"]
        == 1
    )
    assert cliniko.get("/practitioners", params={"q[]": "user_id:?"}).json()["total_entries"] == 0
    assert (
        cliniko.get("/businesses", params={"q[]": "show_in_online_bookings:=true"}).json()[
            "total_entries"
        ]
        == 1
    )
    assert cliniko.get("/businesses", params={"q[]": "name:=x"}).status_code == 400
    assert cliniko.get("/patients", params={"q[]": "last_name:~love"}).json()["total_entries"] == 1
    assert cliniko.get("/patients", params={"q[]": "last_name:~~L%e"}).json()["total_entries"] == 1
    assert cliniko.get("/patients", params={"q[]": "first_name:=Bob"}).json()["total_entries"] == 0
    assert cliniko.get("/patients", params={"q[]": "date_of_birth:!?"}).json()["total_entries"] == 1


def test_patients_are_created_updated_and_archived(cliniko: Cliniko) -> None:
    r = cliniko.post(
        "/patients",
        json={
            "first_name": "Grace",
            "last_name": "Hopper",
            "email": "grace@example.org",
            "patient_phone_numbers": [{"phone_type": "Mobile", "number": "+44 7700 900123"}],
        },
    )
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["patient_phone_numbers"][0]["normalized_number"] == "447700900123"
    assert cliniko.api.get(f"/v1/clients/{doc['id']}").json()["last_name"] == "Hopper"
    r = cliniko.patch(f"/patients/{doc['id']}", json={"first_name": "Amazing Grace"})
    assert r.status_code == 200 and r.json()["first_name"] == "Amazing Grace"
    assert cliniko.post(f"/patients/{doc['id']}/archive").status_code == 204
    assert cliniko.get("/patients").json()["total_entries"] == 0
    assert cliniko.get("/patients", params={"q[]": "archived_at:*"}).json()["total_entries"] == 1
    assert cliniko.get(f"/patients/{doc['id']}").json()["archived_at"]


def test_bad_patient_input_is_422_naming_the_field(cliniko: Cliniko) -> None:
    for body, field in (
        ({"last_name": "X"}, "first_name"),
        ({"first_name": "X", "last_name": 3}, "last_name"),
        ({"first_name": "X", "last_name": "Y", "email": "not-mail"}, "email"),
        (
            {"first_name": "X", "last_name": "Y", "patient_phone_numbers": "1"},
            "patient_phone_numbers",
        ),
        ({"first_name": "X", "last_name": "Y", "time_zone": "Mars/Base"}, "time_zone"),
    ):
        r = cliniko.post("/patients", json=body)
        assert r.status_code == 422 and field in r.json()["errors"], (body, r.text)
    assert cliniko.post("/patients", json=[]).status_code == 400
    assert cliniko.get("/patients").json()["total_entries"] == 0
    assert cliniko.patch("/patients/999999", json={"first_name": "A"}).status_code == 404


def test_available_times_follow_working_hours_and_booked_time(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    day = next_weekday()
    cliniko.post("/individual_appointments", json=appointment_body(world, at(day, 10)))
    path = (
        f"/businesses/{world['location']['id']}/practitioners/{world['staff']['id']}"
        f"/appointment_types/{world['service']['id']}/available_times"
    )
    r = cliniko.get(path, params={"from": day.date().isoformat(), "to": day.date().isoformat()})
    assert r.status_code == 200, r.text
    starts = [x["appointment_start"] for x in r.json()["available_times"]]
    assert starts[0] == at(day, 9) and at(day, 10) not in starts and at(day, 10, 30) in starts
    assert r.json()["total_entries"] == len(starts) == 15
    nxt = cliniko.get(path.replace("available_times", "next_available_time"))
    assert (nxt.status_code == 200 and nxt.json()["appointment_start"] < at(day, 9)) or (
        nxt.json()["appointment_start"] == at(day, 9)
    )
    paged = cliniko.get(
        path, params={"from": day.date().isoformat(), "to": day.date().isoformat(), "per_page": 5}
    ).json()
    assert len(paged["available_times"]) == 5 and "next" in paged["links"]


def test_available_times_refuse_ranges_cliniko_refuses(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    path = (
        f"/businesses/{world['location']['id']}/practitioners/{world['staff']['id']}"
        f"/appointment_types/{world['service']['id']}/available_times"
    )
    day = next_weekday().date()
    for params in (
        {},
        {"from": day.isoformat()},
        {"from": day.isoformat(), "to": (day + timedelta(days=8)).isoformat()},
        {"from": day.isoformat(), "to": (day - timedelta(days=1)).isoformat()},
        {"from": "2001-01-01", "to": "2001-01-02"},
        {"from": "soon", "to": day.isoformat()},
    ):
        r = cliniko.get(path, params=params)
        assert r.status_code == 400, params
        assert r.json()["message"].startswith("Invalid time frame definition")
    assert (
        cliniko.get(
            path.replace(str(world["staff"]["id"]), "999999"),
            params={"from": day.isoformat(), "to": day.isoformat()},
        ).status_code
        == 404
    )


def test_unavailable_blocks_are_time_off_and_block_booking(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    day = next_weekday()
    body = {
        "business_id": str(world["location"]["id"]),
        "practitioner_id": str(world["staff"]["id"]),
        "starts_at": at(day, 13),
        "ends_at": at(day, 14),
        "notes": "Lunch meeting",
    }
    r = cliniko.post("/unavailable_blocks", json=body)
    assert r.status_code == 201, r.text
    block = r.json()
    assert block["notes"] == "Lunch meeting" and block["starts_at"] == at(day, 13)
    refused = cliniko.post("/individual_appointments", json=appointment_body(world, at(day, 13)))
    assert refused.status_code == 422
    assert cliniko.get(f"/unavailable_blocks/{block['id']}").json()["id"] == block["id"]
    listed = cliniko.get("/unavailable_blocks", params={"q[]": f"starts_at:>={at(day, 12)}"})
    assert listed.json()["total_entries"] == 1
    assert cliniko.get(f"/unavailable_blocks/{block['id']}/conflicts").json() == {
        "conflicts": {"exist": False}
    }
    assert cliniko.delete(f"/unavailable_blocks/{block['id']}").status_code == 204
    assert cliniko.get(f"/unavailable_blocks/{block['id']}").status_code == 404
    assert (
        cliniko.post(
            "/individual_appointments", json=appointment_body(world, at(day, 13))
        ).status_code
        == 201
    )


def test_bad_unavailable_block_input_is_refused(cliniko: Cliniko, world: dict[str, Any]) -> None:
    day = next_weekday()
    good = {
        "business_id": str(world["location"]["id"]),
        "practitioner_id": str(world["staff"]["id"]),
        "starts_at": at(day, 13),
        "ends_at": at(day, 14),
    }
    for change, field in (
        ({"practitioner_id": None}, "practitioner_id"),
        ({"practitioner_id": "999999"}, "practitioner_id"),
        ({"business_id": "999999"}, "business_id"),
        ({"ends_at": at(day, 12)}, "ends_at"),
        ({"starts_at": "x"}, "starts_at"),
        ({"repeat_rule": {"repeat_type": "Daily", "number_of_repeats": 0}}, "repeat_rule"),
        ({"repeat_rule": {"repeat_type": "Yearly", "number_of_repeats": 2}}, "repeat_rule"),
        ({"repeat_rule": "Daily"}, "repeat_rule"),
    ):
        r = cliniko.post("/unavailable_blocks", json={**good, **change})
        assert r.status_code == 422, (change, r.text)
        assert any(name.startswith(field) for name in r.json()["errors"]), (change, r.text)
    assert cliniko.get("/unavailable_blocks").json()["total_entries"] == 0


def test_bookings_list_appointments_and_unavailable_blocks_together(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    day = next_weekday()
    appt = cliniko.post(
        "/individual_appointments", json=appointment_body(world, at(day, 10))
    ).json()
    block = cliniko.post(
        "/unavailable_blocks",
        json={
            "business_id": str(world["location"]["id"]),
            "practitioner_id": str(world["staff"]["id"]),
            "starts_at": at(day, 13),
            "ends_at": at(day, 14),
        },
    ).json()
    body = cliniko.get("/bookings", params={"sort": "starts_at"}).json()
    assert body["total_entries"] == 2
    assert [b["links"]["self"] for b in body["bookings"]] == [
        appt["links"]["self"],
        block["links"]["self"],
    ]
    only = cliniko.get("/bookings", params={"q[]": f"patient_ids:~{world['client']['id']}"}).json()
    assert [b["id"] for b in only["bookings"]] == [appt["id"]]
    assert (
        cliniko.get("/bookings", params={"q[]": "did_not_arrive:=true"}).json()["total_entries"]
        == 0
    )


def test_group_appointments_and_attendees_are_class_sessions_and_seats(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    api = cliniko.api
    yoga = api.post(
        "/v1/services",
        json={
            "name": "Yoga",
            "duration_minutes": 60,
            "kind": "class",
            "capacity": 5,
            "staff_ids": [world["staff"]["id"]],
        },
    ).json()
    day = next_weekday()
    session = api.post(
        "/v1/class-sessions",
        json={
            "service_id": yoga["id"],
            "staff_id": world["staff"]["id"],
            "location_id": world["location"]["id"],
            "start": at(day, 15),
        },
    )
    assert session.status_code == 201, session.text
    sid = session.json()["id"]
    assert cliniko.get(f"/appointment_types/{yoga['id']}").json()["max_attendees"] == 5
    group = cliniko.get(f"/group_appointments/{sid}").json()
    assert group["max_attendees"] == 5 and group["patient_ids"] == []
    r = cliniko.post(
        "/attendees", json={"booking_id": str(sid), "patient_id": str(world["client"]["id"])}
    )
    assert r.status_code == 201, r.text
    attendee = r.json()
    assert cliniko.get(f"/group_appointments/{sid}").json()["patient_ids"] == [
        str(world["client"]["id"])
    ]
    listed = cliniko.get(f"/group_appointments/{sid}/attendees").json()
    assert [a["id"] for a in listed["attendees"]] == [attendee["id"]]
    assert cliniko.get("/attendees").json()["total_entries"] == 1
    assert (
        cliniko.get(f"/attendees/{attendee['id']}")
        .json()["booking"]["links"]["self"]
        .endswith(f"/bookings/{sid}")
    )
    assert cliniko.get("/group_appointments").json()["total_entries"] == 1
    client_id = world["client"]["id"]
    for q, expected in (
        (f"patient_ids:~{client_id}", 1),
        ("patient_ids:~999999", 0),
        (f"practitioner_id:={world['staff']['id']}", 1),
        (f"starts_at:>{at(day, 15)}", 0),
        (f"starts_at:>={at(day, 15)}", 1),
        ("repeated_from_id:!?", 1),
        ("deleted_at:?", 0),
    ):
        got = cliniko.get("/group_appointments", params={"q[]": q}).json()["total_entries"]
        assert got == expected, q
    assert cliniko.get("/group_appointments", params={"q[]": "cancelled_at:?"}).status_code == 400
    bookings = cliniko.get("/bookings", params={"q[]": f"patient_ids:~{client_id}"}).json()
    assert [b["links"]["self"] for b in bookings["bookings"]] == [group["links"]["self"]]
    # a seat is not an individual appointment
    assert cliniko.get("/individual_appointments").json()["total_entries"] == 0
    bad = cliniko.patch(f"/attendees/{attendee['id']}/cancel", json={"cancellation_reason": 1})
    assert bad.status_code == 422
    r = cliniko.patch(f"/attendees/{attendee['id']}/cancel", json={"cancellation_reason": 40})
    assert r.status_code == 204
    assert cliniko.get("/attendees").json()["total_entries"] == 0
    doc = cliniko.get(f"/attendees/{attendee['id']}").json()
    assert doc["cancellation_reason_description"] == "Away"
    for body, field in (
        ({"patient_id": str(world["client"]["id"])}, "booking_id"),
        ({"booking_id": "999999", "patient_id": str(world["client"]["id"])}, "booking_id"),
        ({"booking_id": str(sid), "patient_id": "x"}, "patient_id"),
    ):
        r = cliniko.post("/attendees", json=body)
        assert r.status_code == 422 and field in r.json()["errors"], (body, r.text)


def test_group_appointments_are_created_updated_and_archived(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    api = cliniko.api
    yoga = api.post(
        "/v1/services",
        json={
            "name": "Pilates",
            "duration_minutes": 60,
            "kind": "class",
            "capacity": 6,
            "staff_ids": [world["staff"]["id"]],
        },
    ).json()
    day = next_weekday()
    body = {
        "business_id": str(world["location"]["id"]),
        "practitioner_id": str(world["staff"]["id"]),
        "appointment_type_id": str(yoga["id"]),
        "starts_at": at(day, 14),
        "notes": None,
        "repeat_rule": None,
    }
    r = cliniko.post("/group_appointments", json=body)
    assert r.status_code == 201, r.text
    group = r.json()
    assert r.headers["Location"] == group["links"]["self"]
    assert (group["starts_at"], group["ends_at"]) == (at(day, 14), at(day, 15))
    assert group["max_attendees"] == 6
    # the same session under /v1, blocking the practitioner's time
    assert api.get(f"/v1/class-sessions/{group['id']}").json()["capacity"] == 6
    clash = cliniko.post("/individual_appointments", json=appointment_body(world, at(day, 14)))
    assert clash.status_code == 422
    seat = cliniko.post(
        "/attendees", json={"booking_id": group["id"], "patient_id": str(world["client"]["id"])}
    ).json()
    r = cliniko.patch(
        f"/group_appointments/{group['id']}",
        json={"starts_at": at(day, 15), "max_attendees": 8},
    )
    assert r.status_code == 200, r.text
    moved = r.json()
    assert (moved["starts_at"], moved["ends_at"], moved["max_attendees"]) == (
        at(day, 15),
        at(day, 16),
        8,
    )
    assert moved["patient_ids"] == [str(world["client"]["id"])]
    assert cliniko.get(f"/attendees/{seat['id']}").status_code == 200
    r = cliniko.put(f"/group_appointments/{group['id']}", json={"max_attendees": 7})
    assert r.status_code == 200 and r.json()["max_attendees"] == 7
    assert cliniko.post(f"/group_appointments/{group['id']}/archive").status_code == 204
    assert cliniko.get("/group_appointments").json()["total_entries"] == 0
    archived = cliniko.get("/group_appointments", params={"q[]": "archived_at:?"}).json()
    assert archived["group_appointments"][0]["archived_at"]
    assert cliniko.get("/attendees").json()["total_entries"] == 0  # its seat is cancelled
    # the time is free again
    assert (
        cliniko.post(
            "/individual_appointments", json=appointment_body(world, at(day, 15))
        ).status_code
        == 201
    )
    second = cliniko.post("/group_appointments", json={**body, "starts_at": at(day, 10)}).json()
    assert cliniko.delete(f"/group_appointments/{second['id']}").status_code == 204
    assert cliniko.delete("/group_appointments/999999").status_code == 404


def test_bad_group_appointment_input_is_422_naming_the_field_and_writes_nothing(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    api = cliniko.api
    yoga = api.post(
        "/v1/services",
        json={
            "name": "Yoga",
            "duration_minutes": 60,
            "kind": "class",
            "capacity": 5,
            "staff_ids": [world["staff"]["id"]],
        },
    ).json()
    day = next_weekday()
    good = {
        "business_id": str(world["location"]["id"]),
        "practitioner_id": str(world["staff"]["id"]),
        "appointment_type_id": str(yoga["id"]),
        "starts_at": at(day, 14),
    }
    for change, field in (
        ({"practitioner_id": None}, "practitioner_id"),
        ({"business_id": "999999"}, "business_id"),
        ({"appointment_type_id": str(world["service"]["id"])}, "appointment_type_id"),
        ({"ends_at": at(day, 13)}, "ends_at"),
        ({"starts_at": "x"}, "starts_at"),
        ({"starts_at": at(day, 20)}, "practitioner_id"),
        ({"max_attendees": 1}, "max_attendees"),
        ({"max_attendees": "5"}, "max_attendees"),
        ({"notes": "bring a mat"}, "notes"),
        ({"repeat_rule": {"repeat_type": "Weekly", "number_of_repeats": 2}}, "repeat_rule"),
    ):
        r = cliniko.post("/group_appointments", json={**good, **change})
        assert r.status_code == 422 and field in r.json()["errors"], (change, r.text)
    assert (
        cliniko.get("/group_appointments", params={"q[]": "archived_at:*"}).json()["total_entries"]
        == 0
    )
    group = cliniko.post("/group_appointments", json=good).json()
    cliniko.post("/individual_appointments", json=appointment_body(world, at(day, 16)))
    for change, field in (
        ({"starts_at": at(day, 16)}, "starts_at"),
        ({"appointment_type_id": str(world["service"]["id"])}, "appointment_type_id"),
        ({"max_attendees": None}, "max_attendees"),
        ({"ends_at": at(day, 13)}, "ends_at"),
        ({"practitioner_id": "999999"}, "practitioner_id"),
    ):
        r = cliniko.patch(f"/group_appointments/{group['id']}", json=change)
        assert r.status_code == 422 and field in r.json()["errors"], (change, r.text)
    assert cliniko.get(f"/group_appointments/{group['id']}").json() == group
    assert cliniko.patch("/group_appointments/999999", json={}).status_code == 404
    others = [
        cliniko.post("/patients", json={"first_name": name, "last_name": "Bo"}).json()["id"]
        for name in ("Al", "Cy")
    ]
    for patient_id in (str(world["client"]["id"]), *others):
        seat = {"booking_id": group["id"], "patient_id": patient_id}
        assert cliniko.post("/attendees", json=seat).status_code == 201
    r = cliniko.patch(f"/group_appointments/{group['id']}", json={"max_attendees": 2})
    assert r.status_code == 422 and "max_attendees" in r.json()["errors"], r.text
    full = cliniko.patch(f"/group_appointments/{group['id']}", json={"max_attendees": 3})
    assert full.status_code == 200 and len(full.json()["patient_ids"]) == 3
