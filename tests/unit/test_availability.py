"""The pure slot search and the round-robin choice, on hand-built calendars.

Dates: 2030-01-07 is a Monday. DST change days (tzdata 2026 rules): America/New_York springs
forward on Sunday 2026-03-08 (02:00 -> 03:00) and falls back on Sunday 2026-11-01 (02:00 ->
01:00); Europe/London on Sunday 2026-03-29 (01:00 -> 02:00) and Sunday 2026-10-25 (02:00 ->
01:00).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from appointd.domain import assignment
from appointd.domain import availability as av
from appointd.domain.intervals import Interval
from appointd.domain.model import Block, Service, Staff
from appointd.domain.working_hours import DateOverride, TimeRange, WorkingCalendar, WorkingWeek

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
UTC_ZONE = ZoneInfo("UTC")
MONDAY = date(2030, 1, 7)
LONG_AGO = int(datetime(2000, 1, 1, tzinfo=UTC).timestamp())


def week(*ranges: tuple[str, str], days: Sequence[int] = (1, 2, 3, 4, 5)) -> WorkingWeek:
    return WorkingWeek.parse(
        [{"weekday": d, "start": s, "end": e} for d in days for s, e in ranges]
    )


def cal(
    tz: ZoneInfo = LONDON,
    wk: WorkingWeek | None = None,
    overrides: Mapping[date, tuple[TimeRange, ...]] | None = None,
) -> WorkingCalendar:
    return WorkingCalendar(tz, wk or week(("09:00", "17:00")), dict(overrides or {}))


def epoch(text: str) -> int:
    """Epoch seconds of an RFC 3339 text."""
    return int(datetime.fromisoformat(text).timestamp())


def search(
    calendars: Mapping[int, WorkingCalendar],
    *,
    first: date = MONDAY,
    last: date | None = None,
    tz: ZoneInfo = LONDON,
    duration: int = 30,
    step: int | None = None,
    before: int = 0,
    after: int = 0,
    busy: Mapping[int, Sequence[tuple[str, str]]] | None = None,
    resources: Mapping[int, tuple[int, Sequence[tuple[str, str]]]] | None = None,
    now: int = LONG_AGO,
    notice: int = 0,
    horizon: int = 36500,
    mode: str = "any",
) -> list[av.Day]:
    bounds = av.day_bounds(first, last or first, tz)
    rules = av.make_rules(
        duration_minutes=duration,
        buffer_before_minutes=before,
        buffer_after_minutes=after,
        step_minutes=step or duration,
        bounds=bounds,
        now=now,
        min_notice_minutes=notice,
        max_advance_days=horizon,
    )

    def spans(items: Sequence[tuple[str, str]]) -> list[av.Span]:
        return [(epoch(s), epoch(e)) for s, e in items]

    return av.search(
        calendars,
        {sid: spans(items) for sid, items in (busy or {}).items()},
        rules,
        first=first,
        bounds=bounds,
        mode=mode,
        resources={rid: (cap, spans(items)) for rid, (cap, items) in (resources or {}).items()},
    )


def local(days: list[av.Day], tz: ZoneInfo = LONDON) -> list[str]:
    """Every slot start as local ``HH:MM``."""
    return [datetime.fromtimestamp(s.start, tz).strftime("%H:%M") for d in days for s in d.slots]


def stamps(days: list[av.Day], tz: ZoneInfo) -> list[str]:
    return [datetime.fromtimestamp(s.start, tz).isoformat() for d in days for s in d.slots]


def every(start: str, end: str, minutes: int) -> list[str]:
    t = datetime.strptime(start, "%H:%M")
    stop = datetime.strptime(end, "%H:%M")
    out = []
    while t <= stop:
        out.append(t.strftime("%H:%M"))
        t += timedelta(minutes=minutes)
    return out


# -- working time ---------------------------------------------------------------------------


def test_a_free_nine_to_five_day_offers_half_hour_slots_from_nine_to_half_past_four():
    days = search({1: cal()})
    assert [d.date for d in days] == [MONDAY]
    assert local(days) == every("09:00", "16:30", 30)
    slot = days[0].slots[0]
    assert slot.end - slot.start == 1800
    assert slot.staff_ids == (1,)


def test_every_date_of_the_window_is_listed_and_weekends_are_empty():
    days = search({1: cal()}, last=MONDAY + timedelta(days=6))
    assert [d.date for d in days] == [MONDAY + timedelta(days=i) for i in range(7)]
    assert [len(d.slots) for d in days] == [16, 16, 16, 16, 16, 0, 0]


def test_a_break_leaves_no_slot_that_would_run_into_it():
    days = search({1: cal(wk=week(("09:00", "12:00"), ("13:00", "17:00")))}, duration=45)
    assert local(days) == [
        "09:00",
        "09:45",
        "10:30",
        "11:15",
        "13:00",
        "13:45",
        "14:30",
        "15:15",
        "16:00",
    ]


def test_the_grid_restarts_at_each_working_stretch():
    days = search({1: cal(wk=week(("09:00", "10:00"), ("10:10", "11:10")))}, duration=30)
    assert local(days) == ["09:00", "09:30", "10:10", "10:40"]


def test_a_date_override_replaces_the_weekly_hours_and_an_empty_one_is_a_day_off():
    overrides = {
        MONDAY: (TimeRange(14 * 60, 16 * 60),),
        MONDAY + timedelta(days=1): (),
    }
    days = search({1: cal(overrides=overrides)}, last=MONDAY + timedelta(days=2))
    assert local([days[0]]) == ["14:00", "14:30", "15:00", "15:30"]
    assert days[1].slots == []
    assert len(days[2].slots) == 16


def test_an_override_can_open_a_weekend_day():
    sunday = MONDAY - timedelta(days=1)
    days = search({1: cal(overrides={sunday: (TimeRange(10 * 60, 11 * 60),)})}, first=sunday)
    assert local(days) == ["10:00", "10:30"]


def test_buffers_must_fit_inside_working_time_and_push_the_first_start_back():
    days = search({1: cal()}, duration=30, before=10, after=20, step=60)
    # Busy spans 09:00-10:00, 10:00-11:00, ... the last one ends at 17:00.
    assert local(days) == every("09:10", "16:10", 60)
    assert days[0].slots[0].end - days[0].slots[0].start == 1800


def test_a_step_shorter_than_the_duration_offers_overlapping_alternatives():
    days = search({1: cal(wk=week(("09:00", "10:00")))}, duration=30, step=15)
    assert local(days) == ["09:00", "09:15", "09:30"]


def test_a_slot_grid_walks_through_working_time_that_crosses_midnight():
    wk = WorkingWeek.parse(
        [
            {"weekday": 1, "start": "22:00", "end": "24:00"},
            {"weekday": 2, "start": "00:00", "end": "02:00"},
        ]
    )
    days = search({1: cal(wk=wk)}, duration=90, step=60, last=MONDAY + timedelta(days=1))
    # One stretch from 22:00 to 02:00: the 23:00 slot runs past midnight.
    assert [local([d]) for d in days] == [["22:00", "23:00"], ["00:00"]]


# -- busy time ----------------------------------------------------------------------------------


def test_busy_time_removes_every_slot_it_touches_but_back_to_back_is_free():
    busy = {
        1: [
            ("2030-01-07T10:00:00+00:00", "2030-01-07T10:30:00+00:00"),
            ("2030-01-07T11:15:00+00:00", "2030-01-07T11:45:00+00:00"),
        ]
    }
    days = search({1: cal(wk=week(("09:00", "13:00")))}, busy=busy)
    assert local(days) == ["09:00", "09:30", "10:30", "12:00", "12:30"]


def test_the_buffer_after_collides_with_the_next_booking():
    busy = {1: [("2030-01-07T10:00:00+00:00", "2030-01-07T10:30:00+00:00")]}
    days = search({1: cal(wk=week(("09:00", "11:00")))}, after=15, busy=busy, step=30)
    # 09:30 + 30 + 15 runs to 10:15: taken; 09:00's busy span ends at 09:45: free.
    assert local(days) == ["09:00"]


def test_a_resource_of_capacity_one_blocks_every_staff_member():
    room = {7: (1, [("2030-01-07T09:00:00+00:00", "2030-01-07T10:00:00+00:00")])}
    days = search(
        {1: cal(wk=week(("09:00", "11:00"))), 2: cal(wk=week(("09:00", "11:00")))}, resources=room
    )
    assert local(days) == ["10:00", "10:30"]
    assert all(s.resource_ids == (7,) and s.staff_ids == (1, 2) for s in days[0].slots)


def test_a_shared_resource_is_only_full_where_its_capacity_is_used_up():
    uses = [
        ("2030-01-07T09:00:00+00:00", "2030-01-07T10:00:00+00:00"),
        ("2030-01-07T09:30:00+00:00", "2030-01-07T10:30:00+00:00"),
        ("2030-01-07T10:30:00+00:00", "2030-01-07T11:00:00+00:00"),
    ]
    days = search({1: cal(wk=week(("09:00", "11:00")))}, resources={7: (2, uses)})
    # Two at once only from 09:30 to 10:00; 10:30 is back-to-back, so never two there.
    assert local(days) == ["09:00", "10:00", "10:30"]


def test_saturated_spans_count_concurrent_use():
    spans = [(0, 10), (5, 15), (5, 8), (20, 30)]
    assert av.saturated(spans, 1) == [(0, 15), (20, 30)]
    assert av.saturated(spans, 2) == [(5, 10)]
    assert av.saturated(spans, 3) == [(5, 8)]
    assert av.saturated(spans, 4) == []


# -- booking window -------------------------------------------------------------------------


def test_slots_in_the_past_and_inside_the_minimum_notice_are_not_offered():
    now = epoch("2030-01-07T10:05:00+00:00")
    assert local(search({1: cal(wk=week(("09:00", "13:00")))}, now=now)) == [
        "10:30",
        "11:00",
        "11:30",
        "12:00",
        "12:30",
    ]
    with_notice = search({1: cal(wk=week(("09:00", "13:00")))}, now=now, notice=60)
    assert local(with_notice) == ["11:30", "12:00", "12:30"]


def test_slots_beyond_the_booking_horizon_are_not_offered():
    now = epoch("2030-01-06T11:00:00+00:00")
    days = search(
        {1: cal(wk=week(("09:00", "13:00")))}, now=now, horizon=1, last=MONDAY + timedelta(days=1)
    )
    # The horizon ends at 11:00 on Monday; a slot starting then is still offered.
    assert local([days[0]]) == ["09:00", "09:30", "10:00", "10:30", "11:00"]
    assert days[1].slots == []


# -- DST ----------------------------------------------------------------------------------------


EVERY_DAY = (1, 2, 3, 4, 5, 6, 7)


def test_new_york_spring_forward_day_keeps_nine_to_five_local():
    sunday = date(2026, 3, 8)
    days = search(
        {1: cal(NEW_YORK, week(("09:00", "17:00"), days=EVERY_DAY))},
        first=sunday - timedelta(days=1),
        last=sunday,
        tz=NEW_YORK,
        duration=60,
    )
    assert [local([d], NEW_YORK) for d in days] == [every("09:00", "16:00", 60)] * 2
    assert stamps([days[0]], NEW_YORK)[0] == "2026-03-07T09:00:00-05:00"
    assert stamps([days[1]], NEW_YORK)[0] == "2026-03-08T09:00:00-04:00"


def test_new_york_fall_back_day_keeps_nine_to_five_local():
    sunday = date(2026, 11, 1)
    days = search(
        {1: cal(NEW_YORK, week(("09:00", "17:00"), days=EVERY_DAY))},
        first=sunday,
        tz=NEW_YORK,
        duration=60,
    )
    assert local(days, NEW_YORK) == every("09:00", "16:00", 60)
    assert stamps(days, NEW_YORK)[0] == "2026-11-01T09:00:00-05:00"


def test_no_slot_is_offered_inside_the_spring_forward_gap():
    sunday = date(2026, 3, 8)
    night = week(("00:00", "05:00"), days=EVERY_DAY)
    days = search({1: cal(NEW_YORK, night)}, first=sunday, tz=NEW_YORK, duration=30)
    starts = local(days, NEW_YORK)
    assert starts == ["00:00", "00:30", "01:00", "01:30", "03:00", "03:30", "04:00", "04:30"]
    assert not any(s.startswith("02:") for s in starts)


def test_the_repeated_hour_of_fall_back_is_offered_twice_with_its_two_offsets():
    sunday = date(2026, 10, 25)
    night = week(("00:00", "03:00"), days=EVERY_DAY)
    days = search({1: cal(LONDON, night)}, first=sunday, tz=LONDON, duration=30)
    assert stamps(days, LONDON) == [
        "2026-10-25T00:00:00+01:00",
        "2026-10-25T00:30:00+01:00",
        "2026-10-25T01:00:00+01:00",
        "2026-10-25T01:30:00+01:00",
        "2026-10-25T01:00:00+00:00",
        "2026-10-25T01:30:00+00:00",
        "2026-10-25T02:00:00+00:00",
        "2026-10-25T02:30:00+00:00",
    ]


def test_london_change_days_keep_nine_to_five_local_and_group_by_local_date():
    for sunday in (date(2026, 3, 29), date(2026, 10, 25)):
        days = search(
            {1: cal(LONDON, week(("09:00", "17:00"), days=EVERY_DAY))},
            first=sunday,
            tz=LONDON,
            duration=60,
        )
        assert local(days) == every("09:00", "16:00", 60)
        assert days[0].date == sunday


def test_days_are_dates_of_the_requested_zone_not_the_staff_members():
    # London 09:00-17:00 is 04:00-12:00 in New York in January.
    days = search({1: cal()}, tz=NEW_YORK, duration=60)
    assert local(days, NEW_YORK) == every("04:00", "11:00", 60)


# -- modes ----------------------------------------------------------------------------------


def test_mode_any_names_the_staff_free_at_each_slot():
    cals = {1: cal(wk=week(("09:00", "11:00"))), 2: cal(wk=week(("10:00", "12:00")))}
    busy = {2: [("2030-01-07T10:00:00+00:00", "2030-01-07T10:30:00+00:00")]}
    days = search(cals, busy=busy)
    got = [
        (datetime.fromtimestamp(s.start, LONDON).strftime("%H:%M"), s.staff_ids)
        for s in days[0].slots
    ]
    assert got == [
        ("09:00", (1,)),
        ("09:30", (1,)),
        ("10:00", (1,)),
        ("10:30", (1, 2)),
        ("11:00", (2,)),
        ("11:30", (2,)),
    ]


def test_mode_all_needs_everyone_free_at_once():
    cals = {1: cal(wk=week(("09:00", "11:00"))), 2: cal(wk=week(("10:00", "12:00")))}
    busy = {2: [("2030-01-07T10:00:00+00:00", "2030-01-07T10:30:00+00:00")]}
    days = search(cals, busy=busy, mode="all")
    assert [(local([days[0]]), [s.staff_ids for s in days[0].slots])] == [(["10:30"], [(1, 2)])]


def test_class_sessions_with_seats_left_become_slots():
    rules = av.make_rules(
        duration_minutes=60,
        buffer_before_minutes=0,
        buffer_after_minutes=0,
        step_minutes=60,
        bounds=av.day_bounds(MONDAY, MONDAY, LONDON),
        now=LONG_AGO,
        min_notice_minutes=0,
        max_advance_days=36500,
    )
    at = epoch("2030-01-07T10:00:00+00:00")
    sessions = [
        av.Session(1, 5, None, at, at + 3600, capacity=10, seats_taken=3),
        av.Session(2, 5, 9, at + 7200, at + 10800, capacity=4, seats_taken=4),
        av.Session(3, 5, 9, at - 86400, at - 82800, capacity=4, seats_taken=0),
    ]
    found = av.session_slots(sessions, rules)
    assert [(s.class_session_id, s.seats_left, s.resource_ids) for s in found] == [(1, 7, ())]


# -- staff assignment ---------------------------------------------------------------------------


def staff(sid: int, **kw: Any) -> Staff:
    return Staff(
        sid, 1, f"S{sid}", "", "Europe/London", working_hours=week(("09:00", "17:00")), **kw
    )


def test_only_unarchived_staff_who_offer_the_service_there_qualify():
    service = Service(10, 1, "Cut", 30, staff_ids=[1, 2, 3, 4])
    people = [
        staff(4),
        staff(1),
        staff(2, archived_at=datetime(2030, 1, 1, tzinfo=UTC)),
        staff(3, location_ids=[99]),
        staff(5),
    ]
    assert [p.id for p in assignment.qualified(people, service, 7)] == [1, 4]
    assert [p.id for p in assignment.qualified(people, service, 7, exclude=[1])] == [4]


def test_free_for_keeps_those_who_work_then_and_have_nothing_booked():
    people = [staff(1), staff(2), staff(3)]
    cals = {1: cal(), 2: cal(), 3: cal(overrides={MONDAY: ()})}
    at = datetime(2030, 1, 7, 10, tzinfo=UTC)
    busy = Interval(at, at + timedelta(minutes=30))
    taken = Block("staff", 2, at, at + timedelta(hours=1), appointment_id=77)
    free, conflicts = assignment.free_for(people, cals, [taken], busy)
    assert [p.id for p in free] == [1]
    assert [(c.kind, c.id, c.subject_id) for c in conflicts] == [("appointment", 77, 2)]


def test_round_robin_prefers_fewest_that_day_then_least_recently_booked_then_lowest_id():
    t = datetime(2030, 1, 1, tzinfo=UTC)
    L = assignment.StaffLoad
    assert assignment.choose([L(1, 2, t), L(2, 1, t + timedelta(days=1))]).staff_id == 2
    assert assignment.choose([L(1, 1, t + timedelta(hours=1)), L(2, 1, t)]).staff_id == 2
    assert assignment.choose([L(1, 1, t), L(2, 1, None)]).staff_id == 2
    assert assignment.choose([L(3, 0, None), L(2, 0, None)]).staff_id == 2
    assert assignment.choose([L(3, 0, t), L(2, 0, t)]).staff_id == 2
    assert assignment.choose([]) is None


def test_week_fixture_helper_builds_overrides_like_the_store():
    override = DateOverride(MONDAY, (TimeRange(600, 660),))
    days = search({1: cal(overrides={override.date: override.ranges})})
    assert local(days) == ["10:00", "10:30"]


def test_staff_sharing_a_weekly_pattern_keep_their_own_overrides():
    shared = week(("09:00", "10:00"))
    cals = {1: cal(wk=shared), 2: cal(wk=shared, overrides={MONDAY: ()}), 3: cal(wk=shared)}
    days = search(cals, last=MONDAY + timedelta(days=1))
    assert [[s.staff_ids for s in d.slots] for d in days] == [
        [(1, 3), (1, 3)],
        [(1, 2, 3), (1, 2, 3)],
    ]
