"""Recurrence rules and the in-memory check of many occurrences, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from appointd.domain import booking, occurrences
from appointd.domain.errors import Invalid, SlotTaken
from appointd.domain.intervals import Interval
from appointd.domain.model import Block, Service
from appointd.domain.occurrences import BlockIndex, Planned
from appointd.domain.recurrence import MAX_OCCURRENCES, expand, parse_rule
from appointd.domain.working_hours import WorkingCalendar, WorkingWeek

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")


def occurrences_of(text: str, first: datetime, tz: ZoneInfo = LONDON) -> list[datetime]:
    return expand(parse_rule(text, tz), first)


def refusal(text: str, first: datetime = datetime(2030, 1, 7, 9)) -> str:
    with pytest.raises(Invalid) as info:
        occurrences_of(text, first)
    [error] = info.value.errors
    assert error.field == "recurrence.rrule"
    return error.message


# -- parsing and expanding --------------------------------------------------------------------


def test_a_weekly_rule_on_two_weekdays_yields_count_occurrences_on_those_days():
    found = occurrences_of("FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,WE;COUNT=10", datetime(2030, 1, 7, 9))
    assert len(found) == 10
    assert {d.isoweekday() for d in found} == {1, 3}
    assert found[0] == datetime(2030, 1, 7, 9)
    assert found[-1] == datetime(2030, 2, 6, 9)


def test_the_rrule_prefix_and_lower_case_are_accepted():
    assert len(occurrences_of("RRULE:freq=daily;count=3", datetime(2030, 1, 7, 9))) == 3


def test_occurrences_keep_their_local_wall_time_across_a_dst_change():
    found = occurrences_of("FREQ=WEEKLY;BYDAY=MO;COUNT=3", datetime(2030, 3, 4, 9), NY)
    instants = [occurrences.instant(d, NY) for d in found]
    # New York springs forward on Sunday 10 March 2030: 09:00 EST is 14:00 UTC, EDT 13:00 UTC.
    assert instants == [
        datetime(2030, 3, 4, 14, tzinfo=UTC),
        datetime(2030, 3, 11, 13, tzinfo=UTC),
        datetime(2030, 3, 18, 13, tzinfo=UTC),
    ]


def test_an_occurrence_in_a_dst_gap_has_no_instant():
    found = occurrences_of("FREQ=DAILY;COUNT=3", datetime(2030, 3, 9, 2, 30), NY)
    assert [occurrences.instant(d, NY) is None for d in found] == [False, True, False]


def test_until_as_a_date_includes_that_whole_local_day():
    found = occurrences_of("FREQ=DAILY;UNTIL=20300109", datetime(2030, 1, 7, 18))
    assert [d.day for d in found] == [7, 8, 9]


def test_until_in_utc_is_read_in_the_locations_zone():
    # 2030-01-09T03:00Z is still the evening of 8 January in New York.
    found = occurrences_of("FREQ=DAILY;UNTIL=20300109T030000Z", datetime(2030, 1, 7, 21), NY)
    assert [d.day for d in found] == [7, 8]


def test_monthly_on_the_31st_skips_the_months_without_one():
    found = occurrences_of("FREQ=MONTHLY;BYMONTHDAY=31;COUNT=4", datetime(2030, 1, 31, 9))
    assert [d.month for d in found] == [1, 3, 5, 7]


def test_monthly_on_the_last_friday_uses_an_ordinal_weekday():
    found = occurrences_of("FREQ=MONTHLY;BYDAY=-1FR;COUNT=3", datetime(2030, 1, 25, 9))
    assert [d.day for d in found] == [25, 22, 29]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("FREQ=YEARLY;COUNT=2", "not supported"),
        ("FREQ=HOURLY;COUNT=2", "not supported"),
        ("FREQ=WEEKLY;COUNT=2;BYSETPOS=1", "BYSETPOS is not supported"),
        ("FREQ=WEEKLY;COUNT=2;WKST=MO", "WKST is not supported"),
        ("FREQ=WEEKLY;COUNT", "malformed"),
        ("FREQ=WEEKLY;;COUNT=2", "malformed"),
        ("COUNT=2", "FREQ is required"),
        ("FREQ=WEEKLY;FREQ=DAILY;COUNT=2", "given twice"),
        ("FREQ=WEEKLY", "unbounded"),
        ("FREQ=DAILY;COUNT=2;UNTIL=20300201", "may not both"),
        ("FREQ=DAILY;COUNT=0", "at least 1"),
        ("FREQ=DAILY;COUNT=two", "not a whole number"),
        ("FREQ=DAILY;INTERVAL=0;COUNT=2", "INTERVAL must be"),
        ("FREQ=DAILY;UNTIL=2030-02-01", "UNTIL=2030-02-01 is not"),
        ("FREQ=DAILY;UNTIL=20301340", "not a real date"),
        ("FREQ=WEEKLY;BYDAY=XX;COUNT=2", "not a weekday"),
        ("FREQ=WEEKLY;BYDAY=1MO;COUNT=2", "needs FREQ=MONTHLY"),
        ("FREQ=MONTHLY;BYDAY=6MO;COUNT=2", "1..5"),
        ("FREQ=WEEKLY;BYMONTHDAY=7;COUNT=2", "not be used with FREQ=WEEKLY"),
        ("FREQ=MONTHLY;BYMONTHDAY=32;COUNT=2", "1..31"),
        ("FREQ=WEEKLY;BYDAY=MO,MO;COUNT=2", "repeats"),
        ("", "required"),
    ],
)
def test_anything_outside_the_supported_subset_is_refused_naming_the_rule(text, words):
    assert words in refusal(text)


def test_more_than_the_maximum_number_of_occurrences_is_refused():
    assert "more than 500" in refusal(f"FREQ=DAILY;COUNT={MAX_OCCURRENCES + 1}")
    assert "more than 500" in refusal("FREQ=DAILY;UNTIL=20311231")
    assert (
        len(occurrences_of(f"FREQ=DAILY;COUNT={MAX_OCCURRENCES}", datetime(2030, 1, 7, 9))) == 500
    )


def test_a_series_lasting_more_than_three_years_is_refused():
    assert "3 years" in refusal("FREQ=MONTHLY;INTERVAL=12;COUNT=5")
    assert "3 years" in refusal("FREQ=WEEKLY;INTERVAL=52;UNTIL=20340101")


def test_a_first_start_the_rule_would_not_produce_is_refused():
    # 8 January 2030 is a Tuesday.
    assert "not an occurrence" in refusal("FREQ=WEEKLY;BYDAY=MO;COUNT=3", datetime(2030, 1, 8, 9))


# -- deciding many occurrences ------------------------------------------------------------------


def _service(minutes: int = 60) -> Service:
    return Service(id=1, account_id=1, name="s", duration_minutes=minutes)


def _planned(index: int, start: datetime, minutes: int = 60) -> Planned:
    spans = booking.spans(_service(minutes), start, None)
    blocks = booking.blocks_for(
        busy=spans.busy, staff_id=7, additional_staff_ids=[], resources=[], override=False
    )
    return Planned(index, start.replace(tzinfo=None), spans, blocks, [(7, "staff_id")])


def _always_working() -> dict[int, WorkingCalendar]:
    week = WorkingWeek.parse(
        [{"weekday": d, "start": "00:00", "end": "24:00"} for d in range(1, 8)]
    )
    return {7: WorkingCalendar(UTC, week)}


def at(day: int, hour: int) -> datetime:
    return datetime(2030, 1, day, hour, tzinfo=UTC)


def test_an_occurrence_over_existing_time_is_refused_with_its_index_on_each_conflict():
    taken = Block("staff", 7, at(9, 10), at(9, 11), appointment_id=99)
    planned = [_planned(i, at(7 + i, 10)) for i in range(3)]
    [refused] = occurrences.check(planned, [taken], _always_working(), {})
    assert refused.index == 2 and refused.reason == "conflict"
    assert [(c.kind, c.id, c.occurrence) for c in refused.conflicts] == [("appointment", 99, 2)]


def test_occurrences_of_one_series_are_checked_against_each_other():
    planned = [_planned(i, at(7 + i, 10), minutes=25 * 60) for i in range(3)]
    refusals = occurrences.check(planned, [], _always_working(), {})
    # 1 overlaps 0 and is refused; 2 no longer overlaps anything accepted.
    assert [(r.index, r.conflicts[0].kind, r.conflicts[0].id) for r in refusals] == [
        (1, "series_occurrence", 0)
    ]


def test_an_occurrence_outside_working_hours_is_refused_naming_the_staff_field():
    week = WorkingWeek.parse([{"weekday": 1, "start": "09:00", "end": "17:00"}])
    calendars = {7: WorkingCalendar(UTC, week)}
    refusals = occurrences.check(
        [_planned(0, at(7, 10)), _planned(1, at(8, 10))], [], calendars, {}
    )
    assert [(r.index, r.reason, r.field) for r in refusals] == [
        (1, "outside_working_hours", "staff_id")
    ]


def test_refusing_reports_invalid_occurrences_before_conflicts_and_conflicts_as_slot_taken():
    taken = Block("staff", 7, at(7, 10), at(7, 11), appointment_id=5)
    gap = Planned(1, datetime(2030, 3, 10, 2, 30), None)
    refusals = occurrences.check([_planned(0, at(7, 10)), gap], [taken], _always_working(), {})
    with pytest.raises(Invalid) as invalid:
        occurrences.refuse(refusals, 2)
    assert [e.field for e in invalid.value.errors] == ["recurrence.rrule"]
    assert "DST gap" in invalid.value.errors[0].message
    with pytest.raises(SlotTaken) as taken_error:
        occurrences.refuse([r for r in refusals if r.reason == "conflict"], 2)
    assert [c.occurrence for c in taken_error.value.conflicts] == [0]


def test_refusals_survive_being_stored_as_documents():
    taken = Block("staff", 7, at(9, 10), at(9, 11), appointment_id=99)
    [refused] = occurrences.check([_planned(0, at(9, 10))], [taken], _always_working(), {})
    assert occurrences.from_document(occurrences.to_document(refused)) == refused


def test_the_block_index_finds_long_blocks_from_every_day_they_cover():
    window = Interval(at(1, 0), at(31, 0))
    long_block = Block("staff", 7, at(3, 0), at(20, 0))
    index = BlockIndex(window, [long_block, Block("staff", 7, at(25, 9), at(25, 10))])
    assert index.near(Interval(at(10, 9), at(10, 10))) == [long_block]
    assert index.near(Interval(at(22, 9), at(22, 10))) == []
    assert len(index.near(Interval(at(19, 9), at(25, 9) + timedelta(minutes=1)))) == 2
