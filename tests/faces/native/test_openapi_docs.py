"""The OpenAPI document a newcomer reads: bearer security on every operation that needs a key,
a summary on each, request body examples that pass their own schemas, and ``/docs`` served
offline by appointd itself."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

from appointd.asgi import create_app
from tests.conftest import Database

OPEN = {("get", "/v1/health")}  # the only native operation that needs no key


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(db.settings, db.services)) as c:
        yield c


@pytest.fixture
def spec(client: TestClient) -> dict[str, Any]:
    body: dict[str, Any] = client.get("/openapi.json").json()
    return body


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if path.startswith("/v1/") and isinstance(op, dict):
                yield method, path, op


def test_the_document_declares_http_bearer_and_every_keyed_operation_requires_it(
    spec: dict[str, Any],
) -> None:
    assert spec["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": pytest.approx(
            spec["components"]["securitySchemes"]["bearer"]["description"]
        ),
    }
    seen = 0
    for method, path, op in operations(spec):
        if (method, path) in OPEN:
            assert "security" not in op, path
        else:
            assert op.get("security") == [{"bearer": []}], f"{method} {path}"
            seen += 1
    assert seen > 50


def test_every_native_operation_has_a_summary(spec: dict[str, Any]) -> None:
    missing = [f"{m} {p}" for m, p, op in operations(spec) if not op.get("summary")]
    assert missing == []


def _body_schema_and_examples(
    spec: dict[str, Any], op: dict[str, Any]
) -> tuple[dict[str, Any], list[Any]]:
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    examples: list[Any] = []
    for option in [schema, *schema.get("anyOf", [])]:
        if "$ref" in option:
            target = spec["components"]["schemas"][option["$ref"].rsplit("/", 1)[-1]]
            examples += target.get("examples", [])
        examples += option.get("examples", [])
    return schema, examples


def test_every_request_body_has_examples_that_validate_against_its_schema(
    spec: dict[str, Any],
) -> None:
    checked = 0
    for method, path, op in operations(spec):
        if "requestBody" not in op:
            continue
        schema, examples = _body_schema_and_examples(spec, op)
        assert examples, f"{method} {path} has no request example"
        validator = jsonschema_rs.Draft202012Validator({**schema, "components": spec["components"]})
        for example in examples:
            problems = [e.message for e in validator.iter_errors(example)]
            assert problems == [], f"{method} {path}: {problems}"
            checked += 1
    assert checked >= 20


def test_a_wrong_example_would_be_caught_by_the_same_validation(spec: dict[str, Any]) -> None:
    op = spec["paths"]["/v1/appointments"]["post"]
    schema, _ = _body_schema_and_examples(spec, op)
    validator = jsonschema_rs.Draft202012Validator({**schema, "components": spec["components"]})
    assert not validator.is_valid({"client_id": "one", "color": "red"})


def test_docs_work_offline_from_assets_appointd_serves_itself(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    html = page.text
    assert "https://" not in html and "http://" not in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert asset.startswith("/docs/assets/")
        assert client.get(asset).status_code == 200
    assert "SwaggerUIBundle" in client.get("/docs/assets/swagger-ui-bundle.js").text
    document = client.get(re.search(r"url: '([^']+)'", html).group(1)).json()  # type: ignore[union-attr]
    assert document["openapi"].startswith("3.0.")
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    booking = document["paths"]["/v1/appointments"]["post"]["requestBody"]["content"]
    assert booking["application/json"]["example"]["client_id"] == 1
