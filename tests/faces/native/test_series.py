"""Recurring series through /v1, on both databases: booking, reading, changing, cancelling."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tests.factories import book, clinic, create_service, create_staff
from tests.instants import at, ats

WEEKLY_MO_WE = "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,WE;COUNT=10"
ALL_DAY_EVERY_DAY = [{"weekday": d, "start": "00:00", "end": "24:00"} for d in range(1, 8)]
NY = ZoneInfo("America/New_York")


def series(api: Any, world: dict[str, Any], start: str, rrule: str, **fields: Any) -> Any:
    return book(api, world, start, recurrence={"rrule": rrule}, **fields)


def booked(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def count_appointments(api: Any) -> int:
    total: int = api.get("/v1/appointments", params={"limit": 1}).json()["total"]
    return total


def local(text: str, tz: ZoneInfo = NY) -> str:
    return datetime.fromisoformat(text).astimezone(tz).strftime("%a %H:%M")


def always_open(api: Any, time_zone: str) -> dict[str, Any]:
    world = clinic(api, time_zone=time_zone)
    staff = create_staff(api, world["location"], working_hours=ALL_DAY_EVERY_DAY)
    service = create_service(api, staff_ids=[staff["id"]])
    return {**world, "staff": staff, "service": service}


# -- booking ----------------------------------------------------------------------------------


def test_a_series_books_every_occurrence_and_answers_with_the_series(api):
    world = clinic(api)
    doc = booked(series(api, world, "2030-01-07T10:00:00Z", WEEKLY_MO_WE))
    assert doc["rrule"] == WEEKLY_MO_WE and doc["time_zone"] == "Europe/London"
    assert doc["local_start"] == "2030-01-07T10:00" and doc["skipped"] == []
    occurrences = doc["occurrences"]
    assert [a["series_index"] for a in occurrences] == list(range(10))
    assert {a["series_id"] for a in occurrences} == {doc["id"]}
    assert occurrences[-1]["start"] == "2030-02-06T10:00:00Z"
    assert api.get(f"/v1/series/{doc['id']}").json() == doc
    # Every occurrence holds its time.
    assert book(api, world, "2030-01-09T10:15:00Z").status_code == 409


def test_occurrences_keep_their_local_time_across_the_dst_change(api):
    world = clinic(api, time_zone="America/New_York")
    doc = booked(series(api, world, "2030-03-04T09:00:00", "FREQ=WEEKLY;BYDAY=MO;COUNT=3"))
    starts = [a["start"] for a in doc["occurrences"]]
    assert ats(*starts) == ats(
        "2030-03-04T14:00:00Z", "2030-03-11T13:00:00Z", "2030-03-18T13:00:00Z"
    )
    assert starts[0].endswith("-05:00") and starts[1].endswith("-04:00")  # the location's offsets
    assert {local(s) for s in starts} == {"Mon 09:00"}


def test_one_conflicting_occurrence_refuses_the_whole_series_and_names_it(api):
    world = clinic(api)
    blocker = booked(book(api, world, "2030-01-14T10:00:00Z"))
    before = count_appointments(api)
    response = series(api, world, "2030-01-07T10:00:00Z", WEEKLY_MO_WE)
    assert response.status_code == 409
    [conflict] = response.json()["conflicts"]
    assert (conflict["occurrence"], conflict["appointment_id"]) == (2, blocker["id"])
    assert count_appointments(api) == before


def test_skip_books_the_others_and_reports_each_skipped_occurrence(api):
    world = clinic(api)
    blocker = booked(book(api, world, "2030-01-14T10:00:00Z"))
    doc = booked(series(api, world, "2030-01-07T10:00:00Z", WEEKLY_MO_WE, on_conflict="skip"))
    assert len(doc["occurrences"]) == 9
    [skipped] = doc["skipped"]
    assert (skipped["occurrence"], skipped["reason"]) == (2, "conflict")
    assert skipped["start"] == "2030-01-14T10:00:00Z"
    assert [c["appointment_id"] for c in skipped["conflicts"]] == [blocker["id"]]
    assert api.get(f"/v1/series/{doc['id']}").json()["skipped"] == doc["skipped"]


def test_an_occurrence_outside_working_hours_is_invalid_unless_skipped(api):
    world = clinic(api)  # works Monday to Friday
    refused = series(api, world, "2030-01-10T10:00:00Z", "FREQ=DAILY;COUNT=3")
    assert refused.status_code == 422
    [error] = refused.json()["errors"]
    assert error["field"] == "staff_id" and error["message"].startswith("occurrence 2 ")
    doc = booked(
        series(api, world, "2030-01-10T10:00:00Z", "FREQ=DAILY;COUNT=4", on_conflict="skip")
    )
    assert [a["series_index"] for a in doc["occurrences"]] == [0, 1]
    assert [(s["occurrence"], s["reason"]) for s in doc["skipped"]] == [
        (2, "outside_working_hours"),
        (3, "outside_working_hours"),
    ]


def test_an_occurrence_in_a_dst_gap_is_invalid_unless_skipped(api):
    world = always_open(api, "America/New_York")
    rule = "FREQ=DAILY;COUNT=3"  # 9, 10 and 11 March 2030; 02:30 does not exist on the 10th
    refused = series(api, world, "2030-03-09T02:30:00", rule)
    assert refused.status_code == 422
    [error] = refused.json()["errors"]
    assert error["field"] == "recurrence.rrule" and "DST gap" in error["message"]
    doc = booked(series(api, world, "2030-03-09T02:30:00", rule, on_conflict="skip"))
    assert [a["series_index"] for a in doc["occurrences"]] == [0, 2]
    [skipped] = doc["skipped"]
    assert (skipped["occurrence"], skipped["reason"], skipped["start"]) == (1, "dst_gap", None)
    assert skipped["local_start"] == "2030-03-10T02:30"


def test_occurrences_of_one_series_may_not_overlap_each_other(api):
    world = always_open(api, "UTC")
    day_and_hour = {"end": "2030-01-08T11:00:00Z"}  # 25 hours: each overlaps the next
    refused = series(api, world, "2030-01-07T10:00:00Z", "FREQ=DAILY;COUNT=3", **day_and_hour)
    assert refused.status_code == 409
    [conflict] = refused.json()["conflicts"]
    assert (conflict["kind"], conflict["id"], conflict["occurrence"]) == ("series_occurrence", 0, 1)
    skip = {"on_conflict": "skip", **day_and_hour}
    doc = booked(series(api, world, "2030-01-07T10:00:00Z", "FREQ=DAILY;COUNT=3", **skip))
    assert [a["series_index"] for a in doc["occurrences"]] == [0, 2]


def test_a_series_where_every_occurrence_is_refused_writes_nothing_even_when_skipping(api):
    world = clinic(api)
    booked(book(api, world, "2030-01-07T10:00:00Z"))
    before = count_appointments(api)
    response = series(api, world, "2030-01-07T10:00:00Z", "FREQ=DAILY;COUNT=1", on_conflict="skip")
    assert response.status_code == 409
    assert count_appointments(api) == before


def test_bad_or_unbounded_rules_are_refused_naming_the_rule(api):
    world = clinic(api)
    for rule in [
        "FREQ=WEEKLY;BYDAY=MO",  # unbounded
        "FREQ=DAILY;COUNT=501",
        "FREQ=MONTHLY;INTERVAL=12;COUNT=5",  # over three years
        "FREQ=YEARLY;COUNT=2",
        "FREQ=WEEKLY;COUNT=2;BYHOUR=9",
        "nonsense",
    ]:
        response = series(api, world, "2030-01-07T10:00:00Z", rule)
        assert response.status_code == 422, (rule, response.text)
        assert response.json()["errors"][0]["field"] == "recurrence.rrule", response.text
    missing = book(api, world, "2030-01-07T10:00:00Z", recurrence={})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "recurrence.rrule"
    assert count_appointments(api) == 0


def test_booking_a_series_takes_the_same_number_of_statements_whatever_its_length(
    api, count_statements
):
    world = clinic(api)
    counts = []
    for start, rule in [
        ("2030-01-07T11:00:00Z", "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=5"),
        ("2030-01-08T13:00:00Z", "FREQ=WEEKLY;COUNT=40"),
    ]:
        with count_statements:
            before = count_statements.count
            booked(series(api, world, start, rule))
            counts.append(count_statements.count - before)
    assert counts[0] == counts[1], counts


def test_another_accounts_series_does_not_exist_for_you(api, other_api):
    world = clinic(api)
    doc = booked(series(api, world, "2030-01-07T10:00:00Z", "FREQ=DAILY;COUNT=2"))
    assert other_api.get(f"/v1/series/{doc['id']}").status_code == 404
    assert api.get("/v1/series/0").status_code == 404


# -- changing and cancelling with a scope -------------------------------------------------------


def test_moving_following_occurrences_shifts_each_by_the_same_local_delta(api):
    world = clinic(api, time_zone="America/New_York")
    doc = booked(series(api, world, "2030-03-04T09:00:00", "FREQ=WEEKLY;BYDAY=MO;COUNT=4"))
    second = doc["occurrences"][1]
    moved = api.patch(
        f"/v1/appointments/{second['id']}",
        params={"scope": "following"},
        json={"start": "2030-03-11T11:00:00-04:00"},
    )
    assert moved.status_code == 200, moved.text
    starts = [a["start"] for a in api.get(f"/v1/series/{doc['id']}").json()["occurrences"]]
    assert [local(s) for s in starts] == ["Mon 09:00", "Mon 11:00", "Mon 11:00", "Mon 11:00"]
    assert at(starts[0]) == at("2030-03-04T14:00:00Z")  # before the change: untouched
    history = api.get(f"/v1/appointments/{doc['occurrences'][3]['id']}/history").json()
    assert history[-1]["action"] == "rescheduled"


def test_moving_all_occurrences_across_dst_keeps_the_wall_clock_time(api):
    world = clinic(api, time_zone="America/New_York")
    doc = booked(series(api, world, "2030-03-04T09:00:00", "FREQ=WEEKLY;BYDAY=MO;COUNT=3"))
    last = doc["occurrences"][2]
    moved = api.patch(
        f"/v1/appointments/{last['id']}",
        params={"scope": "all"},
        json={"start": "2030-03-18T10:00:00"},
    )
    assert moved.status_code == 200, moved.text
    starts = [a["start"] for a in api.get(f"/v1/series/{doc['id']}").json()["occurrences"]]
    assert ats(*starts) == ats(
        "2030-03-04T15:00:00Z", "2030-03-11T14:00:00Z", "2030-03-18T14:00:00Z"
    )


def test_a_scoped_change_that_conflicts_anywhere_changes_nothing(api):
    world = clinic(api)
    doc = booked(series(api, world, "2030-01-07T10:00:00Z", "FREQ=WEEKLY;COUNT=3"))
    blocker = booked(book(api, world, "2030-01-21T12:00:00Z"))
    first = doc["occurrences"][0]
    response = api.patch(
        f"/v1/appointments/{first['id']}",
        params={"scope": "all"},
        json={"start": "2030-01-07T12:00:00Z"},
    )
    assert response.status_code == 409
    [conflict] = response.json()["conflicts"]
    assert (conflict["occurrence"], conflict["appointment_id"]) == (2, blocker["id"])
    assert api.get(f"/v1/series/{doc['id']}").json()["occurrences"] == doc["occurrences"]


def test_a_scoped_change_without_a_new_time_applies_to_each_occurrence(api):
    world = clinic(api)
    doc = booked(series(api, world, "2030-01-07T10:00:00Z", "FREQ=WEEKLY;COUNT=3"))
    other = create_staff(api, world["location"], first_name="Kim")
    api.patch(
        f"/v1/services/{world['service']['id']}",
        json={"staff_ids": [world["staff"]["id"], other["id"]]},
    )
    response = api.patch(
        f"/v1/appointments/{doc['occurrences'][1]['id']}",
        params={"scope": "following"},
        json={"staff_id": other["id"], "notes": "covering"},
    )
    assert response.status_code == 200, response.text
    after = api.get(f"/v1/series/{doc['id']}").json()["occurrences"]
    assert [(a["staff_id"], a["notes"]) for a in after] == [
        (world["staff"]["id"], None),
        (other["id"], "covering"),
        (other["id"], "covering"),
    ]
    # The first staff member's later time is free again.
    assert book(api, world, "2030-01-21T10:00:00Z").status_code == 201


def test_cancelling_following_occurrences_frees_their_time(api):
    world = clinic(api)
    doc = booked(series(api, world, "2030-01-07T10:00:00Z", "FREQ=WEEKLY;COUNT=4"))
    third = doc["occurrences"][2]
    response = api.post(
        f"/v1/appointments/{third['id']}/cancel",
        params={"scope": "following"},
        json={"reason": "moving"},
    )
    assert response.status_code == 200, response.text
    statuses = [a["status"] for a in api.get(f"/v1/series/{doc['id']}").json()["occurrences"]]
    assert statuses == ["confirmed", "confirmed", "cancelled", "cancelled"]
    assert book(api, world, "2030-01-28T10:00:00Z").status_code == 201
    everything = api.post(
        f"/v1/appointments/{doc['occurrences'][1]['id']}/cancel", params={"scope": "all"}
    )
    assert everything.status_code == 200, everything.text
    statuses = [a["status"] for a in api.get(f"/v1/series/{doc['id']}").json()["occurrences"]]
    assert statuses == ["cancelled"] * 4


def test_a_scope_on_an_appointment_outside_a_series_is_refused(api):
    world = clinic(api)
    single = booked(book(api, world, "2030-01-07T10:00:00Z"))
    for response in [
        api.patch(f"/v1/appointments/{single['id']}", params={"scope": "all"}, json={"notes": "x"}),
        api.post(f"/v1/appointments/{single['id']}/cancel", params={"scope": "following"}),
    ]:
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "scope"
    assert api.get(f"/v1/appointments/{single['id']}").json()["status"] == "confirmed"
    unknown = api.patch(f"/v1/appointments/{single['id']}", params={"scope": "some"}, json={})
    assert unknown.status_code == 422


def test_moving_or_cancelling_all_occurrences_takes_the_same_statements_whatever_their_number(
    api, count_statements
):
    world = clinic(api)
    moves, cancels = [], []
    for start, rule in [
        ("2030-01-07T09:00:00Z", "FREQ=WEEKLY;COUNT=3"),
        ("2030-01-08T09:00:00Z", "FREQ=WEEKLY;COUNT=30"),
    ]:
        path = f"/v1/appointments/{booked(series(api, world, start, rule))['occurrences'][0]['id']}"
        with count_statements:
            before = count_statements.count
            later = {"start": start.replace("T09", "T11")}
            assert api.patch(path, params={"scope": "all"}, json=later).status_code == 200
            moves.append(count_statements.count - before)
            before = count_statements.count
            assert api.post(path + "/cancel", params={"scope": "all"}).status_code == 200
            cancels.append(count_statements.count - before)
    assert moves[0] == moves[1] and cancels[0] == cancels[1], (moves, cancels)
