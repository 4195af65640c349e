"""The ideas every face shares, as the native API shows them: reference, manage link, price
and paid, cancellation details, actors, external id and metadata, and the change feed."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from appointd.app import appointments
from appointd.app.context import Services
from appointd.asgi import create_app
from appointd.domain.codes import is_reference
from appointd.domain.errors import NotFound
from tests.conftest import new_api
from tests.factories import book, clinic

START = "2031-01-06T09:00:00Z"
LATER = "2031-01-06T11:00:00Z"


def _booked(api, world, start=START, **fields):
    response = book(api, world, start, **fields)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_booking_has_a_reference_a_manage_link_and_the_services_price(api, db):
    world = clinic(api, price="45.00", currency="EUR")
    appt = _booked(api, world)
    assert is_reference(appt["reference"]) and appt["reference"] == appt["reference"].upper()
    assert appt["manage_url"].startswith("http://testserver/manage/")
    assert len(appt["manage_url"].rsplit("/", 1)[1]) >= 22
    assert (appt["price"], appt["currency"], appt["paid"]) == ("45.00", "EUR", False)
    assert appt["created_by"] == appt["updated_by"] == f"account:{api.account_id}"
    assert appt["cancellation"] is None and appt["deleted_at"] is None
    assert appt["change_seq"] >= 1
    # A later price change does not rewrite booked appointments.
    assert api.patch(f"/v1/services/{world['service']['id']}", json={"price": "60.00"}).is_success
    assert api.get(f"/v1/appointments/{appt['id']}").json()["price"] == "45.00"


def test_the_manage_link_is_built_on_the_public_url_when_one_is_set(db):
    settings = db.settings.model_copy(update={"public_url": "https://book.example.com"})
    services = Services(engine=db.engine, settings=settings)
    with TestClient(create_app(settings, services)) as client:
        api = new_api(client, db)
        appt = _booked(api, clinic(api))
    token = appointments.get_appointment_by_manage_token(db.services, appt["manage_url"][-32:])
    assert appt["manage_url"] == f"https://book.example.com/manage/{token.manage_token}"


def test_paid_external_id_and_metadata_are_kept_and_changed(api, db):
    world = clinic(api)
    appt = _booked(api, world, external_id="crm-1", metadata={"tags": ["vip"]}, paid=True)
    assert (appt["external_id"], appt["metadata"], appt["paid"]) == (
        "crm-1",
        {"tags": ["vip"]},
        True,
    )
    path = f"/v1/appointments/{appt['id']}"
    changed = api.patch(path, json={"paid": False, "metadata": {"n": 1}, "external_id": "crm-2"})
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["paid"], body["metadata"], body["external_id"]) == (False, {"n": 1}, "crm-2")
    assert body["change_seq"] > appt["change_seq"]
    found = api.get("/v1/appointments", params={"external_id": "crm-2"}).json()
    assert [a["id"] for a in found["items"]] == [appt["id"]]
    assert api.get("/v1/appointments", params={"external_id": "crm-1"}).json()["items"] == []


def test_metadata_over_32_kilobytes_is_refused_naming_it_and_nothing_is_booked(api, db):
    world = clinic(api)
    response = book(api, world, START, metadata={"blob": "x" * 40_000})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["metadata"]
    assert api.get("/v1/appointments").json()["total"] == 0


def test_a_cancellation_records_its_code_note_time_and_actor(api, db):
    appt = _booked(api, clinic(api))
    response = api.post(
        f"/v1/appointments/{appt['id']}/cancel", json={"code": "50", "note": "feeling better"}
    )
    assert response.status_code == 200, response.text
    cancellation = response.json()["cancellation"]
    assert cancellation["code"] == "50" and cancellation["note"] == "feeling better"
    assert cancellation["by"] == f"account:{api.account_id}" and cancellation["at"]


def test_an_appointment_is_found_by_its_reference(api, db):
    world = clinic(api)
    appt = _booked(api, world)
    _booked(api, world, LATER)
    found = api.get("/v1/appointments", params={"reference": appt["reference"].lower()}).json()
    assert [a["id"] for a in found["items"]] == [appt["id"]]
    ctx = api.context()
    assert appointments.get_appointment_by_reference(ctx, appt["reference"]).id == appt["id"]


def test_changed_since_is_a_change_feed_with_the_next_value_to_poll_with(api, db):
    world = clinic(api)
    first, second = _booked(api, world), _booked(api, world, LATER)
    feed = api.get("/v1/appointments", params={"changed_since": 0}).json()
    assert [a["id"] for a in feed["items"]] == [first["id"], second["id"]]
    mark = feed["next_changed_since"]
    assert mark == second["change_seq"]
    quiet = api.get("/v1/appointments", params={"changed_since": mark}).json()
    assert quiet["items"] == [] and quiet["next_changed_since"] == mark
    api.patch(f"/v1/appointments/{first['id']}", json={"notes": "changed"})
    api.delete(f"/v1/appointments/{second['id']}")  # archived: still in the feed
    changed = api.get("/v1/appointments", params={"changed_since": mark}).json()
    assert [a["id"] for a in changed["items"]] == [first["id"], second["id"]]
    assert changed["items"][1]["archived_at"] is not None
    assert changed["next_changed_since"] > mark


def test_a_deleted_appointment_leaves_the_lists_but_is_read_by_id_and_in_the_feed(api, db):
    world = clinic(api)
    appt = _booked(api, world)
    appointments.delete_appointment(api.context(), appt["id"])
    assert api.get("/v1/appointments").json()["items"] == []
    listed = api.get("/v1/appointments", params={"include_deleted": "true"}).json()["items"]
    assert [a["id"] for a in listed] == [appt["id"]]
    single = api.get(f"/v1/appointments/{appt['id']}").json()
    assert single["deleted_at"] is not None and single["change_seq"] > appt["change_seq"]
    assert [h["action"] for h in api.get(f"/v1/appointments/{appt['id']}/history").json()] == [
        "booked",
        "deleted",
    ]
    # Its time is free again, and it cannot be changed any more.
    assert book(api, world, START).status_code == 201
    refused = api.patch(f"/v1/appointments/{appt['id']}", json={"notes": "x"})
    assert refused.status_code == 409


def test_another_accounts_reference_and_manage_token_find_nothing(api, other_api, db):
    appt = _booked(api, clinic(api))
    token = appt["manage_url"].rsplit("/", 1)[1]
    theirs = other_api.get("/v1/appointments", params={"reference": appt["reference"]}).json()
    assert theirs["items"] == []
    with pytest.raises(NotFound):
        appointments.get_appointment_by_reference(other_api.context(), appt["reference"])
    with pytest.raises(NotFound):
        appointments.get_appointment_by_manage_token(other_api.context(), token)
    with pytest.raises(NotFound):
        # One character off (never the same character: a token may already end in "A").
        wrong = token[:-1] + ("B" if token.endswith("A") else "A")
        appointments.get_appointment_by_manage_token(db.services, wrong)
    # The manage page knows only the token: it finds the appointment in its own account.
    found = appointments.get_appointment_by_manage_token(db.services, token)
    assert (found.id, found.account_id) == (appt["id"], api.account_id)
    assert appointments.get_appointment_by_manage_token(api.context(), token).id == appt["id"]
