"""Text the databases cannot store (U+0000, lone surrogates) is refused by every face with a 4xx
naming the field, and nothing is written (on PostgreSQL it was a 500 at the insert)."""

from __future__ import annotations

import base64

import pytest

from appointd.domain.errors import Invalid
from appointd.faces.shared.parsing import check_storable, unstorable
from tests.conftest import Api
from tests.faces.native.row_counts import row_counts
from tests.faces.timetap.conftest import TimeTap

NUL = "a\u0000b"


def test_the_path_of_the_first_unstorable_text_is_named() -> None:
    assert unstorable({"client": {"firstName": NUL}}) == (
        "client.firstName",
        "must not contain NUL characters",
    )
    assert unstorable({"phones": [{"number": "1"}, {"number": "\ud800"}]}) == (
        "phones[1].number",
        "must be valid Unicode text (no lone surrogates)",
    )
    assert unstorable({NUL: 1}) == (NUL, "must not contain NUL characters")
    assert unstorable({"ok": ["text", 1, None, {"x": "y"}]}) is None
    with pytest.raises(Invalid) as refused:
        check_storable({"notes": NUL})
    assert refused.value.errors[0].field == "notes"


def test_cliniko_refuses_nul_naming_the_field_and_writes_nothing(api: Api) -> None:
    basic = base64.b64encode(f"{api.key}:".encode()).decode()
    before = row_counts(api.db.services.engine)
    answer = api.client.post(
        "/cliniko/v1/patients",
        json={"first_name": NUL, "last_name": "x"},
        headers={"Authorization": f"Basic {basic}", "Accept": "application/json"},
    )
    assert answer.status_code == 422, answer.text
    assert "first_name" in answer.json()["errors"]
    assert row_counts(api.db.services.engine) == before


def test_agendize_refuses_nul_naming_the_field_and_writes_nothing(api: Api) -> None:
    location = api.post("/v1/locations", json={"name": "Here", "time_zone": "Europe/London"}).json()
    before = row_counts(api.db.services.engine)
    answer = api.client.post(
        f"/api/2.1/scheduling/companies/{location['id']}/clients",
        params={"apiKey": api.account_id, "token": api.key},
        json={"firstName": "Ann", "lastName": NUL},
    )
    assert 400 <= answer.status_code < 500, answer.text
    assert "lastName" in answer.text
    assert row_counts(api.db.services.engine) == before


def test_timetap_refuses_nul_naming_the_field_and_writes_nothing(api: Api) -> None:
    timetap = TimeTap(api)
    before = row_counts(api.db.services.engine)
    answer = timetap.request("POST", "/clients", json={"firstName": "Ann", "lastName": NUL})
    assert 400 <= answer.status_code < 500, answer.text
    assert "lastName" in answer.text
    assert row_counts(api.db.services.engine) == before


def test_a_nul_in_a_query_string_is_422_naming_the_parameter_in_every_face(api: Api) -> None:
    basic = base64.b64encode(f"{api.key}:".encode()).decode()
    native = api.get("/v1/appointments", params={"external_id": NUL})
    assert native.status_code == 422, native.text
    assert native.json()["errors"][0]["field"] == "external_id"
    cliniko = api.client.get(
        "/cliniko/v1/patients",
        params={"q[]": f"first_name:={NUL}"},
        headers={"Authorization": f"Basic {basic}", "Accept": "application/json"},
    )
    assert cliniko.status_code == 422, cliniko.text
    assert "q[]" in cliniko.json()["errors"]
    agendize = api.client.get(
        "/api/2.1/scheduling/companies/1/appointments",
        params={"apiKey": api.account_id, "token": api.key, "q": NUL},
    )
    assert agendize.status_code == 422, agendize.text
    assert '"q"' in agendize.text
    # A query without U+0000 goes through untouched.
    assert api.get("/v1/appointments", params={"external_id": "a%00b"}).status_code == 200
