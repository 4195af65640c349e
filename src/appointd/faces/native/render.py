"""Core entities -> native wire models.

Every instant of an answer is written with the offset of its location's zone on that date (an
appointment's, a class session's, a waitlist entry's location; a staff member's own zone for
their time off; a location's own zone); objects that belong to no location (services,
resources, clients, the account) keep UTC. Input may carry any offset.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from appointd.app.context import Context
from appointd.app.links import manage_url
from appointd.app.zones import zone_of, zones_of
from appointd.domain.model import Appointment, HistoryEntry, Service, Staff
from appointd.faces.native import schemas as s


def local(value: Any, tz: ZoneInfo) -> Any:
    """``value`` in ``tz`` when it is an aware instant; anything else unchanged."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(tz)
    return value


def localize(data: dict[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    """The top-level instants of ``data`` written in ``tz``."""
    return {k: local(v, tz) for k, v in data.items()}


def prefetch(ctx: Context, location_ids: Any) -> None:
    """Look the zones of a whole page's locations up at once (one statement at most), so that
    rendering its rows costs none."""
    zones_of(ctx, location_ids)


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
        time_off=[time_off(t, e.time_zone) for t in e.time_off],
        phone=e.phone,
        external_id=e.external_id,
        archived_at=local(e.archived_at, _zone(e.time_zone)),
        created_at=local(e.created_at, _zone(e.time_zone)),
        updated_at=local(e.updated_at, _zone(e.time_zone)),
    )


def _zone(name: str) -> ZoneInfo:
    from appointd.domain.wallclock import is_valid_zone, zone

    return zone(name) if is_valid_zone(name) else ZoneInfo("UTC")


def time_off(t: Any, zone_name: str) -> s.TimeOffOut:
    """Time off in its staff member's zone."""
    out = s.TimeOffOut.model_validate(t)
    tz = _zone(zone_name)
    return out.model_copy(update={"start": out.start.astimezone(tz), "end": out.end.astimezone(tz)})


def service(e: Service) -> s.ServiceOut:
    data: dict[str, Any] = {f: getattr(e, f) for f in s.ServiceOut.model_fields}
    data["price"] = None if e.price is None else f"{e.price:.2f}"
    data["kind"] = e.kind.value
    return s.ServiceOut(**data)


_COPIED = tuple(
    f
    for f in s.AppointmentOut.model_fields
    if f not in ("manage_url", "cancellation", "price", "time_zone")
)


def appointment(e: Appointment, ctx: Context) -> s.AppointmentOut:
    """The native appointment; ``ctx`` gives the base of its manage link. Its instants are
    written in its location's zone (named in ``time_zone``)."""
    tz = zone_of(ctx, e.location_id)
    data: dict[str, Any] = localize({f: getattr(e, f) for f in _COPIED}, tz)
    data["status"] = e.status.value
    data["kind"] = e.kind.value
    data["time_zone"] = tz.key
    data["price"] = None if e.price is None else f"{e.price:.2f}"
    data["manage_url"] = manage_url(ctx.services.settings, e.manage_token, ctx.base_url)
    data["cancellation"] = (
        s.CancellationOut(
            code=e.cancellation_code,
            note=e.cancellation_note,
            at=local(e.cancelled_at, tz),
            by=e.cancelled_by,
        )
        if e.cancelled_at is not None
        else None
    )
    return s.AppointmentOut(**data)


def history(e: HistoryEntry, tz: ZoneInfo | None = None) -> s.HistoryOut:
    out = s.HistoryOut.model_validate(e)
    return out if tz is None else out.model_copy(update={"at": out.at.astimezone(tz)})


def plain(model: type[s.Out], e: Any) -> s.Out:
    return model.model_validate(e)


def location(e: Any) -> s.LocationOut:
    """A location, its stamps in its own zone."""
    out = s.LocationOut.model_validate(e)
    return out.model_copy(update=localize(dict(out), _zone(out.time_zone)))
