"""``/docs``: Swagger UI served entirely by appointd, so the documentation works offline.

The page, its script and style come from the pinned ``swagger-ui-bundle`` package (Swagger UI
4.15, Apache-2.0) and are served under ``/docs/assets``; nothing is fetched from the internet.
That Swagger UI reads OpenAPI 3.0 only, so the page loads ``/docs/openapi.json``: the same
document as ``/openapi.json`` (OpenAPI 3.1), re-labelled 3.0.3, with 3.1's ``{"type": "null"}``
alternatives written as ``nullable`` and each request body's schema example also given as the
media type's ``example`` (what Swagger UI 4 pre-fills "Try it out" with). ``/openapi.json``
itself is untouched.
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

ASSETS = "/docs/assets"


def install(app: FastAPI) -> None:
    """Serve ``/docs``, ``/docs/openapi.json`` and ``/docs/assets/*`` on ``app`` (whose own
    ``docs_url`` must be ``None``)."""

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/docs/openapi.json",
            title=f"{app.title} - API documentation",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
            swagger_ui_parameters={"persistAuthorization": True},
        )

    @app.get("/docs/openapi.json", include_in_schema=False)
    def docs_document() -> JSONResponse:
        return JSONResponse(as_openapi_30(app.openapi()))

    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")


def as_openapi_30(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` as Swagger UI 4 can show it (see the module docstring)."""
    doc = copy.deepcopy(document)
    doc["openapi"] = "3.0.3"
    schemas = doc.get("components", {}).get("schemas", {})
    for ops in doc.get("paths", {}).values():
        for op in ops.values():
            content = op.get("requestBody", {}).get("content", {}) if isinstance(op, dict) else {}
            for media in content.values():
                example = _schema_example(media.get("schema", {}), schemas)
                if example is not None and "example" not in media:
                    media["example"] = example
    _nullable(doc)
    return doc


def _schema_example(schema: dict[str, Any], schemas: dict[str, Any]) -> Any:
    for option in [schema, *schema.get("anyOf", [])]:
        ref = option.get("$ref", "")
        target = schemas.get(ref.rsplit("/", 1)[-1], {}) if ref else option
        if target.get("examples"):
            return target["examples"][0]
    return None


def _nullable(node: Any) -> None:
    if isinstance(node, dict):
        options = node.get("anyOf")
        if isinstance(options, list) and {"type": "null"} in options:
            rest = [o for o in options if o != {"type": "null"}]
            node["nullable"] = True
            if len(rest) == 1 and "$ref" not in rest[0]:
                del node["anyOf"]
                node.update(rest[0])
            else:
                node["anyOf"] = rest
        for value in node.values():
            _nullable(value)
    elif isinstance(node, list):
        for value in node:
            _nullable(value)
