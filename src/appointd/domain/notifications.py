"""Who is told what: reminders and the notify flags of a change (DESIGN.md "What the faces share").

Reminders are ``[{"channel": "email"|"sms", "to": "client"|"staff", "minutes_before": n}]`` on an
appointment; ``None`` means the account's ``default_reminders`` setting. The notify flags of a
command are ``{"client": bool, "staff": bool}``; ``None`` means the account's
``notify_defaults`` setting, and without one both are told.

Which message an event sends is decided here too (:func:`message_kind`), so every face's change
leads to the same messages.

The notify flags say *whether* the client and the staff hear about a change; the account's
``notify_channels`` setting says *how*: ``{"client": ["email", "sms"], "staff": ["email"]}``,
e-mail only for both when unset. The channel is the account's choice, not the request's,
because no face's flags carry one: TimeTap's ``sendClientEmail`` names e-mail, Agendize's
``silent`` is all or nothing, and a request cannot know which recipients have a phone.
Reminders name their channel each.
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


DEFAULT_NOTIFY_CHANNELS: dict[str, list[str]] = {"client": ["email"], "staff": ["email"]}


def check_notify_channels(raw: Any, field: str = "notify_channels") -> dict[str, list[str]]:
    """``raw`` (``{"client": [...], "staff": [...]}``, either key optional) as a clean map of
    recipient to channels in :data:`CHANNELS` order, or :class:`Invalid` naming the field. An
    empty list sends that recipient no event messages."""
    if not isinstance(raw, Mapping) or not set(raw) <= set(RECIPIENTS):
        raise Invalid.field(field, 'an object {"client": [channels], "staff": [channels]}')
    errors: list[FieldError] = []
    out: dict[str, list[str]] = {}
    for recipient, channels in raw.items():
        where = f"{field}.{recipient}"
        if not isinstance(channels, list) or not all(c in CHANNELS for c in channels):
            errors.append(FieldError(where, "a list of channels: email, sms"))
            continue
        out[str(recipient)] = [c for c in CHANNELS if c in channels]
    if errors:
        raise Invalid(errors)
    return out


def notify_channels(settings: Mapping[str, Any]) -> dict[str, list[str]]:
    """The channels of event messages per recipient: the account's ``notify_channels`` over
    the default (e-mail for both); a broken setting counts as unset, never blocking the queue."""
    try:
        chosen = check_notify_channels(settings.get("notify_channels") or {})
    except Invalid:
        chosen = {}
    return {**DEFAULT_NOTIFY_CHANNELS, **chosen}


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
