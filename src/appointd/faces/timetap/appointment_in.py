"""Reading TimeTap appointment objects (``POST``/``PUT /appointments``) into core commands.

Dates and HHMM times are wall time at the appointment's location (the seed: "pass the dates
and times as you want them set in the staff's time zone"); they reach the core as naive
datetimes, which it reads in the location's zone and refuses in a DST gap. The client's span is
``clientStartDate``/``clientStartTime`` to ``clientEndDate``/``clientEndTime`` (dates default
to ``date``, then to each other; an appointment that crosses midnight passes its own end
date). The staff's span (``startDate``/``startTime``..``endDate``/``endTime``) is the client's
with the reason's buffers: null applies them, and a value given must be either that span or
the client's own (the core always applies the buffers; see the README).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from appointd.app.commands import BookAppointment
from appointd.domain.errors import FieldError, Invalid
from appointd.domain.model import CustomStatus
from appointd.domain.notifications import Notify
from appointd.domain.status import INITIAL, Status
from appointd.faces.timetap import parse

REMINDERS = ("clientReminderHours", "staffReminderHours", "remindClientSmsHrs", "remindStaffSmsHrs")
FLAGS = ("sendConfirmationToClient", "sendConfirmationToStaff")
MAX_REMINDER_HOURS = 24 * 366
# core field -> TimeTap field, for naming fields in refusals the core raises.
FIELD_NAMES = {
    "start": "clientStartTime",
    "end": "clientEndTime",
    "staff_id": "staff.professionalId",
    "location_id": "location.locationId",
    "service_id": "reason.reasonId",
    "client_id": "client.clientId",
    "resource_ids": "resource.resourceId",
    "additional_staff_ids": "additionalStaffIdList",
    "coordinator_staff_id": "coordinatorStaff.professionalId",
    "class_session_id": "classScheduleId",
    "waitlist_entry_id": "waitListId",
    "intent_id": "appointmentIntentId",
    "offer_to": "waitListIds",
    "staff_candidates": "calTimeSlot.units",
    "custom_status_id": "subStatus",
}


def wall(day: date, minutes: int) -> datetime:
    """Naive local datetime of ``day`` at ``minutes`` (1440 = the next midnight)."""
    return datetime.combine(day, time(0)) + timedelta(minutes=minutes)


def _date(body: Mapping[str, Any], *names: str) -> date | None:
    for name in names:
        if body.get(name) not in (None, ""):
            return parse.day(body[name], name)
    return None


def client_span(
    body: Mapping[str, Any], *, required: bool
) -> tuple[datetime, datetime | None] | None:
    """The client's ``(start, end)`` as naive local datetimes; ``end`` None = the duration."""
    start_day = _date(body, "clientStartDate", "date", "startDate")
    start_time = body.get("clientStartTime")
    if start_time is None and body.get("clientStartDate") is None:
        start_time = body.get("startTime")  # an older client sending only the staff's fields
    if start_day is None or start_time is None:
        if not required and start_day is None and start_time is None:
            return None
        missing = "clientStartDate" if start_day is None else "clientStartTime"
        raise Invalid.field(missing, "required")
    start = wall(start_day, parse.hhmm(start_time, "clientStartTime"))
    if body.get("clientEndTime") is None:
        return start, None
    end_day = _date(body, "clientEndDate") or start_day
    end = wall(end_day, parse.hhmm(body["clientEndTime"], "clientEndTime"))
    if end <= start:
        raise Invalid.field(
            "clientEndTime",
            "must be after clientStartTime (an appointment that crosses midnight passes "
            "clientEndDate)",
        )
    return start, end


def staff_span_given(body: Mapping[str, Any]) -> tuple[datetime | None, datetime | None]:
    """The staff span as sent (naive local), each end ``None`` when not sent."""
    out: list[datetime | None] = []
    for date_name, time_name, fallback in (
        ("startDate", "startTime", "clientStartDate"),
        ("endDate", "endTime", "clientEndDate"),
    ):
        value = body.get(time_name)
        if value is None:
            out.append(None)
            continue
        day = _date(body, date_name, fallback, "date")
        if day is None:
            raise Invalid.field(date_name, "required with " + time_name)
        out.append(wall(day, parse.hhmm(value, time_name)))
    return out[0], out[1]


def check_staff_span(
    given: tuple[datetime | None, datetime | None],
    client: tuple[datetime, datetime],
    buffers: tuple[int, int],
) -> None:
    """A staff span that is given must be the client's span with the buffers, or the client's."""
    (g_start, g_end), (c_start, c_end) = given, client
    errors = []
    if g_start is not None and g_start not in (c_start - timedelta(minutes=buffers[0]), c_start):
        errors.append(
            FieldError(
                "startTime",
                f"must be clientStartTime minus the reason's bufferBefore "
                f"({buffers[0]} min), or null",
            )
        )
    if g_end is not None and g_end not in (c_end + timedelta(minutes=buffers[1]), c_end):
        errors.append(
            FieldError(
                "endTime",
                f"must be clientEndTime plus the reason's bufferAfter ({buffers[1]} min), or null",
            )
        )
    if errors:
        raise Invalid(errors)


def booking_status(
    body: Mapping[str, Any], custom: CustomStatus | None = None
) -> tuple[Status, str | None]:
    """The core status a new appointment asks for, and the subStatus flavour to keep.

    ``custom`` is the custom status the ``subStatus`` names (already checked to agree with
    ``status``): its base status, which must be one a new appointment may have."""
    status = body.get("status")
    sub = body.get("subStatus")
    if custom is not None:
        if custom.base_status not in INITIAL:
            raise Invalid.field(
                "subStatus",
                f"custom status {custom.name!r} stands for {custom.base_status.value}; a new "
                "appointment is OPEN or PENDING_CONFIRMATION",
            )
        return custom.base_status, None
    if parse.optional_boolean(body.get("pendingConfirmation"), "pendingConfirmation", False):
        return Status.PENDING, "PENDING_CONFIRMATION"
    if status in (None, "", "OPEN") and sub in (None, "", "OPEN", "CONFIRMED"):
        return Status.CONFIRMED, sub or None
    if status in ("PENDING_CONFIRMATION", "PENDING") and sub in (
        None,
        "",
        "PENDING",
        "PENDING_CONFIRMATION",
    ):
        return Status.PENDING, sub or "PENDING_CONFIRMATION"
    if status not in (None, "", "OPEN", "PENDING", "PENDING_CONFIRMATION"):
        raise Invalid.field("status", "a new appointment is OPEN or PENDING_CONFIRMATION")
    raise Invalid.field("subStatus", f"{sub!r} does not fit status {status!r}")


# TimeTap reminder field -> (channel, to) of the core's reminders
CHANNELS = {
    "clientReminderHours": ("email", "client"),
    "staffReminderHours": ("email", "staff"),
    "remindClientSmsHrs": ("sms", "client"),
    "remindStaffSmsHrs": ("sms", "staff"),
}


def reminder_hours(body: Mapping[str, Any]) -> dict[str, int]:
    """The reminder hours sent (``remindStaffSmsHours`` is the responses' spelling)."""
    out: dict[str, int] = {}
    raw = dict(body)
    if raw.get("remindStaffSmsHrs") is None and raw.get("remindStaffSmsHours") is not None:
        raw["remindStaffSmsHrs"] = raw["remindStaffSmsHours"]
    for name in REMINDERS:
        if raw.get(name) is not None:
            out[name] = parse.integer(raw[name], name, 0, MAX_REMINDER_HOURS)
    return out


def reminders(hours: Mapping[str, int]) -> list[dict[str, Any]] | None:
    """The core's reminders for TimeTap's hours (hours x 60; 0 = none of that kind); ``None``
    (the account's default) when the body names none of the four."""
    if not hours:
        return None
    return [
        {"channel": CHANNELS[name][0], "to": CHANNELS[name][1], "minutes_before": h * 60}
        for name, h in hours.items()
        if h > 0
    ]


def confirmation(body: Mapping[str, Any]) -> Notify | None:
    """``sendConfirmationToClient``/``ToStaff`` as the core's notify (an absent flag is false);
    ``None`` (the account's defaults) when neither is sent."""
    sent = {name: body.get(name) for name in FLAGS if body.get(name) is not None}
    if not sent:
        return None
    flags = {name: parse.boolean(value, name) for name, value in sent.items()}
    return Notify(
        client=flags.get("sendConfirmationToClient", False),
        staff=flags.get("sendConfirmationToStaff", False),
    )


def timetap_extra(body: Mapping[str, Any]) -> dict[str, Any]:
    """What only TimeTap means, kept in the appointment's ``extra["timetap"]``: the reminder
    hours as sent (also given to the core as reminders), the confirmation flags (also the
    booking's notify), color. (``fields`` are the core's form answers: :mod:`.definitions`.)"""
    out: dict[str, Any] = dict(reminder_hours(body))
    for name in FLAGS:
        if name in body and body[name] is not None:
            out[name] = parse.boolean(body[name], name)
    if body.get("color") is not None:
        out["color"] = parse.text(body["color"], "color", 32)
    return out


def resource_ids(body: Mapping[str, Any]) -> list[int] | None:
    """``resource.resourceId`` or ``resourceId``; ``None`` when neither is sent."""
    found = parse.ref(body, "resource", "resourceId", required=False)
    if found is None and body.get("resourceId") is not None:
        found = parse.ident(body["resourceId"], "resourceId")
    if found is None:
        return [] if "resource" in body or "resourceId" in body else None
    return [found]


def additional_staff(body: Mapping[str, Any]) -> list[int] | None:
    if body.get("additionalStaffIdList") is None:
        return None
    return parse.id_list(body["additionalStaffIdList"], "additionalStaffIdList")


def book_command(
    body: Mapping[str, Any], override: bool, custom: CustomStatus | None = None
) -> tuple[BookAppointment, str | None]:
    """The booking ``body`` asks for, and the subStatus flavour to keep; ``custom`` is the
    custom status its ``subStatus`` names, if it names one.

    Round robin: ``staff: {"professionalId": null}`` with a ``calTimeSlot`` leaves the staff
    member to the core's assignment, narrowed to the slot's ``units`` (the staff the
    availability call offered for that slot); the core re-checks who of them is free at
    booking time.
    """
    class_id = parse.optional_ident(body.get("classScheduleId"), "classScheduleId")
    location_id = parse.ref(body, "location", "locationId", required=class_id is None)
    reason_id = parse.ref(body, "reason", "reasonId", required=class_id is None)
    staff_obj = parse.obj(body.get("staff"), "staff")
    staff_id = parse.ref(body, "staff", "professionalId", required=False)
    candidates: list[int] | None = None
    if staff_id is None and class_id is None:
        slot = parse.obj(body.get("calTimeSlot"), "calTimeSlot")
        if staff_obj is None or slot is None:
            raise Invalid.field(
                "staff.professionalId",
                "required (or null with a calTimeSlot from the availability call: round robin)",
            )
        units = slot.get("units")
        if not isinstance(units, list) or not units:
            raise Invalid.field("calTimeSlot.units", "required: the slot's staff options")
        candidates = []
        for i, unit in enumerate(units):
            if not isinstance(unit, dict):
                raise Invalid.field(f"calTimeSlot.units[{i}]", "must be an object")
            candidates.append(
                parse.ident(unit.get("professionalId"), f"calTimeSlot.units[{i}].professionalId")
            )
    client_id = parse.ref(body, "client", "clientId", required=False)
    if client_id is None and isinstance(body.get("client"), dict) and body["client"]:
        raise Invalid.field("client.clientId", "required: create the client with POST /clients")
    span = client_span(body, required=class_id is None)
    status, sub = booking_status(body, custom)
    seats = 1 if body.get("seats") is None else parse.integer(body["seats"], "seats", 1, 10_000)
    waitlist_id = parse.optional_ident(body.get("waitListId", body.get("waitlistId")), "waitListId")
    extra = timetap_extra(body)
    if sub:
        extra["subStatus"] = sub
    # A class seat takes its session's place and times; ids it repeats must agree with it.
    cmd = BookAppointment(
        location_id=location_id,  # type: ignore[arg-type]
        service_id=reason_id,  # type: ignore[arg-type]
        start=None if class_id is not None or span is None else span[0],  # type: ignore[arg-type]
        end=None if class_id is not None or span is None else span[1],
        client_id=client_id,
        staff_id=staff_id,
        resource_ids=resource_ids(body) or [],
        additional_staff_ids=additional_staff(body) or [],
        coordinator_staff_id=parse.ref(body, "coordinatorStaff", "professionalId", required=False),
        notes=parse.text(body.get("note"), "note"),
        status=status,
        override=override,
        extra={"timetap": extra},
        class_session_id=class_id,
        seats=seats,
        intent_id=parse.optional_ident(body.get("appointmentIntentId"), "appointmentIntentId"),
        waitlist_entry_id=waitlist_id,
        reminders=reminders(reminder_hours(body)),
        notify=confirmation(body),
        staff_candidates=candidates,
        custom_status_id=custom.id if custom is not None else None,
    )
    return cmd, sub
