"""Agendize watches (seed 002), as pure functions: the watch resource both ways, the body a
watch sends, its ``schema`` mapping, and the request options (method, headers, auth).

A watch is stored as a subscription of the dispatcher's kind :data:`KIND`; its Agendize
options are the subscription's ``config``. The dispatcher delivers it at least once, retried
with backoff; these functions only say what one attempt sends.

Signature (``signature.enabled``): the dispatcher signs the body with the subscription's
secret using Standard Webhooks (HMAC-SHA256 over ``"{webhook-id}.{webhook-timestamp}.{body}"``,
base64, sent as ``webhook-signature: v1,<sig>`` with ``webhook-id`` and ``webhook-timestamp``).
The secret is drawn by appointd when the watch is created and shown once, in the create
answer, as ``signature.secret``; ``cryptoKeyIds`` are kept and echoed, and the first one is
sent as ``X-Agendize-Crypto-Key-Id`` so a receiver knows which of its keys to check with.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from jsonpath_ng import JSONPath
from jsonpath_ng.exceptions import JsonPathParserError
from jsonpath_ng.ext.parser import parse as jsonpath_parse

from appointd.domain.errors import FieldError, Invalid
from appointd.faces.agendize.times import render_zoned
from appointd.faces.shared.parsing import check_storable

KIND = "agendize_watch"
METHODS = ("POST", "PUT", "PATCH", "DELETE", "GET")
LEVELS = ("full", "extraFull")
GRANTS = ("refresh_token", "client_credentials")
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}")
_RESERVED_HEADERS = {"content-length", "host", "transfer-encoding", "connection"}

# core event type -> the Agendize watch event
EVENTS = {
    "appointment.booked": "created",
    "appointment.rescheduled": "updated",
    "appointment.updated": "updated",
    "appointment.status_changed": "updated",
    "appointment.archived": "deleted",
    "appointment.deleted": "deleted",
    "appointment.cancelled": "deleted",
}
# status changes that Agendize reports as "deleted" (cancelled in the dashboard or widget)
DELETING_STATUSES = ("cancelled", "declined")


@dataclass(frozen=True, slots=True)
class WatchSpec:
    """A parsed watch body: where it goes, whether it is on, and its options."""

    address: str
    enabled: bool
    config: dict[str, Any]


def _string(body: Mapping[str, Any], name: str, errors: list[FieldError], limit: int = 2000) -> Any:
    value = body.get(name)
    if value is not None and (not isinstance(value, str) or len(value) > limit):
        errors.append(FieldError(name, f"a string of at most {limit} characters"))
        return None
    return value


def _url(value: Any, field: str, errors: list[FieldError]) -> None:
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        errors.append(FieldError(field, "an http:// or https:// URL"))


def parse_watch(body: Any, current: WatchSpec | None = None) -> WatchSpec:
    """The watch ``body`` describes; with ``current``, an update (absent properties kept)."""
    if not isinstance(body, dict):
        raise Invalid.field("body", "expected a watch resource (a JSON object)")
    check_storable(body)
    errors: list[FieldError] = []
    config = dict(current.config) if current else {"method": "POST", "levelDetails": "full"}
    address = body.get("address", current.address if current else None)
    if address is None:
        errors.append(FieldError("address", "required"))
    else:
        _url(address, "address", errors)
        if isinstance(address, str) and len(address) > 2000:
            errors.append(FieldError("address", "at most 2000 characters"))
    name = _string(body, "name", errors, 200)
    if "name" in body:
        config["name"] = name or ""
    method = body.get("method")
    if method is not None:
        if not isinstance(method, str) or method.upper() not in METHODS:
            errors.append(FieldError("method", "one of " + ", ".join(METHODS)))
        else:
            config["method"] = method.upper()
    level = body.get("levelDetails")
    if level is not None:
        if level not in LEVELS:
            errors.append(FieldError("levelDetails", 'one of "full", "extraFull"'))
        else:
            config["levelDetails"] = level
    enabled = current.enabled if current else True
    status = body.get("status")
    if status is not None:
        if status not in ("enabled", "disabled"):
            errors.append(FieldError("status", 'one of "enabled", "disabled"'))
        else:
            enabled = status == "enabled"
    parsers: tuple[tuple[str, Any], ...] = (
        ("basicAuth", _basic_auth),
        ("httpRequestHeader", _headers),
        ("oauth2Auth", _oauth2),
        ("schema", _schema),
        ("signature", _signature),
    )
    for key, parse in parsers:
        if key in body:
            value = body[key]
            if value is None:
                config.pop(key, None)
            else:
                parsed = parse(value, errors)
                if parsed is not None:
                    config[key] = parsed
    if "basicAuth" in config and "oauth2Auth" in config:
        errors.append(FieldError("oauth2Auth", "not with basicAuth: choose one authentication"))
    if errors:
        raise Invalid(errors)
    return WatchSpec(str(address), enabled, config)


def _basic_auth(value: Any, errors: list[FieldError]) -> dict[str, str] | None:
    if not isinstance(value, dict) or not all(
        isinstance(value.get(k), str) for k in ("username", "password")
    ):
        errors.append(FieldError("basicAuth", "an object with username and password strings"))
        return None
    return {"username": value["username"], "password": value["password"]}


def _headers(value: Any, errors: list[FieldError]) -> dict[str, str] | None:
    if not isinstance(value, dict):
        errors.append(FieldError("httpRequestHeader", "an object of header name to value"))
        return None
    out = {}
    for name, text in value.items():
        field = f"httpRequestHeader.{name}"
        if not _HEADER_NAME.fullmatch(name) or name.lower() in _RESERVED_HEADERS:
            errors.append(FieldError(field, "not a header name a watch may set"))
        elif not isinstance(text, str) or "\r" in text or "\n" in text or len(text) > 4000:
            errors.append(FieldError(field, "a one-line string"))
        else:
            out[name] = text
    return out


def _oauth2(value: Any, errors: list[FieldError]) -> dict[str, str] | None:
    if not isinstance(value, dict):
        errors.append(FieldError("oauth2Auth", "an object"))
        return None
    names: tuple[str, ...] = ("grantType", "clientId", "clientSecret", "refreshToken")
    names += ("authUrl", "accessTokenUrl", "redirectUri", "scope")
    out: dict[str, str] = {}
    for name in names:
        if value.get(name) is not None:
            if not isinstance(value[name], str) or len(value[name]) > 4000:
                errors.append(FieldError(f"oauth2Auth.{name}", "must be a string"))
            else:
                out[name] = value[name]
    out.setdefault("grantType", "refresh_token")
    if out["grantType"] not in GRANTS:
        errors.append(
            FieldError("oauth2Auth.grantType", 'one of "refresh_token", "client_credentials"')
        )
    if "accessTokenUrl" not in out:
        errors.append(FieldError("oauth2Auth.accessTokenUrl", "required"))
    else:
        _url(out["accessTokenUrl"], "oauth2Auth.accessTokenUrl", errors)
    if "clientId" not in out:
        errors.append(FieldError("oauth2Auth.clientId", "required"))
    if out["grantType"] == "refresh_token" and "refreshToken" not in out:
        errors.append(
            FieldError("oauth2Auth.refreshToken", "required with grantType refresh_token")
        )
    return out


def _schema(value: Any, errors: list[FieldError]) -> Any:
    if not isinstance(value, (dict, str)):
        errors.append(FieldError("schema", "an object or a string"))
        return None
    try:
        apply_schema(value, {})
    except Invalid as exc:
        errors.extend(exc.errors)
        return None
    return value


def _signature(value: Any, errors: list[FieldError]) -> dict[str, Any] | None:
    if not isinstance(value, dict) or not isinstance(value.get("enabled", False), bool):
        errors.append(FieldError("signature.enabled", "must be true or false"))
        return None
    ids = value.get("cryptoKeyIds", [])
    if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
        errors.append(FieldError("signature.cryptoKeyIds", "a list of key identifier strings"))
        return None
    return {"enabled": bool(value.get("enabled", False)), "cryptoKeyIds": ids}


def signed(config: Mapping[str, Any]) -> bool:
    signature = config.get("signature")
    return isinstance(signature, Mapping) and bool(signature.get("enabled"))


def render_watch(
    watch_id: int, company_id: int, spec: WatchSpec, secret: str | None = None
) -> dict[str, Any]:
    """The watch resource; passwords and OAuth2 secrets are never shown back."""
    c = spec.config
    out: dict[str, Any] = {
        "id": str(watch_id),
        "company": {"id": str(company_id)},
        "address": spec.address,
        "name": c.get("name", ""),
        "method": c.get("method", "POST"),
        "status": "enabled" if spec.enabled else "disabled",
        "levelDetails": c.get("levelDetails", "full"),
        "httpRequestHeader": c.get("httpRequestHeader", {}),
        "schema": c.get("schema"),
    }
    if "basicAuth" in c:
        out["basicAuth"] = {"username": c["basicAuth"]["username"]}
    if "oauth2Auth" in c:
        hidden = ("clientSecret", "refreshToken")
        out["oauth2Auth"] = {k: v for k, v in c["oauth2Auth"].items() if k not in hidden}
    signature = dict(c.get("signature") or {"enabled": False, "cryptoKeyIds": []})
    if secret is not None and signature.get("enabled"):
        signature["secret"] = secret
    out["signature"] = signature
    return out


# -- the body ---------------------------------------------------------------------------------


def event_of(event_type: str, payload: Mapping[str, Any]) -> str | None:
    """The Agendize event (created, updated, deleted) of a core event; ``None``: not sent."""
    event = EVENTS.get(event_type)
    status = payload.get("status")
    if event_type == "appointment.status_changed" and status in DELETING_STATUSES:
        return "deleted"
    return event


def notification(
    resource: Mapping[str, Any], event: str, sent_at: datetime, time_zone: str
) -> dict[str, Any]:
    """The Appointment resource plus ``date`` (when the watch is sent) and ``event``."""
    return {**resource, "date": render_zoned(sent_at, time_zone), "event": event}


# -- schema mapping ---------------------------------------------------------------------------

# {name}, {$.path} and ${$.path}: a property name or a jsonpath expression
_PLACEHOLDER = re.compile(r"\$?\{(\$[^{}]*|[A-Za-z_][\w\-]*)\}")


@lru_cache(maxsize=512)
def _compiled(expression: str) -> JSONPath:
    try:
        return jsonpath_parse(expression)
    except (JsonPathParserError, Exception) as exc:
        raise Invalid.field("schema", f"bad jsonpath {expression!r}: {exc}") from None


def lookup(doc: Mapping[str, Any], key: str) -> Any:
    """The value a placeholder names in ``doc``.

    ``$...`` is a jsonpath (one match: its value; several: the list; none: null). A bare name is
    a property of the appointment, else of its client, else the first found anywhere.
    """
    if key.startswith("$"):
        matches = [m.value for m in _compiled(key).find(doc)]
        if not matches:
            return None
        return matches[0] if len(matches) == 1 else matches
    if key in doc:
        return doc[key]
    client = doc.get("client")
    if isinstance(client, Mapping) and key in client:
        return client[key]
    matches = [m.value for m in _compiled(f"$..{key}").find(doc)] if doc else []
    return matches[0] if matches else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def _fill_strings(node: Any, doc: Mapping[str, Any]) -> Any:
    if isinstance(node, str):
        return _PLACEHOLDER.sub(lambda m: _text(lookup(doc, m.group(1))), node)
    if isinstance(node, list):
        return [_fill_strings(x, doc) for x in node]
    if isinstance(node, dict):
        return {k: _fill_strings(v, doc) for k, v in node.items()}
    return node


def _fill_text(template: str, doc: Mapping[str, Any]) -> str:
    """The string form: placeholders inside JSON strings become text (escaped); outside
    quotes they become the value's JSON (numbers stay numbers, objects objects)."""
    out: list[str] = []
    i, quoted = 0, False
    while i < len(template):
        ch = template[i]
        if quoted and ch == "\\":
            out.append(template[i : i + 2])
            i += 2
            continue
        if ch == '"':
            quoted = not quoted
            out.append(ch)
            i += 1
            continue
        m = _PLACEHOLDER.match(template, i)
        if m is None:
            out.append(ch)
            i += 1
            continue
        value = lookup(doc, m.group(1))
        out.append(json.dumps(_text(value))[1:-1] if quoted else json.dumps(value))
        i = m.end()
    return "".join(out)


def apply_schema(schema: Any, doc: Mapping[str, Any]) -> Any:
    """``doc`` mapped through ``schema``: an object (every string's placeholders replaced by
    text) or a string (JSON text, braces optional, typed placeholders outside quotes)."""
    if isinstance(schema, dict):
        return _fill_strings(schema, doc)
    if not isinstance(schema, str):
        raise Invalid.field("schema", "an object or a string")
    for m in _PLACEHOLDER.finditer(schema):
        if m.group(1).startswith("$"):
            _compiled(m.group(1))
    text = _fill_text(schema, doc).strip()
    if not text.startswith("{"):
        text = "{" + text + "}"
    try:
        return json.loads(text)
    except ValueError as exc:
        raise Invalid.field("schema", f"does not give JSON: {exc}") from None


# -- the request ------------------------------------------------------------------------------


def request_headers(
    config: Mapping[str, Any], event: str, bearer: str | None = None
) -> dict[str, str]:
    """Headers of one delivery: content type, the event, auth, then the watch's own."""
    headers = {"Content-Type": "application/json", "X-Agendize-objectEvent": event}
    basic = config.get("basicAuth")
    if isinstance(basic, Mapping):
        raw = f"{basic.get('username', '')}:{basic.get('password', '')}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(raw).decode()
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    signature = config.get("signature")
    if (
        isinstance(signature, Mapping)
        and signature.get("enabled")
        and signature.get("cryptoKeyIds")
    ):
        headers["X-Agendize-Crypto-Key-Id"] = str(signature["cryptoKeyIds"][0])
    custom = config.get("httpRequestHeader")
    if isinstance(custom, Mapping):
        headers.update({str(k): str(v) for k, v in custom.items()})
    return headers


def request_body(
    config: Mapping[str, Any], resource: Mapping[str, Any], event: str, sent_at: datetime, tz: str
) -> bytes:
    """The body of one delivery; empty for the DELETE method (it takes no body)."""
    if config.get("method", "POST") == "DELETE":
        return b""
    doc = notification(resource, event, sent_at, tz)
    if config.get("schema") is not None:
        doc = apply_schema(config["schema"], doc)
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()
