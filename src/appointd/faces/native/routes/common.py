"""Pieces every native router shares: error responses for OpenAPI and pagination parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Query, Request

from appointd.faces.native.auth import services_of
from appointd.faces.native.schemas import Problem


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` for the problem documents an endpoint can return.

    422 is always listed: every native endpoint takes an id, a body or query parameters, and
    without it OpenAPI would show FastAPI's default validation error instead of a problem.
    """
    text = {
        401: "Missing or unknown API key",
        404: "No such object in this account",
        409: "Conflicts with the calendar's current state",
        422: "Invalid input (fields named)",
    }
    return {
        c: {"model": Problem, "description": text[c], "content": {"application/problem+json": {}}}
        for c in sorted({*codes, 422})
    }


@dataclass(frozen=True)
class Paging:
    limit: int
    offset: int


def paging(
    request: Request,
    limit: int = Query(50, ge=1, description="page size"),
    offset: int = Query(0, ge=0, le=2**62, description="items to skip"),
) -> Paging:
    cap = services_of(request).settings.max_page_size
    return Paging(min(limit, cap), offset)
