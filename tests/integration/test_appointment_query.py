"""The shared appointment query and the page loader every face renders from."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from appointd.app import appointments
from appointd.app.appointment_query import (
    AppointmentQuery,
    count_by_status,
    search_appointments,
)
from appointd.app.commands import BookAppointment, TransitionAppointment
from appointd.domain.status import Status
from tests.conftest import StatementCounter
from tests.factories import clinic, create_client, create_resource, create_staff

MONDAY = datetime(2031, 1, 6, 9, tzinfo=UTC)


def _book(ctx, world, start, **fields):
    return appointments.book(
        ctx,
        BookAppointment(
            location_id=world["location"]["id"],
            service_id=world["service"]["id"],
            staff_id=world["staff"]["id"],
            client_id=world["client"]["id"],
            start=start,
            **fields,
        ),
    )


def _ids(ctx, **filters):
    return [v.appointment.id for v in search_appointments(ctx, AppointmentQuery(**filters)).items]


def test_filters_narrow_the_list_and_combine(api, db):
    world = clinic(api)
    ctx = api.context()
    helper = create_staff(api, world["location"], service_ids=[world["service"]["id"]])
    room = create_resource(api)
    other = create_client(api, external_id="crm-9")
    a = _book(ctx, world, MONDAY, notes="Knee PAIN", external_id="ext-a")
    b = _book(
        ctx,
        world,
        MONDAY + timedelta(hours=1),
        additional_staff_ids=[helper["id"]],
        resource_ids=[room["id"]],
    )
    c = _book(ctx, {**world, "client": other}, MONDAY + timedelta(days=1))
    appointments.transition_to(ctx, TransitionAppointment(c.id, Status.CANCELLED))
    assert _ids(ctx) == [a.id, b.id, c.id]
    assert _ids(ctx, staff_ids=[helper["id"]]) == [b.id]  # additional staff count
    assert _ids(ctx, resource_ids=[room["id"]]) == [b.id]
    assert _ids(ctx, client_external_ids=["crm-9"]) == [c.id]
    assert _ids(ctx, external_ids=["ext-a"]) == [a.id]
    assert _ids(ctx, references=[b.reference.lower()]) == [b.id]
    assert _ids(ctx, text="knee pain") == [a.id]
    assert _ids(ctx, text="%") == []  # LIKE wildcards are taken literally
    assert _ids(ctx, include_cancelled=False) == [a.id, b.id]
    assert _ids(ctx, statuses=[Status.CANCELLED]) == [c.id]
    assert _ids(
        ctx, window_start=MONDAY + timedelta(minutes=45), window_end=MONDAY + timedelta(hours=2)
    ) == [b.id]
    assert _ids(ctx, order_by="start", descending=True) == [c.id, b.id, a.id]
    assert _ids(ctx, order_by="change_seq", descending=True)[0] == c.id  # cancelled last
    assert _ids(ctx, ids=[a.id, c.id], staff_ids=[world["staff"]["id"]]) == [a.id, c.id]
    page = search_appointments(ctx, AppointmentQuery(limit=2, offset=1))
    assert [v.appointment.id for v in page.items] == [b.id, c.id] and page.total == 3
    assert search_appointments(ctx, AppointmentQuery(limit=1, with_total=False)).total is None


def test_another_accounts_appointments_are_never_listed_or_counted(api, other_api, db):
    mine, theirs = clinic(api), clinic(other_api)
    _book(api.context(), mine, MONDAY)
    foreign = _book(other_api.context(), theirs, MONDAY)
    assert _ids(api.context(), ids=[foreign.id]) == []
    assert _ids(api.context(), references=[foreign.reference]) == []
    counts = count_by_status(api.context(), AppointmentQuery())
    assert [(c.status, c.count) for c in counts] == [(Status.CONFIRMED, 1)]


def test_counts_by_status_and_service(api, db):
    world = clinic(api)
    ctx = api.context()
    for hour in range(3):
        _book(ctx, world, MONDAY + timedelta(hours=hour))
    first = _ids(ctx)[0]
    appointments.transition_to(ctx, TransitionAppointment(first, Status.CANCELLED))
    counts = count_by_status(ctx, AppointmentQuery(), group_by_service=True)
    assert [(c.status, c.service_id, c.count) for c in counts] == [
        (Status.CANCELLED, world["service"]["id"], 1),
        (Status.CONFIRMED, world["service"]["id"], 2),
    ]


def test_a_page_with_everything_around_it_costs_the_same_statements_for_1_and_100(api, db):
    world = clinic(api)
    ctx = api.context()
    helper = create_staff(api, world["location"], service_ids=[world["service"]["id"]])
    room = create_resource(api)
    extra = {"additional_staff_ids": [helper["id"]], "resource_ids": [room["id"]]}
    first = _book(ctx, world, MONDAY, **extra)
    for i in range(1, 100):
        day, slot = divmod(i, 14)
        _book(
            ctx,
            world,
            MONDAY + timedelta(days=day % 5 + 7 * (day // 5), minutes=30 * slot),
            **extra,
        )

    def counted(limit: int) -> tuple[int, list]:
        with StatementCounter(db.engine) as counter:
            page = search_appointments(ctx, AppointmentQuery(limit=limit, with_total=False))
        return counter.count, page.items

    one, items_one = counted(1)
    hundred, items = counted(100)
    assert len(items_one) == 1 and len(items) == 100
    assert one == hundred, "the page loader must not load related objects row by row"
    view = items[0]
    assert view.appointment.id == first.id
    assert view.location.id == world["location"]["id"]
    assert view.service.name == world["service"]["name"]
    assert view.staff.id == world["staff"]["id"]
    assert view.client.id == world["client"]["id"]
    assert [s.id for s in view.additional_staff] == [helper["id"]]
    assert [r.id for r in view.resources] == [room["id"]]
    assert view.custom_status is None


def test_text_finds_form_answers_single_and_multiple_values(api, db):
    from appointd.app import account_definitions as defs

    world = clinic(api)
    ctx = api.context()
    why = defs.create_form_field(ctx, {"label": "Why", "type": "text"})
    topics = defs.create_form_field(
        ctx, {"label": "Topics", "type": "multiselect", "options": ["Back_ache", "Sleep"]}
    )
    a = _book(ctx, world, MONDAY, form=[{"field_id": why.id, "value": "Sore KNEE"}])
    b = _book(
        ctx,
        world,
        MONDAY + timedelta(hours=1),
        form=[{"field_id": topics.id, "values": ["Sleep", "Back_ache"]}],
    )
    assert _ids(ctx, text="knee") == [a.id]
    assert _ids(ctx, text="back_a") == [b.id]
    assert _ids(ctx, text="b_c") == []  # "_" is a character here, not a wildcard ("bac")
    assert _ids(ctx, text="field_id") == []  # keys are not searched
