"""Half-open time intervals ``[start, end)`` and the few operations scheduling needs.

Back-to-back intervals do not overlap: ``[9:00, 9:30)`` and ``[9:30, 10:00)`` share no instant.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from appointd.domain.errors import Invalid


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    """A half-open span of time; ``start < end`` always holds."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise Invalid.field("end", "must be after start")

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Interval) -> bool:
        return self.start <= other.start and other.end <= self.end


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted union of ``intervals``; touching intervals are joined."""
    out: list[Interval] = []
    for iv in sorted(intervals):
        if out and iv.start <= out[-1].end:
            if iv.end > out[-1].end:
                out[-1] = Interval(out[-1].start, iv.end)
        else:
            out.append(iv)
    return out


def covered(span: Interval, cover: Iterable[Interval]) -> bool:
    """True when every instant of ``span`` lies inside the union of ``cover``."""
    return any(iv.contains(span) for iv in merge(cover))
