"""The list grammar: q[] filters and operators, sort and order, paging envelope and links."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.conftest import StatementCounter
from tests.faces.cliniko.conftest import Cliniko, appointment_body, at, next_weekday


def _book(cliniko: Cliniko, world: dict[str, Any], hours: range) -> list[dict[str, Any]]:
    day = next_weekday()
    out = []
    for hour in hours:
        r = cliniko.post("/individual_appointments", json=appointment_body(world, at(day, hour)))
        assert r.status_code == 201, r.text
        out.append(r.json())
    return out


def _ids(body: dict[str, Any]) -> list[str]:
    return [a["id"] for a in body["individual_appointments"]]


def test_q_filters_on_starts_at_ids_and_people_with_cliniko_operators(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    booked = _book(cliniko, world, range(9, 14))
    ids = [b["id"] for b in booked]
    day = next_weekday()

    def listed(*q: str) -> list[str]:
        r = cliniko.get("/individual_appointments", params=[("q[]", x) for x in q])
        assert r.status_code == 200, r.text
        return _ids(r.json())

    assert listed(f"starts_at:>{at(day, 11)}") == ids[3:]
    assert listed(f"starts_at:>={at(day, 11)}") == ids[2:]
    assert listed(f"starts_at:<{at(day, 11)}", f"starts_at:>{at(day, 9)}") == ids[1:2]
    assert listed(f"starts_at:<={at(day, 10)}") == ids[:2]
    assert listed(f"id:={ids[0]},{ids[4]}") == [ids[0], ids[4]]
    assert listed(f"id:!={ids[0]}") == ids[1:]
    assert listed(f"id:>{ids[2]}") == ids[3:]
    assert listed(f"practitioner_id:={world['staff']['id']}") == ids
    assert listed(f"patient_id:={world['client']['id']}") == ids
    assert listed("patient_id:=999999") == []
    assert listed(f"business_id:={world['location']['id']}", "ends_at:?") == ids
    assert listed("archived_at:!?") == ids
    assert listed("repeated_from_id:!?") == ids
    assert listed("updated_at:>2000-01-01T00:00:00Z") == ids


def test_q_on_updated_at_returns_what_changed_since_archived_ones_when_asked(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    a, b, _ = _book(cliniko, world, range(9, 12))
    import time
    from datetime import UTC, datetime

    time.sleep(1.1)  # instants have one-second resolution on the wire
    mark = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    cliniko.patch(f"/individual_appointments/{a['id']}", json={"notes": "changed"})
    cliniko.post(f"/individual_appointments/{b['id']}/archive")
    changed = cliniko.get("/individual_appointments", params={"q[]": f"updated_at:>{mark}"})
    assert _ids(changed.json()) == [a["id"]]
    with_archived = cliniko.get(
        "/individual_appointments",
        params=[("q[]", f"updated_at:>{mark}"), ("q[]", "archived_at:*")],
    )
    assert sorted(_ids(with_archived.json())) == sorted([a["id"], b["id"]])


def test_unknown_fields_operators_and_values_in_q_are_400(cliniko: Cliniko) -> None:
    for q in (
        "colour:=red",
        "starts_at:=2020-01-01T00:00:00Z",
        "starts_at:>yesterday",
        "id:~1",
        "id:=abc",
        "starts_at",
        "archived_at:?x",
        "repeated_from_id:>1",
    ):
        r = cliniko.get("/individual_appointments", params={"q[]": q})
        assert r.status_code == 400, q
        assert isinstance(r.json()["message"], str)
    for params in (
        {"sort": "colour"},
        {"sort": "starts_at:up"},
        {"order": "sideways"},
        {"per_page": "0"},
        {"per_page": "101"},
        {"page": "0"},
        {"page": "x"},
    ):
        assert cliniko.get("/individual_appointments", params=params).status_code == 400, params


def test_sort_and_the_deprecated_order(cliniko: Cliniko, world: dict[str, Any]) -> None:
    ids = [b["id"] for b in _book(cliniko, world, range(9, 13))]
    assert _ids(cliniko.get("/individual_appointments").json()) == ids
    desc = cliniko.get("/individual_appointments", params={"sort": "starts_at:desc"})
    assert _ids(desc.json()) == ids[::-1]
    assert (
        _ids(cliniko.get("/individual_appointments", params={"order": "desc"}).json()) == ids[::-1]
    )
    both = cliniko.get("/individual_appointments", params={"sort": "ends_at,created_at:desc"})
    assert _ids(both.json()) == ids


def test_pages_have_absolute_percent_encoded_links_that_keep_the_query(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    ids = [b["id"] for b in _book(cliniko, world, range(9, 14))]
    params = [("per_page", "2"), ("q[]", "starts_at:>2000-01-01T00:00:00Z"), ("page", "2")]
    body = cliniko.get("/individual_appointments", params=params).json()
    assert body["total_entries"] == 5 and _ids(body) == ids[2:4]
    links = body["links"]
    for name in ("self", "next", "previous"):
        url = links[name]
        assert url.startswith("http://testserver/cliniko/v1/individual_appointments?")
        assert "[" not in url and ">" not in url and "q%5B%5D=starts_at%3A%3E2000" in url
    assert dict(parse_qsl(urlsplit(links["next"]).query))["page"] == "3"
    assert dict(parse_qsl(urlsplit(links["previous"]).query))["page"] == "1"
    last = cliniko.get(links["next"].replace("http://testserver/cliniko/v1", "")).json()
    assert _ids(last) == ids[4:] and "next" not in last["links"]
    first = cliniko.get("/individual_appointments", params={"per_page": "2"}).json()
    assert "previous" not in first["links"] and "next" in first["links"]


def test_a_page_of_100_costs_the_same_statements_as_a_page_of_1(
    cliniko: Cliniko, world: dict[str, Any], count_statements: StatementCounter
) -> None:
    from datetime import timedelta

    day = next_weekday()
    rule = {"repeat_type": "Weekly", "number_of_repeats": 9, "repeating_interval": 1}
    for hour in (9, 10):
        cliniko.post(
            "/individual_appointments",
            json=appointment_body(world, at(day, hour), repeat_rule=rule),
        )
    for n in range(80):
        start = day + timedelta(days=20 + n // 8)
        body = appointment_body(world, at(start, 9 + n % 8))
        assert (
            cliniko.api.post(
                "/v1/appointments",
                json={
                    "location_id": world["location"]["id"],
                    "service_id": world["service"]["id"],
                    "staff_id": world["staff"]["id"],
                    "client_id": world["client"]["id"],
                    "start": body["starts_at"],
                    "override": True,
                },
            ).status_code
            == 201
        )
    counts = {}
    for per_page in ("1", "100"):
        with count_statements as counter:
            r = cliniko.get("/individual_appointments", params={"per_page": per_page})
        assert r.status_code == 200
        counts[per_page] = counter.count
        counter.count = 0
    assert len(r.json()["individual_appointments"]) == 100
    assert counts["1"] == counts["100"] <= 6, counts
