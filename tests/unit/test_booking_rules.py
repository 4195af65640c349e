"""Booking rules: busy spans with buffers, staff fit, working time, blocks and conflicts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from appointd.domain.booking import (
    blocks_for,
    check_staff_fit,
    check_working_time,
    find_conflicts,
    offers,
    raise_if_conflicts,
    spans,
    split_expired,
    works_at,
)
from appointd.domain.errors import (
    ConflictItem,
    Invalid,
    OutsideWorkingHours,
    SlotTaken,
)
from appointd.domain.intervals import Interval
from appointd.domain.model import Block, Resource, Service, Staff
from appointd.domain.working_hours import WorkingCalendar, WorkingWeek

STAFF_ID = 7
ROOM_ID = 40


def at(hour: int, minute: int = 0) -> datetime:
    """A UTC instant on Monday 2026-05-04."""
    return datetime(2026, 5, 4, hour, minute, tzinfo=UTC)


def service(duration: int = 30, before: int = 0, after: int = 0, **kw: Any) -> Service:
    return Service(
        id=3,
        account_id=1,
        name="Consultation",
        duration_minutes=duration,
        buffer_before_minutes=before,
        buffer_after_minutes=after,
        **kw,
    )


def staff(**kw: Any) -> Staff:
    return Staff(
        id=STAFF_ID, account_id=1, first_name="Ada", last_name="Byron", time_zone="UTC", **kw
    )


def room(capacity: int = 1, id: int = ROOM_ID) -> Resource:
    return Resource(id=id, account_id=1, name="Room", capacity=capacity)


def staff_block(
    start: datetime,
    end: datetime,
    *,
    staff_id: int = STAFF_ID,
    appointment_id: int | None = None,
    **kw: Any,
) -> Block:
    return Block("staff", staff_id, start, end, appointment_id=appointment_id, **kw)


def room_block(
    start: datetime, end: datetime, appointment_id: int, room_id: int = ROOM_ID
) -> Block:
    return Block(
        "resource",
        room_id,
        start,
        end,
        exclusive=False,
        role="resource",
        appointment_id=appointment_id,
    )


def wanted_for(busy: Interval, resources: list[Resource] | None = None) -> list[Block]:
    return blocks_for(
        busy=busy,
        staff_id=STAFF_ID,
        additional_staff_ids=[],
        resources=resources or [],
        override=False,
    )


# --- spans -------------------------------------------------------------------------------------


def test_without_buffers_the_busy_span_is_the_client_span() -> None:
    s = spans(service(duration=45), at(10), None)
    assert s.client == Interval(at(10), at(10, 45))
    assert s.busy == s.client


def test_buffers_make_the_busy_span_wider_than_the_client_span() -> None:
    s = spans(service(duration=30, before=10, after=15), at(10), None)
    assert s.client == Interval(at(10), at(10, 30))
    assert s.busy == Interval(at(9, 50), at(10, 45))


def test_an_explicit_end_replaces_the_service_duration() -> None:
    s = spans(service(duration=30, after=5), at(10), at(11))
    assert s.client == Interval(at(10), at(11))
    assert s.busy == Interval(at(10), at(11, 5))


@pytest.mark.parametrize("end", [at(10), at(9, 59)])
def test_an_end_not_after_the_start_is_invalid_naming_end(end: datetime) -> None:
    with pytest.raises(Invalid) as exc:
        spans(service(), at(10), end)
    assert [e.field for e in exc.value.errors] == ["end"]


# --- conflicts ---------------------------------------------------------------------------------


def test_back_to_back_appointments_do_not_overlap() -> None:
    existing = [staff_block(at(9), at(10), appointment_id=1)]
    assert find_conflicts(wanted_for(Interval(at(10), at(11))), existing) == []
    assert find_conflicts(wanted_for(Interval(at(8), at(9))), existing) == []


def test_buffers_make_appointments_conflict_although_their_client_spans_do_not_overlap() -> None:
    svc = service(duration=30, before=10, after=15)
    first = spans(svc, at(10), None)  # client 10:00-10:30, busy 09:50-10:45
    second = spans(service(duration=30), at(10, 40), None)  # client 10:40-11:10
    assert not first.client.overlaps(second.client)

    existing = [staff_block(first.busy.start, first.busy.end, appointment_id=1)]
    conflicts = find_conflicts(wanted_for(second.busy), existing)
    assert [(c.kind, c.id) for c in conflicts] == [("appointment", 1)]


def test_the_new_appointments_own_buffer_before_can_cause_the_conflict() -> None:
    existing = [staff_block(at(9), at(10), appointment_id=1)]
    plain = spans(service(duration=30), at(10), None)
    buffered = spans(service(duration=30, before=5), at(10), None)  # busy from 09:55
    assert find_conflicts(wanted_for(plain.busy), existing) == []
    assert [c.id for c in find_conflicts(wanted_for(buffered.busy), existing)] == [1]


def test_busy_spans_that_meet_exactly_at_a_buffer_edge_do_not_conflict() -> None:
    first = spans(service(duration=30, after=15), at(10), None)  # busy 10:00-10:45
    second = spans(service(duration=30), at(10, 45), None)
    existing = [staff_block(first.busy.start, first.busy.end, appointment_id=1)]
    assert find_conflicts(wanted_for(second.busy), existing) == []


def test_conflicts_list_appointments_time_off_and_class_sessions_with_their_ids() -> None:
    existing = [
        staff_block(at(9), at(10), appointment_id=11),
        staff_block(at(10), at(11), role="time_off", time_off_id=21),
        staff_block(at(11), at(12), role="class_session", class_session_id=31),
        staff_block(at(13), at(14), appointment_id=12),  # outside the wanted span
    ]
    conflicts = find_conflicts(wanted_for(Interval(at(9, 30), at(11, 30))), existing)
    assert conflicts == [
        ConflictItem("appointment", 11, "staff", STAFF_ID, at(9), at(10)),
        ConflictItem("time_off", 21, "staff", STAFF_ID, at(10), at(11)),
        ConflictItem("class_session", 31, "staff", STAFF_ID, at(11), at(12)),
    ]


def test_non_holding_blocks_are_ignored() -> None:
    existing = [
        staff_block(at(9), at(10), appointment_id=11, holding=False),  # e.g. cancelled
        staff_block(at(9), at(10), appointment_id=12),
    ]
    conflicts = find_conflicts(wanted_for(Interval(at(9), at(10))), existing)
    assert [c.id for c in conflicts] == [12]


def test_blocks_of_other_subjects_are_ignored() -> None:
    existing = [
        staff_block(at(9), at(10), staff_id=STAFF_ID + 1, appointment_id=11),
        # a resource that happens to share the staff member's id is another subject
        room_block(at(9), at(10), appointment_id=12, room_id=STAFF_ID),
    ]
    assert find_conflicts(wanted_for(Interval(at(9), at(10))), existing) == []


def test_conflicts_are_reported_for_every_wanted_subject() -> None:
    busy = Interval(at(9), at(10))
    existing = [
        staff_block(at(9), at(9, 30), appointment_id=11),
        Block("resource", ROOM_ID, at(9, 30), at(10), appointment_id=12),
    ]
    conflicts = find_conflicts(wanted_for(busy, [room()]), existing)
    assert [(c.subject_kind, c.subject_id, c.id) for c in conflicts] == [
        ("staff", STAFF_ID, 11),
        ("resource", ROOM_ID, 12),
    ]


def test_raise_if_conflicts_raises_slot_taken_with_each_conflict_once() -> None:
    busy = Interval(at(9), at(10))
    # appointment 11 holds both the staff member and the room
    existing = [
        staff_block(at(9), at(10), appointment_id=11),
        Block("resource", ROOM_ID, at(9), at(10), appointment_id=11),
        staff_block(at(9), at(10), role="time_off", time_off_id=21),
    ]
    conflicts = find_conflicts(wanted_for(busy, [room()]) * 2, existing)
    with pytest.raises(SlotTaken) as exc:
        raise_if_conflicts(conflicts)
    assert [(c.kind, c.id, c.subject_kind) for c in exc.value.conflicts] == [
        ("appointment", 11, "staff"),
        ("time_off", 21, "staff"),
        ("appointment", 11, "resource"),
    ]
    assert exc.value.appointment_ids == [11]


def test_raise_if_conflicts_does_nothing_without_conflicts() -> None:
    raise_if_conflicts([])


# --- capacity > 1 ------------------------------------------------------------------------------


def wanted_room(capacity: int, busy: Interval) -> list[Block]:
    return blocks_for(
        busy=busy,
        staff_id=None,
        additional_staff_ids=[],
        resources=[room(capacity)],
        override=False,
    )


def test_a_shared_resource_below_capacity_does_not_conflict() -> None:
    existing = [room_block(at(9), at(10), appointment_id=1)]
    wanted = wanted_room(2, Interval(at(9), at(10)))
    assert find_conflicts(wanted, existing, {ROOM_ID: 2}) == []


def test_a_shared_resource_conflicts_when_peak_use_reaches_capacity() -> None:
    existing = [
        room_block(at(9), at(10), appointment_id=1),
        room_block(at(9, 30), at(11), appointment_id=2),  # both in use 09:30-10:00
    ]
    wanted = wanted_room(2, Interval(at(9, 45), at(10, 30)))
    conflicts = find_conflicts(wanted, existing, {ROOM_ID: 2})
    assert sorted(c.id for c in conflicts) == [1, 2]
    assert all(c.subject_kind == "resource" for c in conflicts)


def test_a_shared_resource_used_by_consecutive_bookings_is_not_full() -> None:
    # Two existing bookings overlap the wanted span but never each other: peak use is 1.
    existing = [
        room_block(at(9), at(10), appointment_id=1),
        room_block(at(10), at(11), appointment_id=2),  # back to back with the first
    ]
    wanted = wanted_room(2, Interval(at(9, 30), at(10, 30)))
    assert find_conflicts(wanted, existing, {ROOM_ID: 2}) == []


def test_a_shared_resource_with_room_to_spare_does_not_conflict() -> None:
    existing = [
        room_block(at(9), at(10), appointment_id=1),
        room_block(at(9), at(10), appointment_id=2),
    ]
    wanted = wanted_room(3, Interval(at(9), at(10)))
    assert find_conflicts(wanted, existing, {ROOM_ID: 3}) == []
    existing.append(room_block(at(9, 59), at(10, 30), appointment_id=3))
    assert len(find_conflicts(wanted, existing, {ROOM_ID: 3})) == 3


def test_a_resource_without_a_known_capacity_is_treated_as_single() -> None:
    existing = [room_block(at(9), at(10), appointment_id=1)]
    wanted = wanted_room(2, Interval(at(9), at(10)))
    assert [c.id for c in find_conflicts(wanted, existing)] == [1]


def test_capacities_apply_to_resources_only_never_to_staff() -> None:
    existing = [staff_block(at(9), at(10), appointment_id=1)]
    conflicts = find_conflicts(wanted_for(Interval(at(9), at(10))), existing, {STAFF_ID: 5})
    assert [c.id for c in conflicts] == [1]


# --- blocks_for --------------------------------------------------------------------------------


def test_blocks_for_gives_staff_additional_staff_and_resources_a_block_each() -> None:
    busy = Interval(at(9, 50), at(10, 45))
    blocks = blocks_for(
        busy=busy,
        staff_id=STAFF_ID,
        additional_staff_ids=[8, 9],
        resources=[room(1, id=40), room(4, id=41)],
        override=False,
    )
    assert [(b.subject_kind, b.subject_id, b.role, b.exclusive) for b in blocks] == [
        ("staff", STAFF_ID, "primary", True),
        ("staff", 8, "additional", True),
        ("staff", 9, "additional", True),
        ("resource", 40, "resource", True),
        ("resource", 41, "resource", False),  # shared: capacity is checked, not exclusion
    ]
    assert all((b.start, b.end) == (busy.start, busy.end) for b in blocks)
    assert all(b.holding and b.expires_at is None for b in blocks)


def test_an_override_booking_holds_time_without_exclusive_blocks() -> None:
    blocks = blocks_for(
        busy=Interval(at(9), at(10)),
        staff_id=STAFF_ID,
        additional_staff_ids=[8],
        resources=[room()],
        override=True,
    )
    assert len(blocks) == 3
    assert not any(b.exclusive for b in blocks)
    assert all(b.holding for b in blocks)


def test_a_booking_without_staff_blocks_only_its_resources() -> None:
    blocks = blocks_for(
        busy=Interval(at(9), at(10)),
        staff_id=None,
        additional_staff_ids=[],
        resources=[room()],
        override=False,
    )
    assert [(b.subject_kind, b.subject_id) for b in blocks] == [("resource", ROOM_ID)]


def test_hold_blocks_carry_their_expiry() -> None:
    expiry = at(8, 15)
    blocks = blocks_for(
        busy=Interval(at(9), at(10)),
        staff_id=STAFF_ID,
        additional_staff_ids=[8],
        resources=[room()],
        override=False,
        expires_at=expiry,
    )
    assert [b.expires_at for b in blocks] == [expiry, expiry, expiry]


# --- split_expired -----------------------------------------------------------------------------


def test_expired_holds_free_their_time_and_are_listed() -> None:
    now = at(12)
    expired = staff_block(at(13), at(14), appointment_id=5, expires_at=at(11, 59))
    expired_now = staff_block(at(14), at(15), appointment_id=6, expires_at=now)
    expired_room = Block("resource", ROOM_ID, at(13), at(14), appointment_id=5, expires_at=now)
    live_hold = staff_block(at(15), at(16), appointment_id=7, expires_at=at(12, 1))
    booking = staff_block(at(16), at(17), appointment_id=8)
    live, freed = split_expired([expired, expired_now, expired_room, live_hold, booking], now)
    assert live == [live_hold, booking]
    assert freed == [5, 6]


def test_nothing_expires_without_expiry_times() -> None:
    blocks = [staff_block(at(9), at(10), appointment_id=1)]
    assert split_expired(blocks, at(23)) == (blocks, [])


# --- staff fit and working time ----------------------------------------------------------------


def test_a_staff_member_with_no_restrictions_fits_any_service_and_location() -> None:
    check_staff_fit(staff(), service(), location_id=99, field="staff_id")


def test_a_staff_member_listed_for_the_service_and_location_fits() -> None:
    check_staff_fit(
        staff(location_ids=[2]), service(staff_ids=[STAFF_ID]), location_id=2, field="staff_id"
    )


@pytest.mark.parametrize(
    ("service_staff_ids", "staff_service_ids", "expected"),
    [
        ([], [], True),  # nobody restricted anything
        ([STAFF_ID], [], True),  # the service lists the staff member
        ([], [3], True),  # the staff member lists the service
        ([STAFF_ID + 1], [3], True),  # either side saying so is enough
        ([STAFF_ID + 1], [], False),  # the service is given by someone else only
        ([], [99], False),  # the staff member gives other services only
        ([STAFF_ID + 1], [99], False),
    ],
)
def test_a_service_is_offered_when_either_side_lists_the_other_or_neither_lists_anything(
    service_staff_ids: list[int], staff_service_ids: list[int], expected: bool
) -> None:
    svc = service(staff_ids=service_staff_ids)
    person = staff(service_ids=staff_service_ids)
    assert offers(person, svc) is expected


def test_a_staff_member_without_locations_works_everywhere() -> None:
    assert works_at(staff(), 1)
    assert works_at(staff(location_ids=[1, 2]), 2)
    assert not works_at(staff(location_ids=[1, 2]), 3)


@pytest.mark.parametrize(
    ("person", "svc", "words"),
    [
        (staff(archived_at=at(0)), service(), "archived"),
        (staff(), service(staff_ids=[STAFF_ID + 1]), "does not offer service 3"),
        (staff(service_ids=[99]), service(), "does not offer service 3"),
        (staff(location_ids=[1]), service(), "does not work at location 2"),
    ],
)
def test_a_staff_member_who_does_not_fit_is_invalid_naming_the_field(
    person: Staff, svc: Service, words: str
) -> None:
    with pytest.raises(Invalid) as exc:
        check_staff_fit(person, svc, location_id=2, field="staff_id")
    assert [e.field for e in exc.value.errors] == ["staff_id"]
    assert words in exc.value.errors[0].message


def test_every_reason_a_staff_member_does_not_fit_is_reported() -> None:
    with pytest.raises(Invalid) as exc:
        check_staff_fit(
            staff(archived_at=at(0), location_ids=[1]),
            service(staff_ids=[1]),
            location_id=2,
            field="additional_staff_ids[0]",
        )
    assert [e.field for e in exc.value.errors] == ["additional_staff_ids[0]"] * 3


def lunch_calendar() -> WorkingCalendar:
    week = WorkingWeek.parse(
        [
            {"weekday": 1, "start": "09:00", "end": "12:00"},
            {"weekday": 1, "start": "13:00", "end": "17:00"},
        ]
    )
    return WorkingCalendar(ZoneInfo("UTC"), week)


def test_a_busy_span_inside_working_time_is_accepted() -> None:
    check_working_time(lunch_calendar(), STAFF_ID, Interval(at(9), at(12)), "start")


@pytest.mark.parametrize(
    "busy",
    [
        Interval(at(11, 30), at(13, 30)),  # across the lunch break
        Interval(at(8, 55), at(9, 30)),  # a buffer before opening time
        Interval(at(16, 30), at(17, 10)),  # a buffer after closing time
    ],
)
def test_a_busy_span_outside_working_time_is_refused_naming_staff_and_field(
    busy: Interval,
) -> None:
    with pytest.raises(OutsideWorkingHours) as exc:
        check_working_time(lunch_calendar(), STAFF_ID, busy, "appointments[0].start")
    assert exc.value.staff_id == STAFF_ID
    assert [e.field for e in exc.value.errors] == ["appointments[0].start"]
    assert isinstance(exc.value, Invalid)


def test_the_buffers_not_just_the_client_span_must_fit_working_time() -> None:
    s = spans(service(duration=30, before=0, after=15), at(11, 30), None)
    assert lunch_calendar().covers(s.client)
    with pytest.raises(OutsideWorkingHours):
        check_working_time(lunch_calendar(), STAFF_ID, s.busy, "start")


def test_a_span_ending_when_work_ends_fits() -> None:
    check_working_time(
        lunch_calendar(), STAFF_ID, Interval(at(17) - timedelta(minutes=45), at(17)), "start"
    )
