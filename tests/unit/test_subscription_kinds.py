"""The subscription-kind registry: what a face plugs in, and the native webhook kind."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

from standardwebhooks import Webhook

from appointd.app.subscriptions import new_secret
from appointd.worker.subscriptions import (
    KindDelivery,
    OutgoingEvent,
    OutgoingRequest,
    Subscription,
    auth_headers,
    kind,
    register_kind,
    signature_headers,
    webhook_body,
)

EVENT = OutgoingEvent(
    "4f1c8e4e-0000-4000-8000-000000000001",
    "appointment.booked",
    7,
    datetime(2026, 11, 28, 9, 30, tzinfo=UTC),
    {"appointment_id": 12, "status": "confirmed"},
)


def _subscription(**config: object) -> Subscription:
    return Subscription(
        id=1,
        account_id=7,
        kind="test_kind",
        url="https://example.com/hook",
        events=["*"],
        enabled=True,
        description=None,
        secret=new_secret(),
        config=dict(config),
    )


def test_a_native_webhook_body_carries_type_timestamp_and_data() -> None:
    body = json.loads(webhook_body(EVENT))
    assert body == {
        "type": "appointment.booked",
        "timestamp": "2026-11-28T09:30:00Z",
        "data": {"appointment_id": 12, "status": "confirmed", "account_id": 7},
    }


def test_a_signed_body_verifies_with_the_standard_webhooks_library() -> None:
    secret = new_secret()
    at = datetime.now(UTC)
    body = webhook_body(EVENT)
    headers = signature_headers(secret, EVENT.event_id, at, body)
    assert headers["webhook-id"] == EVENT.event_id
    assert Webhook(secret).verify(body, headers)["type"] == "appointment.booked"


def test_auth_headers_build_basic_bearer_and_custom_headers() -> None:
    basic = auth_headers({"auth": {"type": "basic", "username": "u", "password": "p"}})
    assert basic["Authorization"] == "Basic " + base64.b64encode(b"u:p").decode()
    bearer = auth_headers({"auth": {"type": "bearer", "token": "t0k"}, "headers": {"X-A": "1"}})
    assert bearer == {"Authorization": "Bearer t0k", "X-A": "1"}
    assert auth_headers({}) == {}


def test_a_face_registers_a_kind_whose_renderer_builds_the_request() -> None:
    def render(d: KindDelivery) -> OutgoingRequest:
        return OutgoingRequest(
            "PUT", d.subscription.url, auth_headers(d.subscription.config), b"{}"
        )

    register_kind("test_kind", render)
    registered = kind("test_kind")
    assert registered is not None
    sub = _subscription(auth={"type": "bearer", "token": "x"})
    request = registered.render(KindDelivery(EVENT, sub))
    assert request is not None
    assert (request.method, request.headers["Authorization"]) == ("PUT", "Bearer x")
    assert kind("webhook") is not None


def test_the_dispatcher_loads_every_kind_the_application_registers() -> None:
    """A dispatcher imports only ``appointd.worker.kinds.MODULES``, not the application: a
    face's kind missing from that list would never be delivered."""
    import subprocess
    import sys

    def kinds_after(code: str) -> list[str]:
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                f"{code}\nfrom appointd.worker import subscriptions as s\n"
                "print(','.join(s.kinds()))",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout
        return out.strip().split(",")

    everything = kinds_after("import appointd.asgi")
    assert "webhook" in everything and len(everything) > 1
    assert kinds_after("from appointd.worker import kinds\nkinds.load()") == everything
