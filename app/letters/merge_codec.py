"""A letter's merge context as JSON and back, keeping its money Decimal and its dates dates.

A routine letter is recorded with its context in the step's transaction and rendered later by the
letter worker; the formatting filters refuse floats and format dates, so the types must survive
the round trip exactly.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

_DECIMAL, _DATE = "$decimal", "$date"


def encode(value: Any) -> Any:
    """The context as plain JSON values; Decimal and date become tagged objects."""
    if isinstance(value, Decimal):
        return {_DECIMAL: str(value)}
    if isinstance(value, datetime):
        raise TypeError("a letter's context holds dates, not date-times")
    if isinstance(value, date):
        return {_DATE: value.isoformat()}
    if isinstance(value, dict):
        if _DECIMAL in value or _DATE in value:
            raise ValueError(f"a context key may not be {_DECIMAL!r} or {_DATE!r}")
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if value is None or isinstance(value, (str, bool, int)):
        return value
    raise TypeError(f"a letter's context cannot hold {type(value).__name__}")


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {_DECIMAL}:
            return Decimal(value[_DECIMAL])
        if set(value) == {_DATE}:
            return date.fromisoformat(value[_DATE])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value
