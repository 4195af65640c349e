"""``/v1/series/{id}``: a recurring series and its occurrences; the series document's schema.

A series is booked with ``POST /v1/appointments`` and a ``recurrence``; that answers with the
same document as ``GET /v1/series/{id}``. Occurrence indexes count from 0 in rule order and stay
fixed when occurrences are skipped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from appointd.app import series
from appointd.app.context import Context
from appointd.domain.occurrences import Refusal
from appointd.domain.recurrence import local_iso
from appointd.faces.native import render
from appointd.faces.native import schemas as s
from appointd.faces.native.auth import context
from appointd.faces.native.errors import _conflict as conflict_document
from appointd.faces.native.routes.common import errors

router = APIRouter(tags=["series"])


class SkippedOut(s.Out):
    """An occurrence that was not booked, and why."""

    occurrence: int = Field(description="index in the rule's expansion, from 0")
    local_start: str = Field(description="wall time at the location", examples=["2030-03-11T09:00"])
    start: datetime | None = Field(description="UTC instant; null when in a DST gap")
    reason: str = Field(description="dst_gap, outside_working_hours or conflict")
    message: str
    conflicts: list[dict[str, Any]] = Field(description="what it overlaps (reason conflict)")


class SeriesOut(s.Out):
    """A recurring series: its rule, the occurrences booked and those skipped."""

    id: int
    rrule: str
    time_zone: str = Field(description="the location's zone the rule is expanded in")
    local_start: str = Field(description="wall time of the first occurrence")
    occurrences: list[s.AppointmentOut]
    skipped: list[SkippedOut]


def skipped(r: Refusal) -> SkippedOut:
    return SkippedOut(
        occurrence=r.index,
        local_start=local_iso(r.local_start),
        start=r.start,
        reason=r.reason,
        message=r.message,
        conflicts=[conflict_document(c) for c in r.conflicts],
    )


def series_document(view: series.SeriesView, ctx: Context) -> SeriesOut:
    return SeriesOut(
        id=view.series.id,
        rrule=view.series.rrule,
        time_zone=view.series.time_zone,
        local_start=view.series.local_start,
        occurrences=[render.appointment(a, ctx) for a in view.occurrences],
        skipped=[skipped(r) for r in view.skipped],
    )


@router.get(
    "/series/{id}",
    response_model=SeriesOut,
    responses=errors(401, 404),
    summary="Get a recurring series with its occurrences",
)
def get_series(
    id: s.PathId,
    include_archived: bool = Query(False, description="also list archived occurrences"),
    ctx: Context = Depends(context),
) -> SeriesOut:
    """Occurrences in rule order, cancelled ones included; ``skipped`` lists the occurrences
    left out when the series was booked with ``on_conflict=skip``."""
    return series_document(series.get(ctx, id, include_archived=include_archived), ctx)
