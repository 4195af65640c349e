"""Use cases for the catalog: locations, staff, services, resources and clients.

Each kind has the same five operations (create, get, list, update, archive). What differs is how
a kind checks itself (:data:`VALIDATORS`). Creating and updating both end in the same check of
the whole entity, so a PATCH can never produce an object a POST would have refused. Archiving is
soft: the object stays readable by id and keeps its history, but leaves lists and bookings.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from appointd.app import zones
from appointd.app.context import Context
from appointd.domain import contacts
from appointd.domain.errors import FieldError, Invalid, NotFound
from appointd.domain.model import Client, Location, Resource, Service, ServiceKind, Staff
from appointd.domain.wallclock import utcnow, zone
from appointd.domain.working_hours import WorkingWeek, parse_override
from appointd.store.repositories.base import Page, TableRepository
from appointd.store.repositories.conditions import Condition, clauses, ordering
from appointd.store.uow import UnitOfWork

KINDS: dict[str, type[Any]] = {
    "locations": Location,
    "staff": Staff,
    "services": Service,
    "resources": Resource,
    "clients": Client,
}
SINGULAR = {
    "locations": "location",
    "staff": "staff",
    "services": "service",
    "resources": "resource",
    "clients": "client",
}
_COMMON = frozenset({"id", "created_at", "updated_at", "archived_at"})
# Fields a list may filter and sort on, per kind.
FILTERABLE = {
    "locations": _COMMON | {"name"},
    "staff": _COMMON | {"first_name", "last_name", "email", "external_id"},
    "services": _COMMON | {"name", "kind", "external_id"},
    "resources": _COMMON | {"name", "location_id", "external_id"},
    "clients": _COMMON | {"first_name", "last_name", "email", "external_id", "date_of_birth"},
}
# The patterns are public: the native face writes them into its OpenAPI document.
EMAIL_PATTERN = r"[^@\s]+@[^@\s]+\.[^@\s]+"
CURRENCY_PATTERN = "[A-Z]{3}"
SLUG_PATTERN = "[a-z0-9](?:[a-z0-9-]{1,58})[a-z0-9]"
_EMAIL = re.compile(EMAIL_PATTERN)
_CURRENCY = re.compile(CURRENCY_PATTERN)
_SLUG = re.compile(SLUG_PATTERN)
# Fields a PATCH may set to null; null anywhere else would leave the object incomplete.
# A staff member's null time zone means "the zone of the first location" again.
NULLABLE = {
    "locations": {"address", "booking_slug"},
    "staff": {"email", "time_zone", "working_hours", "date_overrides", "phone", "external_id"},
    "services": {"price", "currency", "min_notice_minutes", "max_advance_days", "external_id"},
    "resources": {"location_id", "external_id"},
    "clients": {
        "email",
        "phone",
        "time_zone",
        "external_id",
        "address",
        "date_of_birth",
        "notes",
    },
}
# The kinds an integrator's own id (``external_id``) can name.
EXTERNAL_KINDS = frozenset({"staff", "services", "resources", "clients"})
_MAX_NOTES = 20_000
# Upper bounds of the booking window fields (ten years of notice, a century of horizon).
WINDOW_LIMITS = {"min_notice_minutes": 10 * 525_600, "max_advance_days": 36_600}
_MAX_PRICE = Decimal(10) ** 10  # the price column holds 12 digits, 2 of them after the point


def _repo(uow: UnitOfWork, kind: str) -> TableRepository[Any]:
    repo: TableRepository[Any] = getattr(uow, kind)
    return repo


def create(ctx: Context, kind: str, fields: Mapping[str, Any]) -> Any:
    """Store a new ``kind`` object built from ``fields``; returns it with its id."""
    now = ctx.now()
    with ctx.uow() as uow:
        entity = _build(kind, dict(fields), ctx.account_id, now.date())
        entity.created_at = entity.updated_at = now
        overrides = _prepare(uow, kind, entity, fields)
        _repo(uow, kind).add(entity)
        if overrides is not None:
            uow.staff.replace_overrides(entity.id, overrides)
        uow.commit()
    return get(ctx, kind, entity.id)


def get(ctx: Context, kind: str, id: int) -> Any:
    with ctx.uow(write=False) as uow:
        entity = _repo(uow, kind).get(id)
        if entity is None:
            raise NotFound(SINGULAR[kind], id)
        if kind == "staff":
            entity = uow.staff.with_details(entity)
    return entity


def list_page(
    ctx: Context,
    kind: str,
    *,
    include_archived: bool,
    limit: int,
    offset: int,
    conditions: Sequence[Condition] = (),
    order: Sequence[tuple[str, bool]] = (),
) -> Page[Any]:
    """One page of ``kind``; staff come with their overrides and time off (bounded queries).

    ``conditions`` and ``order`` name fields of :data:`FILTERABLE` (``order`` pairs are
    ``(field, descending)``; the default order is by id).
    """
    with ctx.uow(write=False) as uow:
        repo = _repo(uow, kind)
        allowed = FILTERABLE[kind]
        found = repo.page(
            include_archived=include_archived,
            limit=limit,
            offset=offset,
            where=clauses(repo.table, repo.renames, allowed, conditions),
            order_by=ordering(repo.table, repo.renames, allowed, order) if order else (),
        )
        if kind == "staff":
            uow.staff.with_details_of(found.items)
        return found


def update(ctx: Context, kind: str, id: int, changes: Mapping[str, Any]) -> Any:
    """Apply ``changes`` (only the fields the caller sent) and check the whole object again."""
    with ctx.uow() as uow:
        repo = _repo(uow, kind)
        current = repo.get(id)
        if current is None:
            raise NotFound(SINGULAR[kind], id)
        _raise(
            [
                FieldError(k, "may not be null")
                for k, v in changes.items()
                if v is None and k not in NULLABLE[kind]
            ]
        )
        entity = _apply(kind, current, dict(changes), ctx.now().date())
        entity.updated_at = ctx.now()
        overrides = _prepare(uow, kind, entity, changes)
        if kind == "staff" and overrides is None and entity.time_zone != current.time_zone:
            _recheck_overrides(uow, entity)
        repo.update(entity)
        if overrides is not None:
            uow.staff.replace_overrides(entity.id, overrides)
        uow.commit()
    return get(ctx, kind, id)


def archive(ctx: Context, kind: str, id: int) -> None:
    with ctx.uow() as uow:
        repo = _repo(uow, kind)
        entity = repo.get(id)
        if entity is None:
            raise NotFound(SINGULAR[kind], id)
        if entity.archived_at is None:
            repo.archive(id, ctx.now())
        uow.commit()


# -- building and checking ----------------------------------------------------------------

_SPECIAL = {"working_hours", "date_overrides"}


def _build(kind: str, fields: dict[str, Any], account_id: int, today: date) -> Any:
    cls = KINDS[kind]
    plain = {k: v for k, v in fields.items() if k not in _SPECIAL}
    if kind == "staff":
        plain["working_hours"] = WorkingWeek.parse(fields.get("working_hours") or [])
        plain.setdefault("time_zone", "")
    if kind == "services":
        _service_values(plain)
    if kind == "clients":
        _client_values(plain, today, {}, creating=True)
    if kind in ("staff", "clients"):
        plain.setdefault("last_name", "")
    _require_fields(cls, plain)
    return cls(id=0, account_id=account_id, **plain)


def _require_fields(cls: type[Any], plain: dict[str, Any]) -> None:
    """Refuse fields the entity does not have and name the required ones that are missing.

    Faces validate their own bodies; this keeps any caller of the core from reaching the
    dataclass constructor with a bad set of fields (a TypeError there would be a 500).
    """
    known = {f.name: f for f in dataclasses.fields(cls)}
    errors = [FieldError(name, "unknown field") for name in plain if name not in known]
    errors += [
        FieldError(name, "required")
        for name, f in known.items()
        if name not in ("id", "account_id")
        and name not in plain
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    ]
    _raise(errors)


def _apply(kind: str, current: Any, changes: dict[str, Any], today: date) -> Any:
    plain = {k: v for k, v in changes.items() if k not in _SPECIAL}
    if kind == "staff" and "working_hours" in changes:
        plain["working_hours"] = WorkingWeek.parse(changes["working_hours"] or [])
    if kind == "services":
        _service_values(plain)
    if kind == "clients":
        _client_values(plain, today, current.extra, creating=False)
    _require_fields(type(current), {**plain, **_all_fields(current)})
    return dataclasses.replace(current, **plain)


def _all_fields(entity: Any) -> dict[str, Any]:
    return {f.name: None for f in dataclasses.fields(entity)}


def _client_values(
    plain: dict[str, Any], today: date, extra: dict[str, Any], *, creating: bool
) -> None:
    """Turn wire values of a client into core types, in place, by the rules of
    :mod:`appointd.domain.contacts`.

    ``phones`` without ``phone`` (or, when creating, with a null one) also sets ``phone``, the
    primary number: the first mobile number, else the first. ``extra`` is merged into the
    stored ``extra`` one level deep, so a face writing its own key never drops another face's
    (a key sent as null is removed).
    """
    if "phones" in plain:
        if plain["phones"] is None:
            raise Invalid.field("phones", "may not be null (send [] for no numbers)")
        plain["phones"] = contacts.parse_phones(plain["phones"])
        if "phone" not in plain or (creating and plain["phone"] is None):
            plain["phone"] = contacts.primary_phone(plain["phones"])
    if "address" in plain:
        plain["address"] = contacts.parse_address(plain["address"])
    if "date_of_birth" in plain:
        plain["date_of_birth"] = contacts.parse_date_of_birth(plain["date_of_birth"], today)
    if "extra" in plain:
        plain["extra"] = contacts.merge_extra(extra, contacts.parse_extra(plain["extra"]))


def _service_values(plain: dict[str, Any]) -> None:
    """Turn wire values of a service (kind name, price text) into core types, in place."""
    if "kind" in plain:
        try:
            plain["kind"] = ServiceKind(plain["kind"])
        except ValueError:
            raise Invalid.field("kind", "must be 'service' or 'class'") from None
    price = plain.get("price")
    if price is not None and not isinstance(price, Decimal):
        try:
            plain["price"] = Decimal(str(price))
        except ArithmeticError:
            raise Invalid.field("price", 'must be a decimal such as "45.00"') from None


def _prepare(uow: UnitOfWork, kind: str, entity: Any, fields: Mapping[str, Any]) -> Any:
    """Check ``entity``; for staff, also parse the date overrides (returned) in its zone."""
    VALIDATORS[kind](uow, entity)
    if kind == "staff" and "date_overrides" in fields:
        tz = zone(entity.time_zone)
        raw = fields.get("date_overrides") or []
        errors: list[FieldError] = []
        parsed = []
        for i, item in enumerate(raw):
            try:
                parsed.append(parse_override(item, tz, f"date_overrides[{i}]"))
            except Invalid as exc:
                errors.extend(exc.errors)
        dates = [o.date for o in parsed]
        if len(set(dates)) != len(dates):
            errors.append(FieldError("date_overrides", "a date appears more than once"))
        if errors:
            raise Invalid(errors)
        return parsed
    return None


def _recheck_overrides(uow: UnitOfWork, staff: Staff) -> None:
    """Stored overrides must still name existing wall times in the staff member's new zone."""
    tz = zone(staff.time_zone)
    errors: list[FieldError] = []
    for i, stored in enumerate(uow.staff.overrides([staff.id])[staff.id]):
        try:
            parse_override(stored.as_dict(), tz, f"date_overrides[{i}]")
        except Invalid as exc:
            errors.extend(exc.errors)
    _raise(errors)


def _require_name(
    errors: list[FieldError], field: str, value: Any, *, allow_empty: bool = False
) -> None:
    if not isinstance(value, str) or (not allow_empty and not value.strip()) or len(value) > 200:
        errors.append(
            FieldError(
                field,
                "must be a non-empty string of at most 200 characters"
                if not allow_empty
                else "must be at most 200 characters",
            )
        )


def _check_zone(errors: list[FieldError], field: str, value: Any) -> None:
    try:
        zone(value, field)
    except Invalid as exc:
        errors.extend(exc.errors)


def _check_email(errors: list[FieldError], value: Any) -> None:
    if value is not None and (len(value) > 320 or not _EMAIL.fullmatch(value)):
        errors.append(FieldError("email", "is not an e-mail address"))


def _check_length(errors: list[FieldError], field: str, value: Any, limit: int) -> None:
    if value is not None and len(value) > limit:
        errors.append(FieldError(field, f"must be at most {limit} characters"))


def _check_refs(repo: TableRepository[Any], field: str, ids: list[int], kind: str) -> None:
    """Refuse ids that name nothing in this account as missing objects (404 naming ``field``).

    Another account's id is reported the same way, so ids leak nothing across accounts.
    """
    missing = sorted(set(ids) - repo.existing_ids(ids))
    if missing:
        raise NotFound(kind, missing[0], field)


def _raise(errors: list[FieldError]) -> None:
    if errors:
        raise Invalid(errors)


def _validate_location(uow: UnitOfWork, e: Location) -> None:
    errors: list[FieldError] = []
    _require_name(errors, "name", e.name)
    _check_zone(errors, "time_zone", e.time_zone)
    _check_booking_page(errors, e)
    _raise(errors)
    if e.booking_slug is not None and uow.public.slug_taken(e.booking_slug, e.id):
        raise Invalid.field("booking_slug", "is already taken; choose another")
    if e.id:  # a changed zone shows at once in this process's answers (app/zones.py)
        zones.remember_in(uow, e.id, e.time_zone)


def _check_booking_page(errors: list[FieldError], e: Location) -> None:
    """A slug is the last part of the public booking address; online booking needs one."""
    if e.booking_slug is not None and not _SLUG.fullmatch(e.booking_slug):
        errors.append(
            FieldError(
                "booking_slug",
                "must be 3 to 60 lowercase letters, digits and inner hyphens, "
                "such as 'harbour-clinic'",
            )
        )
    if e.online_booking and e.booking_slug is None:
        errors.append(FieldError("booking_slug", "required while online_booking is on"))


def _validate_staff(uow: UnitOfWork, e: Staff) -> None:
    errors: list[FieldError] = []
    _require_name(errors, "first_name", e.first_name)
    _require_name(errors, "last_name", e.last_name, allow_empty=True)
    _check_email(errors, e.email)
    if e.phone is not None:
        errors += contacts.phone_number_errors(e.phone, "phone")
    errors += contacts.external_id_errors(e.external_id)
    if e.time_zone:
        _check_zone(errors, "time_zone", e.time_zone)
    elif not e.location_ids:
        errors.append(FieldError("time_zone", "required when the staff member has no location"))
    _raise(errors)
    _check_refs(uow.locations, "location_ids", e.location_ids, "location")
    _check_refs(uow.services, "service_ids", e.service_ids, "service")
    if not e.time_zone:
        # A staff member works in the zone of their first location unless told otherwise.
        first = uow.locations.get(e.location_ids[0])
        assert first is not None  # checked just above
        e.time_zone = first.time_zone


def _validate_service(uow: UnitOfWork, e: Service) -> None:
    errors: list[FieldError] = []
    _require_name(errors, "name", e.name)
    if not 1 <= e.duration_minutes <= 24 * 60:
        errors.append(FieldError("duration_minutes", "must be 1 to 1440"))
    for name in ("buffer_before_minutes", "buffer_after_minutes"):
        if not 0 <= getattr(e, name) <= 24 * 60:
            errors.append(FieldError(name, "must be 0 to 1440"))
    if not 1 <= e.capacity <= 10_000:
        errors.append(FieldError("capacity", "must be 1 to 10000"))
    if e.price is not None and (
        not isinstance(e.price, Decimal) or not e.price.is_finite() or e.price < 0
    ):
        errors.append(FieldError("price", "must be a non-negative decimal"))
    elif e.price is not None and (
        e.price >= _MAX_PRICE or e.price != e.price.quantize(Decimal("0.01"))
    ):
        errors.append(FieldError("price", "must be below 10000000000 with at most 2 decimals"))
    if e.currency is not None and not _CURRENCY.match(e.currency):
        errors.append(FieldError("currency", "must be an ISO 4217 code such as EUR"))
    if e.price is not None and e.currency is None:
        errors.append(FieldError("currency", "required with a price"))
    errors += contacts.external_id_errors(e.external_id)
    for name, limit in WINDOW_LIMITS.items():
        value = getattr(e, name)
        if value is not None and not 0 <= value <= limit:
            errors.append(FieldError(name, f"must be 0 to {limit}"))
    _raise(errors)
    _check_refs(uow.staff, "staff_ids", e.staff_ids, "staff")
    _check_refs(uow.resources, "resource_ids", e.resource_ids, "resource")


def _validate_resource(uow: UnitOfWork, e: Resource) -> None:
    errors: list[FieldError] = []
    _require_name(errors, "name", e.name)
    if not 1 <= e.capacity <= 10_000:
        errors.append(FieldError("capacity", "must be 1 to 10000"))
    errors += contacts.external_id_errors(e.external_id)
    _raise(errors)
    if e.location_id is not None:
        _check_refs(uow.locations, "location_id", [e.location_id], "location")


def _validate_client(uow: UnitOfWork, e: Client) -> None:
    errors: list[FieldError] = []
    _require_name(errors, "first_name", e.first_name)
    _require_name(errors, "last_name", e.last_name, allow_empty=True)
    _check_email(errors, e.email)
    _check_length(errors, "phone", e.phone, 64)
    errors += contacts.external_id_errors(e.external_id)
    _check_length(errors, "notes", e.notes, _MAX_NOTES)
    if e.time_zone is not None:
        _check_zone(errors, "time_zone", e.time_zone)
    # The contact details again, on the entity: a client built by any path meets the rules.
    for check in (
        lambda: contacts.parse_phones(e.phones),
        lambda: contacts.parse_address(e.address),
        lambda: contacts.parse_date_of_birth(e.date_of_birth, utcnow().date()),
        lambda: contacts.parse_extra(e.extra),
    ):
        try:
            check()
        except Invalid as exc:
            errors.extend(exc.errors)
    _raise(errors)


VALIDATORS: dict[str, Callable[[UnitOfWork, Any], None]] = {
    "locations": _validate_location,
    "staff": _validate_staff,
    "services": _validate_service,
    "resources": _validate_resource,
    "clients": _validate_client,
}


def services_given_by(ctx: Context, staff_id: int) -> list[Service]:
    """The live services ``staff_id`` gives (see :func:`appointd.domain.booking.offers`), by id.

    Two statements: the staff member and the account's live services.
    """
    from appointd.domain.booking import offers  # the rule lives with booking

    with ctx.uow(write=False) as uow:
        staff = uow.staff.get(staff_id)
        if staff is None:
            raise NotFound("staff", staff_id)
        services = uow.services.page(include_archived=False, limit=10_000, offset=0).items
    return [s for s in services if offers(staff, s)]


# -- integrators' own ids ------------------------------------------------------------------


def _external_repo(uow: UnitOfWork, kind: str) -> Any:
    if kind not in EXTERNAL_KINDS:
        raise ValueError(f"{kind} have no external ids")
    return _repo(uow, kind)


def ids_by_external_id(
    ctx: Context, kind: str, external_ids: Iterable[str], *, live_only: bool = False
) -> dict[str, int]:
    """``{external_id: id}`` of the ``kind`` objects (staff, services, resources, clients) of
    the caller's account carrying these external ids; one statement. Ids not found are left
    out. When several objects carry one id, a live one wins, then the oldest."""
    with ctx.uow(write=False) as uow:
        found: dict[str, int] = _external_repo(uow, kind).ids_by_external_id(
            external_ids, live_only=live_only
        )
    return found


def id_by_external_id(
    ctx: Context, kind: str, external_id: str, *, live_only: bool = False
) -> int | None:
    """The id of the ``kind`` object of the caller's account carrying ``external_id``."""
    return ids_by_external_id(ctx, kind, [external_id], live_only=live_only).get(external_id)


def resolve_id(ctx: Context, kind: str, value: str, *, live_only: bool = False) -> int | None:
    """The ``kind`` object ``value`` names as "internal or external id" (Agendize's rule): the
    object with that id in the account if there is one, else the one with that external id;
    ``None`` when neither exists. One statement."""
    with ctx.uow(write=False) as uow:
        found: int | None = _external_repo(uow, kind).resolve(value, live_only=live_only)
    return found
