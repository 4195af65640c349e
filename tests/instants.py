"""Comparing instants, not their spelling: the native face writes each instant with the offset of
its location's zone, so tests compare the moments (``at(a) == at(b)``) and, where it matters,
the offset separately."""

from __future__ import annotations

from datetime import datetime


def at(text: str) -> datetime:
    """The aware instant an RFC 3339 string names (``Z`` or any offset)."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert value.tzinfo is not None, f"{text} has no offset"
    return value


def ats(*texts: str) -> tuple[datetime, ...]:
    return tuple(at(t) for t in texts)
