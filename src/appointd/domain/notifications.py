"""Who is told what: reminders and the notify flags of a change (DESIGN.md "What the faces share").

Reminders are ``[{"channel": "email"|"sms", "to": "client"|"staff", "minutes_before": n}]`` on an
appointment; ``None`` means the account's ``default_reminders`` setting. The notify flags of a
command are ``{"client": bool, "staff": bool}``; ``None`` means the account's
``notify_defaults`` setting, and without one both are told.

Which message an event sends is decided here too (:func:`message_kind`), so every face's change
leads to the same e-mails.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from appointd.domain.errors import FieldError, Invalid

CHANNELS = ("email", "sms")
RECIPIENTS = ("client", "staff")
# Four weeks: a reminder further ahead than that is almost surely a unit mistake.
MAX_MINUTES_BEFORE = 40_320


@dataclass(frozen=True, slots=True)
class Notify:
    """Whether the client and the staff hear about one change; ``None`` = the account default."""

    client: bool | None = True
    staff: bool | None = True

    def as_dict(self) -> dict[str, bool | None]:
        return {"client": self.client, "staff": self.staff}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any] | None, default: Notify | None = None) -> Notify:
        """``raw``'s flags, each missing or null one taken from ``default`` (else true)."""
        base = default or cls()
        if not raw:
            return base
        client, staff = raw.get("client"), raw.get("staff")
        return cls(
            client=base.client if client is None else bool(client),
            staff=base.staff if staff is None else bool(staff),
        )

    @classmethod
    def silent(cls) -> Notify:
        return cls(client=False, staff=False)


def check_reminders(raw: Any, field: str = "reminders") -> list[dict[str, Any]]:
    """``raw`` as a clean reminder list (duplicates dropped), or :class:`Invalid` naming the
    offending item."""
    if not isinstance(raw, list):
        raise Invalid.field(field, "a list of {channel, to, minutes_before}")
    errors: list[FieldError] = []
    seen: set[tuple[str, str, int]] = set()
    out: list[dict[str, Any]] = []
    for i, item in enumerate(raw):
        where = f"{field}[{i}]"
        if not isinstance(item, Mapping):
            errors.append(FieldError(where, "an object {channel, to, minutes_before}"))
            continue
        channel, to, minutes = item.get("channel"), item.get("to"), item.get("minutes_before")
        if channel not in CHANNELS:
            errors.append(FieldError(f"{where}.channel", "one of email, sms"))
        if to not in RECIPIENTS:
            errors.append(FieldError(f"{where}.to", "one of client, staff"))
        if isinstance(minutes, bool) or not isinstance(minutes, int):
            errors.append(FieldError(f"{where}.minutes_before", "a whole number of minutes"))
        elif not 0 <= minutes <= MAX_MINUTES_BEFORE:
            errors.append(
                FieldError(f"{where}.minutes_before", f"between 0 and {MAX_MINUTES_BEFORE}")
            )
        if errors:
            continue
        assert isinstance(minutes, int)
        key = (str(channel), str(to), minutes)
        if key not in seen:
            seen.add(key)
            out.append({"channel": key[0], "to": key[1], "minutes_before": key[2]})
    if errors:
        raise Invalid(errors)
    return out


def reminders_or_default(
    reminders: list[dict[str, Any]] | None, settings: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The reminders that apply: the appointment's own, else the account's default (a broken
    default setting counts as none, so a bad setting never blocks the queue)."""
    if reminders is not None:
        return reminders
    try:
        return check_reminders(settings.get("default_reminders") or [])
    except Invalid:
        return []


def notify_default(settings: Mapping[str, Any]) -> Notify:
    raw = settings.get("notify_defaults")
    return Notify.from_dict(raw if isinstance(raw, Mapping) else None)


def due_at(start: datetime, minutes_before: int) -> datetime:
    return start - timedelta(minutes=minutes_before)


# Messages sent for an event: (event type, status reached) -> message kind.
_STATUS_MESSAGES = {"cancelled": "cancelled", "no_show": "no_show", "completed": "completed"}
MESSAGE_KINDS = (
    "booked",
    "rescheduled",
    "cancelled",
    "no_show",
    "completed",
    "waitlist_invitation",
    "reminder",
)


def message_kind(event_type: str, payload: Mapping[str, Any]) -> str | None:
    """The message an event sends to the people of its appointment, or ``None``."""
    if event_type == "appointment.booked":
        return "booked"
    if event_type == "appointment.rescheduled":
        return "rescheduled"
    if event_type == "appointment.status_changed":
        return _STATUS_MESSAGES.get(str(payload.get("status")))
    if event_type == "waitlist.invited":
        return "waitlist_invitation"
    return None
