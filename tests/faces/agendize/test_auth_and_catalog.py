"""Authentication (apiKey/token anywhere, any case) and the catalog around appointments."""

from __future__ import annotations

from tests.conftest import Api
from tests.faces.agendize.helpers import BASE, Agendize, ok, refused, world
from tests.factories import create_resource


def test_api_key_and_token_work_as_query_parameters_or_headers_in_any_case(api: Api) -> None:
    w = world(api)
    path = f"{BASE}/companies/{w['location']['id']}"
    client = api.client
    key, account = api.key, str(api.account_id)
    for params, headers in (
        ({"apiKey": account, "token": key}, {}),
        ({"apikey": account, "TOKEN": key}, {}),
        ({}, {"apiKey": account, "token": key}),
        ({}, {"APIKEY": account, "Token": key}),
        ({"apiKey": account}, {"token": key}),
        ({}, {"Authorization": f"Bearer {key}"}),
    ):
        assert client.get(path, params=params, headers=headers).status_code == 200, (
            params,
            headers,
        )


def test_missing_wrong_or_mismatched_credentials_are_401_in_the_agendize_error_body(
    api: Api, other_api: Api
) -> None:
    w = world(api)
    path = f"{BASE}/companies/{w['location']['id']}/appointments"
    client = api.client
    for params in (
        {},
        {"apiKey": str(api.account_id)},
        {"token": api.key},
        {"apiKey": str(api.account_id), "token": "apd_wrong"},
        {"apiKey": str(other_api.account_id), "token": api.key},
    ):
        error = refused(client.get(path, params=params), 401)
        assert error["reason"] == "unauthorized"
    refused(client.post(path, params={}, content=b"{oops"), 401)


def test_companies_services_staff_resources_and_clients_are_the_account_s(api: Api) -> None:
    agz, w = Agendize(api), world(api, price="40.00", currency="EUR")
    cid = str(w["location"]["id"])
    companies = ok(agz.get("/companies"))["items"]
    assert [c["id"] for c in companies] == [cid]
    company = ok(agz.get(f"/companies/{cid}"))
    assert company["timeZone"] == "Europe/London" and company["name"] == "Main street"
    services = ok(agz.get(f"/companies/{cid}/services"))["items"]
    assert services[0]["id"] == str(w["service"]["id"]) and services[0]["duration"] == 30
    assert ok(agz.get(f"/companies/{cid}/services/{w['service']['id']}"))["price"] == 40.0
    staff = ok(agz.get(f"/companies/{cid}/staff"))["items"]
    assert [s["firstName"] for s in staff] == ["Sam"]
    assert ok(agz.get(f"/companies/{cid}/staff/{w['staff']['id']}"))["lastName"] == "Carter"
    room = create_resource(api)
    assert [r["id"] for r in ok(agz.get(f"/companies/{cid}/resources"))["items"]] == [
        str(room["id"])
    ]
    assert ok(agz.get(f"/companies/{cid}/resources/{room['id']}"))["name"] == "Room 1"
    clients = ok(agz.get(f"/companies/{cid}/clients"))["items"]
    assert clients[0]["email"] == "ada@example.org"
    created = ok(
        agz.post(
            f"/companies/{cid}/clients",
            json={
                "firstName": "Grace",
                "lastName": "Hopper",
                "email": "grace@example.org",
                "mobilePhone": "+33600000000",
                "timeZone": "Europe/Paris",
                "externalId": "crm-1",
            },
        )
    )
    assert created["phone"] == "+33600000000" and created["externalId"] == "crm-1"
    assert ok(agz.get(f"/companies/{cid}/clients/{created['id']}")) == created
    native = api.get(f"/v1/clients/{created['id']}").json()
    assert native["external_id"] == "crm-1"


def test_client_creation_refuses_bad_input_naming_the_property(api: Api) -> None:
    agz, w = Agendize(api), world(api)
    path = f"/companies/{w['location']['id']}/clients"
    refused(agz.post(path, json={"lastName": "x"}), 400, "firstName")
    refused(agz.post(path, json={"firstName": 3}), 400, "firstName")
    refused(agz.post(path, json={"firstName": "a", "email": "nope"}), 400, "email")
    refused(agz.post(path, json={"firstName": "a", "timeZone": "Mars/Base"}), 400, "timeZone")
    refused(agz.post(path, json="x"), 400, "body")
    assert len(ok(agz.get(path))["items"]) == 1


def test_unknown_foreign_or_malformed_catalog_ids_in_paths_are_404(
    api: Api, other_api: Api
) -> None:
    agz, w = Agendize(api), world(api)
    theirs = world(other_api)
    cid = w["location"]["id"]
    refused(agz.get(f"/companies/{theirs['location']['id']}"), 404, "companyId")
    refused(agz.get(f"/companies/{cid}/services/{theirs['service']['id']}"), 404)
    refused(agz.get(f"/companies/{cid}/staff/{theirs['staff']['id']}"), 404)
    refused(agz.get(f"/companies/{cid}/clients/{theirs['client']['id']}"), 404)
    refused(agz.get(f"/companies/{cid}/clients/99999999999999999999"), 404, "client.id")
    refused(agz.get("/companies/abc"), 404, "companyId")


def test_the_statuses_api_lists_the_native_statuses(api: Api) -> None:
    agz = Agendize(api)
    items = ok(agz.get("/api/2.3/scheduling/statuses"))["items"]
    assert {s["id"] for s in items} == {
        "accepted",
        "pending",
        "inProgress",
        "completed",
        "noShow",
        "declined",
        "cancelled",
    }
    assert all(s["native"] for s in items)


def test_an_unknown_path_or_method_is_404_in_the_agendize_error_body(api: Api) -> None:
    agz, w = Agendize(api), world(api)
    refused(agz.get("/companies/1/nothing-here"), 404, "path")
    refused(agz.request("PATCH", f"/companies/{w['location']['id']}/appointments/1"), 404)
    refused(agz.get("/api/2.3/scheduling/unknown"), 404)
