"""The request body limit: one pure ASGI middleware in front of every face and every path.

A body is counted on the bytes as they arrive, whatever ``Content-Length`` says (a missing or
lying header does not get around it): once more than ``limit`` bytes have come, the request is
answered 413 in the face's own format (see :mod:`appointd.faces.shared.errors`) without reading
the rest and before anything parses it. A declared ``Content-Length`` over the limit is refused
before a single byte is read.

Within the limit the body is read whole and handed on as one message, so that what sits behind
(the ``Idempotency-Key`` machinery, the faces) never waits on a slow client mid-parse. The body
is also left in ``scope["appointd.body"]`` for the machinery that fingerprints requests.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from appointd.domain.errors import FieldError, Invalid
from appointd.faces.shared.errors import renderer_for

BODY_KEY = "appointd.body"


class BodyLimit:
    """Refuse request bodies larger than ``limit`` bytes with 413."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        scope[BODY_KEY] = body
        await self.app(scope, replay(body, receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = Invalid(
            [FieldError("body", f"the request body is larger than {self.limit} bytes")],
            message=f"request body too large (limit {self.limit} bytes)",
        )
        response = renderer_for(scope.get("path", "/"))(413, error)
        # The rest of the body is never read: the server closes the connection after answering.
        response.headers["Connection"] = "close"
        await response(scope, receive, send)


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that yields ``body`` once, then waits on the real one (disconnects)."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value) if value.isdigit() else None
            except ValueError:
                return None
    return None
