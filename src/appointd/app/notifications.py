"""Reading the messages (e-mails and texts) the dispatcher sent, will send, or kept."""

from __future__ import annotations

from appointd.app.context import Context
from appointd.store.repositories.subscriptions import Delivery


def search(
    ctx: Context,
    *,
    appointment_id: int | None = None,
    channel: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Delivery], int]:
    """A page of messages, newest first; ``channel`` is email or sms (default: both)."""
    with ctx.uow(write=False) as uow:
        return uow.subscriptions.deliveries(
            channels=[channel] if channel else ["email", "sms"],
            appointment_id=appointment_id,
            status=status,
            limit=limit,
            offset=offset,
        )


def reminders_sent(ctx: Context, appointment_ids: list[int]) -> dict[int, set[str]]:
    """For each appointment, the channels (``email``, ``sms``) a reminder was sent on; one
    statement whatever the number of appointments (Cliniko's ``email_reminder_sent``,
    ``sms_reminder_sent`` and the like read this)."""
    with ctx.uow(write=False) as uow:
        return uow.subscriptions.reminders_sent(appointment_ids)
