"""An example for every native request body, shown by ``/docs`` and kept valid by a test.

The examples are attached to the body models' JSON schemas (the ``examples`` keyword of JSON
Schema 2020-12, which OpenAPI 3.1 uses), from this one table, so the schemas' modules stay about
validation. ``tests/faces/native/test_openapi_docs.py`` validates every example against its
schema and fails when a native request body has none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from appointd.faces.native import schemas as s
from appointd.faces.native.schemas import state_not_null

AT = "2026-11-30T14:30:00+01:00"

EXAMPLES: dict[type[BaseModel], dict[str, Any]] = {
    s.LocationIn: {"name": "Riverside", "time_zone": "Europe/Berlin", "address": "Uferstrasse 1"},
    s.LocationPatch: {"address": "Uferstrasse 3"},
    s.StaffIn: {
        "first_name": "Ana",
        "last_name": "Berger",
        "email": "ana@example.com",
        "phone": "+49 170 1234567",
        "external_id": "hr-0042",
        "location_ids": [1],
        "working_hours": [
            {"weekday": 1, "start": "09:00", "end": "12:30"},
            {"weekday": 1, "start": "13:30", "end": "17:00"},
        ],
        "date_overrides": [{"date": "2026-12-24", "ranges": []}],
    },
    s.StaffPatch: {"working_hours": [{"weekday": 2, "start": "08:00", "end": "16:00"}]},
    s.TimeOffIn: {
        "start": "2026-12-01T13:00:00+01:00",
        "end": "2026-12-01T15:00:00+01:00",
        "reason": "dentist",
    },
    s.ServiceIn: {
        "name": "Initial assessment",
        "duration_minutes": 60,
        "buffer_after_minutes": 15,
        "price": "80.00",
        "currency": "EUR",
        "staff_ids": [1],
        "external_id": "svc-assessment",
    },
    s.ServicePatch: {"price": "85.00"},
    s.ResourceIn: {"name": "Treatment room 1", "location_id": 1, "external_id": "room-1"},
    s.ResourcePatch: {"capacity": 2},
    s.ClientIn: {
        "first_name": "Mia",
        "last_name": "Schulz",
        "email": "mia@example.org",
        "phones": [
            {"type": "home", "number": "+49 30 1234567"},
            {"type": "mobile", "number": "+49 170 7654321"},
        ],
        "address": {"line1": "Uferstrasse 7", "city": "Berlin", "postal_code": "10115"},
        "date_of_birth": "1988-04-12",
        "notes": "prefers afternoon appointments",
        "external_id": "crm-1187",
    },
    s.ClientPatch: {"phones": [{"type": "mobile", "number": "+49 170 7654321"}]},
    s.AppointmentIn: {
        "location_id": 1,
        "service_id": 1,
        "client_id": 1,
        "staff_id": 1,
        "start": AT,
        "notes": "first visit",
    },
    s.AppointmentPatch: {"start": "2026-11-30T15:30:00+01:00"},
    s.ReasonIn: {"reason": "client called"},
    s.CancelIn: {"reason": "client is ill"},
}


def _route_models() -> dict[type[BaseModel], dict[str, Any]]:
    """Examples of the body models defined next to their routes."""
    from appointd.faces.native.routes import (
        account,
        class_sessions,
        definitions,
        intents,
        waitlist,
        webhooks,
    )

    return {
        webhooks.WebhookIn: {
            "url": "https://example.org/hooks/appointd",
            "events": ["appointment.booked", "appointment.rescheduled"],
        },
        webhooks.WebhookPatch: {"enabled": False},
        definitions.CustomStatusIn: {"name": "Waiting for referral", "base_status": "pending"},
        definitions.CustomStatusPatch: {"name": "Referral requested"},
        definitions.FormFieldIn: {
            "label": "How did you hear about us?",
            "type": "select",
            "options": ["Friend", "Web search", "Doctor"],
        },
        definitions.FormFieldPatch: {"required": True},
        account.AccountPatch: {
            "min_notice_minutes": 120,
            "max_advance_days": 90,
            "default_reminders": [{"channel": "email", "to": "client", "minutes_before": 1440}],
            "notify_defaults": {"client": True, "staff": False},
            "time_zone": "Europe/Berlin",
            "client_change_cutoff_hours": 24,
        },
        class_sessions.ClassSessionIn: {
            "service_id": 3,
            "staff_id": 1,
            "location_id": 1,
            "start": "2026-12-02T18:00:00+01:00",
            "capacity": 8,
        },
        class_sessions.ClassSessionPatch: {"capacity": 10},
        intents.IntentIn: {
            "client_id": 1,
            "external_reference": "referral-4711",
            "start_date": "2026-12-01",
            "end_date": "2026-12-31",
        },
        intents.IntentPatch: {"end_date": "2027-01-15"},
        waitlist.WaitlistEntryIn: {
            "client_id": 1,
            "service_id": 1,
            "location_id": 1,
            "earliest": "2026-12-01",
            "latest": "2026-12-20",
            "preferred_times": [{"weekday": 2, "start": "09:00", "end": "12:00"}],
        },
    }


def install(extra: dict[type[BaseModel], dict[str, Any]] | None = None) -> None:
    """Attach the examples (and ``extra`` ones) to the models' JSON schemas. Safe to call more
    than once."""
    for model, example in {**EXAMPLES, **_route_models(), **(extra or {})}.items():
        model.model_config["json_schema_extra"] = _with_example(example)
        model.model_rebuild(force=True)


def _with_example(example: dict[str, Any]) -> Callable[[dict[str, Any], type[BaseModel]], None]:
    # Replacing the request bodies' own ``json_schema_extra`` (``In``'s, which drops ``null``
    # from the fields that may be left out but never sent as null) would make the document
    # offer null where the API refuses it: keep it, then add the example.
    def extra(schema: dict[str, Any], model: type[BaseModel]) -> None:
        state_not_null(schema, model)
        schema["examples"] = [example]

    return extra
