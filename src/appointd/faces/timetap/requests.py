"""Reading TimeTap requests: JSON bodies, query parameters merged with bodies, path values."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request, Response
from pydantic_core import to_json
from starlette.concurrency import run_in_threadpool

from appointd.domain.errors import Invalid
from appointd.faces.shared.parsing import check_storable

T = TypeVar("T")


async def json_object(request: Request, *, optional: bool = False) -> dict[str, Any]:
    """The request's JSON object; an empty body is ``{}`` when ``optional``, else refused.

    Its size is not checked here: the shared body limit in front of every face has answered
    413 (in this face's shape) before a larger body reaches a route."""
    raw = await request.body()
    if not raw.strip():
        if optional:
            return {}
        raise Invalid.field("body", "required: a JSON object")
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        raise Invalid.field("body", "malformed JSON") from None
    if value is None and optional:
        return {}
    if not isinstance(value, dict):
        raise Invalid.field("body", "must be a JSON object")
    check_storable(value)
    return value


def query(request: Request) -> dict[str, Any]:
    """Query parameters; a repeated name gives a list of its values."""
    out: dict[str, Any] = {}
    for name in request.query_params:
        values = request.query_params.getlist(name)
        out[name] = values if len(values) > 1 else values[0]
    return out


async def params(request: Request) -> dict[str, Any]:
    """Query parameters merged with a JSON body (POST reports); the body wins a clash and an
    empty body (or ``{}``) changes nothing."""
    merged = query(request)
    if request.method == "POST":
        merged.update(await json_object(request, optional=True))
    return merged


async def call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a (blocking) use case in a worker thread."""
    return await run_in_threadpool(fn, *args, **kwargs)


def reply(data: Any) -> Response:
    """A JSON response written straight from plain data (no per-field re-encoding: reports
    carry hundreds of nested objects)."""
    return Response(to_json(data), media_type="application/json")
