"""The shared machinery in front of the TimeTap face: ``Idempotency-Key`` on its writes and the
one body limit, both answering in TimeTap's error shape."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select

from appointd.store import tables
from tests.conftest import Api
from tests.faces.native.row_counts import row_counts
from tests.faces.timetap.conftest import TimeTap, refused
from tests.faces.timetap.world import MON, body, clinic

TWO_MB = 2 * 1024 * 1024


def _appointments(api: Api) -> int:
    t = tables.appointments
    with api.db.services.engine.connect() as conn:
        query = select(func.count()).where(t.c.account_id == api.account_id)
        return int(conn.execute(query).scalar_one())


def test_a_booking_retried_with_the_same_key_is_booked_once_and_replayed(
    tt: TimeTap, api: Api
) -> None:
    world = clinic(api)
    key = {"Idempotency-Key": "tt-booking-1"}
    first = tt.post("/appointments", json=body(world, MON, 1000, 1030), headers=key)
    assert first.status_code == 200, first.text
    assert "idempotent-replayed" not in first.headers
    again = tt.post("/appointments", json=body(world, MON, 1000, 1030), headers=key)
    assert again.status_code == 200, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert _appointments(api) == 1
    # Without the key the same body is a second booking attempt (the time is taken: 409).
    refused(tt.post("/appointments", json=body(world, MON, 1000, 1030)), 409)


def test_the_same_key_with_another_body_is_422_in_timetaps_shape(tt: TimeTap, api: Api) -> None:
    world = clinic(api)
    key = {"Idempotency-Key": "tt-booking-2"}
    assert tt.post("/appointments", json=body(world, MON, 1000, 1030), headers=key).is_success
    before = row_counts(api.db.services.engine)
    other = tt.post("/appointments", json=body(world, MON, 1100, 1130), headers=key)
    error = refused(other, 422, "Idempotency-Key")
    assert error["error"] == "UNPROCESSABLE_ENTITY"
    assert row_counts(api.db.services.engine) == before
    assert _appointments(api) == 1


def test_a_refused_request_stores_no_key_and_its_retry_runs(tt: TimeTap, api: Api) -> None:
    world = clinic(api)
    key = {"Idempotency-Key": "tt-booking-3"}
    refused(tt.post("/appointments", json=body(world, MON, 1275), headers=key), 400)
    fixed = tt.post("/appointments", json=body(world, MON, 1000, 1030), headers=key)
    assert fixed.status_code == 200, fixed.text
    assert "idempotent-replayed" not in fixed.headers


def test_keys_belong_to_the_session_tokens_account(
    tt: TimeTap, other_tt: TimeTap, api: Api, other_api: Api
) -> None:
    mine, theirs = clinic(api), clinic(other_api)
    key = {"Idempotency-Key": "shared-name"}
    assert tt.post("/appointments", json=body(mine, MON, 1000, 1030), headers=key).is_success
    answer = other_tt.post("/appointments", json=body(theirs, MON, 1000, 1030), headers=key)
    assert answer.status_code == 200 and "idempotent-replayed" not in answer.headers
    assert answer.json()["businessId"] == other_api.account_id


def test_a_bad_key_is_422_and_an_unknown_token_is_still_401(tt: TimeTap, api: Api) -> None:
    world = clinic(api)
    bad = tt.post("/appointments", json=body(world, MON, 1000), headers={"Idempotency-Key": ""})
    refused(bad, 422, "Idempotency-Key")
    stranger = api.client.post(
        "/timetap/live/appointments",
        json=body(world, MON, 1000),
        headers={"Authorization": "Bearer st:timetap:nope", "Idempotency-Key": "k"},
    )
    refused(stranger, 401)
    assert _appointments(api) == 0


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        part = min(size, total - sent)
        sent += part
        yield b" " * part


def test_a_two_megabyte_body_is_413_in_timetaps_shape(tt: TimeTap, api: Api) -> None:
    world = clinic(api)
    before = row_counts(api.db.services.engine)
    payload = body(world, MON, 1000, 1030, note="a" * TWO_MB)
    big = tt.post("/appointments", json=payload)
    error = refused(big, 413, "body")
    assert error["error"] == "PAYLOAD_TOO_LARGE"
    assert big.headers["content-type"].startswith("application/json")
    # The same with a Content-Length that lies (12 bytes), and with none at all (chunked).
    lying = tt.post(
        "/appointments",
        content=b'{"note": "' + b"a" * TWO_MB + b'"}',
        headers={"Content-Type": "application/json", "Content-Length": "12"},
    )
    assert refused(lying, 413, "body")["error"] == "PAYLOAD_TOO_LARGE"
    chunked = tt.put("/appointments/1", content=_chunks(TWO_MB))
    assert "content-length" not in chunked.request.headers
    refused(chunked, 413, "body")
    # Under every base, with a key too (the limit answers before the key is looked at).
    for base in ("/timetap", "/timetap/test"):
        response = api.client.post(
            base + "/appointments",
            content=b"x" * TWO_MB,
            headers={**tt.headers, "Idempotency-Key": "big"},
        )
        refused(response, 413, "body")
    assert row_counts(api.db.services.engine) == before
