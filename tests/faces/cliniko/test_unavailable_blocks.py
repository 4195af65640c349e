"""Repeating unavailable blocks and in-place updates through the Cliniko face, on the core's
repeating time off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.faces.cliniko.conftest import Cliniko, appointment_body, at, next_weekday
from tests.factories import create_staff


def _body(world: dict[str, Any], day: datetime, start: int, end: int, **more: Any) -> Any:
    return {
        "business_id": str(world["location"]["id"]),
        "practitioner_id": str(world["staff"]["id"]),
        "starts_at": at(day, start),
        "ends_at": at(day, end),
        **more,
    }


def _repeats_of(cliniko: Cliniko, block_id: str) -> list[dict[str, Any]]:
    listed = cliniko.get(
        "/unavailable_blocks",
        params=[("q[]", f"repeated_from_id:={block_id}"), ("sort", "starts_at")],
    )
    assert listed.status_code == 200, listed.text
    found: list[dict[str, Any]] = listed.json()["unavailable_blocks"]
    return found


def test_a_repeat_rule_creates_the_repeats_linked_to_the_first(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    day = next_weekday()
    rule = {"repeat_type": "Weekly", "number_of_repeats": 3, "repeating_interval": 1}
    r = cliniko.post("/unavailable_blocks", json=_body(world, day, 13, 14, repeat_rule=rule))
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["repeat_rule"] == rule
    assert first["repeated_from"] == {}
    assert "repeated_from_id%3A%3D" + first["id"] in first["repeats"]["links"]["self"]
    repeats = _repeats_of(cliniko, first["id"])
    # number_of_repeats counts the blocks after the first
    assert len(repeats) == 3
    for i, block in enumerate(repeats, start=1):
        assert block["starts_at"] == at(day + timedelta(days=7 * i), 13)
        assert block["ends_at"] == at(day + timedelta(days=7 * i), 14)
        assert block["repeated_from"]["links"]["self"] == first["links"]["self"]
        assert block["repeats"] == first["repeats"]
        assert block["repeat_rule"] == rule
    assert cliniko.get("/unavailable_blocks").json()["total_entries"] == 4
    only_repeats = cliniko.get("/unavailable_blocks", params={"q[]": "repeated_from_id:?"})
    assert only_repeats.json()["total_entries"] == 3
    firsts = cliniko.get("/unavailable_blocks", params={"q[]": "repeated_from_id:!?"})
    assert [b["id"] for b in firsts.json()["unavailable_blocks"]] == [first["id"]]
    bookings = cliniko.get("/bookings", params={"q[]": f"repeated_from_id:={first['id']}"})
    assert bookings.json()["total_entries"] == 3
    # every repeat blocks booking
    later = appointment_body(world, at(day + timedelta(days=14), 13))
    assert cliniko.post("/individual_appointments", json=later).status_code == 422
    # a block that never repeated has no rule and no repeats link
    single = cliniko.post("/unavailable_blocks", json=_body(world, day, 15, 16)).json()
    assert single["repeat_rule"] is None and single["repeats"] is None
    assert single["repeated_from"] == {}


def test_deleting_the_first_keeps_the_repeats_linked(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    day = next_weekday()
    rule = {"repeat_type": "Daily", "number_of_repeats": 2}
    first = cliniko.post(
        "/unavailable_blocks", json=_body(world, day, 13, 14, repeat_rule=rule)
    ).json()
    repeats = _repeats_of(cliniko, first["id"])
    assert cliniko.delete(f"/unavailable_blocks/{first['id']}").status_code == 204
    head, rest = repeats[0], repeats[1]
    assert cliniko.get(f"/unavailable_blocks/{head['id']}").json()["repeated_from"] == {}
    moved = cliniko.get(f"/unavailable_blocks/{rest['id']}").json()
    assert moved["repeated_from"]["links"]["self"] == head["links"]["self"]
    assert [b["id"] for b in _repeats_of(cliniko, head["id"])] == [rest["id"]]


def test_a_repeat_that_collides_refuses_the_whole_request(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    day = next_weekday()
    taken = cliniko.post(
        "/individual_appointments", json=appointment_body(world, at(day + timedelta(days=14), 13))
    )
    assert taken.status_code == 201, taken.text
    rule = {"repeat_type": "Weekly", "number_of_repeats": 3, "repeating_interval": 1}
    r = cliniko.post("/unavailable_blocks", json=_body(world, day, 13, 14, repeat_rule=rule))
    assert r.status_code == 422
    assert "starts_at" in r.json()["errors"]
    assert cliniko.get("/unavailable_blocks").json()["total_entries"] == 0
    # the first week is still free: nothing of the refused request was written
    assert (
        cliniko.post(
            "/individual_appointments", json=appointment_body(world, at(day, 13))
        ).status_code
        == 201
    )


def test_repeats_keep_the_local_wall_time_across_a_dst_change(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    # The last Monday of March is always after London's spring change; start a week before.
    year = datetime.now(UTC).year + 1
    day = datetime(year, 3, 31, tzinfo=UTC)
    while day.weekday() != 0:
        day -= timedelta(days=1)
    day -= timedelta(days=7)
    rule = {"repeat_type": "Weekly", "number_of_repeats": 1, "repeating_interval": 1}
    r = cliniko.post("/unavailable_blocks", json=_body(world, day, 10, 12, repeat_rule=rule))
    assert r.status_code == 201, r.text
    assert r.json()["starts_at"].endswith("T10:00:00Z")  # 10:00 GMT
    later = _repeats_of(cliniko, r.json()["id"])[0]
    assert later["starts_at"].endswith("T09:00:00Z")  # 10:00 BST
    assert later["ends_at"].endswith("T11:00:00Z")


def test_a_repeat_in_a_dst_gap_refuses_the_whole_request_naming_the_rule(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    # London springs forward at 01:00 on the last Sunday of March: 01:30 does not exist then.
    year = datetime.now(UTC).year + 1
    sunday = datetime(year, 3, 31, tzinfo=UTC)
    while sunday.weekday() != 6:
        sunday -= timedelta(days=1)
    saturday = sunday - timedelta(days=1)
    rule = {"repeat_type": "Daily", "number_of_repeats": 2}
    body = _body(world, saturday, 1, 3, repeat_rule=rule)
    body["starts_at"] = at(saturday, 1, 30)
    r = cliniko.post("/unavailable_blocks", json=body)
    assert r.status_code == 422, r.text
    assert any(name.startswith("repeat_rule") for name in r.json()["errors"]), r.text
    assert cliniko.get("/unavailable_blocks").json()["total_entries"] == 0


def test_patch_moves_a_block_in_place(cliniko: Cliniko, world: dict[str, Any]) -> None:
    day = next_weekday()
    block = cliniko.post("/unavailable_blocks", json=_body(world, day, 13, 14)).json()
    r = cliniko.patch(
        f"/unavailable_blocks/{block['id']}",
        json={"starts_at": at(day, 15), "ends_at": at(day, 16), "notes": "Moved"},
    )
    assert r.status_code == 200, r.text
    moved = r.json()
    assert moved["id"] == block["id"]
    assert (moved["starts_at"], moved["ends_at"], moved["notes"]) == (
        at(day, 15),
        at(day, 16),
        "Moved",
    )
    assert moved["created_at"] == block["created_at"]
    assert cliniko.get(f"/unavailable_blocks/{block['id']}").json()["starts_at"] == at(day, 15)
    # the old time is free again, the new one is taken
    free = cliniko.post("/individual_appointments", json=appointment_body(world, at(day, 13)))
    assert free.status_code == 201, free.text
    busy = cliniko.post("/individual_appointments", json=appointment_body(world, at(day, 15)))
    assert busy.status_code == 422
    # PUT is PATCH's alias; fields not sent stay
    r = cliniko.put(f"/unavailable_blocks/{block['id']}", json={"ends_at": at(day, 17)})
    assert r.status_code == 200, r.text
    assert (r.json()["id"], r.json()["starts_at"], r.json()["notes"]) == (
        block["id"],
        at(day, 15),
        "Moved",
    )
    assert cliniko.get("/unavailable_blocks").json()["total_entries"] == 1


def test_patch_moves_a_block_to_another_practitioner(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    day = next_weekday()
    other = create_staff(cliniko.api, world["location"], first_name="Kim")
    block = cliniko.post("/unavailable_blocks", json=_body(world, day, 13, 14)).json()
    r = cliniko.patch(
        f"/unavailable_blocks/{block['id']}", json={"practitioner_id": str(other["id"])}
    )
    assert r.status_code == 200, r.text
    assert r.json()["id"] == block["id"]
    assert r.json()["practitioner"]["links"]["self"].endswith(f"/practitioners/{other['id']}")
    free = cliniko.post("/individual_appointments", json=appointment_body(world, at(day, 13)))
    assert free.status_code == 201, free.text
    # and back: the practitioner is now booked then, so the move is refused, nothing changes
    back = {"practitioner_id": str(world["staff"]["id"])}
    r2 = cliniko.patch(f"/unavailable_blocks/{block['id']}", json=back)
    assert r2.status_code == 422 and "starts_at" in r2.json()["errors"], r2.text
    assert cliniko.get(f"/unavailable_blocks/{block['id']}").json() == r.json()


def test_patch_keeps_a_repeat_linked_and_is_seen_by_updated_at(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    day = next_weekday()
    rule = {"repeat_type": "Daily", "number_of_repeats": 1}
    first = cliniko.post(
        "/unavailable_blocks", json=_body(world, day, 13, 14, repeat_rule=rule)
    ).json()
    repeat = _repeats_of(cliniko, first["id"])[0]
    # the rule sent back unchanged (a client writing back what it read) is accepted
    r = cliniko.patch(
        f"/unavailable_blocks/{repeat['id']}",
        json={"notes": "Changed", "repeat_rule": repeat["repeat_rule"]},
    )
    assert r.status_code == 200, r.text
    changed = r.json()
    assert changed["repeated_from"] == repeat["repeated_from"]
    assert changed["updated_at"] >= repeat["updated_at"]
    since = cliniko.get(
        "/unavailable_blocks", params={"q[]": f"updated_at:>={changed['updated_at']}"}
    ).json()
    assert changed["id"] in [b["id"] for b in since["unavailable_blocks"]]


def test_patch_refuses_a_collision_and_changes_nothing(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    day = next_weekday()
    block = cliniko.post("/unavailable_blocks", json=_body(world, day, 13, 14)).json()
    taken = cliniko.post("/individual_appointments", json=appointment_body(world, at(day, 15)))
    assert taken.status_code == 201
    r = cliniko.patch(
        f"/unavailable_blocks/{block['id']}",
        json={"starts_at": at(day, 15), "ends_at": at(day, 16)},
    )
    assert r.status_code == 422 and "starts_at" in r.json()["errors"], r.text
    assert cliniko.get(f"/unavailable_blocks/{block['id']}").json() == block
    # its own old span does not count against it
    r = cliniko.patch(f"/unavailable_blocks/{block['id']}", json={"starts_at": at(day, 12, 30)})
    assert r.status_code == 200, r.text


def test_bad_patch_input_names_the_field_and_writes_nothing(
    cliniko: Cliniko, world: dict[str, Any]
) -> None:
    day = next_weekday()
    rule = {"repeat_type": "Daily", "number_of_repeats": 1}
    block = cliniko.post(
        "/unavailable_blocks", json=_body(world, day, 13, 14, repeat_rule=rule)
    ).json()
    for change, field in (
        ({"practitioner_id": None}, "practitioner_id"),
        ({"practitioner_id": "999999"}, "practitioner_id"),
        ({"practitioner_id": "abc"}, "practitioner_id"),
        ({"business_id": "999999"}, "business_id"),
        ({"ends_at": at(day, 12)}, "ends_at"),
        ({"starts_at": "x"}, "starts_at"),
        ({"starts_at": None}, "starts_at"),
        ({"notes": 5}, "notes"),
        ({"repeat_rule": {"repeat_type": "Weekly", "number_of_repeats": 1}}, "repeat_rule"),
        ({"repeat_rule": {"repeat_type": "Daily", "number_of_repeats": 99}}, "repeat_rule"),
    ):
        r = cliniko.patch(f"/unavailable_blocks/{block['id']}", json=change)
        assert r.status_code == 422, (change, r.text)
        assert any(name.startswith(field) for name in r.json()["errors"]), (change, r.text)
    r = cliniko.patch(f"/unavailable_blocks/{block['id']}", content=b"[1]")
    assert r.status_code == 400
    assert cliniko.get(f"/unavailable_blocks/{block['id']}").json() == block
    for path in ("/unavailable_blocks/999999", "/unavailable_blocks/x"):
        assert cliniko.patch(path, json={"notes": "x"}).status_code == 404


def test_another_accounts_key_cannot_see_or_change_repeats(
    cliniko: Cliniko, other_cliniko: Cliniko, world: dict[str, Any]
) -> None:
    day = next_weekday()
    rule = {"repeat_type": "Daily", "number_of_repeats": 2}
    first = cliniko.post(
        "/unavailable_blocks", json=_body(world, day, 13, 14, repeat_rule=rule)
    ).json()
    repeat = _repeats_of(cliniko, first["id"])[0]
    for block_id in (first["id"], repeat["id"]):
        assert other_cliniko.get(f"/unavailable_blocks/{block_id}").status_code == 404
        r = other_cliniko.patch(f"/unavailable_blocks/{block_id}", json={"notes": "x"})
        assert r.status_code == 404
        assert other_cliniko.delete(f"/unavailable_blocks/{block_id}").status_code == 404
    listed = other_cliniko.get(
        "/unavailable_blocks", params={"q[]": f"repeated_from_id:={first['id']}"}
    )
    assert listed.json()["total_entries"] == 0
    assert cliniko.get(f"/unavailable_blocks/{repeat['id']}").json() == repeat
