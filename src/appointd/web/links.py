"""How a chosen time travels through links and forms: one ``slot`` value.

A slot is its start as an RFC 3339 instant in UTC, followed by ``~<class session id>`` for a
seat in a class. Whatever arrives is only a proposal: the core checks it is an offered time.
"""

from __future__ import annotations

from datetime import UTC, datetime

from appointd.domain.availability import Slot


def slot_value(slot: Slot) -> str:
    text = datetime.fromtimestamp(slot.start, UTC).isoformat()
    return f"{text}~{slot.class_session_id}" if slot.class_session_id is not None else text


def parse_slot(raw: str) -> tuple[datetime, int | None] | None:
    """``(start, class session id or None)``, or ``None`` when ``raw`` is no slot value."""
    if not raw or len(raw) > 64:
        return None
    text, _, session = raw.partition("~")
    try:
        start = datetime.fromisoformat(text)
    except ValueError:
        return None
    if start.tzinfo is None or not 1900 <= start.year <= 2999:
        return None
    if session and not (session.isdigit() and len(session) <= 18 and int(session) > 0):
        return None
    return start.astimezone(UTC), int(session) if session else None
