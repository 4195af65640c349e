"""``/companies/{companyId}/appointments/watch``: create, list, get, update, delete watches,
and the dispatcher's subscription kind :data:`~appointd.faces.agendize.watch.KIND` that
delivers them.

A watch is a subscription of that kind (``appointd.app.subscriptions``); its company and its
Agendize options are the subscription's ``config``. After a change of an appointment of the
company, through any face, the dispatcher calls :func:`deliver`, which renders the Appointment
resource (``levelDetails`` full; ``extraFull`` expands its company, service, staff, resource and
client to whole objects) with ``date`` and ``event``, and the request options of the watch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Body, Depends, Response

from appointd.app import subscriptions
from appointd.app.context import Context
from appointd.domain.errors import FieldError, Invalid, NotFound
from appointd.domain.events import EventType
from appointd.faces.agendize import render, views
from appointd.faces.agendize.appointments import BASE, company_of
from appointd.faces.agendize.auth import context
from appointd.faces.agendize.errors import AgendizeRoute, reply
from appointd.faces.agendize.oauth2 import TOKENS
from appointd.faces.agendize.parsers import path_id
from appointd.faces.agendize.watch import (
    KIND,
    WatchSpec,
    event_of,
    parse_watch,
    render_watch,
    request_body,
    request_headers,
    signed,
)
from appointd.settings import get_settings
from appointd.store.uow import UnitOfWork
from appointd.worker.subscriptions import (
    KindDelivery,
    OutgoingRequest,
    Subscription,
    register_kind,
)

router = APIRouter(route_class=AgendizeRoute, include_in_schema=False)
WATCH = BASE + "/watch"
EVENTS = sorted(
    e.value
    for e in EventType
    if e.value.startswith("appointment.") and event_of(e.value, {}) is not None
)
COMPANY = "companyId"  # the config key of the watch's company


def _spec(sub: Any) -> WatchSpec:
    config = {k: v for k, v in sub.config.items() if k != COMPANY}
    return WatchSpec(sub.url, sub.enabled, config)


def _watch(ctx: Context, raw: str, company_id: int) -> Any:
    sub = subscriptions.get(ctx, path_id(raw, "watch"), kind=KIND)
    if sub.config.get(COMPANY) != company_id:
        raise NotFound("watch", raw)
    return sub


def _address(ctx: Context, spec: WatchSpec) -> None:
    try:
        subscriptions.check_target(ctx, spec.address, field="address")
    except Invalid as exc:
        raise Invalid([FieldError("address", e.message) for e in exc.errors]) from None


@router.post(WATCH, summary="Create a watch")
def create_watch(
    company_id: str, body: Any = Body(None), ctx: Context = Depends(context)
) -> Response:
    company = company_of(ctx, company_id)
    spec = parse_watch(body)
    _address(ctx, spec)
    created = subscriptions.create(
        ctx,
        url=spec.address,
        events=EVENTS,
        kind=KIND,
        description=spec.config.get("name") or None,
        enabled=spec.enabled,
        config={**spec.config, COMPANY: company.id},
        signed=signed(spec.config),
    )
    return reply(render_watch(created.subscription.id, company.id, spec, created.secret))


@router.get(WATCH, summary="List watches")
def list_watches(company_id: str, ctx: Context = Depends(context)) -> Response:
    company = company_of(ctx, company_id)
    found = [s for s in subscriptions.list_(ctx, kind=KIND) if s.config.get(COMPANY) == company.id]
    return reply({"items": [render_watch(s.id, company.id, _spec(s)) for s in found]})


@router.get(WATCH + "/{watch_id}", summary="Get a watch")
def get_watch(company_id: str, watch_id: str, ctx: Context = Depends(context)) -> Response:
    company = company_of(ctx, company_id)
    sub = _watch(ctx, watch_id, company.id)
    return reply(render_watch(sub.id, company.id, _spec(sub)))


@router.put(WATCH + "/{watch_id}", summary="Update a watch")
def update_watch(
    company_id: str, watch_id: str, body: Any = Body(None), ctx: Context = Depends(context)
) -> Response:
    company = company_of(ctx, company_id)
    current = _watch(ctx, watch_id, company.id)
    spec = parse_watch(body, _spec(current))
    _address(ctx, spec)
    rotate = signed(spec.config) and current.secret is None
    changed = subscriptions.change(
        ctx,
        current.id,
        {
            "url": spec.address,
            "enabled": spec.enabled,
            "description": spec.config.get("name") or None,
            "config": {**spec.config, COMPANY: company.id},
        },
        kind=KIND,
        rotate_secret=rotate,
    )
    return reply(render_watch(current.id, company.id, spec, changed.secret))


@router.delete(WATCH + "/{watch_id}", summary="Delete a watch")
def delete_watch(company_id: str, watch_id: str, ctx: Context = Depends(context)) -> Response:
    company = company_of(ctx, company_id)
    subscriptions.delete(ctx, _watch(ctx, watch_id, company.id).id, kind=KIND)
    return Response(status_code=200)


# -- delivery (called by the dispatcher) ------------------------------------------------------


def load(uow: UnitOfWork, appointment_ids: Sequence[int]) -> Mapping[int, Any]:
    """The views of a batch of deliveries' appointments, in bounded statements."""
    appts = list(uow.appointments.get_many(appointment_ids).values())
    return {v.appointment.id: v for v in views.load_views(uow, appts, with_history=True)}


def deliver(d: KindDelivery) -> OutgoingRequest | None:
    """The request one delivery of a watch sends; ``None`` when the event is not the watch's
    (another company's appointment, an event Agendize has no name for)."""
    config = d.subscription.config
    view = d.view
    event = event_of(d.event.type, d.event.payload)
    if event is None or not isinstance(view, views.View):
        return None
    if view.appointment.location_id != config.get(COMPANY):
        return None
    tz = view.location.time_zone if view.location else "UTC"
    # rescheduleLink: the manage page while the appointment has not ended (by the time this
    # attempt is made); the base is the process's APPOINTD_PUBLIC_URL, as in the face's GET.
    now = max(d.event.created_at, datetime.now(UTC))
    resource = render.appointment(view, level="full", lang="en", now=now, settings=get_settings())
    if config.get("levelDetails") == "extraFull":
        resource = render.extra_full(view, resource)
    # No OAuth2 token here: the dispatcher asks authorize() for it when it sends.
    headers = request_headers(config, event)
    body = request_body(config, resource, event, d.event.created_at, tz)
    method = str(config.get("method", "POST"))
    return OutgoingRequest(method, d.subscription.url, headers, body, sign=signed(config))


def authorize(sub: Subscription, refresh: bool) -> Mapping[str, str]:
    """The ``Authorization: Bearer`` of a watch with ``oauth2Auth`` (nothing otherwise): its
    access token, cached per watch until shortly before it expires, fetched anew when
    ``refresh`` (the receiver answered 401). Runs in the dispatcher's sending thread."""
    oauth = sub.config.get("oauth2Auth")
    if not isinstance(oauth, Mapping):
        return {}
    return {"Authorization": f"Bearer {TOKENS.token(oauth, watch_id=sub.id, refresh=refresh)}"}


register_kind(KIND, deliver, load=load, authorize=authorize)
