"""The appointment list: every query parameter, fields, levelDetail, personal appointments,
and the bounded statement count of a 500-item full list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from appointd.app import appointments
from appointd.app.commands import BookAppointment
from appointd.faces.agendize.render import FULL_FIELDS, LIGHT_FIELDS
from tests.conftest import Api, StatementCounter
from tests.faces.agendize.helpers import (
    MON,
    Agendize,
    appointment_body,
    appointments_path,
    ok,
    refused,
    world,
)
from tests.factories import create_client, create_resource, create_service, create_staff

DAY = {"startDate": f"{MON}T00:00:00Z", "endDate": "2030-01-08T00:00:00Z"}


def booked(agz: Agendize, w: dict[str, Any], local: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = ok(
        agz.post(appointments_path(w), json=appointment_body(w, local, **extra))
    )
    return body


def ids(agz: Agendize, w: dict[str, Any], **params: Any) -> list[str]:
    items = ok(agz.get(appointments_path(w), params={**DAY, **params}))["items"]
    return [a["id"] for a in items]


def test_the_window_keeps_appointments_that_overlap_it_and_defaults_to_a_month_each_side(
    api: Api,
) -> None:
    agz, w = Agendize(api), world(api)
    a = booked(agz, w, f"{MON}T10:00:00")
    b = booked(agz, w, f"{MON}T11:00:00")
    assert ids(agz, w) == [a["id"], b["id"]]
    assert ids(agz, w, startDate=f"{MON}T10:15:00Z", endDate=f"{MON}T11:00:00Z") == [a["id"]]
    assert ids(agz, w, startDate=f"{MON}T10:30:00Z", endDate=f"{MON}T11:00:00Z") == []
    # no window: now -1 month .. now +1 month, and 2030 is far away
    assert ok(agz.get(appointments_path(w)))["items"] == []
    refused(agz.get(appointments_path(w), params={"startDate": "yesterday"}), 400, "startDate")
    refused(
        agz.get(appointments_path(w), params={"startDate": f"{MON}T12:00:00Z", "endDate": MON}),
        400,
        "endDate",
    )


def test_the_created_window_filters_on_the_creation_time(api: Api) -> None:
    agz, w = Agendize(api), world(api)
    a = booked(agz, w, f"{MON}T10:00:00")
    now = datetime.now(UTC)
    before = (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    after = (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(agz, w, createdStartDate=before, createdEndDate=after) == [a["id"]]
    assert ids(agz, w, createdStartDate=after) == []
    assert ids(agz, w, createdEndDate=before) == []


def test_status_client_service_staff_resource_and_external_client_filters(api: Api) -> None:
    agz, w = Agendize(api), world(api)
    room = create_resource(api)
    other_staff = create_staff(api, w["location"], first_name="Kim")
    other_service = create_service(api, staff_ids=[w["staff"]["id"], other_staff["id"]])
    other_client = create_client(api, first_name="Bo", external_id="crm-7")
    a = booked(agz, w, f"{MON}T10:00:00", resource={"id": str(room["id"])})
    b = booked(
        agz,
        w,
        f"{MON}T10:00:00",
        staff={"id": str(other_staff["id"])},
        service={"id": str(other_service["id"])},
        client={"id": str(other_client["id"])},
        status="pending",
    )
    assert ids(agz, w, status="pending") == [b["id"]]
    assert ids(agz, w, status="accepted") == [a["id"]]
    assert ids(agz, w, clientId=str(other_client["id"])) == [b["id"]]
    assert ids(agz, w, serviceId=str(other_service["id"])) == [b["id"]]
    assert ids(agz, w, staffId=str(w["staff"]["id"])) == [a["id"]]
    assert ids(agz, w, resourceId=str(room["id"])) == [a["id"]]
    assert ids(agz, w, externalClientId="crm-7") == [b["id"]]
    assert ids(agz, w, staffId="an-external-id") == []
    refused(agz.get(appointments_path(w), params={**DAY, "status": "gone"}), 400, "status")
    refused(agz.get(appointments_path(w), params={**DAY, "clientId": "x"}), 400, "clientId")


def test_q_finds_appointments_by_the_text_of_their_form_answers(api: Api) -> None:
    agz, w = Agendize(api), world(api)
    field = api.post("/v1/form-fields", json={"label": "Reason", "value_format": "[A-Za-z ]+"})
    assert field.status_code == 201, field.text
    fid = str(field.json()["id"])
    a = booked(agz, w, f"{MON}T10:00:00", form=[{"id": fid, "value": "Knee pain"}])
    booked(agz, w, f"{MON}T11:00:00", form=[{"id": fid, "value": "Back"}])
    assert a["form"] == [{"id": fid, "value": "Knee pain"}]
    assert ids(agz, w, q="knee") == [a["id"]]
    # the core's valueFormat and known-field rules apply, naming the FormItem
    bad = appointment_body(w, f"{MON}T12:00:00", form=[{"id": fid, "value": "42!"}])
    refused(agz.post(appointments_path(w), json=bad), 400, "form[0].value")
    unknown = appointment_body(w, f"{MON}T12:00:00", form=[{"id": "999999", "value": "x"}])
    refused(agz.post(appointments_path(w), json=unknown), 400, "form[0].id")


def test_sync_tokens_return_only_what_changed_since_deletions_included(api: Api) -> None:
    agz, w = Agendize(api), world(api)
    a = booked(agz, w, f"{MON}T10:00:00")
    b = booked(agz, w, f"{MON}T11:00:00")
    first = ok(agz.get(appointments_path(w), params=DAY))
    assert [x["id"] for x in first["items"]] == [a["id"], b["id"]]
    token = first["nextSyncToken"]
    nothing = ok(agz.get(appointments_path(w), params={"syncToken": token}))
    assert nothing["items"] == [] and nothing["nextSyncToken"] == token
    ok(agz.put(f"{appointments_path(w)}/{a['id']}", json={"notes": "changed"}))
    c = booked(agz, w, f"{MON}T12:00:00")
    agz.delete(f"{appointments_path(w)}/{b['id']}")
    changed = ok(agz.get(appointments_path(w), params={"syncToken": token}))
    assert [x["id"] for x in changed["items"]] == [a["id"], c["id"], b["id"]]
    again = ok(agz.get(appointments_path(w), params={"syncToken": changed["nextSyncToken"]}))
    assert again["items"] == []
    refused(agz.get(appointments_path(w), params={"syncToken": "x"}), 400, "syncToken")


def test_custom_statuses_replace_status_and_are_listed_by_the_statuses_api(api: Api) -> None:
    agz, w = Agendize(api), world(api)
    created = api.post(
        "/v1/custom-statuses", json={"name": "Paid online", "base_status": "confirmed"}
    )
    assert created.status_code == 201, created.text
    sid = str(created.json()["id"])
    a = booked(agz, w, f"{MON}T10:00:00", customStatus={"id": sid})
    assert a["customStatus"] == {"id": sid, "name": "Paid online"} and "status" not in a
    light = ok(agz.get(appointments_path(w), params=DAY))["items"][0]
    assert light["customStatus"]["id"] == sid and "status" not in light
    back = ok(agz.put(f"{appointments_path(w)}/{a['id']}", json={"status": "accepted"}))
    assert back["status"] == "accepted" and "customStatus" not in back
    statuses = ok(agz.get("/api/2.3/scheduling/statuses"))["items"]
    assert {"id": sid, "name": "Paid online"}.items() <= statuses[-1].items()
    assert statuses[-1]["native"] is False
    refused(
        agz.post(
            appointments_path(w),
            json=appointment_body(w, f"{MON}T11:00:00", customStatus={"id": "999999"}),
        ),
        404,
        "customStatus.id",
    )


def test_every_appointment_path_accepts_the_reference(api: Api) -> None:
    agz, w = Agendize(api), world(api)
    a = booked(agz, w, f"{MON}T10:00:00")
    assert a["reference"] and a["encryptedId"] and a["rescheduleLink"].endswith(a["encryptedId"])
    path = f"{appointments_path(w)}/{a['reference'].lower()}"
    assert ok(agz.get(path))["id"] == a["id"]
    assert ok(agz.put(path, json={"notes": "by reference"}))["notes"] == "by reference"
    assert agz.delete(path).status_code == 200
    refused(agz.get(f"{appointments_path(w)}/NO-SUCH-REF"), 404, "appointmentId")


def test_level_detail_light_is_the_fixed_subset_in_list_and_get_and_full_is_everything(
    api: Api,
) -> None:
    agz, w = Agendize(api), world(api)
    a = booked(agz, w, f"{MON}T10:00:00")
    light = ok(agz.get(appointments_path(w), params=DAY))["items"][0]
    assert set(light) == set(LIGHT_FIELDS) - {"customStatus"}
    assert light["staff"] == {"id": str(w["staff"]["id"]), "name": "Sam Carter"}
    assert light["client"] == {"id": str(w["client"]["id"]), "name": "Ada Lovelace"}
    got = ok(agz.get(f"{appointments_path(w)}/{a['id']}", params={"levelDetail": "light"}))
    assert got == light
    full = ok(agz.get(appointments_path(w), params={**DAY, "levelDetail": "full"}))["items"][0]
    assert set(full) == set(FULL_FIELDS) - {"customStatus"}
    assert full == ok(agz.get(f"{appointments_path(w)}/{a['id']}"))
    refused(agz.get(appointments_path(w), params={**DAY, "levelDetail": "max"}), 400, "levelDetail")


def test_fields_projects_the_resource_in_list_and_get(api: Api) -> None:
    agz, w = Agendize(api), world(api)
    a = booked(agz, w, f"{MON}T10:00:00")
    listed = ok(agz.get(appointments_path(w), params={**DAY, "fields": "id,client"}))["items"]
    assert listed == [
        {"id": a["id"], "client": {"id": str(w["client"]["id"]), "name": "Ada Lovelace"}}
    ]
    got = ok(agz.get(f"{appointments_path(w)}/{a['id']}", params={"fields": "id,client.email"}))
    assert got == {"id": a["id"], "client": {"email": "ada@example.org"}}
    refused(agz.get(appointments_path(w), params={**DAY, "fields": "id,nope"}), 400, "fields")


def test_personal_appointments_are_the_staff_time_off_listed_only_when_asked(api: Api) -> None:
    agz, w = Agendize(api), world(api)
    body = {
        "type": "personal",
        "staff": {"id": str(w["staff"]["id"])},
        "start": {"dateTime": f"{MON}T12:00:00"},
        "end": {"dateTime": f"{MON}T13:00:00"},
        "notes": "lunch",
    }
    personal = ok(agz.post(appointments_path(w), json=body))
    assert personal["id"].startswith("personal-") and personal["type"] == "personal"
    assert personal["notes"] == "lunch"
    # it is the core's time off: a booking over it is refused
    refused(agz.post(appointments_path(w), json=appointment_body(w, f"{MON}T12:15:00")), 409)
    time_off = api.get(f"/v1/staff/{w['staff']['id']}/time-off").json()
    assert [t["start"] for t in time_off] == [f"{MON}T12:00:00Z"]
    a = booked(agz, w, f"{MON}T10:00:00")
    assert ids(agz, w) == [a["id"]]
    assert ids(agz, w, personalAppointments="true") == [a["id"], personal["id"]]
    path = f"{appointments_path(w)}/{personal['id']}"
    assert ok(agz.get(path))["end"]["dateTime"] == f"{MON}T13:00:00"
    moved = ok(agz.put(path, json={"end": {"dateTime": f"{MON}T14:00:00"}}))
    assert moved["end"]["dateTime"] == f"{MON}T14:00:00"
    assert moved["id"] == personal["id"]  # an update keeps the appointment's id
    refused(
        agz.put(
            f"{appointments_path(w)}/{moved['id']}", json={"start": {"dateTime": f"{MON}T09:00:00"}}
        ),
        409,
    )
    assert agz.delete(f"{appointments_path(w)}/{moved['id']}").status_code == 200
    refused(agz.get(f"{appointments_path(w)}/{moved['id']}"), 404)
    booked(agz, w, f"{MON}T12:15:00")
    del body["end"]
    refused(agz.post(appointments_path(w), json=body), 400, "end")


def test_a_500_item_full_list_costs_a_bounded_number_of_statements(
    api: Api, count_statements: StatementCounter
) -> None:
    agz, w = Agendize(api), world(api, price="10.00", currency="EUR")
    ctx = api.context()
    start = datetime(2030, 1, 7, 0, 0, tzinfo=UTC)
    for i in range(500):
        appointments.book(
            ctx,
            BookAppointment(
                location_id=w["location"]["id"],
                service_id=w["service"]["id"],
                start=start + timedelta(minutes=30 * i),
                client_id=w["client"]["id"],
                staff_id=w["staff"]["id"],
                override=True,
            ),
        )
    params = {"startDate": "2030-01-01T00:00:00Z", "endDate": "2030-02-01T00:00:00Z"}
    ok(agz.get(appointments_path(w), params={**params, "levelDetail": "full"}))  # warm the key
    with count_statements:
        items = ok(agz.get(appointments_path(w), params={**params, "levelDetail": "full"}))
    assert len(items["items"]) == 500
    assert all(len(a["history"]) == 1 for a in items["items"])
    # company, page, locations, services, staff, clients, history, latest change (resources
    # and custom statuses only when some appointment has them)
    assert count_statements.count <= 10, count_statements.statements
