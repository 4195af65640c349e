"""Use cases of what an account defines for its appointments: custom statuses and form fields.

Both are archived, never deleted (appointments keep referring to them). A custom status's
``base_status`` is fixed once created: appointments carrying it have that status, and changing
it would silently contradict them; a new custom status is created instead.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from appointd.app.context import Context
from appointd.domain import forms
from appointd.domain.errors import FieldError, Invalid, NotFound
from appointd.domain.model import CustomStatus, FieldType, FormField
from appointd.domain.status import Status
from appointd.store.repositories.base import Page

NAME_MAX = 200

# -- custom statuses ---------------------------------------------------------------------------


def create_custom_status(ctx: Context, name: str, base_status: Status | str) -> CustomStatus:
    """A new custom status; ``base_status`` is one of the core statuses."""
    status = _status(base_status)
    now = ctx.now()
    custom = CustomStatus(
        id=0,
        account_id=ctx.account_id,
        name=_name(name, "name"),
        base_status=status,
        created_at=now,
        updated_at=now,
    )
    with ctx.uow() as uow:
        uow.custom_statuses.add(custom)
        uow.commit()
    return custom


def get_custom_status(ctx: Context, custom_status_id: int) -> CustomStatus:
    with ctx.uow(write=False) as uow:
        found = uow.custom_statuses.get(custom_status_id)
    if found is None:
        raise NotFound("custom status", custom_status_id)
    return found


def list_custom_statuses(
    ctx: Context, *, include_archived: bool = False, limit: int = 50, offset: int = 0
) -> Page[CustomStatus]:
    with ctx.uow(write=False) as uow:
        return uow.custom_statuses.page(
            include_archived=include_archived, limit=limit, offset=offset
        )


def update_custom_status(
    ctx: Context, custom_status_id: int, changes: Mapping[str, Any]
) -> CustomStatus:
    """Rename; ``base_status`` cannot change (422 naming it unless it is the same)."""
    with ctx.uow() as uow:
        current = uow.custom_statuses.for_update(custom_status_id)
        if current is None:
            raise NotFound("custom status", custom_status_id)
        if "base_status" in changes and _status(changes["base_status"]) is not current.base_status:
            raise Invalid.field(
                "base_status",
                "cannot change: appointments carry this status; create a new custom status",
            )
        unknown = sorted(set(changes) - {"name", "base_status"})
        if unknown:
            raise Invalid.field(unknown[0], "cannot be changed")
        if "name" in changes:
            current.name = _name(changes["name"], "name")
        current.updated_at = ctx.now()
        uow.custom_statuses.update(current)
        uow.commit()
    return current


def archive_custom_status(ctx: Context, custom_status_id: int) -> None:
    """Archive: no new appointment may be given it; those that have it keep it. Harmless when
    repeated."""
    with ctx.uow() as uow:
        current = uow.custom_statuses.for_update(custom_status_id)
        if current is None:
            raise NotFound("custom status", custom_status_id)
        if current.archived_at is None:
            uow.custom_statuses.archive(custom_status_id, ctx.now())
        uow.commit()


# -- form fields -----------------------------------------------------------------------------

_FIELD_PROPERTIES = frozenset(
    {"label", "type", "required", "options", "service_ids", "value_format", "position"}
)


def create_form_field(ctx: Context, fields: Mapping[str, Any]) -> FormField:
    """A new form field from ``fields`` (``label`` and ``type`` required; see
    :class:`FormField`); refused with every problem named."""
    if "label" not in fields or fields.get("label") is None:
        raise Invalid.field("label", "required")
    now = ctx.now()
    draft = FormField(id=0, account_id=ctx.account_id, label="", created_at=now, updated_at=now)
    field = _applied(draft, fields)
    with ctx.uow() as uow:
        _check_services(uow, field)
        uow.form_fields.add(field)
        uow.commit()
    return field


def get_form_field(ctx: Context, form_field_id: int) -> FormField:
    with ctx.uow(write=False) as uow:
        found = uow.form_fields.get(form_field_id)
    if found is None:
        raise NotFound("form field", form_field_id)
    return found


def list_form_fields(
    ctx: Context,
    *,
    include_archived: bool = False,
    service_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[FormField]:
    """Fields in display order (position, id); with ``service_id`` only those asked for it."""
    with ctx.uow(write=False) as uow:
        t = uow.form_fields.table
        page = uow.form_fields.page(
            include_archived=include_archived,
            limit=10_000 if service_id is not None else limit,
            offset=0 if service_id is not None else offset,
            order_by=(t.c.position, t.c.id),
        )
    if service_id is None:
        return page
    wanted = [f for f in page.items if f.applies_to(service_id)]
    return Page(wanted[offset : offset + limit], len(wanted))


def update_form_field(ctx: Context, form_field_id: int, changes: Mapping[str, Any]) -> FormField:
    """Change any property; answers already given are kept as they were."""
    with ctx.uow() as uow:
        current = uow.form_fields.for_update(form_field_id)
        if current is None:
            raise NotFound("form field", form_field_id)
        updated = _applied(current, changes)
        updated.updated_at = ctx.now()
        _check_services(uow, updated)
        uow.form_fields.update(updated)
        uow.commit()
    return updated


def archive_form_field(ctx: Context, form_field_id: int) -> None:
    """Archive: no longer asked nor accepted in new answers; given answers stay. Harmless
    when repeated."""
    with ctx.uow() as uow:
        current = uow.form_fields.for_update(form_field_id)
        if current is None:
            raise NotFound("form field", form_field_id)
        if current.archived_at is None:
            uow.form_fields.archive(form_field_id, ctx.now())
        uow.commit()


# -- shared ----------------------------------------------------------------------------------


def _applied(current: FormField, changes: Mapping[str, Any]) -> FormField:
    unknown = sorted(set(changes) - _FIELD_PROPERTIES)
    if unknown:
        raise Invalid.field(unknown[0], "unknown property")
    values = dict(changes)
    problems: list[FieldError] = []
    if "label" in values:
        values["label"] = _name(values["label"], "label")
    if "type" in values:
        try:
            values["type"] = FieldType(values["type"])
        except ValueError:
            problems.append(FieldError("type", "one of " + ", ".join(t.value for t in FieldType)))
            del values["type"]
    for name in ("required",):
        if name in values and not isinstance(values[name], bool):
            problems.append(FieldError(name, "must be true or false"))
    if "position" in values and (
        isinstance(values["position"], bool) or not isinstance(values["position"], int)
    ):
        problems.append(FieldError("position", "must be an integer"))
    for name in ("options", "service_ids"):
        if name in values:
            if values[name] is None:
                values[name] = []
            if not isinstance(values[name], list):
                problems.append(FieldError(name, "must be a list"))
    if problems:
        raise Invalid(problems)
    updated = dataclasses.replace(current, **values)
    updated.service_ids = sorted(set(updated.service_ids))
    forms.check_definition(updated)
    return updated


def _check_services(uow: Any, field: FormField) -> None:
    found = uow.services.existing_ids(field.service_ids)
    for sid in field.service_ids:
        if sid not in found:
            raise NotFound("service", sid, "service_ids")


def _status(value: Status | str) -> Status:
    try:
        return Status(value)
    except ValueError:
        raise Invalid.field("base_status", "one of " + ", ".join(s.value for s in Status)) from None


def _name(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid.field(field, "must be non-empty text")
    if len(value) > NAME_MAX:
        raise Invalid.field(field, f"at most {NAME_MAX} characters")
    return value
