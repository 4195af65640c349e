"""Staff, services and resources by their external ids: list filters take "internal or external
id", bodies take ``<name>.externalId``, and the resources show the ids."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.faces.agendize.helpers import MON, Agendize, appointments_path, ok, refused, world


def _external(api: Api, kind: str, id: int, external: str) -> None:
    response = api.patch(f"/v1/{kind}/{id}", json={"external_id": external})
    assert response.status_code == 200, response.text


def _world(api: Api) -> dict[str, Any]:
    w = world(api)
    _external(api, "services", w["service"]["id"], "svc-A")
    _external(api, "staff", w["staff"]["id"], "stf-A")
    return w


def test_a_body_may_name_the_service_and_staff_by_external_id(api: Api) -> None:
    agz, w = Agendize(api), _world(api)
    body = {
        "client": {"id": str(w["client"]["id"])},
        "service": {"externalId": "svc-A"},
        "staff": {"externalId": "stf-A"},
        "start": {"dateTime": f"{MON}T10:00:00"},
    }
    appt = ok(agz.post(appointments_path(w), json=body))
    assert appt["service"] == {
        "id": str(w["service"]["id"]),
        "name": w["service"]["name"],
        "externalId": "svc-A",
    }
    assert appt["staff"]["id"] == str(w["staff"]["id"]) and appt["staff"]["externalId"] == "stf-A"
    unknown = {**body, "service": {"externalId": "nope"}, "start": {"dateTime": f"{MON}T11:00:00"}}
    refused(agz.post(appointments_path(w), json=unknown), 400, "service.externalId")
    service = ok(agz.get(f"/companies/{w['location']['id']}/services/{w['service']['id']}"))
    assert service["externalId"] == "svc-A"


def test_list_filters_take_an_internal_or_an_external_id(api: Api) -> None:
    agz, w = Agendize(api), _world(api)
    body = {
        "client": {"id": str(w["client"]["id"])},
        "service": {"id": str(w["service"]["id"])},
        "staff": {"id": str(w["staff"]["id"])},
        "start": {"dateTime": f"{MON}T10:00:00"},
    }
    appt = ok(agz.post(appointments_path(w), json=body))
    window = {"startDate": f"{MON}T00:00:00Z", "endDate": f"{MON}T23:00:00Z"}
    for name, value in (
        ("serviceId", "svc-A"),
        ("serviceId", str(w["service"]["id"])),
        ("staffId", "stf-A"),
        ("staffId", str(w["staff"]["id"])),
    ):
        items = ok(agz.get(appointments_path(w), params={**window, name: value}))["items"]
        assert [i["id"] for i in items] == [appt["id"]], (name, value)
    for name in ("serviceId", "staffId", "resourceId"):
        assert ok(agz.get(appointments_path(w), params={**window, name: "other"}))["items"] == []
