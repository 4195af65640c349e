"""The appointment status machine: one set of states, rendered differently by each face.

Holding statuses block staff and resource time; ``cancelled`` and ``declined`` free it. Every
allowed move is listed in :data:`TRANSITIONS`; anything else is an :class:`IllegalTransition`.
``cancelled``, ``declined`` and ``completed`` are final: a cancelled slot may have been given to
someone else, so bringing it back means booking again, with every check.
"""

from __future__ import annotations

from enum import StrEnum

from appointd.domain.errors import IllegalTransition


class Status(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    CHECKED_IN = "checked_in"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    DECLINED = "declined"

    @property
    def holding(self) -> bool:
        return self not in (Status.CANCELLED, Status.DECLINED)


TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.PENDING: frozenset(
        {Status.CONFIRMED, Status.DECLINED, Status.CANCELLED, Status.CHECKED_IN, Status.NO_SHOW}
    ),
    Status.CONFIRMED: frozenset(
        {Status.CHECKED_IN, Status.IN_PROGRESS, Status.COMPLETED, Status.NO_SHOW, Status.CANCELLED}
    ),
    Status.CHECKED_IN: frozenset(
        {Status.IN_PROGRESS, Status.COMPLETED, Status.CANCELLED, Status.CONFIRMED}
    ),
    Status.IN_PROGRESS: frozenset({Status.COMPLETED}),
    # A no-show marked by mistake can be corrected when the client turns up late.
    Status.NO_SHOW: frozenset({Status.CHECKED_IN, Status.COMPLETED}),
    Status.COMPLETED: frozenset(),
    Status.CANCELLED: frozenset(),
    Status.DECLINED: frozenset(),
}

# The verbs of the native API, and the status each leads to.
ACTIONS: dict[str, Status] = {
    "confirm": Status.CONFIRMED,
    "check-in": Status.CHECKED_IN,
    "start": Status.IN_PROGRESS,
    "complete": Status.COMPLETED,
    "no-show": Status.NO_SHOW,
    "cancel": Status.CANCELLED,
    "decline": Status.DECLINED,
}

INITIAL: frozenset[Status] = frozenset({Status.PENDING, Status.CONFIRMED})


def transition(current: Status, target: Status) -> Status:
    """``target`` if the machine allows ``current -> target``, else :class:`IllegalTransition`."""
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(current.value, target.value)
    return target
