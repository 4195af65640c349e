"""``/v1/custom-statuses`` and ``/v1/form-fields``: what an account defines for its appointments.

Both have POST, list, get, PATCH and DELETE (= archive: appointments keep what they refer to).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import Field, StrictBool, StrictInt, StrictStr

from appointd.app import account_definitions as defs
from appointd.app.context import Context
from appointd.domain.model import CustomStatus, FieldType, FormField
from appointd.faces.native import schemas as s
from appointd.faces.native.auth import context
from appointd.faces.native.routes.common import Paging, errors, paging

router = APIRouter()

BaseStatus = Literal[
    "pending", "confirmed", "checked_in", "in_progress", "completed", "no_show", "cancelled",
    "declined",
]  # fmt: skip
FieldKind = Literal[
    "text", "textarea", "number", "email", "phone", "url", "date", "select", "multiselect",
    "checkbox", "radio",
]  # fmt: skip
assert set(FieldKind.__args__) == {t.value for t in FieldType}  # type: ignore[attr-defined]


class CustomStatusIn(s.In):
    name: StrictStr = Field(max_length=200)
    base_status: BaseStatus = Field(description="the core status an appointment with it has")


class CustomStatusPatch(s.In):
    not_null = frozenset({"name", "base_status"})

    name: StrictStr | None = Field(default=None, max_length=200)
    base_status: BaseStatus | None = Field(default=None, description="cannot change once set")


class CustomStatusOut(s.Out):
    id: int
    name: str
    base_status: str
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime


class FormFieldIn(s.In):
    label: StrictStr = Field(max_length=200)
    type: FieldKind = "text"
    required: StrictBool = False
    options: list[StrictStr] = Field(
        default_factory=list, description="select, multiselect, radio (and checkbox groups)"
    )
    service_ids: list[s.Id] = Field(default_factory=list, description="empty: every service")
    value_format: StrictStr | None = Field(
        default=None, max_length=500, description="a regular expression every value must match"
    )
    position: StrictInt = Field(default=0, ge=-1_000_000, le=1_000_000)


class FormFieldPatch(s.In):
    not_null = frozenset({"label", "type", "required", "options", "service_ids", "position"})

    label: StrictStr | None = Field(default=None, max_length=200)
    type: FieldKind | None = None
    required: StrictBool | None = None
    options: list[StrictStr] | None = None
    service_ids: list[s.Id] | None = None
    value_format: StrictStr | None = Field(default=None, max_length=500)
    position: StrictInt | None = Field(default=None, ge=-1_000_000, le=1_000_000)


class FormFieldOut(s.Out):
    id: int
    label: str
    type: str
    required: bool
    options: list[str]
    service_ids: list[int]
    value_format: str | None
    position: int
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime


def _status_out(e: CustomStatus) -> CustomStatusOut:
    return CustomStatusOut(
        id=e.id,
        name=e.name,
        base_status=e.base_status.value,
        archived_at=e.archived_at,
        created_at=e.created_at,
        updated_at=e.updated_at,
    )


def _field_out(e: FormField) -> FormFieldOut:
    return FormFieldOut(
        id=e.id,
        label=e.label,
        type=e.type.value,
        required=e.required,
        options=e.options,
        service_ids=e.service_ids,
        value_format=e.value_format,
        position=e.position,
        archived_at=e.archived_at,
        created_at=e.created_at,
        updated_at=e.updated_at,
    )


def _nulls(changes: dict[str, Any], *names: str) -> None:
    from appointd.domain.errors import Invalid

    for name in names:
        if name in changes and changes[name] is None:
            raise Invalid.field(name, "may not be null")


# -- custom statuses ---------------------------------------------------------------------------

STATUSES = "/custom-statuses"


@router.post(
    STATUSES,
    status_code=201,
    response_model=CustomStatusOut,
    tags=["custom statuses"],
    responses=errors(401, 422),
    summary="Create a custom status",
)
def create_custom_status(payload: CustomStatusIn, ctx: Context = Depends(context)) -> Any:
    """An account-defined name on a base status (TimeTap's custom subStatus, Agendize's
    ``customStatus``). Give it to an appointment with ``custom_status_id``."""
    return _status_out(defs.create_custom_status(ctx, payload.name, payload.base_status))


@router.get(
    STATUSES,
    response_model=s.ListOf[CustomStatusOut],
    tags=["custom statuses"],
    responses=errors(401, 422),
    summary="List custom statuses",
)
def list_custom_statuses(
    include_archived: bool = Query(False),
    page: Paging = Depends(paging),
    ctx: Context = Depends(context),
) -> Any:
    found = defs.list_custom_statuses(
        ctx, include_archived=include_archived, limit=page.limit, offset=page.offset
    )
    return {
        "items": [_status_out(e) for e in found.items],
        "total": found.total,
        "limit": page.limit,
        "offset": page.offset,
    }


@router.get(
    STATUSES + "/{id}",
    response_model=CustomStatusOut,
    tags=["custom statuses"],
    responses=errors(401, 404),
    summary="Get a custom status",
)
def get_custom_status(id: s.PathId, ctx: Context = Depends(context)) -> Any:
    return _status_out(defs.get_custom_status(ctx, id))


@router.patch(
    STATUSES + "/{id}",
    response_model=CustomStatusOut,
    tags=["custom statuses"],
    responses=errors(401, 404, 422),
    summary="Rename a custom status",
)
def update_custom_status(
    id: s.PathId, payload: CustomStatusPatch, ctx: Context = Depends(context)
) -> Any:
    """``base_status`` cannot change (422 unless the same): appointments carry it."""
    changes = payload.model_dump(exclude_unset=True)
    _nulls(changes, "name", "base_status")
    return _status_out(defs.update_custom_status(ctx, id, changes))


@router.delete(
    STATUSES + "/{id}",
    status_code=204,
    tags=["custom statuses"],
    responses=errors(401, 404),
    summary="Archive a custom status",
)
def archive_custom_status(id: s.PathId, ctx: Context = Depends(context)) -> Response:
    """Appointments that have it keep it; it can no longer be given."""
    defs.archive_custom_status(ctx, id)
    return Response(status_code=204)


# -- form fields -----------------------------------------------------------------------------

FIELDS = "/form-fields"


@router.post(
    FIELDS,
    status_code=201,
    response_model=FormFieldOut,
    tags=["form fields"],
    responses=errors(401, 404, 422),
    summary="Create a form field",
)
def create_form_field(payload: FormFieldIn, ctx: Context = Depends(context)) -> Any:
    """A question asked when booking ``service_ids`` (empty: every service). Answers go in an
    appointment's ``form``: ``{"field_id", "value"}``, or ``{"field_id", "values"}`` for
    multiselect and checkbox."""
    return _field_out(defs.create_form_field(ctx, payload.model_dump()))


@router.get(
    FIELDS,
    response_model=s.ListOf[FormFieldOut],
    tags=["form fields"],
    responses=errors(401, 422),
    summary="List form fields (by position)",
)
def list_form_fields(
    include_archived: bool = Query(False),
    service_id: s.QueryId | None = Query(None, description="only the fields asked for it"),
    page: Paging = Depends(paging),
    ctx: Context = Depends(context),
) -> Any:
    found = defs.list_form_fields(
        ctx,
        include_archived=include_archived,
        service_id=service_id,
        limit=page.limit,
        offset=page.offset,
    )
    return {
        "items": [_field_out(e) for e in found.items],
        "total": found.total,
        "limit": page.limit,
        "offset": page.offset,
    }


@router.get(
    FIELDS + "/{id}",
    response_model=FormFieldOut,
    tags=["form fields"],
    responses=errors(401, 404),
    summary="Get a form field",
)
def get_form_field(id: s.PathId, ctx: Context = Depends(context)) -> Any:
    return _field_out(defs.get_form_field(ctx, id))


@router.patch(
    FIELDS + "/{id}",
    response_model=FormFieldOut,
    tags=["form fields"],
    responses=errors(401, 404, 422),
    summary="Change a form field",
)
def update_form_field(
    id: s.PathId, payload: FormFieldPatch, ctx: Context = Depends(context)
) -> Any:
    """Answers already given are kept as they were."""
    changes = payload.model_dump(exclude_unset=True)
    _nulls(changes, "label", "type", "required", "options", "service_ids", "position")
    return _field_out(defs.update_form_field(ctx, id, changes))


@router.delete(
    FIELDS + "/{id}",
    status_code=204,
    tags=["form fields"],
    responses=errors(401, 404),
    summary="Archive a form field",
)
def archive_form_field(id: s.PathId, ctx: Context = Depends(context)) -> Response:
    """No longer asked nor accepted in new answers; answers already given stay."""
    defs.archive_form_field(ctx, id)
    return Response(status_code=204)
