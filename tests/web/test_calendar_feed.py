"""Staff calendar feeds: secret URLs, RFC 5545 documents parsed back with ``icalendar``."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from icalendar import Calendar

from tests.conftest import Api, StatementCounter, new_api
from tests.factories import book, clinic

LONDON = ZoneInfo("Europe/London")


def _feed(owner: Api, staff_id: int) -> dict[str, str]:
    r = owner.post(f"/v1/staff/{staff_id}/calendar-feed")
    assert r.status_code == 201, r.text
    body: dict[str, str] = r.json()
    return body


def _path(feed: dict[str, str]) -> str:
    return feed["url"].split("testserver", 1)[1]


def _parse(web: TestClient, path: str) -> Calendar:
    r = web.get(path)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/calendar")
    return Calendar.from_ical(r.content)


def _events(cal: Calendar) -> dict[str, object]:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_a_feed_url_is_secret_and_serves_the_staff_members_calendar(
    owner: Api, web: TestClient
) -> None:
    world = clinic(owner)
    feed = _feed(owner, world["staff"]["id"])
    assert feed["url"].startswith("http://testserver/ical/") and feed["url"].endswith(".ics")
    assert len(feed["token"]) >= 43  # 256 random bits, url-safe base64
    cal = _parse(web, _path(feed))
    assert cal["VERSION"] == "2.0" and "PRODID" in cal
    assert _events(cal) == {}


def test_times_round_trip_exactly_across_a_dst_change(owner: Api, web: TestClient) -> None:
    world = clinic(owner)
    # Europe/London springs forward on 28 March 2027: 10:00 is 10:00 UTC on the Friday
    # before and 09:00 UTC on the Monday after.
    before = book(owner, world, "2027-03-26T10:00:00")
    after = book(owner, world, "2027-03-29T10:00:00")
    assert before.status_code == after.status_code == 201, before.text
    off = owner.post(
        f"/v1/staff/{world['staff']['id']}/time-off",
        json={"start": "2027-03-27T12:00:00Z", "end": "2027-03-28T12:00:00Z", "reason": "Away"},
    )
    assert off.status_code == 201, off.text
    cal = _parse(web, _path(_feed(owner, world["staff"]["id"])))
    events = _events(cal)
    assert len(events) == 3
    starts = {}
    for appt in (before.json(), after.json()):
        ev = events[f"appointment-{appt['id']}-{owner.account_id}@appointd"]
        start = ev["DTSTART"].dt  # type: ignore[index]
        end = ev["DTEND"].dt  # type: ignore[index]
        assert str(start.tzinfo) == "Europe/London"
        assert start.astimezone(UTC) == datetime.fromisoformat(appt["start"]).astimezone(UTC)
        assert end.astimezone(UTC) == datetime.fromisoformat(appt["end"]).astimezone(UTC)
        assert (start.hour, start.minute) == (10, 0)
        assert str(ev["SUMMARY"]) == "Consultation - Ada Lovelace"  # type: ignore[index]
        starts[appt["id"]] = start.astimezone(UTC)
    assert starts[before.json()["id"]].hour == 10 and starts[after.json()["id"]].hour == 9
    [off_event] = [e for uid, e in events.items() if uid.startswith("time-off-")]
    assert str(off_event["SUMMARY"]) == "Time off: Away"  # type: ignore[index]
    assert off_event["DTSTART"].dt.astimezone(UTC) == datetime(2027, 3, 27, 12, tzinfo=UTC)  # type: ignore[index]
    [vtz] = cal.walk("VTIMEZONE")
    assert str(vtz["TZID"]) == "Europe/London"
    assert {c.name for c in vtz.subcomponents} == {"STANDARD", "DAYLIGHT"}


def test_a_moved_appointment_keeps_its_uid_and_raises_its_sequence(
    owner: Api, web: TestClient
) -> None:
    world = clinic(owner)
    appt = book(owner, world, "2027-02-03T10:00:00").json()
    path = _path(_feed(owner, world["staff"]["id"]))
    uid = f"appointment-{appt['id']}-{owner.account_id}@appointd"
    first = _events(_parse(web, path))[uid]
    r = owner.patch(f"/v1/appointments/{appt['id']}", json={"start": "2027-02-03T11:00:00"})
    assert r.status_code == 200, r.text
    moved = _events(_parse(web, path))[uid]
    assert int(first["SEQUENCE"]) == 0 and int(moved["SEQUENCE"]) == 1  # type: ignore[index]
    assert moved["DTSTART"].dt.hour == 11  # type: ignore[index]
    owner.post(f"/v1/appointments/{appt['id']}/cancel")
    assert uid not in _events(_parse(web, path))


def test_the_feed_spans_thirty_days_back_to_a_year_ahead(owner: Api, web: TestClient) -> None:
    world = clinic(owner)
    now = datetime.now(UTC)
    far = book(owner, world, f"{now.year + 2}-01-06T10:00:00Z")
    assert far.status_code == 201
    old = book(owner, world, f"{now.year - 1}-01-06T10:00:00Z")
    assert old.status_code == 201
    events = _events(_parse(web, _path(_feed(owner, world["staff"]["id"]))))
    assert events == {}


def test_an_unknown_rotated_or_revoked_token_is_the_same_404(owner: Api, web: TestClient) -> None:
    world = clinic(owner)
    staff_id = world["staff"]["id"]
    first = _path(_feed(owner, staff_id))
    second = _path(_feed(owner, staff_id))
    assert web.get(second).status_code == 200
    gone = web.get(first)
    assert gone.status_code == 404 and gone.headers["content-type"].startswith("text/html")
    unknown = web.get("/ical/" + "A" * 43 + ".ics")
    assert unknown.status_code == 404 and unknown.text == gone.text
    assert owner.delete(f"/v1/staff/{staff_id}/calendar-feed").status_code == 204
    assert web.get(second).status_code == 404
    assert owner.delete(f"/v1/staff/{staff_id}/calendar-feed").status_code == 404


def test_another_accounts_staff_has_no_feed_for_this_key(owner: Api, web: TestClient) -> None:
    world = clinic(owner)
    other = new_api(web, owner.db, "Other")
    assert other.post(f"/v1/staff/{world['staff']['id']}/calendar-feed").status_code == 404
    assert other.delete(f"/v1/staff/{world['staff']['id']}/calendar-feed").status_code == 404
    assert web.post(f"/v1/staff/{world['staff']['id']}/calendar-feed").status_code == 401


def test_a_feed_costs_the_same_statements_for_two_or_twelve_appointments(
    owner: Api, web: TestClient, count_statements: StatementCounter
) -> None:
    world = clinic(owner)
    path = _path(_feed(owner, world["staff"]["id"]))
    counts = []
    for day in ("04", "05"):
        for hour in range(9, 15 if day == "05" else 11):
            assert book(owner, world, f"2027-02-{day}T{hour:02d}:00:00").status_code == 201
        with StatementCounter(owner.db.engine) as counter:
            assert web.get(path).status_code == 200
        # The rate limit's counter is not the feed's cost (and sweeps once a window).
        counts.append(sum("rate_limit_hits" not in s for s in counter.statements))
    assert counts[0] == counts[1]
    assert counts[0] <= 10
