"""PUT /appointments (whole object), status changes, cancel with a waitlist hold, no-show,
completed, checkWaitList, and the by-resource and by-series lists."""

from __future__ import annotations

from typing import Any

from appointd.app import appointments
from tests.conftest import Api
from tests.faces.timetap.conftest import TimeTap, refused
from tests.faces.timetap.world import MON, TUE, body, booked, clinic


def test_put_moves_the_appointment_rechecks_and_counts_the_reschedule(
    tt: TimeTap, api: Api
) -> None:
    world = clinic(api)
    a = booked(tt, body(world, MON, 1000, 1030))
    b = booked(tt, body(world, MON, 1100, 1130))
    moved = dict(
        a,
        clientStartDate=TUE,
        clientEndDate=TUE,
        clientStartTime=1400,
        clientEndTime=1430,
        startTime=None,
        endTime=None,
        note="moved",
    )
    out = tt.ok("PUT", f"/appointments/{a['calendarId']}", json=moved)
    assert (out["clientStartDate"], out["clientStartTime"]) == (TUE, 1400)
    assert out["staffRescheduleCount"] == 1 and out["note"] == "moved"
    assert (
        api.get(f"/v1/appointments/{a['calendarId']}")
        .json()["start"]
        .startswith("2030-01-08T14:00")
    )
    onto_b = dict(
        out, clientStartDate=MON, clientEndDate=MON, clientStartTime=1100, clientEndTime=1130
    )
    error = refused(tt.put(f"/appointments/{a['calendarId']}", json=onto_b), 409)
    assert error["conflicts"][0]["calendarId"] == b["calendarId"]
    # nothing was written by the refusal
    assert tt.ok("GET", f"/appointments/{a['calendarId']}")["clientStartTime"] == 1400
    same = tt.ok("PUT", f"/appointments/{a['calendarId']}", json=out)
    assert same["staffRescheduleCount"] == 1


def test_put_changes_the_reminders_and_the_status(tt: TimeTap, api: Api) -> None:
    world = clinic(api)
    a = booked(tt, body(world, MON, 1000, 1030))
    out = tt.ok(
        "PUT",
        f"/appointments/{a['calendarId']}",
        json=dict(a, clientReminderHours=48, subStatus="CONFIRMED"),
    )
    assert out["clientReminderHours"] == 48
    assert (out["status"], out["subStatus"]) == ("OPEN", "CONFIRMED")
    done = tt.ok(
        "PUT",
        f"/appointments/{a['calendarId']}",
        json=dict(out, status="COMPLETED", subStatus="COMPLETED"),
    )
    assert done["status"] == "COMPLETED" and done["dateCompleted"] is not None
    back = tt.put(
        f"/appointments/{a['calendarId']}", json=dict(done, status="OPEN", subStatus="OPEN")
    )
    assert refused(back, 409)["currentStatus"] == "completed"


def test_the_generic_status_call_walks_the_status_machine(tt: TimeTap, api: Api) -> None:
    world = clinic(api)
    a = booked(tt, body(world, MON, 1000, 1030))
    path = f"/appointments/{a['calendarId']}"
    assert tt.ok("PUT", f"{path}/OPEN/CONFIRMED")["subStatus"] == "CONFIRMED"
    checked = tt.ok("PUT", f"{path}/OPEN/CHECKEDIN")
    assert (checked["status"], checked["subStatus"]) == ("OPEN", "CHECKEDIN")
    assert checked["dateCheckedIn"] is not None
    started = tt.ok("PUT", f"{path}/OPEN/INPROGRESS")
    assert started["subStatus"] == "INPROGRESS" and started["dateStarted"] is not None
    assert api.get(f"/v1/appointments/{a['calendarId']}").json()["status"] == "in_progress"
    refused(tt.put(f"{path}/OPEN/PENDING"), 400, "status")
    refused(tt.put(f"{path}/OPEN/NOPE"), 400, "subStatus")
    refused(tt.put(f"{path}/PENDING/PENDING"), 409)


def test_noshow_and_completed_keep_their_reasons(tt: TimeTap, api: Api) -> None:
    world = clinic(api)
    a = booked(tt, body(world, MON, 1000, 1030))
    no = tt.ok(
        "PUT",
        f"/appointments/{a['calendarId']}/noshow/false",
        json={"reason": "did not come", "subStatus": "NO_SHOW"},
    )
    assert (no["status"], no["subStatus"], no["noShowReason"]) == (
        "NO_SHOW",
        "NO_SHOW",
        "did not come",
    )
    b = booked(tt, body(world, MON, 1100, 1130))
    done = tt.ok("PUT", f"/appointments/{b['calendarId']}/completed/true", json={})
    assert (done["status"], done["subStatus"]) == ("COMPLETED", "COMPLETED")
    assert done["cancelUser"] is not None
    refused(tt.put(f"/appointments/{b['calendarId']}/completed/maybe"), 400, "sendClientEmail")


def test_cancel_frees_the_time_and_keeps_reason_and_user(tt: TimeTap, api: Api) -> None:
    world = clinic(api)
    a = booked(tt, body(world, MON, 1000, 1030))
    out = tt.ok(
        "PUT",
        f"/appointments/{a['calendarId']}/cancel/false/true",
        json={"reason": "sick", "subStatus": "CANCELLED"},
    )
    assert (out["status"], out["subStatus"], out["cancelReason"]) == (
        "CANCELLED",
        "CANCELLED",
        "sick",
    )
    assert out["cancelUser"]
    booked(tt, body(world, MON, 1000, 1030))
    refused(tt.put(f"/appointments/{a['calendarId']}/cancel/false/false"), 409)


def _waiting(tt: TimeTap, world: dict[str, Any]) -> dict[str, Any]:
    return tt.ok(
        "POST",
        "/waitlist",
        json={
            "client": {"clientId": world["client"]["id"]},
            "location": {"locationId": world["location"]["id"]},
            "reason": {"reasonId": world["service"]["id"]},
            "startDate": MON,
            "endDate": MON,
        },
    )


def test_check_waitlist_then_cancel_with_waitlist_ids_places_a_hold(tt: TimeTap, api: Api) -> None:
    world = clinic(api)
    a = booked(tt, body(world, MON, 1000, 1030))
    entry = _waiting(tt, world)
    candidates = tt.ok("GET", f"/appointments/{a['calendarId']}/checkWaitList")
    assert [c["waitListId"] for c in candidates] == [entry["waitListId"]]
    assert candidates[0]["client"]["clientId"] == world["client"]["id"]
    tt.ok(
        "PUT",
        f"/appointments/{a['calendarId']}/cancel/false/false",
        params={"waitListIds": str(entry["waitListId"])},
    )
    invited = tt.ok("GET", f"/waitlist/{entry['waitListId']}")
    assert invited["status"] == "INVITED"
    assert [w["waitListId"] for w in tt.ok("GET", "/waitlist")] == [entry["waitListId"]]
    hold = tt.ok("GET", f"/appointments/{invited['holdCalendarId']}")
    assert (hold["status"], hold["subStatus"], hold["client"]) == (
        "PENDING",
        "PENDING_WAITLIST",
        None,
    )
    assert hold["clientStartTime"] == 1000
    refused(tt.post("/appointments", json=body(world, MON, 1000, 1030)), 409)
    holds = tt.ok("GET", "/appointmentList/report", params={"statusList": "PENDING_WAITLIST"})
    assert [h["calendarId"] for h in holds] == [hold["calendarId"]]
    # the hold is removed by cancelling it
    tt.ok("PUT", f"/appointments/{hold['calendarId']}/cancel/false/false")
    booked(tt, body(world, MON, 1000, 1030))


def test_waitlist_ids_may_come_in_the_body(tt: TimeTap, api: Api) -> None:
    world = clinic(api)
    a = booked(tt, body(world, MON, 1000, 1030))
    entry = _waiting(tt, world)
    tt.ok(
        "PUT",
        f"/appointments/{a['calendarId']}/cancel/true/true",
        json={"reason": "", "waitListIds": [entry["waitListId"]]},
    )
    assert tt.ok("GET", f"/waitlist/{entry['waitListId']}")["status"] == "INVITED"
    refused(
        tt.put(f"/appointments/{a['calendarId']}/cancel/true/true", json={"waitListIds": "x"}),
        400,
        "waitListIds",
    )


def test_appointments_of_a_resource_by_status(tt: TimeTap, api: Api) -> None:
    world = clinic(api)
    room = world["room"]["resourceId"] if "resourceId" in world["room"] else world["room"]["id"]
    a = booked(tt, body(world, MON, 1000, 1030, resource={"resourceId": room}))
    booked(tt, body(world, MON, 1100, 1130))
    c = booked(tt, body(world, MON, 1200, 1230, resourceId=room))
    tt.ok("PUT", f"/appointments/{c['calendarId']}/cancel/false/false")
    assert a["resource"]["resourceId"] == room
    listed = tt.ok("GET", f"/appointments/resource/{room}/OPEN")
    assert [x["calendarId"] for x in listed] == [a["calendarId"]]
    both = tt.ok("GET", f"/appointments/resource/{room}/OPEN,CANCELLED")
    assert [x["calendarId"] for x in both] == [a["calendarId"], c["calendarId"]]
    refused(tt.get(f"/appointments/resource/{room}/WHATEVER"), 400, "statusList")
    refused(tt.get("/appointments/resource/999999/OPEN"), 404)


def test_a_recurring_series_is_listed_by_its_id(tt: TimeTap, api: Api) -> None:
    world = clinic(api)
    series = api.post(
        "/v1/appointments",
        json={
            "location_id": world["location"]["id"],
            "service_id": world["service"]["id"],
            "staff_id": world["staff"]["id"],
            "client_id": world["client"]["id"],
            "start": "2030-01-07T09:00:00Z",
            "recurrence": {"rrule": "FREQ=WEEKLY;COUNT=3"},
        },
    ).json()
    members = tt.ok("GET", f"/appointments/recurringappointments/{series['id']}")
    assert [m["clientStartDate"] for m in members] == ["2030-01-07", "2030-01-14", "2030-01-21"]
    assert {m["recurringAppointmentId"] for m in members} == {series["id"]}
    assert tt.ok("GET", "/appointments/recurringappointments/999999") == []


def test_reminder_hours_and_confirmation_flags_become_the_cores_reminders_and_notify(
    tt: TimeTap, api: Api
) -> None:
    from sqlalchemy import select

    from appointd.store import tables

    world = clinic(api)
    a = booked(
        tt,
        body(
            world,
            MON,
            1000,
            1030,
            clientReminderHours=24,
            remindClientSmsHrs=2,
            staffReminderHours=0,
            remindStaffSmsHrs=0,
        ),
    )
    stored = appointments.get(api.context(), a["calendarId"]).reminders or []
    assert sorted((r["channel"], r["to"], r["minutes_before"]) for r in stored) == [
        ("email", "client", 1440),
        ("sms", "client", 120),
    ]
    moved = tt.ok("PUT", f"/appointments/{a['calendarId']}", json={**a, "staffReminderHours": 3})
    assert moved["staffReminderHours"] == 3 and moved["clientReminderHours"] == 24
    stored = appointments.get(api.context(), a["calendarId"]).reminders or []
    assert ("email", "staff", 180) in [(r["channel"], r["to"], r["minutes_before"]) for r in stored]
    tt.ok("PUT", f"/appointments/{a['calendarId']}/cancel/true/false")
    with api.db.engine.connect() as conn:
        payloads = [
            r.payload
            for r in conn.execute(
                select(tables.outbox)
                .where(tables.outbox.c.account_id == api.account_id)
                .order_by(tables.outbox.c.id)
            )
        ]
    assert payloads[0]["notify"] == {"client": True, "staff": False}
    assert payloads[-1]["notify"] == {"client": False, "staff": True}
