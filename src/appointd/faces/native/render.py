"""Core entities -> native wire models."""

from __future__ import annotations

from typing import Any

from appointd.app.context import Context
from appointd.app.links import manage_url
from appointd.domain.model import Appointment, HistoryEntry, Service, Staff
from appointd.faces.native import schemas as s


def staff(e: Staff) -> s.StaffOut:
    return s.StaffOut(
        id=e.id,
        first_name=e.first_name,
        last_name=e.last_name,
        email=e.email,
        time_zone=e.time_zone,
        location_ids=e.location_ids,
        service_ids=e.service_ids,
        working_hours=e.working_hours.to_list(),
        date_overrides=[o.as_dict() for o in e.date_overrides],
        time_off=[s.TimeOffOut.model_validate(t) for t in e.time_off],
        archived_at=e.archived_at,
        created_at=e.created_at,
        updated_at=e.updated_at,
    )


def service(e: Service) -> s.ServiceOut:
    data: dict[str, Any] = {f: getattr(e, f) for f in s.ServiceOut.model_fields}
    data["price"] = None if e.price is None else f"{e.price:.2f}"
    data["kind"] = e.kind.value
    return s.ServiceOut(**data)


_COPIED = tuple(
    f for f in s.AppointmentOut.model_fields if f not in ("manage_url", "cancellation", "price")
)


def appointment(e: Appointment, ctx: Context) -> s.AppointmentOut:
    """The native appointment; ``ctx`` gives the base of its manage link."""
    data: dict[str, Any] = {f: getattr(e, f) for f in _COPIED}
    data["status"] = e.status.value
    data["kind"] = e.kind.value
    data["price"] = None if e.price is None else f"{e.price:.2f}"
    data["manage_url"] = manage_url(ctx.services.settings, e.manage_token, ctx.base_url)
    data["cancellation"] = (
        s.CancellationOut(
            code=e.cancellation_code, note=e.cancellation_note, at=e.cancelled_at, by=e.cancelled_by
        )
        if e.cancelled_at is not None
        else None
    )
    return s.AppointmentOut(**data)


def history(e: HistoryEntry) -> s.HistoryOut:
    return s.HistoryOut.model_validate(e)


def plain(model: type[s.Out], e: Any) -> s.Out:
    return model.model_validate(e)
