"""Turning claimed delivery rows into ready jobs: rendered requests and e-mails.

Everything a batch needs is loaded in a bounded number of statements (subscriptions,
appointments, clients, staff, locations, services, account names, change counts), whatever the
batch size. A row that cannot be sent and never will (its subscription is gone, the recipient
has no address, no transport is configured) is *settled* here without an attempt, so nothing
waits in the queue for ever.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from jinja2 import Environment

from appointd.app import links
from appointd.domain.model import Appointment
from appointd.settings import Settings
from appointd.store import tables
from appointd.store.repositories.dispatch import DispatchStore
from appointd.store.uow import UnitOfWork
from appointd.worker import messages
from appointd.worker.subscriptions import (
    KindDelivery,
    OutgoingEvent,
    OutgoingRequest,
    Subscription,
    kind,
    signature_headers,
)
from appointd.worker.transports import Outcome, sms_request


@dataclass
class Job:
    """One claimed row and what to send for it."""

    row: dict[str, Any]
    subscription_id: int | None = None
    request: OutgoingRequest | None = None
    secret: str | None = None
    email: EmailMessage | None = None
    timeout: float = 10.0
    columns: dict[str, Any] = field(default_factory=dict)  # rendered subject, body, ...
    # (status, reason) to record without an attempt.
    settle: tuple[str, str] | None = None
    # The kind's authorize hook bound to the subscription: refresh -> auth headers.
    authorize: Callable[[bool], Mapping[str, str]] | None = None

    def signed(self, at: datetime) -> OutgoingRequest:
        assert self.request is not None
        if not self.request.sign or not self.secret:
            return self.request
        event_id = str(self.row["event_id"] or f"delivery-{self.row['id']}")
        headers = {
            **self.request.headers,
            **signature_headers(self.secret, event_id, at, self.request.body),
        }
        return dataclasses.replace(self.request, headers=headers)

    def rendered_columns(self) -> dict[str, Any]:
        return self.columns


def manage_url(settings: Settings, appointment: Appointment) -> str | None:
    """The client's manage link, ``{APPOINTD_PUBLIC_URL}/manage/{token}``; without a public URL
    a message carries none (there is no request to take a base URL from)."""
    if not appointment.manage_token or not settings.public_url:
        return None
    return links.manage_url(settings, appointment.manage_token)


def prepare(
    store: DispatchStore,
    rows: list[dict[str, Any]],
    settings: Settings,
    env: Environment,
    now: datetime,
) -> tuple[list[Job], list[tuple[Job, Outcome]]]:
    """Jobs to send, and jobs already finished here (settled, or failed before sending)."""
    keys = {(r["account_id"], r["appointment_id"]) for r in rows if r["appointment_id"]}
    appointments = store.appointments(keys)
    webhook_rows = [r for r in rows if r["channel"] == "webhook"]
    message_rows = [r for r in rows if r["channel"] != "webhook"]
    jobs: list[Job] = []
    finished: list[tuple[Job, Outcome]] = []
    if webhook_rows:
        _subscription_jobs(store, webhook_rows, appointments, jobs, finished)
    if message_rows:
        _Messages(store, message_rows, appointments, settings, env, now).build(jobs, finished)
    return jobs, finished


# -- subscriptions -----------------------------------------------------------------------------


def _subscription_jobs(
    store: DispatchStore,
    rows: list[dict[str, Any]],
    appointments: dict[int, Appointment],
    jobs: list[Job],
    finished: list[tuple[Job, Outcome]],
) -> None:
    subs = store.subscriptions_by_id(r["subscription_id"] for r in rows)
    views = _kind_views(store, rows, subs)
    for row in rows:
        job = Job(row, subscription_id=row["subscription_id"])
        sub = subs.get(row["subscription_id"])
        if sub is None or sub.account_id != row["account_id"]:
            job.settle = ("failed", "the subscription was deleted")
            finished.append((job, Outcome(False)))
            continue
        if not sub.enabled:
            job.settle = ("failed", f"the endpoint is disabled: {sub.disabled_reason or 'by hand'}")
            finished.append((job, Outcome(False)))
            continue
        registered = kind(sub.kind)
        if registered is None:
            finished.append((job, Outcome(False, error=f"no renderer for kind {sub.kind!r}")))
            continue
        event = OutgoingEvent(
            row["event_id"], row["type"], row["account_id"], row["due_at"], row["data"] or {}
        )
        appt = appointments.get(row["appointment_id"] or 0)
        view = views.get((sub.kind, sub.account_id), {}).get(row["appointment_id"] or 0)
        try:
            request = registered.render(KindDelivery(event, sub, appt, view))
        except Exception as exc:  # a renderer's bug fails the attempt, never the queue
            finished.append((job, Outcome(False, error=f"render: {type(exc).__name__}: {exc}")))
            continue
        if request is None:
            job.settle = ("not_sent", "nothing to send for this event")
            finished.append((job, Outcome(False)))
            continue
        job.request, job.secret, job.timeout = request, sub.secret, registered.timeout_seconds
        if registered.authorize is not None:
            job.authorize = functools.partial(registered.authorize, sub)
        jobs.append(job)


def _kind_views(
    store: DispatchStore, rows: list[dict[str, Any]], subs: dict[int, Subscription]
) -> dict[tuple[str, int], dict[int, Any]]:
    """Each kind's own loader, called once per (kind, account) of the batch."""
    wanted: dict[tuple[str, int], set[int]] = {}
    for row in rows:
        sub = subs.get(row["subscription_id"])
        if sub is None or row["appointment_id"] is None:
            continue
        registered = kind(sub.kind)
        if registered is not None and registered.load is not None:
            wanted.setdefault((sub.kind, sub.account_id), set()).add(row["appointment_id"])
    views: dict[tuple[str, int], dict[int, Any]] = {}
    for (name, account_id), ids in wanted.items():
        registered = kind(name)
        assert registered is not None and registered.load is not None
        with UnitOfWork(store.conn.engine, account_id, write=False) as uow:
            views[(name, account_id)] = dict(registered.load(uow, sorted(ids)))
    return views


# -- messages ----------------------------------------------------------------------------------


class _Messages:
    def __init__(
        self,
        store: DispatchStore,
        rows: list[dict[str, Any]],
        appointments: dict[int, Appointment],
        settings: Settings,
        env: Environment,
        now: datetime,
    ) -> None:
        self.rows, self.appointments, self.settings, self.env, self.now = (
            rows,
            appointments,
            settings,
            env,
            now,
        )
        appts = list(appointments.values())
        self.clients = store.by_id(tables.clients, _pairs(appts, "client_id", rows, "client"))
        self.staff = store.by_id(tables.staff, _pairs(appts, "staff_id", rows, "staff"))
        self.locations = store.by_id(
            tables.locations, ((a.account_id, a.location_id) for a in appts)
        )
        self.services = store.by_id(tables.services, ((a.account_id, a.service_id) for a in appts))
        self.accounts = store.account_names({a.account_id for a in appts})
        self.changes = store.history_counts(a.id for a in appts)

    def build(self, jobs: list[Job], finished: list[tuple[Job, Outcome]]) -> None:
        for row in self.rows:
            job = Job(row)
            try:
                self._one(job)
            except Exception as exc:  # a template error fails the message, never the queue
                job.settle = ("failed", f"render: {type(exc).__name__}: {exc}"[:500])
            if job.settle is not None:
                finished.append((job, Outcome(False)))
            else:
                jobs.append(job)

    def _one(self, job: Job) -> None:
        row = job.row
        appt = self.appointments.get(row["appointment_id"] or 0)
        if appt is None:
            job.settle = ("not_sent", "the appointment is gone")
            return
        if row["type"] == "reminder" and not (appt.holding and appt.hold_expires_at is None):
            job.settle = ("not_sent", "withdrawn: the appointment no longer takes place")
            return
        role = row["recipient"]
        if role == "client":
            pid = appt.client_id if row["type"] == "reminder" else row["recipient_id"]
            person = self.clients.get(pid or 0)
        else:
            pid = appt.staff_id if row["type"] == "reminder" else row["recipient_id"]
            person = self.staff.get(pid or 0)
        location = self.locations.get(appt.location_id, {})
        service = self.services.get(appt.service_id, {})
        zone = (person or {}).get("time_zone") or location.get("time_zone") or "UTC"
        staff = self.staff.get(appt.staff_id or 0)
        client = self.clients.get(appt.client_id or 0)
        hold = row["data"].get("hold_expires_at") if row["data"] else None
        ctx = messages.context(
            kind=row["type"],
            recipient=role,
            recipient_name=_name(person),
            zone=zone,
            appointment=appt,
            service_name=service.get("name") or "Appointment",
            staff_name=_name(staff),
            client_name=_name(client),
            location_name=location.get("name"),
            location_address=location.get("address"),
            account_name=self.accounts.get(appt.account_id, "appointd"),
            manage_url=manage_url(self.settings, appt),
            minutes_before=row["minutes_before"],
            hold_expires_at=datetime.fromisoformat(hold) if isinstance(hold, str) else None,
        )
        rendered = messages.render(self.env, ctx, row["channel"])
        job.columns = {"subject": rendered.subject, "body": rendered.text, "html": rendered.html}
        address = None
        if person is not None:
            address = person.get("email") if row["channel"] == "email" else person.get("phone")
        if not address:
            what = "e-mail address" if row["channel"] == "email" else "phone number"
            job.settle = ("not_sent", f"the {role} has no {what}")
            return
        job.columns["to_address"] = address
        if row["channel"] == "sms":
            if not self.settings.sms_url:
                job.settle = ("not_sent", "no transport")
                return
            job.request = sms_request(self.settings, address, rendered.text)
            job.timeout = self.settings.webhook_timeout_seconds
            return
        if not self.settings.smtp_url:
            job.settle = ("not_sent", "no transport")
            return
        cancel = row["type"] == "cancelled"
        ics = None
        if row["type"] in ("booked", "rescheduled", "reminder", "cancelled"):
            ics = messages.icalendar_file(
                appt,
                sequence=max(self.changes.get(appt.id, 1) - 1, 0),
                cancel=cancel,
                summary=ctx["service_name"],
                location=ctx["location_name"],
                organizer=(staff or {}).get("email"),
                attendee=(client or {}).get("email"),
                now=self.now,
            )
        job.email = messages.email(
            rendered,
            sender=self.settings.mail_from,
            to=address,
            ics=ics,
            cancel=cancel,
            message_id=f"<delivery-{row['id']}@appointd>",
        )


def _pairs(
    appts: list[Appointment], attr: str, rows: list[dict[str, Any]], role: str
) -> Iterable[tuple[int, int]]:
    out = {(a.account_id, getattr(a, attr)) for a in appts if getattr(a, attr) is not None}
    out |= {
        (r["account_id"], r["recipient_id"])
        for r in rows
        if r["recipient"] == role and r["recipient_id"]
    }
    return out


def _name(person: dict[str, Any] | None) -> str | None:
    if not person:
        return None
    return " ".join(p for p in (person.get("first_name"), person.get("last_name")) if p) or None
