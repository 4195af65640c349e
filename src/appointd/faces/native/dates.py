"""Calendar dates on the native wire: ``YYYY-MM-DD`` strings and nothing else.

Pydantic's lax ``date`` would also take numbers (as Unix timestamps) and datetimes; a date field
of appointd means a day on the calendar, so anything but the ISO form is refused with 422. The
parser is the shared one every face uses (:func:`appointd.faces.shared.parsing.parse_date`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BeforeValidator, WithJsonSchema

from appointd.faces.shared.parsing import parse_date
from appointd.faces.shared.pydantic import validator

IsoDate = Annotated[
    date,
    BeforeValidator(validator(parse_date)),
    # The pattern states the years the parser takes (1900..8999), as for instants.
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": "^(19[0-9]{2}|[2-8][0-9]{3})-",
            "examples": ["2026-12-24"],
        }
    ),
]
