"""Errors a newcomer meets first: each names the field and says how to fix it.

2030-01-07 is a Monday; the clinic's location is in Europe/Berlin (+01:00 in January).
"""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.factories import book, clinic, create_staff

MONDAY_10_BERLIN = "2030-01-07T10:00:00+01:00"


def fields(response: Any) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json().get("errors", [])}


def test_a_key_without_the_bearer_prefix_is_told_the_header_format(api: Api) -> None:
    answer = api.client.get("/v1/locations", headers={"Authorization": api.key})
    assert answer.status_code == 401
    assert "Authorization must be `Bearer <key>`" in answer.json()["detail"]
    missing = api.client.get("/v1/locations")
    assert missing.status_code == 401
    assert "Authorization: Bearer <key>" in missing.json()["detail"]


def test_a_json_body_sent_as_form_data_is_refused_naming_the_content_type(api: Api) -> None:
    body = '{"name": "Riverside", "time_zone": "Europe/Berlin"}'
    answer = api.post(
        "/v1/locations",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 415
    assert "Content-Type: application/json" in fields(answer)["Content-Type"]
    assert api.get("/v1/locations").json()["total"] == 0


def test_a_json_body_without_a_content_type_is_refused_naming_the_content_type(
    api: Api,
) -> None:
    body = b'{"name": "Riverside", "time_zone": "Europe/Berlin"}'
    answer = api.client.post(
        "/v1/locations", content=body, headers={"Authorization": f"Bearer {api.key}"}
    )
    assert answer.status_code == 415
    message = fields(answer)["Content-Type"]
    assert "Content-Type: application/json" in message and "no Content-Type" in message
    reason = api.client.post(
        "/v1/appointments/1/confirm",
        content=b'{"reason": "x"}',
        headers={"Authorization": f"Bearer {api.key}"},
    )
    assert reason.status_code == 415


def test_malformed_json_is_located_by_line_and_column(api: Api) -> None:
    body = '{\n  "name": "Riverside",\n  "time_zone" "Europe/Berlin"\n}'
    answer = api.post("/v1/locations", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 422
    assert "line 3, column 15" in fields(answer)["body"]


def test_outside_working_hours_shows_that_days_hours_in_the_location_zone_and_override(
    api: Api,
) -> None:
    world = clinic(api, time_zone="Europe/Berlin")
    answer = book(api, world, "2030-01-07T19:00:00+01:00")
    assert answer.status_code == 422
    message = fields(answer)["staff_id"]
    assert "09:00-17:00" in message  # the staff's Mon 09:00-17:00, Berlin = location zone
    assert "Europe/Berlin" in message and "2030-01-07" in message
    assert "override" in message


def test_no_free_staff_names_the_time_in_the_location_zone_and_who_was_considered(
    api: Api,
) -> None:
    world = clinic(api, time_zone="Europe/Berlin")
    other = create_staff(api, world["location"], first_name="Jonas", last_name="Keller")
    api.patch(
        f"/v1/services/{world['service']['id']}",
        json={"staff_ids": [world["staff"]["id"], other["id"]]},
    )
    assert book(api, world, MONDAY_10_BERLIN).status_code == 201
    assert book(api, world, MONDAY_10_BERLIN, staff_id=other["id"]).status_code == 201
    answer = book(api, world, MONDAY_10_BERLIN, staff_id=None)
    assert answer.status_code == 409
    detail = answer.json()["detail"]
    assert "no qualified staff member is free from 2030-01-07T10:00:00+01:00" in detail
    assert f"{other['id']} (Jonas Keller)" in detail and f"{world['staff']['id']} (Sam" in detail


def test_a_limit_above_the_maximum_is_refused_naming_the_maximum_on_every_list(api: Api) -> None:
    cap = api.db.settings.max_page_size
    for path in ["/v1/locations", "/v1/appointments", "/v1/clients", "/v1/waitlist"]:
        answer = api.get(f"{path}?limit={cap + 1}")
        assert answer.status_code == 422, path
        assert f"at most {cap}" in fields(answer)["limit"]
        assert api.get(f"{path}?limit={cap}").status_code == 200
