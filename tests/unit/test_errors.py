"""The error hierarchy carries data, not HTTP codes."""

from __future__ import annotations

import pytest

from appointd.domain.errors import (
    AppointdError,
    BookingWindowViolation,
    CapacityExceeded,
    Conflict,
    ConflictItem,
    FieldError,
    Forbidden,
    IllegalTransition,
    Invalid,
    NotFound,
    OutsideWorkingHours,
    SlotTaken,
    Unauthenticated,
)


@pytest.mark.parametrize(
    ("error", "parent"),
    [
        (Unauthenticated, AppointdError),
        (Forbidden, AppointdError),
        (NotFound, AppointdError),
        (Invalid, AppointdError),
        (OutsideWorkingHours, Invalid),
        (BookingWindowViolation, Invalid),
        (Conflict, AppointdError),
        (SlotTaken, Conflict),
        (IllegalTransition, Conflict),
        (CapacityExceeded, Conflict),
    ],
)
def test_the_hierarchy_is_as_documented(error: type, parent: type) -> None:
    assert issubclass(error, parent)


def test_invalid_field_names_one_field_and_describes_it() -> None:
    error = Invalid.field("ranges[0].start", "expected HH:MM")
    assert error.errors == [FieldError("ranges[0].start", "expected HH:MM")]
    assert str(error) == "ranges[0].start: expected HH:MM"


def test_invalid_accepts_a_bare_message_or_a_list_of_field_errors() -> None:
    assert Invalid("bad request").errors == [FieldError("", "bad request")]
    assert str(Invalid("bad request")) == "bad request"
    many = Invalid([FieldError("a", "x"), FieldError("b", "y")])
    assert [e.field for e in many.errors] == ["a", "b"]
    assert str(many) == "a: x; b: y"


def test_not_found_carries_kind_id_and_field() -> None:
    error = NotFound("staff", 42, field="staff_id")
    assert (error.kind, error.id, error.field) == ("staff", 42, "staff_id")
    assert error.message == "staff 42 not found"


def test_slot_taken_lists_each_conflicting_appointment_id_once_in_order() -> None:
    error = SlotTaken(
        [
            ConflictItem("appointment", 9, "staff", 1),
            ConflictItem("time_off", 3, "staff", 1),
            ConflictItem("appointment", 4, "resource", 2),
            ConflictItem("appointment", 9, "resource", 2),
        ]
    )
    assert error.appointment_ids == [4, 9]


def test_capacity_exceeded_says_how_much_is_left() -> None:
    assert CapacityExceeded("no seats left", available=0).available == 0
    assert CapacityExceeded("only 2 seats left", available=2).available == 2
