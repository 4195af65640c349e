"""Working time: weekly pattern with breaks, date overrides, validation, DST change days.

Expected instants are written out by hand (tzdata 2026 rules):

* America/New_York: EST -05:00 / EDT -04:00; Sunday 2026-03-08 02:00 -> 03:00,
  Sunday 2026-11-01 02:00 -> 01:00.
* Europe/London: GMT +00:00 / BST +01:00; Sunday 2026-03-29 01:00 -> 02:00,
  Sunday 2026-10-25 02:00 -> 01:00.
* Australia/Lord_Howe: +10:30 / +11:00; Sunday 2026-10-04 02:00 -> 02:30 (DST starts),
  Sunday 2026-04-05 02:00 -> 01:30 (DST ends).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from appointd.domain.errors import Invalid
from appointd.domain.intervals import Interval
from appointd.domain.working_hours import (
    DateOverride,
    TimeRange,
    WorkingCalendar,
    WorkingWeek,
    parse_override,
    parse_ranges,
)

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")

WEEKDAYS_9_TO_5 = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(1, 6)]
WEEKDAYS_WITH_LUNCH = [
    {"weekday": d, "start": s, "end": e}
    for d in range(1, 6)
    for s, e in (("09:00", "12:00"), ("13:00", "17:00"))
]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def span(start: datetime, end: datetime) -> Interval:
    return Interval(start, end)


def fields(exc: pytest.ExceptionInfo[Invalid]) -> list[str]:
    return [e.field for e in exc.value.errors]


def calendar(
    tz: ZoneInfo,
    week: Sequence[Mapping[str, Any]],
    overrides: Sequence[Mapping[str, Any]] = (),
) -> WorkingCalendar:
    parsed = [parse_override(o, tz, f"date_overrides[{i}]") for i, o in enumerate(overrides)]
    return WorkingCalendar(tz, WorkingWeek.parse(week), {o.date: o.ranges for o in parsed})


def utc_day(day: date) -> Interval:
    """``day`` from 00:00 to 24:00 UTC (holds a New York working day in winter)."""
    return Interval(
        datetime.combine(day, datetime.min.time(), UTC),
        datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC),
    )


def day_window(day: date) -> Interval:
    """Two days either side of ``day`` in UTC: wide enough for any zone's local day.

    Only for patterns that work on Sundays alone, so no other day falls inside.
    """
    return Interval(
        datetime.combine(day - timedelta(days=2), datetime.min.time(), UTC),
        datetime.combine(day + timedelta(days=2), datetime.min.time(), UTC),
    )


def sunday(tz: ZoneInfo, start: str, end: str) -> WorkingCalendar:
    # Every DST change day used here is a Sunday (ISO weekday 7).
    return calendar(tz, [{"weekday": 7, "start": start, "end": end}])


# --- parse_ranges ------------------------------------------------------------------------------


def test_parse_ranges_returns_sorted_ranges_in_minutes() -> None:
    ranges = parse_ranges(
        [{"start": "13:00", "end": "17:00"}, {"start": "09:00", "end": "12:00"}], "ranges"
    )
    assert ranges == (TimeRange(540, 720), TimeRange(780, 1020))


def test_touching_ranges_are_allowed() -> None:
    ranges = parse_ranges(
        [{"start": "09:00", "end": "12:00"}, {"start": "12:00", "end": "17:00"}], "ranges"
    )
    assert ranges == (TimeRange(540, 720), TimeRange(720, 1020))


def test_24_00_is_allowed_as_the_end_of_a_range() -> None:
    assert parse_ranges([{"start": "18:00", "end": "24:00"}], "ranges") == (TimeRange(1080, 1440),)


def test_24_00_is_refused_as_the_start_of_a_range() -> None:
    with pytest.raises(Invalid) as exc:
        parse_ranges([{"start": "24:00", "end": "24:00"}], "ranges")
    assert fields(exc) == ["ranges[0].start"]


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"start": "9:00", "end": "17:00"}, "ranges[0].start"),
        ({"start": "09:00", "end": "17:60"}, "ranges[0].end"),
        ({"start": "09:00", "end": "25:00"}, "ranges[0].end"),
        ({"end": "17:00"}, "ranges[0].start"),
        ({"start": "09:00"}, "ranges[0].end"),
        ({"start": "09:00", "end": "09:00"}, "ranges[0].end"),
        ({"start": "17:00", "end": "09:00"}, "ranges[0].end"),
    ],
)
def test_a_bad_range_is_invalid_naming_the_field(item: dict[str, str], field: str) -> None:
    with pytest.raises(Invalid) as exc:
        parse_ranges([item], "ranges")
    assert fields(exc) == [field]


def test_an_end_not_after_start_says_so() -> None:
    with pytest.raises(Invalid) as exc:
        parse_ranges([{"start": "12:00", "end": "11:00"}], "ranges")
    assert exc.value.errors[0].message == "must be after start"


def test_overlapping_ranges_are_invalid_naming_the_overlapping_range() -> None:
    with pytest.raises(Invalid) as exc:
        parse_ranges(
            [{"start": "09:00", "end": "12:00"}, {"start": "11:00", "end": "14:00"}], "ranges"
        )
    assert fields(exc) == ["ranges[1]"]
    assert "overlaps" in exc.value.errors[0].message


def test_every_bad_range_is_named_at_once() -> None:
    with pytest.raises(Invalid) as exc:
        parse_ranges(
            [
                {"start": "08:00", "end": "09:00"},
                {"start": "xx:00", "end": "10:00"},
                {"start": "12:00", "end": "12:00"},
            ],
            "ranges",
        )
    assert fields(exc) == ["ranges[1].start", "ranges[2].end"]


# --- WorkingWeek.parse -------------------------------------------------------------------------


def test_a_weekly_pattern_may_have_two_ranges_a_day_leaving_a_break() -> None:
    week = WorkingWeek.parse(WEEKDAYS_WITH_LUNCH)
    assert sorted(week.days) == [1, 2, 3, 4, 5]
    assert week.days[3] == (TimeRange(540, 720), TimeRange(780, 1020))


def test_a_weekly_pattern_round_trips_through_to_list() -> None:
    raw = [
        {"weekday": 1, "start": "09:00", "end": "12:00"},
        {"weekday": 1, "start": "13:00", "end": "17:00"},
        {"weekday": 6, "start": "10:00", "end": "24:00"},
    ]
    assert WorkingWeek.parse(raw).to_list() == raw


@pytest.mark.parametrize("weekday", [0, 8, -1, "1", None, True, 1.0])
def test_a_weekday_outside_1_to_7_is_invalid_naming_the_field(weekday: object) -> None:
    raw = [
        {"weekday": 1, "start": "09:00", "end": "17:00"},
        {"weekday": weekday, "start": "09:00", "end": "17:00"},
    ]
    with pytest.raises(Invalid) as exc:
        WorkingWeek.parse(raw)
    assert fields(exc) == ["working_hours[1].weekday"]


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"weekday": 2, "start": "9:00", "end": "17:00"}, "working_hours[1].start"),
        ({"weekday": 2, "start": "09:00", "end": "24:30"}, "working_hours[1].end"),
        ({"weekday": 2, "start": "24:00", "end": "24:00"}, "working_hours[1].start"),
        ({"weekday": 2, "start": "17:00", "end": "09:00"}, "working_hours[1].end"),
    ],
)
def test_a_bad_weekly_range_is_invalid_naming_the_field(
    item: dict[str, object], field: str
) -> None:
    raw = [{"weekday": 1, "start": "09:00", "end": "17:00"}, item]
    with pytest.raises(Invalid) as exc:
        WorkingWeek.parse(raw)
    assert fields(exc) == [field]


def test_overlapping_ranges_on_one_weekday_are_invalid() -> None:
    raw = [
        {"weekday": 2, "start": "09:00", "end": "12:00"},
        {"weekday": 2, "start": "11:30", "end": "17:00"},
    ]
    with pytest.raises(Invalid) as exc:
        WorkingWeek.parse(raw, "staff.working_hours")
    assert fields(exc) == ["staff.working_hours[1]"]
    assert "weekday 2" in exc.value.errors[0].message


def test_the_same_range_on_different_weekdays_is_not_an_overlap() -> None:
    week = WorkingWeek.parse(WEEKDAYS_9_TO_5)
    assert all(week.days[d] == (TimeRange(540, 1020),) for d in range(1, 6))


def test_the_field_name_prefixes_every_error() -> None:
    with pytest.raises(Invalid) as exc:
        WorkingWeek.parse([{"weekday": 9, "start": "09:00", "end": "17:00"}], "hours")
    assert fields(exc) == ["hours[0].weekday"]


# --- parse_override ----------------------------------------------------------------------------


def test_an_override_parses_its_date_and_ranges() -> None:
    override = parse_override(
        {"date": "2026-01-12", "ranges": [{"start": "10:00", "end": "14:00"}]},
        NEW_YORK,
        "date_overrides[0]",
    )
    assert override == DateOverride(date(2026, 1, 12), (TimeRange(600, 840),))
    assert override.as_dict() == {
        "date": "2026-01-12",
        "ranges": [{"start": "10:00", "end": "14:00"}],
    }


@pytest.mark.parametrize("raw", [{"date": "2026-01-12", "ranges": []}, {"date": "2026-01-12"}])
def test_an_override_without_ranges_is_a_day_off(raw: dict[str, object]) -> None:
    assert parse_override(raw, NEW_YORK, "date_overrides[0]").ranges == ()


@pytest.mark.parametrize("value", ["2026-02-30", "12/01/2026", "", None, 20260112])
def test_an_override_with_a_bad_date_is_invalid_naming_the_field(value: object) -> None:
    with pytest.raises(Invalid) as exc:
        parse_override({"date": value, "ranges": []}, NEW_YORK, "date_overrides[2]")
    assert fields(exc) == ["date_overrides[2].date"]


def test_an_override_with_a_bad_range_names_the_range_field() -> None:
    raw = {
        "date": "2026-01-12",
        "ranges": [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "12:30"}],
    }
    with pytest.raises(Invalid) as exc:
        parse_override(raw, NEW_YORK, "date_overrides[1]")
    assert fields(exc) == ["date_overrides[1].ranges[1].end"]


@pytest.mark.parametrize(
    ("tz", "day", "start", "end", "field"),
    [
        (NEW_YORK, "2026-03-08", "02:30", "05:00", "date_overrides[0].ranges[0].start"),
        (NEW_YORK, "2026-03-08", "00:00", "02:30", "date_overrides[0].ranges[0].end"),
        (LONDON, "2026-03-29", "01:30", "05:00", "date_overrides[0].ranges[0].start"),
        (LORD_HOWE, "2026-10-04", "02:15", "05:00", "date_overrides[0].ranges[0].start"),
        (LORD_HOWE, "2026-10-04", "00:00", "02:00", "date_overrides[0].ranges[0].end"),
    ],
)
def test_an_override_boundary_inside_that_dates_gap_is_refused_naming_the_field(
    tz: ZoneInfo, day: str, start: str, end: str, field: str
) -> None:
    raw = {"date": day, "ranges": [{"start": start, "end": end}]}
    with pytest.raises(Invalid) as exc:
        parse_override(raw, tz, "date_overrides[0]")
    assert fields(exc) == [field]
    assert "DST gap" in exc.value.errors[0].message


@pytest.mark.parametrize(
    ("tz", "day", "start", "end"),
    [
        (NEW_YORK, "2026-03-15", "02:30", "05:00"),  # the same times a week later exist
        (NEW_YORK, "2026-03-08", "00:00", "03:00"),  # 03:00 is the first minute after the gap
        (NEW_YORK, "2026-03-08", "18:00", "24:00"),
        (NEW_YORK, "2026-11-01", "01:30", "05:00"),  # a fold time is ambiguous, not missing
        (LORD_HOWE, "2026-10-11", "02:15", "05:00"),
        (LORD_HOWE, "2026-10-04", "02:30", "05:00"),  # the Lord Howe gap is only 30 minutes
        (LORD_HOWE, "2026-04-05", "01:45", "05:00"),
    ],
)
def test_an_override_with_times_that_exist_that_day_is_accepted(
    tz: ZoneInfo, day: str, start: str, end: str
) -> None:
    raw = {"date": day, "ranges": [{"start": start, "end": end}]}
    assert len(parse_override(raw, tz, "date_overrides[0]").ranges) == 1


def test_a_gap_error_names_the_range_at_its_input_position() -> None:
    # Was a bug (src/appointd/domain/working_hours.py, parse_override): the gap check enumerates the
    # ranges *after* parse_ranges has sorted them, so the index in the field path is the sorted
    # position, not the position in the request. Here the bad range is the second one sent
    # (ranges[1]) but the error names date_overrides[0].ranges[0].start.
    raw = {
        "date": "2026-03-08",
        "ranges": [{"start": "10:00", "end": "12:00"}, {"start": "02:30", "end": "05:00"}],
    }
    with pytest.raises(Invalid) as exc:
        parse_override(raw, NEW_YORK, "date_overrides[0]")
    assert fields(exc) == ["date_overrides[0].ranges[1].start"]


# --- WorkingCalendar on ordinary days ----------------------------------------------------------

# Wednesday 2026-01-14 in New York is EST (-05:00).
WEDNESDAY = date(2026, 1, 14)


def test_a_working_day_becomes_one_utc_interval() -> None:
    cal = calendar(NEW_YORK, WEEKDAYS_9_TO_5)
    assert cal.intervals(utc_day(WEDNESDAY)) == [
        span(utc(2026, 1, 14, 14, 0), utc(2026, 1, 14, 22, 0))
    ]


def test_a_day_with_a_break_becomes_two_intervals() -> None:
    cal = calendar(NEW_YORK, WEEKDAYS_WITH_LUNCH)
    assert cal.intervals(utc_day(WEDNESDAY)) == [
        span(utc(2026, 1, 14, 14, 0), utc(2026, 1, 14, 17, 0)),
        span(utc(2026, 1, 14, 18, 0), utc(2026, 1, 14, 22, 0)),
    ]


def test_intervals_are_clipped_to_the_window() -> None:
    cal = calendar(NEW_YORK, WEEKDAYS_9_TO_5)
    window = span(utc(2026, 1, 14, 20, 0), utc(2026, 1, 15, 15, 0))
    assert cal.intervals(window) == [
        span(utc(2026, 1, 14, 20, 0), utc(2026, 1, 14, 22, 0)),
        span(utc(2026, 1, 15, 14, 0), utc(2026, 1, 15, 15, 0)),
    ]


def test_intervals_over_several_days_skip_days_off() -> None:
    cal = calendar(NEW_YORK, WEEKDAYS_9_TO_5)
    # Friday 2026-01-16 to Monday 2026-01-19: Saturday and Sunday are off.
    window = span(utc(2026, 1, 16, 0, 0), utc(2026, 1, 20, 0, 0))
    assert cal.intervals(window) == [
        span(utc(2026, 1, 16, 14, 0), utc(2026, 1, 16, 22, 0)),
        span(utc(2026, 1, 19, 14, 0), utc(2026, 1, 19, 22, 0)),
    ]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ((14, 0), (17, 0), True),  # the whole morning
        ((16, 0), (17, 0), True),  # ends exactly when the break starts
        ((18, 0), (19, 0), True),  # starts exactly when the break ends
        ((16, 30), (17, 30), False),  # runs into the break
        ((16, 30), (18, 30), False),  # spans the break
        ((13, 30), (14, 30), False),  # starts before work
        ((21, 30), (22, 30), False),  # ends after work
    ],
)
def test_covers_refuses_a_span_across_a_break_or_outside_the_day(
    start: tuple[int, int], end: tuple[int, int], expected: bool
) -> None:
    cal = calendar(NEW_YORK, WEEKDAYS_WITH_LUNCH)
    assert cal.covers(span(utc(2026, 1, 14, *start), utc(2026, 1, 14, *end))) is expected


def test_an_override_replaces_the_weekly_pattern_for_its_date() -> None:
    cal = calendar(
        NEW_YORK,
        WEEKDAYS_WITH_LUNCH,
        [{"date": "2026-01-14", "ranges": [{"start": "10:00", "end": "14:00"}]}],
    )
    assert cal.intervals(utc_day(WEDNESDAY)) == [
        span(utc(2026, 1, 14, 15, 0), utc(2026, 1, 14, 19, 0))
    ]
    # 09:00 local is no longer working time; 12:30 (the old lunch break) now is.
    assert not cal.covers(span(utc(2026, 1, 14, 14, 0), utc(2026, 1, 14, 15, 0)))
    assert cal.covers(span(utc(2026, 1, 14, 17, 0), utc(2026, 1, 14, 18, 0)))


def test_an_override_only_affects_its_own_date() -> None:
    cal = calendar(
        NEW_YORK,
        WEEKDAYS_9_TO_5,
        [{"date": "2026-01-14", "ranges": [{"start": "10:00", "end": "14:00"}]}],
    )
    assert cal.covers(span(utc(2026, 1, 13, 14, 0), utc(2026, 1, 13, 22, 0)))
    assert cal.covers(span(utc(2026, 1, 15, 14, 0), utc(2026, 1, 15, 22, 0)))


def test_an_override_with_no_ranges_makes_the_date_a_day_off() -> None:
    cal = calendar(NEW_YORK, WEEKDAYS_9_TO_5, [{"date": "2026-01-14", "ranges": []}])
    assert cal.intervals(utc_day(WEDNESDAY)) == []
    assert cal.ranges_on(WEDNESDAY) == ()
    assert not cal.covers(span(utc(2026, 1, 14, 15, 0), utc(2026, 1, 14, 16, 0)))


def test_an_override_can_make_a_day_off_a_working_day() -> None:
    cal = calendar(
        NEW_YORK,
        WEEKDAYS_9_TO_5,
        [{"date": "2026-01-17", "ranges": [{"start": "10:00", "end": "12:00"}]}],
    )
    assert cal.intervals(utc_day(date(2026, 1, 17))) == [
        span(utc(2026, 1, 17, 15, 0), utc(2026, 1, 17, 17, 0))
    ]


def test_ranges_meeting_at_midnight_make_one_overnight_stretch() -> None:
    cal = calendar(
        LONDON,
        [
            {"weekday": 5, "start": "20:00", "end": "24:00"},
            {"weekday": 6, "start": "00:00", "end": "04:00"},
        ],
    )
    window = span(utc(2026, 1, 16, 0, 0), utc(2026, 1, 18, 0, 0))
    assert cal.intervals(window) == [span(utc(2026, 1, 16, 20, 0), utc(2026, 1, 17, 4, 0))]
    assert cal.covers(span(utc(2026, 1, 16, 23, 0), utc(2026, 1, 17, 1, 0)))


# --- WorkingCalendar on DST change days --------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "day", "start", "end"),
    [
        # ordinary Sundays, for comparison
        (NEW_YORK, date(2026, 3, 1), utc(2026, 3, 1, 14, 0), utc(2026, 3, 1, 22, 0)),
        (LONDON, date(2026, 3, 22), utc(2026, 3, 22, 9, 0), utc(2026, 3, 22, 17, 0)),
        (LORD_HOWE, date(2026, 9, 27), utc(2026, 9, 26, 22, 30), utc(2026, 9, 27, 6, 30)),
        # spring forward: the working day is already on summer time
        (NEW_YORK, date(2026, 3, 8), utc(2026, 3, 8, 13, 0), utc(2026, 3, 8, 21, 0)),
        (LONDON, date(2026, 3, 29), utc(2026, 3, 29, 8, 0), utc(2026, 3, 29, 16, 0)),
        (LORD_HOWE, date(2026, 10, 4), utc(2026, 10, 3, 22, 0), utc(2026, 10, 4, 6, 0)),
        # fall back: the working day is already on standard time
        (NEW_YORK, date(2026, 11, 1), utc(2026, 11, 1, 14, 0), utc(2026, 11, 1, 22, 0)),
        (LONDON, date(2026, 10, 25), utc(2026, 10, 25, 9, 0), utc(2026, 10, 25, 17, 0)),
        (LORD_HOWE, date(2026, 4, 5), utc(2026, 4, 4, 22, 30), utc(2026, 4, 5, 6, 30)),
    ],
)
def test_a_9_to_5_day_stays_9_to_5_local_and_8_hours_long_on_dst_change_days(
    tz: ZoneInfo, day: date, start: datetime, end: datetime
) -> None:
    cal = sunday(tz, "09:00", "17:00")
    intervals = cal.intervals(day_window(day))
    assert intervals == [span(start, end)]
    assert intervals[0].end - intervals[0].start == timedelta(hours=8)
    assert intervals[0].start.astimezone(tz).time().isoformat() == "09:00:00"
    assert intervals[0].end.astimezone(tz).time().isoformat() == "17:00:00"


@pytest.mark.parametrize(
    ("tz", "day", "start", "end", "length"),
    [
        # midnight is on standard time, noon on summer time
        (NEW_YORK, date(2026, 3, 8), utc(2026, 3, 8, 5, 0), utc(2026, 3, 8, 16, 0), 11 * 60),
        (LONDON, date(2026, 3, 29), utc(2026, 3, 29, 0, 0), utc(2026, 3, 29, 11, 0), 11 * 60),
        (
            LORD_HOWE,
            date(2026, 10, 4),
            utc(2026, 10, 3, 13, 30),
            utc(2026, 10, 4, 1, 0),
            11 * 60 + 30,
        ),
    ],
)
def test_a_range_across_the_gap_is_shorter_by_the_gap_length(
    tz: ZoneInfo, day: date, start: datetime, end: datetime, length: int
) -> None:
    intervals = sunday(tz, "00:00", "12:00").intervals(day_window(day))
    assert intervals == [span(start, end)]
    assert intervals[0].end - intervals[0].start == timedelta(minutes=length)


@pytest.mark.parametrize(
    ("tz", "day", "start", "end", "length"),
    [
        # midnight is on summer time, noon on standard time
        (NEW_YORK, date(2026, 11, 1), utc(2026, 11, 1, 4, 0), utc(2026, 11, 1, 17, 0), 13 * 60),
        (LONDON, date(2026, 10, 25), utc(2026, 10, 24, 23, 0), utc(2026, 10, 25, 12, 0), 13 * 60),
        (
            LORD_HOWE,
            date(2026, 4, 5),
            utc(2026, 4, 4, 13, 0),
            utc(2026, 4, 5, 1, 30),
            12 * 60 + 30,
        ),
    ],
)
def test_a_range_across_the_fold_is_longer_by_the_fold_length(
    tz: ZoneInfo, day: date, start: datetime, end: datetime, length: int
) -> None:
    intervals = sunday(tz, "00:00", "12:00").intervals(day_window(day))
    assert intervals == [span(start, end)]
    assert intervals[0].end - intervals[0].start == timedelta(minutes=length)


@pytest.mark.parametrize(
    ("tz", "day", "start", "end"),
    [
        (NEW_YORK, date(2026, 3, 8), utc(2026, 3, 8, 5, 0), utc(2026, 3, 9, 4, 0)),  # 23 h
        (NEW_YORK, date(2026, 11, 1), utc(2026, 11, 1, 4, 0), utc(2026, 11, 2, 5, 0)),  # 25 h
        (LORD_HOWE, date(2026, 10, 4), utc(2026, 10, 3, 13, 30), utc(2026, 10, 4, 13, 0)),  # 23.5
        (LORD_HOWE, date(2026, 4, 5), utc(2026, 4, 4, 13, 0), utc(2026, 4, 5, 13, 30)),  # 24.5
    ],
)
def test_a_whole_day_range_has_the_length_of_that_local_day(
    tz: ZoneInfo, day: date, start: datetime, end: datetime
) -> None:
    assert sunday(tz, "00:00", "24:00").intervals(day_window(day)) == [span(start, end)]


@pytest.mark.parametrize(
    ("tz", "day", "start", "end", "shifted_start", "shifted_end"),
    [
        # 02:30 -> 03:30 EDT (07:30 UTC); 05:00 EDT is 09:00 UTC.
        (
            NEW_YORK,
            date(2026, 3, 8),
            "02:30",
            "05:00",
            utc(2026, 3, 8, 7, 30),
            utc(2026, 3, 8, 9, 0),
        ),
        # 02:15 -> 02:45 at +11:00 (15:45 UTC the day before); 04:00 at +11:00 is 17:00 UTC.
        (
            LORD_HOWE,
            date(2026, 10, 4),
            "02:15",
            "04:00",
            utc(2026, 10, 3, 15, 45),
            utc(2026, 10, 3, 17, 0),
        ),
    ],
)
def test_a_weekly_range_starting_in_the_gap_is_shifted_forward_by_the_gap_length(
    tz: ZoneInfo,
    day: date,
    start: str,
    end: str,
    shifted_start: datetime,
    shifted_end: datetime,
) -> None:
    assert sunday(tz, start, end).intervals(day_window(day)) == [span(shifted_start, shifted_end)]


def test_a_dst_day_override_becomes_local_wall_time() -> None:
    cal = calendar(
        LORD_HOWE,
        [],
        [{"date": "2026-10-04", "ranges": [{"start": "01:00", "end": "04:00"}]}],
    )
    # 01:00 is still +10:30 (14:30 UTC the day before); 04:00 is +11:00 (17:00 UTC): 2.5 hours.
    assert cal.intervals(day_window(date(2026, 10, 4))) == [
        span(utc(2026, 10, 3, 14, 30), utc(2026, 10, 3, 17, 0))
    ]


def test_working_time_after_a_range_shifted_out_of_the_gap_is_kept() -> None:
    # Was a bug (WorkingCalendar.intervals merged spans assuming UTC order). With the Sunday
    # pattern 02:15-02:45 + 03:00-04:00 in New York on 2026-03-08, the first range is shifted out
    # of the gap to 03:15-03:45 EDT and the second is 03:00-04:00 EDT; their union is
    # 07:00-08:00 UTC, and a booking at 03:00-03:30 EDT must fit.
    cal = calendar(
        NEW_YORK,
        [
            {"weekday": 7, "start": "02:15", "end": "02:45"},
            {"weekday": 7, "start": "03:00", "end": "04:00"},
        ],
    )
    assert cal.intervals(day_window(date(2026, 3, 8))) == [
        span(utc(2026, 3, 8, 7, 0), utc(2026, 3, 8, 8, 0))
    ]
    assert cal.covers(span(utc(2026, 3, 8, 7, 0), utc(2026, 3, 8, 7, 30)))


@pytest.mark.parametrize(
    "text", ["20300101", "2030-W01-1", "2030-1-01", "\uff11\uff12\uff13\uff14-01-01", "1899-12-31"]
)
def test_an_override_date_must_be_plain_yyyy_mm_dd_within_supported_years(text: str) -> None:
    with pytest.raises(Invalid) as exc:
        parse_override({"date": text, "ranges": []}, ZoneInfo("Europe/London"), "date_overrides[0]")
    assert [e.field for e in exc.value.errors] == ["date_overrides[0].date"]
