"""Waitlist rules: which freed times suit an entry, who is still open, holds and claims."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from appointd.domain import waitlist as rules
from appointd.domain.errors import Conflict, Invalid
from appointd.domain.model import Appointment, AppointmentKind
from appointd.domain.status import Status
from appointd.domain.waitlist import EntryStatus, Opening, PreferredTime, WaitlistEntry

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
SERVICE, LOCATION, STAFF, CLIENT = 3, 5, 7, 11


def entry(id: int = 1, **kw: Any) -> WaitlistEntry:
    fields: dict[str, Any] = {
        "account_id": 1,
        "client_id": CLIENT,
        "service_id": SERVICE,
        "location_id": LOCATION,
        "created_at": NOW + timedelta(seconds=id),
    }
    fields.update(kw)
    return WaitlistEntry(id=id, **fields)


def opening(start: str = "2030-01-07T10:00", minutes: int = 30, **kw: Any) -> Opening:
    """A time on Monday 2030-01-07 by default, as wall time at the location."""
    local_start = datetime.fromisoformat(start)
    fields: dict[str, Any] = {
        "service_id": SERVICE,
        "location_id": LOCATION,
        "staff_id": STAFF,
        "local_start": local_start,
        "local_end": local_start + timedelta(minutes=minutes),
    }
    fields.update(kw)
    return Opening(**fields)


def hold(id: int = 90, **kw: Any) -> Appointment:
    fields: dict[str, Any] = {
        "account_id": 1,
        "location_id": LOCATION,
        "service_id": SERVICE,
        "staff_id": STAFF,
        "client_id": None,
        "start": NOW + timedelta(days=6),
        "end": NOW + timedelta(days=6, minutes=30),
        "busy_start": NOW + timedelta(days=6),
        "busy_end": NOW + timedelta(days=6, minutes=30),
        "status": Status.PENDING,
        "kind": AppointmentKind.HOLD,
        "hold_expires_at": NOW + timedelta(hours=1),
    }
    fields.update(kw)
    return Appointment(id=id, **fields)


# -- matching ---------------------------------------------------------------------------------


def test_an_entry_with_no_wishes_beyond_service_and_location_suits_any_time_there() -> None:
    assert rules.suits(entry(), opening())


def test_another_service_or_location_does_not_suit() -> None:
    assert not rules.suits(entry(), opening(service_id=SERVICE + 1))
    assert not rules.suits(entry(), opening(location_id=LOCATION + 1))


def test_an_entry_for_one_staff_member_wants_only_that_staff_member() -> None:
    assert rules.suits(entry(staff_id=STAFF), opening())
    assert not rules.suits(entry(staff_id=STAFF + 1), opening())
    assert not rules.suits(entry(staff_id=STAFF), opening(staff_id=None))


def test_the_local_date_must_lie_within_earliest_and_latest_inclusive() -> None:
    window = entry(earliest=date(2030, 1, 7), latest=date(2030, 1, 9))
    assert rules.suits(window, opening("2030-01-07T09:00"))
    assert rules.suits(window, opening("2030-01-09T16:00"))
    assert not rules.suits(window, opening("2030-01-06T10:00"))
    assert not rules.suits(window, opening("2030-01-10T10:00"))
    assert rules.suits(entry(earliest=date(2030, 1, 7)), opening("2031-06-02T10:00"))
    assert rules.suits(entry(latest=date(2030, 1, 7)), opening("2029-06-04T10:00"))


def test_the_whole_span_must_fit_inside_one_preferred_time() -> None:
    mornings = entry(preferred_times=(PreferredTime(9 * 60, 12 * 60),))
    assert rules.suits(mornings, opening("2030-01-07T09:00"))
    assert rules.suits(mornings, opening("2030-01-07T11:30"))
    assert not rules.suits(mornings, opening("2030-01-07T11:45"))  # ends 12:15
    assert not rules.suits(mornings, opening("2030-01-07T08:45"))


def test_a_preferred_time_with_a_weekday_applies_on_that_weekday_only() -> None:
    tuesdays = entry(preferred_times=(PreferredTime(9 * 60, 17 * 60, weekday=2),))
    assert not rules.suits(tuesdays, opening("2030-01-07T10:00"))  # Monday
    assert rules.suits(tuesdays, opening("2030-01-08T10:00"))  # Tuesday


def test_any_one_of_several_preferred_times_is_enough() -> None:
    both = entry(
        preferred_times=(
            PreferredTime(9 * 60, 10 * 60, weekday=1),
            PreferredTime(16 * 60, 18 * 60),
        )
    )
    assert rules.suits(both, opening("2030-01-08T16:30"))
    assert rules.suits(both, opening("2030-01-07T09:15"))
    assert not rules.suits(both, opening("2030-01-08T09:15"))


def test_preferred_times_are_read_on_the_local_wall_clock_of_an_aware_time() -> None:
    ny = ZoneInfo("America/New_York")
    evenings = entry(preferred_times=(PreferredTime(18 * 60, 21 * 60),))
    local = datetime(2030, 1, 7, 19, 0, tzinfo=ny)  # 00:00 UTC the next day
    assert rules.suits(evenings, opening(local_start=local, local_end=local + timedelta(hours=1)))


def test_candidates_are_the_open_suitable_entries_oldest_first() -> None:
    older = entry(2, created_at=NOW)
    newer = entry(1, created_at=NOW + timedelta(hours=1))
    elsewhere = entry(3, location_id=LOCATION + 1)
    cancelled = entry(4, status=EntryStatus.CANCELLED)
    booked = entry(5, status=EntryStatus.BOOKED)
    found = rules.candidates([newer, elsewhere, older, cancelled, booked], opening(), {}, NOW)
    assert [e.id for e in found] == [2, 1]


def test_an_invited_entry_is_open_again_once_its_hold_lapses() -> None:
    invited = entry(status=EntryStatus.INVITED, hold_appointment_id=90)
    assert not rules.is_open(invited, hold(), NOW)
    assert rules.is_open(invited, hold(), NOW + timedelta(hours=1))  # expired
    assert rules.is_open(invited, hold(status=Status.CANCELLED), NOW)
    assert rules.is_open(invited, hold(kind=AppointmentKind.APPOINTMENT), NOW)  # claimed
    assert rules.is_open(invited, None, NOW)


# -- input --------------------------------------------------------------------------------------


def test_preferred_times_parse_with_optional_weekday_and_24_00_as_an_end() -> None:
    parsed = rules.parse_preferred_times(
        [{"start": "09:00", "end": "12:00"}, {"weekday": 7, "start": "20:00", "end": "24:00"}]
    )
    assert parsed == (PreferredTime(540, 720), PreferredTime(1200, 1440, 7))
    assert [p.as_dict() for p in parsed][1] == {"weekday": 7, "start": "20:00", "end": "24:00"}


def test_bad_preferred_times_are_each_named() -> None:
    with pytest.raises(Invalid) as caught:
        rules.parse_preferred_times(
            [
                {"weekday": 8, "start": "09:00", "end": "10:00"},
                {"start": "9am", "end": "10:00"},
                {"start": "12:00", "end": "11:00"},
            ]
        )
    fields = [e.field for e in caught.value.errors]
    assert fields == [
        "preferred_times[0].weekday",
        "preferred_times[1].start",
        "preferred_times[2].end",
    ]


def test_latest_before_earliest_is_refused_naming_latest() -> None:
    rules.check_dates(date(2030, 1, 7), date(2030, 1, 7))
    with pytest.raises(Invalid) as caught:
        rules.check_dates(date(2030, 1, 8), date(2030, 1, 7))
    assert caught.value.errors[0].field == "latest"


def test_hold_length_defaults_to_an_hour_and_is_bounded() -> None:
    assert rules.hold_length(None) == timedelta(minutes=60)
    assert rules.hold_length(15) == timedelta(minutes=15)
    for bad in (0, -5, rules.MAX_HOLD_MINUTES + 1):
        with pytest.raises(Invalid) as caught:
            rules.hold_length(bad)
        assert caught.value.errors[0].field == "hold_minutes"


# -- offers, claims, bookings ------------------------------------------------------------------


def test_only_open_entries_may_be_offered_a_hold() -> None:
    rules.check_offer({1: entry(1)}, {}, NOW)
    with pytest.raises(Invalid) as caught:
        rules.check_offer({1: entry(1), 2: entry(2, status=EntryStatus.BOOKED)}, {}, NOW)
    assert [e.field for e in caught.value.errors] == ["offer_to"]
    assert "2" in caught.value.errors[0].message


def test_a_live_hold_can_be_claimed_and_becomes_the_clients_confirmed_appointment() -> None:
    invited = entry(status=EntryStatus.INVITED, hold_appointment_id=90)
    h = rules.check_claim(invited, hold(), NOW)
    appt = rules.claimed(h, invited, NOW)
    assert appt.kind is AppointmentKind.APPOINTMENT
    assert appt.status is Status.CONFIRMED
    assert appt.client_id == CLIENT
    assert appt.hold_expires_at is None
    assert appt.waitlist_entry_id == invited.id
    assert (appt.id, appt.start, appt.staff_id) == (h.id, h.start, h.staff_id)


@pytest.mark.parametrize(
    ("the_hold", "words"),
    [
        (hold(kind=AppointmentKind.APPOINTMENT), "already claimed"),
        (hold(status=Status.CANCELLED), "cancelled"),
        (hold(hold_expires_at=NOW), "expired"),
        (None, "no longer exists"),
    ],
)
def test_a_hold_that_is_gone_cannot_be_claimed(the_hold: Appointment | None, words: str) -> None:
    invited = entry(status=EntryStatus.INVITED, hold_appointment_id=90)
    with pytest.raises(Conflict, match=words):
        rules.check_claim(invited, the_hold, NOW)


def test_an_invitee_sent_back_to_waiting_is_told_the_hold_was_claimed() -> None:
    loser = entry(status=EntryStatus.WAITING, hold_appointment_id=90)
    with pytest.raises(Conflict, match="already claimed"):
        rules.check_claim(loser, hold(kind=AppointmentKind.APPOINTMENT), NOW)
    with pytest.raises(Conflict, match="no longer invited"):
        rules.check_claim(loser, hold(), NOW)


def test_an_entry_that_was_not_invited_cannot_claim() -> None:
    with pytest.raises(Conflict, match="not been offered"):
        rules.check_claim(entry(), hold(), NOW)
    with pytest.raises(Conflict, match="already booked"):
        rules.check_claim(entry(status=EntryStatus.BOOKED), hold(), NOW)


def test_booking_from_an_entry_needs_an_open_entry_of_the_same_client() -> None:
    rules.check_booking_from(entry(), CLIENT)
    rules.check_booking_from(entry(status=EntryStatus.INVITED), CLIENT)
    with pytest.raises(Invalid) as caught:
        rules.check_booking_from(entry(), CLIENT + 1)
    assert caught.value.errors[0].field == "waitlist_entry_id"
    with pytest.raises(Conflict, match="waitlist_entry_id"):
        rules.check_booking_from(entry(status=EntryStatus.BOOKED), CLIENT)


def test_cancelling_is_idempotent_but_a_booked_entry_stays_booked() -> None:
    e = entry()
    rules.cancel(e, NOW)
    rules.cancel(e, NOW)
    assert e.status is EntryStatus.CANCELLED
    with pytest.raises(Conflict):
        rules.cancel(entry(status=EntryStatus.BOOKED), NOW)
