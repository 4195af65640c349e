"""The native face parses ids and times with the shared strict parsers, in paths, queries and
bodies alike."""

from __future__ import annotations

import pytest

from tests.conftest import Api
from tests.factories import book, clinic

PROBLEM = "application/problem+json"


@pytest.mark.parametrize("bad", ["1_0", "%EF%BC%91", "+1", "9223372036854775808", "0", "1.0"])
def test_a_path_id_that_is_not_ascii_digits_within_64_bits_is_404(api: Api, bad: str) -> None:
    world = clinic(api)
    client_id = world["client"]["id"]
    assert api.get(f"/v1/clients/{client_id}").status_code == 200
    response = api.get(f"/v1/clients/{bad}")
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == PROBLEM


def test_an_underscored_path_id_no_longer_reads_another_object(api: Api) -> None:
    world = clinic(api)
    for _ in range(10):
        clinic(api)
    ten = api.get("/v1/clients/10")
    assert api.get("/v1/clients/1_0").status_code == 404
    assert ten.status_code in (200, 404)
    assert world  # the first client is still readable by its plain id
    assert api.get(f"/v1/clients/{world['client']['id']}").status_code == 200


@pytest.mark.parametrize("bad", ["0.5", "1700000000", "2026-05-04", "2026-05-04T09:00:00+0200"])
def test_a_query_time_is_parsed_like_a_body_time_and_names_the_parameter(
    api: Api, bad: str
) -> None:
    for path in ("/v1/class-sessions", "/v1/appointments"):
        response = api.get(path, params={"to": bad})
        assert response.status_code == 422, (path, response.text)
        assert [e["field"] for e in response.json()["errors"]] == ["to"]


@pytest.mark.parametrize("bad", ["1_0", "\uff11", "2,x", "18446744073709551616"])
def test_a_query_id_is_strict_and_names_the_parameter(api: Api, bad: str) -> None:
    response = api.get("/v1/appointments", params={"staff_id": bad})
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["staff_id"]
    world = clinic(api)
    params = {
        "service_id": bad,
        "location_id": world["location"]["id"],
        "from": "2030-01-07",
        "to": "2030-01-08",
    }
    response = api.get("/v1/availability", params=params)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["service_id"]


@pytest.mark.parametrize("bad", [0.5, 1700000000, "0.5", "2030-01-07", "1899-01-07T10:00:00Z"])
def test_a_body_time_is_refused_by_the_same_parser(api: Api, bad: object) -> None:
    world = clinic(api)
    response = book(api, world, bad)  # type: ignore[arg-type]
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["start"]


@pytest.mark.parametrize("bad", ["12", True, 0, 2**63, 1.5])
def test_a_body_id_is_a_json_integer_within_64_bits(api: Api, bad: object) -> None:
    world = clinic(api)
    response = book(api, world, "2030-01-07T10:00:00+00:00", client_id=bad)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["client_id"]


def test_a_date_query_is_exactly_yyyy_mm_dd(api: Api) -> None:
    world = clinic(api)
    params = {
        "service_id": world["service"]["id"],
        "location_id": world["location"]["id"],
        "from": "20300107",
        "to": "2030-01-08",
    }
    response = api.get("/v1/availability", params=params)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["from"]
