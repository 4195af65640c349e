"""The appointment status machine."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import product
from typing import Any

import pytest

from appointd.domain.errors import Conflict, IllegalTransition
from appointd.domain.model import Appointment
from appointd.domain.status import ACTIONS, INITIAL, TRANSITIONS, Status, transition

ALLOWED = [(current, target) for current in Status for target in sorted(TRANSITIONS[current])]
FORBIDDEN = [
    (current, target)
    for current, target in product(Status, Status)
    if target not in TRANSITIONS[current]
]


def test_every_status_has_an_entry_in_the_transition_table() -> None:
    assert set(TRANSITIONS) == set(Status)


@pytest.mark.parametrize(("current", "target"), ALLOWED, ids=lambda s: s.value)
def test_every_allowed_transition_works(current: Status, target: Status) -> None:
    assert transition(current, target) is target


@pytest.mark.parametrize(("current", "target"), FORBIDDEN, ids=lambda s: s.value)
def test_every_other_transition_raises_illegal_transition(current: Status, target: Status) -> None:
    with pytest.raises(IllegalTransition) as exc:
        transition(current, target)
    assert exc.value.current == current.value
    assert exc.value.requested == target.value


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (Status.COMPLETED, Status.PENDING),
        (Status.CANCELLED, Status.CONFIRMED),
        (Status.DECLINED, Status.PENDING),
        (Status.IN_PROGRESS, Status.CANCELLED),
        (Status.CONFIRMED, Status.PENDING),
        (Status.CONFIRMED, Status.CONFIRMED),
        (Status.NO_SHOW, Status.CANCELLED),
    ],
    ids=lambda s: s.value,
)
def test_well_known_forbidden_transitions_name_current_and_requested_status(
    current: Status, target: Status
) -> None:
    with pytest.raises(IllegalTransition) as exc:
        transition(current, target)
    assert (exc.value.current, exc.value.requested) == (current.value, target.value)
    assert exc.value.message == f"cannot go from {current.value} to {target.value}"
    assert isinstance(exc.value, Conflict)


@pytest.mark.parametrize("final", [Status.COMPLETED, Status.CANCELLED, Status.DECLINED])
def test_final_statuses_have_no_way_out(final: Status) -> None:
    assert TRANSITIONS[final] == frozenset()


def test_a_no_show_marked_by_mistake_can_be_corrected() -> None:
    assert transition(Status.NO_SHOW, Status.CHECKED_IN) is Status.CHECKED_IN


@pytest.mark.parametrize(
    ("status", "holding"),
    [
        (Status.PENDING, True),
        (Status.CONFIRMED, True),
        (Status.CHECKED_IN, True),
        (Status.IN_PROGRESS, True),
        (Status.COMPLETED, True),
        (Status.NO_SHOW, True),
        (Status.CANCELLED, False),
        (Status.DECLINED, False),
    ],
)
def test_holding_statuses_block_time_and_cancelled_or_declined_free_it(
    status: Status, holding: bool
) -> None:
    assert status.holding is holding


def appointment(status: Status, **kw: Any) -> Appointment:
    start, end = datetime(2026, 5, 4, 9, tzinfo=UTC), datetime(2026, 5, 4, 10, tzinfo=UTC)
    return Appointment(
        id=1,
        account_id=1,
        location_id=1,
        service_id=1,
        staff_id=1,
        client_id=1,
        start=start,
        end=end,
        busy_start=start,
        busy_end=end,
        status=status,
        **kw,
    )


def test_archived_or_deleted_appointments_free_their_time_whatever_their_status() -> None:
    stamp = datetime(2026, 5, 1, tzinfo=UTC)
    assert appointment(Status.CONFIRMED).holding
    assert not appointment(Status.CONFIRMED, archived_at=stamp).holding
    assert not appointment(Status.CONFIRMED, deleted_at=stamp).holding
    assert not appointment(Status.CANCELLED).holding


def test_new_appointments_start_pending_or_confirmed() -> None:
    assert frozenset({Status.PENDING, Status.CONFIRMED}) == INITIAL


@pytest.mark.parametrize(("action", "status"), sorted(ACTIONS.items()))
def test_every_action_leads_to_a_status_reachable_from_confirmed_or_pending(
    action: str, status: Status
) -> None:
    assert status in TRANSITIONS[Status.CONFIRMED] | TRANSITIONS[Status.PENDING]
