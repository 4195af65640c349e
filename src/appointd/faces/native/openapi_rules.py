"""The native API's input rules that its models do not state, written into its OpenAPI document.

The core checks these rules, with its own messages naming the field; the pydantic models only
parse. Without this module the document would call a request valid that the API then refuses
(an empty name, weekday 0, an unknown zone, a ``limit`` above the server's maximum), and a
client generated from it would learn the rules one 422 at a time. Each value below comes from
where the rule lives (the core's patterns, the event types, the settings), so the document
cannot drift from the checks; ``tests/contract/test_schemathesis.py`` proves it by sending what
the document allows.

What JSON Schema cannot say (an id that must name an existing object of the account, an end
after its start, an RRULE's grammar, a rule between two fields) is stated in the operation's
description and answered 422 naming the field; the contract test lists those operations.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from appointd.app.catalog import (
    CURRENCY_PATTERN,
    EMAIL_PATTERN,
    NULLABLE,
    SLUG_PATTERN,
    WINDOW_LIMITS,
)
from appointd.app.subscriptions import EVENT_TYPES
from appointd.domain.forms import OPTIONS_MAX
from appointd.domain.intents import MAX_REFERENCE
from appointd.domain.wallclock import available_zones
from appointd.faces.native.schemas import drop_null
from appointd.settings import Settings

TIME_ZONE = "TimeZone"
_ZONE: dict[str, Any] = {"$ref": f"#/components/schemas/{TIME_ZONE}"}
# Text the core strips before it checks it is not empty: at least one non-space character.
_NAME: dict[str, Any] = {"pattern": r"\S", "maxLength": 200}
_LAST_NAME: dict[str, Any] = {"maxLength": 200}
_EXTERNAL_ID: dict[str, Any] = {"pattern": r"\S", "maxLength": 200}
_EMAIL: dict[str, Any] = {"pattern": f"^{EMAIL_PATTERN}$", "maxLength": 320}
_PHONE: dict[str, Any] = {"maxLength": 64}
_WALL_START: dict[str, Any] = {"pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"}
_WALL_END: dict[str, Any] = {"pattern": "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"}
_WEEKDAY: dict[str, Any] = {"minimum": 1, "maximum": 7}
_CAPACITY: dict[str, Any] = {"minimum": 1, "maximum": 10_000}
_DURATION: dict[str, Any] = {"minimum": 1, "maximum": 1440}
_BUFFER: dict[str, Any] = {"minimum": 0, "maximum": 1440}
_SLUG: dict[str, Any] = {"pattern": f"^{SLUG_PATTERN}$"}
_PRICE_NUMBER: dict[str, Any] = {"minimum": 0, "exclusiveMaximum": 10**10, "multipleOf": 0.01}
_PRICE_TEXT: dict[str, Any] = {"pattern": r"^[0-9]{1,10}(\.[0-9]{1,2})?$"}

_LOCATION = {"name": _NAME, "time_zone": _ZONE, "booking_slug": _SLUG}
_STAFF = {"first_name": _NAME, "last_name": _LAST_NAME, "email": _EMAIL, "time_zone": _ZONE}
_CLIENT = {
    "first_name": _NAME,
    "last_name": _LAST_NAME,
    "email": _EMAIL,
    "phone": _PHONE,
    "time_zone": _ZONE,
    "external_id": {"maxLength": 200},
}
_SERVICE = {
    "name": _NAME,
    "duration_minutes": _DURATION,
    "buffer_before_minutes": _BUFFER,
    "buffer_after_minutes": _BUFFER,
    "capacity": _CAPACITY,
    "currency": {"pattern": f"^{CURRENCY_PATTERN}$"},
    "min_notice_minutes": {"minimum": 0, "maximum": WINDOW_LIMITS["min_notice_minutes"]},
    "max_advance_days": {"minimum": 0, "maximum": WINDOW_LIMITS["max_advance_days"]},
}
_RESOURCE = {"name": _NAME, "capacity": _CAPACITY}
_OPTIONS: dict[str, Any] = {
    "items": {"type": "string", "minLength": 1},
    "uniqueItems": True,
    "maxItems": OPTIONS_MAX,
}
_WEBHOOK = {"url": {"pattern": "^https?://[^/?#]"}}

# Component name -> property -> what the core requires of it.
PROPERTY_RULES: dict[str, dict[str, dict[str, Any]]] = {
    "LocationIn": _LOCATION,
    "LocationPatch": _LOCATION,
    "StaffIn": _STAFF,
    "StaffPatch": _STAFF,
    "WeeklyRangeIn": {"weekday": _WEEKDAY, "start": _WALL_START, "end": _WALL_END},
    "RangeIn": {"start": _WALL_START, "end": _WALL_END},
    "DateOverrideIn": {"date": {"format": "date"}},
    "PreferredTimeIn": {"weekday": _WEEKDAY, "start": _WALL_START, "end": _WALL_END},
    "ClientIn": _CLIENT,
    "ClientPatch": _CLIENT,
    "ServiceIn": _SERVICE,
    "ServicePatch": _SERVICE,
    "ResourceIn": _RESOURCE,
    "ResourcePatch": _RESOURCE,
    "AccountPatch": {"name": _NAME, "time_zone": _ZONE},
    "AppointmentIn": {"external_id": _EXTERNAL_ID},
    "AppointmentPatch": {"external_id": _EXTERNAL_ID},
    "CancelIn": {"hold_minutes": {"minimum": 1, "maximum": 10_080}},
    "ClassSessionIn": {"capacity": _CAPACITY},
    "ClassSessionPatch": {"capacity": _CAPACITY},
    "IntentIn": {"external_reference": {"pattern": r"\S", "maxLength": MAX_REFERENCE}},
    "CustomStatusIn": {"name": _NAME},
    "CustomStatusPatch": {"name": _NAME},
    "FormFieldIn": {"label": _NAME, "options": _OPTIONS},
    "FormFieldPatch": {"label": _NAME, "options": _OPTIONS},
    "WebhookIn": _WEBHOOK,
    "WebhookPatch": _WEBHOOK,
}
# The catalog's PATCH bodies: a field may be sent as null only where the core allows it
# (``NULLABLE``); the models leave that to the core, so the document says it here.
CATALOG_PATCHES = {
    "LocationPatch": "locations",
    "StaffPatch": "staff",
    "ServicePatch": "services",
    "ResourcePatch": "resources",
    "ClientPatch": "clients",
}
_EVENT_ITEMS: dict[str, Any] = {"type": "string", "enum": ["*", *sorted(EVENT_TYPES)]}


def install(app: FastAPI, settings: Settings) -> None:
    """Make ``app.openapi()`` answer the document with the rules stated (built once)."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = state_rules(generate(), settings)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def state_rules(doc: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """``doc`` with the rules above written in; returns ``doc`` (changed in place)."""
    schemas: dict[str, Any] = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas[TIME_ZONE] = {
        "type": "string",
        "enum": sorted(available_zones()),
        "description": "an IANA time zone name known to this server, e.g. Europe/Berlin",
    }
    for component, kind in CATALOG_PATCHES.items():
        for name, prop in schemas[component]["properties"].items():
            if name not in NULLABLE[kind]:
                drop_null(prop)
    for component, rules in PROPERTY_RULES.items():
        properties = schemas[component]["properties"]
        for name, rule in rules.items():
            _constrain(properties[name], rule)
    for component in ("WebhookIn", "WebhookPatch"):
        _constrain(schemas[component]["properties"]["events"], {"items": _EVENT_ITEMS})
    for component in ("ServiceIn", "ServicePatch"):
        # A price is sent as a JSON number or as decimal text; both at most 2 decimals.
        for branch in schemas[component]["properties"]["price"]["anyOf"]:
            branch.update({"number": _PRICE_NUMBER, "string": _PRICE_TEXT}.get(branch["type"], {}))
    query_rules: dict[str, dict[str, Any]] = {
        "limit": {"maximum": settings.max_page_size},
        "time_zone": _ZONE,
        "step_minutes": _DURATION,
        "mode": {"enum": ["any", "all"]},
    }
    for path, operations in doc.get("paths", {}).items():
        if not path.startswith("/v1/"):
            continue
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "query":
                    continue
                if parameter["name"] in query_rules:
                    _constrain(parameter["schema"], query_rules[parameter["name"]])
    return doc


def _constrain(schema: dict[str, Any], rule: dict[str, Any]) -> None:
    """Add ``rule`` to ``schema``, or to each non-null branch of a nullable one."""
    if "anyOf" in schema:
        for branch in schema["anyOf"]:
            if branch.get("type") != "null":
                _constrain(branch, rule)
        return
    if "$ref" in rule:  # a named type replaces the plain string
        for key in ("type", "pattern", "maxLength", "minLength"):
            schema.pop(key, None)
    schema.update(rule)
