"""Rules of the appointment fields every face shares: cancellation details, external id,
metadata, price copied from the service.

Plain functions on :class:`~appointd.domain.model.Appointment`; the use cases call them so
that every way of cancelling or annotating an appointment follows the same rules.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from appointd.domain.errors import Invalid
from appointd.domain.model import Appointment, Service
from appointd.domain.status import Status

METADATA_MAX_BYTES = 32 * 1024
EXTERNAL_ID_MAX = 200
CANCELLATION_CODE_MAX = 40


def cancelled(
    appt: Appointment,
    at: datetime,
    by: str,
    code: str | None = None,
    note: str | None = None,
) -> None:
    """Stamp ``appt`` (already moved to ``cancelled``) with when, by whom, code and note.

    A custom status does not survive a cancellation: its base status would contradict it.
    """
    if code is not None and len(code) > CANCELLATION_CODE_MAX:
        raise Invalid.field("cancellation_code", f"at most {CANCELLATION_CODE_MAX} characters")
    appt.status = Status.CANCELLED
    appt.cancelled_at = at
    appt.cancelled_by = by
    appt.cancellation_code = code
    appt.cancellation_note = note
    appt.custom_status_id = None


def check_external_id(value: Any, field: str = "external_id") -> str | None:
    """``value`` as an external id: text of 1..200 characters, or ``None``."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise Invalid.field(field, "must be non-empty text")
    if len(value) > EXTERNAL_ID_MAX:
        raise Invalid.field(field, f"at most {EXTERNAL_ID_MAX} characters")
    return value


def check_metadata(value: Any, field: str = "metadata") -> dict[str, Any]:
    """``value`` as free metadata: a JSON object of at most 32 KB once serialized."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Invalid.field(field, "must be a JSON object")
    try:
        size = len(json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8"))
    except (TypeError, ValueError):
        raise Invalid.field(field, "must be plain JSON") from None
    if size > METADATA_MAX_BYTES:
        raise Invalid.field(
            field, f"is {size} bytes as JSON; at most {METADATA_MAX_BYTES} are kept"
        )
    return value


def priced(appt: Appointment, service: Service) -> None:
    """Copy ``service``'s price and currency onto ``appt`` (done once, at booking)."""
    appt.price = service.price
    appt.currency = service.currency
