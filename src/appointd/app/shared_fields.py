"""The shared appointment fields in the use cases: checking what a command sets (external id,
metadata, form answers, custom status) and applying a custom status.

Kept apart from :mod:`appointd.app.appointments` so that every way of booking (single, series,
class seats) and changing checks them the same way.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from appointd.app.commands import BookAppointment
from appointd.app.context import Context
from appointd.domain import appointment_fields, forms
from appointd.domain.errors import Invalid, NotFound
from appointd.domain.model import Appointment, CustomStatus
from appointd.domain.status import INITIAL, Status, transition
from appointd.store.uow import UnitOfWork


def check_command(cmd: BookAppointment) -> None:
    """Refuse what can be refused without the database (external id, metadata)."""
    appointment_fields.check_external_id(cmd.external_id)
    appointment_fields.check_metadata(cmd.metadata)
    if not isinstance(cmd.paid, bool):
        raise Invalid.field("paid", "must be true or false")


def check_changes(changes: dict[str, Any]) -> None:
    """Refuse shared fields of a change that are wrong whatever the appointment."""
    if "external_id" in changes:
        appointment_fields.check_external_id(changes["external_id"])
    if "metadata" in changes:
        changes["metadata"] = appointment_fields.check_metadata(changes["metadata"])
    if "paid" in changes and not isinstance(changes["paid"], bool):
        raise Invalid.field("paid", "must be true or false")


def for_booking(uow: UnitOfWork, cmd: BookAppointment, service_id: int) -> BookAppointment:
    """``cmd`` with its form answers checked and normalised and its status set by its custom
    status, if it has one.

    Form answers are checked, required fields included, only when the booking carries a
    ``form`` (even empty): a face that knows no forms books without one. Nothing is read
    when neither is given, so a plain booking costs no statement here.
    """
    form = cmd.form
    if form is not None:
        form = checked_form(uow, form, service_id, required=True)
    status = cmd.status
    if cmd.custom_status_id is not None:
        custom = custom_status(uow, cmd.custom_status_id, "custom_status_id")
        if custom.base_status not in INITIAL:
            raise Invalid.field(
                "custom_status_id",
                f"custom status {custom.id} stands for {custom.base_status.value}; a new "
                "appointment is pending or confirmed",
            )
        status = custom.base_status
    if form is cmd.form and status is cmd.status:
        return cmd
    return dataclasses.replace(cmd, form=form, status=status)


def checked_form(
    uow: UnitOfWork, answers: Any, service_id: int, *, required: bool
) -> list[dict[str, Any]]:
    """``answers`` checked against the account's active form fields for ``service_id``."""
    return forms.check_answers(uow.form_fields.active(), answers, service_id, require=required)


def custom_status(uow: UnitOfWork, custom_status_id: int, field: str) -> CustomStatus:
    found = uow.custom_statuses.get(custom_status_id)
    if found is None:
        raise NotFound("custom status", custom_status_id, field)
    if found.archived_at is not None:
        raise Invalid.field(field, f"custom status {custom_status_id} is archived")
    return found


def set_custom_status(
    uow: UnitOfWork, ctx: Context, appt: Appointment, custom_status_id: int | None
) -> None:
    """Set ``appt``'s custom status (``None`` removes it) and move its status to the custom
    status's base through the status machine. The caller writes ``appt`` and records the
    status move."""
    if custom_status_id is None:
        appt.custom_status_id = None
        return
    custom = custom_status(uow, custom_status_id, "custom_status_id")
    if custom.base_status is not appt.status:
        appt.status = transition(appt.status, custom.base_status)
        if appt.status is Status.CANCELLED:
            appointment_fields.cancelled(appt, ctx.now(), ctx.caller.actor)
    appt.custom_status_id = custom.id
