"""Every list in a native request has a maximum length (maxItems in the OpenAPI document);
a longer one is a 422 naming the field."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Api
from tests.factories import clinic


def _maxitems(schema: Any, out: dict[str, int], path: str = "") -> None:
    if isinstance(schema, dict):
        if schema.get("type") == "array" and "maxItems" in schema:
            out[path] = schema["maxItems"]
        for key, value in schema.items():
            _maxitems(value, out, f"{path}.{key}" if path else key)
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            _maxitems(value, out, f"{path}[{i}]")


def test_a_week_of_too_many_working_hour_ranges_is_422_naming_the_field(api: Api) -> None:
    world = clinic(api)
    ranges = [
        {"weekday": 1 + i % 7, "start": f"{i // 7 % 24:02d}:00", "end": f"{i // 7 % 24:02d}:30"}
        for i in range(2000)
    ]
    body = {
        "first_name": "Busy",
        "location_ids": [world["location"]["id"]],
        "working_hours": ranges,
    }
    response = api.post("/v1/staff", json=body)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["working_hours"]
    assert "70" in response.json()["errors"][0]["message"]


def test_too_many_ids_in_one_list_is_422_naming_the_field(api: Api) -> None:
    world = clinic(api)
    response = api.patch(
        f"/v1/services/{world['service']['id']}", json={"staff_ids": list(range(1, 102))}
    )
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["staff_ids"]


def test_the_openapi_document_states_every_request_list_maximum(app_client: TestClient) -> None:
    document = app_client.get("/openapi.json").json()
    found: dict[str, int] = {}
    _maxitems(document["components"]["schemas"], found)
    names = {
        path.split(".")[0] + "." + path.split(".")[2] for path in found if path.count(".") >= 2
    }
    for expected in [
        "StaffIn.working_hours",
        "StaffIn.location_ids",
        "StaffPatch.working_hours",
        "ServiceIn.staff_ids",
        "AppointmentIn.resource_ids",
        "AppointmentPatch.additional_staff_ids",
        "CancelIn.offer_to",
        "DateOverrideIn.ranges",
    ]:
        assert expected in names, (expected, sorted(names))
