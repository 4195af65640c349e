"""Use cases of appointment intents: create, read, list, change, deactivate, and book one.

Booking with an intent happens inside :func:`appointd.app.appointments.place`: it calls
:func:`check_booking` before writing the appointment (which row-locks the intent, so two
concurrent bookings cannot both use it) and :func:`mark_booked` after, in the same transaction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date
from typing import Any

from appointd.app.context import Context
from appointd.app.references import active
from appointd.domain import intents as rules
from appointd.domain.errors import Invalid, NotFound
from appointd.domain.intents import Intent
from appointd.domain.model import Appointment
from appointd.store.repositories.base import Page
from appointd.store.repositories.intents import Usability
from appointd.store.uow import UnitOfWork

# The fields a PATCH may change; the rest are set on creation or by booking.
CHANGEABLE = frozenset({"description", "start_date", "end_date", "expiration_date", "active"})
NOT_NULL = frozenset({"start_date", "end_date", "active"})


def create(
    ctx: Context,
    *,
    client_id: int,
    external_reference: str,
    start_date: date,
    end_date: date,
    description: str | None = None,
    expiration_date: date | None = None,
) -> Intent:
    """Store a new, active, unbooked intent of ``client_id``; stamps the caller as creator."""
    now = ctx.now()
    intent = Intent(
        id=0,
        account_id=ctx.account_id,
        client_id=client_id,
        external_reference=external_reference,
        start_date=start_date,
        end_date=end_date,
        description=description,
        expiration_date=expiration_date,
        created_by=ctx.caller.actor,
        modified_by=ctx.caller.actor,
        created_at=now,
        updated_at=now,
    )
    rules.check(intent)
    with ctx.uow() as uow:
        _check_client(uow, client_id)
        uow.intents.add(intent)
        uow.commit()
    return intent


def get(ctx: Context, intent_id: int) -> Intent:
    with ctx.uow(write=False) as uow:
        intent = uow.intents.get(intent_id)
    if intent is None:
        raise NotFound("intent", intent_id)
    return intent


def search(
    ctx: Context, *, client_id: int | None, usability: Usability, limit: int, offset: int
) -> Page[Intent]:
    """Intents, oldest first; ``usability`` picks usable (active, unexpired), unusable or all."""
    with ctx.uow(write=False) as uow:
        return uow.intents.search(
            client_id=client_id,
            usability=usability,
            today=ctx.now().date(),
            limit=limit,
            offset=offset,
        )


def update(ctx: Context, intent_id: int, changes: Mapping[str, Any]) -> Intent:
    """Apply ``changes`` (only the fields sent) and check the whole intent again."""
    unknown = sorted(set(changes) - CHANGEABLE)
    if unknown:
        raise Invalid.field(unknown[0], "cannot be changed")
    for name in sorted(NOT_NULL & changes.keys()):
        if changes[name] is None:
            raise Invalid.field(name, "may not be null")
    with ctx.uow() as uow:
        current = uow.intents.for_update(intent_id)
        if current is None:
            raise NotFound("intent", intent_id)
        intent = dataclasses.replace(
            current, **changes, modified_by=ctx.caller.actor, updated_at=ctx.now()
        )
        rules.check(intent)
        uow.intents.update(intent)
        uow.commit()
    return intent


def deactivate(ctx: Context, intent_id: int) -> None:
    """``active = false``: the intent leaves the default list and can no longer be booked."""
    update(ctx, intent_id, {"active": False})


def _check_client(uow: UnitOfWork, client_id: int) -> None:
    active(uow.clients, "client", client_id, "client_id")


# -- the booking hook ------------------------------------------------------------------------


def check_booking(
    uow: UnitOfWork,
    ctx: Context,
    intent_id: int | None,
    client_id: int | None,
    local_date: date,
) -> Intent | None:
    """The intent a booking names, locked and checked; ``None`` when it names none.

    ``local_date`` is the appointment's start date at its location. Refusals name
    ``intent_id`` (see :mod:`appointd.domain.intents`).
    """
    if intent_id is None:
        return None
    intent = uow.intents.for_update(intent_id)
    if intent is None:
        raise NotFound("intent", intent_id, "intent_id")
    rules.check_booking(intent, client_id, local_date, ctx.now().date())
    return intent


def mark_booked(uow: UnitOfWork, ctx: Context, intent: Intent | None, appt: Appointment) -> None:
    """Record that ``appt`` used ``intent`` (nothing when ``intent`` is ``None``)."""
    if intent is None:
        return
    rules.mark_booked(intent, appt.id, ctx.caller.actor, ctx.now())
    uow.intents.update(intent)
