"""``/unavailable_blocks`` on the core's time off, and ``/bookings``: appointments and blocks.

Time off belongs to a practitioner, not to one business: it blocks the practitioner wherever
they work, so a ``business_id`` filter keeps every block, and a block's ``business`` link names
the practitioner's first business. Time off is deleted, never archived: ``DELETE`` and
``POST .../archive`` remove it, and a block never has ``archived_at`` or ``deleted_at``.

A ``repeat_rule`` on create writes the block and its repeats at once (the core's repeating
time off, all or nothing), each repeat ``repeated_from`` the first. ``PATCH`` (and ``PUT``, its
alias as for appointments) changes one block in place, keeping its id and links.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from appointd.app import appointment_pages, catalog, classes, time_off
from appointd.app.context import Context
from appointd.domain.errors import NotFound
from appointd.domain.model import TimeOff
from appointd.faces.cliniko import render
from appointd.faces.cliniko.appointments import FILTERS as APPOINTMENT_FILTERS
from appointd.faces.cliniko.appointments import to_filter
from appointd.faces.cliniko.auth import context
from appointd.faces.cliniko.bodies import Fields, json_object
from appointd.faces.cliniko.groups import group_filter
from appointd.faces.cliniko.query import Filter, ListRequest, base_url, envelope, parse_list
from appointd.faces.cliniko.wire import path_id
from appointd.store.repositories.conditions import Condition

router = APIRouter()

FILTERS = {
    "id": "int",
    "archived_at": "datetime",
    "created_at": "datetime",
    "deleted_at": "datetime",
    "updated_at": "datetime",
    "business_id": "int",
    "ends_at": "datetime",
    "practitioner_id": "int",
    "repeated_from_id": "int",
    "starts_at": "datetime",
}
CORE_FIELDS = {
    "id": "id",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "starts_at": "start",
    "ends_at": "end",
    "practitioner_id": "staff_id",
    "repeated_from_id": "repeated_from_id",
}
SORTABLE = frozenset(CORE_FIELDS) - {"repeated_from_id"}
_OPS = {"=": "=", "!=": "!=", ">": ">", ">=": ">=", "<": "<", "<=": "<=", "?": "not_null"}
NOTHING = Condition("id", "in", ())
# Filters of /bookings that only appointments can satisfy (a block has no such value).
APPOINTMENT_ONLY = {"appointment_type_id", "patient_ids", "did_not_arrive", "cancelled_at"}


def block_conditions(filters: list[Filter]) -> list[Condition]:
    out: list[Condition] = []
    for f in filters:
        core = CORE_FIELDS.get(f.field)
        if f.field == "business_id" or f.op == "*":
            continue
        if core is None:  # archived_at, deleted_at: never set on a block
            if f.op != "!?":
                out.append(NOTHING)
            continue
        if f.op == "!?":
            out.append(Condition(core, "null"))
        elif f.op == "=" and len(f.values) > 1:
            out.append(Condition(core, "in", f.values))
        else:
            out.append(Condition(core, _OPS[f.op], f.value))
    return out


def _sort(lr: ListRequest) -> list[tuple[str, bool]]:
    names = {**CORE_FIELDS, "appointment_start": "start"}
    return [(names.get(name, "created_at"), desc) for name, desc in lr.sort]


def _id(raw: str) -> int:
    found = path_id(raw)
    if found is None:
        raise NotFound("time_off", raw)
    return found


@router.get("/unavailable_blocks")
async def list_blocks(request: Request, ctx: Context = Depends(context)) -> dict[str, Any]:
    lr = parse_list(request, FILTERS, SORTABLE, "created_at")
    found, staff = await run_in_threadpool(
        lambda: time_off.search(
            ctx, block_conditions(lr.filters), _sort(lr), lr.per_page, lr.offset
        )
    )
    base = base_url(request)
    items = [render.unavailable_block(t, staff.get(t.staff_id), base) for t in found.items]
    return envelope(request, "unavailable_blocks", items, found.total, lr)


@router.post("/unavailable_blocks", status_code=201)
async def create_block(
    request: Request, response: Response, ctx: Context = Depends(context)
) -> dict[str, Any]:
    fields = Fields(await json_object(request))
    business_id = fields.id("business_id", required=True)
    staff_id = fields.id("practitioner_id", required=True)
    start = fields.instant("starts_at", required=True)
    end = fields.instant("ends_at", required=True)
    notes = fields.text("notes")
    rule = fields.repeat_rule()
    if start is not None and end is not None and end <= start:
        fields.fail("ends_at", "must be after starts_at")
    fields.done()
    assert business_id is not None and staff_id is not None
    await run_in_threadpool(_check_business, ctx, business_id)
    await run_in_threadpool(_check_practitioner, ctx, staff_id)
    if rule is None:
        entry = await run_in_threadpool(time_off.add, ctx, staff_id, start, end, notes)
    else:
        # number_of_repeats counts the blocks after the first, as for appointments.
        made = await run_in_threadpool(
            time_off.add_repeating, ctx, staff_id, start, end, notes, rule
        )
        entry = made[0]
    found, staff = await run_in_threadpool(time_off.get, ctx, entry.id)
    doc = render.unavailable_block(found, staff, base_url(request))
    response.headers["Location"] = doc["links"]["self"]
    return doc


def _check_practitioner(ctx: Context, staff_id: int) -> None:
    try:
        catalog.get(ctx, "staff", staff_id)
    except NotFound:
        raise NotFound("staff", staff_id, "practitioner_id") from None


@router.patch("/unavailable_blocks/{block_id}")
@router.put("/unavailable_blocks/{block_id}")
async def update_block(
    block_id: str, request: Request, ctx: Context = Depends(context)
) -> dict[str, Any]:
    """Change one block in place: the fields sent replace the block's, the rest stay."""
    found, _ = await run_in_threadpool(time_off.get, ctx, _id(block_id))
    fields = Fields(await json_object(request))
    business_id = fields.id("business_id", required=True) if fields.has("business_id") else None
    staff_id = found.staff_id
    if fields.has("practitioner_id"):
        staff_id = fields.id("practitioner_id", required=True) or staff_id
    start = found.start
    if fields.has("starts_at"):
        start = fields.instant("starts_at", required=True) or start
    end = found.end
    if fields.has("ends_at"):
        end = fields.instant("ends_at", required=True) or end
    notes = fields.text("notes") if fields.has("notes") else found.reason
    rule = fields.repeat_rule()
    if end <= start:
        fields.fail("ends_at", "must be after starts_at")
    if rule is not None and render.repeat_rule(rule) != _current_rule(found):
        # The repeats are written whole when the first block is created; a block cannot be
        # given new repeats or have its rule re-planned afterwards.
        fields.fail(
            "repeat_rule",
            "cannot be changed after the block is created; delete the blocks and create "
            "them again with the new rule",
        )
    fields.done()
    if business_id is not None:
        await run_in_threadpool(_check_business, ctx, business_id)
    if staff_id != found.staff_id:
        await run_in_threadpool(_check_practitioner, ctx, staff_id)
    await run_in_threadpool(time_off.update, ctx, found.id, staff_id, start, end, notes)
    after, staff = await run_in_threadpool(time_off.get, ctx, found.id)
    return render.unavailable_block(after, staff, base_url(request))


def _current_rule(t: TimeOff) -> dict[str, Any] | None:
    text = (t.repeat_rule or {}).get("rrule")
    return render.repeat_rule(text if isinstance(text, str) else None)


def _check_business(ctx: Context, business_id: int) -> None:
    try:
        catalog.get(ctx, "locations", business_id)
    except NotFound:
        raise NotFound("location", business_id, "business_id") from None


@router.get("/unavailable_blocks/{block_id}")
async def get_block(
    block_id: str, request: Request, ctx: Context = Depends(context)
) -> dict[str, Any]:
    found, staff = await run_in_threadpool(time_off.get, ctx, _id(block_id))
    return render.unavailable_block(found, staff, base_url(request))


@router.delete("/unavailable_blocks/{block_id}", status_code=204)
@router.post("/unavailable_blocks/{block_id}/archive", status_code=204)
async def remove_block(block_id: str, ctx: Context = Depends(context)) -> Response:
    found, _ = await run_in_threadpool(time_off.get, ctx, _id(block_id))
    await run_in_threadpool(time_off.remove, ctx, found.staff_id, found.id)
    return Response(status_code=204)


@router.get("/unavailable_blocks/{block_id}/conflicts")
async def block_conflicts(block_id: str, ctx: Context = Depends(context)) -> dict[str, Any]:
    exist = await run_in_threadpool(time_off.has_conflicts, ctx, _id(block_id))
    return {"conflicts": {"exist": exist}}


# -- bookings --------------------------------------------------------------------------------

BOOKING_FILTERS = {
    **{k: v for k, v in APPOINTMENT_FILTERS.items() if k != "patient_id"},
    "did_not_arrive": "bool",
    "patient_ids": "array",
}


def _sort_key(doc: dict[str, Any], name: str) -> Any:
    value = doc.get(name)
    if name == "id":
        return int(value or 0)
    return value or ""


@router.get("/bookings")
async def list_bookings(request: Request, ctx: Context = Depends(context)) -> dict[str, Any]:
    """Individual appointments, unavailable blocks and group appointments in one list, merged
    in sort order.

    Each kind is read up to the end of the requested page (sorted and filtered in the store),
    then they are merged: a bounded number of statements for any page.
    """
    lr = parse_list(request, BOOKING_FILTERS, SORTABLE | {"appointment_start"}, "created_at")
    wanted = lr.offset + lr.per_page
    appointment_lr = ListRequest(
        [_as_appointment_filter(f) for f in lr.filters],
        [(name, desc) for name, desc in lr.sort],
        1,
        wanted,
    )
    appointment_filter = to_filter(appointment_lr)
    for f in lr.filters:
        if f.field == "did_not_arrive":
            from appointd.domain.status import Status

            no_show = f.value if f.op == "=" else not f.value
            if no_show:
                appointment_filter.statuses = [Status.NO_SHOW]
            else:
                appointment_filter.exclude_statuses = [
                    *(appointment_filter.exclude_statuses or []),
                    Status.NO_SHOW,
                ]
    appts = await run_in_threadpool(appointment_pages.search, ctx, appointment_filter)
    block_filters = [f for f in lr.filters if f.field not in APPOINTMENT_ONLY]
    blocked = any(
        f.field in APPOINTMENT_ONLY and not (f.field == "did_not_arrive" and _false(f))
        for f in lr.filters
    )
    conditions = block_conditions(block_filters) + ([NOTHING] if blocked else [])
    blocks, staff = await run_in_threadpool(
        lambda: time_off.search(ctx, conditions, _sort(lr), wanted, 0)
    )
    sessions_filter = group_filter(lr, 0, wanted)
    if any(_only_appointments(f) for f in lr.filters):
        sessions_filter.conditions = [*sessions_filter.conditions, NOTHING]
    sessions = await run_in_threadpool(classes.search, ctx, sessions_filter)
    seated = await run_in_threadpool(
        appointment_pages.seated_clients, ctx, [s.id for s in sessions.items]
    )
    base = base_url(request)
    docs = [render.appointment(a, appts, base) for a in appts.items]
    docs += [render.unavailable_block(t, staff.get(t.staff_id), base) for t in blocks.items]
    docs += [render.group_appointment(s, seated[s.id], base) for s in sessions.items]
    for name, desc in reversed(lr.sort):
        key = "starts_at" if name == "appointment_start" else name
        docs.sort(key=lambda d: _sort_key(d, key), reverse=desc)
    items = docs[lr.offset : lr.offset + lr.per_page]
    total = appts.total + blocks.total + sessions.total
    return envelope(request, "bookings", items, total, lr)


def _only_appointments(f: Filter) -> bool:
    """Whether ``f`` can only hold for an individual appointment (not a group appointment)."""
    if f.field == "did_not_arrive":
        return not _false(f)
    return f.field == "cancelled_at" and f.op not in ("!?", "*")


def _false(f: Filter) -> bool:
    return (f.op == "=" and f.value is False) or (f.op == "!=" and f.value is True)


def _as_appointment_filter(f: Filter) -> Filter:
    if f.field == "patient_ids":
        value = f.value if f.value and str(f.value).isdigit() else "0"
        return Filter("patient_id", "=", (int(value),))
    if f.field == "did_not_arrive":
        return Filter("id", "?")  # applied to the statuses by the caller
    return f
