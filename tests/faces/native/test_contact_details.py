"""Contact details and integrators' ids through /v1 (migration 0010).

Staff carry ``phone`` and ``external_id``; services and resources ``external_id``; clients
``phones``, ``address``, ``date_of_birth`` and ``notes`` (their face-private ``extra`` is never
shown). The rules are the core's (appointd.domain.contacts): a 422 names the field.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.factories import create_location

PROBLEM = "application/problem+json"


def _fields(response: Any) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    return [e["field"] for e in response.json()["errors"]]


def _client(api: Api, **fields: Any) -> Any:
    return api.post("/v1/clients", json={"first_name": "Grace", **fields})


def test_a_client_round_trips_phones_address_birth_date_and_notes(api: Api) -> None:
    body = {
        "first_name": "Grace",
        "last_name": "Hopper",
        "phones": [
            {"type": "home", "number": "+1 (212) 555-0100"},
            {"type": "mobile", "number": "+1 212.555.0199"},
        ],
        "address": {"line1": "1 Navy Way", "city": "Arlington", "country": "US"},
        "date_of_birth": "1906-12-09",
        "notes": "Bring the nanosecond wire.",
    }
    created = api.post("/v1/clients", json=body)
    assert created.status_code == 201, created.text
    out = created.json()
    assert out["phones"] == body["phones"]
    # phones without phone: the primary number is the first mobile one.
    assert out["phone"] == "+1 212.555.0199"
    assert out["address"] == {
        "line1": "1 Navy Way",
        "line2": None,
        "line3": None,
        "city": "Arlington",
        "state": None,
        "postal_code": None,
        "country": "US",
    }
    assert out["date_of_birth"] == "1906-12-09"
    assert out["notes"] == "Bring the nanosecond wire."
    assert "extra" not in out
    got = api.get(f"/v1/clients/{out['id']}").json()
    assert got == out
    listed = api.get("/v1/clients").json()["items"]
    assert [c for c in listed if c["id"] == out["id"]] == [out]


def test_phones_without_a_mobile_make_the_first_number_primary(api: Api) -> None:
    out = _client(
        api, phones=[{"type": "work", "number": "030 1234"}, {"type": "home", "number": "030 99"}]
    ).json()
    assert out["phone"] == "030 1234"


def test_a_phone_given_with_phones_stays_the_primary_number(api: Api) -> None:
    out = _client(
        api, phone="+44 20 7946 0000", phones=[{"type": "mobile", "number": "+44 7700 900000"}]
    ).json()
    assert out["phone"] == "+44 20 7946 0000"


def test_patching_phones_resets_the_primary_number_and_other_fields_stay(api: Api) -> None:
    created = _client(
        api,
        phones=[{"type": "mobile", "number": "0170 1"}],
        address={"city": "Bonn"},
        date_of_birth="1990-01-31",
        notes="n",
    ).json()
    path = f"/v1/clients/{created['id']}"
    patched = api.patch(path, json={"phones": [{"type": "home", "number": "0228 5"}]})
    assert patched.status_code == 200, patched.text
    out = patched.json()
    assert out["phones"] == [{"type": "home", "number": "0228 5"}]
    assert out["phone"] == "0228 5"
    assert out["address"]["city"] == "Bonn"
    assert out["date_of_birth"] == "1990-01-31"
    cleared = api.patch(
        path, json={"phones": [], "address": None, "date_of_birth": None, "notes": None}
    ).json()
    assert (cleared["phones"], cleared["phone"], cleared["address"]) == ([], None, None)
    assert (cleared["date_of_birth"], cleared["notes"]) == (None, None)
    # phone alone leaves phones as they are
    api.patch(path, json={"phones": [{"type": "fax", "number": "1"}]})
    alone = api.patch(path, json={"phone": "2"}).json()
    assert (alone["phone"], alone["phones"]) == ("2", [{"type": "fax", "number": "1"}])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"phones": [{"type": "pager", "number": "1"}]}, "phones[0].type"),
        ({"phones": [{"type": "mobile", "number": "call me"}]}, "phones[0].number"),
        ({"phones": [{"type": "mobile", "number": "+-()."}]}, "phones[0].number"),
        ({"phones": [{"type": "mobile", "number": "1" * 65}]}, "phones[0].number"),
        (
            {"phones": [{"type": "home", "number": "1"}, {"type": "work", "number": ""}]},
            "phones[1].number",
        ),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"date_of_birth": "1899-12-31"}, "date_of_birth"),
        ({"date_of_birth": "1990-02-30"}, "date_of_birth"),
        ({"date_of_birth": "yesterday"}, "date_of_birth"),
        ({"date_of_birth": "2019-W01-1"}, "date_of_birth"),
        ({"phones": [{"type": "mobile", "number": "1\n"}]}, "phones[0].number"),
        ({"address": {"city": "x" * 201}}, "address.city"),
        ({"external_id": ""}, "external_id"),
        ({"external_id": "x" * 201}, "external_id"),
    ],
)
def test_client_contact_rules_answer_422_naming_the_field(
    api: Api, body: dict[str, Any], field: str
) -> None:
    assert field in " ".join(_fields(_client(api, **body)))
    assert api.get("/v1/clients").json()["total"] == 0  # nothing written
    existing = _client(api).json()
    assert field in " ".join(_fields(api.patch(f"/v1/clients/{existing['id']}", json=body)))


def test_more_than_ten_phones_are_refused(api: Api) -> None:
    phones = [{"type": "other", "number": str(i)} for i in range(11)]
    assert "phones" in " ".join(_fields(_client(api, phones=phones)))
    ten = _client(api, phones=phones[:10])
    assert ten.status_code == 201
    assert len(ten.json()["phones"]) == 10


def test_phones_may_not_be_null_nor_carry_unknown_fields(api: Api) -> None:
    existing = _client(api).json()
    assert "phones" in " ".join(
        _fields(api.patch(f"/v1/clients/{existing['id']}", json={"phones": None}))
    )
    bad = _client(api, phones=[{"type": "home", "number": "1", "ext": "2"}])
    assert bad.status_code == 422


def test_staff_phone_and_external_id_round_trip_and_are_checked(api: Api) -> None:
    location = create_location(api)
    body = {
        "first_name": "Noor",
        "location_ids": [location["id"]],
        "phone": "+49 170 1",
        "external_id": "emp-7",
    }
    created = api.post("/v1/staff", json=body)
    assert created.status_code == 201, created.text
    out = created.json()
    assert (out["phone"], out["external_id"]) == ("+49 170 1", "emp-7")
    assert api.get(f"/v1/staff/{out['id']}").json()["external_id"] == "emp-7"
    patched = api.patch(f"/v1/staff/{out['id']}", json={"phone": None, "external_id": "emp-8"})
    assert (patched.json()["phone"], patched.json()["external_id"]) == (None, "emp-8")
    assert "phone" in _fields(api.patch(f"/v1/staff/{out['id']}", json={"phone": "ring ring"}))
    assert "external_id" in _fields(api.patch(f"/v1/staff/{out['id']}", json={"external_id": ""}))
    assert "phone" in _fields(api.post("/v1/staff", json={**body, "phone": "abc"}))


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/staff", {"first_name": "Ana", "time_zone": "Europe/Berlin"}),
        ("/v1/services", {"name": "Massage", "duration_minutes": 30}),
        ("/v1/resources", {"name": "Room"}),
        ("/v1/clients", {"first_name": "Mia"}),
    ],
)
def test_lists_filter_on_external_id(api: Api, other_api: Api, path: str, body: Any) -> None:
    first = api.post(path, json={**body, "external_id": "ext-1"})
    assert first.status_code == 201, first.text
    assert first.json()["external_id"] == "ext-1"
    api.post(path, json={**body, "external_id": "ext-2"})
    api.post(path, json=body)
    other_api.post(path, json={**body, "external_id": "ext-1"})  # another account's

    found = api.get(path, params={"external_id": "ext-1"})
    assert found.status_code == 200, found.text
    assert [i["id"] for i in found.json()["items"]] == [first.json()["id"]]
    assert found.json()["total"] == 1
    assert api.get(path, params={"external_id": "nope"}).json()["items"] == []
    assert api.get(path).json()["total"] == 3
    changed = api.patch(f"{path}/{first.json()['id']}", json={"external_id": "ext-3"})
    assert changed.json()["external_id"] == "ext-3"
    assert api.get(path, params={"external_id": "ext-1"}).json()["total"] == 0
    assert api.get(path, params={"external_id": ""}).status_code == 422
    assert api.get(path, params={"external_id": "a\x00b"}).status_code == 422
    assert "external_id" in _fields(api.post(path, json={**body, "external_id": "x" * 201}))


def test_locations_take_no_external_id(api: Api) -> None:
    body = {"name": "Harbour", "time_zone": "Europe/London", "external_id": "x"}
    assert api.post("/v1/locations", json=body).status_code == 422


def test_the_document_states_the_contact_rules(api: Api) -> None:
    doc = api.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    phones = schemas["ClientIn"]["properties"]["phones"]
    assert phones["maxItems"] == 10
    phone = schemas["PhoneIn"]["properties"]
    assert phone["type"]["enum"] == ["mobile", "home", "work", "fax", "other"]
    assert phone["number"]["maxLength"] == 64
    params = {p["name"] for p in doc["paths"]["/v1/staff"]["get"]["parameters"]}
    assert "external_id" in params
    params = {p["name"] for p in doc["paths"]["/v1/locations"]["get"]["parameters"]}
    assert "external_id" not in params
