"""Rendering e-mails and texts: Jinja2 templates, times in the recipient's zone, iCalendar.

Templates live in ``appointd/worker/templates``; ``APPOINTD_TEMPLATES_DIR`` names a folder whose
files of the same names win (``message.txt``, ``message.html``, ``message.sms.txt``,
``<kind>.subject.txt``). Every file of that folder is compiled at start-up, and a broken one
stops the start with its file name (:class:`TemplateProblem`), so a typo never sticks the queue.

Each e-mail about one appointment carries an iCalendar file (RFC 5545): one UID per
appointment for its whole life, SEQUENCE = the number of changes recorded so far, and
``METHOD:CANCEL`` when it is cancelled, so calendar programs update the one entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    TemplateError,
    select_autoescape,
)

from appointd.domain.model import Appointment

_BUILT_IN = Path(__file__).parent / "templates"


class TemplateProblem(Exception):
    """A template override that does not compile; the message names the file."""


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str | None


def environment(templates_dir: str | None) -> Environment:
    """The template environment; overrides in ``templates_dir`` are checked here."""
    loaders: list[Any] = [PackageLoader("appointd.worker", "templates")]
    if templates_dir:
        folder = Path(templates_dir)
        if not folder.is_dir():
            raise TemplateProblem(f"APPOINTD_TEMPLATES_DIR {folder} is not a folder")
        loaders.insert(0, FileSystemLoader(str(folder)))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    if templates_dir:
        for path in sorted(Path(templates_dir).rglob("*")):
            if path.is_file():
                name = path.relative_to(templates_dir).as_posix()
                try:
                    env.get_template(name)
                except TemplateError as exc:
                    raise TemplateProblem(f"template {path}: {exc}") from exc
    return env


def render(env: Environment, context: dict[str, Any], channel: str) -> Rendered:
    """Subject, text and HTML (e-mail) or the short text (SMS) of one message."""
    kind = context["kind"]
    subject = env.get_template(f"{kind}.subject.txt").render(context).strip()
    if channel == "sms":
        body = env.get_template("message.sms.txt").render(context).strip()
        return Rendered(subject, body, None)
    text = env.get_template("message.txt").render(context)
    html = env.get_template("message.html").render(context)
    return Rendered(subject, text, html)


def context(
    *,
    kind: str,
    recipient: str,
    recipient_name: str | None,
    zone: str,
    appointment: Appointment,
    service_name: str,
    staff_name: str | None,
    client_name: str | None,
    location_name: str | None,
    location_address: str | None,
    account_name: str,
    manage_url: str | None,
    minutes_before: int | None = None,
    hold_expires_at: datetime | None = None,
) -> dict[str, Any]:
    tz = ZoneInfo(zone)
    return {
        "kind": kind,
        "recipient": recipient,
        "recipient_name": recipient_name,
        "zone": zone,
        "start_local": appointment.start.astimezone(tz),
        "end_local": appointment.end.astimezone(tz),
        "service_name": service_name,
        "staff_name": staff_name,
        "client_name": client_name,
        "location_name": location_name,
        "location_address": location_address,
        "account_name": account_name,
        "manage_url": manage_url,
        "minutes_before": minutes_before,
        "hold_expires_local": None if hold_expires_at is None else hold_expires_at.astimezone(tz),
        "appointment_id": appointment.id,
        "status": appointment.status.value,
    }


def calendar_uid(appointment: Appointment) -> str:
    """The appointment's UID for its whole life, whatever changes."""
    return f"appointment-{appointment.account_id}-{appointment.id}@appointd"


def icalendar_file(
    appointment: Appointment,
    *,
    sequence: int,
    cancel: bool,
    summary: str,
    location: str | None,
    organizer: str | None,
    attendee: str | None,
    now: datetime,
) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//appointd//appointd//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancel else "REQUEST")
    ev = icalendar.Event()
    ev.add("uid", calendar_uid(appointment))
    ev.add("sequence", sequence)
    ev.add("dtstamp", now)
    ev.add("dtstart", appointment.start)
    ev.add("dtend", appointment.end)
    ev.add("summary", summary)
    ev.add("status", "CANCELLED" if cancel else "CONFIRMED")
    if location:
        ev.add("location", location)
    if organizer:
        ev.add("organizer", f"mailto:{organizer}")
    if attendee:
        ev.add("attendee", f"mailto:{attendee}")
    cal.add_component(ev)
    return bytes(cal.to_ical())


def email(
    rendered: Rendered,
    *,
    sender: str,
    to: str,
    ics: bytes | None,
    cancel: bool,
    message_id: str,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = rendered.subject
    msg["Message-ID"] = message_id
    msg.set_content(rendered.text)
    if rendered.html is not None:
        msg.add_alternative(rendered.html, subtype="html")
    if ics is not None:
        method = "CANCEL" if cancel else "REQUEST"
        msg.add_attachment(
            ics,
            maintype="text",
            subtype="calendar",
            filename="invite.ics",
            params={"method": method},
        )
    return msg
