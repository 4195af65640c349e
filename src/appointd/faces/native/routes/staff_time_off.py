"""``/v1/staff/{id}/time-off``: a staff member's personal busy time."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from appointd.app import time_off
from appointd.app.context import Context
from appointd.faces.native import schemas as s
from appointd.faces.native.auth import context
from appointd.faces.native.routes.common import errors

router = APIRouter(tags=["staff"])


@router.post(
    "/staff/{staff_id}/time-off",
    status_code=201,
    response_model=s.TimeOffOut,
    responses=errors(401, 404, 409, 422),
    summary="Add time off",
)
def add_time_off(
    staff_id: s.PathId, payload: s.TimeOffIn, ctx: Context = Depends(context)
) -> s.TimeOffOut:
    """Refused with 409 when it covers holding appointments, unless ``override`` is true."""
    entry = time_off.add(
        ctx, staff_id, payload.start, payload.end, payload.reason, payload.override
    )
    return s.TimeOffOut.model_validate(entry)


@router.get(
    "/staff/{staff_id}/time-off",
    response_model=list[s.TimeOffOut],
    responses=errors(401, 404),
    summary="List time off",
)
def list_time_off(staff_id: s.PathId, ctx: Context = Depends(context)) -> list[s.TimeOffOut]:
    return [s.TimeOffOut.model_validate(t) for t in time_off.list_for(ctx, staff_id)]


@router.delete(
    "/staff/{staff_id}/time-off/{time_off_id}",
    status_code=204,
    responses=errors(401, 404),
    summary="Remove time off",
)
def remove_time_off(
    staff_id: s.PathId, time_off_id: s.PathId, ctx: Context = Depends(context)
) -> Response:
    time_off.remove(ctx, staff_id, time_off_id)
    return Response(status_code=204)
