"""An Agendize client for the tests: the account's apiKey/token on every request."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.factories import clinic

BASE = "/api/2.1/scheduling"
MON = "2030-01-07"  # a Monday; the clinic is in Europe/London (UTC+00:00 in January)


class Agendize:
    """Calls ``/api/2.1/scheduling`` as ``api``'s account, credentials in the query string."""

    def __init__(self, api: Api, base: str = BASE) -> None:
        self.api = api
        self.base = base
        self.auth = {"apiKey": str(api.account_id), "token": api.key}

    def request(self, method: str, path: str, **kw: Any) -> Any:
        params = {**self.auth, **kw.pop("params", {})}
        url = path if path.startswith("/api/") else self.base + path
        return self.api.client.request(method, url, params=params, **kw)

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.request("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> Any:
        return self.request("PUT", path, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.request("DELETE", path, **kw)


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json() if response.content else None


def refused(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["statusCode"] == str(status)
    if field is not None:
        assert field in error["fields"], error
    return error


def world(api: Api, **service_fields: Any) -> dict[str, Any]:
    """The native clinic (a company, a staff member 09-17 Mon-Fri, a service, a client)."""
    return clinic(api, **service_fields)


def appointment_body(w: dict[str, Any], local: str, **extra: Any) -> dict[str, Any]:
    return {
        "client": {"id": str(w["client"]["id"])},
        "service": {"id": str(w["service"]["id"])},
        "staff": {"id": str(w["staff"]["id"])},
        "start": {"dateTime": local},
        **extra,
    }


def appointments_path(w: dict[str, Any]) -> str:
    return f"/companies/{w['location']['id']}/appointments"
