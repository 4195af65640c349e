"""GET /v1/availability through the ASGI app, on SQLite and PostgreSQL.

The app runs on a fixed clock (``clock.at``) so the minimum notice, the horizon and "the past"
do not depend on the day the tests run. 2030-01-07 is a Monday; Europe/London is on GMT (+00:00)
in January.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from appointd.asgi import create_app
from appointd.domain.availability import Day, Slot
from appointd.faces.native.routes.availability import _document, _Stamps
from appointd.store import tables
from tests.conftest import Api, Database, StatementCounter, new_api
from tests.factories import (
    book,
    clinic,
    create_client,
    create_location,
    create_resource,
    create_service,
    create_staff,
)

MONDAY = "2030-01-07"
EVERY_DAY = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(1, 8)]


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2029, 12, 1, tzinfo=UTC))


@pytest.fixture
def api(db: Database, clock: Clock) -> Iterator[Api]:
    """A fresh account on an app whose clock is ``clock``."""
    services = dataclasses.replace(db.services, clock=clock)
    with TestClient(create_app(db.settings, services), raise_server_exceptions=False) as client:
        yield new_api(client, db, "Availability clinic")


def available(api: Api, world: dict[str, Any], first: str, last: str | None = None, **params: Any):  # type: ignore[no-untyped-def]
    query = {
        "service_id": world["service"]["id"],
        "location_id": world["location"]["id"],
        "from": first,
        "to": last or first,
        **params,
    }
    return api.get("/v1/availability", params=query)


def ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def starts(body: dict[str, Any]) -> list[str]:
    return [s["start"] for d in body["days"] for s in d["slots"]]


def times(body: dict[str, Any]) -> list[str]:
    """Slot starts as local ``HH:MM`` (the text between ``T`` and the seconds)."""
    return [s[11:16] for s in starts(body)]


def fields(response: Any) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


def half_hours(first: str, last: str) -> list[str]:
    t = datetime.strptime(first, "%H:%M")
    out = []
    while t <= datetime.strptime(last, "%H:%M"):
        out.append(t.strftime("%H:%M"))
        t += timedelta(minutes=30)
    return out


# -- the shape ----------------------------------------------------------------------------------


def test_a_free_day_lists_half_hour_slots_in_the_location_zone(api):
    world = clinic(api)
    body = ok(available(api, world, MONDAY))
    assert body["time_zone"] == "Europe/London"
    assert [d["date"] for d in body["days"]] == [MONDAY]
    first = body["days"][0]["slots"][0]
    assert first == {
        "start": "2030-01-07T09:00:00+00:00",
        "end": "2030-01-07T09:30:00+00:00",
        "staff_ids": [world["staff"]["id"]],
        "resource_ids": [],
    }
    assert times(body) == half_hours("09:00", "16:30")


def test_every_date_of_the_window_is_listed_even_without_slots(api):
    world = clinic(api)
    body = ok(available(api, world, MONDAY, "2030-01-13"))
    assert [d["date"] for d in body["days"]] == [f"2030-01-{d:02d}" for d in range(7, 14)]
    assert [len(d["slots"]) for d in body["days"]] == [16] * 5 + [0, 0]


def test_the_requested_time_zone_sets_the_dates_and_offsets(api):
    world = clinic(api)
    body = ok(available(api, world, MONDAY, time_zone="America/New_York", step_minutes=60))
    assert body["time_zone"] == "America/New_York"
    assert starts(body)[0] == "2030-01-07T04:00:00-05:00"
    assert times(body) == [f"{h:02d}:00" for h in range(4, 12)]


def test_step_minutes_sets_the_grid_and_defaults_to_the_duration(api):
    world = clinic(api, duration_minutes=60)
    assert times(ok(available(api, world, MONDAY))) == [f"{h:02d}:00" for h in range(9, 17)]
    fine = ok(available(api, world, MONDAY, step_minutes=15))
    assert times(fine)[:3] == ["09:00", "09:15", "09:30"]
    assert times(fine)[-1] == "16:00"


# -- what takes time away -----------------------------------------------------------------------


def test_booked_time_and_its_buffers_are_not_offered_and_cancelling_frees_them(api):
    world = clinic(api, buffer_after_minutes=10)
    appt = book(api, world, "2030-01-07T10:00:00Z")
    assert appt.status_code == 201, appt.text
    body = ok(available(api, world, MONDAY, step_minutes=30))
    # 09:30 would end its buffer at 10:10; 10:00's busy span ends at 10:40, so 10:30 is taken.
    assert "09:00" in times(body)
    assert not {"09:30", "10:00", "10:30"} & set(times(body))
    assert "11:00" in times(body)
    cancelled = api.post(f"/v1/appointments/{appt.json()['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert {"09:30", "10:00", "10:30"} <= set(times(ok(available(api, world, MONDAY))))


def test_time_off_removes_slots(api):
    world = clinic(api)
    off = api.post(
        f"/v1/staff/{world['staff']['id']}/time-off",
        json={"start": "2030-01-07T12:00:00Z", "end": "2030-01-07T14:00:00Z"},
    )
    assert off.status_code == 201, off.text
    got = times(ok(available(api, world, MONDAY)))
    assert got == [*half_hours("09:00", "11:30"), *half_hours("14:00", "16:30")]


def test_an_expired_hold_counts_as_free(api, db):
    world = clinic(api)
    with db.engine.begin() as conn:
        for expires in (datetime(2029, 11, 30, tzinfo=UTC), datetime(2029, 12, 2, tzinfo=UTC)):
            hour = 10 if expires.day == 30 else 11
            conn.execute(
                insert(tables.blocks).values(
                    account_id=api.account_id,
                    subject_kind="staff",
                    subject_id=world["staff"]["id"],
                    start_at=datetime(2030, 1, 7, hour, tzinfo=UTC),
                    end_at=datetime(2030, 1, 7, hour, 30, tzinfo=UTC),
                    holding=True,
                    exclusive=True,
                    role="primary",
                    expires_at=expires,
                )
            )
    got = times(ok(available(api, world, MONDAY)))
    assert "10:00" in got  # the hold expired before now
    assert "11:00" not in got  # still held


def test_busy_time_ending_a_fraction_of_a_second_into_a_slot_takes_that_slot(api, db):
    world = clinic(api)
    with db.engine.begin() as conn:
        conn.execute(
            insert(tables.blocks).values(
                account_id=api.account_id,
                subject_kind="staff",
                subject_id=world["staff"]["id"],
                start_at=datetime(2030, 1, 7, 9, 30, 0, 250_000, tzinfo=UTC),
                end_at=datetime(2030, 1, 7, 10, 0, 0, 500_000, tzinfo=UTC),
                holding=True,
                exclusive=True,
                role="primary",
            )
        )
    got = times(ok(available(api, world, MONDAY)))
    assert got[:2] == ["09:00", "10:30"]


def test_date_overrides_and_days_off_replace_the_weekly_hours(api):
    location = create_location(api)
    staff = create_staff(
        api,
        location,
        date_overrides=[
            {"date": "2030-01-07", "ranges": [{"start": "13:00", "end": "14:00"}]},
            {"date": "2030-01-08", "ranges": []},
        ],
    )
    world = {"location": location, "service": create_service(api, staff_ids=[staff["id"]])}
    body = ok(available(api, world, MONDAY, "2030-01-08"))
    assert [len(d["slots"]) for d in body["days"]] == [2, 0]
    assert times(body) == ["13:00", "13:30"]


def test_a_needed_room_taken_by_another_service_is_taken_for_everyone(api):
    world = clinic(api)
    room = create_resource(api, location_id=world["location"]["id"])
    service = create_service(api, resource_ids=[room["id"]])
    other = create_staff(api, world["location"])
    by_room = {**world, "service": service}
    # The room goes to an appointment of another service, with the other staff member.
    plain = {**world, "service": create_service(api)}
    taken = book(
        api, plain, "2030-01-07T09:00:00Z", staff_id=other["id"], resource_ids=[room["id"]]
    )
    assert taken.status_code == 201, taken.text
    body = ok(available(api, by_room, MONDAY))
    assert times(body)[0] == "09:30"
    assert body["days"][0]["slots"][0]["resource_ids"] == [room["id"]]
    assert body["days"][0]["slots"][0]["staff_ids"] == sorted([world["staff"]["id"], other["id"]])


def test_a_shared_room_is_offered_until_its_capacity_is_used(api):
    world = clinic(api)
    room = create_resource(api, location_id=world["location"]["id"], capacity=2)
    service = create_service(api, resource_ids=[room["id"]])
    others = [create_staff(api, world["location"]) for _ in range(2)]
    by_room = {**world, "service": service}
    first = book(api, by_room, "2030-01-07T09:00:00Z", staff_id=others[0]["id"])
    assert first.status_code == 201, first.text
    assert "09:00" in times(ok(available(api, by_room, MONDAY)))
    second = book(api, by_room, "2030-01-07T09:00:00Z", staff_id=others[1]["id"])
    assert second.status_code == 201, second.text
    assert "09:00" not in times(ok(available(api, by_room, MONDAY)))


# -- booking window -----------------------------------------------------------------------------


def test_past_slots_and_the_minimum_notice_are_not_offered(api, clock):
    world = clinic(api, min_notice_minutes=60)
    clock.at = datetime(2030, 1, 7, 11, 10, tzinfo=UTC)
    assert times(ok(available(api, world, MONDAY)))[0] == "12:30"


def test_slots_beyond_the_horizon_are_not_offered(api, clock):
    world = clinic(api, max_advance_days=2)
    clock.at = datetime(2030, 1, 6, 12, 0, tzinfo=UTC)
    body = ok(available(api, world, MONDAY, "2030-01-09"))
    assert [len(d["slots"]) for d in body["days"]] == [16, 7, 0]
    assert times(body)[-1] == "12:00"


def test_the_account_default_horizon_applies_when_the_service_sets_none(api, clock):
    world = clinic(api)
    clock.at = datetime(2029, 1, 8, tzinfo=UTC)  # 365 days before 2030-01-08
    body = ok(available(api, world, MONDAY, "2030-01-08"))
    assert [len(d["slots"]) for d in body["days"]] == [16, 0]


# -- staff and modes ----------------------------------------------------------------------------


def test_by_default_every_qualified_unarchived_staff_member_is_searched(api):
    world = clinic(api)
    location = world["location"]
    second = create_staff(api, location)
    archived = create_staff(api, location)
    elsewhere = create_staff(api, create_location(api))
    service = create_service(
        api, staff_ids=[world["staff"]["id"], second["id"], archived["id"], elsewhere["id"]]
    )
    assert api.delete(f"/v1/staff/{archived['id']}").status_code == 204
    body = ok(available(api, {**world, "service": service}, MONDAY))
    assert body["days"][0]["slots"][0]["staff_ids"] == [world["staff"]["id"], second["id"]]


def test_mode_any_and_all_over_a_staff_list(api):
    world = clinic(api)
    a = world["staff"]
    b = create_staff(api, world["location"])
    service = create_service(api, staff_ids=[a["id"], b["id"]])
    w = {**world, "service": service}
    assert book(api, w, "2030-01-07T09:00:00Z", staff_id=b["id"]).status_code == 201
    ids = f"{a['id']},{b['id']}"
    anyone = ok(available(api, w, MONDAY, staff_id=ids))
    assert anyone["days"][0]["slots"][0]["start"] == "2030-01-07T09:00:00+00:00"
    assert anyone["days"][0]["slots"][0]["staff_ids"] == [a["id"]]
    assert anyone["days"][0]["slots"][1]["staff_ids"] == [a["id"], b["id"]]
    everyone = ok(available(api, w, MONDAY, staff_id=ids, mode="all"))
    assert times(everyone)[0] == "09:30"
    only_b = ok(available(api, w, MONDAY, staff_id=str(b["id"])))
    assert times(only_b)[0] == "09:30"


def test_a_class_lists_its_scheduled_sessions_with_seats_left(api):
    world = clinic(api, kind="class", capacity=10, duration_minutes=60)
    other_class = create_service(api, kind="class", capacity=5)
    sid, loc = world["staff"]["id"], world["location"]["id"]

    def session(service_id: int, hour: int, capacity: int, seats: int = 0) -> int:
        created = api.post(
            "/v1/class-sessions",
            json={
                "service_id": service_id,
                "staff_id": sid,
                "location_id": loc,
                "start": f"2030-01-07T{hour:02d}:00:00Z",
                "end": f"2030-01-07T{hour + 1:02d}:00:00Z",
                "capacity": capacity,
            },
        )
        assert created.status_code == 201, created.text
        if seats:
            taken = api.post(
                "/v1/appointments",
                json={
                    "client_id": world["client"]["id"],
                    "class_session_id": created.json()["id"],
                    "seats": seats,
                },
            )
            assert taken.status_code == 201, taken.text
        return int(created.json()["id"])

    open_one = session(world["service"]["id"], 10, 10, seats=3)
    session(world["service"]["id"], 12, 4, seats=4)  # full
    cancelled = session(world["service"]["id"], 14, 4)
    assert api.delete(f"/v1/class-sessions/{cancelled}").status_code == 204
    session(other_class["id"], 15, 5)
    body = ok(available(api, world, MONDAY))
    assert [s for d in body["days"] for s in d["slots"]] == [
        {
            "start": "2030-01-07T10:00:00+00:00",
            "end": "2030-01-07T11:00:00+00:00",
            "staff_ids": [sid],
            "resource_ids": [],
            "class_session_id": open_one,
            "seats_left": 7,
        }
    ]
    # The sessions are the staff member's busy time for ordinary services too.
    plain = {**world, "service": create_service(api, staff_ids=[sid], duration_minutes=60)}
    hours = times(ok(available(api, plain, MONDAY)))
    assert hours == ["09:00", "11:00", "13:00", "14:00", "16:00"]


# -- DST ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "change_day", "before", "after"),
    [
        ("America/New_York", "2026-03-08", "-05:00", "-04:00"),
        ("America/New_York", "2026-11-01", "-04:00", "-05:00"),
        ("Europe/London", "2026-03-29", "+00:00", "+01:00"),
        ("Europe/London", "2026-10-25", "+01:00", "+00:00"),
    ],
)
def test_nine_to_five_stays_nine_to_five_local_across_dst_changes(
    api, clock, zone, change_day, before, after
):
    clock.at = datetime(2026, 1, 1, tzinfo=UTC)
    location = create_location(api, time_zone=zone)
    staff = create_staff(api, location, working_hours=EVERY_DAY)
    world = {"location": location, "service": create_service(api, staff_ids=[staff["id"]])}
    day = date.fromisoformat(change_day)
    body = ok(available(api, world, str(day - timedelta(days=1)), str(day + timedelta(days=1))))
    for d in body["days"]:
        assert [s["start"][11:16] for s in d["slots"]] == half_hours("09:00", "16:30")
    assert body["days"][0]["slots"][0]["start"].endswith(before)
    assert body["days"][1]["slots"][0]["start"].endswith(after)
    assert body["days"][2]["slots"][0]["start"].endswith(after)


def test_no_slot_falls_in_the_spring_forward_gap(api, clock):
    clock.at = datetime(2026, 1, 1, tzinfo=UTC)
    location = create_location(api, time_zone="America/New_York")
    night = [{"weekday": 7, "start": "00:00", "end": "05:00"}]
    staff = create_staff(api, location, working_hours=night)
    world = {"location": location, "service": create_service(api, staff_ids=[staff["id"]])}
    body = ok(available(api, world, "2026-03-08"))
    assert times(body) == [*half_hours("00:00", "01:30"), *half_hours("03:00", "04:30")]


# -- refusals -----------------------------------------------------------------------------------


def test_a_window_of_93_days_is_accepted_and_94_refused_naming_to(api):
    world = clinic(api)
    assert len(ok(available(api, world, "2030-01-01", "2030-04-03"))["days"]) == 93
    longer = available(api, world, "2030-01-01", "2030-04-04")
    assert longer.status_code == 422
    assert fields(longer) == ["to"]
    backwards = available(api, world, MONDAY, "2030-01-06")
    assert backwards.status_code == 422
    assert fields(backwards) == ["to"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"step_minutes": 0}, "step_minutes"),
        ({"step_minutes": 1441}, "step_minutes"),
        ({"step_minutes": "ten"}, "step_minutes"),
        ({"mode": "some"}, "mode"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"staff_id": "1,x"}, "staff_id"),
        ({"from": "2030-13-01"}, "from"),
        ({"from": "0001-01-01", "to": "0001-01-02"}, "from"),
        ({"from": "9999-12-30", "to": "9999-12-31"}, "to"),
        ({"staff_id": str(2**64)}, "staff_id"),
        ({"staff_id": ""}, "staff_id"),
        ({"service_id": 2**64}, "service_id"),
        ({"location_id": 0}, "location_id"),
    ],
)
def test_bad_parameters_are_refused_with_422_naming_the_field(api, params, field):
    world = clinic(api)
    response = available(api, world, MONDAY, **params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in fields(response)


def test_unknown_or_foreign_objects_are_404_naming_the_field(api, other_api):
    world = clinic(api)
    foreign = clinic(other_api)
    for params, field in (
        ({"service_id": foreign["service"]["id"]}, "service_id"),
        ({"location_id": foreign["location"]["id"]}, "location_id"),
        ({"staff_id": str(foreign["staff"]["id"])}, "staff_id"),
    ):
        response = available(api, world, MONDAY, **params)
        assert response.status_code == 404, response.text
        assert fields(response) == [field]


def test_a_listed_staff_member_who_cannot_give_the_service_is_refused_with_422(api):
    world = clinic(api)
    stranger = create_staff(api, create_location(api))
    response = available(api, world, MONDAY, staff_id=str(stranger["id"]))
    assert response.status_code == 422
    assert fields(response) == ["staff_id", "staff_id"]  # does not offer it, works elsewhere


def test_missing_parameters_are_named(api):
    response = api.get("/v1/availability", params={"from": MONDAY, "to": MONDAY})
    assert response.status_code == 422
    assert set(fields(response)) == {"service_id", "location_id"}


# -- cost ---------------------------------------------------------------------------------------


def _world_with_staff(api: Api, count: int) -> dict[str, Any]:
    location = create_location(api)
    people = [create_staff(api, location) for _ in range(count)]
    service = create_service(api, staff_ids=[p["id"] for p in people])
    client = create_client(api)
    world = {"location": location, "service": service, "client": client, "staff": people[0]}
    for i, person in enumerate(people):
        response = book(api, world, f"2030-01-{7 + i % 5:02d}T10:00:00Z", staff_id=person["id"])
        assert response.status_code == 201, response.text
    return world


def test_the_number_of_statements_does_not_grow_with_staff_or_days(
    api, db, count_statements: StatementCounter
):
    small = _world_with_staff(api, 1)
    other = new_api(api.client, db, "Bigger clinic")
    big = _world_with_staff(other, 10)
    with count_statements as one:
        ok(available(api, small, MONDAY))
    with StatementCounter(db.engine) as many:
        body = ok(available(other, big, "2030-01-01", "2030-01-31"))
    assert len(body["days"]) == 31
    assert len(body["days"][6]["slots"][0]["staff_ids"]) == 10
    assert one.count == many.count, (one.statements, many.statements)
    assert one.count <= 8, one.statements


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York", "Australia/Lord_Howe"])
def test_slot_times_are_written_exactly_as_isoformat_would_across_a_year(zone):
    tz = ZoneInfo(zone)
    stamp = _Stamps(tz)
    start = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    for epoch in range(start, start + 366 * 86400, 1799):  # drifts through every minute
        assert stamp(epoch) == datetime.fromtimestamp(epoch, tz).isoformat()


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York", "Australia/Lord_Howe"])
def test_a_document_writes_slots_across_a_dst_change_with_each_ones_own_offset(zone):
    """A day's slots share one offset lookup only when the offset holds all day; on the days
    the clocks change, every slot still carries its own offset."""
    tz = ZoneInfo(zone)
    days = []
    for d in range(366):
        day = date(2026, 1, 1) + timedelta(days=d)
        first = int(datetime(day.year, day.month, day.day, tzinfo=tz).timestamp())
        last = int(datetime.combine(day + timedelta(days=1), datetime.min.time(), tz).timestamp())
        slots = [Slot(t, t + 1800, (1,)) for t in range(first, last - 1800 + 1, 1800)]
        days.append(Day(day, slots))
    written = json.loads(_document(days, tz))
    expected = [
        [datetime.fromtimestamp(t, tz).isoformat() for s in d.slots for t in (s.start, s.end)]
        for d in days
    ]
    assert [[t for s in d["slots"] for t in (s["start"], s["end"])] for d in written["days"]] == (
        expected
    )
