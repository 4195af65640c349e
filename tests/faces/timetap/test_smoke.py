from tests.factories import clinic
from tests.faces.timetap.conftest import appointment_body


def test_a_booking_through_timetap_round_trips(tt, api) -> None:
    world = clinic(api)
    body = appointment_body(world, "2030-01-07", 1000, 1030)
    r = tt.post("/appointments", json=body)
    assert r.status_code == 200, r.text
    a = r.json()
    assert a["clientStartTime"] == 1000 and a["clientEndTime"] == 1030
    got = tt.ok("GET", f"/appointments/{a['calendarId']}")
    assert got == a or got["calendarId"] == a["calendarId"]
    rep = tt.ok("GET", "/appointmentList/reportWithCount")
    assert rep["count"] == 1
