"""TimeTap's ways of writing time: local ``YYYY-MM-DD`` dates with HHMM integers in a zone,
epoch milliseconds, and the long human text (``Thursday, May 17, 2018 at 12:00 PM EDT``).

A local date and time become an instant in the location's zone strictly: a wall time in a
spring-forward gap is refused naming the field, an ambiguous one is its first occurrence.
``2400`` is the midnight that ends the date. An instant that ends exactly at local midnight is
written as ``2400`` of the day before, as TimeTap's all-day samples do.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from appointd.domain.wallclock import to_instant


def local_instant(day: date, minutes: int, tz: ZoneInfo, field: str) -> datetime:
    """The UTC instant of ``day`` at ``minutes`` after local midnight (1440 = next midnight)."""
    if minutes == 24 * 60:
        day, minutes = day + timedelta(days=1), 0
    local = datetime.combine(day, time(minutes // 60, minutes % 60))
    return to_instant(local, tz, strict=True, field=field)


def date_and_hhmm(instant: datetime, tz: ZoneInfo, *, end: bool = False) -> tuple[str, int]:
    """``("YYYY-MM-DD", HHMM)`` of ``instant`` in ``tz``; an ``end`` at midnight is 2400."""
    return local_date_and_hhmm(instant.astimezone(tz), end=end)


def local_date_and_hhmm(local: datetime, *, end: bool = False) -> tuple[str, int]:
    """:func:`date_and_hhmm` of an already local datetime."""
    if end and local.hour == 0 and local.minute == 0:
        return (local.date() - timedelta(days=1)).isoformat(), 2400
    return local.date().isoformat(), local.hour * 100 + local.minute


def ms(instant: datetime | None) -> int | None:
    """Epoch milliseconds of ``instant``."""
    if instant is None:
        return None
    return round(instant.timestamp() * 1000)  # aware instants: no zone conversion needed


def ms_of_date(day: date | None) -> int | None:
    """Epoch milliseconds of UTC midnight of ``day`` (TimeTap intents carry dates so)."""
    if day is None:
        return None
    return int(datetime.combine(day, time(0), UTC).timestamp() * 1000)


DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def long_text(instant: datetime, tz: ZoneInfo) -> str:
    """``Thursday, May 17, 2018 at 12:00 PM EDT``."""
    return local_long_text(instant.astimezone(tz))


def local_long_text(local: datetime) -> str:
    """:func:`long_text` of an already local datetime (English names, whatever the locale)."""
    hour = local.hour % 12 or 12
    half = "AM" if local.hour < 12 else "PM"
    return (
        f"{DAYS[local.weekday()]}, {MONTHS[local.month - 1]} {local.day}, {local.year} at "
        f"{hour}:{local.minute:02d} {half} {local.tzname()}"
    )


def stamp(instant: datetime | None) -> str | None:
    """``2018-07-27 16:10:55`` (UTC), TimeTap's ``createddate``."""
    if instant is None:
        return None
    return instant.astimezone(UTC).isoformat(" ", "seconds")[:19]
