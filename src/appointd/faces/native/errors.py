"""The native face's one table from core errors to RFC 9457 problem documents.

Every error the native face returns is ``application/problem+json``. Validation problems list
``errors: [{"field", "message"}]``; refused bookings list ``conflicts``; illegal status changes
name ``current_status``. Nothing here decides: it only renders what the core raised.
"""

from __future__ import annotations

import logging
from datetime import tzinfo
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from appointd.domain.errors import (
    AppointdError,
    CapacityExceeded,
    Conflict,
    ConflictItem,
    Forbidden,
    IllegalTransition,
    Invalid,
    NotFound,
    SlotTaken,
    Unauthenticated,
)
from appointd.faces.native.auth import account_of, bearer, context
from appointd.faces.shared.errors import register_error_renderer
from appointd.faces.shared.idempotency import register_idempotent_prefix

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"

# core error -> (status, type slug, title); the first matching class wins, so subclasses first.
TABLE: list[tuple[type[AppointdError], int, str, str]] = [
    (Unauthenticated, 401, "unauthenticated", "Authentication required"),
    (Forbidden, 403, "forbidden", "Not allowed"),
    (NotFound, 404, "not-found", "Not found"),
    (Invalid, 422, "invalid", "Invalid request"),
    (SlotTaken, 409, "slot-taken", "Time not available"),
    (IllegalTransition, 409, "illegal-transition", "Status change not allowed"),
    (CapacityExceeded, 409, "capacity-exceeded", "No capacity left"),
    (Conflict, 409, "conflict", "Conflict"),
]


def problem(status: int, slug: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def render(exc: AppointdError) -> JSONResponse:
    status, slug, title = next(
        ((code, slug, title) for cls, code, slug, title in TABLE if isinstance(exc, cls)),
        (400, "error", "Error"),
    )
    extra: dict[str, Any] = {}
    if isinstance(exc, Invalid):
        extra["errors"] = [{"field": e.field, "message": e.message} for e in exc.errors]
        if type(exc) is not Invalid:  # OutsideWorkingHours -> /problems/outside-working-hours
            slug = _slug(type(exc).__name__)
    if isinstance(exc, NotFound) and exc.field:
        extra["errors"] = [{"field": exc.field, "message": exc.message}]
    if isinstance(exc, SlotTaken):
        extra["conflicts"] = [_conflict(c, exc.time_zone) for c in exc.conflicts]
    if isinstance(exc, IllegalTransition):
        extra["current_status"] = exc.current
    return problem(status, slug, title, exc.message, **extra)


def _slug(name: str) -> str:
    return "".join("-" + ch.lower() if ch.isupper() else ch for ch in name).lstrip("-")


def _conflict(c: ConflictItem, tz: tzinfo | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": c.kind,
        "id": c.id,
        "subject_kind": c.subject_kind,
        "subject_id": c.subject_id,
    }
    if c.kind == "appointment":
        out["appointment_id"] = c.id
    if c.start is not None:
        out["start"] = (c.start.astimezone(tz) if tz else c.start).isoformat()
        out["end"] = (c.end.astimezone(tz) if tz and c.end else c.end).isoformat()
    if c.occurrence is not None:
        out["occurrence"] = c.occurrence
    return out


def _field_path(loc: tuple[Any, ...]) -> str:
    parts = [p for p in loc if p not in ("body", "query", "path", "header")]
    # Pydantic names the union member it tried ("function-after[...]", "int"); drop those.
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        elif isinstance(p, str) and ("[" in p or p in {"int", "str", "list", "bool", "decimal"}):
            continue
        else:
            out += ("." if out else "") + str(p)
    return out or ("body" if loc and loc[0] == "body" else "")


def validation_problem(exc: RequestValidationError) -> JSONResponse:
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        if loc and loc[0] == "path":
            # An id in a path that is not an id names no object: 404, like a missing one.
            return render(NotFound("object", _path_value(err)))
    errors = []
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        if err.get("type") == "json_invalid":
            errors.append({"field": "body", "message": _malformed(err, exc.body)})
            continue
        message = str(err.get("msg", "invalid"))
        if err.get("type") == "extra_forbidden":
            message = "unknown field"
        elif err.get("type") == "missing":
            message = "required"
        errors.append({"field": _field_path(loc), "message": message})
    # Report each field once: a union (X | None) yields one error per member.
    unique = list({(e["field"], e["message"]): e for e in errors}.values())
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in unique)
    return problem(422, "invalid", "Invalid request", detail, errors=unique)


def _allowed_methods(request: Request) -> list[str]:
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        if match != Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def _malformed(err: Any, body: Any) -> str:
    """Where a JSON body stops being JSON: line and column (from 1), and the parser's reason."""
    reason = str((err.get("ctx") or {}).get("error") or err.get("msg") or "not JSON")
    loc = tuple(err.get("loc", ()))
    pos = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
    if pos is None or not isinstance(body, str | bytes):
        return f"malformed JSON: {reason}"
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"malformed JSON at line {line}, column {column}: {reason}"


JSON_TYPES = ("application/json", "+json")


def not_json(request: Request, exc: RequestValidationError) -> JSONResponse | None:
    """415 for a body sent without ``Content-Type: application/json`` (``curl -d`` labels it
    form data; some clients send none), which is therefore never read as JSON; ``None``
    otherwise.

    A body without any ``Content-Type`` is refused too, not guessed at: a browser can send such
    a request across sites without asking first, so reading it as JSON would open the API to
    cross-site request forgery (FastAPI's strict rule, kept).
    """
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media.endswith(JSON_TYPES):
        return None
    if not any(
        tuple(e.get("loc", ())) == ("body",) and e.get("type") != "missing" for e in exc.errors()
    ):
        return None  # no body at all is "required" (422), whatever the Content-Type
    sent = f"not {media}" if media else "and this request has no Content-Type"
    message = (
        f"the body must be JSON sent with `Content-Type: application/json`, {sent} "
        "(with curl: -H 'Content-Type: application/json' -d '{...}')"
    )
    return problem(
        415,
        "unsupported-media-type",
        "Unsupported media type",
        message,
        errors=[{"field": "Content-Type", "message": message}],
    )


def _path_value(err: Any) -> object:
    value = err.get("input")
    return value if isinstance(value, str | int) else "?"


# Problems only the shared machinery raises (body limit, Idempotency-Key): status -> slug, title.
_MACHINERY = {
    413: ("payload-too-large", "Request body too large"),
    409: ("idempotency-key-in-use", "Request with this Idempotency-Key still in progress"),
    422: ("invalid", "Invalid request"),
}


def render_status(status: int, exc: AppointdError) -> Response:
    """The problem document for ``exc`` answered with ``status``: the renderer the native face
    registers for the shared machinery (:mod:`appointd.faces.shared.errors`)."""
    slug, title = _MACHINERY.get(status, ("error", "Error"))
    extra: dict[str, Any] = {}
    if isinstance(exc, Invalid):
        extra["errors"] = [{"field": e.field, "message": e.message} for e in exc.errors]
    return problem(status, slug, title, exc.message, **extra)


def install(app: FastAPI) -> None:
    """Register the native problem rendering on ``app`` and for the shared machinery."""
    register_error_renderer("/v1", render_status)
    register_idempotent_prefix("/v1", account_of)

    @app.exception_handler(AppointdError)
    async def _core(_: Request, exc: AppointdError) -> JSONResponse:
        return render(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        if request.url.path.startswith("/v1/") and any(
            e.get("type") == "json_invalid" for e in exc.errors()
        ):
            # FastAPI parses a JSON body before it checks the key; a caller without a valid
            # key must hear 401 first, whatever it sent.
            try:
                await context(request, await bearer(request))
            except Unauthenticated as denied:
                return render(denied)
        if request.url.path.startswith("/v1/"):
            refused = not_json(request, exc)
            if refused is not None:
                return refused
        return validation_problem(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:
            # A body FastAPI cannot even decode (not UTF-8, not JSON) is invalid input like any
            # other: 422 naming the body, so every bad request body has one status.
            return problem(
                422,
                "invalid",
                "Invalid request",
                "body: malformed request body",
                errors=[{"field": "body", "message": "malformed request body: " + str(exc.detail)}],
            )
        slug = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        response = problem(exc.status_code, slug, str(exc.detail), str(exc.detail))
        response.headers.update(exc.headers or {})
        if exc.status_code == 405:
            # RFC 9110: name every method the path allows; Starlette names only the methods of
            # the one route it matched, and GET and POST of a path are separate routes.
            response.headers["Allow"] = ", ".join(_allowed_methods(request))
        return response

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return problem(500, "internal", "Internal error", "the server failed; this is a bug")
