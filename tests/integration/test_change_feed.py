"""The account-wide change sequence: every change of an appointment takes a new, larger number,
taken at the end of its transaction so that a reader polling ``changed_since`` never misses one.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from appointd.app import appointments
from appointd.app.appointment_query import AppointmentQuery, find_appointments
from appointd.app.commands import BookAppointment, ChangeAppointment, TransitionAppointment
from appointd.domain.errors import SlotTaken
from appointd.domain.status import Status
from tests.factories import clinic, create_staff

MONDAY = datetime(2031, 1, 6, 9, tzinfo=UTC)


def _cmd(world, start, staff=None) -> BookAppointment:
    return BookAppointment(
        location_id=world["location"]["id"],
        service_id=world["service"]["id"],
        staff_id=(staff or world["staff"])["id"],
        client_id=world["client"]["id"],
        start=start,
    )


def _feed(ctx, since: int):
    items, _ = find_appointments(
        ctx,
        AppointmentQuery(
            changed_since=since,
            order_by="change_seq",
            include_archived=True,
            include_deleted=True,
            limit=None,
            with_total=False,
        ),
    )
    return items


def test_every_change_of_an_appointment_takes_a_new_larger_sequence_number(api, db):
    world = clinic(api)
    ctx = api.context()
    appt = appointments.book(ctx, _cmd(world, MONDAY))
    seqs = [appt.change_seq]
    changed = appointments.change(ctx, ChangeAppointment(appt.id, {"notes": "moved"}))
    seqs.append(changed.change_seq)
    confirmed = appointments.transition_to(ctx, TransitionAppointment(appt.id, Status.CHECKED_IN))
    seqs.append(confirmed.change_seq)
    appointments.archive(ctx, appt.id)
    seqs.append(appointments.get(ctx, appt.id).change_seq)
    appointments.delete_appointment(ctx, appt.id)
    deleted = appointments.get(ctx, appt.id)
    seqs.append(deleted.change_seq)
    assert seqs == sorted(seqs) and len(set(seqs)) == 5 and seqs[0] >= 1
    assert deleted.deleted_at is not None
    # The stamp says who changed it last.
    assert (deleted.created_by, deleted.updated_by) == ("test", "test")


def test_the_feed_returns_what_changed_after_a_number_including_tombstones(api, db):
    world = clinic(api)
    ctx = api.context()
    first = appointments.book(ctx, _cmd(world, MONDAY))
    second = appointments.book(ctx, _cmd(world, MONDAY + timedelta(hours=1)))
    mark = second.change_seq
    assert [a.id for a in _feed(ctx, 0)] == [first.id, second.id]
    assert _feed(ctx, mark) == []
    appointments.delete_appointment(ctx, first.id)
    (tombstone,) = _feed(ctx, mark)
    assert tombstone.id == first.id and tombstone.deleted_at is not None
    # Deleted appointments leave the ordinary lists and free their time.
    items, total = find_appointments(ctx, AppointmentQuery())
    assert [a.id for a in items] == [second.id] and total == 1
    again = appointments.book(ctx, _cmd(world, MONDAY))
    assert again.id != first.id


def test_each_occurrence_of_a_series_gets_its_own_number(api, db):
    world = clinic(api)
    ctx = api.context()
    from appointd.app import series

    cmd = _cmd(world, MONDAY)
    cmd.recurrence = {"rrule": "FREQ=DAILY;COUNT=5"}
    view = series.book(ctx, cmd)
    seqs = [a.change_seq for a in view.occurrences]
    assert len(set(seqs)) == 5
    assert sorted(seqs) == list(range(min(seqs), min(seqs) + 5))


def test_another_accounts_changes_take_nothing_from_this_accounts_sequence(api, other_api, db):
    mine, theirs = clinic(api), clinic(other_api)
    first = appointments.book(api.context(), _cmd(mine, MONDAY))
    for hour in range(3):
        appointments.book(other_api.context(), _cmd(theirs, MONDAY + timedelta(hours=hour)))
    second = appointments.book(api.context(), _cmd(mine, MONDAY + timedelta(hours=1)))
    assert second.change_seq == first.change_seq + 1
    assert {a.id for a in _feed(api.context(), 0)} == {first.id, second.id}


def test_concurrent_bookings_get_distinct_gap_free_numbers_and_a_poller_misses_none(api, db):
    """Writers book in one account at once (some racing for the same time, so inserts wait on
    each other at the exclusion constraint) while a reader polls the feed from the largest
    number it has seen. On PostgreSQL this is where a number taken early in a transaction would
    be skipped by the poller; taken last, under the account's row lock, none is."""
    world = clinic(api)
    offers = {"service_ids": [world["service"]["id"]]}
    people = [world["staff"], *(create_staff(api, world["location"], **offers) for _ in range(3))]
    ctx = api.context()
    writers, per_writer = 8, 6
    booked: list[int] = []
    refused = 0
    lock = threading.Lock()
    done = threading.Event()
    seen: dict[int, int] = {}

    def write(w: int) -> None:
        nonlocal refused
        for i in range(per_writer):
            # Two writers share each staff member and the same hours: half of them collide.
            start = MONDAY + timedelta(days=w // 2 % 4, minutes=30 * i)
            try:
                appt = appointments.book(ctx, _cmd(world, start, people[w % len(people)]))
            except SlotTaken:
                with lock:
                    refused += 1
                continue
            with lock:
                booked.append(appt.id)

    def poll() -> None:
        cursor = 0
        while True:
            finished = done.is_set()
            for appt in _feed(ctx, cursor):
                seen[appt.id] = appt.change_seq
                cursor = max(cursor, appt.change_seq)
            if finished:
                return

    poller = threading.Thread(target=poll)
    poller.start()
    with ThreadPoolExecutor(writers) as pool:
        list(pool.map(write, range(writers)))
    done.set()
    poller.join(timeout=120)
    assert not poller.is_alive()
    assert len(booked) + refused == writers * per_writer and booked
    assert set(seen) == set(booked)  # the poller missed nothing
    seqs = sorted(seen.values())
    assert len(set(seqs)) == len(seqs)
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # refused bookings took no number
