"""Schemathesis against Cliniko's official spec, restricted to the operations this face serves.

Requests generated from the spec (valid and invalid ids, filters, bodies) are sent to the face
with data in the account; every answer must be below 500 and, for a status the spec documents,
conform to the spec's response schema. The spec's e-mail patterns are Ruby ``/i`` regexes and
are read case-insensitively (Cliniko answers lowercase addresses).
"""

from __future__ import annotations

import base64
import copy
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.conftest import Api
from tests.faces.cliniko.conftest import appointment_body, at, next_weekday, spec
from tests.faces.cliniko.test_conformance import SERVED
from tests.factories import clinic

EXAMPLES_PER_OPERATION = 6


def _case_insensitive_emails(node: Any) -> None:
    if isinstance(node, dict):
        pattern = node.get("pattern")
        if isinstance(pattern, str) and pattern.startswith("^[A-Z0-9!#"):
            node["pattern"] = pattern.replace("A-Z", "A-Za-z")
        for value in node.values():
            _case_insensitive_emails(value)
    elif isinstance(node, list):
        for value in node:
            _case_insensitive_emails(value)


def _schema() -> Any:
    document = copy.deepcopy(spec())
    document["servers"] = [{"url": "/cliniko/v1"}]
    _case_insensitive_emails(document)
    served = {(method, path) for method, path, _ in SERVED}
    return schemathesis.openapi.from_dict(document).include(
        lambda ctx: (ctx.operation.method.lower(), ctx.operation.path) in served
    )


def test_generated_requests_get_no_5xx_and_documented_answers_match_the_spec(api: Api) -> None:
    world = clinic(api)
    key = base64.b64encode(f"{api.key}:".encode()).decode()
    headers = {"Authorization": f"Basic {key}"}
    day = next_weekday()
    for hour in (10, 11):
        r = api.client.post(
            "/cliniko/v1/individual_appointments",
            json=appointment_body(world, at(day, hour)),
            headers=headers,
        )
        assert r.status_code == 201, r.text
    app = api.client.app
    operations = [result.ok() for result in _schema().get_all_operations()]
    assert {(o.method.lower(), o.path) for o in operations} == {(m, p) for m, p, _ in SERVED}
    for operation in operations:

        @hypothesis_settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(operation.as_strategy())
        def check(case: Any) -> None:
            response = case.call(app=app, headers=headers)
            case.validate_response(
                response,
                checks=[not_a_server_error, response_schema_conformance],
                headers=headers,
                transport_kwargs={"app": app},
            )

        check()
