"""The TimeTap face's one error shape, and the route class that renders every error in it.

TimeTap does not document its error bodies, so this face answers every error with::

    {"status": 400, "error": "BAD_REQUEST", "errorMessage": "clientStartTime: 1275 is not ...",
     "fields": [{"field": "clientStartTime", "message": "1275 is not a time of day (HHMM)"}]}

``fields`` is present when fields are to blame; a refused booking (409) also lists
``conflicts`` (``{"objectType": "APPOINTMENT"|"TIME_OFF"|"CLASS", "objectId", "calendarId",
"professionalId"|"resourceId"}``) and an illegal status change names ``currentStatus``.
Status codes: 400 bad input, 401 unknown or expired session, 403, 404 unknown id (another
account's ids included) or path, 409 conflicts. The shared machinery in front of every face
answers in this shape too (:func:`render_status`): 413 ``PAYLOAD_TOO_LARGE`` for a body over
``APPOINTD_MAX_BODY_BYTES``, 422 ``UNPROCESSABLE_ENTITY`` naming ``Idempotency-Key`` for a key
reused with another request, 409 ``CONFLICT`` while a key's first request is still running.
Nothing here decides: it renders core errors.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from appointd.domain.errors import (
    AppointdError,
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

TABLE: list[tuple[type[AppointdError], int, str]] = [
    (Unauthenticated, 401, "UNAUTHORIZED"),
    (Forbidden, 403, "FORBIDDEN"),
    (NotFound, 404, "NOT_FOUND"),
    (Invalid, 400, "BAD_REQUEST"),
    (Conflict, 409, "CONFLICT"),
]
NAMES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    404: "NOT_FOUND",
    405: "NOT_FOUND",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    422: "UNPROCESSABLE_ENTITY",
}
OBJECT_TYPES = {"appointment": "APPOINTMENT", "time_off": "TIME_OFF", "class_session": "CLASS"}


def error(status: int, name: str, message: str, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"status": status, "error": name, "errorMessage": message}
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status)


def render(exc: AppointdError) -> JSONResponse:
    status, name = next(
        ((code, name) for cls, code, name in TABLE if isinstance(exc, cls)), (400, "BAD_REQUEST")
    )
    extra: dict[str, Any] = {}
    if isinstance(exc, Invalid):
        extra["fields"] = [{"field": e.field, "message": e.message} for e in exc.errors]
    if isinstance(exc, NotFound) and exc.field:
        extra["fields"] = [{"field": exc.field, "message": exc.message}]
    if isinstance(exc, SlotTaken):
        extra["conflicts"] = [_conflict(c) for c in exc.conflicts]
    if isinstance(exc, IllegalTransition):
        extra["currentStatus"] = exc.current
    return error(status, name, exc.message, **extra)


def render_status(status: int, exc: AppointdError) -> Response:
    """``exc`` in this face's shape with exactly ``status``: the renderer the face registers
    for the shared body limit and ``Idempotency-Key`` machinery
    (:mod:`appointd.faces.shared.errors`)."""
    extra: dict[str, Any] = {}
    if isinstance(exc, Invalid):
        extra["fields"] = [{"field": e.field, "message": e.message} for e in exc.errors]
    return error(status, NAMES.get(status, "ERROR"), exc.message, **extra)


def _conflict(c: ConflictItem) -> dict[str, Any]:
    out: dict[str, Any] = {
        "objectType": OBJECT_TYPES.get(c.kind, c.kind.upper()),
        "objectId": c.id,
        "calendarId": c.id if c.kind == "appointment" else None,
    }
    out["professionalId" if c.subject_kind == "staff" else "resourceId"] = c.subject_id
    return out


def _validation(exc: RequestValidationError) -> JSONResponse:
    fields = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        fields.append({"field": ".".join(loc) or "body", "message": str(err.get("msg"))})
    message = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
    return error(400, "BAD_REQUEST", message, fields=fields)


class TimeTapRoute(APIRoute):
    """An APIRoute whose every error, raised anywhere in the handler, is a TimeTap error body.

    Handlers of this face run inside it, so the native face's problem+json handlers never see
    a TimeTap request, and an unexpected exception is logged and answered 500 in this shape.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except AppointdError as exc:
                return render(exc)
            except RequestValidationError as exc:
                return _validation(exc)
            except HTTPException as exc:
                code = exc.status_code
                return error(code, NAMES.get(code, "ERROR"), str(exc.detail))
            except Exception as exc:
                log.exception("unexpected error in the TimeTap face", exc_info=exc)
                return error(500, "INTERNAL_ERROR", "the server failed; this is a bug")

        return handler


@contextmanager
def fields_named(names: Mapping[str, str]) -> Iterator[None]:
    """Refusals raised inside name TimeTap's fields (``clientStartTime``), not the core's
    (``start``): ``names`` maps a core field (or the part before ``[`` / ``.``) to the face's."""
    try:
        yield
    except Invalid as exc:
        exc.errors = [FieldError(_renamed(e.field, names), e.message) for e in exc.errors]
        raise
    except NotFound as exc:
        if exc.field:
            exc.field = _renamed(exc.field, names)
        raise


def _renamed(field: str, names: Mapping[str, str]) -> str:
    head = field.split("[", 1)[0].split(".", 1)[0]
    if head == "form":  # form answers keep their index: form[2].field_id -> fields[2]...
        return "fields" + field[len("form") :].replace(
            ".field_id", ".schedulerPreferenceFieldDefnId"
        ).replace(".values", ".value")
    return names.get(head, field)
