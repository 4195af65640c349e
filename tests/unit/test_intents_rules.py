"""Appointment intent rules: the date window, expiry, one booking, and who may use it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from appointd.domain import intents as rules
from appointd.domain.errors import Conflict, Invalid
from appointd.domain.intents import Intent

TODAY = date(2030, 1, 1)
CLIENT = 11


def intent(**kw: Any) -> Intent:
    fields: dict[str, Any] = {
        "id": 4,
        "account_id": 1,
        "client_id": CLIENT,
        "external_reference": "order-17",
        "start_date": date(2030, 1, 7),
        "end_date": date(2030, 1, 11),
    }
    fields.update(kw)
    return Intent(**fields)


def fields_of(exc: Invalid) -> set[str]:
    return {e.field for e in exc.errors}


def test_a_window_may_be_a_single_day_but_not_end_before_it_starts() -> None:
    rules.check(intent(end_date=date(2030, 1, 7)))
    with pytest.raises(Invalid) as caught:
        rules.check(intent(end_date=date(2030, 1, 6)))
    assert fields_of(caught.value) == {"end_date"}


def test_an_external_reference_must_be_1_to_200_characters_and_not_only_spaces() -> None:
    rules.check(intent(external_reference="x" * 200))
    for bad in ("  ", "", "x" * 201):
        with pytest.raises(Invalid) as caught:
            rules.check(intent(external_reference=bad))
        assert fields_of(caught.value) == {"external_reference"}


def test_an_intent_expires_the_day_after_its_expiration_date() -> None:
    assert not rules.is_expired(intent(), TODAY)
    assert not rules.is_expired(intent(expiration_date=TODAY), TODAY)
    assert rules.is_expired(intent(expiration_date=date(2029, 12, 31)), TODAY)
    assert rules.is_usable(intent(expiration_date=TODAY), TODAY)
    assert not rules.is_usable(intent(active=False), TODAY)


def test_any_local_date_inside_the_window_inclusive_may_be_booked() -> None:
    for day in (7, 9, 11):
        rules.check_booking(intent(), CLIENT, date(2030, 1, day), TODAY)


@pytest.mark.parametrize("day", [date(2030, 1, 6), date(2030, 1, 12)])
def test_a_date_outside_the_window_is_refused_naming_intent_id_and_start(day: date) -> None:
    with pytest.raises(Invalid) as caught:
        rules.check_booking(intent(), CLIENT, day, TODAY)
    assert fields_of(caught.value) == {"intent_id", "start"}


def test_a_booked_intent_is_a_conflict() -> None:
    with pytest.raises(Conflict, match="already booked"):
        rules.check_booking(intent(booked=True, appointment_id=3), CLIENT, date(2030, 1, 7), TODAY)


def test_an_inactive_or_expired_intent_is_refused_naming_intent_id() -> None:
    for dead in (intent(active=False), intent(expiration_date=date(2029, 12, 31))):
        with pytest.raises(Invalid) as caught:
            rules.check_booking(dead, CLIENT, date(2030, 1, 7), TODAY)
        assert fields_of(caught.value) == {"intent_id"}


def test_another_client_may_not_use_the_intent() -> None:
    with pytest.raises(Invalid) as caught:
        rules.check_booking(intent(), CLIENT + 1, date(2030, 1, 7), TODAY)
    assert fields_of(caught.value) == {"intent_id", "client_id"}


def test_marking_booked_records_the_appointment_and_who_did_it() -> None:
    i = intent()
    at = datetime(2030, 1, 2, tzinfo=UTC)
    rules.mark_booked(i, 99, "account:1", at)
    assert (i.booked, i.appointment_id, i.modified_by, i.updated_at) == (
        True,
        99,
        "account:1",
        at,
    )
