"""Mount the public pages on the server's application."""

from __future__ import annotations

from starlette.applications import Starlette

from appointd.app.context import Services
from appointd.web import booking, calendar, manage
from appointd.web.shell import pages_app


def mount(app: Starlette, services: Services) -> None:
    """``/book`` (booking pages), ``/manage`` (a booking by its link), ``/ical`` (feeds)."""
    app.mount("/book", pages_app(booking.routes, services), name="book")
    app.mount("/manage", pages_app(manage.routes, services), name="manage")
    app.mount("/ical", pages_app(calendar.routes, services), name="ical")
