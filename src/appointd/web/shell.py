"""What every public page shares: templates, CSRF, form bodies, rate limits and error pages.

The pages are small Starlette applications mounted by :mod:`appointd.asgi` under ``/book``,
``/manage`` and ``/ical``. They have their own error handling (HTML pages, not the native
problem documents) and their own rate limit.

CSRF: double-submit cookie. A page with a form sets a random ``appointd_csrf`` cookie (unless
the browser already has one) and repeats it in a hidden field; a POST whose field does not
match its cookie (compared in constant time) is refused with 403 before anything is read.
Another site cannot read the cookie, so it cannot forge the field, and nothing server-side is
kept, so any server process can check any form.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from appointd.app import links
from appointd.app.context import Services
from appointd.store import rate_limits

log = logging.getLogger("appointd.web")

CSRF_COOKIE = "appointd_csrf"
CSRF_FIELD = "csrf"
MAX_FORM_BYTES = 16 * 1024  # a booking form is well under 2 KB

templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


class FormTooLarge(Exception):
    """The body of a form post is larger than any form of these pages."""


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def public_base(request: Request) -> str:
    """Where public links point: ``APPOINTD_PUBLIC_URL`` when set, else this server."""
    here = str(request.url.replace(path="/", query="", fragment=""))
    return links.base(services_of(request).settings, here)


def manage_url(request: Request, token: str) -> str:
    """The manage page of the appointment with ``token`` (the core's link builder)."""
    here = str(request.url.replace(path="/", query="", fragment=""))
    return links.manage_url(services_of(request).settings, token, here)


def csrf_token(request: Request) -> str:
    """The browser's CSRF token, or a new one (set as a cookie by :func:`page`)."""
    token = request.cookies.get(CSRF_COOKIE, "")
    if len(token) != 43:  # token_urlsafe(32)
        token = request.state.__dict__.setdefault("new_csrf", secrets.token_urlsafe(32))
    return token


def page(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    """Render ``template`` with ``values``; sets the CSRF cookie when the page made one."""
    values.setdefault("csrf", csrf_token(request))
    html = templates.get_template(template).render(request=request, **values)
    response = HTMLResponse(html, status_code=status_code)
    new = request.state.__dict__.get("new_csrf")
    if new:
        response.set_cookie(
            CSRF_COOKIE,
            new,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
        )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


class Form(dict[str, str]):
    """A posted form: each field's first value, and :meth:`getlist` for repeated fields."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__()
        self.pairs = pairs
        for key, value in pairs:
            self.setdefault(key, value)

    def getlist(self, key: str) -> list[str]:
        return [v for k, v in self.pairs if k == key]


async def form(request: Request) -> Form:
    """The posted form after the CSRF check: 403 :class:`HTTPException` when it fails,
    :class:`FormTooLarge` when the body is over :data:`MAX_FORM_BYTES`."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise FormTooLarge
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=100)
    except (UnicodeDecodeError, ValueError):
        pairs = []
    fields = Form(pairs)
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = fields.get(CSRF_FIELD, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), sent.encode()):
        raise HTTPException(403, "This form has expired. Please go back, reload and try again.")
    return fields


# -- formatting helpers for templates ------------------------------------------------------


def local(instant: datetime, tz: ZoneInfo) -> datetime:
    return instant.astimezone(tz)


def fmt_time(instant: datetime, tz: ZoneInfo) -> str:
    return instant.astimezone(tz).strftime("%H:%M")


def fmt_day(instant: datetime, tz: ZoneInfo) -> str:
    return instant.astimezone(tz).strftime("%A %-d %B %Y")


def fmt_price(price: Any, currency: str | None) -> str:
    if price is None:
        return ""
    return f"{price:.2f} {currency or ''}".strip()


templates.globals.update(fmt_time=fmt_time, fmt_day=fmt_day, fmt_price=fmt_price)


# -- rate limiting -------------------------------------------------------------------------


class RateLimit:
    """ASGI middleware: page views and form posts per client address and minute.

    Counted in the database (:mod:`appointd.store.rate_limits`), so the limit holds across
    every server process. Over the limit: a 429 page with ``Retry-After``.
    """

    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = self.services.settings
        posting = scope["method"] not in ("GET", "HEAD")
        limit = settings.public_posts_per_minute if posting else settings.public_views_per_minute
        client = scope.get("client")
        address = client[0] if client else "unknown"
        now = int(time.time())
        window = now - now % 60
        subject = f"{'post' if posting else 'view'}:{address}"
        hits = await run_in_threadpool(rate_limits.hit, self.services.engine, subject, window)
        if hits > limit:
            request = Request(scope)
            response = error_page(request, 429, retry_after=window + 60 - now)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


# -- error pages ---------------------------------------------------------------------------

_TITLES = {
    403: "This form has expired",
    404: "Page not found",
    405: "Not allowed",
    413: "Too much data",
    429: "Too many requests",
    500: "Something went wrong",
}


def error_page(
    request: Request, status: int, message: str | None = None, retry_after: int | None = None
) -> HTMLResponse:
    response = page(
        request,
        "error.html",
        status_code=status,
        status=status,
        title=_TITLES.get(status, "Error"),
        message=message,
    )
    if retry_after is not None:
        response.headers["Retry-After"] = str(max(1, retry_after))
    return response


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if exc.status_code == 403 else None
    return error_page(request, exc.status_code, detail)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("public page failed", exc_info=exc)
    return error_page(request, 500)


Handler = Callable[[Request], Awaitable[Response]]


def pages_app(routes: Sequence[BaseRoute], services: Services) -> Starlette:
    """A Starlette application for ``routes`` with the pages' error handling and rate limit."""
    app = Starlette(
        routes=list(routes),
        middleware=[Middleware(RateLimit, services=services)],
        exception_handlers={HTTPException: _http_error, Exception: _unexpected},
    )
    app.state.services = services
    return app


def field_errors(errors: Any) -> Mapping[str, str]:
    """Core field errors as ``{field: message}`` (the first message of each field)."""
    out: dict[str, str] = {}
    for e in errors:
        out.setdefault(e.field or "form", e.message)
    return out
