"""The Agendize face's one error body, and the route class that renders every failure with it.

Every error is ``{"error": {"statusCode": "<code>", "reason": <slug>, "message": <text>,
"fields": [<property>, ...], "errors": [{"field", "message"}], ...}}`` with the same HTTP
status: the official Node module treats any JSON body with a top-level ``error`` key (and any
non-200 status) as a failure. Bad input is 400, a missing or wrong key 401, an unknown id 404,
a lost time or an illegal status change 409. Nothing else leaves this module; no input gives 500.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from appointd.domain.errors import (
    AppointdError,
    CapacityExceeded,
    Conflict,
    ConflictItem,
    FieldError,
    Forbidden,
    IllegalTransition,
    Invalid,
    NotFound,
    SlotTaken,
    Unauthenticated,
)

log = logging.getLogger(__name__)

# core error -> (HTTP status, reason); the first matching class wins, so subclasses first.
TABLE: list[tuple[type[AppointdError], int, str]] = [
    (Unauthenticated, 401, "unauthorized"),
    (Forbidden, 403, "forbidden"),
    (NotFound, 404, "notFound"),
    (Invalid, 400, "invalid"),
    (SlotTaken, 409, "slotTaken"),
    (IllegalTransition, 409, "illegalStatusChange"),
    (CapacityExceeded, 409, "capacityExceeded"),
    (Conflict, 409, "conflict"),
]

# Core field names -> the Agendize property that carried them.
FIELD_NAMES = {
    "start": "start",
    "end": "end",
    "staff_id": "staff.id",
    "service_id": "service.id",
    "client_id": "client.id",
    "location_id": "companyId",
    "resource_ids": "resource.id",
    "status": "status",
    "notes": "notes",
}


# Core object kinds of NotFound -> the Agendize property or path parameter naming them.
KIND_FIELDS = {
    "appointment": "appointmentId",
    "location": "companyId",
    "staff": "staff.id",
    "service": "service.id",
    "client": "client.id",
    "resource": "resource.id",
    "time_off": "appointmentId",
    "watch": "watchId",
    "operation": "path",
}


def reply(body: Any) -> Response:
    """A 200 answer with ``body`` as JSON, serialised once (no per-value encoding pass)."""
    return reply_text(json.dumps(body, separators=(",", ":"), ensure_ascii=False))


def reply_text(text: str) -> Response:
    """A 200 answer whose body is ``text``, already JSON."""
    return Response(text, media_type="application/json")


def error_body(
    status: int, reason: str, message: str, errors: list[dict[str, str]] | None = None, **extra: Any
) -> JSONResponse:
    errors = errors or []
    body: dict[str, Any] = {
        "statusCode": str(status),
        "reason": reason,
        "message": message,
        "fields": list(dict.fromkeys(e["field"] for e in errors if e["field"])),
        "errors": errors,
    }
    body.update(extra)
    return JSONResponse({"error": body}, status_code=status)


def _field(name: str) -> str:
    name = name.replace(".field_id", ".id").replace("custom_status_id", "customStatus.id")
    if name == "metadata":
        name = "extendedProperties"
    head, dot, rest = name.partition(".")
    return FIELD_NAMES.get(head, head) + dot + rest


def _invalid_field(e: FieldError) -> str:
    # The core reads naive start/end at the company and names "start" for a gap there.
    if e.field in ("start", "end") and "DST gap" in e.message:
        return e.field + ".dateTime"
    return _field(e.field)


def render(exc: AppointdError) -> JSONResponse:
    status, reason = next(
        ((code, reason) for cls, code, reason in TABLE if isinstance(exc, cls)), (400, "error")
    )
    errors: list[dict[str, str]] = []
    extra: dict[str, Any] = {}
    if isinstance(exc, Invalid):
        errors = [{"field": _invalid_field(e), "message": e.message} for e in exc.errors]
    if isinstance(exc, NotFound):
        name = _field(exc.field) if exc.field else KIND_FIELDS.get(exc.kind, exc.kind)
        errors = [{"field": name, "message": exc.message}]
    if isinstance(exc, SlotTaken):
        extra["conflicts"] = [_conflict(c) for c in exc.conflicts]
        held = ", ".join(
            f"{c.kind} {c.id} ({c.subject_kind} {c.subject_id})" for c in exc.conflicts
        )
        message = f"the time is held by {held}" if held else exc.message
        return error_body(
            status, reason, message, [{"field": "start", "message": message}], **extra
        )
    if isinstance(exc, IllegalTransition):
        errors = [{"field": "status", "message": exc.message}]
    return error_body(status, reason, exc.message, errors, **extra)


def _conflict(c: ConflictItem) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": "appointment"
        if c.kind == "appointment"
        else "personal"
        if c.kind == "time_off"
        else c.kind,
        "id": str(c.id) if c.kind != "time_off" else f"personal-{c.id}",
        c.subject_kind: {"id": str(c.subject_id)},
    }
    return out


# What the shared machinery (body limit, Idempotency-Key) answers with: status -> reason.
_MACHINERY = {
    413: "payloadTooLarge",
    422: "idempotencyKeyReused",
    409: "idempotencyKeyInUse",
}


def render_status(status: int, exc: AppointdError) -> Response:
    """The Agendize error body for ``exc`` answered with exactly ``status``: the renderer this
    face registers for the shared machinery (:mod:`appointd.faces.shared.errors`)."""
    errors: list[dict[str, str]] = []
    if isinstance(exc, Invalid):
        errors = [{"field": e.field, "message": e.message} for e in exc.errors]
    elif status == 409:
        errors = [{"field": "Idempotency-Key", "message": exc.message}]
    reason = _MACHINERY.get(status, "error")
    if status == 422 and not any(e["field"] == "Idempotency-Key" for e in errors):
        reason = "invalid"
    return error_body(status, reason, exc.message, errors)


def validation(exc: RequestValidationError) -> JSONResponse:
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")]
        if err.get("type") == "json_invalid":
            errors.append({"field": "body", "message": "malformed JSON"})
        else:
            errors.append({"field": ".".join(loc) or "body", "message": str(err.get("msg"))})
    message = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return error_body(400, "invalid", message, errors)


class AgendizeRoute(APIRoute):
    """An APIRoute whose every failure is answered with the Agendize error body."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except AppointdError as exc:
                return render(exc)
            except RequestValidationError as exc:
                return validation(exc)
            except Exception as exc:  # a bug; still answered in the face's own format
                log.exception("unexpected error in the Agendize face", exc_info=exc)
                return error_body(500, "internal", "the server failed; this is a bug")

        return handle
