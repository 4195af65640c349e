"""``/v1/staff/{id}/calendar-feed``: a staff member's secret iCalendar feed URL."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from appointd.app import feeds, links
from appointd.app.context import Context
from appointd.faces.native import schemas as s
from appointd.faces.native.auth import context
from appointd.faces.native.routes.common import errors

router = APIRouter(tags=["staff"])


class CalendarFeedOut(BaseModel):
    staff_id: int
    url: str = Field(description="{public_url}/ical/{token}.ics; subscribe to it in a calendar app")
    token: str = Field(description="the secret in the URL; shown only now, stored as a hash")


def public_base(request: Request, ctx: Context) -> str:
    """``APPOINTD_PUBLIC_URL`` when set, else this server's own address."""
    return links.base(ctx.services.settings, str(request.base_url))


@router.post(
    "/staff/{staff_id}/calendar-feed",
    status_code=201,
    response_model=CalendarFeedOut,
    responses=errors(401, 404, 422),
    summary="Create or rotate a staff member's calendar feed",
)
def create_calendar_feed(
    staff_id: s.PathId, request: Request, ctx: Context = Depends(context)
) -> CalendarFeedOut:
    """A new secret feed URL; any earlier URL of this staff member stops working."""
    token = feeds.create_feed(ctx, staff_id)
    return CalendarFeedOut(
        staff_id=staff_id, url=f"{public_base(request, ctx)}/ical/{token}.ics", token=token
    )


@router.delete(
    "/staff/{staff_id}/calendar-feed",
    status_code=204,
    responses=errors(401, 404),
    summary="Revoke a staff member's calendar feed",
)
def delete_calendar_feed(staff_id: s.PathId, ctx: Context = Depends(context)) -> Response:
    feeds.remove_feed(ctx, staff_id)
    return Response(status_code=204)
