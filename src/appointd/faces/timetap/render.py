"""TimeTap objects written from core objects: pure functions, no SQL (everything an object
embeds is passed in, loaded beforehand in a bounded number of statements)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from appointd.app.appointment_views import Related
from appointd.app.links import manage_url
from appointd.domain.classes import ClassSession
from appointd.domain.intents import Intent
from appointd.domain.model import (
    Appointment,
    Client,
    Location,
    Resource,
    Service,
    ServiceKind,
    Staff,
    TimeOff,
)
from appointd.domain.waitlist import EntryStatus, WaitlistEntry
from appointd.domain.wallclock import zone
from appointd.faces.timetap import status as statuses
from appointd.faces.timetap.definitions import NONE, Definitions, rendered_fields
from appointd.faces.timetap.wire import (
    date_and_hhmm,
    local_date_and_hhmm,
    local_long_text,
    ms,
    ms_of_date,
    stamp,
)
from appointd.settings import Settings


def location(loc: Location | None) -> dict[str, Any] | None:
    if loc is None:
        return None
    return {
        "locationId": loc.id,
        "businessId": loc.account_id,
        "locationName": loc.name,
        "internalName": None,
        "description": None,
        "locationType": "PHYSICAL",
        "address1": loc.address,
        "timeZoneCode": loc.time_zone,
        "active": loc.archived_at is None,
    }


def staff(s: Staff | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {
        "professionalId": s.id,
        "businessId": s.account_id,
        "firstName": s.first_name,
        "lastName": s.last_name,
        "fullName": f"{s.first_name} {s.last_name}".strip(),
        "email": s.email,
        "timeZoneCode": s.time_zone,
        "locationIdList": list(s.location_ids),
        "reasonIdList": list(s.service_ids),
        "active": s.archived_at is None,
    }


def reason(svc: Service | None) -> dict[str, Any] | None:
    if svc is None:
        return None
    return {
        "reasonId": svc.id,
        "businessId": svc.account_id,
        "reasonDesc": svc.name,
        "internalDisplayName": svc.name,
        "reasonType": "CLASS" if svc.kind is ServiceKind.CLASS else "SERVICE",
        "visitMinutes": svc.duration_minutes,
        "duration": svc.duration_minutes,
        "bufferBefore": svc.buffer_before_minutes,
        "bufferAfter": svc.buffer_after_minutes,
        "price": float(svc.price) if svc.price is not None else None,
        "currency": svc.currency,
        "maxAttendees": svc.capacity,
        "staffIdList": list(svc.staff_ids),
        "resourceIdList": list(svc.resource_ids),
        "active": svc.archived_at is None,
    }


def client(c: Client | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {
        "clientId": c.id,
        "businessId": c.account_id,
        "firstName": c.first_name,
        "lastName": c.last_name,
        "fullName": f"{c.first_name} {c.last_name}".strip(),
        "emailAddress": c.email,
        "cellPhone": c.phone,
        "timeZoneCode": c.time_zone,
        "externalId": c.external_id,
        "active": c.archived_at is None,
    }


def resource(r: Resource | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "resourceId": r.id,
        "businessId": r.account_id,
        "resourceName": r.name,
        "locationId": r.location_id,
        "capacity": r.capacity,
        "active": r.archived_at is None,
    }


def class_schedule(s: ClassSession, rel: Related) -> dict[str, Any]:
    tz = _zone_of(rel.locations.get(s.location_id))
    start_date, start_time = date_and_hhmm(s.start, tz)
    end_date, end_time = date_and_hhmm(s.end, tz, end=True)
    return {
        "classScheduleId": s.id,
        "businessId": s.account_id,
        "reason": reason(rel.services.get(s.service_id)),
        "staff": staff(rel.staff.get(s.staff_id)),
        "location": location(rel.locations.get(s.location_id)),
        "resource": resource(rel.resources.get(s.resource_id)) if s.resource_id else None,
        "classDate": start_date,
        "startDate": start_date,
        "endDate": end_date,
        "clientStartTime": start_time,
        "clientEndTime": end_time,
        "startTime": start_time,
        "endTime": end_time,
        "startDateTimeUTC": ms(s.start),
        "endDateTimeUTC": ms(s.end),
        "maxAttendees": s.capacity,
        "seatsFilled": s.seats_taken,
        "seatsLeft": s.seats_left,
        "status": "CANCELLED" if s.status.value == "cancelled" else "OPEN",
    }


def _zone_of(loc: Location | None) -> ZoneInfo:
    return zone(loc.time_zone if loc is not None else "UTC")


REMINDER_FIELDS = {
    ("email", "client"): "clientReminderHours",
    ("email", "staff"): "staffReminderHours",
    ("sms", "client"): "remindClientSmsHrs",
    ("sms", "staff"): "remindStaffSmsHrs",
}


def reminder_hours(reminders: list[dict[str, Any]]) -> dict[str, Any]:
    """TimeTap's four reminder-hour fields from the core's reminders (0 where none; a
    reminder not on a whole hour, set through another face, shows its fraction)."""
    out: dict[str, Any] = dict.fromkeys(REMINDER_FIELDS.values(), 0)
    for r in reminders:
        name = REMINDER_FIELDS.get((str(r.get("channel")), str(r.get("to"))))
        if name is not None:
            minutes = int(r.get("minutes_before", 0))
            out[name] = minutes // 60 if minutes % 60 == 0 else round(minutes / 60, 2)
    return out


class Memo:
    """Nested objects rendered once per response: 500 appointments of one staff member share
    one rendered staff object (and one zone lookup per location)."""

    def __init__(self, rel: Related) -> None:
        self.rel = rel
        self.done: dict[tuple[str, int], Any] = {}

    def of(self, kind: str, ident: int | None, build: Any, found: Any) -> Any:
        if ident is None:
            return None
        key = (kind, ident)
        if key not in self.done:
            self.done[key] = build(found.get(ident))
        return self.done[key]


def appointments(
    rows: list[Appointment],
    rel: Related,
    *,
    show_tz: bool = True,
    settings: Settings | None = None,
    defs: Definitions = NONE,
) -> list[dict[str, Any]]:
    """Many appointments, their nested objects rendered once each."""
    memo = Memo(rel)
    return [
        appointment(a, rel, show_tz=show_tz, memo=memo, settings=settings, defs=defs) for a in rows
    ]


def appointment(
    a: Appointment,
    rel: Related,
    *,
    show_tz: bool = True,
    memo: Memo | None = None,
    settings: Settings | None = None,
    defs: Definitions = NONE,
) -> dict[str, Any]:
    """The seed's appointment object: every field of its samples, ``null`` where appointd has
    nothing to say. Times are in the location's zone (staff and client alike). ``defs`` holds
    the custom statuses and form fields the appointment refers to (:mod:`.definitions`)."""
    m = memo or Memo(rel)
    tz = m.of("zone", a.location_id, _zone_of, rel.locations)
    tt: dict[str, Any] = a.extra.get("timetap", {})
    if a.reminders is not None:
        tt = {**tt, **reminder_hours(a.reminders)}
    # Each instant is taken to local time once: this runs for every row of a report.
    ls, le = a.start.astimezone(tz), a.end.astimezone(tz)
    lbs = ls if a.busy_start == a.start else a.busy_start.astimezone(tz)
    lbe = le if a.busy_end == a.end else a.busy_end.astimezone(tz)
    c_start_date, c_start_time = local_date_and_hhmm(ls)
    c_end_date, c_end_time = local_date_and_hhmm(le, end=True)
    start_date, start_time = local_date_and_hhmm(lbs)
    end_date, end_time = local_date_and_hhmm(lbe, end=True)
    status, sub = statuses.render(a, defs.statuses)
    form = rendered_fields(a, defs)
    additional = [rel.staff[i] for i in a.additional_staff_ids if i in rel.staff]
    first_resource = rel.resources.get(a.resource_ids[0]) if a.resource_ids else None
    svc = rel.services.get(a.service_id)
    text = local_long_text(ls)
    staff_text = text if lbs is ls else local_long_text(lbs)
    cancelled = not a.status.holding
    start_ms, end_ms = ms(a.start), ms(a.end)
    return {
        "addOnReasonIdList": None,
        "addOnReasonList": None,
        "additionalStaffIdList": list(a.additional_staff_ids),
        "address": None,
        "appointementIdHash": a.reference,
        "appointmentDateTimeClient": text,
        "appointmentDateTimeStaff": staff_text,
        "apptTZ": tz.key if show_tz else None,
        "batchAppointmentId": None,
        "blockResourceIdList": list(a.resource_ids[1:]) or None,
        "blockStaffIdList": list(a.additional_staff_ids),
        "blockedStaffList": [m.of("staff", s.id, staff, rel.staff) for s in additional],
        "businessId": a.account_id,
        "calTimeSlot": None,
        "calendarId": a.id,
        "cancelReason": (a.cancellation_note or tt.get("cancelReason")) if cancelled else None,
        "cancelUser": tt.get("cancelUser"),
        "changeReason": tt.get("changeReason"),
        "classScheduleId": a.class_session_id,
        "classroom": None,
        "client": m.of("client", a.client_id, client, rel.clients),
        "clientConfirmDate": None,
        "clientConfirmedDate": None,
        "clientConfirmed": False,
        "clientEndDate": c_end_date,
        "clientEndDateTime": end_ms,
        "clientEndDateTimeUTC": end_ms,
        "clientEndTime": c_end_time,
        "clientReminderHours": tt.get("clientReminderHours"),
        "clientRescheduleCount": tt.get("clientRescheduleCount", 0),
        "clientStartDate": c_start_date,
        "clientStartDateTime": start_ms,
        "clientStartDateTimeUTC": start_ms,
        "clientStartTime": c_start_time,
        "color": tt.get("color"),
        "completedReason": tt.get("completedReason"),
        "coordinatorStaff": m.of("staff", a.coordinator_staff_id, staff, rel.staff),
        "coupon": None,
        "couponId": None,
        "createddate": stamp(a.created_at),
        "createduser": a.created_by or tt.get("createduser"),
        "customField1": None,
        "customField2": None,
        "customField3": None,
        "customFieldData": None,
        "customFieldDesc": form[1] if form is not None else "",
        "date": c_start_date,
        "dateCheckedIn": tt.get("dateCheckedIn"),
        "dateCompleted": tt.get("dateCompleted"),
        "dateStarted": tt.get("dateStarted"),
        "discount": None,
        "endDate": end_date,
        "endDateTimeUTC": end_ms if a.busy_end == a.end else ms(a.busy_end),
        "endTime": end_time,
        "externalEventId": None,
        # Answers given before fields were the core's form answers were kept as sent.
        "fields": form[0] if form is not None else tt.get("fields", []),
        "invitationUUId": None,
        "jobRequisitionId": None,
        "location": m.of("location", a.location_id, location, rel.locations),
        "locationGroup": None,
        "locationSuperGroup": None,
        "manageApptUrl": manage_url(settings, a.manage_token) if settings else None,
        "modifieddate": ms(a.updated_at),
        "modifieduser": a.updated_by or tt.get("modifieduser"),
        "noPrefSelected": tt.get("noPrefSelected", False),
        "noShowReason": tt.get("noShowReason"),
        "note": a.notes or "",
        "packageSoldId": None,
        "price": float(a.price) if a.price is not None else None,
        "reason": m.of("reason", a.service_id, reason, rel.services),
        "reasonBatchSeriesId": None,
        "reasonDesc": svc.name if svc is not None else None,
        "reasonGroup": None,
        "recall": None,
        "recallDate": None,
        "recallStatus": None,
        "recurringAppointmentId": a.series_id,
        "remindClientSmsHrs": tt.get("remindClientSmsHrs"),
        "remindStaffSmsHrs": tt.get("remindStaffSmsHrs"),
        "remindStaffSmsHours": tt.get("remindStaffSmsHrs"),
        "resource": m.of("resource", first_resource.id, resource, rel.resources)
        if first_resource
        else None,
        "seats": a.seats,
        "sendConfirmationToClient": tt.get("sendConfirmationToClient", False),
        "sendConfirmationToStaff": tt.get("sendConfirmationToStaff", False),
        "showAs": None,
        "staff": m.of("staff", a.staff_id, staff, rel.staff),
        "staffReminderHours": tt.get("staffReminderHours"),
        "staffRescheduleCount": tt.get("staffRescheduleCount", 0),
        "staffTimeText": staff_text,
        "startDate": start_date,
        "startDateTimeUTC": start_ms if lbs is ls else ms(a.busy_start),
        "startTime": start_time,
        "status": status,
        "subStatus": sub,
        "subject": None,
        "tax1Amount": None,
        "ticket": None,
        "transactionFee": None,
        "waitListId": a.waitlist_entry_id,
        "waitlistId": a.waitlist_entry_id,
    }


def time_off(t: TimeOff, person: Staff | None) -> dict[str, Any]:
    """A time-off entry as TimeTap shows it in reports: an appointment of a PERSONAL reason."""
    tz = zone(person.time_zone if person is not None else "UTC")
    start_date, start_time = date_and_hhmm(t.start, tz)
    end_date, end_time = date_and_hhmm(t.end, tz, end=True)
    return {
        "calendarId": None,
        "timeOffId": t.id,
        "businessId": t.account_id,
        "staff": staff(person),
        "reason": {"reasonId": None, "reasonType": "PERSONAL", "reasonDesc": "Time off"},
        "reasonDesc": "Time off",
        "client": None,
        "location": None,
        "date": start_date,
        "startDate": start_date,
        "clientStartDate": start_date,
        "endDate": end_date,
        "clientEndDate": end_date,
        "startTime": start_time,
        "clientStartTime": start_time,
        "endTime": end_time,
        "clientEndTime": end_time,
        "startDateTimeUTC": ms(t.start),
        "endDateTimeUTC": ms(t.end),
        "note": t.reason or "",
        "status": "OPEN",
        "subStatus": "OPEN",
    }


WAITLIST_STATUS = {
    EntryStatus.WAITING: "OPEN",
    EntryStatus.INVITED: "INVITED",
    EntryStatus.BOOKED: "BOOKED",
    EntryStatus.CANCELLED: "CANCELLED",
}


def waitlist(e: WaitlistEntry, rel: Related) -> dict[str, Any]:
    return {
        "waitListId": e.id,
        "businessId": e.account_id,
        "client": client(rel.clients.get(e.client_id)),
        "location": location(rel.locations.get(e.location_id)),
        "reason": reason(rel.services.get(e.service_id)),
        "staff": staff(rel.staff.get(e.staff_id)) if e.staff_id else None,
        "startDate": e.earliest.isoformat() if e.earliest else None,
        "endDate": e.latest.isoformat() if e.latest else None,
        "note": e.notes,
        "status": WAITLIST_STATUS.get(e.status, e.status.value.upper()),
        "calendarId": e.appointment_id,
        "holdCalendarId": e.hold_appointment_id,
        "createdDate": ms(e.created_at),
    }


def intent(i: Intent, today_active: bool) -> dict[str, Any]:
    return {
        "appointmentIntentId": i.id,
        "businessId": i.account_id,
        "clientId": i.client_id,
        "description": i.description,
        "externalReferenceNumber": i.external_reference,
        "startDate": ms_of_date(i.start_date),
        "endDate": ms_of_date(i.end_date),
        "expirationDate": ms_of_date(i.expiration_date),
        "active": today_active,
        "createdDate": ms(i.created_at),
        "createdUser": i.created_by,
        "modifiedDate": ms(i.updated_at) if i.updated_at != i.created_at else None,
        "modifiedUser": i.modified_by if i.updated_at != i.created_at else None,
        "booked": i.booked,
    }
