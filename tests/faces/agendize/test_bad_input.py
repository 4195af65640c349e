"""Bad input on every write is a 4xx in the Agendize error body naming the property, writes
nothing and never gives a 5xx; one account's key reaches nothing of another's."""

from __future__ import annotations

from typing import Any

import pytest

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

BAD_INSERTS: list[tuple[dict[str, Any], str]] = [
    ({"start": {"dateTime": "2030-13-01T10:00:00"}}, "start.dateTime"),
    ({"start": {"dateTime": "tomorrow"}}, "start.dateTime"),
    ({"start": {"dateTime": 12}}, "start.dateTime"),
    ({"start": "2030-01-07T10:00:00"}, "start"),
    ({"start": {"dateTime": f"{MON}T10:00:00", "timeZone": "Mars/Olympus"}}, "start.timeZone"),
    ({"start": {"dateTime": f"{MON}T10:00:00", "zone": "UTC"}}, "start.zone"),
    ({"end": {"dateTime": f"{MON}T09:00:00"}}, "end"),
    ({"client": {"id": "abc"}}, "client.id"),
    ({"client": {"id": "999999999"}}, "client.id"),
    ({"client": "7"}, "client"),
    ({"service": {"id": True}}, "service.id"),
    ({"service": {"externalId": "svc-1"}}, "service.externalId"),
    ({"staff": {"id": "-3"}}, "staff.id"),
    ({"resource": {"id": "999999999"}}, "resource.id"),
    ({"status": "done"}, "status"),
    ({"status": "completed"}, "status"),
    ({"status": "accepted", "customStatus": {"id": "1"}}, "customStatus"),
    ({"customStatus": {"id": "1"}}, "customStatus.id"),
    ({"notes": 12}, "notes"),
    ({"notes": "x" * 65536}, "notes"),
    ({"type": "meeting"}, "type"),
    ({"location": "moon"}, "location"),
    ({"paid": "perhaps"}, "paid"),
    ({"iterationCount": "0"}, "iterationCount"),
    ({"form": {"id": "a"}}, "form"),
    ({"form": [{"value": "x"}]}, "form[0].id"),
    ({"form": [{"id": "a", "value": 3}]}, "form[0].value"),
    ({"extendedProperties": {"private": []}}, "extendedProperties.private"),
    ({"extendedProperties": {"other": {}}}, "extendedProperties"),
    ({"extendedProperties": {"private": {"blob": "x" * 23000}}}, "extendedProperties"),
]


@pytest.mark.parametrize(("change", "field"), BAD_INSERTS, ids=[f for _, f in BAD_INSERTS])
def test_a_bad_insert_is_refused_naming_the_property_and_writes_nothing(
    api: Api, change: dict[str, Any], field: str
) -> None:
    agz, w = Agendize(api), world(api)
    body = {**appointment_body(w, f"{MON}T10:00:00"), **change}
    response = agz.post(appointments_path(w), json=body)
    assert 400 <= response.status_code < 500, response.text
    assert field in response.json()["error"]["fields"], response.text
    assert api.get("/v1/appointments").json()["total"] == 0


def test_malformed_bodies_and_query_flags_are_400(api: Api) -> None:
    agz, w = Agendize(api), world(api)
    path = appointments_path(w)
    json_headers = {"Content-Type": "application/json"}
    refused(agz.post(path, content=b'{"start": ', headers=json_headers), 400, "body")
    refused(agz.post(path, json=[1, 2]), 400, "body")
    refused(agz.post(path, json=None), 400, "body")
    body = appointment_body(w, f"{MON}T10:00:00")
    refused(agz.post(path, json=body, params={"force": "maybe"}), 400, "force")
    refused(agz.post(path, json=body, params={"silent": "2"}), 400, "silent")
    refused(agz.post("/companies/0/appointments", json=body), 404, "companyId")
    assert api.get("/v1/appointments").json()["total"] == 0


def test_a_bad_update_is_refused_naming_the_property_and_changes_nothing(api: Api) -> None:
    agz, w = Agendize(api), world(api)
    appt = ok(agz.post(appointments_path(w), json=appointment_body(w, f"{MON}T10:00:00")))
    path = f"{appointments_path(w)}/{appt['id']}"
    for change, field in BAD_INSERTS:
        if change == {"status": "completed"}:  # a legal change of an existing appointment
            continue
        response = agz.put(
            path, json={**change, "notes": "changed"} if field != "notes" else change
        )
        assert 400 <= response.status_code < 500, (change, response.text)
    refused(
        agz.put(path, json={"start": {"dateTime": "2030-03-31T01:30:00"}}), 400, "start.dateTime"
    )
    refused(agz.put(path, json={"end": {"dateTime": f"{MON}T09:00:00"}}), 400)
    refused(agz.put(path, content=b"[", headers={"Content-Type": "application/json"}), 400, "body")
    refused(agz.put(f"{appointments_path(w)}/999999999", json={"notes": "x"}), 404)
    refused(agz.put(f"{appointments_path(w)}/personal-999999", json={"notes": "x"}), 404)
    refused(agz.delete(f"{appointments_path(w)}/999999999"), 404, "appointmentId")
    refused(agz.delete(f"{appointments_path(w)}/personal-x"), 404, "appointmentId")
    assert ok(agz.get(path)) == {**appt, "rescheduleLink": appt["rescheduleLink"]}


def test_one_account_s_key_cannot_read_or_change_another_s_appointments(
    api: Api, other_api: Api
) -> None:
    agz, w = Agendize(api), world(api)
    appt = ok(agz.post(appointments_path(w), json=appointment_body(w, f"{MON}T10:00:00")))
    theirs, their_world = Agendize(other_api), world(other_api)
    # their company path with our appointment id, and our company path with their key
    for path in (
        f"{appointments_path(their_world)}/{appt['id']}",
        f"{appointments_path(w)}/{appt['id']}",
    ):
        assert theirs.get(path).status_code == 404
        assert theirs.put(path, json={"notes": "x"}).status_code == 404
        assert theirs.delete(path).status_code == 404
    assert theirs.get(appointments_path(w)).status_code == 404
    # their booking naming our client, service or staff is refused
    for part in ("client", "service", "staff"):
        body = appointment_body(their_world, f"{MON}T10:00:00")
        body[part] = {"id": str(w[part]["id"])}
        assert theirs.post(appointments_path(their_world), json=body).status_code in (400, 404)
    assert ok(agz.get(f"{appointments_path(w)}/{appt['id']}"))["notes"] == ""
    assert other_api.get("/v1/appointments").json()["total"] == 0
