"""Companies, services, staff, resources and clients, as Agendize shows them.

A company is an appointd location. Services are the account's (appointd services belong to
no location); staff are those who work at the company (or everywhere); resources those of the
company or of none. Clients are the account's clients, the same as ``/v1/clients``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Response

from appointd.app import catalog
from appointd.app.account_definitions import list_custom_statuses
from appointd.app.context import Context
from appointd.domain.errors import FieldError, Invalid, NotFound
from appointd.domain.model import Client, Location, Resource, Service, Staff
from appointd.faces.agendize import render
from appointd.faces.agendize.auth import context
from appointd.faces.agendize.errors import AgendizeRoute, reply
from appointd.faces.agendize.parsers import path_id
from appointd.faces.agendize.render import STATUS_OUT
from appointd.faces.shared.parsing import check_storable

router = APIRouter(route_class=AgendizeRoute, include_in_schema=False)
ALL = 100_000  # catalog lists are small; Agendize lists have no paging


def _all(ctx: Context, kind: str) -> list[Any]:
    return catalog.list_page(ctx, kind, include_archived=False, limit=ALL, offset=0).items


def _company(ctx: Context, raw: str) -> Location:
    location: Location = catalog.get(ctx, "locations", path_id(raw, "location"))
    return location


def _works_here(s: Staff, company: Location) -> bool:
    return not s.location_ids or company.id in s.location_ids


@router.get("/companies", summary="List companies")
def list_companies(ctx: Context = Depends(context)) -> Response:
    return reply({"items": [render.company(e) for e in _all(ctx, "locations")]})


@router.get("/companies/{company_id}", summary="Get a company")
def get_company(company_id: str, ctx: Context = Depends(context)) -> Response:
    return reply(render.company(_company(ctx, company_id)))


@router.get("/companies/{company_id}/services", summary="List services")
def list_services(company_id: str, ctx: Context = Depends(context)) -> Response:
    _company(ctx, company_id)
    return reply({"items": [render.service(e) for e in _all(ctx, "services")]})


@router.get("/companies/{company_id}/services/{service_id}", summary="Get a service")
def get_service(company_id: str, service_id: str, ctx: Context = Depends(context)) -> Response:
    _company(ctx, company_id)
    e: Service = catalog.get(ctx, "services", path_id(service_id, "service"))
    return reply(render.service(e))


@router.get("/companies/{company_id}/staff", summary="List staff")
def list_staff(company_id: str, ctx: Context = Depends(context)) -> Response:
    company = _company(ctx, company_id)
    people = [e for e in _all(ctx, "staff") if _works_here(e, company)]
    return reply({"items": [render.staff(e) for e in people]})


@router.get("/companies/{company_id}/staff/{staff_id}", summary="Get a staff member")
def get_staff(company_id: str, staff_id: str, ctx: Context = Depends(context)) -> Response:
    company = _company(ctx, company_id)
    e: Staff = catalog.get(ctx, "staff", path_id(staff_id, "staff"))
    if not _works_here(e, company):
        raise NotFound("staff", staff_id)
    return reply(render.staff(e))


@router.get("/companies/{company_id}/resources", summary="List resources")
def list_resources(company_id: str, ctx: Context = Depends(context)) -> Response:
    company = _company(ctx, company_id)
    found = [e for e in _all(ctx, "resources") if e.location_id in (None, company.id)]
    return reply({"items": [render.resource(e) for e in found]})


@router.get("/companies/{company_id}/resources/{resource_id}", summary="Get a resource")
def get_resource(company_id: str, resource_id: str, ctx: Context = Depends(context)) -> Response:
    company = _company(ctx, company_id)
    e: Resource = catalog.get(ctx, "resources", path_id(resource_id, "resource"))
    if e.location_id not in (None, company.id):
        raise NotFound("resource", resource_id)
    return reply(render.resource(e))


@router.get("/companies/{company_id}/clients", summary="List clients")
def list_clients(company_id: str, ctx: Context = Depends(context)) -> Response:
    _company(ctx, company_id)
    return reply({"items": [render.client(e) for e in _all(ctx, "clients")]})


@router.get("/companies/{company_id}/clients/{client_id}", summary="Get a client")
def get_client(company_id: str, client_id: str, ctx: Context = Depends(context)) -> Response:
    _company(ctx, company_id)
    e: Client = catalog.get(ctx, "clients", path_id(client_id, "client"))
    return reply(render.client(e))


# Agendize client property -> core client field; phone and mobilePhone share the core's one
# phone (mobilePhone is used when phone is absent).
_CLIENT_FIELDS = {
    "firstName": "first_name",
    "lastName": "last_name",
    "email": "email",
    "phone": "phone",
    "timeZone": "time_zone",
    "externalId": "external_id",
}


@router.post("/companies/{company_id}/clients", summary="Create a client")
def create_client(
    company_id: str, body: Any = Body(None), ctx: Context = Depends(context)
) -> Response:
    _company(ctx, company_id)
    if not isinstance(body, dict):
        raise Invalid.field("body", "expected a client resource (a JSON object)")
    check_storable(body)
    problems = [
        FieldError(name, "must be a string")
        for name in (*_CLIENT_FIELDS, "mobilePhone")
        if body.get(name) is not None and not isinstance(body[name], str)
    ]
    if problems:
        raise Invalid(problems)
    fields = {core: body.get(name) for name, core in _CLIENT_FIELDS.items()}
    fields["phone"] = fields["phone"] or body.get("mobilePhone")
    fields["last_name"] = fields["last_name"] or ""
    try:
        e: Client = catalog.create(ctx, "clients", fields)
    except Invalid as exc:
        reverse = {v: k for k, v in _CLIENT_FIELDS.items()}
        renamed = [FieldError(reverse.get(x.field, x.field), x.message) for x in exc.errors]
        raise Invalid(renamed) from None
    return reply(render.client(e))


# -- appointment statuses (/api/2.3/scheduling/statuses) -------------------------------------

NATIVE_STATUSES = [
    ("accepted", "Accepted", "#2e7d32"),
    ("pending", "Pending", "#f9a825"),
    ("inProgress", "In progress", "#1565c0"),
    ("completed", "Completed", "#6a1b9a"),
    ("noShow", "No show", "#c62828"),
    ("declined", "Declined", "#616161"),
    ("cancelled", "Cancelled", "#212121"),
]

statuses_router = APIRouter(route_class=AgendizeRoute, include_in_schema=False)


@statuses_router.get("/statuses", summary="List appointment statuses")
def list_statuses(ctx: Context = Depends(context)) -> Response:
    """The native statuses (``native: true``), then the account's custom statuses (ids are
    appointd's, descriptions say their base status)."""
    native = [
        {"id": id, "name": name, "color": color, "description": "", "native": True}
        for id, name, color in NATIVE_STATUSES
    ]
    custom = [
        {
            "id": str(c.id),
            "name": c.name,
            "color": "",
            "description": f"based on {STATUS_OUT[c.base_status]}",
            "native": False,
        }
        for c in list_custom_statuses(ctx, limit=ALL).items
    ]
    return reply({"items": native + custom})
