"""Locations, staff, services, clients, resources (isBusy), availability, class schedules,
the waitlist and appointment intents through the TimeTap face."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import Api
from tests.faces.timetap.conftest import TimeTap, refused
from tests.faces.timetap.world import MON, body, booked, clinic, create_service


def test_catalog_objects_carry_appointds_ids(tt: TimeTap, api: Api) -> None:
    world = clinic(
        api, buffer_before_minutes=5, buffer_after_minutes=10, price="12.50", currency="EUR"
    )
    loc, staff, svc = world["location"], world["staff"], world["service"]
    assert [x["locationId"] for x in tt.ok("GET", "/locations")] == [loc["id"]]
    one = tt.ok("GET", f"/locations/{loc['id']}")
    assert (one["locationName"], one["timeZoneCode"], one["businessId"]) == (
        loc["name"],
        "Europe/London",
        api.account_id,
    )
    assert [x["professionalId"] for x in tt.ok("GET", "/staff")] == [staff["id"]]
    assert tt.ok("GET", f"/staff/{staff['id']}")["firstName"] == staff["first_name"]
    reason = tt.ok("GET", f"/services/{svc['id']}")
    assert (
        reason["reasonType"],
        reason["visitMinutes"],
        reason["bufferBefore"],
        reason["bufferAfter"],
        reason["price"],
    ) == ("SERVICE", 30, 5, 10, 12.5)
    yoga = create_service(api, name="Yoga", kind="class", capacity=8)
    types = {r["reasonId"]: r["reasonType"] for r in tt.ok("GET", "/services")}
    assert types == {svc["id"]: "SERVICE", yoga["id"]: "CLASS"}
    assert [c["clientId"] for c in tt.ok("GET", "/clients")] == [world["client"]["id"]]
    assert tt.ok("GET", f"/clients/{world['client']['id']}")["emailAddress"] == "ada@example.org"
    assert [r["resourceId"] for r in tt.ok("GET", "/resource")] == [world["room"]["id"]]
    assert tt.ok("GET", f"/resource/{world['room']['id']}")["locationId"] == loc["id"]
    for path in (
        "/locations/999999",
        "/staff/999999",
        "/services/999999",
        "/clients/999999",
        "/resource/999999",
        "/appointments/999999",
        "/classschedule/999999",
        "/waitlist/999999",
        "/appointmentIntent/999999",
    ):
        refused(tt.get(path), 404)
    refused(tt.get("/locations/abc"), 400, "locationId")
    refused(tt.get("/nowhere"), 404)


def test_clients_are_created_and_paged(tt: TimeTap, api: Api) -> None:
    made = tt.ok(
        "POST",
        "/clients",
        json={
            "firstName": "Grace",
            "lastName": "Hopper",
            "emailAddress": "grace@example.org",
            "cellPhone": "+15550100",
        },
    )
    assert made["clientId"] > 0 and made["cellPhone"] == "+15550100"
    assert api.get(f"/v1/clients/{made['clientId']}").json()["last_name"] == "Hopper"
    tt.ok("POST", "/clients", json={"firstName": "Alan"})
    page = tt.ok("GET", "/clients", params={"pageSize": 1, "pageNumber": 2})
    assert [c["firstName"] for c in page] == ["Alan"]
    refused(tt.post("/clients", json={"lastName": "X"}), 400, "firstName")
    refused(tt.post("/clients", json={"firstName": 5}), 400, "firstName")
    refused(tt.post("/clients", json={"firstName": "A", "emailAddress": "nope"}), 400)


def test_is_busy_answers_true_while_the_resource_is_taken(tt: TimeTap, api: Api) -> None:
    world = clinic(api)
    room = world["room"]["id"]
    booked(tt, body(world, MON, 1000, 1030, resource={"resourceId": room}))
    assert tt.ok("GET", f"/resource/{room}/isBusy/{MON}/1015/1045") is True
    assert tt.ok("GET", f"/resource/{room}/isBusy/{MON}/1030/1100") is False
    assert tt.ok("GET", f"/resource/{room}/isBusy/{MON}/900/1000") is False
    refused(tt.get(f"/resource/{room}/isBusy/{MON}/1275/1300"), 400, "startTime")
    refused(tt.get(f"/resource/{room}/isBusy/{MON}/1000/2500"), 400, "endTime")
    refused(tt.get(f"/resource/{room}/isBusy/2030-13-01/1000/1100"), 400, "apptDate")
    refused(tt.get(f"/resource/{room}/isBusy/{MON}/1100/1000"), 400, "endTime")


def test_availability_lists_timeslots_with_both_spans_epoch_ms_and_units(
    tt: TimeTap, api: Api
) -> None:
    world = clinic(api, duration_minutes=60, buffer_before_minutes=15, max_advance_days=36_000)
    loc, reason, staff = world["location"]["id"], world["service"]["id"], world["staff"]["id"]
    booked(tt, body(world, MON, 1115, 1215))
    slots = tt.ok("GET", f"/availability/2030/01/07/{staff}/{loc}/{reason}")
    first = slots[0]
    assert (first["clientStartDate"], first["clientStartTime"], first["clientEndTime"]) == (
        MON,
        915,
        1015,
    )
    assert (first["staffStartTime"], first["staffEndTime"]) == (900, 1015)
    assert first["clientStartDateTimeUTC"] == int(
        datetime(2030, 1, 7, 9, 15, tzinfo=UTC).timestamp() * 1000
    )
    assert first["units"][0]["professionalId"] == staff
    starts = [s["clientStartTime"] for s in slots]
    assert starts == [915, 1315, 1415, 1515]
    anyone = tt.ok("GET", f"/availability/2030/01/07/0/{loc}/{reason}")
    assert [s["clientStartTime"] for s in anyone] == starts
    days = tt.ok("GET", f"/availability/2030/01/{staff}/{loc}/{reason}")
    assert days[0] == "2030-01-01" or days[0] == MON
    assert "2030-01-05" not in days and MON in days and "2030-01-31" in days
    refused(tt.get(f"/availability/2030/02/30/{staff}/{loc}/{reason}"), 400, "date")
    refused(tt.get(f"/availability/2030/01/07/{staff}/{loc}/999999"), 404)
    refused(tt.get(f"/availability/2030/01/07/x/{loc}/{reason}"), 400, "staffId")


def test_the_waitlist_lists_open_registrations_and_cancels_them(tt: TimeTap, api: Api) -> None:
    world = clinic(api)
    payload = {
        "client": {"clientId": world["client"]["id"]},
        "location": {"locationId": world["location"]["id"]},
        "reason": {"reasonId": world["service"]["id"]},
        "staff": {"professionalId": world["staff"]["id"]},
        "startDate": MON,
        "endDate": "2030-01-11",
        "note": "mornings",
    }
    entry = tt.ok("POST", "/waitlist", json=payload)
    assert entry["waitListId"] > 0 and entry["status"] == "OPEN"
    assert entry["staff"]["professionalId"] == world["staff"]["id"]
    assert (entry["startDate"], entry["endDate"]) == (MON, "2030-01-11")
    assert [w["waitListId"] for w in tt.ok("GET", "/waitlist")] == [entry["waitListId"]]
    cancelled = tt.ok("POST", f"/waitlist/cancel/{entry['waitListId']}")
    assert cancelled["status"] == "CANCELLED"
    assert tt.ok("GET", "/waitlist") == []
    assert tt.ok("GET", f"/waitlist/{entry['waitListId']}")["status"] == "CANCELLED"
    refused(tt.post("/waitlist", json={**payload, "client": None}), 400, "client.clientId")
    refused(
        tt.post("/waitlist", json={**payload, "reason": {"reasonId": 999999}}),
        404,
        "reason.reasonId",
    )
    refused(tt.post("/waitlist", json={**payload, "startDate": "2030-01-32"}), 400, "startDate")
    refused(tt.post("/waitlist", json={**payload, "endDate": "2030-01-01"}), 400)


MS = 1_893_974_400_000  # 2030-01-07T00:00:00Z


def test_appointment_intents_follow_seed_000(tt: TimeTap, api: Api) -> None:
    world = clinic(api)
    cid = world["client"]["id"]
    payload = {
        "businessId": api.account_id,
        "clientId": cid,
        "description": "Test Description",
        "externalReferenceNumber": "Test1234",
        "startDate": MS,
        "endDate": MS + 6 * 86_400_000,
        "expirationDate": MS + 6 * 86_400_000,
        "booked": False,
    }
    made = tt.ok("POST", "/appointmentIntent", json=payload)
    assert set(made) == {
        "appointmentIntentId",
        "businessId",
        "clientId",
        "description",
        "externalReferenceNumber",
        "startDate",
        "endDate",
        "expirationDate",
        "active",
        "createdDate",
        "createdUser",
        "modifiedDate",
        "modifiedUser",
        "booked",
    }
    assert (made["startDate"], made["active"], made["booked"]) == (MS, True, False)
    assert made["modifiedDate"] is None
    iid = made["appointmentIntentId"]
    assert tt.ok("GET", f"/appointmentIntent/{iid}") == made
    assert [i["appointmentIntentId"] for i in tt.ok("GET", "/appointmentIntentList")] == [iid]
    assert [i["appointmentIntentId"] for i in tt.ok("GET", f"/appointmentIntentList/{cid}")] == [
        iid
    ]
    changed = tt.ok(
        "PUT",
        f"/appointmentIntent/{iid}",
        json={**payload, "appointmentIntentId": iid, "description": "Changed"},
    )
    assert changed["description"] == "Changed" and changed["modifiedDate"] is not None
    native = api.get(f"/v1/appointment-intents/{iid}").json()
    assert native["external_reference"] == "Test1234"
    deleted = tt.ok("DELETE", f"/appointmentIntent/{iid}")
    assert deleted["active"] is False
    assert tt.ok("GET", "/appointmentIntentList") == []
    assert [
        i["appointmentIntentId"]
        for i in tt.ok("GET", "/appointmentIntentList", params={"active": "false"})
    ] == [iid]
    for missing in ("businessId", "clientId", "externalReferenceNumber", "startDate", "endDate"):
        refused(tt.post("/appointmentIntent", json={**payload, missing: None}), 400, missing)
    refused(tt.post("/appointmentIntent", json={**payload, "startDate": "soon"}), 400, "startDate")
    refused(tt.post("/appointmentIntent", json={**payload, "clientId": 999999}), 404, "clientId")
    refused(
        tt.post("/appointmentIntent", json={**payload, "businessId": 999999}), 400, "businessId"
    )
    refused(tt.put(f"/appointmentIntent/{iid}", json=payload), 400, "appointmentIntentId")
