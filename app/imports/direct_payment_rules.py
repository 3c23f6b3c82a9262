"""The cells and row rules of the direct-payment and prepaid-card imports (docs/imports.md).

Pure, like formats.py, which declares the columns: what can be checked within one row is checked
here; what needs the database or today's date (a card we hold, a review not in the future) is
checked by app/services/imports/direct_payments.py.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from . import values as v

MAX_CONTINGENCY_WEEKS = 26
MONEY_IN = ("load", "contribution", "refund")  # money onto the card: a positive amount
MONEY_OUT = ("spend", "cash")  # money off the card: a negative amount
_WEEKS = re.compile(r"\d{1,3}")

Problem = tuple[str, str]


def to_signed_money(raw: str) -> Decimal:
    """An amount that may be negative (money out of a card): -25.50, "-£1,234.56" or 85."""
    sign, digits = ("-", raw[1:].strip()) if raw.startswith("-") else ("", raw)
    try:
        value = v.to_money(digits)
    except ValueError:
        raise ValueError(f"'{raw}' is not an amount; write 85.00 for money in and -85.00 for "
                         "money out") from None
    return -value if sign else value


def to_paid_amount(raw: str) -> Decimal:
    """A payment the finance system made: money, more than zero (zero is the column's check)."""
    if raw.startswith("-"):
        raise ValueError(f"'{raw}' is a negative amount; a payment made is more than zero "
                         "(money paid back is not a payment made)")
    return v.to_money(raw)


def to_weeks(raw: str) -> int:
    """A whole number of weeks, 1 to MAX_CONTINGENCY_WEEKS."""
    if not _WEEKS.fullmatch(raw) or not 1 <= int(raw) <= MAX_CONTINGENCY_WEEKS:
        raise ValueError(f"'{raw}' is not a whole number of weeks from 1 to "
                         f"{MAX_CONTINGENCY_WEEKS}")
    return int(raw)


def card_account(row: dict[str, Any]) -> list[Problem]:
    """A prepaid card needs its card id; another account must not name one, or the card
    provider's file would be matched to a direct payment that has no card."""
    account = row.get("account_type")
    if account == "card" and not row.get("card_id"):
        return [("card_id", "required when account_type is card")]
    if account in ("managed", "bank") and row.get("card_id"):
        return [("card_id", f"must be empty when account_type is {account}")]
    return []


def audit_in_progress(row: dict[str, Any]) -> list[Problem]:
    """An audit in progress is a date it was asked for and what it is about: both or neither."""
    if row.get("audit_requested_on") and not row.get("audit_reason"):
        return [("audit_reason", "required when audit_requested_on is given")]
    if row.get("audit_reason") and not row.get("audit_requested_on"):
        return [("audit_requested_on", "required when audit_reason is given")]
    return []


def signed_by_kind(row: dict[str, Any]) -> list[Problem]:
    """Money in is positive, money out negative, and nothing is zero."""
    amount, kind = row.get("amount"), row.get("kind")
    if amount is None or kind is None:
        return []
    if amount == 0:
        return [("amount", "must not be zero")]
    if kind in MONEY_IN and amount < 0:
        return [("amount", f"must be positive for a {kind} (money onto the card)")]
    if kind in MONEY_OUT and amount > 0:
        return [("amount", f"must be negative for a {kind} (money off the card), e.g. "
                           f"-{amount}")]
    return []


def names_direct_payment(row: dict[str, Any]) -> list[Problem]:
    """A payment made names its direct payment by the person or by the card: at least one."""
    if not row.get("person_reference") and not row.get("card_id"):
        return [("person_reference", "required when card_id is empty: give the person or the "
                                     "card the payment was made to")]
    return []
