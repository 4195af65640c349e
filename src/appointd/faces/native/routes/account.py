"""``/v1/account``: the caller's account and its defaults, shown and changed."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from appointd.app import account_settings
from appointd.app.context import Context
from appointd.domain.notifications import MAX_MINUTES_BEFORE
from appointd.faces.native import schemas as s
from appointd.faces.native.auth import context
from appointd.faces.native.routes.common import errors

router = APIRouter(tags=["account"])


class ReminderIn(s.In):
    channel: Literal["email", "sms"]
    to: Literal["client", "staff"]
    minutes_before: StrictInt = Field(ge=0, le=MAX_MINUTES_BEFORE)


class NotifyIn(s.In):
    client: StrictBool = True
    staff: StrictBool = True


class NotifyChannelsIn(s.In):
    """Channels of the messages about a change (booked, moved, cancelled, ...), per recipient;
    an SMS goes to a recipient with a phone number, an e-mail to one with an address."""

    client: list[Literal["email", "sms"]] | None = Field(default=None, max_length=2)
    staff: list[Literal["email", "sms"]] | None = Field(default=None, max_length=2)


class AccountPatch(s.In):
    name: StrictStr | None = None
    min_notice_minutes: StrictInt | None = Field(
        default=None,
        ge=0,
        le=account_settings.MAX_NOTICE_MINUTES,
        description="availability offers nothing sooner than this (services may override)",
    )
    max_advance_days: StrictInt | None = Field(
        default=None,
        ge=1,
        le=account_settings.MAX_ADVANCE_DAYS,
        description="availability offers nothing further ahead (services may override)",
    )
    default_reminders: list[ReminderIn] | None = Field(
        default=None, description="reminders of appointments that name none"
    )
    notify_defaults: NotifyIn | None = Field(
        default=None, description="who hears about a change when the request does not say"
    )
    notify_channels: NotifyChannelsIn | None = Field(
        default=None,
        description="how the client and the staff hear about a change: e-mail, SMS, both or "
        "neither (a recipient left out keeps its channels; default e-mail for both)",
    )
    time_zone: StrictStr | None = Field(
        default=None, description="IANA zone of account-wide messages, e.g. Europe/Berlin"
    )
    client_change_cutoff_hours: StrictInt | None = Field(
        default=None,
        ge=0,
        le=account_settings.MAX_CUTOFF_HOURS,
        description="clients may not cancel or move an appointment on its manage page later "
        "than this many hours before its start",
    )


class ReminderOut(BaseModel):
    channel: str
    to: str
    minutes_before: int


class AccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    min_notice_minutes: int
    max_advance_days: int
    default_reminders: list[ReminderOut]
    notify_defaults: dict[str, bool]
    notify_channels: dict[str, list[str]]
    time_zone: str
    client_change_cutoff_hours: int
    created_at: datetime | None


def _out(a: account_settings.AccountSettings) -> AccountOut:
    return AccountOut.model_validate(asdict(a))


@router.get(
    "/account",
    response_model=AccountOut,
    responses=errors(401),
    summary="The account of the API key, with its defaults",
)
def get_account(ctx: Context = Depends(context)) -> AccountOut:
    return _out(account_settings.get(ctx))


@router.patch(
    "/account",
    response_model=AccountOut,
    responses=errors(401, 422),
    summary="Change the account's defaults (booking window, reminders, notify flags, zone)",
)
def change_account(payload: AccountPatch, ctx: Context = Depends(context)) -> AccountOut:
    """Only the fields sent change. A value out of range (a negative notice, say) is 422 naming
    the field, and nothing is written."""
    changes: dict[str, Any] = payload.model_dump(exclude_unset=True)
    for field in (
        "name",
        "min_notice_minutes",
        "max_advance_days",
        "time_zone",
        "client_change_cutoff_hours",
    ):
        if field in changes and changes[field] is None:
            changes.pop(field)
    if changes.get("default_reminders", 1) is None:
        changes["default_reminders"] = []
    if changes.get("notify_defaults", 1) is None:
        changes.pop("notify_defaults")
    if changes.get("notify_channels", 1) is None:
        changes.pop("notify_channels")
    elif "notify_channels" in changes:
        changes["notify_channels"] = {
            k: v for k, v in changes["notify_channels"].items() if v is not None
        }
    return _out(account_settings.update(ctx, changes))
