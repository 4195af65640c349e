"""``/ical/{token}.ics``: a staff member's calendar feed, RFC 5545, built with ``icalendar``.

Events carry their local zone (``DTSTART;TZID=Europe/London:...``) with the matching
``VTIMEZONE`` components, so calendar apps show wall times that stay right across DST changes.
UIDs are stable per appointment, class session or time off; ``SEQUENCE`` counts an
appointment's changes, so subscribers replace the old version of a moved appointment.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from icalendar import Calendar, Event
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from appointd.app import feeds
from appointd.domain.errors import NotFound
from appointd.domain.wallclock import zone
from appointd.web.shell import services_of

PRODID = "-//appointd//appointd calendar feed//EN"
ICS = "text/calendar; charset=utf-8"


def ics_document(
    events: Iterable[feeds.FeedEvent], name: str, now: datetime, *, method: str | None = None
) -> bytes:
    """An iCalendar document of ``events`` with the time zones they use."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    cal.add("x-wr-calname", name)
    for e in events:
        tz = zone(e.time_zone)
        ev = Event()
        ev.add("uid", e.uid)
        ev.add("dtstamp", now.astimezone(UTC))
        ev.add("dtstart", e.start.astimezone(tz))
        ev.add("dtend", e.end.astimezone(tz))
        ev.add("summary", e.summary)
        if e.location:
            ev.add("location", e.location)
        if e.description:
            ev.add("description", e.description)
        ev.add("status", e.status)
        ev.add("sequence", e.sequence)
        ev.add("transp", "OPAQUE")
        if e.created:
            ev.add("created", e.created.astimezone(UTC))
        if e.updated:
            ev.add("last-modified", e.updated.astimezone(UTC))
        cal.add_component(ev)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


async def feed(request: Request) -> Response:
    services = services_of(request)
    token = request.path_params["token"]
    try:
        found = await run_in_threadpool(feeds.calendar_for, services, token, services.clock())
    except NotFound:
        raise HTTPException(404) from None
    name = f"{found.staff.first_name} {found.staff.last_name}".strip()
    body = ics_document(found.events, name, services.clock())
    return Response(
        body,
        media_type=ICS,
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": 'inline; filename="calendar.ics"',
        },
    )


routes = [Route("/{token}.ics", feed, methods=["GET"])]
