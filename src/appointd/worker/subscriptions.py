"""Subscription kinds: how the dispatcher turns one outbox event into one HTTP request.

The dispatcher delivers subscriptions of any kind. It owns the claiming, the leases, the
retries (:mod:`appointd.worker.retry`), the private-address refusal and the delivery records;
a kind owns only the request: its method, URL, headers (authentication included) and body.
Native webhooks are the kind ``"webhook"`` (registered below); a face that owns another kind
(Agendize's watch) registers it once at import time and stores its subscriptions with
:func:`appointd.app.subscriptions.create` (``kind=`` its name, ``config=`` its own JSON).

Example: a face's kind that POSTs its own rendering of the appointment with basic auth::

    from appointd.worker.subscriptions import (
        KindDelivery, OutgoingRequest, auth_headers, register_kind,
    )

    def render_watch(d: KindDelivery) -> OutgoingRequest | None:
        if d.appointment is None:       # an event without an appointment: nothing to send
            return None
        body = json.dumps({"id": str(d.appointment.id), "event": d.event.type}).encode()
        headers = {"Content-Type": "application/json", **auth_headers(d.subscription.config)}
        return OutgoingRequest("POST", d.subscription.url, headers, body)

    register_kind("agendize_watch", render_watch)

``auth_headers`` reads ``config["auth"]`` (``{"type": "basic", "username", "password"}``,
``{"type": "bearer", "token"}``) and ``config["headers"]`` (any extra headers). A renderer that
wants more than the appointment row (staff, client, service objects) passes ``load=``: a
function given the account's unit of work and the ids of the appointments a batch of
deliveries names, returning ``{appointment_id: view}`` in a bounded number of statements;
``KindDelivery.view`` then holds that view. The renderer must be pure and fast (no I/O): it
runs in the dispatcher for every attempt, and raising marks the attempt failed with the
exception's text (the delivery is retried like any failure).

A kind whose authentication needs I/O (Agendize's OAuth2 watches fetch an access token) passes
``authorize=``: ``authorize(subscription, refresh)`` returns the headers that authenticate one
attempt. The dispatcher calls it in the sending thread just before the request (so the renderer
stays pure), and once more with ``refresh=True`` when the answer is 401, sending the request
again with the new headers. Raising fails the attempt with the exception's text.

Every kind's request may ask to be signed (``sign=True``): the dispatcher then adds the
Standard Webhooks headers ``webhook-id`` (the event id), ``webhook-timestamp`` and
``webhook-signature`` with the subscription's ``secret``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from standardwebhooks import Webhook

from appointd.domain.model import Appointment

if TYPE_CHECKING:
    from appointd.store.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class OutgoingEvent:
    """One outbox event: ``event_id`` is what receivers de-duplicate by."""

    event_id: str
    type: str
    account_id: int
    created_at: datetime
    payload: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Subscription:
    """A stored subscription; ``config`` is the kind's own JSON document."""

    id: int
    account_id: int
    kind: str
    url: str
    events: list[str]
    enabled: bool
    description: str | None
    secret: str | None
    config: dict[str, Any] = field(default_factory=dict)
    disabled_reason: str | None = None
    failing_since: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def wants(self, event_type: str) -> bool:
        return "*" in self.events or event_type in self.events


@dataclass(frozen=True, slots=True)
class KindDelivery:
    """What a renderer is given: the event, the subscription, and the appointment the event
    names (its current row, ``None`` if the event names none or it is gone) plus the kind's
    own ``view`` of it when the kind registered a loader."""

    event: OutgoingEvent
    subscription: Subscription
    appointment: Appointment | None = None
    view: Any = None


@dataclass(frozen=True, slots=True)
class OutgoingRequest:
    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes
    sign: bool = False


Renderer = Callable[[KindDelivery], "OutgoingRequest | None"]
Loader = Callable[["UnitOfWork", Sequence[int]], Mapping[int, Any]]
Authorizer = Callable[[Subscription, bool], Mapping[str, str]]


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    render: Renderer
    load: Loader | None = None
    timeout_seconds: float = 10.0
    authorize: Authorizer | None = None


_KINDS: dict[str, Kind] = {}


def register_kind(
    name: str,
    render: Renderer,
    *,
    load: Loader | None = None,
    timeout_seconds: float = 10.0,
    authorize: Authorizer | None = None,
) -> Kind:
    """Register (or replace) the kind ``name``; returns it. Call at import time of the face."""
    kind = Kind(name, render, load, timeout_seconds, authorize)
    _KINDS[name] = kind
    return kind


def kind(name: str) -> Kind | None:
    """The registered kind ``name``; the dispatcher imports the faces' modules first."""
    return _KINDS.get(name)


def kinds() -> list[str]:
    return sorted(_KINDS)


def auth_headers(config: Mapping[str, Any]) -> dict[str, str]:
    """Headers for ``config["auth"]`` (basic or bearer) and ``config["headers"]``."""
    out: dict[str, str] = {}
    auth = config.get("auth")
    if isinstance(auth, Mapping):
        if auth.get("type") == "basic":
            raw = f"{auth.get('username', '')}:{auth.get('password', '')}".encode()
            out["Authorization"] = "Basic " + base64.b64encode(raw).decode()
        elif auth.get("type") == "bearer":
            out["Authorization"] = f"Bearer {auth.get('token', '')}"
    extra = config.get("headers")
    if isinstance(extra, Mapping):
        out.update({str(k): str(v) for k, v in extra.items()})
    return out


def signature_headers(secret: str, event_id: str, at: datetime, body: bytes) -> dict[str, str]:
    """The Standard Webhooks headers for ``body`` sent at ``at`` (seconds precision)."""
    signature = Webhook(secret).sign(event_id, at, body.decode())
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }


def webhook_body(event: OutgoingEvent) -> bytes:
    """The native webhook body ``{"type", "timestamp", "data"}``; the same on every attempt."""
    return json.dumps(
        {
            "type": event.type,
            "timestamp": event.created_at.isoformat().replace("+00:00", "Z"),
            "data": {**event.payload, "account_id": event.account_id},
        },
        separators=(",", ":"),
        default=str,
    ).encode()


def _render_webhook(d: KindDelivery) -> OutgoingRequest:
    headers = {"Content-Type": "application/json", "User-Agent": "appointd-webhooks"}
    return OutgoingRequest("POST", d.subscription.url, headers, webhook_body(d.event), sign=True)


WEBHOOK = register_kind("webhook", _render_webhook)
