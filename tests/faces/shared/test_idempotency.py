"""Idempotency-Key on unsafe native requests: one effect, the first answer replayed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, update

from appointd.store import tables
from tests.conftest import Api
from tests.faces.native.row_counts import row_counts
from tests.factories import book, clinic, create_staff

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
START = "2030-01-07T10:00:00+00:00"  # a Monday inside the clinic's working hours


def _appointments(api: Api) -> int:
    with api.db.services.engine.connect() as conn:
        t = tables.appointments
        return int(
            conn.execute(select(func.count()).where(t.c.account_id == api.account_id)).scalar_one()
        )


def _auto_body(world: dict[str, Any]) -> dict[str, Any]:
    return {
        "location_id": world["location"]["id"],
        "service_id": world["service"]["id"],
        "client_id": world["client"]["id"],
        "start": START,
    }


def test_a_repeated_booking_with_the_same_key_is_booked_once_and_replayed(api: Api) -> None:
    world = clinic(api)
    create_staff(api, world["location"], first_name="Second")
    headers = {"Idempotency-Key": "booking-1"}
    first = api.post("/v1/appointments", json=_auto_body(world), headers=headers)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    again = api.post("/v1/appointments", json=_auto_body(world), headers=headers)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["content-type"] == first.headers["content-type"]
    assert _appointments(api) == 1


def test_without_a_key_the_same_booking_twice_is_two_bookings(api: Api) -> None:
    world = clinic(api)
    create_staff(api, world["location"], first_name="Second")
    assert book(api, world, START).status_code == 201
    assert book(api, world, "2030-01-07T11:00:00+00:00").status_code == 201
    assert _appointments(api) == 2


def test_the_same_key_for_a_different_request_is_422_naming_the_key(api: Api) -> None:
    world = clinic(api)
    headers = {"Idempotency-Key": "k-2"}
    assert book(api, world, START, **{}).status_code == 201
    first = api.post("/v1/appointments", json=_auto_body(world), headers=headers)
    assert first.status_code in (201, 409)
    before = row_counts(api.db.services.engine)
    other = {**_auto_body(world), "start": "2030-01-07T12:00:00+00:00"}
    response = api.post("/v1/appointments", json=other, headers=headers)
    if first.status_code == 201:
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == ["Idempotency-Key"]
        assert row_counts(api.db.services.engine) == before
    patch = api.patch(
        f"/v1/clients/{world['client']['id']}", json={"first_name": "X"}, headers=headers
    )
    if first.status_code == 201:
        assert patch.status_code == 422


@pytest.mark.parametrize("key", ["", "a" * 256, "with space", "tab\tkey", "caf\u00e9".encode()])
def test_a_key_that_is_not_1_to_255_visible_ascii_characters_is_422(
    api: Api, key: str | bytes
) -> None:
    world = clinic(api)
    response = api.post(
        "/v1/appointments",
        json=_auto_body(world),
        headers={"Idempotency-Key": key},
    )
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["Idempotency-Key"]
    assert _appointments(api) == 0


def test_a_refused_request_stores_nothing_and_its_retry_runs_afresh(api: Api) -> None:
    world = clinic(api)
    headers = {"Idempotency-Key": "retry-me"}
    blocker = book(api, world, START)
    assert blocker.status_code == 201
    refused = api.post("/v1/appointments", json=_auto_body(world), headers=headers)
    assert refused.status_code == 409
    assert api.post(f"/v1/appointments/{blocker.json()['id']}/cancel").status_code == 200
    retried = api.post("/v1/appointments", json=_auto_body(world), headers=headers)
    assert retried.status_code == 201, retried.text
    assert "idempotent-replayed" not in retried.headers


def test_patch_and_delete_are_replayed_too(api: Api) -> None:
    world = clinic(api)
    client_id = world["client"]["id"]
    headers = {"Idempotency-Key": "patch-1"}
    first = api.patch(f"/v1/clients/{client_id}", json={"first_name": "Ann"}, headers=headers)
    api.patch(f"/v1/clients/{client_id}", json={"first_name": "Bob"})
    again = api.patch(f"/v1/clients/{client_id}", json={"first_name": "Ann"}, headers=headers)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert api.get(f"/v1/clients/{client_id}").json()["first_name"] == "Bob"
    gone = api.delete(f"/v1/clients/{client_id}", headers={"Idempotency-Key": "del-1"})
    assert gone.status_code == 204
    replay = api.delete(f"/v1/clients/{client_id}", headers={"Idempotency-Key": "del-1"})
    assert replay.status_code == 204
    assert replay.headers["idempotent-replayed"] == "true"


def test_keys_are_scoped_to_the_account(api: Api, other_api: Api) -> None:
    mine, theirs = clinic(api), clinic(other_api)
    headers = {"Idempotency-Key": "shared-name"}
    a = api.post("/v1/appointments", json=_auto_body(mine), headers=headers)
    b = other_api.post("/v1/appointments", json=_auto_body(theirs), headers=headers)
    assert a.status_code == b.status_code == 201
    assert "idempotent-replayed" not in b.headers
    assert a.json()["id"] != b.json()["id"]


def test_without_valid_credentials_the_key_changes_nothing(api: Api) -> None:
    response = api.client.post(
        "/v1/locations",
        json={"name": "x", "time_zone": "UTC"},
        headers={"Idempotency-Key": "k", "Authorization": "Bearer nope"},
    )
    assert response.status_code == 401


def test_a_key_older_than_the_retention_is_forgotten_and_purged(api: Api) -> None:
    world = clinic(api)
    headers = {"Idempotency-Key": "old"}
    first = api.post("/v1/appointments", json=_auto_body(world), headers=headers)
    assert first.status_code == 201
    t = tables.idempotency_keys
    with api.db.services.engine.begin() as conn:
        conn.execute(update(t).where(t.c.account_id == api.account_id).values(created_at=LONG_AGO))
    other = {**_auto_body(world), "start": "2030-01-07T12:00:00+00:00"}
    reused = api.post("/v1/appointments", json=other, headers=headers)
    assert reused.status_code == 201, reused.text
    assert "idempotent-replayed" not in reused.headers
    with api.db.services.engine.begin() as conn:
        conn.execute(update(t).where(t.c.account_id == api.account_id).values(created_at=LONG_AGO))
    middleware = _idempotency_middleware(api)
    assert middleware.purge_expired() >= 1
    with api.db.services.engine.connect() as conn:
        left = conn.execute(select(func.count()).where(t.c.account_id == api.account_id))
        assert left.scalar_one() == 0


def _idempotency_middleware(api: Api) -> Any:
    from appointd.faces.shared.idempotency import Idempotency

    node: Any = api.client.app.middleware_stack  # type: ignore[attr-defined]
    while node is not None and not isinstance(node, Idempotency):
        node = getattr(node, "app", None)
    assert node is not None
    return node


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_concurrent_repeats_wait_for_the_first_and_get_its_answer(api: Api) -> None:
    world = clinic(api)
    for i in range(3):
        create_staff(api, world["location"], first_name=f"S{i}")
    headers = {"Idempotency-Key": "concurrent"}

    def post(_: int) -> Any:
        return api.post("/v1/appointments", json=_auto_body(world), headers=headers)

    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(post, range(6)))
    assert [r.status_code for r in responses] == [201] * 6
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum("idempotent-replayed" in r.headers for r in responses) == 5
    assert _appointments(api) == 1
