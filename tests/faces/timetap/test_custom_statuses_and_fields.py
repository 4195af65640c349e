"""Custom subStatuses (the core's custom statuses) and ``fields`` (the core's form answers)
through the TimeTap face, seen the same through /v1."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.faces.native.row_counts import row_counts
from tests.faces.timetap.conftest import TimeTap, refused
from tests.faces.timetap.world import MON, body, booked, clinic


def _custom(api: Api, name: str, base: str) -> dict[str, Any]:
    response = api.post("/v1/custom-statuses", json={"name": name, "base_status": base})
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def _field(api: Api, **fields: Any) -> dict[str, Any]:
    response = api.post("/v1/form-fields", json=fields)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def _v1(api: Api, calendar_id: int) -> dict[str, Any]:
    response = api.get(f"/v1/appointments/{calendar_id}")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_the_status_path_takes_a_custom_substatus_and_renders_it_back(
    tt: TimeTap, api: Api
) -> None:
    world = clinic(api)
    waiting = _custom(api, "Waiting Room", "checked_in")
    appt = booked(tt, body(world, MON, 1000, 1030))
    cid = appt["calendarId"]
    moved = tt.ok("PUT", f"/appointments/{cid}/OPEN/Waiting Room")
    assert (moved["status"], moved["subStatus"]) == ("OPEN", "Waiting Room")
    native = _v1(api, cid)
    assert native["status"] == "checked_in" and native["custom_status_id"] == waiting["id"]
    # Read back through every path, and case does not matter on the way in.
    assert tt.ok("GET", f"/appointments/{cid}")["subStatus"] == "Waiting Room"
    rows = tt.ok("GET", "/appointmentList/report", params={"calendarIdList": cid})
    assert rows[0]["subStatus"] == "Waiting Room"
    assert tt.ok("PUT", f"/appointments/{cid}/OPEN/waiting room")["subStatus"] == "Waiting Room"
    # A seed value with the same core status replaces the custom status.
    back = tt.ok("PUT", f"/appointments/{cid}/OPEN/CHECKEDIN")
    assert back["subStatus"] == "CHECKEDIN" and _v1(api, cid)["custom_status_id"] is None


def test_unknown_disagreeing_and_illegal_custom_substatuses_are_refused_naming_the_field(
    tt: TimeTap, api: Api, other_api: Api
) -> None:
    world = clinic(api)
    _custom(api, "Waiting Room", "checked_in")
    _custom(other_api, "Theirs", "checked_in")
    cid = booked(tt, body(world, MON, 1000, 1030))["calendarId"]
    before = row_counts(api.db.services.engine)
    refused(tt.put(f"/appointments/{cid}/OPEN/Nope"), 400, "subStatus")
    refused(tt.put(f"/appointments/{cid}/OPEN/Theirs"), 400, "subStatus")
    refused(tt.put(f"/appointments/{cid}/COMPLETED/Waiting Room"), 400, "status")
    tt.ok("PUT", f"/appointments/{cid}/completed/false")
    after_completed = row_counts(api.db.services.engine)
    refused(tt.put(f"/appointments/{cid}/OPEN/Waiting Room"), 409)
    assert row_counts(api.db.services.engine) == after_completed
    assert before["appointments"] == after_completed["appointments"]


def test_cancel_noshow_and_completed_bodies_take_custom_substatuses_of_their_status(
    tt: TimeTap, api: Api
) -> None:
    world = clinic(api)
    late = _custom(api, "Cancelled late", "cancelled")
    _custom(api, "Ghosted", "no_show")
    _custom(api, "Paid and done", "completed")
    one = booked(tt, body(world, MON, 1000, 1030))["calendarId"]
    cancelled = tt.ok(
        "PUT",
        f"/appointments/{one}/cancel/false/false",
        json={"reason": "too late", "subStatus": "Cancelled late"},
    )
    assert (cancelled["status"], cancelled["subStatus"]) == ("CANCELLED", "Cancelled late")
    assert cancelled["cancelReason"] == "too late"
    assert _v1(api, one)["custom_status_id"] == late["id"]
    # The time is free again.
    booked(tt, body(world, MON, 1000, 1030))
    two = booked(tt, body(world, MON, 1100, 1130))["calendarId"]
    ghost = tt.ok("PUT", f"/appointments/{two}/noshow/false", json={"subStatus": "Ghosted"})
    assert (ghost["status"], ghost["subStatus"]) == ("NO_SHOW", "Ghosted")
    three = booked(tt, body(world, MON, 1200, 1230))["calendarId"]
    done = tt.put(f"/appointments/{three}/completed/false", json={"subStatus": "Ghosted"})
    refused(done, 400, "subStatus")
    done = tt.ok(
        "PUT", f"/appointments/{three}/completed/false", json={"subStatus": "Paid and done"}
    )
    assert (done["status"], done["subStatus"]) == ("COMPLETED", "Paid and done")


def test_booking_and_the_whole_object_put_take_custom_substatuses(tt: TimeTap, api: Api) -> None:
    world = clinic(api)
    vip = _custom(api, "VIP", "confirmed")
    _custom(api, "Started", "in_progress")
    appt = booked(tt, body(world, MON, 1000, 1030, subStatus="VIP"))
    assert (appt["status"], appt["subStatus"]) == ("OPEN", "VIP")
    assert _v1(api, appt["calendarId"])["custom_status_id"] == vip["id"]
    refused(tt.post("/appointments", json=body(world, MON, 1100, 1130, subStatus="Started")), 400)
    refused(
        tt.post(
            "/appointments", json=body(world, MON, 1100, 1130, status="PENDING", subStatus="VIP")
        ),
        400,
        "status",
    )
    # GET, then PUT the object back with another custom subStatus: the core status follows.
    current = tt.ok("GET", f"/appointments/{appt['calendarId']}")
    unchanged = tt.ok("PUT", f"/appointments/{appt['calendarId']}", json=current)
    assert unchanged["subStatus"] == "VIP"
    started = tt.ok(
        "PUT", f"/appointments/{appt['calendarId']}", json={**current, "subStatus": "Started"}
    )
    assert (started["status"], started["subStatus"]) == ("OPEN", "Started")
    assert _v1(api, appt["calendarId"])["status"] == "in_progress"
    bad = tt.put(f"/appointments/{appt['calendarId']}", json={**current, "subStatus": "Nope"})
    refused(bad, 400, "subStatus")


def test_reports_filter_and_count_by_custom_substatus(tt: TimeTap, api: Api) -> None:
    world = clinic(api)
    _custom(api, "VIP", "confirmed")
    vip = booked(tt, body(world, MON, 1000, 1030, subStatus="VIP"))["calendarId"]
    plain = booked(tt, body(world, MON, 1100, 1130))["calendarId"]
    rows = tt.ok("GET", "/appointmentList/report", params={"statusList": "VIP"})
    assert [r["calendarId"] for r in rows] == [vip]
    both = tt.ok("POST", "/appointmentList/reportWithCount", json={"statusList": ["VIP", "OPEN"]})
    assert both["count"] == 2 and {r["calendarId"] for r in both["appts"]} == {vip, plain}
    assert tt.ok("GET", "/appointmentList/reportCount", params={"statusList": "vip"}) == 1
    counts = tt.ok(
        "GET", "/appointmentList/reportCountsByStatus", params={"statusList": "OPEN,VIP"}
    )
    assert {c["status"]: c["count"] for c in counts} == {"OPEN": 2, "VIP": 1}
    room = world["room"]["id"]
    assert tt.ok("GET", f"/appointments/resource/{room}/VIP") == []
    refused(tt.get("/appointmentList/report", params={"statusList": "Nope"}), 400, "statusList")


def test_fields_are_the_cores_form_answers_checked_by_its_rules(tt: TimeTap, api: Api) -> None:
    world = clinic(api)
    comments = _field(api, label="Comments", type="text", required=True)
    colours = _field(api, label="Colours", type="multiselect", options=["red", "blue", "green"])
    age = _field(api, label="Age", type="number")
    fields = [
        {"schedulerPreferenceFieldDefnId": comments["id"], "value": "Boo!", "businessId": None},
        {"schedulerPreferenceFieldDefnId": colours["id"], "value": "red, blue"},
        {"schedulerPreferenceFieldDefnId": age["id"], "value": 42},
    ]
    appt = booked(tt, body(world, MON, 1000, 1030, fields=fields))
    by_id = {f["schedulerPreferenceFieldDefnId"]: f for f in appt["fields"]}
    assert by_id[comments["id"]]["value"] == "Boo!"
    assert by_id[comments["id"]]["label"] == "Comments" and by_id[comments["id"]]["mode"] == "APPT"
    assert by_id[colours["id"]]["values"] == ["red", "blue"]
    assert by_id[age["id"]]["value"] == "42"
    assert "Comments : Boo!" in appt["customFieldDesc"].splitlines()
    native = _v1(api, appt["calendarId"])
    assert {"field_id": comments["id"], "value": "Boo!"} in native["form"]
    assert {"field_id": colours["id"], "values": ["red", "blue"]} in native["form"]
    # Read back the same way, and GET + PUT of the object keeps them.
    got = tt.ok("GET", f"/appointments/{appt['calendarId']}")
    assert got["fields"] == appt["fields"]
    again = tt.ok("PUT", f"/appointments/{appt['calendarId']}", json=got)
    assert again["fields"] == appt["fields"]
    changed = [{"schedulerPreferenceFieldDefnId": comments["id"], "value": "Changed"}]
    out = tt.ok("PUT", f"/appointments/{appt['calendarId']}", json={**got, "fields": changed})
    assert [f["value"] for f in out["fields"]] == ["Changed"]
    # A booking without fields is not asked for them; an empty list is (Comments is required).
    booked(tt, body(world, MON, 1100, 1130))
    refused(tt.post("/appointments", json=body(world, MON, 1200, 1230, fields=[])), 400, "fields")


def test_bad_fields_are_refused_naming_the_field_and_nothing_is_written(
    tt: TimeTap, api: Api, other_api: Api
) -> None:
    world = clinic(api)
    colours = _field(api, label="Colours", type="select", options=["red", "blue"])
    email = _field(api, label="E-mail", type="email")
    theirs = _field(other_api, label="Theirs", type="text")
    before = row_counts(api.db.services.engine)
    key = "schedulerPreferenceFieldDefnId"
    cases = [
        ("x", "fields"),
        (["x"], "fields[0]"),
        ([{"value": "red"}], f"fields[0].{key}"),
        ([{key: "abc", "value": "red"}], f"fields[0].{key}"),
        ([{key: colours["id"], "value": "purple"}], "fields[0].value"),
        ([{key: email["id"], "value": "not an address"}], "fields[0].value"),
        ([{key: theirs["id"], "value": "x"}], f"fields[0].{key}"),
        ([{key: colours["id"], "value": "red", "businessId": other_api.account_id}], None),
        ([{key: colours["id"], "value": "red"}, {key: colours["id"], "value": "red"}], None),
    ]
    for fields, name in cases:
        response = tt.post("/appointments", json=body(world, MON, 1000, 1030, fields=fields))
        error = refused(response, 400, name)
        assert all(f["field"].startswith("fields") for f in error["fields"]), error
    assert row_counts(api.db.services.engine) == before
    appt = booked(tt, body(world, MON, 1000, 1030))
    bad = [{key: colours["id"], "value": "purple"}]
    refused(tt.put(f"/appointments/{appt['calendarId']}", json={"fields": bad}), 400)
    assert _v1(api, appt["calendarId"])["form"] == []


def test_a_cancel_into_a_custom_status_with_waitlist_ids_still_places_the_hold(
    tt: TimeTap, api: Api
) -> None:
    world = clinic(api)
    _custom(api, "Cancelled late", "cancelled")
    appt = booked(tt, body(world, MON, 1000, 1030))
    entry = tt.ok(
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
    cancelled = tt.ok(
        "PUT",
        f"/appointments/{appt['calendarId']}/cancel/false/false",
        json={"subStatus": "Cancelled late", "waitListIds": [entry["waitListId"]]},
    )
    assert (cancelled["status"], cancelled["subStatus"]) == ("CANCELLED", "Cancelled late")
    invited = tt.ok("GET", f"/waitlist/{entry['waitListId']}")
    assert invited["status"] == "INVITED"
    hold = tt.ok("GET", f"/appointments/{invited['holdCalendarId']}")
    assert hold["subStatus"] == "PENDING_WAITLIST"
    # A hold takes no custom status.
    late = {"subStatus": "Cancelled late"}
    refused(tt.put(f"/appointments/{hold['calendarId']}/cancel/false/false", json=late), 400)
    assert tt.ok("GET", f"/appointments/{hold['calendarId']}")["status"] == "PENDING"
