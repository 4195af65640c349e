"""``/v1/webhooks`` and ``/v1/notifications``: subscriptions, their deliveries, and messages.

The signing secret (``whsec_...``) is in the reply of the creation and of a rotation only;
deliveries are signed as the Standard Webhooks specification says (see the README).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import Field, StrictBool, StrictStr

from appointd.app import notifications
from appointd.app import subscriptions as subs
from appointd.app.context import Context
from appointd.domain.errors import Invalid
from appointd.faces.native import schemas as s
from appointd.faces.native.auth import context
from appointd.faces.native.routes.common import Paging, errors, paging
from appointd.store.repositories.base import MAX_ID
from appointd.store.repositories.subscriptions import Delivery
from appointd.worker.subscriptions import Subscription

router = APIRouter(tags=["webhooks"])


class WebhookIn(s.In):
    url: StrictStr = Field(max_length=2000, description="http(s) URL receiving the POSTs")
    events: list[StrictStr] = Field(
        min_length=1, max_length=50, description='event types, or ["*"] for every event'
    )
    enabled: StrictBool = True
    description: StrictStr | None = Field(default=None, max_length=2000)


class WebhookPatch(s.In):
    not_null = frozenset({"url", "events", "enabled"})

    url: StrictStr | None = Field(default=None, max_length=2000)
    events: list[StrictStr] | None = Field(default=None, min_length=1, max_length=50)
    enabled: StrictBool | None = None
    description: StrictStr | None = Field(default=None, max_length=2000)
    rotate_secret: StrictBool = Field(default=False, description="replace the signing secret")


class WebhookOut(s.Out):
    id: int
    url: str
    events: list[str]
    enabled: bool
    description: str | None
    disabled_reason: str | None = Field(description="why it was disabled, if it was")
    secret: str | None = Field(
        default=None, description="the signing secret: only on creation and rotation"
    )
    created_at: datetime
    updated_at: datetime


class AttemptOut(s.Out):
    at: datetime
    status_code: int | None
    error: str | None
    next_attempt_at: datetime | None


class DeliveryOut(s.Out):
    id: int
    event_id: str | None
    type: str
    status: Literal["pending", "sent", "failed", "not_sent"]
    reason: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    attempts: list[AttemptOut]


class NotificationOut(s.Out):
    id: int
    appointment_id: int | None
    channel: Literal["email", "sms"]
    kind: str = Field(description="booked, rescheduled, cancelled, no_show, completed, ...")
    to: str | None = Field(description="the address, once known")
    recipient: str | None = Field(description="client or staff")
    status: Literal["pending", "sent", "failed", "not_sent"]
    reason: str | None
    subject: str | None
    body: str | None
    due_at: datetime
    sent_at: datetime | None
    minutes_before: int | None = Field(description="reminders only")


def _webhook(sub: Subscription, secret: str | None = None) -> WebhookOut:
    return WebhookOut(
        id=sub.id,
        url=sub.url,
        events=sub.events,
        enabled=sub.enabled,
        description=sub.description,
        disabled_reason=sub.disabled_reason,
        secret=secret,
        created_at=sub.created_at,
        updated_at=sub.updated_at,
    )


def _delivery(d: Delivery) -> DeliveryOut:
    return DeliveryOut(
        id=d.id,
        event_id=d.event_id,
        type=d.type,
        status=d.status,
        reason=d.reason,
        next_attempt_at=d.next_attempt_at,
        created_at=d.created_at,
        attempts=[AttemptOut.model_validate(a) for a in d.attempts],
    )


def _page(items: list[Any], total: int, page: Paging) -> dict[str, Any]:
    return {"items": items, "total": total, "limit": page.limit, "offset": page.offset}


@router.post(
    "/webhooks",
    status_code=201,
    response_model=WebhookOut,
    responses=errors(401),
    summary="Subscribe a URL to events (the secret is shown once)",
)
def create_webhook(payload: WebhookIn, ctx: Context = Depends(context)) -> WebhookOut:
    created = subs.create(
        ctx,
        url=payload.url,
        events=list(payload.events),
        description=payload.description,
        enabled=payload.enabled,
    )
    return _webhook(created.subscription, created.secret)


@router.get(
    "/webhooks",
    response_model=s.ListOf[WebhookOut],
    responses=errors(401),
    summary="List webhooks",
)
def list_webhooks(ctx: Context = Depends(context)) -> Any:
    found = [_webhook(w) for w in subs.list_(ctx)]
    return {"items": found, "total": len(found), "limit": len(found), "offset": 0}


@router.get(
    "/webhooks/{id}", response_model=WebhookOut, responses=errors(401, 404), summary="A webhook"
)
def get_webhook(id: int, ctx: Context = Depends(context)) -> WebhookOut:
    return _webhook(subs.get(ctx, id))


@router.patch(
    "/webhooks/{id}",
    response_model=WebhookOut,
    responses=errors(401, 404),
    summary="Change a webhook, enable it again, or rotate its secret",
)
def change_webhook(id: int, payload: WebhookPatch, ctx: Context = Depends(context)) -> WebhookOut:
    changes = payload.model_dump(exclude_unset=True)
    rotate = bool(changes.pop("rotate_secret", False))
    for required in ("url", "events", "enabled"):
        if required in changes and changes[required] is None:
            raise Invalid.field(required, "may not be null")
    changed = subs.change(ctx, id, changes, rotate_secret=rotate)
    return _webhook(changed.subscription, changed.secret)


@router.delete(
    "/webhooks/{id}", status_code=204, responses=errors(401, 404), summary="Delete a webhook"
)
def delete_webhook(id: int, ctx: Context = Depends(context)) -> Response:
    subs.delete(ctx, id)
    return Response(status_code=204)


@router.get(
    "/webhooks/{id}/deliveries",
    response_model=s.ListOf[DeliveryOut],
    responses=errors(401, 404),
    summary="Deliveries to a webhook, newest first, with their attempts",
)
def list_deliveries(
    id: int, page: Paging = Depends(paging), ctx: Context = Depends(context)
) -> Any:
    items, total = subs.deliveries(ctx, id, limit=page.limit, offset=page.offset)
    return _page([_delivery(d) for d in items], total, page)


@router.post(
    "/webhooks/{id}/deliveries/{delivery_id}/retry",
    status_code=202,
    response_model=DeliveryOut,
    responses=errors(401, 404),
    summary="Send a delivery again now",
)
def retry_delivery(id: int, delivery_id: int, ctx: Context = Depends(context)) -> DeliveryOut:
    return _delivery(subs.retry(ctx, id, delivery_id))


@router.get(
    "/notifications",
    response_model=s.ListOf[NotificationOut],
    responses=errors(401),
    tags=["notifications"],
    summary="E-mails and texts: sent, waiting (reminders), failed, or kept as not_sent",
)
def list_notifications(
    appointment_id: int | None = Query(None, ge=1, le=MAX_ID),
    channel: Literal["email", "sms"] | None = Query(None),
    status: Literal["pending", "sent", "failed", "not_sent"] | None = Query(None),
    page: Paging = Depends(paging),
    ctx: Context = Depends(context),
) -> Any:
    items, total = notifications.search(
        ctx,
        appointment_id=appointment_id,
        channel=channel,
        status=status,
        limit=page.limit,
        offset=page.offset,
    )
    out = [
        NotificationOut(
            id=d.id,
            appointment_id=d.appointment_id,
            channel=d.channel,
            kind=d.type,
            to=d.to_address,
            recipient=d.recipient,
            status=d.status,
            reason=d.reason,
            subject=d.subject,
            body=d.body,
            due_at=d.due_at,
            sent_at=d.sent_at,
            minutes_before=d.minutes_before,
        )
        for d in items
    ]
    return _page(out, total, page)
