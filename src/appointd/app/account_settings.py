"""An account's own defaults: booking window, reminders, notify flags and the zone of messages.

``min_notice_minutes`` and ``max_advance_days`` are the account's booking-window defaults (a
service may set its own). ``default_reminders`` and ``notify_defaults`` are kept in the account's
settings document under exactly those keys, like ``notify_channels`` (which channels event
messages go by, per recipient), where the dispatcher reads them
(:mod:`appointd.domain.notifications` owns what they mean and validates their shape).
``time_zone`` is the zone messages about the account (not about one location) are written in.
``client_change_cutoff_hours`` is how close to its start a client may still cancel or move an
appointment from the manage page (:mod:`appointd.app.client_changes` reads the same key).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from appointd.app.client_changes import DEFAULT_CUTOFF_HOURS
from appointd.app.client_changes import SETTING as CUTOFF_SETTING
from appointd.app.context import Context
from appointd.domain.errors import FieldError, Invalid, NotFound
from appointd.domain.notifications import (
    Notify,
    check_notify_channels,
    check_reminders,
    notify_channels,
    notify_default,
)
from appointd.domain.wallclock import zone

MAX_NOTICE_MINUTES = 525_600  # a year
MAX_ADVANCE_DAYS = 3650
MAX_CUTOFF_HOURS = 8760  # a year
DEFAULT_TIME_ZONE = "UTC"


@dataclass(frozen=True)
class AccountSettings:
    id: int
    name: str
    min_notice_minutes: int
    max_advance_days: int
    default_reminders: list[dict[str, Any]]
    notify_defaults: dict[str, bool]
    notify_channels: dict[str, list[str]]
    time_zone: str
    client_change_cutoff_hours: int
    created_at: datetime | None


def get(ctx: Context) -> AccountSettings:
    """The caller's account and its defaults."""
    with ctx.uow(write=False) as uow:
        account = uow.accounts.get(ctx.account_id)
        doc = uow.accounts.settings_of(ctx.account_id)
    if account is None:
        raise NotFound("account", ctx.account_id)
    return AccountSettings(
        id=account.id,
        name=account.name,
        min_notice_minutes=account.default_min_notice_minutes,
        max_advance_days=account.default_max_advance_days,
        default_reminders=list(doc.get("default_reminders") or []),
        notify_defaults=_flags(notify_default(doc).as_dict()),
        notify_channels=notify_channels(doc),
        time_zone=str(doc.get("time_zone") or DEFAULT_TIME_ZONE),
        client_change_cutoff_hours=int(doc.get(CUTOFF_SETTING, DEFAULT_CUTOFF_HOURS)),
        created_at=account.created_at,
    )


def _whole(changes: dict[str, Any], field: str, low: int, high: int) -> int:
    value = changes[field]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid.field(field, f"a whole number from {low} to {high}")
    return value


def update(ctx: Context, changes: dict[str, Any]) -> AccountSettings:
    """Apply the fields present in ``changes``; every refusal names its field and writes
    nothing."""
    columns: dict[str, Any] = {}
    settings: dict[str, Any] = {}
    errors: list[FieldError] = []
    for field, apply in (
        ("name", lambda: _name(changes["name"])),
        (
            "min_notice_minutes",
            lambda: _whole(changes, "min_notice_minutes", 0, MAX_NOTICE_MINUTES),
        ),
        ("max_advance_days", lambda: _whole(changes, "max_advance_days", 1, MAX_ADVANCE_DAYS)),
        (
            "default_reminders",
            lambda: check_reminders(changes["default_reminders"], "default_reminders"),
        ),
        ("notify_defaults", lambda: _notify(changes["notify_defaults"])),
        ("notify_channels", lambda: check_notify_channels(changes["notify_channels"])),
        ("time_zone", lambda: zone(changes["time_zone"]).key),
        (
            CUTOFF_SETTING,
            lambda: _whole(changes, CUTOFF_SETTING, 0, MAX_CUTOFF_HOURS),
        ),
    ):
        if field not in changes:
            continue
        try:
            value = apply()
        except Invalid as exc:
            errors.extend(exc.errors)
            continue
        if field == "name":
            columns["name"] = value
        elif field in ("min_notice_minutes", "max_advance_days"):
            columns[f"default_{field}"] = value
        else:
            settings[field] = value
    if errors:
        raise Invalid(errors)
    with ctx.uow() as uow:
        if settings:
            doc = uow.accounts.settings_of(ctx.account_id)
            if "notify_channels" in settings:  # a recipient left out keeps its channels
                settings["notify_channels"] = {
                    **(doc.get("notify_channels") or {}),
                    **settings["notify_channels"],
                }
            columns["settings"] = {**doc, **settings}
        if columns:
            uow.accounts.update(ctx.account_id, columns)
        uow.commit()
    return get(ctx)


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > 200:
        raise Invalid.field("name", "must be 1 to 200 characters")
    return value.strip()


def _notify(value: Any) -> dict[str, bool]:
    if not isinstance(value, dict) or set(value) - {"client", "staff"}:
        raise Invalid.field("notify_defaults", "an object {client: bool, staff: bool}")
    if not all(isinstance(v, bool) for v in value.values()):
        raise Invalid.field("notify_defaults", "client and staff must be true or false")
    return _flags(Notify.from_dict(value).as_dict())


def _flags(raw: dict[str, bool | None]) -> dict[str, bool]:
    """Notify flags as the account shows them: an unset flag means "told" (the default)."""
    return {k: True if v is None else bool(v) for k, v in raw.items()}
