"""``history[]`` entries: each core history entry as one Agendize entry, in English or French.

The ``type`` is the seed's name for the change. A change made from the client's manage page
(actor ``client``) takes the ``client_`` types; everything else the ``user_`` ones. A change
touching several things is ``user_rescheduled`` (or the single more precise type when only one
kind changed). Core status names map onto the seed's: ``confirmed`` -> ``accepted``,
``cancelled`` -> ``user_deleted``/``client_deleted``, a ``checked_in`` arrival -> ``accepted``.
"""

from __future__ import annotations

from typing import Any

from appointd.domain.model import HistoryEntry
from appointd.faces.agendize.times import render_zoned

TEXTS: dict[str, dict[str, str]] = {
    "booked": {"en": "Appointment booked", "fr": "Rendez-vous réservé"},
    "booked_forced": {
        "en": "Appointment booked (forced: working time and overlaps not checked)",
        "fr": "Rendez-vous réservé (forcé : horaires et chevauchements non contrôlés)",
    },
    "pending": {"en": "Appointment pending confirmation", "fr": "Rendez-vous en attente"},
    "accepted": {"en": "Appointment accepted", "fr": "Rendez-vous accepté"},
    "checked_in": {"en": "Client arrived", "fr": "Client arrivé"},
    "in_progress": {"en": "Appointment in progress", "fr": "Rendez-vous en cours"},
    "completed": {"en": "Appointment completed", "fr": "Rendez-vous terminé"},
    "no_show": {"en": "Client did not show up", "fr": "Client absent"},
    "declined": {"en": "Appointment declined", "fr": "Rendez-vous refusé"},
    "user_deleted": {"en": "Appointment cancelled", "fr": "Rendez-vous annulé"},
    "client_deleted": {
        "en": "Appointment cancelled by the client",
        "fr": "Rendez-vous annulé par le client",
    },
    "archived": {"en": "Appointment deleted", "fr": "Rendez-vous supprimé"},
    "user_rescheduled": {"en": "Appointment changed", "fr": "Rendez-vous modifié"},
    "changed_start": {"en": "Start time changed", "fr": "Heure de début modifiée"},
    "changed_end": {"en": "End time changed", "fr": "Heure de fin modifiée"},
    "changed_staff": {"en": "Staff member changed", "fr": "Collaborateur modifié"},
    "changed_resource": {"en": "Resource changed", "fr": "Ressource modifiée"},
    "changed_client": {"en": "Client changed", "fr": "Client modifié"},
    "changed_note": {"en": "Notes changed", "fr": "Notes modifiées"},
    "changed_field": {"en": "Form changed", "fr": "Formulaire modifié"},
    "changed_service": {"en": "Service changed", "fr": "Prestation modifiée"},
    "payment": {"en": "Payment recorded", "fr": "Paiement enregistré"},
    "custom_status": {"en": "Status changed", "fr": "Statut modifié"},
    "forced": {
        "en": " (forced: working time and overlaps not checked)",
        "fr": " (forcé : horaires et chevauchements non contrôlés)",
    },
}

_STATUS_TYPES = {
    "confirmed": "accepted",
    "checked_in": "accepted",
    "in_progress": "in_progress",
    "completed": "completed",
    "no_show": "no_show",
    "declined": "declined",
    "pending": "pending",
}

# core change keys -> the seed's suffix, most telling first
_CHANGE_KINDS = [
    ("start", "changed_start"),
    ("staff_id", "changed_staff"),
    ("resource_ids", "changed_resource"),
    ("client_id", "changed_client"),
    ("notes", "changed_note"),
    ("extra", "changed_field"),
    ("form", "changed_field"),
]


def language(lang: str | None) -> str:
    """``fr`` for French (``fr``, ``fr-FR``, ``FR``), English otherwise."""
    return "fr" if (lang or "").lower().startswith("fr") else "en"


def kind_of(entry: HistoryEntry) -> tuple[str, str]:
    """(seed type, text key) of one core history entry."""
    by_client = entry.actor == "client"
    who = "client" if by_client else "user"
    action = entry.action
    if action == "booked":
        forced = bool(entry.changes.get("override"))
        if entry.to_status == "pending":
            return "pending", "pending"
        return "booked", "booked_forced" if forced else "booked"
    if action in ("cancelled",):
        return f"{who}_deleted", f"{who}_deleted" if by_client else "user_deleted"
    if action in ("archived", "deleted"):
        return "user_deleted", "archived"
    if action in _STATUS_TYPES:
        key = "checked_in" if action == "checked_in" else _STATUS_TYPES[action]
        return _STATUS_TYPES[action], key
    if action == "custom_status":
        if entry.to_status == "cancelled":
            return f"{who}_deleted", "user_deleted"
        return _STATUS_TYPES.get(entry.to_status or "", "accepted"), "custom_status"
    if action in ("rescheduled", "updated"):
        changed = entry.changes.keys()
        if changed == {"paid"}:
            return "payment", "payment"
        if changed == {"service_id"} or changed == {"service_id", "end"}:
            return "changed_service", "changed_service"
        if "end" in changed and "start" not in changed and len(changed - {"override"}) == 1:
            return "changed_end", "changed_end"
        kinds = [suffix for key, suffix in _CHANGE_KINDS if key in changed]
        unique = list(dict.fromkeys(kinds))
        if len(unique) == 1:
            return f"{who}_rescheduled_{unique[0]}", unique[0]
        return f"{who}_rescheduled", "user_rescheduled"
    return f"{who}_rescheduled", "user_rescheduled"


def text_of(e: HistoryEntry, key: str, lang: str) -> str:
    """The entry's human text (``key`` from :func:`kind_of`) in ``lang``."""
    text = TEXTS[key][lang]
    if (
        e.changes.get("override")
        and key != "booked_forced"
        and e.action in ("rescheduled", "updated")
    ):
        text += TEXTS["forced"][lang]
    if e.reason:
        text += f": {e.reason}"
    return text


def user_of(e: HistoryEntry, client: dict[str, Any] | None) -> dict[str, str]:
    """Who made the change: the client (from the manage page) or the acting key's label."""
    if e.actor == "client" and client is not None:
        return {
            "firstName": client.get("firstName", ""),
            "lastName": client.get("lastName", ""),
            "email": client.get("email", ""),
            "userName": "client",
        }
    return {"firstName": "", "lastName": "", "email": "", "userName": e.actor}


def entry(
    e: HistoryEntry,
    time_zone: str,
    lang: str,
    client: dict[str, Any] | None,
    date: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The Agendize history entry of ``e``; ``client`` is the appointment's client reference,
    ``date`` the entry's time already rendered in ``time_zone`` (a list's writer caches them)."""
    type_, key = kind_of(e)
    return {
        "text": text_of(e, key, lang),
        "date": date if date is not None else render_zoned(e.at, time_zone),
        "source": e.source,
        "user": user_of(e, client),
        "type": type_,
    }
