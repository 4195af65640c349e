"""An insert whose client has no id: the client is created (or found by externalId) in the same
transaction as the appointment."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.faces.agendize.helpers import MON, Agendize, appointments_path, ok, refused, world
from tests.faces.native.row_counts import row_counts


def _body(w: dict[str, Any], local: str, client: dict[str, Any]) -> dict[str, Any]:
    return {
        "client": client,
        "service": {"id": str(w["service"]["id"])},
        "staff": {"id": str(w["staff"]["id"])},
        "start": {"dateTime": local},
    }


NEW = {
    "firstName": "Grace",
    "lastName": "Hopper",
    "email": "grace@example.org",
    "mobilePhone": "+44 7700 900123",
    "externalId": "crm-77",
}


def test_an_insert_with_a_new_client_creates_the_same_client_as_v1(api: Api) -> None:
    agz, w = Agendize(api), world(api)
    appt = ok(agz.post(appointments_path(w), json=_body(w, f"{MON}T10:00:00", NEW)))
    client = appt["client"]
    assert (client["firstName"], client["email"], client["externalId"]) == (
        "Grace",
        "grace@example.org",
        "crm-77",
    )
    assert client["phone"] == "+44 7700 900123"
    native = api.get(f"/v1/clients/{client['id']}").json()
    assert native["external_id"] == "crm-77" and native["last_name"] == "Hopper"
    # The same externalId again finds that client instead of creating another.
    again = ok(agz.post(appointments_path(w), json=_body(w, f"{MON}T11:00:00", NEW)))
    assert again["client"]["id"] == client["id"]
    only_external = {"externalId": "crm-77"}
    third = ok(agz.post(appointments_path(w), json=_body(w, f"{MON}T12:00:00", only_external)))
    assert third["client"]["id"] == client["id"]
    listed = api.get("/v1/clients", params={"limit": 100}).json()["items"]
    assert [c["external_id"] for c in listed].count("crm-77") == 1


def test_a_refused_booking_leaves_no_client_behind(api: Api) -> None:
    agz, w = Agendize(api), world(api)
    ok(
        agz.post(
            appointments_path(w), json=_body(w, f"{MON}T10:00:00", {"id": str(w["client"]["id"])})
        )
    )
    before = row_counts(api.db.services.engine)
    taken = agz.post(appointments_path(w), json=_body(w, f"{MON}T10:00:00", NEW))
    refused(taken, 409)
    gap = agz.post(appointments_path(w), json=_body(w, "2030-03-31T01:30:00", NEW))
    refused(gap, 400, "start.dateTime")
    assert row_counts(api.db.services.engine) == before


def test_a_new_client_with_bad_properties_is_400_naming_them(api: Api) -> None:
    agz, w = Agendize(api), world(api)
    before = row_counts(api.db.services.engine)
    refused(
        agz.post(appointments_path(w), json=_body(w, f"{MON}T10:00:00", {**NEW, "email": "x"})),
        400,
        "client.email",
    )
    refused(
        agz.post(appointments_path(w), json=_body(w, f"{MON}T10:00:00", {"firstName": 5})),
        400,
        "client.firstName",
    )
    unknown = {"externalId": "nobody-here"}
    refused(
        agz.post(appointments_path(w), json=_body(w, f"{MON}T10:00:00", unknown)), 400, "client.id"
    )
    refused(agz.post(appointments_path(w), json=_body(w, f"{MON}T10:00:00", {})), 400, "client.id")
    assert row_counts(api.db.services.engine) == before


def test_an_insert_with_a_new_client_and_an_idempotency_key_books_once(api: Api) -> None:
    agz, w = Agendize(api), world(api)
    key = {"Idempotency-Key": "agz-new-client"}
    body = _body(w, f"{MON}T10:00:00", {**NEW, "externalId": "crm-idem"})
    first = ok(agz.post(appointments_path(w), json=body, headers=key))
    again = agz.post(appointments_path(w), json=body, headers=key)
    assert again.headers["idempotent-replayed"] == "true" and again.json() == first
    listed = api.get("/v1/clients", params={"limit": 100}).json()["items"]
    assert [c["external_id"] for c in listed].count("crm-idem") == 1
