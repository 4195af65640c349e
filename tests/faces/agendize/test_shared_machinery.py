"""The shared machinery in front of the Agendize face: ``Idempotency-Key`` (credentials in the
query string or in headers) and the body limit, both answering in the Agendize error body."""

from __future__ import annotations

from sqlalchemy import func, select

from appointd.store import tables
from tests.conftest import Api
from tests.faces.agendize.helpers import (
    MON,
    Agendize,
    appointment_body,
    appointments_path,
    ok,
    refused,
    world,
)
from tests.faces.native.row_counts import row_counts

LIMIT = 1_048_576


def _appointments(api: Api) -> int:
    with api.db.services.engine.connect() as conn:
        t = tables.appointments
        count = select(func.count()).where(t.c.account_id == api.account_id)
        return int(conn.execute(count).scalar_one())


def test_an_insert_retried_with_the_same_key_books_once_and_replays_the_answer(api: Api) -> None:
    agz, w = Agendize(api), world(api)
    body = appointment_body(w, f"{MON}T10:00:00")
    key = {"Idempotency-Key": "agz-insert-1"}
    first = agz.post(appointments_path(w), json=body, headers=key)
    assert first.status_code == 200, first.text
    assert "idempotent-replayed" not in first.headers
    again = agz.post(appointments_path(w), json=body, headers=key)
    assert again.status_code == 200, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert _appointments(api) == 1


def test_the_key_works_with_credentials_in_headers_too(api: Api) -> None:
    w = world(api)
    headers = {
        "apiKey": str(api.account_id),
        "token": api.key,
        "Idempotency-Key": "agz-headers",
    }
    url = "/api/2.1/scheduling" + appointments_path(w)
    body = appointment_body(w, f"{MON}T10:00:00")
    first = api.client.post(url, json=body, headers=headers)
    assert first.status_code == 200, first.text
    again = api.client.post(url, json=body, headers=headers)
    assert again.headers["idempotent-replayed"] == "true"
    assert _appointments(api) == 1


def test_the_same_key_with_another_body_is_422_in_the_agendize_error_body(api: Api) -> None:
    agz, w = Agendize(api), world(api)
    key = {"Idempotency-Key": "agz-insert-2"}
    ok(agz.post(appointments_path(w), json=appointment_body(w, f"{MON}T10:00:00"), headers=key))
    before = row_counts(api.db.services.engine)
    other = appointment_body(w, f"{MON}T11:00:00")
    error = refused(agz.post(appointments_path(w), json=other, headers=key), 422)
    assert error["reason"] == "idempotencyKeyReused"
    assert error["fields"] == ["Idempotency-Key"]
    assert row_counts(api.db.services.engine) == before


def test_a_refused_insert_stores_no_key_and_its_retry_runs_afresh(api: Api) -> None:
    agz, w = Agendize(api), world(api)
    key = {"Idempotency-Key": "agz-insert-3"}
    gap = appointment_body(w, "2030-03-31T01:30:00")  # a spring-forward gap in London
    refused(agz.post(appointments_path(w), json=gap, headers=key), 400, "start.dateTime")
    refused(agz.post(appointments_path(w), json=gap, headers=key), 400, "start.dateTime")
    assert _appointments(api) == 0


def test_an_update_and_a_delete_honour_the_key(api: Api) -> None:
    agz, w = Agendize(api), world(api)
    appt = ok(agz.post(appointments_path(w), json=appointment_body(w, f"{MON}T10:00:00")))
    path = f"{appointments_path(w)}/{appt['id']}"
    key = {"Idempotency-Key": "agz-put"}
    first = ok(agz.put(path, json={"notes": "changed"}, headers=key))
    again = agz.put(path, json={"notes": "changed"}, headers=key)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first
    deleted = agz.delete(path, headers={"Idempotency-Key": "agz-delete"})
    assert deleted.status_code == 200 and deleted.content == b""
    repeat = agz.delete(path, headers={"Idempotency-Key": "agz-delete"})
    assert repeat.status_code == 200
    assert repeat.headers["idempotent-replayed"] == "true"


def test_a_bad_key_is_422_in_the_agendize_error_body(api: Api) -> None:
    agz, w = Agendize(api), world(api)
    body = appointment_body(w, f"{MON}T10:00:00")
    error = refused(
        agz.post(appointments_path(w), json=body, headers={"Idempotency-Key": "a b"}), 422
    )
    assert error["fields"] == ["Idempotency-Key"]
    assert _appointments(api) == 0


def test_wrong_credentials_with_a_key_are_401_as_usual(api: Api) -> None:
    w = world(api)
    url = "/api/2.1/scheduling" + appointments_path(w)
    response = api.client.post(
        url,
        params={"apiKey": str(api.account_id), "token": api.key + "x"},
        json=appointment_body(w, f"{MON}T10:00:00"),
        headers={"Idempotency-Key": "agz-401"},
    )
    refused(response, 401)


def test_a_two_megabyte_body_is_413_in_the_agendize_error_body(api: Api) -> None:
    agz, w = Agendize(api), world(api)
    before = row_counts(api.db.services.engine)
    big = b'{"notes": "' + b"a" * (2 * LIMIT) + b'"}'
    for headers in (
        {"Content-Type": "application/json"},
        # A lying Content-Length does not get the body through: bytes are counted.
        {"Content-Type": "application/json", "Content-Length": "12"},
    ):
        response = agz.post(appointments_path(w), content=big, headers=headers)
        error = refused(response, 413)
        assert error["reason"] == "payloadTooLarge"
        assert error["fields"] == ["body"]
    statuses = api.client.post(
        "/api/2.3/scheduling/statuses", content=big, headers={"Content-Type": "application/json"}
    )
    refused(statuses, 413)
    assert row_counts(api.db.services.engine) == before
