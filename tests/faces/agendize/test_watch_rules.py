"""The watch's pure parts: parsing, rendering, the schema mapping, headers, OAuth2 tokens."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest

from appointd.domain.errors import Invalid
from appointd.faces.agendize import watch
from appointd.faces.agendize.oauth2 import TokenCache, TokenError
from tests.faces.agendize.receiver import receiver

RESOURCE = {
    "id": "12",
    "reference": "AB12",
    "status": "accepted",
    "staff": {"id": "3", "firstName": "Sam", "lastName": "Carter"},
    "client": {"id": "7", "firstName": "Ada", "lastName": "Lovelace"},
    "price": {"amount": 40.0, "currency": "EUR"},
}
SENT = datetime(2030, 1, 7, 10, 0, tzinfo=UTC)


def fields_of(exc: pytest.ExceptionInfo[Invalid]) -> set[str]:
    return {e.field for e in exc.value.errors}


def test_a_watch_needs_an_http_address_and_known_values_each_refusal_naming_its_property() -> None:
    with pytest.raises(Invalid) as exc:
        watch.parse_watch(
            {
                "address": "ftp://example.org/x",
                "method": "BREW",
                "status": "on",
                "levelDetails": "some",
                "basicAuth": {"username": 1},
                "httpRequestHeader": {"Bad Name": "x", "X-Ok": "a\nb"},
                "signature": {"enabled": "yes"},
            }
        )
    assert fields_of(exc) >= {
        "address",
        "method",
        "status",
        "levelDetails",
        "basicAuth",
        "httpRequestHeader.Bad Name",
        "httpRequestHeader.X-Ok",
        "signature.enabled",
    }
    with pytest.raises(Invalid) as exc:
        watch.parse_watch({"name": "no address"})
    assert fields_of(exc) == {"address"}
    with pytest.raises(Invalid) as exc:
        watch.parse_watch({"address": "https://x.org", "oauth2Auth": {"grantType": "password"}})
    assert "oauth2Auth.grantType" in fields_of(exc)
    assert "oauth2Auth.accessTokenUrl" in fields_of(exc)


def test_a_parsed_watch_keeps_its_options_and_renders_without_its_secrets() -> None:
    spec = watch.parse_watch(
        {
            "address": "https://example.org/hook",
            "name": "crm",
            "method": "put",
            "status": "disabled",
            "basicAuth": {"username": "u", "password": "p"},
            "httpRequestHeader": {"X-Tenant": "42"},
            "signature": {"enabled": True, "cryptoKeyIds": ["k1"]},
        }
    )
    assert not spec.enabled
    shown = watch.render_watch(5, 9, spec, secret="whsec_abc")
    assert shown["method"] == "PUT" and shown["status"] == "disabled"
    assert shown["basicAuth"] == {"username": "u"}
    assert shown["httpRequestHeader"] == {"X-Tenant": "42"}
    assert shown["signature"] == {"enabled": True, "cryptoKeyIds": ["k1"], "secret": "whsec_abc"}
    assert "secret" not in watch.render_watch(5, 9, spec)["signature"]
    again = watch.parse_watch({"status": "enabled"}, spec)
    assert again.enabled and again.config["basicAuth"]["password"] == "p"


def test_the_object_schema_replaces_property_names_and_jsonpaths_with_text() -> None:
    doc = watch.notification(RESOURCE, "created", SENT, "Europe/Paris")
    mapped = watch.apply_schema(
        {
            "my_id_key": "{id}",
            "dataContent": {"givenName": "{firstName}", "staff": "{$.staff.lastName}"},
            "when": "{$.date.dateTime} ({event})",
            "amount": "${$.price.amount}",
        },
        doc,
    )
    assert mapped == {
        "my_id_key": "12",
        "dataContent": {"givenName": "Ada", "staff": "Carter"},
        "when": "2030-01-07T11:00:00 (created)",
        "amount": "40.0",
    }


def test_the_string_schema_keeps_types_outside_quotes_and_escapes_text_inside() -> None:
    doc = {**RESOURCE, "notes": 'say "hi"'}
    mapped = watch.apply_schema(
        '"my_id_key": ${$.id}, "amount": ${$.price.amount}, "price": {$.price},'
        ' "dataContent": { "fullName": "${$.client.firstName} ${$.client.lastName}",'
        ' "notes": "{notes}", "missing": ${$.nothing} }',
        doc,
    )
    assert mapped == {
        "my_id_key": "12",
        "amount": 40.0,
        "price": {"amount": 40.0, "currency": "EUR"},
        "dataContent": {"fullName": "Ada Lovelace", "notes": 'say "hi"', "missing": None},
    }


def test_a_schema_that_cannot_give_json_or_has_a_bad_jsonpath_is_refused_naming_schema() -> None:
    for schema in ('"a": ${$.id', '"a": {$.[[}', 12):
        with pytest.raises(Invalid) as exc:
            watch.parse_watch({"address": "https://x.org", "schema": schema})
        assert fields_of(exc) == {"schema"}


def test_headers_carry_the_event_basic_auth_bearer_and_the_watch_s_own() -> None:
    config = watch.parse_watch(
        {
            "address": "https://x.org",
            "basicAuth": {"username": "u", "password": "p"},
            "httpRequestHeader": {"X-Tenant": "42"},
            "signature": {"enabled": True, "cryptoKeyIds": ["k1", "k2"]},
        }
    ).config
    headers = watch.request_headers(config, "updated")
    assert headers["X-Agendize-objectEvent"] == "updated"
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"u:p").decode()
    assert headers["X-Tenant"] == "42"
    assert headers["X-Agendize-Crypto-Key-Id"] == "k1"
    assert watch.request_headers({}, "created", bearer="tok")["Authorization"] == "Bearer tok"


def test_the_body_is_the_resource_with_date_and_event_and_delete_sends_none() -> None:
    body = json.loads(watch.request_body({}, RESOURCE, "deleted", SENT, "Europe/Paris"))
    assert body["id"] == "12" and body["event"] == "deleted"
    assert body["date"] == {"dateTime": "2030-01-07T11:00:00", "timeZone": "Europe/Paris"}
    assert watch.request_body({"method": "DELETE"}, RESOURCE, "deleted", SENT, "UTC") == b""


def test_core_events_map_onto_created_updated_and_deleted() -> None:
    assert watch.event_of("appointment.booked", {}) == "created"
    assert watch.event_of("appointment.rescheduled", {}) == "updated"
    assert watch.event_of("appointment.status_changed", {"status": "completed"}) == "updated"
    assert watch.event_of("appointment.status_changed", {"status": "cancelled"}) == "deleted"
    assert watch.event_of("appointment.archived", {}) == "deleted"
    assert watch.event_of("class_session.changed", {}) is None


def test_an_oauth2_token_is_fetched_from_the_token_endpoint_and_cached() -> None:
    clock = [0.0]
    cache = TokenCache(clock=lambda: clock[0])
    with receiver(answer={"access_token": "T1", "expires_in": 120}) as token_server:
        oauth = {
            "grantType": "refresh_token",
            "clientId": "cid",
            "clientSecret": "cs",
            "refreshToken": "rt",
            "accessTokenUrl": token_server.url + "/token",
        }
        assert cache.token(oauth) == "T1"
        assert cache.token(oauth) == "T1"
        assert cache.fetches == 1
        form = token_server.requests[0].body.decode()
        assert "grant_type=refresh_token" in form and "refresh_token=rt" in form
        clock[0] = 100.0  # within 30 s of expiry: fetched again
        token_server.answer = {"access_token": "T2"}
        assert cache.token(oauth) == "T2"
        credentials = {**oauth, "grantType": "client_credentials"}
        del credentials["refreshToken"]
        cache.token(credentials)
        assert "grant_type=client_credentials" in token_server.requests[-1].body.decode()
        token_server.statuses = [401]
        with pytest.raises(TokenError):
            cache.token({**credentials, "scope": "new"})
