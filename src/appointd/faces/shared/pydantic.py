"""The shared strict parsers as pydantic validators, for faces whose wire models are pydantic.

A parser raises :class:`~appointd.domain.errors.Invalid`; pydantic only turns ``ValueError``
and its own errors into validation errors, so :func:`validator` re-raises the parser's message
as a ``PydanticCustomError`` (type ``invalid``). The field path then comes from pydantic's own
location (``body.ranges.0.start``), which each face renders as it renders any validation error::

    from typing import Annotated
    from pydantic import BeforeValidator
    from appointd.faces.shared.parsing import parse_id
    from appointd.faces.shared.pydantic import validator

    LocationId = Annotated[int, BeforeValidator(validator(parse_id))]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic_core import PydanticCustomError

from appointd.domain.errors import Invalid, NotFound


def validator(parser: Callable[..., Any], **options: Any) -> Callable[[Any], Any]:
    """A pydantic (before/plain) validator calling ``parser(value, field="", **options)``."""

    def validate(value: Any) -> Any:
        try:
            return parser(value, field="", **options)
        except Invalid as exc:
            raise PydanticCustomError("invalid", "{message}", {"message": _message(exc)}) from None

    return validate


def path_validator(parser: Callable[..., Any], **options: Any) -> Callable[[Any], Any]:
    """Like :func:`validator` for a path parameter parsed with ``parse_path_id``.

    The error type is ``not_found`` so that a face can answer 404 for it.
    """

    def validate(value: Any) -> Any:
        try:
            return parser(value, **options)
        except NotFound as exc:
            raise PydanticCustomError("not_found", "{message}", {"message": exc.message}) from None

    return validate


def _message(exc: Invalid) -> str:
    return "; ".join(e.message for e in exc.errors) or exc.message
