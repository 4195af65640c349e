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
