"""Agendize appointments through HTTP: insert, get, list, update, delete; zones and formats."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.conftest import Api
from tests.faces.agendize.helpers import (
    MON,
    Agendize,
    appointment_body,
    appointments_path,
    ok,
    refused,
    world,
)


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def booked(agz: Agendize, w: dict[str, Any], local: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = ok(
        agz.post(appointments_path(w), json=appointment_body(w, local, **extra))
    )
    return body


def test_an_insert_answers_200_with_the_full_appointment_in_the_company_zone(api: Api) -> None:
    agz, w = Agendize(api), world(api, price="40.00", currency="EUR")
    appt = booked(agz, w, f"{MON}T10:00:00", notes="first visit")
    assert appt["id"] == str(int(appt["id"]))
    assert appt["start"] == {"dateTime": f"{MON}T10:00:00", "timeZone": "Europe/London"}
    assert appt["end"] == {"dateTime": f"{MON}T10:30:00", "timeZone": "Europe/London"}
    assert appt["status"] == "accepted"
    assert appt["type"] == "normal"
    assert appt["notes"] == "first visit"
    assert appt["company"] == {"id": str(w["location"]["id"]), "name": "Main street"}
    assert appt["service"]["id"] == str(w["service"]["id"])
    assert appt["staff"]["firstName"] == "Sam"
    assert appt["client"]["email"] == "ada@example.org"
    assert appt["price"] == {"amount": 40.0, "currency": "EUR"}
    assert appt["history"][0]["type"] == "booked"
    assert appt["extendedProperties"] == {"private": {}, "public": {}}
    for empty in ("parent", "synchronization", "onlineMeeting"):
        assert appt[empty] == {}
    # The same appointment through /v1, blocking the same time.
    native = api.get(f"/v1/appointments/{appt['id']}").json()
    assert instant(native["start"]) == instant(f"{MON}T10:00:00Z")
    assert agz.get(f"{appointments_path(w)}/{appt['id']}").json() == appt


def test_a_date_time_with_an_offset_is_that_instant_and_one_without_is_local_time(
    api: Api,
) -> None:
    agz, w = Agendize(api), world(api, time_zone="Europe/Paris")
    with_offset = booked(agz, w, f"{MON}T09:00:00Z")  # 10:00 in Paris
    assert with_offset["start"]["dateTime"] == f"{MON}T10:00:00"
    local = booked(agz, w, f"{MON}T11:00:00")  # Paris wall time
    native_start = api.get(f"/v1/appointments/{local['id']}").json()["start"]
    assert instant(native_start) == instant(f"{MON}T10:00:00Z")  # /v1 writes Paris's offset
    other_zone = booked(
        agz, w, "", start={"dateTime": f"{MON}T07:00:00", "timeZone": "America/New_York"}
    )
    assert other_zone["start"] == {"dateTime": f"{MON}T13:00:00", "timeZone": "Europe/Paris"}


def test_a_wall_time_in_the_spring_forward_gap_is_refused_naming_the_property(api: Api) -> None:
    agz, w = Agendize(api), world(api, time_zone="Europe/London")
    body = appointment_body(w, "2030-03-31T01:30:00")
    refused(agz.post(appointments_path(w), json=body), 400, "start.dateTime")
    assert api.get("/v1/appointments").json()["total"] == 0


def test_a_taken_time_is_409_naming_the_appointment_that_holds_it_and_force_books_anyway(
    api: Api,
) -> None:
    agz, w = Agendize(api), world(api)
    first = booked(agz, w, f"{MON}T10:00:00")
    error = refused(
        agz.post(appointments_path(w), json=appointment_body(w, f"{MON}T10:15:00")), 409
    )
    assert first["id"] in error["message"]
    assert error["conflicts"][0]["id"] == first["id"]
    forced = ok(
        agz.post(
            appointments_path(w),
            json=appointment_body(w, f"{MON}T10:15:00"),
            params={"force": "true"},
        )
    )
    assert "forced" in forced["history"][0]["text"]
    # force outside working hours too, and force needs a staff id
    ok(
        agz.post(
            appointments_path(w),
            json=appointment_body(w, f"{MON}T20:00:00"),
            params={"force": "true"},
        )
    )
    body = appointment_body(w, f"{MON}T21:00:00")
    del body["staff"]
    refused(agz.post(appointments_path(w), json=body, params={"force": "true"}), 400, "staff.id")


def test_outside_working_hours_is_refused_without_force(api: Api) -> None:
    agz, w = Agendize(api), world(api)
    refused(
        agz.post(appointments_path(w), json=appointment_body(w, f"{MON}T20:00:00")), 400, "staff.id"
    )


def test_an_update_moves_the_appointment_checks_again_and_records_the_kind_of_change(
    api: Api,
) -> None:
    agz, w = Agendize(api), world(api)
    appt = booked(agz, w, f"{MON}T10:00:00")
    other = booked(agz, w, f"{MON}T12:00:00")
    path = f"{appointments_path(w)}/{appt['id']}"
    moved = ok(agz.put(path, json={"start": {"dateTime": f"{MON}T11:00:00"}}))
    assert moved["start"]["dateTime"] == f"{MON}T11:00:00"
    assert moved["end"]["dateTime"] == f"{MON}T11:30:00"
    assert moved["history"][-1]["type"] == "user_rescheduled_changed_start"
    refused(agz.put(path, json={"start": {"dateTime": f"{MON}T12:00:00"}}), 409)
    noted = ok(agz.put(path, json={"notes": "bring x-rays"}))
    assert noted["history"][-1]["type"] == "user_rescheduled_changed_note"
    assert ok(agz.get(path))["start"]["dateTime"] == f"{MON}T11:00:00"
    assert other["id"] != appt["id"]


def test_status_changes_follow_the_core_machine_and_show_in_the_history_in_french(
    api: Api,
) -> None:
    agz, w = Agendize(api), world(api)
    appt = booked(agz, w, f"{MON}T10:00:00", status="pending")
    assert appt["status"] == "pending"
    path = f"{appointments_path(w)}/{appt['id']}"
    assert ok(agz.put(path, json={"status": "accepted"}))["status"] == "accepted"
    done = ok(agz.put(path, json={"status": "completed"}, params={"lang": "fr"}))
    assert done["status"] == "completed"
    assert [h["type"] for h in done["history"]] == ["pending", "accepted", "completed"]
    assert done["history"][-1]["text"] == "Rendez-vous terminé"
    assert ok(agz.get(path))["history"][-1]["text"] == "Appointment completed"
    error = refused(agz.put(path, json={"status": "pending", "notes": "x"}), 409, "status")
    assert "completed" in error["message"]
    assert ok(agz.get(path))["notes"] == ""  # the refused request wrote nothing


def test_cancelling_frees_the_time(api: Api) -> None:
    agz, w = Agendize(api), world(api)
    appt = booked(agz, w, f"{MON}T10:00:00")
    path = f"{appointments_path(w)}/{appt['id']}"
    cancelled = ok(agz.put(path, json={"status": "cancelled"}))
    assert cancelled["history"][-1]["type"] == "user_deleted"
    booked(agz, w, f"{MON}T10:00:00")


def test_delete_answers_200_with_an_empty_body_frees_the_time_and_shows_with_show_deleted(
    api: Api,
) -> None:
    agz, w = Agendize(api), world(api)
    appt = booked(agz, w, f"{MON}T10:00:00")
    response = agz.delete(f"{appointments_path(w)}/{appt['id']}", params={"silent": "true"})
    assert response.status_code == 200 and response.content == b""
    booked(agz, w, f"{MON}T10:00:00")
    window = {"startDate": f"{MON}T00:00:00Z", "endDate": "2030-01-08T00:00:00Z"}
    visible = ok(agz.get(appointments_path(w), params=window))["items"]
    assert appt["id"] not in [a["id"] for a in visible]
    with_deleted = ok(agz.get(appointments_path(w), params={**window, "showDeleted": "true"}))
    assert appt["id"] in [a["id"] for a in with_deleted["items"]]


def test_the_same_paths_answer_under_api_2_0(api: Api) -> None:
    agz, w = Agendize(api, "/api/2.0/scheduling"), world(api)
    appt = booked(agz, w, f"{MON}T10:00:00")
    assert ok(agz.get(f"{appointments_path(w)}/{appt['id']}"))["id"] == appt["id"]


def test_an_appointment_of_another_company_is_404_under_this_one(api: Api) -> None:
    agz, w = Agendize(api), world(api)
    appt = booked(agz, w, f"{MON}T10:00:00")
    other = api.post("/v1/locations", json={"name": "B", "time_zone": "UTC"}).json()
    refused(agz.get(f"/companies/{other['id']}/appointments/{appt['id']}"), 404, "appointmentId")
