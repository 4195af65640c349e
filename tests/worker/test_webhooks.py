"""Webhooks: the /v1/webhooks API, signed deliveries to a real local receiver, retries on the
Standard Webhooks schedule, endpoint disabling, and the deliveries list."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from standardwebhooks import Webhook

from tests.conftest import Api
from tests.factories import book, clinic
from tests.worker.conftest import Clock, Receiver, create_webhook, dispatcher

MONDAY_10 = "2030-01-07T10:00:00Z"


def test_a_webhook_is_created_with_its_secret_shown_once_then_listed_changed_and_deleted(
    hooks_api: Api,
) -> None:
    created = create_webhook(hooks_api, "https://example.com/hooks", ["appointment.booked"])
    assert created["secret"].startswith("whsec_")
    got = hooks_api.get(f"/v1/webhooks/{created['id']}").json()
    assert got["secret"] is None and got["events"] == ["appointment.booked"]
    assert [w["id"] for w in hooks_api.get("/v1/webhooks").json()["items"]] == [created["id"]]
    changed = hooks_api.patch(
        f"/v1/webhooks/{created['id']}", json={"enabled": False, "description": "paused"}
    ).json()
    assert (changed["enabled"], changed["description"], changed["secret"]) == (
        False,
        "paused",
        None,
    )
    rotated = hooks_api.patch(f"/v1/webhooks/{created['id']}", json={"rotate_secret": True})
    assert rotated.json()["secret"].startswith("whsec_")
    assert rotated.json()["secret"] != created["secret"]
    assert hooks_api.delete(f"/v1/webhooks/{created['id']}").status_code == 204
    assert hooks_api.get(f"/v1/webhooks/{created['id']}").status_code == 404


def test_unknown_event_types_and_non_http_urls_are_refused_naming_the_field(
    hooks_api: Api,
) -> None:
    bad_event = hooks_api.post(
        "/v1/webhooks", json={"url": "https://example.com/h", "events": ["appointment.eaten"]}
    )
    assert bad_event.status_code == 422
    assert "events[0]" in bad_event.text
    bad_url = hooks_api.post("/v1/webhooks", json={"url": "ftp://example.com", "events": ["*"]})
    assert bad_url.status_code == 422 and "url" in bad_url.text
    assert hooks_api.get("/v1/webhooks").json()["total"] == 0


def test_private_and_loopback_webhook_urls_are_refused_unless_allowed(api: Api) -> None:
    for url in (
        "http://127.0.0.1:9/h",
        "http://10.1.2.3/h",
        "http://169.254.169.254/",
        "http://localhost/h",
    ):
        response = api.post("/v1/webhooks", json={"url": url, "events": ["*"]})
        assert response.status_code == 422, url
        assert "url" in response.text


def test_one_account_cannot_see_or_change_another_accounts_webhooks(
    hooks_api: Api, other_api: Api
) -> None:
    created = create_webhook(hooks_api, "https://example.com/hooks")
    assert other_api.get(f"/v1/webhooks/{created['id']}").status_code == 404
    assert (
        other_api.patch(f"/v1/webhooks/{created['id']}", json={"enabled": False}).status_code == 404
    )
    assert other_api.delete(f"/v1/webhooks/{created['id']}").status_code == 404
    assert other_api.get(f"/v1/webhooks/{created['id']}/deliveries").status_code == 404
    assert other_api.get("/v1/webhooks").json()["total"] == 0


def test_a_booking_is_delivered_signed_as_standard_webhooks_says(
    hooks_api: Api, receiver: Receiver
) -> None:
    hook = create_webhook(hooks_api, receiver.url + "/in", ["appointment.booked"])
    world = clinic(hooks_api)
    appt = book(hooks_api, world, MONDAY_10).json()
    dispatcher(hooks_api).run_until_idle()
    assert len(receiver.requests) == 1
    got = receiver.requests[0]
    payload = Webhook(hook["secret"]).verify(got.body, got.headers)
    assert payload["type"] == "appointment.booked"
    assert payload["data"]["appointment_id"] == appt["id"]
    assert payload["data"]["account_id"] == hooks_api.account_id
    deliveries = hooks_api.get(f"/v1/webhooks/{hook['id']}/deliveries").json()["items"]
    assert [(d["status"], d["event_id"]) for d in deliveries] == [
        ("sent", got.headers["webhook-id"])
    ]
    assert [a["status_code"] for a in deliveries[0]["attempts"]] == [200]


def test_a_subscription_gets_only_the_event_types_it_asked_for(
    hooks_api: Api, receiver: Receiver
) -> None:
    create_webhook(hooks_api, receiver.url, ["appointment.status_changed"])
    world = clinic(hooks_api)
    appt = book(hooks_api, world, MONDAY_10).json()
    hooks_api.post(f"/v1/appointments/{appt['id']}/cancel")
    dispatcher(hooks_api).run_until_idle()
    assert [r.json()["type"] for r in receiver.requests] == ["appointment.status_changed"]
    assert receiver.requests[0].json()["data"]["status"] == "cancelled"


def test_a_failing_receiver_is_retried_on_the_schedule_then_the_delivery_fails(
    hooks_api: Api, receiver: Receiver, clock: Clock
) -> None:
    receiver.status = lambda r: 500
    hook = create_webhook(hooks_api, receiver.url)
    book(hooks_api, clinic(hooks_api), MONDAY_10)
    d = dispatcher(hooks_api, clock)
    d.run_until_idle()
    gaps = [
        timedelta(seconds=5),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=5),
        timedelta(hours=10),
        timedelta(hours=10),
    ]
    for gap in gaps:
        delivery = hooks_api.get(f"/v1/webhooks/{hook['id']}/deliveries").json()["items"][0]
        assert delivery["status"] == "pending"
        last = delivery["attempts"][-1]
        assert (last["status_code"], last["error"]) == (500, "HTTP 500")
        assert _instant(last["next_attempt_at"]) - _instant(last["at"]) == gap
        clock.advance(seconds=gap.total_seconds() - 1)
        d.run_until_idle()  # not due yet: nothing is sent
        assert len(
            hooks_api.get(f"/v1/webhooks/{hook['id']}/deliveries").json()["items"][0]["attempts"]
        ) == len(delivery["attempts"])
        clock.advance(seconds=1)
        d.run_until_idle()
    delivery = hooks_api.get(f"/v1/webhooks/{hook['id']}/deliveries").json()["items"][0]
    assert delivery["status"] == "failed" and len(delivery["attempts"]) == 8
    assert len(receiver.requests) == 8
    # Retried by hand: sent once more, now that the receiver answers.
    receiver.status = lambda r: 204
    retried = hooks_api.post(f"/v1/webhooks/{hook['id']}/deliveries/{delivery['id']}/retry")
    assert retried.status_code == 202 and retried.json()["status"] == "pending"
    d.run_until_idle()
    delivery = hooks_api.get(f"/v1/webhooks/{hook['id']}/deliveries").json()["items"][0]
    assert delivery["status"] == "sent" and len(delivery["attempts"]) == 9


def test_an_endpoint_that_failed_everything_for_five_days_is_disabled_and_says_why(
    hooks_api: Api, receiver: Receiver, clock: Clock
) -> None:
    receiver.status = lambda r: 503
    hook = create_webhook(hooks_api, receiver.url)
    world = clinic(hooks_api)
    appt = book(hooks_api, world, MONDAY_10).json()
    d = dispatcher(hooks_api, clock)
    d.run_until_idle()
    for i in range(12):  # a new event every 11 hours, every one failing
        clock.advance(hours=11)
        hooks_api.patch(f"/v1/appointments/{appt['id']}", json={"notes": f"change {i}"})
        d.run_until_idle()
        if i < 10:
            assert hooks_api.get(f"/v1/webhooks/{hook['id']}").json()["enabled"] is True
    got = hooks_api.get(f"/v1/webhooks/{hook['id']}").json()
    assert got["enabled"] is False
    assert "failed for 5 days" in got["disabled_reason"]
    # Enabling it again clears the reason.
    again = hooks_api.patch(f"/v1/webhooks/{hook['id']}", json={"enabled": True}).json()
    assert (again["enabled"], again["disabled_reason"]) == (True, None)


def _instant(text: str):  # type: ignore[no-untyped-def]
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_listing_deliveries_and_notifications_costs_the_same_statements_whatever_the_page(
    hooks_api: Api, receiver: Receiver, count_statements: Any
) -> None:
    hook = create_webhook(hooks_api, receiver.url)
    world = clinic(hooks_api)
    counts = []
    for start in ("2030-01-07T10:00:00Z", "2030-01-07T11:00:00Z", "2030-01-07T12:00:00Z"):
        book(hooks_api, world, start)
        dispatcher(hooks_api).run_until_idle()
        with count_statements:
            hooks_api.get(f"/v1/webhooks/{hook['id']}/deliveries")
            hooks_api.get("/v1/notifications")
        counts.append(count_statements.count)
        count_statements.count = 0
    assert len(set(counts)) == 1


def test_a_face_owned_kind_is_delivered_with_its_own_method_auth_and_body(
    hooks_api: Api, receiver: Receiver
) -> None:
    import json

    from appointd.app import subscriptions
    from appointd.worker.subscriptions import (
        KindDelivery,
        OutgoingRequest,
        auth_headers,
        register_kind,
    )

    def render(d: KindDelivery) -> OutgoingRequest | None:
        if d.appointment is None:
            return None
        body = json.dumps({"id": str(d.appointment.id), "what": d.event.type}).encode()
        return OutgoingRequest("PUT", d.subscription.url, auth_headers(d.subscription.config), body)

    def broken(d: KindDelivery) -> OutgoingRequest:
        raise RuntimeError("renderer bug")

    register_kind("test_put", render)
    register_kind("test_broken", broken)
    ctx = hooks_api.context()
    ctx = type(ctx)(
        type(ctx.services)(
            engine=ctx.services.engine,
            settings=ctx.services.settings.model_copy(update={"webhooks_allow_private": True}),
        ),
        ctx.caller,
    )
    put = subscriptions.create(
        ctx,
        kind="test_put",
        url=receiver.url + "/watch",
        events=["appointment.booked"],
        config={"auth": {"type": "basic", "username": "u", "password": "p"}},
        signed=False,
    )
    bad = subscriptions.create(
        ctx, kind="test_broken", url=receiver.url + "/never", events=["*"], signed=False
    )
    assert put.secret is None
    appt = book(hooks_api, clinic(hooks_api), MONDAY_10).json()
    dispatcher(hooks_api).run_until_idle()
    (got,) = receiver.requests
    assert (got.method, got.path) == ("PUT", "/watch")
    assert got.json() == {"id": str(appt["id"]), "what": "appointment.booked"}
    assert got.headers["authorization"].startswith("Basic ")
    assert "webhook-signature" not in got.headers
    # The broken renderer fails its attempt, to be retried; the queue goes on.
    items, _ = subscriptions.deliveries(
        ctx, bad.subscription.id, limit=10, offset=0, kind="test_broken"
    )
    assert [(d.status, d.attempts[0].error) for d in items] == [
        ("pending", "render: RuntimeError: renderer bug")
    ]
    # Another kind's ids are not found through the webhooks API.
    assert hooks_api.get(f"/v1/webhooks/{put.subscription.id}").status_code == 404


def test_a_batch_costs_the_same_statements_whatever_its_size(
    hooks_api: Api, receiver: Receiver, count_statements: Any
) -> None:
    """Claiming, fanning out and finishing a batch of events is a fixed set of statements,
    whatever the batch size; on PostgreSQL none has more than 50 parameters (past that
    psycopg parses the statement's text again on every execution)."""
    import re
    from datetime import UTC, datetime

    from appointd.domain.model import Event
    from appointd.store.repositories.dispatch import DispatchStore
    from appointd.store.uow import UnitOfWork
    from appointd.worker.fanout import fan_out

    create_webhook(hooks_api, receiver.url)
    db = hooks_api.db
    shapes = []
    for size in (3, 150):
        with UnitOfWork(db.engine, hooks_api.account_id) as uow:
            uow.bulk.record_events(
                [Event("appointment.updated", {"n": i}) for i in range(size)], datetime.now(UTC)
            )
            uow.commit()
        now = datetime.now(UTC)
        with count_statements, db.engine.begin() as conn:
            store = DispatchStore(conn, [hooks_api.account_id])
            claimed = store.claim_events(500, now)
            rows = fan_out(store, claimed, now, "test", now + timedelta(seconds=30))
            assert len(claimed) == len(rows) == size
            results = [
                {**r, "status": "sent", "attempt_count": 1, "sent_at": now, "attempted_at": now}
                for r in rows
            ]
            store.finish("test", results)
        shapes.append(count_statements.count)
        if db.name == "postgresql":
            for text in count_statements.statements:
                assert len(re.findall(r"%\(", text)) <= 50, text[:200]
        count_statements.count, count_statements.statements = 0, []
    assert shapes[0] == shapes[1], shapes
    with db.engine.connect() as conn:
        assert DispatchStore(conn, [hooks_api.account_id]).has_undispatched() is False
