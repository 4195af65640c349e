"""Another account's session token sees none of this account's ids (404 everywhere), and bad
input on every write is a 400 naming the field, never a 5xx, writing nothing."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.faces.timetap.conftest import TimeTap, refused
from tests.faces.timetap.world import MON, body, booked, clinic


def _everything(tt: TimeTap, api: Api) -> dict[str, Any]:
    world = clinic(api)
    a = booked(tt, body(world, MON, 1000, 1030, resource={"resourceId": world["room"]["id"]}))
    entry = tt.ok(
        "POST",
        "/waitlist",
        json={
            "client": {"clientId": world["client"]["id"]},
            "location": {"locationId": world["location"]["id"]},
            "reason": {"reasonId": world["service"]["id"]},
        },
    )
    intent = tt.ok(
        "POST",
        "/appointmentIntent",
        json={
            "businessId": api.account_id,
            "clientId": world["client"]["id"],
            "externalReferenceNumber": "X",
            "startDate": 1_893_974_400_000,
            "endDate": 1_893_974_400_000,
        },
    )
    return {"world": world, "a": a, "entry": entry, "intent": intent}


def test_another_accounts_token_gets_404_for_every_id(
    tt: TimeTap, api: Api, other_tt: TimeTap
) -> None:
    s = _everything(tt, api)
    w, cal = s["world"], s["a"]["calendarId"]
    loc, staff, svc = w["location"]["id"], w["staff"]["id"], w["service"]["id"]
    room, client = w["room"]["id"], w["client"]["id"]
    wl, intent = s["entry"]["waitListId"], s["intent"]["appointmentIntentId"]
    for method, path in (
        ("GET", f"/appointments/{cal}"),
        ("PUT", f"/appointments/{cal}/OPEN/CONFIRMED"),
        ("PUT", f"/appointments/{cal}/cancel/false/false"),
        ("PUT", f"/appointments/{cal}/noshow/false"),
        ("PUT", f"/appointments/{cal}/completed/false"),
        ("GET", f"/appointments/{cal}/checkWaitList"),
        ("GET", f"/appointments/resource/{room}/OPEN"),
        ("GET", f"/resource/{room}/isBusy/{MON}/900/1000"),
        ("GET", f"/locations/{loc}"),
        ("GET", f"/staff/{staff}"),
        ("GET", f"/services/{svc}"),
        ("GET", f"/clients/{client}"),
        ("GET", f"/resource/{room}"),
        ("GET", f"/waitlist/{wl}"),
        ("POST", f"/waitlist/cancel/{wl}"),
        ("GET", f"/appointmentIntent/{intent}"),
        ("DELETE", f"/appointmentIntent/{intent}"),
        ("GET", f"/appointmentIntentList/{client}"),
        ("GET", f"/availability/2030/01/07/{staff}/{loc}/{svc}"),
        ("GET", f"/availability/2030/01/{staff}/{loc}/{svc}"),
    ):
        refused(other_tt.request(method, path), 404)
    refused(other_tt.put(f"/appointments/{cal}", json=s["a"]), 404)
    refused(
        other_tt.put(
            f"/appointmentIntent/{intent}",
            json={**s["intent"], "businessId": other_tt.api.account_id},
        ),
        404,
    )
    refused(
        other_tt.post("/appointments", json=body(w, MON, 1100, 1130)), 404, "location.locationId"
    )
    assert other_tt.ok("GET", "/appointmentList/reportWithCount") == {"appts": [], "count": 0}
    assert other_tt.ok("GET", "/appointmentList/report", params={"calendarIdList": cal}) == []
    assert other_tt.ok("GET", "/waitlist") == []
    assert other_tt.ok("GET", "/appointmentIntentList") == []
    for listing in ("/locations", "/staff", "/services", "/clients", "/resource"):
        assert other_tt.ok("GET", listing) == []
    assert other_tt.ok("GET", f"/appointments/recurringappointments/{cal}") == []
    # and nothing of the owner changed
    assert tt.ok("GET", f"/appointments/{cal}")["status"] == "OPEN"


def _count(tt: TimeTap) -> int:
    result: int = tt.ok(
        "GET",
        "/appointmentList/reportCount",
        params={"statusList": "OPEN,PENDING,CANCELLED,COMPLETED,NO_SHOW,PENDING_WAITLIST"},
    )
    return result


BAD_BOOKINGS: list[tuple[dict[str, Any], str]] = [
    ({"clientStartTime": 1275}, "clientStartTime"),
    ({"clientStartTime": 2500}, "clientStartTime"),
    ({"clientStartTime": -5}, "clientStartTime"),
    ({"clientStartTime": "ten"}, "clientStartTime"),
    ({"clientStartTime": True}, "clientStartTime"),
    ({"clientEndTime": 1299}, "clientEndTime"),
    ({"clientEndTime": 900}, "clientEndTime"),
    ({"clientStartDate": "2030-02-30", "date": None}, "clientStartDate"),
    ({"clientStartDate": "07/01/2030", "date": None}, "clientStartDate"),
    ({"clientEndDate": "2030-13-01"}, "clientEndDate"),
    ({"location": None}, "location.locationId"),
    ({"location": {"locationId": "abc"}}, "location.locationId"),
    ({"location": {"locationId": 999999}}, "location.locationId"),
    ({"location": 5}, "location"),
    ({"reason": {}}, "reason.reasonId"),
    ({"reason": {"reasonId": 999999}}, "reason.reasonId"),
    ({"staff": {"professionalId": 999999}}, "staff.professionalId"),
    ({"staff": {"professionalId": 2**70}}, "staff.professionalId"),
    ({"client": {"clientId": 999999}}, "client.clientId"),
    ({"client": {"firstName": "New"}}, "client.clientId"),
    ({"resource": {"resourceId": 999999}}, "resource.resourceId"),
    ({"status": "DONE"}, "status"),
    ({"status": "OPEN", "subStatus": "NO_SHOW"}, "subStatus"),
    ({"clientReminderHours": -1}, "clientReminderHours"),
    ({"clientReminderHours": "x"}, "clientReminderHours"),
    ({"sendConfirmationToClient": "maybe"}, "sendConfirmationToClient"),
    ({"override": "sometimes"}, "override"),
    ({"seats": 0}, "seats"),
    ({"note": 5}, "note"),
    ({"fields": "x"}, "fields"),
    ({"classScheduleId": 999999}, "classScheduleId"),
    ({"waitListId": 999999}, "waitListId"),
    ({"waitListId": "w"}, "waitListId"),
    ({"additionalStaffIdList": ["x"]}, "additionalStaffIdList"),
    ({"startTime": 1100}, "startTime"),
    ({"calTimeSlot": {"units": "x"}, "staff": {"professionalId": None}}, "calTimeSlot.units"),
]


def test_bad_bookings_are_400_or_404_naming_the_field_and_write_nothing(
    tt: TimeTap, api: Api
) -> None:
    world = clinic(api)
    before = _count(tt)
    for change, field in BAD_BOOKINGS:
        response = tt.post("/appointments", json=body(world, MON, 1000, 1030, **change))
        assert response.status_code in (400, 404), (change, response.text)
        refused(response, response.status_code, field)
    for raw in (b"{", b"[]", b"null", b"", b'"text"', b"{" * 5000):
        refused(tt.post("/appointments", content=raw), 400, "body")
    assert _count(tt) == before


def test_a_wall_time_in_a_dst_gap_is_refused_on_every_write(tt: TimeTap, api: Api) -> None:
    world = clinic(api, time_zone="America/New_York")
    a = booked(tt, body(world, "2030-03-08", 1000, 1030))
    gap = body(world, "2030-03-10", 230, 300)
    refused(tt.post("/appointments", json=gap), 400, "clientStartTime")
    refused(
        tt.put(
            f"/appointments/{a['calendarId']}",
            json={
                **a,
                **{k: v for k, v in gap.items() if k.startswith("client") and k != "client"},
            },
        ),
        400,
        "clientStartTime",
    )


def test_bad_changes_are_refused_naming_the_field_and_write_nothing(tt: TimeTap, api: Api) -> None:
    world = clinic(api)
    a = booked(tt, body(world, MON, 1000, 1030))
    cal = a["calendarId"]
    for change, field in (
        ({"clientStartTime": 1275}, "clientStartTime"),
        ({"clientStartDate": "2030-02-30"}, "clientStartDate"),
        ({"staff": {"professionalId": 999999}}, "staff.professionalId"),
        ({"location": {"locationId": "x"}}, "location.locationId"),
        ({"subStatus": "SOMEDAY"}, "subStatus"),
        ({"status": "COMPLETED", "subStatus": "OPEN"}, "status"),
        ({"clientReminderHours": 10**9}, "clientReminderHours"),
        ({"note": ["x"]}, "note"),
    ):
        response = tt.put(f"/appointments/{cal}", json={**a, **change})
        assert response.status_code in (400, 404), (change, response.text)
        refused(response, response.status_code, field)
    for raw in (b"{", b"[]", b""):
        refused(tt.put(f"/appointments/{cal}", content=raw), 400, "body")
    assert tt.ok("GET", f"/appointments/{cal}") == a
    refused(tt.put(f"/appointments/{cal}/cancel/sure/no"), 400, "sendStaffEmail")
    refused(tt.put(f"/appointments/{cal}/cancel/true/true", content=b"{"), 400, "body")
    refused(
        tt.put(f"/appointments/{cal}/cancel/true/true", json={"subStatus": "OPEN"}),
        400,
        "subStatus",
    )
    refused(tt.put(f"/appointments/{cal}/cancel/true/true", json={"reason": 5}), 400, "reason")
    refused(
        tt.put(f"/appointments/{cal}/cancel/true/true", json={"waitListIds": [999999]}),
        404,
        "waitListIds",
    )
    refused(
        tt.put(f"/appointments/{cal}/noshow/true", json={"subStatus": "COMPLETED"}),
        400,
        "subStatus",
    )
    refused(tt.put("/appointments/x/OPEN/OPEN"), 400, "calendarId")
    refused(tt.put("/appointments/0/OPEN/OPEN"), 400, "calendarId")
    assert tt.ok("GET", f"/appointments/{cal}") == a


def test_bad_waitlist_client_and_intent_writes_are_refused(tt: TimeTap, api: Api) -> None:
    world = clinic(api)
    refused(tt.post("/waitlist", content=b"{"), 400, "body")
    refused(
        tt.post("/waitlist", json={"client": {"clientId": world["client"]["id"]}}),
        400,
        "location.locationId",
    )
    refused(tt.post("/waitlist/cancel/abc"), 400, "waitListId")
    refused(tt.post("/clients", content=b"[1]"), 400, "body")
    refused(tt.post("/appointmentIntent", content=b"nope"), 400, "body")
    refused(tt.put("/appointmentIntent/1", content=b"{}"), 400)
    refused(tt.delete("/appointmentIntent/x"), 400, "appointmentIntentId")
    assert tt.ok("GET", "/waitlist") == [] and tt.ok("GET", "/appointmentIntentList") == []
