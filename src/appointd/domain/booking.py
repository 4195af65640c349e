"""The rules of booking one appointment: spans, working time, and what it may not overlap.

The functions here decide; they never load or store. The use case loads the staff members'
calendars and the existing blocks that touch the busy span, asks these functions, and writes
what they return.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from appointd.domain.errors import (
    Conflict,
    ConflictItem,
    FieldError,
    Invalid,
    OutsideWorkingHours,
    SlotTaken,
)
from appointd.domain.intervals import Interval
from appointd.domain.model import Appointment, AppointmentKind, Block, Resource, Service, Staff
from appointd.domain.wallclock import local_to_instant
from appointd.domain.working_hours import WorkingCalendar


@dataclass(frozen=True, slots=True)
class Spans:
    """The client's span and the busy span (buffers applied) of one appointment."""

    client: Interval
    busy: Interval


def spans(service: Service, start: datetime, end: datetime | None) -> Spans:
    """Client and busy spans; ``end`` defaults to ``start`` plus the service duration."""
    if end is None:
        end = start + timedelta(minutes=service.duration_minutes)
    if end <= start:
        raise Invalid.field("end", "must be after start")
    busy = Interval(
        start - timedelta(minutes=service.buffer_before_minutes),
        end + timedelta(minutes=service.buffer_after_minutes),
    )
    return Spans(Interval(start, end), busy)


def offers(staff: Staff, service: Service) -> bool:
    """Whether ``staff`` gives ``service``.

    Either side may say so: the service lists the staff member, or the staff member lists the
    service. When neither lists anything at all, nothing was restricted and anyone may.
    """
    if staff.id in service.staff_ids or service.id in staff.service_ids:
        return True
    return not service.staff_ids and not staff.service_ids


def works_at(staff: Staff, location_id: int) -> bool:
    """Whether ``staff`` works at the location; no ``location_ids`` means everywhere."""
    return not staff.location_ids or location_id in staff.location_ids


def check_staff_fit(staff: Staff, service: Service, location_id: int, field: str) -> None:
    """Refuse a staff member who is archived, does not offer ``service`` (see :func:`offers`)
    or does not work at the location (see :func:`works_at`)."""
    errors: list[FieldError] = []
    if staff.archived_at is not None:
        errors.append(FieldError(field, f"staff {staff.id} is archived"))
    if not offers(staff, service):
        errors.append(FieldError(field, f"staff {staff.id} does not offer service {service.id}"))
    if not works_at(staff, location_id):
        errors.append(
            FieldError(field, f"staff {staff.id} does not work at location {location_id}")
        )
    if errors:
        raise Invalid(errors)


def check_working_time(
    calendar: WorkingCalendar,
    staff_id: int,
    busy: Interval,
    field: str,
    tz: ZoneInfo | None = None,
) -> None:
    """Refuse a busy span that does not fit in one stretch of the staff member's working time.

    The refusal says when the staff member works that day, on the clock of ``tz`` (the
    location's zone; default the staff member's), and that ``override`` exists.
    """
    if not calendar.covers(busy):
        raise OutsideWorkingHours(
            staff_id, field, hours_that_day(calendar, busy, tz or calendar.tz)
        )


def hours_that_day(calendar: WorkingCalendar, busy: Interval, tz: ZoneInfo) -> str:
    """``"on Mon 2026-11-30 (Europe/Berlin) they work 09:00-12:30, 13:30-17:00; ..."``: the
    working time of the busy span's local day in ``tz``, for an error message."""
    day = busy.start.astimezone(tz).date()
    window = Interval(
        local_to_instant(day, 0, tz), local_to_instant(day + timedelta(days=1), 0, tz)
    )
    stretches = [
        f"{iv.start.astimezone(tz):%H:%M}-"
        + ("24:00" if iv.end == window.end else f"{iv.end.astimezone(tz):%H:%M}")
        for iv in calendar.intervals(window)
    ]
    hours = ", ".join(stretches) if stretches else "not at all (a day off)"
    return (
        f"on {day:%a} {day.isoformat()} ({tz.key}) they work {hours}; the busy span "
        f"{busy.start.astimezone(tz):%H:%M}-{busy.end.astimezone(tz):%H:%M} (buffers included) "
        "must fit one of those stretches; `override: true` books outside working hours for "
        "those allowed to use it"
    )


def blocks_for(
    *,
    busy: Interval,
    staff_id: int | None,
    additional_staff_ids: Sequence[int],
    resources: Sequence[Resource],
    override: bool,
    expires_at: datetime | None = None,
) -> list[Block]:
    """The block rows that make an appointment's busy span busy for its staff and resources.

    The coordinator gets no block: coordinating does not take their time. Deliberate
    double-bookings (``override``) and shared resources (capacity above one) are held but not
    exclusive, so the database's no-overlap rule leaves them alone.
    """
    blocks: list[Block] = []
    if staff_id is not None:
        blocks.append(
            Block(
                "staff",
                staff_id,
                busy.start,
                busy.end,
                not override,
                "primary",
                expires_at=expires_at,
            )
        )
    for sid in additional_staff_ids:
        blocks.append(
            Block(
                "staff",
                sid,
                busy.start,
                busy.end,
                not override,
                "additional",
                expires_at=expires_at,
            )
        )
    for res in resources:
        blocks.append(
            Block(
                "resource",
                res.id,
                busy.start,
                busy.end,
                not override and res.capacity <= 1,
                "resource",
                expires_at=expires_at,
            )
        )
    return blocks


def find_conflicts(
    wanted: Iterable[Block],
    existing: Iterable[Block],
    capacities: dict[int, int] | None = None,
) -> list[ConflictItem]:
    """Existing holding blocks that ``wanted`` may not overlap.

    A staff member or single-capacity resource conflicts with any overlapping block. A resource
    of capacity ``n > 1`` conflicts only where ``n`` overlapping blocks are already in use at
    some instant of the wanted span.
    """
    capacities = capacities or {}
    existing = [b for b in existing if b.holding]
    conflicts: list[ConflictItem] = []
    for want in wanted:
        span = Interval(want.start, want.end)
        hits = [
            b
            for b in existing
            if b.subject_kind == want.subject_kind
            and b.subject_id == want.subject_id
            and span.overlaps(Interval(b.start, b.end))
        ]
        capacity = capacities.get(want.subject_id, 1) if want.subject_kind == "resource" else 1
        if capacity > 1 and _peak_use(hits, span) < capacity:
            continue
        conflicts.extend(_as_conflict(b) for b in hits)
    return conflicts


def _peak_use(blocks: Sequence[Block], span: Interval) -> int:
    """The largest number of ``blocks`` in use at one instant inside ``span``."""
    edges: list[tuple[datetime, int]] = []
    for b in blocks:
        edges.append((max(b.start, span.start), 1))
        edges.append((min(b.end, span.end), -1))
    edges.sort(key=lambda e: (e[0], e[1]))  # ends before starts at the same instant
    peak = current = 0
    for _, delta in edges:
        current += delta
        peak = max(peak, current)
    return peak


def _as_conflict(block: Block) -> ConflictItem:
    if block.appointment_id is not None:
        kind, ident = "appointment", block.appointment_id
    elif block.time_off_id is not None:
        kind, ident = "time_off", block.time_off_id
    else:
        kind, ident = "class_session", block.class_session_id or 0
    return ConflictItem(kind, ident, block.subject_kind, block.subject_id, block.start, block.end)


def raise_if_conflicts(conflicts: list[ConflictItem]) -> None:
    if conflicts:
        raise SlotTaken(dedupe(conflicts))


def dedupe(conflicts: list[ConflictItem]) -> list[ConflictItem]:
    """``conflicts`` without repeats (the same holder of the same subject), first seen kept."""
    seen: set[tuple[str, int, str, int]] = set()
    out = []
    for c in conflicts:
        key = (c.kind, c.id, c.subject_kind, c.subject_id)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def split_expired(blocks: Iterable[Block], now: datetime) -> tuple[list[Block], list[int]]:
    """Live blocks, and the ids of hold appointments whose hold has expired (they are free)."""
    live: list[Block] = []
    expired: set[int] = set()
    for b in blocks:
        if b.expires_at is not None and b.expires_at <= now:
            if b.appointment_id is not None:
                expired.add(b.appointment_id)
        else:
            live.append(b)
    return live, sorted(expired)


def refuse_if_hold(appt: Appointment, action: str) -> None:
    """A waitlist hold keeps freed time for invitees: it is claimed or cancelled, nothing else.

    Confirming or moving it would turn time promised to the invitees into a booking without a
    client, so every other ``action`` is a :class:`Conflict`.
    """
    if appt.kind is AppointmentKind.HOLD:
        raise Conflict(
            f"appointment {appt.id} is a waitlist hold; it can only be claimed by an invited "
            f"entry or cancelled, not {action}"
        )
