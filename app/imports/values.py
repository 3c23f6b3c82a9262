"""Cell values of an import file: text in, typed value out, or a ValueError saying what is wrong.

Pure functions, no app and no database. Money and quantities become Decimal straight from the
digits; a float never holds an amount, so £0.10 + £0.20 is exactly £0.30.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

PENNY = Decimal("0.01")
# NUMERIC(12, 2) holds up to ten digits before the point; NUMERIC(10, 2) eight.
MAX_MONEY = Decimal("9999999999.99")
MAX_QUANTITY = Decimal("99999999.99")
# A date outside these years is a typing slip (2062 for 2026), not a fact about a person.
FIRST_YEAR, LAST_YEAR = 1900, 2100

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
# 1234.56, 1,234.56 or £1,234.56; thousands separators only in the right places.
_MONEY = re.compile(r"£?(\d{1,3}(?:,\d{3})+|\d+)(\.\d{1,2})?")
_QUANTITY = re.compile(r"\d+(\.\d{1,2})?")
_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})")
_EMAIL = re.compile(r"[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+")
_PHONE = re.compile(r"\+?[0-9][0-9 ()-]{5,28}")
_TRUE = frozenset({"yes", "y", "true", "1"})
_FALSE = frozenset({"no", "n", "false", "0"})


def to_date(raw: str) -> date:
    """YYYY-MM-DD or DD/MM/YYYY (the UK order; never MM/DD)."""
    iso, uk = _ISO_DATE.fullmatch(raw), _UK_DATE.fullmatch(raw)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    elif uk:
        day, month, year = (int(part) for part in uk.groups())
    else:
        raise ValueError(f"'{raw}' is not a date; write YYYY-MM-DD or DD/MM/YYYY")
    try:
        value = date(year, month, day)
    except ValueError:
        raise ValueError(f"'{raw}' is not a real date") from None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"'{raw}' is outside {FIRST_YEAR}-{LAST_YEAR}")
    return value


def to_money(raw: str) -> Decimal:
    """Pounds and pence, never negative: 1234.56, "1,234.56" or "£1,234.56" -> Decimal."""
    match = _MONEY.fullmatch(raw)
    if not match:
        raise ValueError(f"'{raw}' is not an amount; write 1234.56, 1,234.56 or £1,234.56")
    pounds, pence = match.groups()
    value = Decimal(pounds.replace(",", "") + (pence or "")).quantize(PENNY)
    if value > MAX_MONEY:
        raise ValueError(f"'{raw}' is larger than the ledger holds")
    return value


def to_quantity(raw: str) -> Decimal:
    """A non-negative number with at most two decimal places (hours, weeks, nights)."""
    if not _QUANTITY.fullmatch(raw):
        raise ValueError(f"'{raw}' is not a number with at most two decimal places")
    value = Decimal(raw).quantize(PENNY)
    if value > MAX_QUANTITY:
        raise ValueError(f"'{raw}' is too large")
    return value


def to_bool(raw: str) -> bool:
    """yes/no, y/n, true/false or 1/0, in any case."""
    word = raw.lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(f"'{raw}' is not yes or no")


def to_postcode(raw: str) -> str:
    """A UK postcode in its printed form: 'rg264ab' -> 'RG26 4AB'."""
    compact = "".join(raw.split()).upper()
    match = _POSTCODE.fullmatch(compact)
    if not match:
        raise ValueError(f"'{raw}' is not a UK postcode")
    return " ".join(match.groups())


def to_email(raw: str) -> str:
    if not _EMAIL.fullmatch(raw):
        raise ValueError(f"'{raw}' is not an email address")
    return raw


def to_phone(raw: str) -> str:
    if not _PHONE.fullmatch(raw):
        raise ValueError("not a telephone number (digits, spaces, brackets, '+' and '-')")
    return raw


def to_nhs_number(raw: str) -> str:
    """Ten digits (spaces allowed) whose last digit is the NHS modulus-11 check digit."""
    digits = "".join(raw.split())
    if not (len(digits) == 10 and digits.isdigit()):
        raise ValueError("an NHS number has ten digits")
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10 or check != int(digits[9]):
        # Without this, a mistyped digit would link the person to someone else's health record.
        raise ValueError("the NHS number's check digit is wrong")
    return digits


def line_amount(quantity: Decimal, unit_amount: Decimal) -> Decimal:
    """Quantity x unit amount to the penny, half up as the finance system rounds."""
    return (quantity * unit_amount).quantize(PENNY, rounding=ROUND_HALF_UP)
