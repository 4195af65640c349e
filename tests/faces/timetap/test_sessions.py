"""TimeTap session tokens: issued for apiKey + md5 signature, accepted on every base, kept in
the database (hashed), refused when wrong, unknown or expired."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update

from appointd.app.accounts import hash_key
from appointd.asgi import create_app
from appointd.faces.timetap.auth import forget_tokens
from appointd.store import tables
from tests.conftest import Api, Database
from tests.faces.timetap.conftest import TimeTap, refused, signature


def test_a_session_token_is_issued_for_the_account_id_and_the_md5_signature(api: Api) -> None:
    for base in ("/timetap/live", "/timetap/test", "/timetap"):
        response = api.client.get(
            f"{base}/sessionToken",
            params={
                "apiKey": str(api.account_id),
                "timestamp": "1605989999.123",
                "signature": signature(api.account_id, api.key),
            },
        )
        assert response.status_code == 200, response.text
        assert response.json()["sessionToken"].startswith("st:")


def test_a_token_from_one_base_works_on_all_three(api: Api) -> None:
    token = TimeTap(api, "/timetap/test").token
    for base in ("/timetap/live", "/timetap/test", "/timetap"):
        response = api.client.get(f"{base}/locations", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text


def test_a_wrong_signature_or_another_accounts_signature_is_401(api: Api, other_api: Api) -> None:
    for params in (
        {"apiKey": api.account_id, "timestamp": 1, "signature": "0" * 32},
        {"apiKey": api.account_id, "signature": signature(other_api.account_id, other_api.key)},
        {"apiKey": other_api.account_id, "signature": signature(api.account_id, api.key)},
        {"apiKey": 999_999_999, "signature": signature(999_999_999, api.key)},
        {"apiKey": "abc", "signature": signature(api.account_id, api.key)},
    ):
        refused(api.client.get("/timetap/live/sessionToken", params=params), 401)


def test_missing_token_parameters_are_400_naming_them(api: Api) -> None:
    get = api.client.get
    refused(get("/timetap/sessionToken", params={"signature": "x"}), 400, "apiKey")
    refused(get("/timetap/sessionToken", params={"apiKey": 1}), 400, "signature")
    bad_time = {"apiKey": 1, "signature": "x", "timestamp": "noon"}
    refused(get("/timetap/sessionToken", params=bad_time), 400, "timestamp")


def test_calls_without_a_token_or_with_an_unknown_one_are_401(api: Api) -> None:
    refused(api.client.get("/timetap/live/locations"), 401)
    headers = {"Authorization": "Bearer st:timetap:nope"}
    refused(api.client.get("/timetap/live/locations", headers=headers), 401)
    # the native key is not a session token
    refused(api.client.get("/timetap/live/locations", headers=api.headers), 401)


def test_the_bare_token_and_the_query_parameter_work_too(tt: TimeTap) -> None:
    client = tt.api.client
    assert (
        client.get("/timetap/live/locations", headers={"Authorization": tt.token}).status_code
        == 200
    )
    assert client.get("/timetap/locations", params={"sessionToken": tt.token}).status_code == 200


def test_tokens_are_stored_hashed_and_an_expired_one_is_401(tt: TimeTap, db: Database) -> None:
    with db.engine.begin() as conn:
        rows = conn.execute(
            select(tables.session_tokens).where(
                tables.session_tokens.c.account_id == tt.api.account_id
            )
        ).all()
        assert [r.token_hash for r in rows] == [hash_key(tt.token)]
        conn.execute(
            update(tables.session_tokens)
            .where(tables.session_tokens.c.token_hash == hash_key(tt.token))
            .values(expires_at=rows[0].created_at - timedelta(minutes=1))
        )
    forget_tokens()
    refused(tt.get("/locations"), 401)


def test_a_token_survives_a_restart_of_the_server(tt: TimeTap, db: Database) -> None:
    forget_tokens()
    with TestClient(create_app(db.settings, db.services)) as fresh:
        response = fresh.get("/timetap/live/locations", headers=tt.headers)
        assert response.status_code == 200, response.text


def test_a_key_issued_before_the_timetap_credential_existed_works_after_its_first_use(
    api: Api, db: Database
) -> None:
    with db.engine.begin() as conn:
        conn.execute(
            delete(tables.api_keys).where(
                tables.api_keys.c.account_id == api.account_id,
                tables.api_keys.c.kind == "timetap",
            )
        )
    params = {"apiKey": api.account_id, "signature": signature(api.account_id, api.key)}
    refused(api.client.get("/timetap/live/sessionToken", params=params), 401)
    from appointd.app.accounts import forget_keys

    forget_keys()
    assert api.get("/v1/locations").status_code == 200
    assert api.client.get("/timetap/live/sessionToken", params=params).status_code == 200
