"""The dates and sums of a direct payment after its agreement (DOMAIN.md A.2), as plain functions.

The law sets the review dates: Direct Payments Regulations 2014 reg 7(1)(a), a review "at least
once within the first 6 months of the direct payment being made and at intervals not exceeding 12
months thereafter". Both are limits the council must meet, so a limit that falls on a weekend or a
bank holiday moves back to the working day before, never forward. Dates the person must meet (an
audit's documents, a repayment) move forward to the next working day instead.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from app import calendar

PENNY = Decimal("0.01")
FIRST_REVIEW_MONTHS = 6  # reg 7(1)(a)
REVIEW_INTERVAL_MONTHS = 12  # reg 7(1)(a)
_WEEKS_IN = {"weekly": Decimal(1), "four_weekly": Decimal(4)}
QUARTER_END_MONTHS = (3, 6, 9, 12)


def weekly_amount(amount: Decimal, frequency: str) -> Decimal:
    """The payment per week, whatever its frequency (a monthly payment is 12/52 of it a week)."""
    if frequency == "monthly":
        return (amount * 12 / 52).quantize(PENNY, ROUND_HALF_UP)
    if frequency not in _WEEKS_IN:
        raise ValueError(f"unknown payment frequency {frequency!r}")
    return (amount / _WEEKS_IN[frequency]).quantize(PENNY, ROUND_HALF_UP)


def contingency(weekly: Decimal, weeks: int) -> Decimal:
    """What the account may hold in hand: `weeks` weeks of the weekly payment."""
    return (weekly * weeks).quantize(PENNY)


def surplus(balance: Decimal, commitments: Decimal, weekly: Decimal, weeks: int) -> Decimal:
    """DOMAIN.md (b) DP-SURPLUS: balance - commitments - contingency, and never below nothing."""
    return max(balance - commitments - contingency(weekly, weeks), Decimal("0.00"))


def first_review_due(first_payment: date) -> date:
    """The last day the first statutory review may be done: 6 months after the first payment,
    on the working day before if that day is not one."""
    return calendar.working_day_on_or_before(
        calendar.add_months(first_payment, FIRST_REVIEW_MONTHS))


def next_review_due(last_review: date) -> date:
    """The last day the next review may be done: 12 months after the last one."""
    return calendar.working_day_on_or_before(
        calendar.add_months(last_review, REVIEW_INTERVAL_MONTHS))


def review_due(first_payment: date, last_review: date | None) -> date:
    """The review due next: the first within 6 months until one is done, then 12-monthly."""
    return next_review_due(last_review) if last_review else first_review_due(first_payment)


def review_warning(due: date, days_before: int) -> date:
    """When staff are told a review is coming (28 days before, a setting)."""
    return due - timedelta(days=days_before)


def light_touch_due(first_payment: date, weeks: int) -> date:
    return calendar.next_working_day(first_payment + timedelta(weeks=weeks))


def person_due_date(from_date: date, days: int) -> date:
    """A date the person must meet, `days` after `from_date`: on the next working day when it
    falls on a weekend or bank holiday (the audit's 28 days, the reminder's 14, a repayment)."""
    return calendar.next_working_day(calendar.add_calendar_days(from_date, days))


def next_sweep(after: date, day_of_month: int) -> date:
    """The next monthly card check strictly after `after`, on `day_of_month`."""
    this_month = after.replace(day=day_of_month)
    if this_month > after:
        return this_month
    return calendar.add_months(this_month, 1)


def quarter_end(on: date) -> date:
    """The last day of the quarter `on` is in."""
    month = next(m for m in QUARTER_END_MONTHS if m >= on.month)
    return calendar.add_months(date(on.year, month, 1), 1) - timedelta(days=1)


def next_quarterly_return(after: date, days_after_quarter: int) -> tuple[date, date, date]:
    """The next quarterly return asked for strictly after `after`: (quarter start, quarter end,
    the day it is asked for)."""
    end = quarter_end(after - timedelta(days=days_after_quarter))
    while end + timedelta(days=days_after_quarter) <= after:
        end = quarter_end(end + timedelta(days=1))
    start = date(end.year, end.month - 2, 1)
    return start, end, end + timedelta(days=days_after_quarter)


def notice_ends(notice_given: date, weeks: int) -> date:
    """The last day of a notice period of `weeks` weeks from the day it was given."""
    return notice_given + timedelta(weeks=weeks)


def surplus_return_by(notice_end: date, weeks: int) -> date:
    """Worcestershire [S70]: a surplus goes back within 4 weeks after the notice ends."""
    return calendar.next_working_day(notice_end + timedelta(weeks=weeks))
