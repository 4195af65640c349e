"""POST /appointments and the appointment object: HHMM times, dates across midnight with
buffers, epoch ms, zones, round robin, class seats, waitlist bookings, cross-face identity."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import Api
from tests.faces.timetap.conftest import TimeTap, refused
from tests.faces.timetap.world import (
    ALL_DAY,
    MON,
    body,
    booked,
    clinic,
    create_service,
    create_staff,
)

# Every field of the seed's reportWithCount sample.
SEED_FIELDS = set(
    [
        "addOnReasonIdList",
        "addOnReasonList",
        "additionalStaffIdList",
        "address",
        "appointementIdHash",
        "appointmentDateTimeClient",
        "appointmentDateTimeStaff",
        "apptTZ",
        "batchAppointmentId",
        "blockResourceIdList",
        "blockStaffIdList",
        "blockedStaffList",
        "businessId",
        "calTimeSlot",
        "calendarId",
        "cancelReason",
        "cancelUser",
        "changeReason",
        "classScheduleId",
        "classroom",
        "client",
        "clientConfirmDate",
        "clientConfirmed",
        "clientEndDate",
        "clientEndDateTime",
        "clientEndDateTimeUTC",
        "clientEndTime",
        "clientReminderHours",
        "clientRescheduleCount",
        "clientStartDate",
        "clientStartDateTime",
        "clientStartDateTimeUTC",
        "clientStartTime",
        "color",
        "completedReason",
        "coordinatorStaff",
        "coupon",
        "couponId",
        "createddate",
        "createduser",
        "customField1",
        "customField2",
        "customField3",
        "customFieldData",
        "customFieldDesc",
        "date",
        "dateCheckedIn",
        "dateCompleted",
        "dateStarted",
        "discount",
        "endDate",
        "endDateTimeUTC",
        "endTime",
        "externalEventId",
        "fields",
        "invitationUUId",
        "jobRequisitionId",
        "location",
        "locationGroup",
        "locationSuperGroup",
        "manageApptUrl",
        "modifieddate",
        "modifieduser",
        "noPrefSelected",
        "noShowReason",
        "note",
        "packageSoldId",
        "price",
        "reason",
        "reasonBatchSeriesId",
        "reasonDesc",
        "reasonGroup",
        "recall",
        "recallDate",
        "recallStatus",
        "recurringAppointmentId",
        "remindClientSmsHrs",
        "remindStaffSmsHrs",
        "resource",
        "seats",
        "sendConfirmationToClient",
        "sendConfirmationToStaff",
        "showAs",
        "staff",
        "staffReminderHours",
        "staffRescheduleCount",
        "staffTimeText",
        "startDate",
        "startDateTimeUTC",
        "startTime",
        "status",
        "subStatus",
        "subject",
        "tax1Amount",
        "ticket",
        "transactionFee",
        "waitListId",
    ]
) - {"remindStaffSmsHrs"} | {"clientConfirmedDate", "waitlistId", "remindStaffSmsHours"}


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).astimezone(UTC).timestamp() * 1000)


def test_the_seeds_minimum_body_books_and_answers_every_field_of_the_object(
    tt: TimeTap, api: Api
) -> None:
    world = clinic(api)
    a = booked(tt, body(world, MON, 930, 1000))
    assert a.keys() >= SEED_FIELDS
    assert a["businessId"] == api.account_id
    assert a["location"]["locationId"] == world["location"]["id"]
    assert a["staff"]["professionalId"] == world["staff"]["id"]
    assert a["reason"]["reasonId"] == world["service"]["id"]
    assert a["reason"]["reasonType"] == "SERVICE"
    assert a["client"]["clientId"] == world["client"]["id"]
    assert (a["clientStartDate"], a["clientStartTime"], a["clientEndTime"]) == (MON, 930, 1000)
    assert (a["status"], a["subStatus"]) == ("OPEN", "OPEN")
    assert a["clientStartDateTimeUTC"] == ms("2030-01-07T09:30:00+00:00")
    assert a["clientReminderHours"] == 24 and a["remindClientSmsHrs"] == 1
    assert a["sendConfirmationToClient"] is True and a["sendConfirmationToStaff"] is False
    assert a["appointmentDateTimeClient"] == "Monday, Jan 7, 2030 at 9:30 AM GMT"
    assert tt.ok("GET", f"/appointments/{a['calendarId']}") == a


def test_null_staff_times_apply_the_reasons_buffers_across_midnight(tt: TimeTap, api: Api) -> None:
    """The seed's example: an hour from 00:15 with 30 minutes before starts at 23:45 the day
    before for the staff."""
    world = clinic(
        api, hours=ALL_DAY, duration_minutes=60, buffer_before_minutes=30, buffer_after_minutes=15
    )
    a = booked(tt, body(world, "2030-01-08", 15, 115))
    assert (a["clientStartDate"], a["clientStartTime"]) == ("2030-01-08", 15)
    assert (a["startDate"], a["startTime"]) == ("2030-01-07", 2345)
    assert (a["endDate"], a["endTime"]) == ("2030-01-08", 130)
    assert a["startDateTimeUTC"] == ms("2030-01-07T23:45:00+00:00")
    # The other end: 22:45 to 23:45 ends at 00:00 (2400) for the staff.
    b = booked(tt, body(world, "2030-01-09", 2245, 2345))
    assert (b["endDate"], b["endTime"]) == ("2030-01-09", 2400)


def test_an_appointment_that_crosses_midnight_passes_its_own_end_date(
    tt: TimeTap, api: Api
) -> None:
    world = clinic(api, hours=ALL_DAY, duration_minutes=60)
    a = booked(tt, body(world, MON, 2330, 30, clientEndDate="2030-01-08"))
    assert (a["clientEndDate"], a["clientEndTime"]) == ("2030-01-08", 30)
    assert a["clientEndDateTimeUTC"] - a["clientStartDateTimeUTC"] == 60 * 60_000
    missing_date = body(world, "2030-01-09", 2330, 30)
    refused(tt.post("/appointments", json=missing_date), 400, "clientEndTime")


def test_staff_times_given_must_be_the_buffered_span_or_the_clients(tt: TimeTap, api: Api) -> None:
    world = clinic(api, duration_minutes=30, buffer_before_minutes=15)
    a = booked(
        tt, body(world, MON, 1000, 1030, startTime=945, endTime=1030, startDate=MON, endDate=MON)
    )
    assert (a["startTime"], a["endTime"]) == (945, 1030)
    b = booked(tt, body(world, MON, 1100, 1130, startTime=1100, endTime=1130))
    assert b["startTime"] == 1045  # the core applies the buffers either way
    refused(
        tt.post("/appointments", json=body(world, MON, 1200, 1230, startTime=1130)),
        400,
        "startTime",
    )


def test_times_are_wall_time_at_the_location_zone(tt: TimeTap, api: Api) -> None:
    world = clinic(api, time_zone="America/New_York")
    a = booked(tt, body(world, "2030-07-01", 900, 930))
    assert a["clientStartDateTimeUTC"] == ms("2030-07-01T13:00:00+00:00")
    assert a["appointmentDateTimeClient"].endswith("9:00 AM EDT")
    assert a["location"]["timeZoneCode"] == "America/New_York"


def test_a_wall_time_in_the_spring_forward_gap_is_refused(tt: TimeTap, api: Api) -> None:
    world = clinic(api, time_zone="America/New_York", hours=ALL_DAY)
    refused(
        tt.post("/appointments", json=body(world, "2030-03-10", 230, 300)), 400, "clientStartTime"
    )


def test_pending_confirmation_books_a_pending_appointment(tt: TimeTap, api: Api) -> None:
    world = clinic(api)
    a = booked(tt, body(world, MON, 1000, 1030, status="PENDING_CONFIRMATION"))
    assert (a["status"], a["subStatus"]) == ("PENDING", "PENDING_CONFIRMATION")
    assert api.get(f"/v1/appointments/{a['calendarId']}").json()["status"] == "pending"


def test_a_timetap_booking_is_the_same_appointment_in_v1_and_collides_both_ways(
    tt: TimeTap, api: Api
) -> None:
    world = clinic(api)
    a = booked(tt, body(world, MON, 1000, 1030))
    native = api.get(f"/v1/appointments/{a['calendarId']}").json()
    assert native["start"].startswith("2030-01-07T10:00")
    assert a["appointementIdHash"] == native["reference"]
    assert a["manageApptUrl"].rsplit("/manage/", 1)[1] == native["manage_url"].rsplit("/", 1)[1]
    assert native["staff_id"] == world["staff"]["id"]
    clash = api.post(
        "/v1/appointments",
        json={
            "location_id": world["location"]["id"],
            "service_id": world["service"]["id"],
            "staff_id": world["staff"]["id"],
            "start": "2030-01-07T10:15:00Z",
            "client_id": world["client"]["id"],
        },
    )
    assert clash.status_code == 409, clash.text
    assert clash.json()["conflicts"][0]["id"] == a["calendarId"]
    v1 = api.post(
        "/v1/appointments",
        json={
            "location_id": world["location"]["id"],
            "service_id": world["service"]["id"],
            "staff_id": world["staff"]["id"],
            "start": "2030-01-07T11:00:00Z",
            "client_id": world["client"]["id"],
        },
    ).json()
    error = refused(tt.post("/appointments", json=body(world, MON, 1100, 1130)), 409)
    assert error["conflicts"][0]["calendarId"] == v1["id"]
    assert tt.ok("GET", f"/appointments/{v1['id']}")["clientStartTime"] == 1100


def test_override_books_over_other_bookings_and_outside_hours_on_purpose(
    tt: TimeTap, api: Api
) -> None:
    world = clinic(api)
    booked(tt, body(world, MON, 1000, 1030))
    refused(tt.post("/appointments", json=body(world, MON, 1000, 1030)), 409)
    booked(tt, body(world, MON, 1000, 1030), params={"override": 1})
    booked(tt, body(world, MON, 2000, 2030, override=True))
    refused(tt.post("/appointments", json=body(world, MON, 2100, 2130)), 400)


def test_round_robin_assigns_one_of_the_slots_units(tt: TimeTap, api: Api) -> None:
    world = clinic(api)
    second = create_staff(api, world["location"], first_name="Lucy")
    world["service"] = create_service(
        api, staff_ids=[world["staff"]["id"], second["id"]], max_advance_days=36_000
    )
    loc, reason = world["location"]["id"], world["service"]["id"]
    slots = tt.ok("GET", f"/availability/2030/01/07/0/{loc}/{reason}")
    slot = next(s for s in slots if s["clientStartTime"] == 1000)
    assert {u["professionalId"] for u in slot["units"]} == {world["staff"]["id"], second["id"]}
    taken = set()
    for _ in range(2):
        payload = body(world, MON, 1000, 1030, staff={"professionalId": None}, calTimeSlot=slot)
        taken.add(booked(tt, payload)["staff"]["professionalId"])
    assert taken == {world["staff"]["id"], second["id"]}
    payload = body(world, MON, 1000, 1030, staff={"professionalId": None}, calTimeSlot=slot)
    refused(tt.post("/appointments", json=payload), 409)
    no_slot = body(world, MON, 1100, 1130, staff={"professionalId": None})
    refused(tt.post("/appointments", json=no_slot), 400, "staff.professionalId")


def test_round_robin_chooses_only_among_the_slots_units(tt: TimeTap, api: Api) -> None:
    """The slot's units narrow the core's assignment: a slot offered for one staff member
    books that one, though round robin alone would pick another (lowest id, no bookings)."""
    world = clinic(api)
    second = create_staff(api, world["location"], first_name="Lucy")
    third = create_staff(api, world["location"], first_name="Maud")
    everyone = [world["staff"]["id"], second["id"], third["id"]]
    world["service"] = create_service(api, staff_ids=everyone, max_advance_days=36_000)
    loc, reason = world["location"]["id"], world["service"]["id"]
    slots = tt.ok("GET", f"/availability/2030/01/07/{third['id']}/{loc}/{reason}")
    slot = next(s for s in slots if s["clientStartTime"] == 1000)
    assert [u["professionalId"] for u in slot["units"]] == [third["id"]]

    def round_robin(at: int, chosen: dict[str, object]) -> object:
        end = at + 30
        return tt.post(
            "/appointments",
            json=body(world, MON, at, end, staff={"professionalId": None}, calTimeSlot=chosen),
        )

    first = round_robin(1000, slot)
    assert first.status_code == 200, first.text
    assert first.json()["staff"]["professionalId"] == third["id"]
    # Its only unit is taken now: refused, though two others are free at 10:00.
    refused(round_robin(1000, slot), 409)
    pair = {**slot, "units": [{"professionalId": second["id"]}, {"professionalId": third["id"]}]}
    assert round_robin(1000, pair).json()["staff"]["professionalId"] == second["id"]
    # A unit that does not offer the reason here is refused naming the units.
    stranger = create_staff(api, world["location"], first_name="Ned")
    alone = {**slot, "units": [{"professionalId": stranger["id"]}]}
    refused(round_robin(1100, alone), 400, "calTimeSlot.units")
    everyone_at_10 = api.get("/v1/appointments", params={"service_id": reason}).json()
    assert len(everyone_at_10["items"]) == 2


def test_a_class_seat_needs_class_schedule_id_and_seats(tt: TimeTap, api: Api) -> None:
    world = clinic(api)
    yoga = create_service(
        api,
        name="Yoga",
        kind="class",
        capacity=3,
        duration_minutes=60,
        staff_ids=[world["staff"]["id"]],
    )
    session = api.post(
        "/v1/class-sessions",
        json={
            "service_id": yoga["id"],
            "staff_id": world["staff"]["id"],
            "location_id": world["location"]["id"],
            "start": "2030-01-07T14:00:00Z",
            "end": "2030-01-07T15:00:00Z",
            "capacity": 3,
        },
    ).json()
    seat = booked(
        tt,
        {
            "classScheduleId": session["id"],
            "seats": 2,
            "client": {"clientId": world["client"]["id"]},
            "status": "OPEN",
        },
    )
    assert seat["classScheduleId"] == session["id"] and seat["seats"] == 2
    assert seat["reason"]["reasonType"] == "CLASS" and seat["clientStartTime"] == 1400
    schedule = tt.ok("GET", f"/classschedule/{session['id']}")
    assert schedule["seatsFilled"] == 2 and schedule["seatsLeft"] == 1
    full = tt.post(
        "/appointments",
        json={
            "classScheduleId": session["id"],
            "seats": 2,
            "client": {"clientId": world["client"]["id"]},
        },
    )
    refused(full, 409)


def test_booking_from_a_waitlist_registration_marks_it_booked(tt: TimeTap, api: Api) -> None:
    world = clinic(api)
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
    a = booked(tt, body(world, MON, 1000, 1030, waitListId=entry["waitListId"]))
    assert a["waitListId"] == entry["waitListId"]
    assert tt.ok("GET", f"/waitlist/{entry['waitListId']}")["status"] == "BOOKED"
    assert tt.ok("GET", "/waitlist") == []
