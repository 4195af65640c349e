"""The API describes itself: every route is in /openapi.json with the problems it can answer,
/docs serves the interactive documentation, and /v1/health needs no key."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from appointd.asgi import create_app
from tests.conftest import Database

PROBLEM = "application/problem+json"


@pytest.fixture
def app(db: Database) -> FastAPI:
    return create_app(db.settings, db.services)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def spec(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def routes(app: FastAPI) -> list[tuple[str, str, Any]]:
    """(method, path, route) of every documented route the app serves."""
    found: list[tuple[str, set[str] | None, Any]]
    try:  # Newer FastAPI nests included routers inside app.routes; this walks them.
        from fastapi.routing import iter_route_contexts

        found = [
            (rc.path or "", rc.methods, rc.original_route) for rc in iter_route_contexts(app.routes)
        ]
    except ImportError:  # pragma: no cover - older FastAPI lists every route flat
        found = [(getattr(r, "path", ""), getattr(r, "methods", None), r) for r in app.routes]
    return [
        (method, path, route)
        for path, methods, route in found
        if getattr(route, "include_in_schema", False)
        for method in sorted(methods or ())
        if method != "HEAD"
    ]


def native(app: FastAPI) -> list[tuple[str, str, Any]]:
    return [r for r in routes(app) if r[1].startswith("/v1/") and r[1] != "/v1/health"]


def test_every_route_of_the_app_is_in_the_openapi_document(
    app: FastAPI, spec: dict[str, Any]
) -> None:
    served = routes(app)
    assert len(served) > 40
    missing = [(m, p) for m, p, _ in served if m.lower() not in spec["paths"].get(p, {})]
    assert missing == []
    documented = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    assert documented == {(m, p) for m, p, _ in served}


def test_every_native_operation_documents_its_problems(app: FastAPI, spec: dict[str, Any]) -> None:
    undocumented = []
    for method, path, _ in native(app):
        op = spec["paths"][path][method.lower()]
        expected = {"401", "422"}
        if "{" in path:
            expected.add("404")
        if method in ("POST", "PATCH") and (
            path == "/v1/appointments"
            or re.fullmatch(r"/v1/appointments/\{id\}(/[a-z-]+)?", path)
            or path.endswith("/time-off")
        ):
            expected.add("409")
        for code in sorted(expected):
            response = op["responses"].get(code)
            if response is None or PROBLEM not in response.get("content", {}):
                undocumented.append((method, path, code))
        if not op.get("summary"):
            undocumented.append((method, path, "summary"))
    assert undocumented == []


def test_problems_are_described_with_their_extension_members(spec: dict[str, Any]) -> None:
    problem = spec["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "errors", "conflicts"} <= set(
        problem["properties"]
    )
    # FastAPI's own validation error shape must not be advertised: ours is a problem document.
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_success_responses_name_their_models(spec: dict[str, Any]) -> None:
    booking = spec["paths"]["/v1/appointments"]["post"]["responses"]["201"]
    assert "#/components/schemas/AppointmentOut" in json.dumps(booking)
    one = spec["paths"]["/v1/appointments/{id}"]["get"]["responses"]["200"]
    assert one["content"]["application/json"]["schema"]["$ref"].endswith("/AppointmentOut")
    listing = spec["paths"]["/v1/appointments"]["get"]
    assert {"from", "to", "staff_id", "status", "sort", "limit", "offset"} <= {
        p["name"] for p in listing["parameters"]
    }
    for path in ["/v1/locations", "/v1/staff", "/v1/services", "/v1/resources", "/v1/clients"]:
        assert "201" in spec["paths"][path]["post"]["responses"]
        assert "204" in spec["paths"][path + "/{id}"]["delete"]["responses"]


def test_docs_serve_html_that_points_at_the_document(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "/openapi.json" in response.text


def test_health_answers_without_a_key(client: TestClient, spec: dict[str, Any]) -> None:
    response = client.get("/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["version"]
    assert body["database"]["reachable"] is True
    assert "503" in spec["paths"]["/v1/health"]["get"]["responses"]


def test_an_unknown_path_or_method_is_a_problem_too(client: TestClient) -> None:
    missing = client.get("/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith(PROBLEM)
    wrong = client.put("/v1/health")
    assert wrong.status_code == 405
    assert wrong.headers["content-type"].startswith(PROBLEM)
