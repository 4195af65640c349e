"""The zone each location's instants are shown in, remembered briefly by each process.

Every native answer renders an instant with the offset of its location's zone. Looking the zone
up for each answer would add a statement to every request (booking included), so each process
remembers the zones it met lately: the use cases that load a location anyway (booking, catalog
changes) hand its zone over for free, and anything else is looked up for a whole page at once
(:func:`zones_of`, one statement). An entry lives ZONE_CACHE_SECONDS, so a location's new zone
shows everywhere within that time (at once in the process that changed it). A stale entry only
changes how an instant is written, never which instant it is.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from appointd.app.context import Context
from appointd.domain.wallclock import is_valid_zone, zone
from appointd.store.uow import UnitOfWork

ZONE_CACHE_SECONDS = 5.0
ZONE_CACHE_SIZE = 10_000
_zones: dict[tuple[Engine, int, int], tuple[ZoneInfo, float]] = {}
UTC_ZONE = ZoneInfo("UTC")


def remember(engine: Engine, account_id: int, location_id: int, name: str) -> None:
    """Note that ``location_id`` of ``account_id`` (in ``engine``'s database) is in ``name``."""
    if len(_zones) >= ZONE_CACHE_SIZE:
        _zones.clear()
    tz = zone(name) if is_valid_zone(name) else UTC_ZONE
    _zones[(engine, account_id, location_id)] = (tz, time.monotonic() + ZONE_CACHE_SECONDS)


def remember_in(uow: UnitOfWork, location_id: int, name: str) -> None:
    """:func:`remember`, for a use case that has just loaded or written the location."""
    remember(uow.conn.engine, uow.account_id, location_id, name)


def zones_of(ctx: Context, location_ids: Iterable[int]) -> dict[int, ZoneInfo]:
    """The zone of each location (UTC for one that does not exist); at most one statement."""
    now = time.monotonic()
    engine, account = ctx.services.engine, ctx.account_id
    found: dict[int, ZoneInfo] = {}
    missing: list[int] = []
    for location_id in set(location_ids):
        hit = _zones.get((engine, account, location_id))
        if hit is not None and hit[1] > now:
            found[location_id] = hit[0]
        else:
            missing.append(location_id)
    if missing:
        with ctx.uow(write=False) as uow:
            names = uow.locations.zones(sorted(missing))
        for location_id in missing:
            remember(engine, account, location_id, names.get(location_id, "UTC"))
            found[location_id] = _zones[(engine, account, location_id)][0]
    return found


def zone_of(ctx: Context, location_id: int) -> ZoneInfo:
    return zones_of(ctx, [location_id])[location_id]
