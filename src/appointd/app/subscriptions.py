"""Use cases of subscriptions of any kind: native webhooks and the kinds faces own.

A face that owns a kind (see :mod:`appointd.worker.subscriptions`) creates, lists, changes and
deletes its subscriptions through these functions with ``kind=`` its name; ids of another kind
are "not found" to it. The dispatcher delivers every kind the same way.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from typing import Any

from appointd.app.context import Context
from appointd.domain.errors import FieldError, Invalid, NotFound
from appointd.domain.events import EventType
from appointd.store.repositories.subscriptions import Delivery
from appointd.worker.addresses import RefusedAddress, check_url, refuse_private
from appointd.worker.subscriptions import Subscription

WEBHOOK = "webhook"
EVENT_TYPES = frozenset(e.value for e in EventType)


@dataclass(frozen=True, slots=True)
class Created:
    """A new subscription and its signing secret, which is shown this once."""

    subscription: Subscription
    secret: str | None


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` + base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def check_events(events: Any, field: str = "events") -> list[str]:
    """A clean list of event types (or ``["*"]``); unknown names are refused by name."""
    if not isinstance(events, list) or not events:
        raise Invalid.field(field, 'a non-empty list of event types, or ["*"]')
    errors = [
        FieldError(f"{field}[{i}]", f"unknown event type {e!r}")
        for i, e in enumerate(events)
        if e != "*" and e not in EVENT_TYPES
    ]
    if errors:
        raise Invalid(errors)
    return ["*"] if "*" in events else sorted(set(events))


def check_target(ctx: Context, url: Any, field: str = "url") -> str:
    if not isinstance(url, str) or len(url) > 2000:
        raise Invalid.field(field, "an http:// or https:// URL")
    try:
        check_url(url)
        if not ctx.services.settings.webhooks_allow_private:
            refuse_private(url, resolve=False)
    except RefusedAddress as exc:
        raise Invalid.field(field, str(exc)) from None
    return url


def create(
    ctx: Context,
    *,
    url: str,
    events: list[str],
    kind: str = WEBHOOK,
    description: str | None = None,
    enabled: bool = True,
    config: dict[str, Any] | None = None,
    signed: bool = True,
) -> Created:
    """Store a subscription; ``signed`` gives it a secret (returned once in :class:`Created`)."""
    url = check_target(ctx, url)
    events = check_events(events)
    secret = new_secret() if signed else None
    now = ctx.now()
    with ctx.uow() as uow:
        sub = uow.subscriptions.add(
            dict(
                kind=kind,
                url=url,
                events=events,
                enabled=enabled,
                description=description,
                secret=secret,
                config=config or {},
                created_at=now,
                updated_at=now,
            )
        )
        uow.commit()
    return Created(sub, secret)


def get(ctx: Context, subscription_id: int, kind: str = WEBHOOK) -> Subscription:
    with ctx.uow(write=False) as uow:
        sub = uow.subscriptions.get(subscription_id, kind)
    if sub is None:
        raise NotFound("webhook" if kind == WEBHOOK else "subscription", subscription_id)
    return sub


def list_(ctx: Context, kind: str = WEBHOOK) -> list[Subscription]:
    with ctx.uow(write=False) as uow:
        return uow.subscriptions.all(kind)


def change(
    ctx: Context,
    subscription_id: int,
    changes: dict[str, Any],
    kind: str = WEBHOOK,
    *,
    rotate_secret: bool = False,
) -> Created:
    """Apply ``changes`` (any of url, events, enabled, description, config); enabling again
    clears the reason it was disabled. ``rotate_secret`` replaces the secret (returned)."""
    values: dict[str, Any] = {}
    if "url" in changes:
        values["url"] = check_target(ctx, changes["url"])
    if "events" in changes:
        values["events"] = check_events(changes["events"])
    if "description" in changes:
        values["description"] = changes["description"]
    if "config" in changes:
        values["config"] = changes["config"] or {}
    if "enabled" in changes:
        values["enabled"] = bool(changes["enabled"])
        if values["enabled"]:
            values.update(disabled_reason=None, failing_since=None)
    secret = new_secret() if rotate_secret else None
    if secret is not None:
        values["secret"] = secret
    with ctx.uow() as uow:
        if uow.subscriptions.for_update(subscription_id, kind) is None:
            raise NotFound("webhook" if kind == WEBHOOK else "subscription", subscription_id)
        values["updated_at"] = ctx.now()
        uow.subscriptions.update(subscription_id, values)
        sub = uow.subscriptions.get(subscription_id, kind)
        uow.commit()
    assert sub is not None
    return Created(sub, secret)


def delete(ctx: Context, subscription_id: int, kind: str = WEBHOOK) -> None:
    """Remove a subscription; its pending deliveries are dropped by the dispatcher."""
    with ctx.uow() as uow:
        if uow.subscriptions.for_update(subscription_id, kind) is None:
            raise NotFound("webhook" if kind == WEBHOOK else "subscription", subscription_id)
        now = ctx.now()
        uow.subscriptions.update(
            subscription_id, {"deleted_at": now, "enabled": False, "updated_at": now}
        )
        uow.commit()


def deliveries(
    ctx: Context, subscription_id: int, *, limit: int, offset: int, kind: str = WEBHOOK
) -> tuple[list[Delivery], int]:
    with ctx.uow(write=False) as uow:
        if uow.subscriptions.get(subscription_id, kind) is None:
            raise NotFound("webhook" if kind == WEBHOOK else "subscription", subscription_id)
        return uow.subscriptions.deliveries(
            subscription_id=subscription_id, limit=limit, offset=offset
        )


def retry(ctx: Context, subscription_id: int, delivery_id: int, kind: str = WEBHOOK) -> Delivery:
    """Send ``delivery_id`` again now (whatever its state); the dispatcher picks it up."""
    with ctx.uow() as uow:
        if uow.subscriptions.get(subscription_id, kind) is None:
            raise NotFound("webhook" if kind == WEBHOOK else "subscription", subscription_id)
        if uow.subscriptions.delivery(delivery_id, subscription_id) is None:
            raise NotFound("delivery", delivery_id)
        uow.subscriptions.send_again(delivery_id, ctx.now())
        found = uow.subscriptions.delivery(delivery_id, subscription_id)
        uow.commit()
    assert found is not None
    return found
