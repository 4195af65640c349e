"""Booking is the hot path: its statements are counted, so a change that adds round trips shows.

On PostgreSQL a booking loads what it names in one statement, reads working-time overrides and
holding time in one each, writes everything in one, and stamps the account's change sequence
in one (the last statement before COMMIT, see appointd.store.change_feed); on SQLite (no round
trips to save) the writes are separate inserts and the stamp is two statements.
"""

from tests.conftest import StatementCounter
from tests.factories import book, clinic, create_resource, create_staff


def _book_counted(api, db, world, start, **fields):
    with StatementCounter(db.engine) as counted:
        response = book(api, world, start, **fields)
    assert response.status_code == 201, response.text
    return counted


def test_a_plain_booking_is_five_statements_on_postgresql(api, db):
    world = clinic(api)
    book(api, world, "2030-01-07T09:00:00Z")  # the key's first use looks it up
    counted = _book_counted(api, db, world, "2030-01-07T10:00:00Z")
    expected = 5 if db.name == "postgresql" else 9
    assert counted.count == expected, counted.statements


def test_the_statements_of_a_booking_do_not_grow_with_the_people_and_things_it_names(api, db):
    world = clinic(api)
    people = [create_staff(api, world["location"]) for _ in range(3)]
    rooms = [create_resource(api) for _ in range(3)]
    book(api, world, "2030-01-07T09:00:00Z")
    few = _book_counted(
        api,
        db,
        world,
        "2030-01-07T10:00:00Z",
        additional_staff_ids=[people[0]["id"]],
        resource_ids=[rooms[0]["id"]],
    )
    many = _book_counted(
        api,
        db,
        world,
        "2030-01-07T11:00:00Z",
        additional_staff_ids=[p["id"] for p in people],
        resource_ids=[r["id"] for r in rooms],
    )
    assert few.count == many.count, (few.statements, many.statements)
