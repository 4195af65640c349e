"""When a failed delivery is tried again: the Standard Webhooks schedule.

After the first attempt fails, the next ones come 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h
after the previous attempt; when the eighth attempt fails the delivery is failed for good. A
subscription whose every delivery failed for :data:`DISABLE_AFTER` is disabled.
"""

from __future__ import annotations

from datetime import datetime, timedelta

SCHEDULE = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
DISABLE_AFTER = timedelta(days=5)


def next_attempt(attempts_made: int, now: datetime) -> datetime | None:
    """When to try again after ``attempts_made`` failed attempts, or ``None``: give up."""
    if attempts_made < 1 or attempts_made > len(SCHEDULE):
        return None
    return now + SCHEDULE[attempts_made - 1]


def should_disable(failing_since: datetime | None, now: datetime) -> bool:
    return failing_since is not None and now - failing_since >= DISABLE_AFTER
