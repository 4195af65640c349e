"""TimeTap's status and subStatus, mapped onto the core's one status machine (DESIGN, Status).

==================  ================================  =========================
core                TimeTap status / subStatus        written as
==================  ================================  =========================
pending             PENDING / PENDING (or            PENDING_CONFIRMATION when
                    PENDING_CONFIRMATION)             booked so
hold (waitlist)     PENDING / PENDING_WAITLIST
confirmed           OPEN / OPEN or CONFIRMED          the subStatus last set
checked_in          OPEN / CHECKEDIN
in_progress         OPEN / INPROGRESS
completed           COMPLETED / COMPLETED
no_show             NO_SHOW / NO_SHOW
cancelled, declined CANCELLED / CANCELLED
==================  ================================  =========================

``CLOSED``, ``READ_ONLY`` and ``DELETED`` have no core meaning: as filters they match nothing,
as targets they are refused. A ``subStatus`` may also name one of the account's custom
statuses (:mod:`.definitions`): its ``status`` is the one of its base status, and it is written
as the custom status's name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from appointd.domain.errors import Invalid
from appointd.domain.model import Appointment, AppointmentKind, CustomStatus
from appointd.domain.status import Status
from appointd.faces.timetap.definitions import custom_named

# subStatus -> (TimeTap status, core status)
SUBSTATUS: dict[str, tuple[str, Status]] = {
    "PENDING": ("PENDING", Status.PENDING),
    "PENDING_CONFIRMATION": ("PENDING", Status.PENDING),
    "OPEN": ("OPEN", Status.CONFIRMED),
    "CONFIRMED": ("OPEN", Status.CONFIRMED),
    "CHECKEDIN": ("OPEN", Status.CHECKED_IN),
    "INPROGRESS": ("OPEN", Status.IN_PROGRESS),
    "COMPLETED": ("COMPLETED", Status.COMPLETED),
    "NO_SHOW": ("NO_SHOW", Status.NO_SHOW),
    "CANCELLED": ("CANCELLED", Status.CANCELLED),
}
STATUSES = frozenset({"PENDING", "OPEN", "COMPLETED", "NO_SHOW", "CANCELLED"})
UNMAPPED = frozenset({"CLOSED", "READ_ONLY", "DELETED"})

# statusList value -> the core statuses it selects (PENDING_WAITLIST selects holds instead).
FILTERS: dict[str, frozenset[Status]] = {
    "OPEN": frozenset({Status.CONFIRMED, Status.CHECKED_IN, Status.IN_PROGRESS}),
    "CONFIRMED": frozenset({Status.CONFIRMED}),
    "CHECKEDIN": frozenset({Status.CHECKED_IN}),
    "INPROGRESS": frozenset({Status.IN_PROGRESS}),
    "COMPLETED": frozenset({Status.COMPLETED}),
    "PENDING": frozenset({Status.PENDING}),
    "PENDING_CONFIRMATION": frozenset({Status.PENDING}),
    "NO_SHOW": frozenset({Status.NO_SHOW}),
    "CANCELLED": frozenset({Status.CANCELLED, Status.DECLINED}),
    "PENDING_WAITLIST": frozenset(),
    "CLOSED": frozenset(),
    "READ_ONLY": frozenset(),
    "DELETED": frozenset(),
}
BASE = {
    Status.PENDING: ("PENDING", "PENDING"),
    Status.CONFIRMED: ("OPEN", "OPEN"),
    Status.CHECKED_IN: ("OPEN", "CHECKEDIN"),
    Status.IN_PROGRESS: ("OPEN", "INPROGRESS"),
    Status.COMPLETED: ("COMPLETED", "COMPLETED"),
    Status.NO_SHOW: ("NO_SHOW", "NO_SHOW"),
    Status.CANCELLED: ("CANCELLED", "CANCELLED"),
    Status.DECLINED: ("CANCELLED", "CANCELLED"),
}


def render(appt: Appointment, customs: Mapping[int, CustomStatus] | None = None) -> tuple[str, str]:
    """``(status, subStatus)`` of ``appt``: its custom status's name when it has one (and
    ``customs`` holds it), else the flavour a client chose (CONFIRMED, PENDING_CONFIRMATION)
    when it still fits the core status."""
    if appt.kind is AppointmentKind.HOLD:
        return (
            ("CANCELLED", "CANCELLED")
            if not appt.status.holding
            else (
                "PENDING",
                "PENDING_WAITLIST",
            )
        )
    status, sub = BASE[appt.status]
    if appt.custom_status_id is not None and customs:
        custom = customs.get(appt.custom_status_id)
        if custom is not None:
            return status, custom.name
    chosen = appt.extra.get("timetap", {}).get("subStatus")
    if chosen in SUBSTATUS and SUBSTATUS[chosen][1] is appt.status:
        sub = chosen
    return status, sub


def builtin(sub: object) -> bool:
    """Whether ``sub`` is one of the seed's own values (else it may be a custom status)."""
    return isinstance(sub, str) and (sub in SUBSTATUS or sub in FILTERS or sub in UNMAPPED)


def unknown(sub: str, field: str) -> Invalid:
    return Invalid.field(
        field,
        f"unknown subStatus {sub!r}; one of " + ", ".join(SUBSTATUS) + ", or the name of one "
        "of your custom statuses (/v1/custom-statuses)",
    )


def target(status: str | None, sub: str, field: str = "subStatus") -> Status:
    """The core status a ``status``/``subStatus`` pair asks for; 400 when they disagree."""
    if sub not in SUBSTATUS:
        raise unknown(sub, field)
    base, core = SUBSTATUS[sub]
    if status is not None and status != base:
        raise Invalid.field("status", f"subStatus {sub} belongs to status {base}, not {status}")
    return core


def custom_target(
    status: str | None, sub: str, customs: Iterable[CustomStatus], field: str = "subStatus"
) -> tuple[Status, CustomStatus | None]:
    """:func:`target`, and the custom status ``sub`` names when it is not one of the seed's
    values (400 naming ``field`` when it is neither; naming ``status`` when they disagree)."""
    if builtin(sub):
        return target(status, sub, field), None
    custom = custom_named(sub, customs, field)
    if custom is None:
        raise unknown(sub, field)
    base = BASE[custom.base_status][0]
    if status is not None and status != base:
        raise Invalid.field(
            "status", f"subStatus {custom.name!r} belongs to status {base}, not {status}"
        )
    return custom.base_status, custom
