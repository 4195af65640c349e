"""The rules of the fields every face shares: references, manage tokens, metadata, external
ids, cancellation stamps and form answers. Pure core, no database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from appointd.domain import appointment_fields, codes, forms
from appointd.domain.errors import Invalid
from appointd.domain.model import Appointment, FieldType, FormField
from appointd.domain.status import Status

NOW = datetime(2031, 1, 6, 9, tzinfo=UTC)


def _appt() -> Appointment:
    return Appointment(
        id=1,
        account_id=1,
        location_id=1,
        service_id=10,
        staff_id=1,
        client_id=1,
        start=NOW,
        end=NOW,
        busy_start=NOW,
        busy_end=NOW,
    )


def _messages(exc: Invalid) -> list[str]:
    return [f"{e.field}: {e.message}" for e in exc.errors]


# -- references and tokens --------------------------------------------------------------------


def test_a_reference_is_eight_characters_of_an_alphabet_without_look_alikes():
    refs = {codes.new_reference() for _ in range(2000)}
    assert len(refs) > 1990  # random, not a counter
    for ref in refs:
        assert len(ref) == 8
        assert codes.is_reference(ref)
        assert not set(ref) & set("01OIL")


def test_a_reference_is_recognised_whatever_the_case_people_type_it_in():
    assert codes.is_reference("k7qm2xpa")
    assert codes.normalise_reference(" k7qm2xpa ") == "K7QM2XPA"
    assert not codes.is_reference("K7QM2XP")  # too short
    assert not codes.is_reference("K7QM2XP0")  # 0 is not in the alphabet


def test_a_manage_token_carries_at_least_128_random_bits_and_is_url_safe():
    tokens = {codes.new_manage_token() for _ in range(500)}
    assert len(tokens) == 500
    for token in tokens:
        assert len(token) >= 22  # 128 bits in base64 take 22 characters; these have 192
        assert all(c.isalnum() or c in "-_" for c in token)


def test_every_new_appointment_gets_its_own_reference_and_token():
    a, b = _appt(), _appt()
    assert a.reference != b.reference and a.manage_token != b.manage_token


def test_secrets_are_compared_exactly():
    assert codes.same_secret("abc", "abc")
    assert not codes.same_secret("abc", "abd")
    assert not codes.same_secret("abc", "ab")


# -- metadata, external ids, cancellation ---------------------------------------------------


def test_metadata_is_a_json_object_of_at_most_32_kilobytes():
    assert appointment_fields.check_metadata({"a": [1, 2, {"b": None}]}) == {
        "a": [1, 2, {"b": None}]
    }
    assert appointment_fields.check_metadata(None) == {}
    with pytest.raises(Invalid) as too_big:
        appointment_fields.check_metadata({"x": "y" * 40_000})
    assert too_big.value.errors[0].field == "metadata"
    with pytest.raises(Invalid) as not_object:
        appointment_fields.check_metadata([1, 2])
    assert not_object.value.errors[0].field == "metadata"


def test_an_external_id_is_non_empty_text_of_at_most_200_characters():
    assert appointment_fields.check_external_id("crm-7") == "crm-7"
    assert appointment_fields.check_external_id(None) is None
    for bad in ("", "   ", "x" * 201, 7):
        with pytest.raises(Invalid) as refused:
            appointment_fields.check_external_id(bad)
        assert refused.value.errors[0].field == "external_id"


def test_a_cancellation_is_stamped_with_when_who_code_and_note_and_drops_the_custom_status():
    appt = _appt()
    appt.custom_status_id = 4
    appointment_fields.cancelled(appt, NOW, "account:1", "50", "feeling better")
    assert appt.status is Status.CANCELLED
    assert (appt.cancelled_at, appt.cancelled_by) == (NOW, "account:1")
    assert (appt.cancellation_code, appt.cancellation_note) == ("50", "feeling better")
    assert appt.custom_status_id is None


def test_a_cancellation_code_longer_than_40_characters_is_refused_naming_it():
    with pytest.raises(Invalid) as refused:
        appointment_fields.cancelled(_appt(), NOW, "a", "c" * 41)
    assert refused.value.errors[0].field == "cancellation_code"


# -- form fields ----------------------------------------------------------------------------


def _field(id: int, type: FieldType = FieldType.TEXT, **kw: object) -> FormField:
    kw.setdefault("label", f"Field {id}")
    return FormField(id=id, account_id=1, type=type, **kw)  # type: ignore[arg-type]


FIELDS = [
    _field(1, required=True),
    _field(2, FieldType.SELECT, options=["red", "blue"]),
    _field(3, FieldType.MULTISELECT, options=["a", "b", "c"]),
    _field(4, FieldType.EMAIL),
    _field(5, FieldType.NUMBER),
    _field(6, FieldType.DATE),
    _field(7, FieldType.URL),
    _field(8, FieldType.PHONE),
    _field(9, value_format=r"[A-Z]{2}\d{4}"),
    _field(10, FieldType.CHECKBOX),
    _field(11, required=True, service_ids=[99]),  # only asked for service 99
]


def test_good_answers_are_accepted_and_normalised():
    answers = [
        {"field_id": 1, "value": "hello"},
        {"field_id": 2, "value": "red"},
        {"field_id": 3, "values": ["a", "c"]},
        {"field_id": 4, "value": "ada@example.org"},
        {"field_id": 5, "value": "-12.5"},
        {"field_id": 6, "value": "2031-02-28"},
        {"field_id": 7, "value": "https://example.org/x"},
        {"field_id": 8, "value": "+44 20 7946 0000"},
        {"field_id": 9, "value": "AB1234"},
        {"field_id": 10, "values": ["yes"]},
    ]
    assert forms.check_answers(FIELDS, answers, service_id=10) == answers


def test_a_required_field_of_the_service_must_be_answered():
    with pytest.raises(Invalid) as refused:
        forms.check_answers(FIELDS, [], service_id=10)
    assert _messages(refused.value) == ["form: form field 1 (Field 1) is required"]
    with pytest.raises(Invalid) as blank:
        forms.check_answers(FIELDS, [{"field_id": 1, "value": ""}], service_id=10)
    assert "required" in _messages(blank.value)[0]


def test_a_required_field_of_another_service_is_not_asked_and_cannot_be_answered():
    assert forms.check_answers(FIELDS, [{"field_id": 1, "value": "x"}], service_id=10)
    with pytest.raises(Invalid) as refused:
        forms.check_answers(
            FIELDS, [{"field_id": 1, "value": "x"}, {"field_id": 11, "value": "y"}], 10
        )
    assert _messages(refused.value) == [
        "form[1].field_id: form field 11 (Field 11) is not asked for service 10"
    ]
    with pytest.raises(Invalid) as missing:
        forms.check_answers(FIELDS, [{"field_id": 1, "value": "x"}], service_id=99)
    assert "form field 11 (Field 11) is required" in _messages(missing.value)[0]


def test_an_unknown_or_archived_field_is_refused_naming_it():
    archived = [*FIELDS, _field(12, archived_at=NOW)]
    for ident in (404, 12):
        with pytest.raises(Invalid) as refused:
            forms.check_answers(
                archived, [{"field_id": 1, "value": "x"}, {"field_id": ident, "value": "v"}], 10
            )
        assert _messages(refused.value) == [f"form[1].field_id: unknown form field {ident}"]


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"field_id": 2, "value": "green"}, "'green' is not one of its options"),
        ({"field_id": 3, "values": ["a", "z"]}, "'z' is not one of its options"),
        ({"field_id": 3, "value": "a"}, "takes values (a list)"),
        ({"field_id": 2, "values": ["red"]}, "takes one value, not values"),
        ({"field_id": 3, "values": ["a", "a"]}, "values repeat"),
        ({"field_id": 4, "value": "not-an-email"}, "is not a valid email"),
        ({"field_id": 5, "value": "12a"}, "is not a valid number"),
        ({"field_id": 6, "value": "2031-02-30"}, "is not a valid date"),
        ({"field_id": 7, "value": "ftp://x.y"}, "is not a valid url"),
        ({"field_id": 8, "value": "call me"}, "is not a valid phone"),
        ({"field_id": 9, "value": "ab1234"}, "does not match its format"),
        ({"field_id": 9, "value": 12}, "the value is text"),
        ({"field_id": "9", "value": "AB1234"}, "must be a form field id"),
        ({"field_id": 9, "value": "AB1234", "colour": "x"}, "unknown properties: colour"),
    ],
)
def test_a_wrong_answer_is_refused_naming_the_field(answer, message):
    with pytest.raises(Invalid) as refused:
        forms.check_answers(FIELDS, [{"field_id": 1, "value": "x"}, answer], service_id=10)
    (problem,) = _messages(refused.value)
    assert problem.startswith("form[1]")
    assert message in problem


def test_a_field_answered_twice_is_refused():
    with pytest.raises(Invalid) as refused:
        forms.check_answers(
            FIELDS, [{"field_id": 1, "value": "x"}, {"field_id": 1, "value": "y"}], 10
        )
    assert "answered twice" in _messages(refused.value)[0]


def test_answers_must_be_a_list_of_objects():
    for bad in ({"field_id": 1}, "x", [1]):
        with pytest.raises(Invalid) as refused:
            forms.check_answers(FIELDS, bad, service_id=10)
        assert refused.value.errors[0].field.startswith("form")


def test_an_empty_optional_answer_is_dropped():
    answers = [{"field_id": 1, "value": "x"}, {"field_id": 4, "value": ""}]
    assert forms.check_answers(FIELDS, answers, 10) == [{"field_id": 1, "value": "x"}]


@pytest.mark.parametrize(
    ("definition", "field"),
    [
        (_field(1, label=" "), "label"),
        (_field(1, FieldType.SELECT), "options"),
        (_field(1, FieldType.RADIO, options=["a", "a"]), "options"),
        (_field(1, FieldType.TEXT, options=["a"]), "options"),
        (_field(1, value_format="([a-z"), "value_format"),
    ],
)
def test_a_form_field_that_could_never_be_answered_is_refused(definition, field):
    with pytest.raises(Invalid) as refused:
        forms.check_definition(definition)
    assert refused.value.errors[0].field == field


def test_a_sensible_form_field_definition_is_accepted():
    forms.check_definition(_field(1, FieldType.RADIO, options=["a", "b"], value_format="[ab]"))
    forms.check_definition(_field(2, FieldType.CHECKBOX))
