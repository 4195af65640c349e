"""The core's contact rules (appointd.domain.contacts), without a database."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from appointd.domain.contacts import (
    Address,
    Phone,
    external_id_errors,
    merge_extra,
    parse_address,
    parse_date_of_birth,
    parse_phones,
    phone_number_errors,
    primary_phone,
)
from appointd.domain.errors import Invalid

TODAY = date(2026, 11, 28)


def _fields(exc: pytest.ExceptionInfo[Invalid]) -> list[str]:
    return [e.field for e in exc.value.errors]


def test_the_primary_number_is_the_first_mobile_else_the_first() -> None:
    assert primary_phone([]) is None
    assert primary_phone([Phone("home", "1"), Phone("work", "2")]) == "1"
    assert primary_phone([Phone("home", "1"), Phone("mobile", "2"), Phone("mobile", "3")]) == "2"


@pytest.mark.parametrize("number", ["1", "+49 (30) 123-45.67", "0" * 64])
def test_numbers_of_digits_spaces_and_punctuation_pass(number: str) -> None:
    assert phone_number_errors(number, "phone") == []


@pytest.mark.parametrize("number", ["", "+-", "0" * 65, "12 ext 3", "1\n", "١٢٣", 12, None])
def test_other_numbers_are_refused(number: object) -> None:
    assert [e.field for e in phone_number_errors(number, "phone")] == ["phone"]


def test_phones_name_each_bad_entry_and_take_at_most_ten() -> None:
    with pytest.raises(Invalid) as bad:
        parse_phones(
            [{"type": "mobile", "number": "1"}, {"type": "pager", "number": "x"}, "0170", {}]
        )
    assert _fields(bad) == [
        "phones[1].type",
        "phones[1].number",
        "phones[2]",
        "phones[3].type",
        "phones[3].number",
    ]
    with pytest.raises(Invalid) as many:
        parse_phones([Phone("home", "1")] * 11)
    assert _fields(many) == ["phones"]
    with pytest.raises(Invalid) as not_a_list:
        parse_phones("0170 1")
    assert _fields(not_a_list) == ["phones"]
    assert parse_phones([Phone("fax", "1")] * 10) == [Phone("fax", "1")] * 10
    assert parse_phones(None) == []


def test_an_address_keeps_its_parts_and_an_empty_one_is_none() -> None:
    assert parse_address({"line1": " 1 Pier ", "city": ""}) == Address(line1="1 Pier")
    assert parse_address({}) is None
    assert parse_address(None) is None
    assert parse_address(Address(country="DE")) == Address(country="DE")
    with pytest.raises(Invalid) as bad:
        parse_address({"city": "x" * 201, "state": 5, "planet": "Mars"})
    assert _fields(bad) == ["address.planet", "address.city", "address.state"]
    with pytest.raises(Invalid) as not_an_object:
        parse_address("1 Pier")
    assert _fields(not_an_object) == ["address"]


def test_a_date_of_birth_is_a_past_date_from_1900() -> None:
    assert parse_date_of_birth("1900-01-01", TODAY) == date(1900, 1, 1)
    assert parse_date_of_birth(date(2026, 11, 29), TODAY) == date(2026, 11, 29)  # UTC+14
    assert parse_date_of_birth(None, TODAY) is None
    for bad in ("1899-12-31", "2026-11-30", "2019-W01-1", "19900101", "1990-02-30"):
        with pytest.raises(Invalid) as refused:
            parse_date_of_birth(bad, TODAY)
        assert _fields(refused) == ["date_of_birth"], bad
    with pytest.raises(Invalid):
        parse_date_of_birth(datetime(1990, 1, 1), TODAY)


def test_external_ids_are_1_to_200_characters() -> None:
    assert external_id_errors(None) == []
    assert external_id_errors("x" * 200) == []
    for bad in ("", "x" * 201, 7):
        assert [e.field for e in external_id_errors(bad)] == ["external_id"]


def test_extra_merges_one_level_deep_and_null_removes_a_key() -> None:
    current = {"cliniko": {"a": 1}, "agendize": {"b": 2}}
    assert merge_extra(current, {"cliniko": {"c": 3}, "agendize": None, "timetap": 4}) == {
        "cliniko": {"a": 1, "c": 3},
        "timetap": 4,
    }
