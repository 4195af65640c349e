"""``Idempotency-Key`` and the body limit under ``/cliniko/v1``: the shared machinery answers in
Cliniko's error format and authenticates the Cliniko way (HTTP Basic)."""

from __future__ import annotations

from typing import Any

from tests.faces.cliniko.conftest import BASE, Cliniko, appointment_body, at, basic, next_weekday
from tests.faces.native.row_counts import row_counts

LIMIT = 1_048_576


def _key(value: str) -> dict[str, str]:
    return {"Idempotency-Key": value}


def _count(c: Cliniko) -> int:
    total: int = c.get("/individual_appointments").json()["total_entries"]
    return total


def test_a_create_retried_with_the_same_key_books_once_and_replays(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    body = appointment_body(world, at(next_weekday(), 10))
    first = cliniko.post("/individual_appointments", json=body, headers=_key("book-1"))
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    again = cliniko.post("/individual_appointments", json=body, headers=_key("book-1"))
    assert again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["Location"] == first.headers["Location"]
    assert _count(cliniko) == 1


def test_the_same_key_with_another_body_is_422_in_clinikos_format(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    day = next_weekday()
    first = cliniko.post(
        "/individual_appointments", json=appointment_body(world, at(day, 10)), headers=_key("k")
    )
    assert first.status_code == 201, first.text
    before = row_counts(cliniko.api.db.services.engine)
    other = cliniko.post(
        "/individual_appointments", json=appointment_body(world, at(day, 11)), headers=_key("k")
    )
    assert other.status_code == 422, other.text
    doc = other.json()
    assert doc["message"] == "Validation Failed"
    assert list(doc["errors"]) == ["Idempotency-Key"]
    assert isinstance(doc["errors"]["Idempotency-Key"], str)
    assert row_counts(cliniko.api.db.services.engine) == before


def test_a_key_of_invisible_characters_is_422_naming_it(cliniko: Cliniko) -> None:
    response = cliniko.post(
        "/patients", json={"first_name": "A", "last_name": "B"}, headers=_key("with space")
    )
    assert response.status_code == 422, response.text
    assert list(response.json()["errors"]) == ["Idempotency-Key"]


def test_keys_belong_to_an_account(
    cliniko: Cliniko, other_cliniko: Cliniko, world: dict[str, Any]
) -> None:
    body = {"first_name": "Ann", "last_name": "Lee"}
    mine = cliniko.post("/patients", json=body, headers=_key("shared-key"))
    theirs = other_cliniko.post("/patients", json=body, headers=_key("shared-key"))
    assert mine.status_code == theirs.status_code == 201
    assert "idempotent-replayed" not in theirs.headers
    assert mine.json()["id"] != theirs.json()["id"]


def test_a_refused_request_keeps_no_key_and_its_retry_runs(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    bad = cliniko.post("/patients", json={"first_name": "Ann"}, headers=_key("retry"))
    assert bad.status_code == 422
    good = cliniko.post(
        "/patients", json={"first_name": "Ann", "last_name": "Lee"}, headers=_key("retry")
    )
    assert good.status_code == 201, good.text
    assert "idempotent-replayed" not in good.headers


def test_a_cancel_and_a_patient_update_replay(cliniko: Cliniko, world: dict[str, Any]) -> None:
    appt = cliniko.post(
        "/individual_appointments", json=appointment_body(world, at(next_weekday(), 10))
    ).json()
    cancel = {"cancellation_reason": 30}
    path = f"/individual_appointments/{appt['id']}/cancel"
    assert cliniko.patch(path, json=cancel, headers=_key("c1")).status_code == 204
    replay = cliniko.patch(path, json=cancel, headers=_key("c1"))
    assert replay.status_code == 204
    assert replay.headers["Idempotent-Replayed"] == "true"
    patient = cliniko.post("/patients", json={"first_name": "A", "last_name": "B"}).json()
    change = {"last_name": "C"}
    one = cliniko.patch(f"/patients/{patient['id']}", json=change, headers=_key("u1"))
    two = cliniko.patch(f"/patients/{patient['id']}", json=change, headers=_key("u1"))
    assert one.status_code == two.status_code == 200
    assert two.json() == one.json()
    assert two.headers["Idempotent-Replayed"] == "true"


def test_wrong_credentials_with_a_key_are_401(cliniko: Cliniko) -> None:
    response = cliniko.client.post(
        BASE + "/patients",
        json={"first_name": "A", "last_name": "B"},
        headers={**basic("not-a-key"), **_key("k")},
    )
    assert response.status_code == 401
    assert response.json() == {"message": "HTTP Basic: Access denied."}


def test_a_two_megabyte_body_is_413_in_clinikos_format(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    engine = cliniko.api.db.services.engine
    before = row_counts(engine)
    big = b'{"first_name": "' + b"a" * (2 * LIMIT) + b'", "last_name": "B"}'
    response = cliniko.post("/patients", content=big, headers={"Content-Type": "application/json"})
    assert response.status_code == 413, response.text[:200]
    assert list(response.json()) == ["message"]
    assert isinstance(response.json()["message"], str)
    assert row_counts(engine) == before


def test_a_lying_content_length_does_not_get_a_big_body_through(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    engine = cliniko.api.db.services.engine
    before = row_counts(engine)
    body = appointment_body(world, at(next_weekday(), 10))
    raw = (str(body).replace("'", '"')[:-1] + ', "notes": "' + "n" * (2 * LIMIT) + '"}').encode()
    response = cliniko.post(
        "/individual_appointments",
        content=raw,
        headers={"Content-Type": "application/json", "Content-Length": "40", **_key("big")},
    )
    assert response.status_code == 413, response.text[:200]
    assert list(response.json()) == ["message"]
    assert row_counts(engine) == before


def test_the_shared_machinerys_errors_render_in_clinikos_format(cliniko: Cliniko) -> None:
    """The 409 of a key whose first request is still running cannot be staged over one
    in-process client; the renderer the application registered answers it."""
    import json

    from appointd.domain.errors import Conflict, Invalid
    from appointd.faces.cliniko.errors import render_status
    from appointd.faces.shared.errors import renderer_for

    assert renderer_for(BASE + "/patients") is render_status
    busy = render_status(409, Conflict("the first request with key 'k' is still in progress"))
    assert busy.status_code == 409
    assert json.loads(busy.body) == {
        "message": "the first request with key 'k' is still in progress"
    }
    reused = render_status(422, Invalid.field("Idempotency-Key", "already used"))
    assert reused.status_code == 422
    assert json.loads(reused.body) == {
        "message": "Validation Failed",
        "errors": {"Idempotency-Key": "already used"},
    }
