"""The strict parsers every face shares: ids, instants, dates and local wall times."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from appointd.domain.errors import Invalid, NotFound
from appointd.faces.shared.parsing import (
    MAX_ID,
    parse_date,
    parse_hhmm_compact,
    parse_id,
    parse_id_list,
    parse_instant,
    parse_instant_or_local,
    parse_local_datetime,
    parse_path_id,
    parse_wall_time,
)


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", 1), ("0012", 12), (7, 7), (str(MAX_ID), MAX_ID)]
)
def test_an_id_is_ascii_digits_or_an_integer_within_64_bits(raw: object, expected: int) -> None:
    assert parse_id(raw, field="locationId") == expected


@pytest.mark.parametrize(
    "raw",
    [
        "1_0",
        "\uff11\uff12",
        " 7",
        "7 ",
        "+7",
        "-7",
        "0",
        "",
        "1e3",
        "0x10",
        str(MAX_ID + 1),
        "9" * 40,
        True,
        False,
        0,
        -1,
        MAX_ID + 1,
        1.0,
        None,
        [1],
    ],
)
def test_anything_else_is_refused_naming_the_field(raw: object) -> None:
    with pytest.raises(Invalid) as caught:
        parse_id(raw, field="locationId")
    assert caught.value.errors[0].field == "locationId"


@pytest.mark.parametrize("raw", ["1_0", "\uff11\uff12", "0", str(MAX_ID + 1), "abc"])
def test_an_id_in_a_path_that_is_not_an_id_is_not_found(raw: str) -> None:
    with pytest.raises(NotFound):
        parse_path_id(raw, kind="client")


def test_an_id_list_is_a_bounded_comma_list_of_strict_ids() -> None:
    assert parse_id_list("1,2,3", field="staff_id") == [1, 2, 3]
    for bad in ["", "1,,2", "1,1_0", ",".join(["1"] * 101)]:
        with pytest.raises(Invalid) as caught:
            parse_id_list(bad, field="staff_id")
        assert caught.value.errors[0].field == "staff_id"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-05-04T09:00:00+02:00", datetime(2026, 5, 4, 7, tzinfo=UTC)),
        ("2026-05-04T07:00:00Z", datetime(2026, 5, 4, 7, tzinfo=UTC)),
        ("2026-05-04 07:00:00z", datetime(2026, 5, 4, 7, tzinfo=UTC)),
        ("2026-05-04T07:00Z", datetime(2026, 5, 4, 7, tzinfo=UTC)),
        ("2026-05-04T07:00:00.123456789-00:30", datetime(2026, 5, 4, 7, 30, 0, 123456, tzinfo=UTC)),
    ],
)
def test_an_instant_is_rfc_3339_with_its_offset(raw: str, expected: datetime) -> None:
    parsed = parse_instant(raw, field="start")
    assert parsed == expected
    assert parsed.utcoffset() is not None


def test_an_instant_keeps_the_offset_it_was_given() -> None:
    parsed = parse_instant("2026-05-04T09:00:00+02:00", field="start")
    assert parsed.tzinfo == timezone(timedelta(hours=2))


@pytest.mark.parametrize(
    "raw",
    [
        "0.5",
        0.5,
        1700000000,
        "1700000000",
        "2026-05-04",
        "2026-05-04T09:00:00",
        "2026-13-01T00:00Z",
        "2026-02-30T00:00Z",
        "2026-05-04T24:00:00Z",
        "2026-05-04T09:60Z",
        "2026-05-04T09:00:00+24:00",
        "1899-12-31T23:00:00Z",
        "9000-01-01T00:00:00Z",
        "\uff12\uff10\uff12\uff16-05-04T09:00Z",
        "2026-05-04T09:00:00+0200",
        "",
        None,
        True,
        "2026-05-04T09:00:00Z junk",
    ],
)
def test_anything_else_is_not_an_instant(raw: object) -> None:
    with pytest.raises(Invalid) as caught:
        parse_instant(raw, field="to")
    assert caught.value.errors[0].field == "to"


def test_a_local_date_time_has_no_offset_and_the_lenient_form_takes_either() -> None:
    assert parse_local_datetime("2026-05-04T09:30", field="start") == datetime(2026, 5, 4, 9, 30)
    with pytest.raises(Invalid):
        parse_local_datetime("2026-05-04T09:30Z", field="start")
    assert parse_instant_or_local("2026-05-04T09:30", field="start").tzinfo is None
    assert parse_instant_or_local("2026-05-04T09:30Z", field="start").tzinfo is UTC


def test_a_date_is_exactly_yyyy_mm_dd_in_years_1900_to_8999() -> None:
    assert parse_date("2026-12-24", field="date") == date(2026, 12, 24)
    for bad in [
        "20261224",
        "2026-W01-1",
        "2026-12-24T00:00",
        "1899-12-31",
        "9000-01-01",
        20261224,
        "2026-02-30",
        "\uff12\uff10\uff12\uff16-12-24",
    ]:
        with pytest.raises(Invalid):
            parse_date(bad, field="date")


def test_wall_times_are_hh_mm_and_timetap_hhmm() -> None:
    assert parse_wall_time("09:30", field="start") == 570
    assert parse_wall_time("24:00", field="end", allow_24=True) == 1440
    assert parse_hhmm_compact(930, field="startTime") == 570
    assert parse_hhmm_compact("0930", field="startTime") == 570
    assert parse_hhmm_compact(0, field="startTime") == 0
    assert parse_hhmm_compact(2400, field="endTime", allow_24=True) == 1440
    for bad in [2400, 960, -5, "9:30", "09:30", "\uff11\uff12\uff10\uff10", True, 12345, "12345"]:
        with pytest.raises(Invalid) as caught:
            parse_hhmm_compact(bad, field="startTime")
        assert caught.value.errors[0].field == "startTime"
    for bad in ["9:30", "24:00", "09:60", "\uff109:30", 930]:
        with pytest.raises(Invalid):
            parse_wall_time(bad, field="start")
