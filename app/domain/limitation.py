"""Limitation of recovery: Care Act 2014 s69(3)(a), six years from the date a sum became due.

DOMAIN.md A.3 guard 6: `limitationExpiry = dueDate + 6 years`; court steps are blocked on or
after it, with warnings 12 and 6 months before (both settings). Part payments and
acknowledgments do not extend the window here (DOMAIN.md GAP 3: not settled; flag for Legal).
"""
from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

LIMITATION_YEARS = 6


def limitation_expiry(due: date) -> date:
    """The first day on which the sum is statute-barred (29 February falls to 28 February)."""
    return due + relativedelta(years=LIMITATION_YEARS)


def is_statute_barred(due: date, on: date) -> bool:
    return on >= limitation_expiry(due)


def warning_band(due: date, on: date, first_months: int, second_months: int) -> str | None:
    """'barred', 'second' (within `second_months` of expiry), 'first', or None."""
    if not 0 < second_months < first_months:
        raise ValueError("the second warning must come after the first")
    expiry = limitation_expiry(due)
    if on >= expiry:
        return "barred"
    if on >= expiry - relativedelta(months=second_months):
        return "second"
    if on >= expiry - relativedelta(months=first_months):
        return "first"
    return None
