"""Core objects as Cliniko documents: ids as strings, instants in UTC ``Z``, references as links.

Renderers take what was loaded for a whole page (:class:`AppointmentPage`) and never query.
A reference the object lacks (``patient_case``, an appointment's ``repeated_from`` when it is
not a repeat) is ``{}``: the spec types those as objects that are never null.
"""

from __future__ import annotations

import re
from typing import Any

from appointd.app.appointment_pages import AppointmentPage
from appointd.domain.classes import ClassSession
from appointd.domain.model import (
    Appointment,
    Client,
    Location,
    Service,
    ServiceKind,
    Staff,
    TimeOff,
)
from appointd.domain.status import Status
from appointd.faces.cliniko.query import encode_query
from appointd.faces.cliniko.wire import utc

# Cancellation reasons: the codes of both of the seed's lists, rendered with the spelling of
# the spec's response enum.
CANCELLATION_REASONS = {
    10: "Feeling Better",
    20: "Condition Worse",
    30: "Sick",
    31: "COVID-19 related",
    40: "Away",
    50: "Other",
    60: "Work",
}
ARRIVED = {Status.CHECKED_IN, Status.IN_PROGRESS, Status.COMPLETED}
CANCELLED = {Status.CANCELLED, Status.DECLINED}
REPEAT_TYPES = {"DAILY": "Daily", "WEEKLY": "Weekly", "MONTHLY": "Monthly"}
APPOINTMENT_TYPE_COLOR = "#3A87AD"


def link(url: str) -> dict[str, Any]:
    return {"links": {"self": url}}


def repeats_url(base: str, kind: str, first_id: int) -> str:
    return f"{base}/{kind}?" + encode_query([("q[]", f"repeated_from_id:={first_id}")])


def repeat_rule(rrule: str | None) -> dict[str, Any] | None:
    """``{repeat_type, repeating_interval, number_of_repeats}`` of a series rule that Cliniko's
    repeat rules can express; ``None`` for any other rule (or none)."""
    if not rrule:
        return None
    parts = dict(p.split("=", 1) for p in rrule.split(";") if "=" in p)
    kind = REPEAT_TYPES.get(parts.get("FREQ", ""))
    count = parts.get("COUNT", "")
    interval = parts.get("INTERVAL", "1")
    if kind is None or not count.isdigit() or not interval.isdigit():
        return None
    if set(parts) - {"FREQ", "COUNT", "INTERVAL"}:
        return None
    repeats, every = int(count) - 1, int(interval)
    if not (1 <= repeats <= 51 and 1 <= every <= 100):
        return None
    return {"number_of_repeats": repeats, "repeat_type": kind, "repeating_interval": every}


def _cancellation(a: Appointment) -> tuple[Any, Any, Any, Any]:
    """(reason, description, note, cancelled_at) of ``a``; the reason is the core's
    cancellation code when it is one of Cliniko's (a cancellation through another face may
    carry another code or none)."""
    if a.status not in CANCELLED:
        return None, None, None, None
    code = a.cancellation_code or ""
    reason = int(code) if code.isdigit() and int(code) in CANCELLATION_REASONS else None
    description = CANCELLATION_REASONS[reason] if reason is not None else None
    return reason, description, a.cancellation_note, utc(a.cancelled_at or a.updated_at)


def appointment(a: Appointment, page: AppointmentPage, base: str) -> dict[str, Any]:
    """An ``IndividualAppointment`` with every property of seed 004."""
    me = f"{base}/individual_appointments/{a.id}"
    client = page.clients.get(a.client_id) if a.client_id is not None else None
    series = page.series.get(a.series_id) if a.series_id is not None else None
    first = page.series_firsts.get(a.series_id) if a.series_id is not None else None
    reason, description, note, cancelled_at = _cancellation(a)
    return {
        "id": str(a.id),
        "created_at": utc(a.created_at),
        "updated_at": utc(a.updated_at),
        "starts_at": utc(a.start),
        "ends_at": utc(a.end),
        "archived_at": utc(a.archived_at),
        "deleted_at": utc(a.deleted_at),
        "cancelled_at": cancelled_at,
        "cancellation_reason": reason,
        "cancellation_reason_description": description,
        "cancellation_note": note,
        "booking_ip_address": None,
        "did_not_arrive": a.status is Status.NO_SHOW,
        "patient_arrived": a.status in ARRIVED,
        "email_reminder_sent": "email" in page.reminders_sent.get(a.id, ()),
        "sms_reminder_sent": "sms" in page.reminders_sent.get(a.id, ()),
        "has_patient_appointment_notes": False,
        "online_booking_policy_accepted": None,
        "invoice_status": None,
        "treatment_note_status": None,
        "telehealth_url": None,
        "notes": a.notes,
        "patient_name": f"{client.first_name} {client.last_name}".strip() if client else None,
        "repeat_rule": repeat_rule(series.rrule) if series else None,
        "appointment_type": link(f"{base}/appointment_types/{a.service_id}"),
        "business": link(f"{base}/businesses/{a.location_id}"),
        "practitioner": link(f"{base}/practitioners/{a.staff_id}") if a.staff_id else {},
        "patient": link(f"{base}/patients/{a.client_id}") if a.client_id else {},
        "patient_case": {},
        "attendees": link(f"{me}/attendees"),
        "conflicts": link(f"{me}/conflicts"),
        "repeats": link(repeats_url(base, "individual_appointments", first or a.id)),
        "repeated_from": (
            link(f"{base}/individual_appointments/{first}")
            if first is not None and first != a.id
            else {}
        ),
        "links": {"self": me},
    }


def _zone_label(identifier: str) -> str:
    return identifier.rsplit("/", 1)[-1].replace("_", " ")


def business(loc: Location, base: str) -> dict[str, Any]:
    me = f"{base}/businesses/{loc.id}"
    return {
        "id": str(loc.id),
        "business_name": loc.name,
        "display_name": loc.name,
        "label": loc.name,
        "address_1": loc.address,
        "address_2": None,
        "city": None,
        "state": None,
        "post_code": None,
        "country": None,
        "country_code": None,
        "time_zone": _zone_label(loc.time_zone),
        "time_zone_identifier": loc.time_zone,
        "show_in_online_bookings": loc.archived_at is None,
        "appointment_type_ids": None,
        "appointment_reminders_enabled": None,
        "additional_information": None,
        "additional_invoice_information": None,
        "business_registration_name": None,
        "business_registration_value": None,
        "contact_information": None,
        "email_reply_to": None,
        "website_address": None,
        "archived_at": utc(loc.archived_at),
        "deleted_at": None,
        "created_at": utc(loc.created_at),
        "updated_at": utc(loc.updated_at),
        "appointments": link(f"{me}/appointments"),
        "practitioners": link(f"{me}/practitioners"),
        "links": {"self": me},
    }


def practitioner(s: Staff, base: str) -> dict[str, Any]:
    me = f"{base}/practitioners/{s.id}"
    name = f"{s.first_name} {s.last_name}".strip()
    return {
        "id": str(s.id),
        "first_name": s.first_name,
        "last_name": s.last_name,
        "title": None,
        "designation": None,
        "description": None,
        "display_name": name,
        "label": name,
        "active": s.archived_at is None,
        "show_in_online_bookings": s.archived_at is None,
        "created_at": utc(s.created_at),
        "updated_at": utc(s.updated_at),
        "appointment_types": link(f"{me}/appointment_types"),
        "appointments": link(f"{me}/appointments"),
        "default_appointment_type": {},
        "invoices": link(f"{me}/invoices"),
        "practitioner_reference_numbers": link(f"{me}/practitioner_reference_numbers"),
        "user": {},
        "links": {"self": me},
    }


def appointment_type(s: Service, base: str) -> dict[str, Any]:
    me = f"{base}/appointment_types/{s.id}"
    return {
        "id": str(s.id),
        "name": s.name,
        "description": None,
        "category": None,
        "color": APPOINTMENT_TYPE_COLOR,
        "duration_in_minutes": s.duration_minutes,
        "max_attendees": s.capacity if s.kind is ServiceKind.CLASS else 1,
        "show_in_online_bookings": s.archived_at is None,
        "telehealth_enabled": False,
        "online_bookings_lead_time_hours": None,
        "online_payments_enabled": False,
        "online_payments_mode": None,
        "deposit_price": None,
        "add_deposit_to_account_credit": None,
        "appointment_confirmation_template_ids": None,
        "appointment_reminder_template_ids": None,
        "archived_at": utc(s.archived_at),
        "created_at": utc(s.created_at),
        "updated_at": utc(s.updated_at),
        "billable_item": {},
        "product": {},
        "treatment_note_template": {},
        "practitioners": link(f"{me}/practitioners"),
        "links": {"self": me},
    }


# Patient properties appointd keeps nowhere (rendered null): ``gender`` is the spec's older
# spelling of ``gender_identity``, which is kept; ``label``, ``deleted_at`` and ``merged_at``
# have no counterpart (patients are archived, never deleted or merged).
_NULL_PATIENT_FIELDS = ("gender", "label", "deleted_at", "merged_at")
# Writable patient properties kept in the client's ``extra["cliniko"]`` (see .patients).
PATIENT_EXTRA_FIELDS = (
    "accepted_privacy_policy",
    "accepted_email_marketing",
    "accepted_sms_marketing",
    "appointment_notes",
    "custom_fields",
    "dva_card_number",
    "emergency_contact",
    "gender_identity",
    "invoice_default_to",
    "invoice_email",
    "invoice_extra_information",
    "medicare",
    "medicare_reference_number",
    "occupation",
    "preferred_first_name",
    "pronouns",
    "receives_confirmation_emails",
    "referral_source",
    "reminder_type",
    "sex",
    "title",
)
PHONE_LABELS = {"mobile": "Mobile", "home": "Home", "work": "Work", "fax": "Fax", "other": "Other"}
ADDRESS_PARTS = {
    "address_1": "line1",
    "address_2": "line2",
    "address_3": "line3",
    "city": "city",
    "state": "state",
    "post_code": "postal_code",
    "country": "country",
}


def _phone(label: str, number: str) -> dict[str, str]:
    return {"phone_type": label, "number": number, "normalized_number": _digits(number)}


def patient(c: Client, base: str) -> dict[str, Any]:
    me = f"{base}/patients/{c.id}"
    doc: dict[str, Any] = {"id": str(c.id), "first_name": c.first_name, "last_name": c.last_name}
    doc.update(dict.fromkeys(_NULL_PATIENT_FIELDS))
    kept = c.extra.get("cliniko") or {}
    doc.update({name: kept.get(name) for name in PATIENT_EXTRA_FIELDS})
    address = c.address.as_dict() if c.address is not None else {}
    doc.update({name: address.get(part) for name, part in ADDRESS_PARTS.items()})
    if c.phones:
        phones = [_phone(PHONE_LABELS.get(p.type, "Other"), p.number) for p in c.phones]
    else:  # a client given one number through another face: its primary number
        phones = [_phone("Mobile", c.phone)] if c.phone else []
    doc.update(
        {
            "email": c.email,
            "time_zone": c.time_zone,
            "old_reference_id": c.external_id,
            "date_of_birth": c.date_of_birth.isoformat() if c.date_of_birth else None,
            "notes": c.notes,
            "patient_phone_numbers": phones,
            "archived_at": utc(c.archived_at),
            "created_at": utc(c.created_at),
            "updated_at": utc(c.updated_at),
            "appointments": link(f"{me}/appointments"),
            "attendees": link(f"{me}/attendees"),
            "invoices": link(f"{me}/invoices"),
            "medical_alerts": link(f"{me}/medical_alerts"),
            "patient_attachments": link(f"{me}/patient_attachments"),
            "latest_booking": {},
            "concession_type": {},
            "referring_doctor": {},
            "merged_with_patient": {},
            "links": {"self": me},
        }
    )
    return doc


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def unavailable_block(t: TimeOff, staff: Staff | None, base: str) -> dict[str, Any]:
    """An ``UnavailableBlock``. A block of a repeat rule has the rule and a ``repeats`` link
    (the blocks repeated from the first); a repeat also links the first as ``repeated_from``.
    A block that never repeated has ``repeats: null`` and ``repeated_from: {}``."""
    me = f"{base}/unavailable_blocks/{t.id}"
    location = staff.location_ids[0] if staff and staff.location_ids else None
    text = (t.repeat_rule or {}).get("rrule")
    rule = repeat_rule(text if isinstance(text, str) else None)
    first = t.repeated_from_id
    repeating = rule is not None or first is not None
    return {
        "id": str(t.id),
        "starts_at": utc(t.start),
        "ends_at": utc(t.end),
        "notes": t.reason,
        "repeat_rule": rule,
        "archived_at": None,
        "deleted_at": None,
        "created_at": utc(t.created_at),
        "updated_at": utc(t.updated_at or t.created_at),
        "business": link(f"{base}/businesses/{location}") if location else {},
        "practitioner": link(f"{base}/practitioners/{t.staff_id}"),
        "conflicts": link(f"{me}/conflicts"),
        "repeated_from": link(f"{base}/unavailable_blocks/{first}") if first is not None else {},
        "repeats": (
            link(repeats_url(base, "unavailable_blocks", first or t.id)) if repeating else None
        ),
        "links": {"self": me},
    }


def group_appointment(s: ClassSession, patient_ids: list[int], base: str) -> dict[str, Any]:
    me = f"{base}/group_appointments/{s.id}"
    return {
        "id": str(s.id),
        "starts_at": utc(s.start),
        "ends_at": utc(s.end),
        "max_attendees": s.capacity,
        "notes": None,
        "patient_ids": [str(p) for p in patient_ids],
        "telehealth_url": None,
        "repeat_rule": None,
        "archived_at": utc(s.archived_at),
        "deleted_at": None,
        "created_at": utc(s.created_at),
        "updated_at": utc(s.updated_at),
        "appointment_type": link(f"{base}/appointment_types/{s.service_id}"),
        "business": link(f"{base}/businesses/{s.location_id}"),
        "practitioner": link(f"{base}/practitioners/{s.staff_id}"),
        "attendees": link(f"{me}/attendees"),
        "conflicts": link(f"{me}/conflicts"),
        "repeated_from": {},
        "repeats": None,
        "links": {"self": me},
    }


def attendee(a: Appointment, base: str) -> dict[str, Any]:
    me = f"{base}/attendees/{a.id}"
    reason, description, note, cancelled_at = _cancellation(a)
    return {
        "id": str(a.id),
        "arrived": a.status in ARRIVED,
        "booking_ip_address": None,
        "cancellation_note": note,
        "cancellation_reason": reason,
        "cancellation_reason_description": description,
        "cancellation_url": None,
        "cancelled_at": cancelled_at,
        "email_reminder_sent": False,
        "sms_reminder_sent": False,
        "invoice_status": None,
        "notes": a.notes,
        "online_booking_policy_accepted": None,
        "telehealth_url": None,
        "treatment_note_status": None,
        "archived_at": utc(a.archived_at),
        "deleted_at": utc(a.deleted_at),
        "created_at": utc(a.created_at),
        "updated_at": utc(a.updated_at),
        "booking": link(f"{base}/bookings/{a.class_session_id}"),
        "invoices": link(f"{me}/invoices"),
        "patient": link(f"{base}/patients/{a.client_id}") if a.client_id else {},
        "patient_case": {},
        "patient_forms": link(f"{me}/patient_forms"),
        "links": {"self": me},
    }
