"""Catalog set-ups for the TimeTap face tests (built through /v1, read through TimeTap)."""

from __future__ import annotations

from typing import Any

from tests.factories import (
    WEEKDAYS_9_TO_5,
    create_client,
    create_location,
    create_resource,
    create_service,
    create_staff,
)

MON = "2030-01-07"  # a Monday
TUE = "2030-01-08"


def clinic(
    api: Any,
    *,
    time_zone: str = "Europe/London",
    hours: list[dict[str, Any]] | None = None,
    **service_fields: Any,
) -> dict[str, Any]:
    """A location in ``time_zone``, a staff member (Mon-Fri 09:00-17:00 unless ``hours``), a
    service given by them, a client and a room."""
    location = create_location(api, time_zone=time_zone)
    staff = create_staff(api, location, working_hours=hours or WEEKDAYS_9_TO_5)
    service = create_service(api, staff_ids=[staff["id"]], **service_fields)
    client = create_client(api)
    room = create_resource(api, location_id=location["id"])
    return {
        "location": location,
        "staff": staff,
        "service": service,
        "client": client,
        "room": room,
    }


ALL_DAY = [{"weekday": d, "start": "00:00", "end": "24:00"} for d in range(1, 8)]


def body(
    world: dict[str, Any], day: str, start: int, end: int | None = None, **fields: Any
) -> dict[str, Any]:
    """The seed's minimum POST /appointments body."""
    out: dict[str, Any] = {
        "location": {"locationId": world["location"]["id"]},
        "staff": {"professionalId": world["staff"]["id"]},
        "reason": {"reasonId": world["service"]["id"]},
        "client": {"clientId": world["client"]["id"]},
        "clientStartDate": day,
        "clientEndDate": day,
        "date": day,
        "clientStartTime": start,
        "clientEndTime": end,
        "startTime": None,
        "endTime": None,
        "clientReminderHours": 24,
        "staffReminderHours": 0,
        "remindClientSmsHrs": 1,
        "remindStaffSmsHrs": 0,
        "sendConfirmationToClient": True,
        "sendConfirmationToStaff": False,
        "status": "OPEN",
        "note": "",
    }
    out.update(fields)
    return out


def booked(tt: Any, payload: dict[str, Any], **kw: Any) -> dict[str, Any]:
    response = tt.post("/appointments", json=payload, **kw)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


__all__ = ["create_client", "create_resource", "create_service", "create_staff"]
