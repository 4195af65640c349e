"""The Cliniko face's one table from core errors to Cliniko's error bodies.

- 401: ``{"message": "HTTP Basic: Access denied."}`` with ``WWW-Authenticate: Basic``.
- 400: ``{"message": ...}`` for what Cliniko refuses before validation (malformed JSON, a body
  that is not an object, an unknown ``q[]`` field or operator, a bad ``available_times`` range).
- 404: ``{"message": "Not Found"}`` for unknown ids, another account's ids and unknown paths.
- 422: ``{"message": "Validation Failed", "errors": {field: "one string"}}`` for validation,
  unknown ids in a body and refused bookings (overlaps, outside working hours).
- 409: ``{"message": ...}`` for the remaining conflicts with the calendar's state, and for a
  request whose ``Idempotency-Key`` is still being answered.
- 413: ``{"message": ...}`` for a body over the server's limit.

The last two, and the 422 for an ``Idempotency-Key`` reused with another request, come from the
shared machinery that runs before the face's routing (:func:`render_status`).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from appointd.domain.errors import (
    AppointdError,
    CapacityExceeded,
    Conflict,
    Forbidden,
    IllegalTransition,
    Invalid,
    NotFound,
    SlotTaken,
    Unauthenticated,
)

log = logging.getLogger(__name__)

# Core field names -> the names a Cliniko client sent.
FIELD_NAMES = {
    "start": "starts_at",
    "end": "ends_at",
    "staff_id": "practitioner_id",
    "location_id": "business_id",
    "service_id": "appointment_type_id",
    "client_id": "patient_id",
    "class_session_id": "booking_id",
    "capacity": "max_attendees",
    "recurrence": "repeat_rule",
    "": "base",
}
KIND_FIELDS = {
    "location": "business_id",
    "staff": "practitioner_id",
    "service": "appointment_type_id",
    "client": "patient_id",
    "class session": "booking_id",
}


class BadRequest(Exception):
    """A request Cliniko refuses with 400 before looking at its meaning."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def message(text: str, status: int, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"message": text}, status_code=status, headers=headers)


def validation(errors: dict[str, str]) -> JSONResponse:
    return JSONResponse({"message": "Validation Failed", "errors": errors}, status_code=422)


# The core's working-hours refusal ends with a hint about the native ``override`` field, which
# a Cliniko request cannot send.
_NATIVE_HINT = re.compile(r"; `override: true` [^;]*$")


def _cliniko_text(text: str) -> str:
    return _NATIVE_HINT.sub("", text)


def field_name(name: str) -> str:
    head, dot, rest = name.partition(".")
    return FIELD_NAMES.get(head, head) + (dot + rest if dot else "")


def render(exc: AppointdError) -> JSONResponse:
    if isinstance(exc, Unauthenticated):
        return message(
            "HTTP Basic: Access denied.", 401, {"WWW-Authenticate": 'Basic realm="Application"'}
        )
    if isinstance(exc, Forbidden):
        return message(exc.message, 403)
    if isinstance(exc, NotFound):
        if exc.field:
            return validation({field_name(exc.field): "does not exist"})
        return message("Not Found", 404)
    if isinstance(exc, Invalid):
        errors: dict[str, str] = {}
        for e in exc.errors:
            name = field_name(e.field)
            text = _cliniko_text(e.message)
            errors[name] = f"{errors[name]}; {text}" if name in errors else text
        return validation(errors)
    if isinstance(exc, SlotTaken):
        what = ", ".join(f"{c.kind} {c.id}" for c in exc.conflicts) or "another booking"
        return validation({"starts_at": f"overlaps {what} of the practitioner"})
    if isinstance(exc, IllegalTransition):
        return validation({"base": f"a {exc.current} appointment cannot be {exc.requested}"})
    if isinstance(exc, CapacityExceeded):
        return validation({"booking_id": exc.message})
    if isinstance(exc, Conflict):
        return message(exc.message, 409)
    return message(exc.message, 400)


def render_status(status: int, exc: AppointdError) -> Response:
    """``exc`` in Cliniko's format, answered with ``status``: the renderer the face registers
    for the shared body limit and ``Idempotency-Key`` machinery
    (:mod:`appointd.faces.shared.errors`). A 422 lists the fields in ``errors`` like any
    validation failure; 413 and 409 are a bare ``{"message": ...}``."""
    if status == 422 and isinstance(exc, Invalid):
        return validation({e.field: e.message for e in exc.errors})
    return message(exc.message, status)


def install(app: FastAPI) -> None:
    """Register the handlers on the face's own application (mounted at ``/cliniko/v1``)."""

    @app.exception_handler(AppointdError)
    async def _core(request: Request, exc: AppointdError) -> JSONResponse:
        return render(exc)

    @app.exception_handler(BadRequest)
    async def _bad(request: Request, exc: BadRequest) -> JSONResponse:
        return message(exc.message, 400)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        first: dict[str, Any] = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "body"))
        return message(f"{where or 'request'}: {first.get('msg', 'invalid')}", 400)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        text = {404: "Not Found", 405: "Method Not Allowed"}.get(exc.status_code, str(exc.detail))
        return message(text, exc.status_code, dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error in the Cliniko face")
        return message("Internal Server Error", 500)
