"""``/v1/locations``, ``/v1/staff``, ``/v1/services``, ``/v1/resources``, ``/v1/clients``.

The five kinds share one shape (POST, list, get, PATCH, soft DELETE), so one function builds
their routes from the schemas and a renderer.
"""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Query, Response

from appointd.app import catalog
from appointd.app.context import Context
from appointd.domain.errors import Invalid
from appointd.faces.native import render
from appointd.faces.native import schemas as s
from appointd.faces.native.auth import context
from appointd.faces.native.routes.common import Paging, errors, paging
from appointd.store.repositories.conditions import Condition

router = APIRouter()
# Staff, services, resources and clients may carry the integrator's own id.
_EXTERNAL_ID = Query(
    None,
    min_length=1,
    max_length=200,
    description="only those carrying this external_id (your own id for them)",
)


def _routes(
    kind: str,
    path: str,
    tag: str,
    body: type[s.In],
    patch: type[s.In],
    out: type[s.Out],
    show: Callable[[Any], s.Out],
) -> None:
    one = catalog.SINGULAR[kind]

    @router.post(
        path,
        status_code=201,
        response_model=out,
        tags=[tag],
        responses=errors(401, 404, 422),
        name=f"create_{one}",
        summary=f"Create a {one}",
    )
    def create(payload: body, ctx: Context = Depends(context)) -> s.Out:  # type: ignore[valid-type]
        return show(catalog.create(ctx, kind, payload.model_dump()))  # type: ignore[attr-defined]

    def listed(ctx: Context, page: Paging, include_archived: bool, external_id: str | None) -> Any:
        if external_id is not None and "\x00" in external_id:  # PostgreSQL text takes no NUL
            raise Invalid.field("external_id", "must not contain NUL characters")
        conditions = [] if external_id is None else [Condition("external_id", "=", external_id)]
        found = catalog.list_page(
            ctx,
            kind,
            include_archived=include_archived,
            limit=page.limit,
            offset=page.offset,
            conditions=conditions,
        )
        return {
            "items": [show(e) for e in found.items],
            "total": found.total,
            "limit": page.limit,
            "offset": page.offset,
        }

    list_route = router.get(
        path,
        response_model=s.ListOf[out],  # type: ignore[valid-type]
        tags=[tag],
        responses=errors(401, 422),
        name=f"list_{kind}",
        summary=f"List {kind}",
    )
    if kind in catalog.EXTERNAL_KINDS:

        @list_route
        def list_with_external_id(
            include_archived: bool = Query(False),
            external_id: str | None = _EXTERNAL_ID,
            page: Paging = Depends(paging),
            ctx: Context = Depends(context),
        ) -> Any:
            return listed(ctx, page, include_archived, external_id)

    else:

        @list_route
        def list_(
            include_archived: bool = Query(False),
            page: Paging = Depends(paging),
            ctx: Context = Depends(context),
        ) -> Any:
            return listed(ctx, page, include_archived, None)

    @router.get(
        path + "/{id}",
        response_model=out,
        tags=[tag],
        responses=errors(401, 404),
        name=f"get_{one}",
        summary=f"Get a {one}",
    )
    def get(id: s.PathId, ctx: Context = Depends(context)) -> s.Out:
        return show(catalog.get(ctx, kind, id))

    @router.patch(
        path + "/{id}",
        response_model=out,
        tags=[tag],
        responses=errors(401, 404, 422),
        name=f"update_{one}",
        summary=f"Change a {one}",
    )
    def update(id: s.PathId, payload: patch, ctx: Context = Depends(context)) -> s.Out:  # type: ignore[valid-type]
        return show(catalog.update(ctx, kind, id, payload.model_dump(exclude_unset=True)))  # type: ignore[attr-defined]

    @router.delete(
        path + "/{id}",
        status_code=204,
        tags=[tag],
        responses=errors(401, 404),
        name=f"archive_{one}",
        summary=f"Archive a {one} (soft delete)",
    )
    def archive(id: s.PathId, ctx: Context = Depends(context)) -> Response:
        catalog.archive(ctx, kind, id)
        return Response(status_code=204)


_routes(
    "locations",
    "/locations",
    "locations",
    s.LocationIn,
    s.LocationPatch,
    s.LocationOut,
    render.location,
)
_routes("staff", "/staff", "staff", s.StaffIn, s.StaffPatch, s.StaffOut, render.staff)
_routes(
    "services", "/services", "services", s.ServiceIn, s.ServicePatch, s.ServiceOut, render.service
)
_routes(
    "resources",
    "/resources",
    "resources",
    s.ResourceIn,
    s.ResourcePatch,
    s.ResourceOut,
    lambda e: render.plain(s.ResourceOut, e),
)
_routes(
    "clients",
    "/clients",
    "clients",
    s.ClientIn,
    s.ClientPatch,
    s.ClientOut,
    lambda e: render.plain(s.ClientOut, e),
)
