"""Half-open intervals: back-to-back spans share no instant."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from appointd.domain.errors import Invalid
from appointd.domain.intervals import Interval, covered, merge


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 5, 4, hour, minute, tzinfo=UTC)


def iv(start: tuple[int, int], end: tuple[int, int]) -> Interval:
    return Interval(at(*start), at(*end))


@pytest.mark.parametrize(("start", "end"), [(at(10), at(10)), (at(11), at(10))])
def test_an_interval_must_end_after_it_starts(start: datetime, end: datetime) -> None:
    with pytest.raises(Invalid) as exc:
        Interval(start, end)
    assert [e.field for e in exc.value.errors] == ["end"]


def test_back_to_back_intervals_do_not_overlap() -> None:
    first, second = iv((9, 0), (9, 30)), iv((9, 30), (10, 0))
    assert not first.overlaps(second)
    assert not second.overlaps(first)


@pytest.mark.parametrize(
    "other",
    [
        iv((9, 29), (10, 0)),  # one minute of overlap
        iv((9, 0), (9, 30)),  # identical
        iv((9, 10), (9, 20)),  # inside
        iv((8, 0), (11, 0)),  # around
    ],
)
def test_intervals_sharing_any_instant_overlap(other: Interval) -> None:
    span = iv((9, 0), (9, 30))
    assert span.overlaps(other)
    assert other.overlaps(span)


def test_contains_accepts_equal_and_inner_spans_but_not_ones_that_stick_out() -> None:
    day = iv((9, 0), (17, 0))
    assert day.contains(iv((9, 0), (17, 0)))
    assert day.contains(iv((12, 0), (13, 0)))
    assert not day.contains(iv((16, 30), (17, 30)))
    assert not day.contains(iv((8, 59), (9, 30)))


def test_merge_sorts_and_joins_touching_and_overlapping_intervals() -> None:
    merged = merge(
        [
            iv((14, 0), (15, 0)),
            iv((9, 0), (10, 0)),
            iv((10, 0), (11, 0)),  # touches the one before
            iv((10, 30), (12, 0)),  # overlaps
            iv((9, 15), (9, 45)),  # swallowed
        ]
    )
    assert merged == [iv((9, 0), (12, 0)), iv((14, 0), (15, 0))]


def test_merge_of_nothing_is_empty() -> None:
    assert merge([]) == []


def test_a_span_over_touching_pieces_is_covered() -> None:
    cover = [iv((9, 0), (12, 0)), iv((12, 0), (17, 0))]
    assert covered(iv((11, 0), (13, 0)), cover)


def test_a_span_over_a_hole_is_not_covered() -> None:
    cover = [iv((9, 0), (12, 0)), iv((13, 0), (17, 0))]
    assert not covered(iv((11, 30), (13, 30)), cover)
    assert covered(iv((11, 0), (12, 0)), cover)
    assert not covered(iv((11, 0), (12, 0)), [])
