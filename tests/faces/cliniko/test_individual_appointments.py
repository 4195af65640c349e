"""Individual appointments through the Cliniko face: every operation of seed 004."""

from __future__ import annotations

from typing import Any

from tests.faces.cliniko.conftest import Cliniko, appointment_body, at, basic, next_weekday


def _create(cliniko: Cliniko, world: dict[str, Any], hour: int, **fields: Any) -> dict[str, Any]:
    r = cliniko.post(
        "/individual_appointments", json=appointment_body(world, at(next_weekday(), hour), **fields)
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def test_a_created_appointment_has_every_seed_property_and_its_end_from_the_type(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    day = next_weekday()
    r = cliniko.post(
        "/individual_appointments", json=appointment_body(world, at(day, 10), notes="Knee")
    )
    assert r.status_code == 201
    doc = r.json()
    assert doc["starts_at"] == at(day, 10) and doc["ends_at"] == at(day, 10, 30)
    assert doc["id"] == str(int(doc["id"]))
    assert doc["notes"] == "Knee" and doc["patient_name"] == "Ada Lovelace"
    assert doc["patient_arrived"] is False and doc["did_not_arrive"] is False
    assert doc["cancelled_at"] is None and doc["archived_at"] is None
    assert doc["patient_case"] == {} and doc["repeated_from"] == {}
    assert doc["links"]["self"].startswith("http://testserver/cliniko/v1/individual_appointments/")
    assert doc["practitioner"]["links"]["self"].endswith(f"/practitioners/{world['staff']['id']}")
    assert doc["repeats"]["links"]["self"].endswith(
        f"/individual_appointments?q%5B%5D=repeated_from_id%3A%3D{doc['id']}"
    )
    assert r.headers["Location"] == doc["links"]["self"]
    assert doc["created_at"].endswith("Z") and doc["updated_at"].endswith("Z")


def test_the_same_appointment_is_seen_through_v1_and_blocks_the_same_time(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    doc = _create(cliniko, world, 10)
    native = cliniko.api.get(f"/v1/appointments/{doc['id']}")
    assert native.status_code == 200
    assert native.json()["client_id"] == world["client"]["id"]
    clash = cliniko.api.post(
        "/v1/appointments",
        json={
            "location_id": world["location"]["id"],
            "service_id": world["service"]["id"],
            "staff_id": world["staff"]["id"],
            "client_id": world["client"]["id"],
            "start": doc["starts_at"],
        },
    )
    assert clash.status_code == 409


def test_an_appointment_booked_through_v1_has_the_same_id_here(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    native = cliniko.api.post(
        "/v1/appointments",
        json={
            "location_id": world["location"]["id"],
            "service_id": world["service"]["id"],
            "staff_id": world["staff"]["id"],
            "client_id": world["client"]["id"],
            "start": at(next_weekday(), 11),
        },
    ).json()
    r = cliniko.get(f"/individual_appointments/{native['id']}")
    assert r.status_code == 200 and r.json()["id"] == str(native["id"])


def test_an_overlap_with_the_practitioner_is_422_naming_the_conflict_and_writes_nothing(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    first = _create(cliniko, world, 10)
    r = cliniko.post(
        "/individual_appointments", json=appointment_body(world, at(next_weekday(), 10, 15))
    )
    assert r.status_code == 422
    assert r.json()["message"] == "Validation Failed"
    assert first["id"] in r.json()["errors"]["starts_at"]
    assert cliniko.get("/individual_appointments").json()["total_entries"] == 1


def test_outside_working_hours_is_422_naming_the_practitioner(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    r = cliniko.post(
        "/individual_appointments", json=appointment_body(world, at(next_weekday(), 20))
    )
    assert r.status_code == 422 and "practitioner_id" in r.json()["errors"]
    message = r.json()["errors"]["practitioner_id"]
    assert "they work 09:00-17:00" in message
    assert "override" not in message  # a native field a Cliniko request cannot send


def test_ends_at_before_starts_at_is_422(cliniko: Cliniko, world: dict[str, Any]) -> None:
    day = next_weekday()
    r = cliniko.post(
        "/individual_appointments",
        json=appointment_body(world, at(day, 10), ends_at=at(day, 9)),
    )
    assert r.status_code == 422 and set(r.json()["errors"]) <= {"ends_at", "starts_at", "base"}


def test_integer_ids_are_accepted_in_bodies(cliniko: Cliniko, world: dict[str, Any]) -> None:
    body = appointment_body(world, at(next_weekday(), 12))
    body = {k: int(v) if k.endswith("_id") else v for k, v in body.items()}
    assert cliniko.post("/individual_appointments", json=body).status_code == 201


def test_bad_input_on_create_is_refused_naming_the_field_and_writes_nothing(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    day = next_weekday()
    cases: list[tuple[Any, int, str | None]] = [
        ({**appointment_body(world, at(day, 10)), "patient_id": "abc"}, 422, "patient_id"),
        ({**appointment_body(world, at(day, 10)), "patient_id": "999999"}, 422, "patient_id"),
        ({**appointment_body(world, at(day, 10)), "practitioner_id": 0}, 422, "practitioner_id"),
        ({**appointment_body(world, at(day, 10)), "business_id": None}, 422, "business_id"),
        ({**appointment_body(world, "tomorrow")}, 422, "starts_at"),
        ({**appointment_body(world, at(day, 10)), "notes": 5}, 422, "notes"),
        (
            {**appointment_body(world, at(day, 10)), "repeat_rule": {"repeat_type": "Yearly"}},
            422,
            "repeat_rule.repeat_type",
        ),
        ([1, 2], 400, None),
        ("nope", 400, None),
    ]
    for body, status, field in cases:
        r = cliniko.post("/individual_appointments", json=body)
        assert r.status_code == status, (body, r.text)
        if field:
            assert field in r.json()["errors"], (field, r.json())
    r = cliniko.post("/individual_appointments", content=b"{not json")
    assert r.status_code == 400 and r.json()["message"] == "Malformed JSON"
    assert cliniko.get("/individual_appointments").json()["total_entries"] == 0


def test_update_moves_the_appointment_and_put_is_an_alias(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    doc = _create(cliniko, world, 10)
    day = next_weekday()
    r = cliniko.patch(f"/individual_appointments/{doc['id']}", json={"starts_at": at(day, 14)})
    assert r.status_code == 200
    assert r.json()["starts_at"] == at(day, 14) and r.json()["ends_at"] == at(day, 14, 30)
    r = cliniko.put(f"/individual_appointments/{doc['id']}", json={"notes": "via PUT"})
    assert r.status_code == 200 and r.json()["notes"] == "via PUT"
    r = cliniko.patch(f"/individual_appointments/{doc['id']}", json={"ends_at": None})
    assert r.status_code == 200 and r.json()["ends_at"] == at(day, 14, 30)


def test_update_rechecks_the_calendar_and_refuses_bad_input(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    first = _create(cliniko, world, 10)
    second = _create(cliniko, world, 11)
    day = next_weekday()
    r = cliniko.patch(
        f"/individual_appointments/{second['id']}", json={"starts_at": at(day, 10, 15)}
    )
    assert r.status_code == 422 and first["id"] in r.json()["errors"]["starts_at"]
    for body, field in (
        ({"starts_at": "soon"}, "starts_at"),
        ({"practitioner_id": "x"}, "practitioner_id"),
        ({"patient_id": "424242"}, "patient_id"),
        ({"repeat_rule": {"repeat_type": "Daily", "number_of_repeats": 2}}, "repeat_rule"),
    ):
        r = cliniko.patch(f"/individual_appointments/{second['id']}", json=body)
        assert r.status_code == 422 and field in r.json()["errors"], (body, r.text)
    assert cliniko.patch(f"/individual_appointments/{second['id']}", json=[]).status_code == 400
    unchanged = cliniko.get(f"/individual_appointments/{second['id']}").json()
    assert unchanged["starts_at"] == second["starts_at"]


def test_archive_by_delete_and_by_post_hides_from_lists_unless_asked(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    a = _create(cliniko, world, 10)
    b = _create(cliniko, world, 11)
    assert cliniko.delete(f"/individual_appointments/{a['id']}").status_code == 204
    assert cliniko.post(f"/individual_appointments/{b['id']}/archive").status_code == 204
    assert cliniko.get("/individual_appointments").json()["total_entries"] == 0
    listed = cliniko.get("/individual_appointments", params={"q[]": "archived_at:*"}).json()
    assert listed["total_entries"] == 2
    assert all(x["archived_at"] for x in listed["individual_appointments"])
    assert cliniko.get(f"/individual_appointments/{a['id']}").status_code == 404
    got = cliniko.get(f"/individual_appointments/{a['id']}", params={"q[]": "archived_at:?"})
    assert got.status_code == 200 and got.json()["archived_at"]
    # archiving frees the time
    assert _create(cliniko, world, 10)["id"]


def test_cancel_records_reason_note_and_frees_the_time(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    a = _create(cliniko, world, 10)
    r = cliniko.patch(
        f"/individual_appointments/{a['id']}/cancel",
        json={"cancellation_reason": 31, "cancellation_note": "Isolating"},
    )
    assert r.status_code == 204 and r.content == b""
    assert cliniko.get("/individual_appointments").json()["total_entries"] == 0
    got = cliniko.get(f"/individual_appointments/{a['id']}", params={"q[]": "cancelled_at:?"})
    doc = got.json()
    assert doc["cancellation_reason"] == 31
    assert doc["cancellation_reason_description"] == "COVID-19 related"
    assert doc["cancellation_note"] == "Isolating" and doc["cancelled_at"].endswith("Z")
    assert cliniko.api.get(f"/v1/appointments/{a['id']}").json()["status"] == "cancelled"
    since = cliniko.get(
        "/individual_appointments", params={"q[]": "cancelled_at:>2000-01-01T00:00:00Z"}
    ).json()
    assert [x["id"] for x in since["individual_appointments"]] == [a["id"]]
    before = cliniko.get(
        "/individual_appointments", params={"q[]": "cancelled_at:<2000-01-01T00:00:00Z"}
    ).json()
    assert before["total_entries"] == 0
    _create(cliniko, world, 10)


def test_an_appointment_cancelled_through_v1_has_cancelled_at_and_no_cliniko_reason(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    a = _create(cliniko, world, 10)
    assert cliniko.api.post(f"/v1/appointments/{a['id']}/cancel").status_code == 200
    doc = cliniko.get(
        f"/individual_appointments/{a['id']}", params={"q[]": "cancelled_at:*"}
    ).json()
    assert doc["cancelled_at"].endswith("Z") and doc["cancellation_reason"] is None


def test_every_cancellation_reason_has_the_spec_spelling(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    expected = {
        10: "Feeling Better",
        20: "Condition Worse",
        30: "Sick",
        31: "COVID-19 related",
        40: "Away",
        50: "Other",
        60: "Work",
    }
    for hour, (code, text) in zip(range(9, 16), expected.items(), strict=True):
        a = _create(cliniko, world, hour)
        cliniko.patch(
            f"/individual_appointments/{a['id']}/cancel", json={"cancellation_reason": code}
        )
        doc = cliniko.get(
            f"/individual_appointments/{a['id']}", params={"q[]": "cancelled_at:*"}
        ).json()
        assert doc["cancellation_reason_description"] == text


def test_cancel_refuses_bad_input(cliniko: Cliniko, world: dict[str, Any]) -> None:
    a = _create(cliniko, world, 10)
    for body in (
        {},
        {"cancellation_reason": 15},
        {"cancellation_reason": "10"},
        {"cancellation_reason": 10, "apply_to_repeats": "yes"},
        {"cancellation_reason": 10, "cancellation_note": 3},
    ):
        r = cliniko.patch(f"/individual_appointments/{a['id']}/cancel", json=body)
        assert r.status_code == 422, body
    assert cliniko.get(f"/individual_appointments/{a['id']}").status_code == 200


def test_conflicts_say_whether_another_booking_overlaps(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    a = _create(cliniko, world, 10)
    r = cliniko.get(f"/individual_appointments/{a['id']}/conflicts")
    assert r.json() == {"conflicts": {"exist": False}}
    double = cliniko.api.post(
        "/v1/appointments",
        json={
            "location_id": world["location"]["id"],
            "service_id": world["service"]["id"],
            "staff_id": world["staff"]["id"],
            "client_id": world["client"]["id"],
            "start": a["starts_at"],
            "override": True,
        },
    )
    assert double.status_code == 201, double.text
    r = cliniko.get(f"/individual_appointments/{a['id']}/conflicts")
    assert r.json() == {"conflicts": {"exist": True}}


def test_patient_arrived_and_did_not_arrive_follow_check_in_and_no_show(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    a = _create(cliniko, world, 10)
    b = _create(cliniko, world, 11)
    cliniko.api.post(f"/v1/appointments/{a['id']}/check-in")
    cliniko.api.post(f"/v1/appointments/{b['id']}/no-show")
    assert cliniko.get(f"/individual_appointments/{a['id']}").json()["patient_arrived"] is True
    assert cliniko.get(f"/individual_appointments/{b['id']}").json()["did_not_arrive"] is True


def test_repeat_rule_creates_the_repeats_linked_by_repeated_from(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    rule = {"repeat_type": "Weekly", "number_of_repeats": 3, "repeating_interval": 1}
    first = _create(cliniko, world, 10, repeat_rule=rule)
    assert first["repeat_rule"] == rule and first["repeated_from"] == {}
    repeats = cliniko.get(
        "/individual_appointments", params={"q[]": f"repeated_from_id:={first['id']}"}
    ).json()
    assert repeats["total_entries"] == 3
    for r in repeats["individual_appointments"]:
        assert r["repeated_from"]["links"]["self"] == first["links"]["self"]
    assert cliniko.get("/individual_appointments").json()["total_entries"] == 4


def test_repeats_keep_the_local_wall_time_across_a_dst_change(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    from datetime import UTC, datetime, timedelta

    # The last Monday of March is always after London's spring change; start a week before.
    year = datetime.now(UTC).year + 1
    day = datetime(year, 3, 31, tzinfo=UTC)
    while day.weekday() != 0:
        day -= timedelta(days=1)
    day -= timedelta(days=7)
    rule = {"repeat_type": "Weekly", "number_of_repeats": 1, "repeating_interval": 1}
    r = cliniko.post(
        "/individual_appointments",
        json=appointment_body(world, at(day, 10), repeat_rule=rule),
    )
    assert r.status_code == 201, r.text
    later = cliniko.get(
        "/individual_appointments", params={"q[]": f"repeated_from_id:={r.json()['id']}"}
    ).json()["individual_appointments"][0]
    assert r.json()["starts_at"].endswith("T10:00:00Z")
    assert later["starts_at"].endswith("T09:00:00Z")  # 10:00 BST


def test_a_repeat_that_collides_refuses_the_whole_series(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    from datetime import timedelta

    day = next_weekday()
    cliniko.post(
        "/individual_appointments", json=appointment_body(world, at(day + timedelta(days=7), 10))
    )
    rule = {"repeat_type": "Weekly", "number_of_repeats": 2, "repeating_interval": 1}
    r = cliniko.post(
        "/individual_appointments", json=appointment_body(world, at(day, 10), repeat_rule=rule)
    )
    assert r.status_code == 422
    assert cliniko.get("/individual_appointments").json()["total_entries"] == 1


def test_cancel_with_apply_to_repeats_cancels_the_later_ones(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    rule = {"repeat_type": "Daily", "number_of_repeats": 2, "repeating_interval": 7}
    first = _create(cliniko, world, 10, repeat_rule=rule)
    r = cliniko.patch(
        f"/individual_appointments/{first['id']}/cancel",
        json={"cancellation_reason": 50, "apply_to_repeats": True},
    )
    assert r.status_code == 204
    assert cliniko.get("/individual_appointments").json()["total_entries"] == 0
    cancelled = cliniko.get("/individual_appointments", params={"q[]": "cancelled_at:?"}).json()[
        "individual_appointments"
    ]
    assert {c["cancellation_reason"] for c in cancelled} == {50} and len(cancelled) == 3


def test_unknown_and_malformed_ids_are_404(cliniko: Cliniko) -> None:
    for path in ("/individual_appointments/999999", "/individual_appointments/abc"):
        r = cliniko.get(path)
        assert r.status_code == 404 and r.json() == {"message": "Not Found"}
    assert cliniko.patch("/individual_appointments/0/cancel", json={}).status_code == 404
    assert cliniko.get("/nowhere").status_code == 404


def test_auth_takes_the_key_with_or_without_shard_and_the_stray_colon(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    key = cliniko.api.key
    token = basic(key)["Authorization"].split()[1]
    client = cliniko.client
    ok = [
        basic(key),
        basic(key, "-au1"),
        basic(key, "-uk2"),
        {"Authorization": f"Basic: {token}"},
        {"Authorization": f"basic {token}"},
    ]
    for headers in ok:
        assert client.get("/cliniko/v1/businesses", headers=headers).status_code == 200, headers
    import base64

    bad = [
        {},
        {"Authorization": f"Bearer {key}"},
        basic("nope"),
        {"Authorization": "Basic " + base64.b64encode(f"{key}:secret".encode()).decode()},
        {"Authorization": "Basic " + base64.b64encode(key.encode()).decode()},
        {"Authorization": "Basic !!!"},
    ]
    for headers in bad:
        r = client.get("/cliniko/v1/businesses", headers=headers)
        assert r.status_code == 401, headers
        assert r.json() == {"message": "HTTP Basic: Access denied."}


def test_reminder_flags_read_the_reminders_the_dispatcher_sent(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    from datetime import UTC, datetime

    from appointd.store import tables

    a = _create(cliniko, world, 10)
    assert cliniko.get(f"/individual_appointments/{a['id']}").json()["email_reminder_sent"] is False
    now = datetime.now(UTC)
    with cliniko.api.db.engine.begin() as conn:
        for channel, status in (("email", "sent"), ("sms", "failed")):
            conn.execute(
                tables.deliveries.insert().values(
                    account_id=cliniko.api.account_id,
                    channel=channel,
                    type="reminder",
                    appointment_id=int(a["id"]),
                    recipient="client",
                    minutes_before=60,
                    status=status,
                    due_at=now,
                    created_at=now,
                )
            )
    doc = cliniko.get(f"/individual_appointments/{a['id']}").json()
    assert doc["email_reminder_sent"] is True and doc["sms_reminder_sent"] is False


def test_an_update_may_send_back_the_rule_it_has_and_no_other(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    rule = {"repeat_type": "Weekly", "number_of_repeats": 2, "repeating_interval": 1}
    first = _create(cliniko, world, 10, repeat_rule=rule)
    repeat = cliniko.get(
        "/individual_appointments", params={"q[]": f"repeated_from_id:={first['id']}"}
    ).json()["individual_appointments"][0]
    # A client writing back what it read (PUT of the whole object) changes nothing.
    for target in (first, repeat):
        echoed = {"notes": "read, modify, write", "repeat_rule": target["repeat_rule"]}
        r = cliniko.put(f"/individual_appointments/{target['id']}", json=echoed)
        assert r.status_code == 200, r.text
        assert r.json()["repeat_rule"] == rule and r.json()["notes"] == "read, modify, write"
    same_without_interval = {"repeat_type": "Weekly", "number_of_repeats": 2}
    r = cliniko.patch(
        f"/individual_appointments/{first['id']}", json={"repeat_rule": same_without_interval}
    )
    assert r.status_code == 200, r.text
    other = {**rule, "number_of_repeats": 5}
    r = cliniko.patch(
        f"/individual_appointments/{first['id']}",
        json={"repeat_rule": other, "notes": "not written"},
    )
    assert r.status_code == 422
    assert "cannot be changed" in r.json()["errors"]["repeat_rule"]
    single = _create(cliniko, world, 12)
    assert (
        cliniko.patch(
            f"/individual_appointments/{single['id']}", json={"repeat_rule": None}
        ).status_code
        == 200
    )
    r = cliniko.patch(f"/individual_appointments/{single['id']}", json={"repeat_rule": rule})
    assert r.status_code == 422
    assert "cannot be added" in r.json()["errors"]["repeat_rule"]
    assert cliniko.get(f"/individual_appointments/{first['id']}").json()["notes"] == (
        "read, modify, write"
    )
    assert cliniko.get("/individual_appointments").json()["total_entries"] == 4
