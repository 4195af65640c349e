"""Watches end to end: a change through any face reaches a real local HTTP receiver through the
dispatcher, with the watch's auth, headers, method, mapping and signature.

Skipped until the dispatcher (``appointd.worker.dispatcher``) is on the branch.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from standardwebhooks import Webhook

from appointd.app.context import Services
from appointd.asgi import create_app
from appointd.faces.agendize.oauth2 import TOKENS
from appointd.worker.dispatcher import Dispatcher
from tests.conftest import Api, Database, new_api
from tests.faces.agendize.helpers import (
    MON,
    Agendize,
    appointment_body,
    appointments_path,
    ok,
    refused,
    world,
)
from tests.faces.agendize.receiver import Receiver, receiver


class Clock:
    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def hooks(db: Database) -> Iterator[Api]:
    """An account on an app that allows private (local) watch addresses."""
    settings = db.settings.model_copy(update={"webhooks_allow_private": True})
    services = Services(engine=db.engine, settings=settings)
    with TestClient(create_app(settings, services), raise_server_exceptions=False) as client:
        yield new_api(client, Database(db.name, db.url, settings, services), "Watcher")


def dispatcher(api: Api, clock: Clock | None = None) -> Any:
    settings = api.db.settings.model_copy(update={"webhooks_allow_private": True})
    services = Services(engine=api.db.engine, settings=settings, clock=clock or Clock())
    return Dispatcher(services, account_ids=[api.account_id])


def watch(agz: Agendize, w: dict[str, Any], address: str, **options: Any) -> dict[str, Any]:
    created: dict[str, Any] = ok(
        agz.post(appointments_path(w) + "/watch", json={"address": address, **options})
    )
    return created


def events(r: Receiver) -> list[str]:
    return [req.headers["X-Agendize-objectEvent"] for req in r.requests]


def test_created_updated_and_deleted_reach_the_watch_with_basic_auth_and_its_headers(
    hooks: Api,
) -> None:
    agz, w = Agendize(hooks), world(hooks)
    with receiver() as r:
        watch(
            agz,
            w,
            r.url + "/hook",
            basicAuth={"username": "crm", "password": "s3cret"},
            httpRequestHeader={"X-Tenant": "42"},
        )
        appt = ok(agz.post(appointments_path(w), json=appointment_body(w, f"{MON}T10:00:00")))
        dispatcher(hooks).run_until_idle()
        # a change through the native face is an update too
        hooks.patch(f"/v1/appointments/{appt['id']}", json={"notes": "via v1"})
        dispatcher(hooks).run_until_idle()
        agz.delete(f"{appointments_path(w)}/{appt['id']}")
        dispatcher(hooks).run_until_idle()
    assert events(r) == ["created", "updated", "deleted"]
    first = r.requests[0]
    assert first.method == "POST" and first.path == "/hook"
    assert first.headers["Authorization"] == "Basic " + base64.b64encode(b"crm:s3cret").decode()
    assert first.headers["X-Tenant"] == "42"
    body = first.json()
    assert body["id"] == appt["id"] and body["event"] == "created"
    assert body["date"]["timeZone"] == "Europe/London"
    assert body["client"]["email"] == "ada@example.org"
    assert r.requests[1].json()["notes"] == "via v1"


def test_an_oauth2_token_is_fetched_from_the_token_endpoint_once_and_sent_as_bearer(
    hooks: Api,
) -> None:
    agz, w = Agendize(hooks), world(hooks)
    TOKENS.forget()
    with receiver(answer={"access_token": "tok-1", "expires_in": 3600}) as tokens, receiver() as r:
        watch(
            agz,
            w,
            r.url,
            method="PUT",
            oauth2Auth={
                "grantType": "client_credentials",
                "clientId": "cid",
                "clientSecret": "csecret",
                "accessTokenUrl": tokens.url + "/token",
            },
        )
        ok(agz.post(appointments_path(w), json=appointment_body(w, f"{MON}T10:00:00")))
        ok(agz.post(appointments_path(w), json=appointment_body(w, f"{MON}T11:00:00")))
        dispatcher(hooks).run_until_idle()
    assert [q.headers["Authorization"] for q in r.requests] == ["Bearer tok-1"] * 2
    assert {q.method for q in r.requests} == {"PUT"}
    assert len(tokens.requests) == 1
    form = tokens.requests[0].body.decode()
    assert "grant_type=client_credentials" in form and "client_secret=csecret" in form


def test_the_schema_maps_the_body_and_the_signature_verifies_with_the_shown_secret(
    hooks: Api,
) -> None:
    agz, w = Agendize(hooks), world(hooks)
    with receiver() as r:
        created = watch(
            agz,
            w,
            r.url,
            schema='"my_id_key": ${$.id}, "dataContent": {"fullName": "{firstName} {lastName}"},'
            ' "event": "{event}"',
            signature={"enabled": True, "cryptoKeyIds": ["key-1"]},
        )
        appt = ok(agz.post(appointments_path(w), json=appointment_body(w, f"{MON}T10:00:00")))
        dispatcher(hooks).run_until_idle()
    [request] = r.requests
    assert json.loads(request.body) == {
        "my_id_key": appt["id"],
        "dataContent": {"fullName": "Ada Lovelace"},
        "event": "created",
    }
    headers = {k.lower(): v for k, v in request.headers.items()}
    Webhook(created["signature"]["secret"]).verify(request.body, headers)
    assert headers["x-agendize-crypto-key-id"] == "key-1"


def test_a_failing_receiver_is_tried_again_later_and_a_disabled_watch_gets_nothing(
    hooks: Api,
) -> None:
    agz, w = Agendize(hooks), world(hooks)
    clock = Clock()
    with receiver(statuses=[503]) as r:
        created = watch(agz, w, r.url)
        ok(agz.post(appointments_path(w), json=appointment_body(w, f"{MON}T10:00:00")))
        d = dispatcher(hooks, clock)
        d.run_until_idle()
        assert len(r.requests) == 1  # refused once
        clock.at += timedelta(minutes=10)
        d.run_until_idle()
        assert events(r) == ["created", "created"]  # delivered on the retry
        path = f"{appointments_path(w)}/watch/{created['id']}"
        ok(agz.put(path, json={"status": "disabled"}))
        ok(agz.post(appointments_path(w), json=appointment_body(w, f"{MON}T11:00:00")))
        clock.at += timedelta(hours=1)
        d.run_until_idle()
        assert len(r.requests) == 2
        other = hooks.post("/v1/locations", json={"name": "B", "time_zone": "UTC"}).json()
        ok(agz.put(path, json={"status": "enabled"}))
        hooks.post(
            "/v1/appointments",
            json={
                "location_id": other["id"],
                "service_id": w["service"]["id"],
                "staff_id": w["staff"]["id"],
                "client_id": w["client"]["id"],
                "start": f"{MON}T15:00:00Z",
                "override": True,
            },
        )
        clock.at += timedelta(hours=1)
        d.run_until_idle()
        assert len(r.requests) == 2  # another company's appointment is not this watch's


def test_a_silent_delete_still_reaches_the_watch_and_bad_silent_is_400(hooks: Api) -> None:
    agz, w = Agendize(hooks), world(hooks)
    with receiver() as r:
        watch(agz, w, r.url)
        appt = ok(agz.post(appointments_path(w), json=appointment_body(w, f"{MON}T10:00:00")))
        dispatcher(hooks).run_until_idle()  # one batch each: sent together, they may cross
        path = f"{appointments_path(w)}/{appt['id']}"
        refused(agz.delete(path, params={"silent": "maybe"}), 400, "silent")
        deleted = agz.delete(path, params={"silent": "true"})
        assert deleted.status_code == 200 and deleted.content == b""
        dispatcher(hooks).run_until_idle()
    # silent silences e-mails and texts, not the watch (it is not a notification)
    assert events(r) == ["created", "deleted"]


def test_watch_bodies_carry_the_reschedule_link_until_the_end_and_extra_full_objects(
    hooks: Api,
) -> None:
    agz, w = Agendize(hooks), world(hooks)
    with receiver() as full, receiver() as extra:
        watch(agz, w, full.url)
        watch(agz, w, extra.url, levelDetails="extraFull")
        future = ok(agz.post(appointments_path(w), json=appointment_body(w, f"{MON}T10:00:00")))
        past = ok(
            agz.post(
                appointments_path(w) + "?force=true",
                json=appointment_body(w, "2020-01-06T10:00:00"),
            )
        )
        dispatcher(hooks).run_until_idle()
    bodies = {b["id"]: b for b in (q.json() for q in full.requests)}
    link = bodies[future["id"]]["rescheduleLink"]
    assert link.endswith("/manage/" + future["encryptedId"]) and link.startswith("http")
    assert bodies[past["id"]]["rescheduleLink"] == ""  # it has ended
    rich = {b["id"]: b for b in (q.json() for q in extra.requests)}[future["id"]]
    assert rich["company"]["timeZone"] == "Europe/London"  # the whole company object
    assert rich["service"]["duration"] == 30 and "staff" in rich["service"]
    assert rich["staff"]["email"] is not None and "services" in rich["staff"]
    assert rich["client"]["email"] == "ada@example.org"
    assert rich["rescheduleLink"] == link
    assert {k for k in bodies[future["id"]] if k not in rich} == set()


def test_a_401_from_the_receiver_fetches_a_new_token_and_sends_again(hooks: Api) -> None:
    agz, w = Agendize(hooks), world(hooks)
    TOKENS.forget()
    with (
        receiver(answer={"access_token": "tok-2", "expires_in": 3600}) as tokens,
        receiver(statuses=[401]) as r,
    ):
        watch(
            agz,
            w,
            r.url,
            oauth2Auth={
                "grantType": "refresh_token",
                "clientId": "cid",
                "refreshToken": "rt-1",
                "accessTokenUrl": tokens.url + "/token",
            },
        )
        ok(agz.post(appointments_path(w), json=appointment_body(w, f"{MON}T10:00:00")))
        dispatcher(hooks).run_until_idle()
    # refused once with the cached token, then sent again at once with a fresh one
    assert [q.headers["Authorization"] for q in r.requests] == ["Bearer tok-2"] * 2
    assert events(r) == ["created", "created"]
    assert len(tokens.requests) == 2
    assert "refresh_token=rt-1" in tokens.requests[1].body.decode()


def test_the_token_is_fetched_when_sending_not_when_rendering() -> None:
    from appointd.faces.agendize import watches
    from appointd.worker.subscriptions import kind

    registered = kind(watches.KIND)
    assert registered is not None and registered.authorize is watches.authorize
    assert "TOKENS" not in watches.deliver.__code__.co_names
