"""Wall-clock time: zones, DST gaps and folds, local -> UTC, HH:MM.

Expected instants are written out by hand (tzdata 2026 rules):

* America/New_York: EST -05:00 / EDT -04:00; 2026-03-08 02:00 -> 03:00, 2026-11-01 02:00 -> 01:00.
* Europe/London: GMT +00:00 / BST +01:00; 2026-03-29 01:00 -> 02:00, 2026-10-25 02:00 -> 01:00.
* Australia/Lord_Howe: +10:30 / +11:00 (a 30-minute shift); 2026-10-04 02:00 -> 02:30,
  2026-04-05 02:00 -> 01:30.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from appointd.domain.errors import Invalid
from appointd.domain.wallclock import (
    as_utc,
    format_hhmm,
    in_gap,
    is_valid_zone,
    local_to_instant,
    parse_hhmm,
    to_instant,
    zone,
)

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def fields(exc: pytest.ExceptionInfo[Invalid]) -> list[str]:
    return [e.field for e in exc.value.errors]


# --- zones -------------------------------------------------------------------------------------


def test_a_known_zone_is_returned_by_its_iana_name() -> None:
    assert zone("Europe/London").key == "Europe/London"
    assert zone("UTC").key == "UTC"


@pytest.mark.parametrize(
    "name",
    [
        "Mars/Olympus_Mons",
        "",
        "Europe/London ",
        "America",  # a directory of the zone database, not a zone
        "../etc/passwd",
        "/etc/localtime",
        "zone1970.tab",  # a file of the zone database that is not a zone
        None,
    ],
)
def test_an_unknown_time_zone_is_invalid_naming_the_field(name: object) -> None:
    with pytest.raises(Invalid) as exc:
        zone(name, field="locations[0].time_zone")  # type: ignore[arg-type]
    assert fields(exc) == ["locations[0].time_zone"]
    assert "unknown time zone" in exc.value.errors[0].message


def test_an_unknown_time_zone_names_time_zone_by_default() -> None:
    with pytest.raises(Invalid) as exc:
        zone("Nowhere/Atlantis")
    assert fields(exc) == ["time_zone"]


def test_is_valid_zone_tells_known_from_unknown_zones() -> None:
    assert is_valid_zone("Australia/Lord_Howe")
    assert not is_valid_zone("Australia/Lord_Howard")


# --- gaps --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "local", "expected"),
    [
        (NEW_YORK, datetime(2026, 3, 8, 1, 59), False),
        (NEW_YORK, datetime(2026, 3, 8, 2, 0), True),
        (NEW_YORK, datetime(2026, 3, 8, 2, 30), True),
        (NEW_YORK, datetime(2026, 3, 8, 2, 59), True),
        (NEW_YORK, datetime(2026, 3, 8, 3, 0), False),
        (NEW_YORK, datetime(2026, 3, 9, 2, 30), False),  # the day after: an ordinary time
        (NEW_YORK, datetime(2026, 11, 1, 1, 30), False),  # a fold is not a gap
        (LONDON, datetime(2026, 3, 29, 0, 59), False),
        (LONDON, datetime(2026, 3, 29, 1, 0), True),
        (LONDON, datetime(2026, 3, 29, 1, 30), True),
        (LONDON, datetime(2026, 3, 29, 2, 0), False),
        (LONDON, datetime(2026, 10, 25, 1, 30), False),
        (LORD_HOWE, datetime(2026, 10, 4, 1, 59), False),
        (LORD_HOWE, datetime(2026, 10, 4, 2, 0), True),
        (LORD_HOWE, datetime(2026, 10, 4, 2, 29), True),
        (LORD_HOWE, datetime(2026, 10, 4, 2, 30), False),  # the gap is only 30 minutes long
        (LORD_HOWE, datetime(2026, 4, 5, 1, 45), False),
    ],
)
def test_in_gap_is_true_only_for_wall_times_that_do_not_exist(
    tz: ZoneInfo, local: datetime, expected: bool
) -> None:
    assert in_gap(local, tz) is expected


@pytest.mark.parametrize(
    ("tz", "local"),
    [
        (NEW_YORK, datetime(2026, 3, 8, 2, 30)),
        (LONDON, datetime(2026, 3, 29, 1, 30)),
        (LORD_HOWE, datetime(2026, 10, 4, 2, 15)),
    ],
)
def test_strict_to_instant_refuses_a_time_in_the_gap_naming_the_field(
    tz: ZoneInfo, local: datetime
) -> None:
    with pytest.raises(Invalid) as exc:
        to_instant(local, tz, strict=True, field="appointment.start")
    assert fields(exc) == ["appointment.start"]
    assert "DST gap" in exc.value.errors[0].message


def test_to_instant_is_strict_by_default() -> None:
    with pytest.raises(Invalid) as exc:
        to_instant(datetime(2026, 3, 8, 2, 30), NEW_YORK)
    assert fields(exc) == ["start"]


@pytest.mark.parametrize(
    ("tz", "local", "expected"),
    [
        # 02:30 EST does not exist; it becomes 03:30 EDT = 07:30 UTC (moved forward one hour).
        (NEW_YORK, datetime(2026, 3, 8, 2, 30), utc(2026, 3, 8, 7, 30)),
        # 01:30 GMT does not exist; it becomes 02:30 BST = 01:30 UTC.
        (LONDON, datetime(2026, 3, 29, 1, 30), utc(2026, 3, 29, 1, 30)),
        # 02:15 at +10:30 does not exist; it becomes 02:45 at +11:00 = 15:45 UTC the day before.
        (LORD_HOWE, datetime(2026, 10, 4, 2, 15), utc(2026, 10, 3, 15, 45)),
    ],
)
def test_lenient_to_instant_moves_a_gap_time_forward_by_the_gap_length(
    tz: ZoneInfo, local: datetime, expected: datetime
) -> None:
    assert to_instant(local, tz, strict=False) == expected


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize(
    ("tz", "local", "first", "second"),
    [
        # 01:30 happens at EDT (05:30 UTC) and again at EST (06:30 UTC).
        (NEW_YORK, datetime(2026, 11, 1, 1, 30), utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30)),
        # 01:30 happens at BST (00:30 UTC) and again at GMT (01:30 UTC).
        (LONDON, datetime(2026, 10, 25, 1, 30), utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30)),
        # 01:45 happens at +11:00 (14:45 UTC) and again at +10:30 (15:15 UTC).
        (LORD_HOWE, datetime(2026, 4, 5, 1, 45), utc(2026, 4, 4, 14, 45), utc(2026, 4, 4, 15, 15)),
    ],
)
def test_an_ambiguous_time_takes_its_first_occurrence(
    tz: ZoneInfo, local: datetime, first: datetime, second: datetime, strict: bool
) -> None:
    assert to_instant(local, tz, strict=strict) == first
    assert to_instant(local.replace(fold=1), tz, strict=strict) == first
    assert first != second


@pytest.mark.parametrize(
    ("tz", "local", "expected"),
    [
        (NEW_YORK, datetime(2026, 1, 14, 9, 0), utc(2026, 1, 14, 14, 0)),
        (NEW_YORK, datetime(2026, 7, 14, 9, 0), utc(2026, 7, 14, 13, 0)),
        (LONDON, datetime(2026, 1, 14, 9, 0), utc(2026, 1, 14, 9, 0)),
        (LONDON, datetime(2026, 7, 14, 9, 0), utc(2026, 7, 14, 8, 0)),
        (LORD_HOWE, datetime(2026, 1, 14, 9, 0), utc(2026, 1, 13, 22, 0)),
        (LORD_HOWE, datetime(2026, 7, 14, 9, 0), utc(2026, 7, 13, 22, 30)),
    ],
)
def test_an_ordinary_wall_time_converts_with_that_dates_offset(
    tz: ZoneInfo, local: datetime, expected: datetime
) -> None:
    result = to_instant(local, tz)
    assert result == expected
    assert result.utcoffset() == timedelta(0)


# --- local_to_instant --------------------------------------------------------------------------


def test_minute_1440_is_the_next_local_midnight() -> None:
    # Midnight starting 2026-03-08 in New York is still EST.
    assert local_to_instant(date(2026, 3, 7), 1440, NEW_YORK) == utc(2026, 3, 8, 5, 0)
    # Midnight ending the spring-forward day is EDT: that day has 23 hours.
    assert local_to_instant(date(2026, 3, 8), 1440, NEW_YORK) == utc(2026, 3, 9, 4, 0)


def test_local_to_instant_is_lenient_by_default_and_strict_on_request() -> None:
    assert local_to_instant(date(2026, 3, 8), 150, NEW_YORK) == utc(2026, 3, 8, 7, 30)
    with pytest.raises(Invalid) as exc:
        local_to_instant(date(2026, 3, 8), 150, NEW_YORK, strict=True, field="slots[0].start")
    assert fields(exc) == ["slots[0].start"]


# --- as_utc ------------------------------------------------------------------------------------


def test_as_utc_converts_an_aware_value_to_utc() -> None:
    value = datetime(2026, 5, 4, 9, 0, tzinfo=timezone(timedelta(hours=2)))
    result = as_utc(value, NEW_YORK)  # the zone is ignored for aware values
    assert result == utc(2026, 5, 4, 7, 0)
    assert result.tzinfo is UTC


def test_as_utc_keeps_an_aware_utc_value() -> None:
    assert as_utc(utc(2026, 5, 4, 7, 0)) == utc(2026, 5, 4, 7, 0)


def test_as_utc_reads_a_naive_value_as_wall_time_in_the_zone() -> None:
    assert as_utc(datetime(2026, 7, 1, 9, 0), LONDON) == utc(2026, 7, 1, 8, 0)


def test_as_utc_refuses_a_naive_value_without_a_zone_naming_the_field() -> None:
    with pytest.raises(Invalid) as exc:
        as_utc(datetime(2026, 5, 4, 9, 0), None, field="end")
    assert fields(exc) == ["end"]
    assert "offset" in exc.value.errors[0].message


def test_as_utc_refuses_a_naive_value_in_a_gap_naming_the_field() -> None:
    with pytest.raises(Invalid) as exc:
        as_utc(datetime(2026, 10, 4, 2, 10), LORD_HOWE, field="start")
    assert fields(exc) == ["start"]


def test_as_utc_takes_the_first_occurrence_of_an_ambiguous_naive_value() -> None:
    assert as_utc(datetime(2026, 11, 1, 1, 30), NEW_YORK) == utc(2026, 11, 1, 5, 30)


# --- HH:MM -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("00:00", 0), ("00:01", 1), ("09:30", 570), ("12:00", 720), ("23:59", 1439)],
)
def test_parse_hhmm_gives_minutes_after_midnight(text: str, minutes: int) -> None:
    assert parse_hhmm(text, "start") == minutes


def test_24_00_is_accepted_only_when_allowed() -> None:
    assert parse_hhmm("24:00", "end", allow_24=True) == 1440
    with pytest.raises(Invalid) as exc:
        parse_hhmm("24:00", "start")
    assert fields(exc) == ["start"]


@pytest.mark.parametrize(
    "text",
    [
        "9:00",
        "09:0",
        "0900",
        "09-00",
        "09:00:00",
        "24:01",
        "23:60",
        "25:00",
        "99:99",
        "ab:cd",
        " 9:00",
        "+9:00",
        "-1:00",
        "",
        None,
        900,
    ],
)
def test_parse_hhmm_refuses_anything_but_hh_mm_naming_the_field(text: object) -> None:
    with pytest.raises(Invalid) as exc:
        parse_hhmm(text, "ranges[3].end", allow_24=True)  # type: ignore[arg-type]
    assert fields(exc) == ["ranges[3].end"]


def test_parse_hhmm_refuses_non_ascii_digits_as_invalid() -> None:
    # Was a bug (src/appointd/domain/wallclock.py, parse_hhmm): str.isdigit() accepts superscript
    # digits such as "²", which int() cannot parse, so "0²:00" escapes as a bare ValueError
    # instead of Invalid naming the field (a face would answer 500 instead of 422).
    with pytest.raises(Invalid) as exc:
        parse_hhmm("0²:00", "start")
    assert fields(exc) == ["start"]


@pytest.mark.parametrize(("minutes", "text"), [(0, "00:00"), (570, "09:30"), (1440, "24:00")])
def test_format_hhmm_is_the_inverse_of_parse_hhmm(minutes: int, text: str) -> None:
    assert format_hhmm(minutes) == text
    assert parse_hhmm(text, "x", allow_24=True) == minutes
