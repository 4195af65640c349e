"""Watch endpoints through HTTP: create, list, get, update, delete; bad input; isolation."""

from __future__ import annotations

from tests.conftest import Api
from tests.faces.agendize.helpers import Agendize, appointments_path, ok, refused, world

HOOK = "https://hooks.example.org/agendize"


def test_a_watch_is_created_listed_read_updated_and_deleted(api: Api) -> None:
    agz, w = Agendize(api), world(api)
    path = appointments_path(w) + "/watch"
    created = ok(
        agz.post(
            path,
            json={
                "address": HOOK,
                "name": "CRM",
                "basicAuth": {"username": "crm", "password": "secret"},
                "httpRequestHeader": {"X-Tenant": "42"},
                "schema": {"my_id_key": "{id}"},
                "signature": {"enabled": True, "cryptoKeyIds": ["key-1"]},
            },
        )
    )
    assert created["address"] == HOOK and created["status"] == "enabled"
    assert created["method"] == "POST" and created["levelDetails"] == "full"
    assert created["basicAuth"] == {"username": "crm"}
    assert created["signature"]["secret"].startswith("whsec_")
    watch_id = created["id"]
    shown = ok(agz.get(f"{path}/{watch_id}"))
    assert "secret" not in shown["signature"]
    assert [x["id"] for x in ok(agz.get(path))["items"]] == [watch_id]
    updated = ok(agz.put(f"{path}/{watch_id}", json={"status": "disabled", "method": "PUT"}))
    assert (updated["status"], updated["method"], updated["name"]) == ("disabled", "PUT", "CRM")
    response = agz.delete(f"{path}/{watch_id}")
    assert response.status_code == 200 and response.content == b""
    refused(agz.get(f"{path}/{watch_id}"), 404)
    assert ok(agz.get(path))["items"] == []


def test_bad_watch_input_is_400_naming_the_property_and_writes_nothing(api: Api) -> None:
    agz, w = Agendize(api), world(api)
    path = appointments_path(w) + "/watch"
    refused(agz.post(path, json={"address": "ftp://x.org/"}), 400, "address")
    refused(agz.post(path, json={"address": "http://127.0.0.1/hook"}), 400, "address")
    refused(agz.post(path, json={"name": "x"}), 400, "address")
    refused(agz.post(path, json={"address": HOOK, "method": "BREW"}), 400, "method")
    refused(agz.post(path, json={"address": HOOK, "schema": '"a": ${$.id'}), 400, "schema")
    refused(agz.post(path, content=b"{not json", headers={"Content-Type": "application/json"}), 400)
    refused(agz.post(path, json=["a"]), 400, "body")
    created = ok(agz.post(path, json={"address": HOOK}))
    refused(agz.put(f"{path}/{created['id']}", json={"status": "maybe"}), 400, "status")
    refused(agz.get(f"{path}/not-an-id"), 404, "watchId")
    assert ok(agz.get(f"{path}/{created['id']}"))["status"] == "enabled"
    assert len(ok(agz.get(path))["items"]) == 1


def test_a_watch_of_another_account_or_company_is_404(api: Api, other_api: Api) -> None:
    agz, w = Agendize(api), world(api)
    path = appointments_path(w) + "/watch"
    created = ok(agz.post(path, json={"address": HOOK}))
    theirs, their_world = Agendize(other_api), world(other_api)
    their_path = appointments_path(their_world) + "/watch"
    refused(theirs.get(f"{their_path}/{created['id']}"), 404)
    refused(theirs.delete(f"{their_path}/{created['id']}"), 404)
    refused(theirs.get(path), 404, "companyId")
    other_company = api.post("/v1/locations", json={"name": "B", "time_zone": "UTC"}).json()
    refused(agz.get(f"/companies/{other_company['id']}/appointments/watch/{created['id']}"), 404)
    assert ok(agz.get(f"{path}/{created['id']}"))["id"] == created["id"]
