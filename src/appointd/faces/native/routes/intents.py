"""``/v1/appointment-intents``: promises that a client may book once, within a window of dates.

An intent is used by booking with ``intent_id`` (``POST /v1/appointments``). Expired intents
(``expiration_date`` before today, UTC) and deactivated ones are left out of the list unless
``active=false`` (only those) or ``active=all`` (everything) is asked for.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import Field, StrictBool, StrictStr

from appointd.app import intents
from appointd.app.context import Context
from appointd.domain.errors import Invalid
from appointd.domain.intents import Intent
from appointd.faces.native.auth import context
from appointd.faces.native.dates import IsoDate
from appointd.faces.native.routes.common import Paging, errors, paging
from appointd.faces.native.schemas import Id, In, ListOf, Out, PathId, QueryId
from appointd.store.repositories.intents import Usability

router = APIRouter(tags=["appointment intents"])


class IntentIn(In):
    client_id: Id
    description: StrictStr | None = None
    external_reference: StrictStr = Field(description="the caller's own reference; required")
    start_date: IsoDate = Field(description="first local date the appointment may be on")
    end_date: IsoDate = Field(description="last local date (inclusive); not before start_date")
    expiration_date: IsoDate | None = Field(
        default=None, description="after this date the intent can no longer be booked"
    )


class IntentPatch(In):
    not_null = intents.NOT_NULL

    description: StrictStr | None = None
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None
    expiration_date: IsoDate | None = None
    active: StrictBool | None = None


class IntentOut(Out):
    id: int
    client_id: int
    description: str | None
    external_reference: str
    start_date: IsoDate
    end_date: IsoDate
    expiration_date: IsoDate | None
    active: bool
    booked: bool
    appointment_id: int | None
    created_by: str | None
    modified_by: str | None
    created_at: datetime
    updated_at: datetime


def _out(intent: Intent) -> IntentOut:
    return IntentOut.model_validate(intent)


@router.post(
    "/appointment-intents",
    status_code=201,
    response_model=IntentOut,
    responses=errors(401, 404, 422),
    summary="Create an appointment intent",
)
def create_intent(payload: IntentIn, ctx: Context = Depends(context)) -> IntentOut:
    return _out(intents.create(ctx, **payload.model_dump()))


_ACTIVE: dict[str, Usability] = {"true": "usable", "false": "unusable", "all": "all"}


@router.get(
    "/appointment-intents",
    response_model=ListOf[IntentOut],
    responses=errors(401, 422),
    summary="List appointment intents",
)
def list_intents(
    client_id: QueryId | None = Query(None),
    active: str = Query(
        "true",
        pattern="^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|[Aa][Ll][Ll])$",
        description="true: active and unexpired; false: inactive or expired; all",
    ),
    page: Paging = Depends(paging),
    ctx: Context = Depends(context),
) -> Any:
    usability = _ACTIVE.get(active.lower())
    if usability is None:
        raise Invalid.field("active", "one of true, false, all")
    found = intents.search(
        ctx, client_id=client_id, usability=usability, limit=page.limit, offset=page.offset
    )
    return {
        "items": [_out(i) for i in found.items],
        "total": found.total,
        "limit": page.limit,
        "offset": page.offset,
    }


@router.get(
    "/appointment-intents/{id}",
    response_model=IntentOut,
    responses=errors(401, 404),
    summary="Get an appointment intent",
)
def get_intent(id: PathId, ctx: Context = Depends(context)) -> IntentOut:
    return _out(intents.get(ctx, id))


@router.patch(
    "/appointment-intents/{id}",
    response_model=IntentOut,
    responses=errors(401, 404, 422),
    summary="Change an appointment intent",
)
def update_intent(id: PathId, payload: IntentPatch, ctx: Context = Depends(context)) -> IntentOut:
    """Only the fields sent change; the whole intent is checked again (end_date >= start_date)."""
    return _out(intents.update(ctx, id, payload.model_dump(exclude_unset=True)))


@router.delete(
    "/appointment-intents/{id}",
    status_code=204,
    responses=errors(401, 404),
    summary="Deactivate an appointment intent",
)
def deactivate_intent(id: PathId, ctx: Context = Depends(context)) -> Response:
    intents.deactivate(ctx, id)
    return Response(status_code=204)
