"""A TimeTap client for tests: a session token from the account's key, then Bearer calls."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from tests.conftest import Api

BASE = "/timetap/live"


def signature(account_id: int, key: str) -> str:
    return hashlib.md5(f"{account_id}{key}".encode()).hexdigest()


class TimeTap:
    """Calls ``{base}/...`` of the TimeTap face as one account."""

    def __init__(self, api: Api, base: str = BASE) -> None:
        self.api = api
        self.base = base
        response = api.client.get(
            f"{base}/sessionToken",
            params={
                "apiKey": api.account_id,
                "timestamp": 1605989999.123,
                "signature": signature(api.account_id, api.key),
            },
        )
        assert response.status_code == 200, response.text
        self.token: str = response.json()["sessionToken"]
        self.headers = {"Authorization": f"Bearer {self.token}"}

    def request(self, method: str, path: str, **kw: Any) -> Any:
        headers = {**self.headers, **kw.pop("headers", {})}
        return self.api.client.request(method, self.base + path, headers=headers, **kw)

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.request("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> Any:
        return self.request("PUT", path, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.request("DELETE", path, **kw)

    def ok(self, method: str, path: str, **kw: Any) -> Any:
        response = self.request(method, path, **kw)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def tt(api: Api) -> TimeTap:
    return TimeTap(api)


@pytest.fixture
def other_tt(other_api: Api) -> TimeTap:
    return TimeTap(other_api)


def refused(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    """The TimeTap error body of a refused request, checked for shape and (if given) field."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["errorMessage"], body
    if field is not None:
        assert field in [f["field"] for f in body.get("fields", [])], body
    return body
