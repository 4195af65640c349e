"""The body limit: every face, every path, counted on the bytes as they arrive, 413 in the
face's own format before anything parses the body."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from starlette.responses import PlainTextResponse, Response

from appointd.asgi import create_app
from appointd.domain.errors import AppointdError
from appointd.faces.shared.errors import register_error_renderer
from tests.conftest import Api, Database
from tests.faces.native.row_counts import row_counts
from tests.factories import clinic

LIMIT = 1_048_576


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        part = min(size, total - sent)
        sent += part
        yield b"x" * part


def test_a_body_over_a_mebibyte_is_413_as_a_native_problem_naming_the_body(api: Api) -> None:
    before = row_counts(api.db.services.engine)
    response = api.post(
        "/v1/staff",
        content=b'{"first_name": "' + b"a" * (LIMIT + 10) + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 413
    assert problem["type"] == "/problems/payload-too-large"
    assert [e["field"] for e in problem["errors"]] == ["body"]
    assert row_counts(api.db.services.engine) == before


def test_a_chunked_body_without_content_length_is_counted_as_it_arrives(api: Api) -> None:
    response = api.post(
        "/v1/staff",
        content=_chunks(10 * LIMIT),
        headers={"Content-Type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413, response.text


def test_a_lying_content_length_does_not_get_a_big_body_through(api: Api) -> None:
    response = api.post(
        "/v1/staff",
        content=b"[" + b"1," * LIMIT + b"1]",
        headers={"Content-Type": "application/json", "Content-Length": "12"},
    )
    assert response.status_code == 413, response.text


def test_a_declared_content_length_over_the_limit_is_refused_before_reading(api: Api) -> None:
    response = api.post(
        "/v1/staff",
        content=_chunks(2 * LIMIT),
        headers={"Content-Type": "application/json", "Content-Length": str(2 * LIMIT)},
    )
    assert response.status_code == 413


def test_the_limit_covers_every_path_and_method(api: Api) -> None:
    for method, path in [("GET", "/v1/appointments"), ("POST", "/nowhere"), ("PUT", "/v1/x")]:
        response = api.request(method, path, content=b"x" * (LIMIT + 1))
        assert response.status_code == 413, (method, path, response.text)


def test_a_body_of_exactly_the_limit_is_parsed_as_usual(api: Api) -> None:
    world = clinic(api)
    head = b'{"first_name": "Ann", "time_zone": "Europe/London"'
    body = head + b" " * (LIMIT - len(head) - 1) + b"}"
    assert len(body) == LIMIT
    response = api.post("/v1/staff", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 201, response.text
    assert world


def test_a_face_registers_its_own_413_renderer_for_its_prefix(db: Database) -> None:
    def teapot(status: int, error: AppointdError) -> Response:
        return PlainTextResponse(f"vendor says: {error.message}", status_code=status)

    register_error_renderer("/vendor-test", teapot)
    settings = db.settings.model_copy(update={"max_body_bytes": 2048})
    with TestClient(create_app(settings, db.services)) as client:
        response = client.post("/vendor-test/things", content=b"x" * 4096)
        assert response.status_code == 413
        assert response.text.startswith("vendor says: request body too large")
        native = client.post("/v1/staff", content=b"x" * 4096)
        assert native.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("size", [0, 100])
def test_small_bodies_and_empty_ones_pass_through(api: Api, size: int) -> None:
    response = api.post(
        "/v1/locations", content=b" " * size, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
