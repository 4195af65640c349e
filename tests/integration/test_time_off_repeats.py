"""Repeating time off and in-place updates, the core use cases called directly."""

from datetime import UTC, datetime, timedelta

import pytest

from appointd.app import catalog, time_off
from appointd.domain.errors import Invalid, SlotTaken


def _staff(ctx):
    return catalog.create(ctx, "staff", {"first_name": "Ana", "time_zone": "Europe/Paris"})


def _monday(weeks: int = 2) -> datetime:
    day = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    day += timedelta(weeks=weeks)
    return day - timedelta(days=day.weekday())


def test_repeats_are_written_together_and_linked_to_the_first(api):
    ctx = api.context()
    staff = _staff(ctx)
    start = _monday().replace(hour=12)
    made = time_off.add_repeating(
        ctx, staff.id, start, start + timedelta(hours=1), "lunch", "FREQ=DAILY;COUNT=3"
    )
    assert [t.start for t in made] == [start + timedelta(days=i) for i in range(3)]
    assert made[0].repeated_from_id is None
    assert {t.repeated_from_id for t in made[1:]} == {made[0].id}
    assert all(t.repeat_rule == {"rrule": "FREQ=DAILY;COUNT=3"} for t in made)
    assert len(time_off.list_for(ctx, staff.id)) == 3


def test_one_refused_repeat_writes_nothing(api):
    ctx = api.context()
    staff = _staff(ctx)
    start = _monday().replace(hour=12)
    time_off.add(ctx, staff.id, start + timedelta(days=2), start + timedelta(days=2, hours=1), None)
    with pytest.raises(SlotTaken):
        time_off.add_repeating(
            ctx, staff.id, start, start + timedelta(hours=1), None, "FREQ=DAILY;COUNT=3"
        )
    assert len(time_off.list_for(ctx, staff.id)) == 1
    with pytest.raises(Invalid) as bad:
        time_off.add_repeating(ctx, staff.id, start, start + timedelta(hours=1), None, "FREQ=X")
    assert [e.field for e in bad.value.errors] == ["recurrence.rrule"]


def test_update_keeps_the_id_and_the_links_and_checks_the_new_span(api):
    ctx = api.context()
    staff = _staff(ctx)
    start = _monday().replace(hour=12)
    first, repeat = time_off.add_repeating(
        ctx, staff.id, start, start + timedelta(hours=1), None, "FREQ=WEEKLY;COUNT=2"
    )
    moved = time_off.update(
        ctx, repeat.id, staff.id, repeat.start, repeat.end + timedelta(hours=1), "longer"
    )
    assert (moved.id, moved.repeated_from_id, moved.reason) == (repeat.id, first.id, "longer")
    again, _ = time_off.get(ctx, repeat.id)
    assert again.end == repeat.end + timedelta(hours=1) and again.updated_at is not None
    with pytest.raises(SlotTaken):
        time_off.update(ctx, first.id, staff.id, repeat.start, repeat.end, None)
    assert time_off.get(ctx, first.id)[0].start == first.start


def test_removing_the_first_hands_the_link_to_the_earliest_repeat(api):
    ctx = api.context()
    staff = _staff(ctx)
    start = _monday().replace(hour=12)
    made = time_off.add_repeating(
        ctx, staff.id, start, start + timedelta(hours=1), None, "FREQ=DAILY;COUNT=3"
    )
    time_off.remove(ctx, staff.id, made[0].id)
    left = {t.id: t for t in time_off.list_for(ctx, staff.id)}
    assert left[made[1].id].repeated_from_id is None
    assert left[made[2].id].repeated_from_id == made[1].id
