"""Fixtures of the Cliniko face tests: a Basic-auth client whose every answer is checked
against Cliniko's official OpenAPI spec (``../shared/reference/cliniko-openapi.json``).

Every response of an operation the spec describes is validated against the spec's schema for
that operation and status (OpenAPI 3.0 ``nullable`` read as JSON Schema, formats checked). Any
5xx fails the test. Responses the spec gives no schema for (204, 4xx other than 422) are checked
for their status only, and 4xx bodies for Cliniko's ``{"message": ...}``.
"""

from __future__ import annotations

import base64
import copy
import json
import re
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

from tests.conftest import Api, Database, new_api
from tests.factories import clinic

SPEC_PATH = (
    Path(__file__).resolve().parents[3] / ".." / "shared" / "reference" / "cliniko-openapi.json"
)
BASE = "/cliniko/v1"
SEEN: set[tuple[str, str, int]] = set()  # (method, path template, status) validated


@cache
def spec() -> dict[str, Any]:
    if not SPEC_PATH.exists():
        pytest.fail(f"Cliniko's spec is missing at {SPEC_PATH}")
    loaded: dict[str, Any] = json.loads(SPEC_PATH.read_text())
    return loaded


def _resolve(node: Any, root: dict[str, Any], depth: int = 0) -> Any:
    """Inline ``$ref``s and turn OpenAPI 3.0 ``nullable`` into JSON Schema."""
    if isinstance(node, list):
        return [_resolve(n, root, depth) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target: Any = root
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return _resolve(target, root, depth + 1)
    out = {k: _resolve(v, root, depth) for k, v in node.items() if k not in ("example", "x-tags")}
    if out.get("format") in ("int64", "decimal", "phone"):
        out.pop("format")
    if out.pop("nullable", False):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        if "anyOf" in out or "allOf" in out or "oneOf" in out:
            out = {"anyOf": [out, {"type": "null"}]}
    if "pattern" in out and out["pattern"].startswith("^[A-Z0-9!#"):
        # The spec's e-mail patterns are Ruby /i regexes (Cliniko answers lowercase e-mails).
        out["pattern"] = out["pattern"].replace("A-Z", "A-Za-z")
    return out


@cache
def _operation(method: str, template: str) -> dict[str, Any]:
    found: dict[str, Any] = spec()["paths"][template][method]
    return found


def _template_of(method: str, path: str) -> str | None:
    """The spec's path template matching ``path`` (relative to the face's base)."""
    best: str | None = None
    for template, ops in spec()["paths"].items():
        if method not in ops:
            continue
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and (best is None or template.count("{") < best.count("{")):
            best = template
    return best


@cache
def _validator(method: str, template: str, status: str) -> Any:
    response = _operation(method, template).get("responses", {}).get(status)
    if response is None:
        return None
    if "$ref" in response:
        response = _resolve(response, spec())
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return None
    resolved = _resolve(copy.deepcopy(schema), spec())
    return jsonschema_rs.Draft4Validator(resolved, validate_formats=True)


def validate(method: str, path: str, status: int, body: Any) -> None:
    """Fail unless the response conforms to the spec's schema for that operation and status."""
    assert status < 500, f"{method.upper()} {path} answered {status}: {body}"
    template = _template_of(method, path.split("?")[0])
    if template is None:
        return  # an operation the spec does not list (PUT aliases, legacy routes)
    validator = _validator(method, template, str(status))
    documented = str(status) in _operation(method, template).get("responses", {})
    if documented:
        SEEN.add((method, template, status))
    if validator is not None:
        errors = [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(body)]
        assert not errors, f"{method.upper()} {template} {status} violates the spec: {errors[:5]}"
    elif 400 <= status < 500 and status != 422:
        assert isinstance(body, dict) and isinstance(body.get("message"), str), body


def basic(key: str, shard: str = "") -> dict[str, str]:
    token = base64.b64encode(f"{key}{shard}:".encode()).decode()
    return {"Authorization": f"Basic {token}"}


class Cliniko:
    """A Cliniko client of one account: ``c.get("/individual_appointments")``."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.client: TestClient = api.client
        self.headers = {**basic(api.key), "Accept": "application/json"}

    def request(self, method: str, path: str, **kw: Any) -> Any:
        headers = {**self.headers, **kw.pop("headers", {})}
        response = self.client.request(method, BASE + path, headers=headers, **kw)
        body = response.json() if response.content else None
        validate(method.lower(), path, response.status_code, body)
        return response

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.request("POST", path, **kw)

    def patch(self, path: str, **kw: Any) -> Any:
        return self.request("PATCH", path, **kw)

    def put(self, path: str, **kw: Any) -> Any:
        return self.request("PUT", path, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.request("DELETE", path, **kw)


@pytest.fixture
def cliniko(api: Api) -> Cliniko:
    return Cliniko(api)


@pytest.fixture
def other_cliniko(app_client: TestClient, db: Database) -> Cliniko:
    return Cliniko(new_api(app_client, db, "Other clinic"))


@pytest.fixture
def world(api: Api) -> dict[str, Any]:
    """A location in Europe/London, a staff member working Mon-Fri 09-17, a 30-minute service
    and a client, created through /v1."""
    return clinic(api)


def next_weekday(days_ahead: int = 7) -> datetime:
    """A Monday to Friday at least ``days_ahead`` days from now, at 00:00 UTC."""
    day = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    day += timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def at(day: datetime, hour: int, minute: int = 0) -> str:
    """``day`` at ``hour:minute`` London time, in Cliniko's UTC ``Z`` form."""
    from zoneinfo import ZoneInfo

    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo("Europe/London"))
    return local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def appointment_body(world: dict[str, Any], starts_at: str, **fields: Any) -> dict[str, Any]:
    return {
        "business_id": str(world["location"]["id"]),
        "practitioner_id": str(world["staff"]["id"]),
        "appointment_type_id": str(world["service"]["id"]),
        "patient_id": str(world["client"]["id"]),
        "starts_at": starts_at,
        **fields,
    }
