"""Reports: every parameter of the seed's table, GET and POST (query, body, both), paging and
counts, counts by status, time off, and a bounded number of statements for 500 rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from appointd.app import appointments
from appointd.app.commands import BookAppointment
from tests.conftest import Api, StatementCounter
from tests.faces.timetap.conftest import TimeTap, refused
from tests.faces.timetap.world import (
    ALL_DAY,
    MON,
    TUE,
    body,
    booked,
    clinic,
    create_client,
    create_service,
    create_staff,
)

REPORT = "/appointmentList/report"


def ids(rows: list[dict[str, Any]]) -> list[int]:
    return [r["calendarId"] for r in rows]


@pytest.fixture
def scene(tt: TimeTap, api: Api) -> dict[str, Any]:
    """Five appointments over two days, two staff, two reasons, two clients, a resource."""
    world = clinic(api)
    other_staff = create_staff(api, world["location"], first_name="Lee")
    other_reason = create_service(
        api, name="Massage", staff_ids=[world["staff"]["id"], other_staff["id"]]
    )
    other_client = create_client(api, first_name="Bob")
    room = world["room"]["id"]
    a = booked(tt, body(world, MON, 900, 930, resource={"resourceId": room}))
    b = booked(
        tt,
        body(
            world,
            MON,
            1000,
            1030,
            reason={"reasonId": other_reason["id"]},
            staff={"professionalId": other_staff["id"]},
        ),
    )
    c = booked(tt, body(world, TUE, 900, 930, client={"clientId": other_client["id"]}))
    d = booked(tt, body(world, TUE, 1000, 1030))
    e = booked(tt, body(world, "2030-01-09", 900, 930, status="PENDING_CONFIRMATION"))
    tt.ok("PUT", f"/appointments/{d['calendarId']}/cancel/false/false")
    return {
        "world": world,
        "a": a,
        "b": b,
        "c": c,
        "d": d,
        "e": e,
        "room": room,
        "other_staff": other_staff,
        "other_reason": other_reason,
        "other_client": other_client,
    }


def test_every_report_parameter_filters_as_the_seed_says(
    tt: TimeTap, scene: dict[str, Any]
) -> None:
    s = scene
    a, b, c, d, e = (s[k]["calendarId"] for k in "abcde")
    w = s["world"]

    def report(**params: Any) -> list[int]:
        return ids(tt.ok("GET", REPORT, params=params))

    assert report() == [a, b, c, d, e]
    assert report(calendarIdList=f"{c},{a}") == [a, c]
    assert report(clientIdList=s["other_client"]["id"]) == [c]
    assert report(clientId=s["other_client"]["id"]) == [c]
    assert report(staffIdList=s["other_staff"]["id"]) == [b]
    assert report(reasonIdList=s["other_reason"]["id"]) == [b]
    assert report(locationIdList=w["location"]["id"]) == [a, b, c, d, e]
    assert report(resourceIdList=s["room"]) == [a]
    assert report(startDate=TUE) == [c, d, e]
    assert report(endDate=MON) == [a, b]
    assert report(startDate=TUE, endDate=TUE) == [c, d]
    assert report(statusList="OPEN") == [a, b, c]
    assert report(statusList="CANCELLED,PENDING_CONFIRMATION") == [d, e]
    assert report(statusList=["PENDING", "CANCELLED"]) == [d, e]
    assert report(order_field="startDate", order_mode="desc") == [e, d, c, b, a]
    assert report(order_field="calendarId", order_mode="DESC") == [e, d, c, b, a]
    assert report(order_field="createddate") == [a, b, c, d, e]
    assert report(pageSize=2) == [a, b]
    assert report(pageSize=2, pageNumber=3) == [e]
    assert report(pageSize=2, pageNumber=4) == []
    assert report(classScheduleIdList=123456) == []
    assert report(classScheduleId=123456) == []
    assert report(recurringApptIdList=123456) == []
    for nothing in ("couponIdList", "packageSoldIdList", "locationGroupIdList"):
        assert report(**{nothing: 1}) == []
    assert report(uninvoiced="true") == [a, b, c, d, e]
    assert report(uninvoiced="false") == [a, b, c, d, e]
    rows = tt.ok("GET", REPORT, params={"showApptTz": "true", "showClientForms": "false"})
    assert rows[0]["apptTZ"] == "Europe/London" and rows[0]["fields"] is None
    rows = tt.ok("GET", REPORT)
    assert rows[0]["apptTZ"] is None and rows[0]["fields"] == []
    assert report(excludeTimeOff="true") == [a, b, c, d, e]
    assert report(onlyTimeOff=0) == [a, b, c, d, e]


def test_post_reports_take_query_body_or_both_and_an_empty_body_changes_nothing(
    tt: TimeTap, scene: dict[str, Any]
) -> None:
    a, b, c, d, e = (scene[k]["calendarId"] for k in "abcde")
    assert ids(tt.ok("POST", REPORT, json={})) == [a, b, c, d, e]
    assert ids(tt.ok("POST", REPORT, params={"startDate": TUE}, json={})) == [c, d, e]
    assert ids(tt.ok("POST", REPORT, json={"staffIdList": [scene["other_staff"]["id"]]})) == [b]
    both = tt.ok("POST", REPORT, params={"startDate": TUE}, json={"statusList": "OPEN"})
    assert ids(both) == [c]
    assert ids(tt.ok("POST", REPORT, content=b"")) == [a, b, c, d, e]


def test_report_with_count_counts_all_and_pages(tt: TimeTap, scene: dict[str, Any]) -> None:
    a, b, c, d, _e = (scene[k]["calendarId"] for k in "abcde")
    page = tt.ok("GET", "/appointmentList/reportWithCount", params={"pageSize": 2, "pageNumber": 2})
    assert page["count"] == 5 and ids(page["appts"]) == [c, d]
    posted = tt.ok("POST", "/appointmentList/reportWithCount", json={"statusList": "OPEN"})
    assert posted["count"] == 3 and ids(posted["appts"]) == [a, b, c]
    assert tt.ok("GET", "/appointmentList/reportCount") == 5
    assert tt.ok("POST", "/appointmentList/reportCount", json={"endDate": MON}) == 2
    assert tt.ok("GET", "/appointmentList/reportCount", params={"couponIdList": "7"}) == 0
    old = tt.ok("GET", "/appointments/report", params={"clientId": scene["other_client"]["id"]})
    assert ids(old) == [c]


def test_counts_by_status_are_one_object_per_status_and_reason(
    tt: TimeTap, scene: dict[str, Any]
) -> None:
    w, other = scene["world"], scene["other_reason"]
    plain = tt.ok(
        "GET",
        "/appointmentList/reportCountsByStatus",
        params={"statusList": "OPEN,CANCELLED,PENDING"},
    )
    assert [(o["status"], o["count"]) for o in plain] == [
        ("OPEN", 3),
        ("CANCELLED", 1),
        ("PENDING", 1),
    ]
    per_reason = tt.ok(
        "POST",
        "/appointmentList/reportCountsByStatus",
        json={"statusList": ["OPEN"], "reasonIdList": [w["service"]["id"], other["id"]]},
    )
    assert per_reason == [
        {
            "count": 2,
            "objectName": w["service"]["name"],
            "objectType": "REASON",
            "objectId": w["service"]["id"],
            "status": "OPEN",
        },
        {
            "count": 1,
            "objectName": "Massage",
            "objectType": "REASON",
            "objectId": other["id"],
            "status": "OPEN",
        },
    ]
    by_staff = tt.ok(
        "GET",
        "/appointmentList/reportCountsByStatus",
        params={"statusList": "OPEN", "staffIdList": scene["other_staff"]["id"]},
    )
    assert by_staff[0]["count"] == 1
    defaults = tt.ok("GET", "/appointmentList/reportCountsByStatus")
    assert [o["status"] for o in defaults] == [
        "OPEN",
        "PENDING",
        "COMPLETED",
        "NO_SHOW",
        "CANCELLED",
    ]


def test_time_off_appears_with_only_time_off_or_exclude_time_off_false(
    tt: TimeTap, api: Api
) -> None:
    world = clinic(api)
    a = booked(tt, body(world, MON, 900, 930))
    off = api.post(
        f"/v1/staff/{world['staff']['id']}/time-off",
        json={"start": "2030-01-07T12:00:00Z", "end": "2030-01-07T13:00:00Z", "reason": "lunch"},
    )
    assert off.status_code == 201, off.text
    only = tt.ok("GET", REPORT, params={"onlyTimeOff": 1})
    assert len(only) == 1 and only[0]["reason"]["reasonType"] == "PERSONAL"
    assert (only[0]["clientStartTime"], only[0]["clientEndTime"]) == (1200, 1300)
    assert only[0]["note"] == "lunch"
    assert tt.ok("GET", REPORT, params={"onlyTimeOff": 1, "startDate": TUE}) == []
    both = tt.ok("GET", "/appointmentList/reportWithCount", params={"excludeTimeOff": "false"})
    assert both["count"] == 2
    assert [r["calendarId"] for r in both["appts"]] == [a["calendarId"], None]
    assert tt.ok("GET", "/appointmentList/reportCount", params={"onlyTimeOff": 1}) == 1
    assert tt.ok("GET", "/appointmentList/reportCount", params={"excludeTimeOff": "false"}) == 2
    assert ids(tt.ok("GET", REPORT)) == [a["calendarId"]]


def test_bad_report_parameters_are_400_naming_them(tt: TimeTap) -> None:
    for params, field in (
        ({"pageSize": 0}, "pageSize"),
        ({"pageSize": 100000}, "pageSize"),
        ({"pageNumber": "x"}, "pageNumber"),
        ({"order_mode": "up"}, "order_mode"),
        ({"order_field": "color"}, "order_field"),
        ({"startDate": "2030-02-30"}, "startDate"),
        ({"startDate": "2030-01-08", "endDate": "2030-01-07"}, "endDate"),
        ({"staffIdList": "1,x"}, "staffIdList"),
        ({"statusList": "OPEN,SOON"}, "statusList"),
        ({"onlyTimeOff": 2}, "onlyTimeOff"),
        ({"excludeTimeOff": "perhaps"}, "excludeTimeOff"),
        ({"showApptTz": "perhaps"}, "showApptTz"),
        ({"calendarIdList": "-1"}, "calendarIdList"),
    ):
        refused(tt.get(REPORT, params=params), 400, field)
        refused(tt.post("/appointmentList/reportWithCount", json=params), 400, field)
    refused(tt.post(REPORT, content=b"{nope"), 400, "body")
    refused(tt.post(REPORT, json=[1]), 400, "body")


def _many(api: Api, world: dict[str, Any], n: int, first: int = 0) -> None:
    ctx = api.context()
    for i in range(first, first + n):
        day, slot = divmod(i, 48)
        appointments.book(
            ctx,
            BookAppointment(
                location_id=world["location"]["id"],
                service_id=world["service"]["id"],
                staff_id=world["staff"]["id"],
                client_id=world["client"]["id"],
                resource_ids=[world["room"]["id"]],
                start=datetime(2030, 1, 7 + day, slot // 2, 30 * (slot % 2)),
            ),
        )


def test_a_500_row_report_costs_the_same_statements_as_a_5_row_one(
    tt: TimeTap, api: Api, count_statements: StatementCounter
) -> None:
    world = clinic(api, hours=ALL_DAY, duration_minutes=30)
    params = {"pageSize": 500, "startDate": MON, "endDate": "2030-01-31"}
    _many(api, world, 5)
    tt.ok("GET", "/appointmentList/reportWithCount", params=params)  # warm the token
    with count_statements:
        small = tt.ok("GET", "/appointmentList/reportWithCount", params=params)
    few = count_statements.count
    _many(api, world, 495, first=5)
    tt.ok("GET", "/locations")  # the token again: the booking loop may outlast its cache
    count_statements.count = 0
    with count_statements:
        big = tt.ok("GET", "/appointmentList/reportWithCount", params=params)
    assert (small["count"], big["count"], len(big["appts"])) == (5, 500, 500)
    assert big["appts"][499]["resource"]["resourceId"] == world["room"]["id"]
    assert count_statements.count == few <= 9, count_statements.statements
