"""Custom statuses and form fields: defined per account, given to appointments."""

from __future__ import annotations

from tests.factories import book, clinic, create_service

START = "2031-01-06T09:00:00Z"


def _created(response):
    assert response.status_code == 201, response.text
    return response.json()


def _status(api, name="Waiting room", base="checked_in"):
    return _created(api.post("/v1/custom-statuses", json={"name": name, "base_status": base}))


def _field(api, **fields):
    return _created(api.post("/v1/form-fields", json={"label": "Reason", **fields}))


def test_custom_statuses_are_created_listed_renamed_and_archived(api, db):
    created = _status(api)
    assert (created["name"], created["base_status"]) == ("Waiting room", "checked_in")
    path = f"/v1/custom-statuses/{created['id']}"
    assert api.get(path).json() == created
    renamed = api.patch(path, json={"name": "In the lobby"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "In the lobby"
    refused = api.patch(path, json={"base_status": "completed"})
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["base_status"]
    assert api.delete(path).status_code == 204
    assert api.get("/v1/custom-statuses").json()["items"] == []
    archived = api.get("/v1/custom-statuses", params={"include_archived": "true"}).json()
    assert [s["id"] for s in archived["items"]] == [created["id"]]


def test_a_custom_status_moves_the_appointment_to_its_base_status(api, db):
    world = clinic(api)
    lobby = _status(api)
    appt = book(api, world, START).json()
    path = f"/v1/appointments/{appt['id']}"
    moved = api.patch(path, json={"custom_status_id": lobby["id"]})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["status"], moved.json()["custom_status_id"]) == (
        "checked_in",
        lobby["id"],
    )
    # A plain status change drops it.
    done = api.post(f"{path}/complete").json()
    assert (done["status"], done["custom_status_id"]) == ("completed", None)
    # An illegal move through the status machine is refused as any other.
    back = api.patch(path, json={"custom_status_id": lobby["id"]})
    assert back.status_code == 409
    listed = api.get("/v1/appointments", params={"status": "completed"}).json()
    assert [a["id"] for a in listed["items"]] == [appt["id"]]


def test_a_booking_may_start_with_a_custom_status_on_an_initial_status(api, db):
    world = clinic(api)
    tentative = _status(api, "Tentative", "pending")
    done = _status(api, "Done", "completed")
    appt = book(api, world, START, custom_status_id=tentative["id"])
    assert appt.status_code == 201, appt.text
    assert (appt.json()["status"], appt.json()["custom_status_id"]) == ("pending", tentative["id"])
    refused = book(api, world, "2031-01-06T10:00:00Z", custom_status_id=done["id"])
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["custom_status_id"]


def test_form_fields_are_defined_with_their_rules(api, db):
    service = create_service(api)
    field = _field(
        api, type="select", options=["pain", "check-up"], required=True, service_ids=[service["id"]]
    )
    assert field["service_ids"] == [service["id"]] and field["required"] is True
    bad = api.post("/v1/form-fields", json={"label": "Colour", "type": "select"})
    assert bad.status_code == 422 and [e["field"] for e in bad.json()["errors"]] == ["options"]
    bad_format = api.post("/v1/form-fields", json={"label": "Code", "value_format": "([a-"})
    assert [e["field"] for e in bad_format.json()["errors"]] == ["value_format"]
    path = f"/v1/form-fields/{field['id']}"
    changed = api.patch(path, json={"label": "Why", "position": 3})
    assert changed.status_code == 200 and changed.json()["label"] == "Why"
    only = api.get("/v1/form-fields", params={"service_id": service["id"]}).json()
    assert [f["id"] for f in only["items"]] == [field["id"]]
    assert api.delete(path).status_code == 204
    assert api.get("/v1/form-fields").json()["items"] == []


def test_a_booking_with_answers_is_checked_against_the_services_fields(api, db):
    world = clinic(api)
    reason = _field(api, type="select", options=["pain", "check-up"], required=True)
    phone = _field(api, label="Phone", type="phone")
    topics = _field(api, label="Topics", type="multiselect", options=["a", "b"])
    answers = [
        {"field_id": reason["id"], "value": "pain"},
        {"field_id": phone["id"], "value": "+44 20 7946 0000"},
        {"field_id": topics["id"], "values": ["a", "b"]},
    ]
    appt = book(api, world, START, form=answers)
    assert appt.status_code == 201, appt.text
    assert appt.json()["form"] == answers
    missing = book(api, world, "2031-01-06T10:00:00Z", form=[])
    assert missing.status_code == 422
    assert "is required" in missing.json()["errors"][0]["message"]
    wrong = book(
        api,
        world,
        "2031-01-06T10:00:00Z",
        form=[{"field_id": reason["id"], "value": "boredom"}],
    )
    assert wrong.status_code == 422 and "not one of its options" in wrong.text
    unknown = book(api, world, "2031-01-06T10:00:00Z", form=[{"field_id": 999999, "value": "x"}])
    assert unknown.status_code == 422 and "unknown form field 999999" in unknown.text
    # Without "form" at all (a face without forms) the booking is not held to them.
    assert book(api, world, "2031-01-06T11:00:00Z").status_code == 201
    # Answers can be searched as text and replaced by PATCH, checked again.
    path = f"/v1/appointments/{appt.json()['id']}"
    replaced = api.patch(path, json={"form": [{"field_id": reason["id"], "value": "check-up"}]})
    assert replaced.status_code == 200 and replaced.json()["form"][0]["value"] == "check-up"
    assert api.patch(path, json={"form": []}).status_code == 422
    assert api.get(path).json()["form"] == [{"field_id": reason["id"], "value": "check-up"}]


def test_another_accounts_custom_statuses_and_form_fields_are_404(api, other_api, db):
    status = _status(api)
    field = _field(api)
    for path in (f"/v1/custom-statuses/{status['id']}", f"/v1/form-fields/{field['id']}"):
        assert other_api.get(path).status_code == 404
        assert (
            other_api.patch(
                path, json={"name": "x"} if "status" in path else {"label": "x"}
            ).status_code
            == 404
        )
        assert other_api.delete(path).status_code == 404
    assert api.get(f"/v1/custom-statuses/{status['id']}").json()["archived_at"] is None
    assert other_api.get("/v1/custom-statuses").json()["items"] == []
    assert other_api.get("/v1/form-fields").json()["items"] == []
    world = clinic(other_api)
    given = book(other_api, world, START, custom_status_id=status["id"])
    assert given.status_code == 404
    assert [e["field"] for e in given.json()["errors"]] == ["custom_status_id"]
    answered = book(other_api, world, START, form=[{"field_id": field["id"], "value": "x"}])
    assert answered.status_code == 422 and f"unknown form field {field['id']}" in answered.text
