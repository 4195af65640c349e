"""From outbox events to deliveries, in the transaction that claims the events.

For each event: one webhook delivery per enabled subscription that wants its type; the
messages the event sends (:func:`appointd.domain.notifications.message_kind`) to the client and
the staff as its notify flags say (the account's ``notify_defaults`` when the command gave
none), one per channel the account's ``notify_channels`` names for that recipient; and, for an
event about an appointment, its reminder timers brought in line with the appointment as it is
now: the reminders that apply (its own, else the account's ``default_reminders``) become
deliveries due ``minutes_before`` its start; a moved appointment's waiting reminders are
replaced, a cancelled or archived one's withdrawn, and a reminder whose time had passed when
the change was made is not created. A bounded number of statements per batch, whatever its
size.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from appointd.domain.model import Appointment
from appointd.domain.notifications import (
    Notify,
    due_at,
    message_kind,
    notify_channels,
    notify_default,
    reminders_or_default,
)
from appointd.store.repositories.dispatch import DispatchStore
from appointd.worker.subscriptions import OutgoingEvent


def appointment_id_of(event: OutgoingEvent) -> int | None:
    raw = event.payload.get("appointment_id") or event.payload.get("hold_appointment_id")
    return int(raw) if isinstance(raw, int) else None


def _row(event: OutgoingEvent, outbox_id: int, now: datetime, **values: Any) -> dict[str, Any]:
    return {
        "account_id": event.account_id,
        "outbox_id": outbox_id,
        "event_id": event.event_id,
        "appointment_id": appointment_id_of(event),
        "status": "pending",
        "data": dict(event.payload),
        "due_at": event.created_at,
        "next_attempt_at": now,
        "attempt_count": 0,
        "created_at": now,
        "subscription_id": None,
        "recipient": None,
        "recipient_id": None,
        "minutes_before": None,
        **values,
    }


def fan_out(
    store: DispatchStore,
    claimed: list[tuple[int, OutgoingEvent]],
    now: datetime,
    owner: str,
    lease_until: datetime,
) -> list[dict[str, Any]]:
    """Write the deliveries of ``claimed`` (events :meth:`DispatchStore.claim_events` marked
    dispatched in this transaction). The ones due now are written already leased to ``owner``
    and returned, ready to send."""
    if not claimed:
        return []
    accounts = {e.account_id for _, e in claimed}
    subscriptions = defaultdict(list)
    for s in store.subscriptions(accounts):
        subscriptions[s.account_id].append(s)
    keys = {(e.account_id, a) for _, e in claimed if (a := appointment_id_of(e)) is not None}
    appointments = store.appointments(keys)
    # Messages and reminders are about appointments: a batch without one needs no settings.
    settings = store.account_settings({a.account_id for a in appointments.values()})
    rows: list[dict[str, Any]] = []
    latest_change: dict[int, datetime] = {}
    for outbox_id, event in claimed:
        for sub in subscriptions[event.account_id]:
            if sub.wants(event.type):
                rows.append(
                    _row(
                        event,
                        outbox_id,
                        now,
                        channel="webhook",
                        type=event.type,
                        subscription_id=sub.id,
                    )
                )
        rows.extend(_messages(event, outbox_id, now, appointments, settings))
        aid = appointment_id_of(event)
        if aid is not None and event.type.startswith("appointment."):
            latest_change[aid] = max(latest_change.get(aid, event.created_at), event.created_at)
    rows.extend(_reconcile_reminders(store, appointments, latest_change, settings, now))
    for row in rows:
        due = row["next_attempt_at"] <= now
        row["lease_owner"] = owner if due else None
        row["lease_until"] = lease_until if due else None
    written = store.add_deliveries(rows)
    return [r for r in written if r["lease_owner"] == owner]


def _messages(
    event: OutgoingEvent,
    outbox_id: int,
    now: datetime,
    appointments: dict[int, Appointment],
    settings: dict[int, dict[str, Any]],
) -> list[dict[str, Any]]:
    kind = message_kind(event.type, event.payload)
    if kind is None:
        return []
    appt = appointments.get(appointment_id_of(event) or 0)
    if appt is None:
        return []
    if appt.hold_expires_at is not None and kind != "waitlist_invitation":
        return []  # a waitlist hold is not the client's appointment yet
    raw = event.payload.get("notify")
    notify = Notify.from_dict(
        raw if isinstance(raw, dict) else None,
        notify_default(settings.get(event.account_id, {})),
    )
    client_id = event.payload.get("client_id", appt.client_id)
    channels = notify_channels(settings.get(event.account_id, {}))
    told: list[tuple[str, Any]] = []
    if notify.client and client_id is not None:
        told.append(("client", client_id))
    if notify.staff and appt.staff_id is not None and kind != "waitlist_invitation":
        told.append(("staff", appt.staff_id))
    return [
        _row(
            event,
            outbox_id,
            now,
            channel=channel,
            type=kind,
            recipient=role,
            recipient_id=person_id,
        )
        for role, person_id in told
        for channel in channels[role]
    ]


def _reconcile_reminders(
    store: DispatchStore,
    appointments: dict[int, Appointment],
    changed: dict[int, datetime],
    settings: dict[int, dict[str, Any]],
    now: datetime,
) -> list[dict[str, Any]]:
    touched = [appointments[a] for a in changed if a in appointments]
    if not touched:
        return []
    existing = defaultdict(list)
    for r in store.pending_reminders(a.id for a in touched):
        existing[r["appointment_id"]].append(r)
    to_delete: list[int] = []
    to_withdraw: list[int] = []
    new_rows: list[dict[str, Any]] = []
    for appt in touched:
        live = appt.holding and appt.hold_expires_at is None
        wanted: dict[tuple[str, str, int, datetime], dict[str, Any]] = {}
        if live:
            for r in reminders_or_default(appt.reminders, settings.get(appt.account_id, {})):
                at = due_at(appt.start, r["minutes_before"])
                wanted[(r["channel"], r["to"], r["minutes_before"], at)] = r
        for row in existing[appt.id]:
            key = (row["channel"], row["recipient"], row["minutes_before"], row["due_at"])
            if key in wanted:
                del wanted[key]  # already there (waiting or sent): keep it
            elif row["status"] == "pending":
                (to_delete if live else to_withdraw).append(row["id"])
        for (channel, to, minutes, at), _ in wanted.items():
            if at <= changed[appt.id]:
                continue  # its time had passed when the change was made
            new_rows.append(
                {
                    "account_id": appt.account_id,
                    "outbox_id": None,
                    "event_id": None,
                    "appointment_id": appt.id,
                    "channel": channel,
                    "type": "reminder",
                    "recipient": to,
                    "recipient_id": appt.client_id if to == "client" else appt.staff_id,
                    "minutes_before": minutes,
                    "status": "pending",
                    "data": {},
                    "due_at": at,
                    "next_attempt_at": at,
                    "attempt_count": 0,
                    "created_at": now,
                    "subscription_id": None,
                }
            )
    store.delete_deliveries(to_delete)
    store.withdraw(to_withdraw, "withdrawn: the appointment was cancelled or archived")
    return new_rows
