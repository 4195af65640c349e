"""Explicit ``create_*`` helpers that build catalog objects through the native API."""

from __future__ import annotations

from typing import Any

WEEKDAYS_9_TO_5 = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(1, 6)]


def _created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def create_location(api: Any, **fields: Any) -> dict[str, Any]:
    body = {"name": "Main street", "time_zone": "Europe/London", **fields}
    return _created(api.post("/v1/locations", json=body))


def create_staff(api: Any, location: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = {
        "first_name": "Sam",
        "last_name": "Carter",
        "location_ids": [location["id"]],
        "working_hours": WEEKDAYS_9_TO_5,
        **fields,
    }
    return _created(api.post("/v1/staff", json=body))


def create_service(api: Any, **fields: Any) -> dict[str, Any]:
    body = {"name": "Consultation", "duration_minutes": 30, **fields}
    return _created(api.post("/v1/services", json=body))


def create_resource(api: Any, **fields: Any) -> dict[str, Any]:
    body = {"name": "Room 1", **fields}
    return _created(api.post("/v1/resources", json=body))


def create_client(api: Any, **fields: Any) -> dict[str, Any]:
    body = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org", **fields}
    return _created(api.post("/v1/clients", json=body))


def clinic(api: Any, *, time_zone: str = "Europe/London", **service_fields: Any) -> dict[str, Any]:
    """A location, one staff member working Mon-Fri 09:00-17:00, a service and a client."""
    location = create_location(api, time_zone=time_zone)
    staff = create_staff(api, location)
    service = create_service(api, staff_ids=[staff["id"]], **service_fields)
    client = create_client(api)
    return {"location": location, "staff": staff, "service": service, "client": client}


def book(api: Any, world: dict[str, Any], start: str, **fields: Any) -> Any:
    """POST an appointment for ``world`` (from :func:`clinic`); returns the raw response."""
    body = {
        "location_id": world["location"]["id"],
        "service_id": world["service"]["id"],
        "staff_id": world["staff"]["id"],
        "client_id": world["client"]["id"],
        "start": start,
        **fields,
    }
    return api.post("/v1/appointments", json=body)
