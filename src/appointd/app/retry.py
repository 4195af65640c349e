"""Running a use case again when PostgreSQL aborted it to settle a race.

A deadlock (40P01) or a serialization failure (40001) means the request collided with a
concurrent one and nothing of it was written: it is a lost race, not a server error. The unit of
work reports it as :class:`~appointd.store.engine.TransientFailure`; :func:`retry_transient`
runs the whole use case again, a few times at most, after a short random pause (so the
colliding requests do not collide again in lockstep). A request that still loses is answered
as a lost race: the last :class:`TransientFailure` is a :class:`~appointd.domain.errors.Conflict`
(409 in every face), or whatever ``lost`` turns it into (the booking's ``slot-taken``).

Deterministic lock order (:func:`~appointd.store.engine.subject_lock_key`) keeps these
retries the exception.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from appointd.domain.errors import AppointdError, SlotTaken
from appointd.store.engine import TransientFailure

P = ParamSpec("P")
T = TypeVar("T")

ATTEMPTS = 5
# Pause before attempt n (from 2): uniformly random up to PAUSE * 2**(n-2) seconds.
PAUSE = 0.02


def retry_transient(
    lost: Callable[[TransientFailure], AppointdError] | None = None,
) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Decorate a use case: run it up to :data:`ATTEMPTS` times while it fails transiently."""

    def decorate(use_case: Callable[P, T]) -> Callable[P, T]:
        @wraps(use_case)
        def run(*args: P.args, **kwargs: P.kwargs) -> T:
            for attempt in range(1, ATTEMPTS + 1):
                try:
                    return use_case(*args, **kwargs)
                except TransientFailure as exc:
                    if attempt == ATTEMPTS:
                        if lost is not None:
                            raise lost(exc) from exc
                        raise
                    time.sleep(random.uniform(0, PAUSE * 2 ** (attempt - 1)))
            raise AssertionError("unreachable")  # pragma: no cover

        return run

    return decorate


def lost_race(exc: TransientFailure) -> AppointdError:
    """How a booking that keeps losing answers: like any booking that lost its slot."""
    return SlotTaken([], "the requested time was just taken by another booking")
