"""How values look in a letter: money, dates and safe text.

Every value reaches a template as text already formatted here, so a template never formats
money or dates itself and a float never gets near an amount.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from app.letters.errors import LetterError

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_PENNY = Decimal("0.01")
# Characters XML 1.0 forbids, plus the ones docxtpl turns into layout: \a starts a new paragraph
# and \f a page break, which a name or free-text field must never do. \t and \n are kept (a tab
# and a line break).
_UNSAFE_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def format_money(amount: Decimal) -> str:
    """Pounds and pence with thousands separators: Decimal("1234.5") -> "£1,234.50"."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise LetterError(f"money must be a finite Decimal, got {amount!r}")
    pence = amount.quantize(_PENNY, rounding=ROUND_HALF_UP)
    sign = "-" if pence < 0 else ""
    return f"{sign}£{abs(pence):,.2f}"


def format_date(day: date) -> str:
    """A date as letters print it: date(2026, 3, 16) -> "16 March 2026" (no locale involved)."""
    # datetime is a subclass of date; refuse it so a time zone is never silently dropped.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise LetterError(f"expected a datetime.date, got {day!r}")
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def clean_text(text: str) -> str:
    """Text safe to merge: normalised line endings, no characters Word or docxtpl trip on."""
    return _UNSAFE_CHARS.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))


def to_letter_value(value: Any, path: str = "value") -> Any:
    """Turn a context value into what templates get: formatted text, ints, lists and dicts.

    Decimals are money, dates are dates; floats and datetimes are refused, as is any type a
    template could not print sensibly. ``path`` names the value in error messages.
    """
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, Decimal):
        return format_money(value)
    if isinstance(value, float):
        raise LetterError(f"{path}: floats are not accepted; use Decimal for money")
    if isinstance(value, date):
        if isinstance(value, datetime):
            raise LetterError(f"{path}: pass a date, not a datetime")
        return format_date(value)
    if isinstance(value, Mapping):
        return {str(k): to_letter_value(v, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_letter_value(v, f"{path}[{i}]") for i, v in enumerate(value)]
    raise LetterError(f"{path}: cannot put a {type(value).__name__} in a letter")
