"""How the shared machinery answers in each face's own error format.

The body limit (413) and the ``Idempotency-Key`` handling (422, 409) run before any face's
routing, so they cannot raise into a face's exception handlers. Instead each face registers one
renderer for its path prefix; the machinery picks the renderer of the longest matching prefix::

    from appointd.faces.shared.errors import register_error_renderer

    def render(status: int, error: AppointdError) -> Response:  # the face's own body
        ...

    register_error_renderer("/timetap", render)

``error`` is a core error (:mod:`appointd.domain.errors`): :class:`Invalid` naming ``body`` for
a body over the limit (status 413), :class:`Invalid` naming ``Idempotency-Key`` for a key reused
with another request (422), :class:`Conflict` for a key whose first request is in progress. The
renderer must answer with exactly ``status``. Paths no face claims get a plain RFC 9457 problem.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.responses import JSONResponse, Response

from appointd.domain.errors import AppointdError, Invalid

ErrorRenderer = Callable[[int, AppointdError], Response]

_renderers: dict[str, ErrorRenderer] = {}


def register_error_renderer(prefix: str, renderer: ErrorRenderer) -> None:
    """Render the shared machinery's errors for paths under ``prefix`` with ``renderer``.

    Registering a prefix again replaces its renderer (applications are built more than once
    in tests).
    """
    _renderers[prefix.rstrip("/") or "/"] = renderer


def renderer_for(path: str) -> ErrorRenderer:
    """The renderer of the longest registered prefix of ``path``, else :func:`plain_problem`."""
    best = ""
    for prefix in _renderers:
        if _under(path, prefix) and len(prefix) > len(best):
            best = prefix
    return _renderers.get(best, plain_problem) if best else plain_problem


def _under(path: str, prefix: str) -> bool:
    return prefix == "/" or path == prefix or path.startswith(prefix + "/")


def plain_problem(status: int, error: AppointdError) -> Response:
    """An ``application/problem+json`` body for paths that no face registered."""
    body: dict[str, object] = {
        "title": type(error).__name__,
        "status": status,
        "detail": error.message,
    }
    if isinstance(error, Invalid):
        body["errors"] = [{"field": e.field, "message": e.message} for e in error.errors]
    return JSONResponse(body, status_code=status, media_type="application/problem+json")
