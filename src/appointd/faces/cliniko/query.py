"""Cliniko's list grammar: ``q[]`` filters, ``sort``/``order``, ``page``/``per_page``, links.

``q[]=FIELD:OPVALUE`` (one per condition, all ANDed). Operators by field type, the longest one
matched first:

========  =====================================================
type      operators
========  =====================================================
int       ``=`` (also a list ``1,2,3``) ``!=`` ``>=`` ``>`` ``<=`` ``<`` ``?`` ``!?``
datetime  ``>=`` ``>`` ``<=`` ``<`` ``?`` (set) ``!?`` (not set) ``*`` (any, even unset)
string    ``=`` ``!=`` ``~`` (contains) ``~~`` (``%`` wildcards) ``?`` ``!?``
bool      ``=`` ``!=``
========  =====================================================

An unknown field or operator, or a value of the wrong form, is :class:`BadRequest` (400).
Every link is absolute and percent-encoded (RFC 3986): ``q%5B%5D=id%3A%3D1``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request

from appointd.faces.cliniko.errors import BadRequest
from appointd.faces.cliniko.wire import date_value, id_value, instant_value

OPERATORS = ("!=", "!?", ">=", "<=", "~~", ">", "<", "=", "?", "*", "~")
ALLOWED = {
    "int": {"=", "!=", ">=", ">", "<=", "<", "?", "!?"},
    "datetime": {">=", ">", "<=", "<", "?", "!?", "*"},
    "date": {"=", ">=", ">", "<=", "<", "?", "!?"},
    "string": {"=", "!=", "~", "~~", "?", "!?"},
    "bool": {"=", "!="},
    "array": {"~"},
}
NO_VALUE = {"?", "!?", "*"}
DEFAULT_PER_PAGE, MAX_PER_PAGE = 50, 100


@dataclass(frozen=True, slots=True)
class Filter:
    """One parsed ``q[]``: ``values`` holds one value, or several for ``=`` on an int list."""

    field: str
    op: str
    values: tuple[Any, ...] = ()

    @property
    def value(self) -> Any:
        return self.values[0] if self.values else None


@dataclass(frozen=True, slots=True)
class ListRequest:
    filters: list[Filter]
    sort: list[tuple[str, bool]]
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def named(self, field: str) -> list[Filter]:
        return [f for f in self.filters if f.field == field]

    def mentions(self, field: str) -> bool:
        return any(f.field == field for f in self.filters)


def _value(kind: str, raw: str, field: str) -> Any:
    if kind == "int":
        found = id_value(raw) if raw.isdigit() else None
        if found is None:
            raise BadRequest(f"Filter value for {field} must be a number")
        return found
    if kind == "datetime":
        instant = instant_value(raw)
        if instant is None:
            raise BadRequest(
                f"Filter value for {field} must be a date-time such as 2014-08-30T18:00:00Z"
            )
        return instant
    if kind == "date":
        day = date_value(raw)
        if day is None:
            raise BadRequest(f"Filter value for {field} must be a date such as 2014-08-30")
        return day
    if kind == "bool":
        if raw not in ("true", "false"):
            raise BadRequest(f"Filter value for {field} must be true or false")
        return raw == "true"
    return raw


def parse_filter(raw: str, fields: Mapping[str, str]) -> Filter:
    field, colon, rest = raw.partition(":")
    if not colon:
        raise BadRequest(f"Invalid filter {raw!r}: expected field:operator value")
    kind = fields.get(field)
    if kind is None:
        raise BadRequest(f"{field} is not filterable")
    op = next((o for o in OPERATORS if rest.startswith(o)), None)
    if op is None or op not in ALLOWED[kind]:
        raise BadRequest(f"Invalid operator for {field}")
    text = rest[len(op) :]
    if op in NO_VALUE:
        if text:
            raise BadRequest(f"Operator {op} for {field} takes no value")
        return Filter(field, op)
    if op == "=" and kind == "int" and "," in text:
        return Filter(field, op, tuple(_value(kind, part, field) for part in text.split(",")))
    return Filter(field, op, (_value(kind, text, field),))


def _int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise BadRequest(f"{name} must be a whole number from {low} to {high}")
    return int(raw)


def parse_list(
    request: Request, fields: Mapping[str, str], sortable: frozenset[str], default_sort: str
) -> ListRequest:
    """The ``q[]``, ``sort``/``order`` and paging of a list request, checked."""
    params = request.query_params
    filters = [parse_filter(raw, fields) for raw in params.getlist("q[]")]
    order = params.get("order")
    if order is not None and order not in ("asc", "desc"):
        raise BadRequest("order must be asc or desc")
    sort: list[tuple[str, bool]] = []
    for raw in params.getlist("sort"):
        for part in raw.split(","):
            name, _, direction = part.strip().partition(":")
            if name not in sortable:
                raise BadRequest(f"{name or 'sort'} is not sortable")
            if direction not in ("", "asc", "desc"):
                raise BadRequest(f"Invalid sort direction for {name}")
            sort.append((name, direction == "desc" or (direction == "" and order == "desc")))
    if not sort:
        sort = [(default_sort, order == "desc")]
    page = _int(request, "page", 1, 1, 2**31)
    per_page = _int(request, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    return ListRequest(filters, sort, page, per_page)


def base_url(request: Request) -> str:
    """``http://host:port/cliniko/v1``: the root every link of the face starts with."""
    root = quote(request.scope.get("root_path", ""), safe="/")
    return f"{request.url.scheme}://{request.url.netloc}{root}".rstrip("/")


def encode_query(pairs: list[tuple[str, str]]) -> str:
    return urlencode(pairs, quote_via=quote, safe="")


def self_url(request: Request, **replace: Any) -> str:
    """The absolute URL of this request, its query kept (percent-encoded) and ``replace``d."""
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k not in replace]
    pairs.extend((k, str(v)) for k, v in replace.items() if v is not None)
    url = base_url(request) + _path(request)
    return url + ("?" + encode_query(pairs) if pairs else "")


def _path(request: Request) -> str:
    root = request.scope.get("root_path", "")
    path: str = request.scope["path"]
    relative = path[len(root) :] if root and path.startswith(root) else path
    return quote(relative, safe="/")


def envelope(
    request: Request, key: str, items: list[dict[str, Any]], total: int, lr: ListRequest
) -> dict[str, Any]:
    """``{key: [...], "total_entries": N, "links": {"self", "next"?, "previous"?}}``."""
    links = {"self": self_url(request)}
    if lr.page * lr.per_page < total:
        links["next"] = self_url(request, page=lr.page + 1)
    if lr.page > 1:
        links["previous"] = self_url(request, page=lr.page - 1)
    return {key: items, "total_entries": total, "links": links}
