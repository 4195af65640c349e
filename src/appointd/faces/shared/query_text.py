"""Query strings with U+0000: refused in front of every face, naming the parameter.

A query parameter ends up as a filter value in SQL, and PostgreSQL cannot take U+0000 in text
(psycopg refuses it before sending): a face that did not check answered 500. A query string is
decoded the same way for every face, so the check lives here, once, like the body limit, and
the refusal (422) is rendered by the face that owns the path
(:mod:`appointd.faces.shared.errors`).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from appointd.domain.errors import Invalid
from appointd.faces.shared.errors import renderer_for


class QueryText:
    """Answer 422 naming the parameter when a query name or value contains U+0000."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw: bytes = scope.get("query_string", b"") if scope["type"] == "http" else b""
        if b"%00" in raw or b"\x00" in raw:
            for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
                if "\x00" in name or "\x00" in value:
                    error = Invalid.field(
                        name.replace("\x00", ""), "must not contain NUL characters"
                    )
                    await renderer_for(scope.get("path", "/"))(422, error)(scope, receive, send)
                    return
        await self.app(scope, receive, send)
