"""Pieces every native router shares: OpenAPI error responses, paging and list parameters."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from fastapi import Query, Request

from appointd.domain.errors import Invalid
from appointd.faces.native.auth import services_of
from appointd.faces.native.schemas import Problem
from appointd.faces.shared.parsing import parse_id_list

E = TypeVar("E", bound=StrEnum)
# Ids one query parameter may list (staff_id=1,2,3).
MAX_QUERY_IDS = 100
# What an id-list query parameter looks like, for the OpenAPI document (the parser is stricter:
# each id also within 1..2^63-1, at most MAX_QUERY_IDS of them).
ID_LIST_PATTERN = r"^[1-9][0-9]{0,17}(,[1-9][0-9]{0,17}){0,99}$"


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
    limit: int = Query(
        50, ge=1, description="page size, 1 to the server's maximum (APPOINTD_MAX_PAGE_SIZE, 500)"
    ),
    offset: int = Query(0, ge=0, le=2**62, description="items to skip"),
) -> Paging:
    """A ``limit`` above the server's maximum is refused (422 naming ``limit`` and the maximum),
    never silently cut: a client that asked for 1,000 and got 500 would think it had all."""
    cap = services_of(request).settings.max_page_size
    if limit > cap:
        raise Invalid.field("limit", f"at most {cap}; fetch further pages with offset")
    return Paging(limit, offset)


def id_list(raw: str | None, field: str) -> list[int] | None:
    """Ids from a ``1,2,3`` query parameter; ``None`` when the parameter was not given.

    Anything else (an empty value, a non-number, an id outside 1..2^63-1, more than
    ``MAX_QUERY_IDS`` ids) is 422 naming ``field``; ids are parsed by the shared strict parser.
    """
    if raw is None:
        return None
    return parse_id_list(raw, field=field, max_items=MAX_QUERY_IDS)


def enum_list(raw: str | None, enum: type[E], field: str) -> list[E] | None:
    """Members of ``enum`` from a ``a,b`` query parameter; ``None`` when not given or empty."""
    if not raw:
        return None
    try:
        return [enum(x.strip()) for x in raw.split(",") if x.strip()]
    except ValueError:
        raise Invalid.field(field, "one of " + ", ".join(e.value for e in enum)) from None
