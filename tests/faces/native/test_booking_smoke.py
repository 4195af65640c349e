"""The booking path end to end through /v1, on both databases."""

from tests.factories import book, clinic


def test_a_booking_blocks_its_time_and_a_second_overlapping_one_is_refused(api):
    world = clinic(api, buffer_after_minutes=10)
    first = book(api, world, "2030-01-07T10:00:00Z")
    assert first.status_code == 201, first.text
    appt = first.json()
    assert appt["end"] == "2030-01-07T10:30:00Z"
    assert appt["busy_end"] == "2030-01-07T10:40:00Z"
    clash = book(api, world, "2030-01-07T10:35:00Z")
    assert clash.status_code == 409, clash.text
    assert clash.headers["content-type"].startswith("application/problem+json")
    assert [c["appointment_id"] for c in clash.json()["conflicts"]] == [appt["id"]]
    after_buffer = book(api, world, "2030-01-07T10:40:00Z")
    assert after_buffer.status_code == 201, after_buffer.text


def test_a_booking_outside_working_hours_is_refused_with_422(api):
    world = clinic(api)
    response = book(api, world, "2030-01-07T18:00:00Z")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "staff_id"
