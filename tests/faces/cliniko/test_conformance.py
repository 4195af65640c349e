"""Conformance: every operation the face serves answers as Cliniko's official spec says, and
another account's key sees none of this account's objects (404 for every id)."""

from __future__ import annotations

from typing import Any

from tests.faces.cliniko import conftest
from tests.faces.cliniko.conftest import Cliniko, appointment_body, at, next_weekday

# Every operation of the spec this face serves (method, path template, success status).
SERVED = {
    ("get", "/individual_appointments", 200),
    ("post", "/individual_appointments", 201),
    ("get", "/individual_appointments/{id}", 200),
    ("patch", "/individual_appointments/{id}", 200),
    ("patch", "/individual_appointments/{id}/cancel", 204),
    ("delete", "/individual_appointments/{id}", 204),
    ("post", "/individual_appointments/{id}/archive", 204),
    ("get", "/individual_appointments/{id}/conflicts", 200),
    ("get", "/businesses", 200),
    ("get", "/businesses/{id}", 200),
    ("get", "/practitioners", 200),
    ("get", "/practitioners/{id}", 200),
    ("get", "/practitioners/{practitioner_id}/appointment_types", 200),
    ("get", "/appointment_types", 200),
    ("get", "/appointment_types/{id}", 200),
    ("get", "/patients", 200),
    ("post", "/patients", 201),
    ("get", "/patients/{id}", 200),
    ("patch", "/patients/{id}", 200),
    ("post", "/patients/{id}/archive", 204),
    ("delete", "/patients/{id}", 204),
    (
        "get",
        "/businesses/{business_id}/practitioners/{practitioner_id}/appointment_types/"
        "{appointment_type_id}/available_times",
        200,
    ),
    (
        "get",
        "/businesses/{business_id}/practitioners/{practitioner_id}/appointment_types/"
        "{appointment_type_id}/next_available_time",
        200,
    ),
    ("get", "/unavailable_blocks", 200),
    ("post", "/unavailable_blocks", 201),
    ("get", "/unavailable_blocks/{id}", 200),
    ("patch", "/unavailable_blocks/{id}", 200),
    ("get", "/unavailable_blocks/{id}/conflicts", 200),
    ("delete", "/unavailable_blocks/{id}", 204),
    ("post", "/unavailable_blocks/{id}/archive", 204),
    ("get", "/bookings", 200),
    ("get", "/group_appointments", 200),
    ("get", "/group_appointments/{id}", 200),
    ("post", "/group_appointments", 201),
    ("patch", "/group_appointments/{id}", 200),
    ("delete", "/group_appointments/{id}", 204),
    ("post", "/group_appointments/{id}/archive", 204),
    ("get", "/group_appointments/{group_appointment_id}/attendees", 200),
    ("get", "/attendees", 200),
    ("get", "/attendees/{id}", 200),
    ("post", "/attendees", 201),
    ("patch", "/attendees/{id}/cancel", 204),
}


def _everything(c: Cliniko, world: dict[str, Any]) -> dict[str, str]:
    """Create one of each object through the face and /v1; returns their ids."""
    api = c.api
    day = next_weekday()
    appt = c.post("/individual_appointments", json=appointment_body(world, at(day, 10))).json()
    spare = c.post("/individual_appointments", json=appointment_body(world, at(day, 11))).json()
    gone = c.post("/individual_appointments", json=appointment_body(world, at(day, 12))).json()
    patient = c.post("/patients", json={"first_name": "Lin", "last_name": "Yu"}).json()
    spare_patient = c.post("/patients", json={"first_name": "Bo", "last_name": "Ek"}).json()
    block_body = {
        "business_id": str(world["location"]["id"]),
        "practitioner_id": str(world["staff"]["id"]),
        "starts_at": at(day, 13),
        "ends_at": at(day, 14),
    }
    block = c.post("/unavailable_blocks", json=block_body).json()
    spare_block = c.post(
        "/unavailable_blocks", json={**block_body, "starts_at": at(day, 14), "ends_at": at(day, 15)}
    ).json()
    yoga = api.post(
        "/v1/services",
        json={"name": "Yoga", "duration_minutes": 60, "kind": "class", "capacity": 4},
    ).json()
    session = api.post(
        "/v1/class-sessions",
        json={
            "service_id": yoga["id"],
            "staff_id": world["staff"]["id"],
            "location_id": world["location"]["id"],
            "start": at(day, 15),
        },
    ).json()
    attendee = c.post(
        "/attendees", json={"booking_id": str(session["id"]), "patient_id": patient["id"]}
    ).json()
    group_body = {
        "business_id": str(world["location"]["id"]),
        "practitioner_id": str(world["staff"]["id"]),
        "appointment_type_id": str(yoga["id"]),
        "starts_at": at(day, 16),
    }
    group = c.post("/group_appointments", json=group_body).json()
    spare_group = c.post("/group_appointments", json={**group_body, "starts_at": at(day, 9)})
    return {
        "group": group["id"],
        "spare_group": spare_group.json()["id"],
        "appt": appt["id"],
        "spare": spare["id"],
        "gone": gone["id"],
        "patient": patient["id"],
        "spare_patient": spare_patient["id"],
        "block": block["id"],
        "spare_block": spare_block["id"],
        "session": str(session["id"]),
        "attendee": attendee["id"],
        "business": str(world["location"]["id"]),
        "practitioner": str(world["staff"]["id"]),
        "type": str(world["service"]["id"]),
        "day": day.date().isoformat(),
    }


def _trio(ids: dict[str, str]) -> str:
    return (
        f"/businesses/{ids['business']}/practitioners/{ids['practitioner']}"
        f"/appointment_types/{ids['type']}"
    )


def test_every_served_operation_answers_as_the_official_spec_says(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    conftest.SEEN.clear()
    ids = _everything(cliniko, world)
    c = cliniko
    trio = _trio(ids)
    reads = [
        "/individual_appointments",
        f"/individual_appointments/{ids['appt']}",
        f"/individual_appointments/{ids['appt']}/conflicts",
        "/businesses",
        f"/businesses/{ids['business']}",
        "/practitioners",
        f"/practitioners/{ids['practitioner']}",
        f"/practitioners/{ids['practitioner']}/appointment_types",
        "/appointment_types",
        f"/appointment_types/{ids['type']}",
        "/patients",
        f"/patients/{ids['patient']}",
        f"{trio}/available_times?from={ids['day']}&to={ids['day']}",
        f"{trio}/next_available_time",
        "/unavailable_blocks",
        f"/unavailable_blocks/{ids['block']}",
        f"/unavailable_blocks/{ids['block']}/conflicts",
        "/bookings",
        "/group_appointments",
        f"/group_appointments/{ids['session']}",
        f"/group_appointments/{ids['session']}/attendees",
        "/attendees",
        f"/attendees/{ids['attendee']}",
    ]
    for path in reads:
        assert c.get(path).status_code == 200, path
    assert (
        c.patch(f"/individual_appointments/{ids['appt']}", json={"notes": "n"}).status_code == 200
    )
    assert c.patch(f"/patients/{ids['patient']}", json={"last_name": "Z"}).status_code == 200
    assert c.patch(f"/unavailable_blocks/{ids['block']}", json={"notes": "n"}).status_code == 200
    cancel = {"cancellation_reason": 10}
    assert c.patch(f"/individual_appointments/{ids['appt']}/cancel", json=cancel).status_code == 204
    assert c.patch(f"/attendees/{ids['attendee']}/cancel", json=cancel).status_code == 204
    group = f"/group_appointments/{ids['group']}"
    assert c.patch(group, json={"max_attendees": 3}).status_code == 200
    assert c.delete(group).status_code == 204
    assert c.post(f"/group_appointments/{ids['spare_group']}/archive").status_code == 204
    assert c.delete(f"/individual_appointments/{ids['spare']}").status_code == 204
    assert c.post(f"/individual_appointments/{ids['gone']}/archive").status_code == 204
    assert c.post(f"/patients/{ids['patient']}/archive").status_code == 204
    assert c.delete(f"/patients/{ids['spare_patient']}").status_code == 204
    assert c.delete(f"/unavailable_blocks/{ids['block']}").status_code == 204
    assert c.post(f"/unavailable_blocks/{ids['spare_block']}/archive").status_code == 204
    # lists with every archived, cancelled and deleted object brought in
    for path in ("/individual_appointments", "/bookings", "/attendees", "/patients"):
        q = "archived_at:*" if path == "/patients" else "cancelled_at:*"
        assert c.get(path, params=[("q[]", q), ("q[]", "archived_at:*")]).status_code == 200
    missing = SERVED - conftest.SEEN
    assert not missing, f"operations not validated against the spec: {sorted(missing)}"


def test_another_accounts_key_gets_404_for_every_id(
    cliniko: Cliniko, other_cliniko: Cliniko, world: dict[str, Any]
) -> None:
    ids = _everything(cliniko, world)
    o = other_cliniko
    trio = _trio(ids)
    for path in (
        f"/individual_appointments/{ids['appt']}",
        f"/individual_appointments/{ids['appt']}/conflicts",
        f"/businesses/{ids['business']}",
        f"/practitioners/{ids['practitioner']}",
        f"/practitioners/{ids['practitioner']}/appointment_types",
        f"/appointment_types/{ids['type']}",
        f"/patients/{ids['patient']}",
        f"/unavailable_blocks/{ids['block']}",
        f"/unavailable_blocks/{ids['block']}/conflicts",
        f"/group_appointments/{ids['session']}",
        f"/group_appointments/{ids['session']}/attendees",
        f"/attendees/{ids['attendee']}",
        f"{trio}/available_times?from={ids['day']}&to={ids['day']}",
        f"{trio}/next_available_time",
    ):
        assert o.get(path).status_code == 404, path
    writes = [
        ("patch", f"/individual_appointments/{ids['appt']}", {"notes": "x"}),
        ("put", f"/individual_appointments/{ids['appt']}", {"notes": "x"}),
        ("patch", f"/individual_appointments/{ids['appt']}/cancel", {"cancellation_reason": 10}),
        ("delete", f"/individual_appointments/{ids['appt']}", None),
        ("post", f"/individual_appointments/{ids['appt']}/archive", None),
        ("patch", f"/patients/{ids['patient']}", {"first_name": "x"}),
        ("post", f"/patients/{ids['patient']}/archive", None),
        ("delete", f"/unavailable_blocks/{ids['block']}", None),
        ("patch", f"/unavailable_blocks/{ids['block']}", {"notes": "x"}),
        ("put", f"/unavailable_blocks/{ids['block']}", {"notes": "x"}),
        ("post", f"/unavailable_blocks/{ids['block']}/archive", None),
        ("patch", f"/attendees/{ids['attendee']}/cancel", {"cancellation_reason": 10}),
        ("patch", f"/group_appointments/{ids['group']}", {"max_attendees": 3}),
        ("put", f"/group_appointments/{ids['group']}", {"max_attendees": 3}),
        ("delete", f"/group_appointments/{ids['group']}", None),
        ("post", f"/group_appointments/{ids['group']}/archive", None),
    ]
    for method, path, body in writes:
        r = o.request(method.upper(), path, json=body)
        assert r.status_code == 404, (method, path)
    # ids in bodies are unknown ids (422 naming the field) and nothing leaks into lists
    body = appointment_body(world, at(next_weekday(), 16))
    r = o.post("/individual_appointments", json=body)
    assert r.status_code == 422 and {"business_id", "appointment_type_id"} & set(r.json()["errors"])
    r = o.post("/attendees", json={"booking_id": ids["session"], "patient_id": ids["patient"]})
    assert r.status_code == 422
    for path in ("/individual_appointments", "/patients", "/unavailable_blocks", "/bookings"):
        assert o.get(path).json()["total_entries"] == 0, path
    # and the owner's objects are untouched
    assert cliniko.get(f"/individual_appointments/{ids['appt']}").json()["notes"] is None
