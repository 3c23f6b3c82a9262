"""The dates and sums of direct-payment monitoring (DOMAIN.md A.2, scenario 10)."""
from datetime import date
from decimal import Decimal

import pytest

from app.domain import direct_payments as dp


def test_scenario_10_first_review_and_warning():
    due = dp.first_review_due(date(2026, 1, 13))
    assert due == date(2026, 7, 13)  # Mon 13 Jul 2026, 6 months after Tue 13 Jan
    assert dp.review_warning(due, 28) == date(2026, 6, 15)


def test_a_review_limit_on_a_weekend_moves_back_not_forward():
    # 6 months after Fri 29 Nov 2025 is Fri 29 May 2026; after Sat 3 Jan 2026, Fri 3 Jul is fine;
    # 6 months after Thu 3 Jun 2026 is Thu 3 Dec; 6 months after Wed 25 Jun 2025 is Thu 25 Dec,
    # Christmas Day: the limit is Wed 24 Dec.
    assert dp.first_review_due(date(2025, 6, 25)) == date(2025, 12, 24)
    assert dp.first_review_due(date(2026, 2, 4)) == date(2026, 8, 4)
    # 12 months after Sat 2 May 2026 is Sun 2 May 2027: Fri 30 Apr 2027.
    assert dp.next_review_due(date(2026, 5, 2)) == date(2027, 4, 30)


def test_the_review_due_is_the_first_until_one_is_done():
    assert dp.review_due(date(2026, 1, 13), None) == date(2026, 7, 13)
    assert dp.review_due(date(2026, 1, 13), date(2026, 7, 1)) == date(2027, 7, 1)


def test_scenario_10_surplus():
    weekly = dp.weekly_amount(Decimal("350.00"), "weekly")
    assert dp.contingency(weekly, 8) == Decimal("2800.00")
    assert dp.surplus(Decimal("4150.00"), Decimal("0"), weekly, 8) == Decimal("1350.00")
    assert dp.surplus(Decimal("2000.00"), Decimal("0"), weekly, 8) == Decimal("0.00")
    assert dp.surplus(Decimal("4150.00"), Decimal("1000.00"), weekly, 8) == Decimal("350.00")


@pytest.mark.parametrize("amount, frequency, weekly", [
    ("1400.00", "four_weekly", "350.00"), ("1516.67", "monthly", "350.00"),
    ("350.00", "weekly", "350.00")])
def test_weekly_amount_of_each_frequency(amount, frequency, weekly):
    assert dp.weekly_amount(Decimal(amount), frequency) == Decimal(weekly)


def test_an_unknown_frequency_is_refused():
    with pytest.raises(ValueError):
        dp.weekly_amount(Decimal("1"), "fortnightly")


def test_scenario_10_audit_dates():
    due = dp.person_due_date(date(2026, 9, 1), 28)
    assert due == date(2026, 9, 29)
    assert dp.person_due_date(due, 14) == date(2026, 10, 13)


def test_a_date_the_person_must_meet_moves_forward_over_a_bank_holiday():
    # 28 days after Fri 6 Mar 2026 is Fri 3 Apr, Good Friday; Easter Monday follows.
    assert dp.person_due_date(date(2026, 3, 6), 28) == date(2026, 4, 7)


def test_light_touch_check_twelve_weeks_in():
    assert dp.light_touch_due(date(2026, 1, 13), 12) == date(2026, 4, 7)  # Tue 7 Apr
    assert dp.light_touch_due(date(2026, 1, 9), 12) == date(2026, 4, 7)  # Fri 3 Apr is Good Fri


def test_next_sweep_is_strictly_after():
    assert dp.next_sweep(date(2026, 8, 15), 1) == date(2026, 9, 1)
    assert dp.next_sweep(date(2026, 9, 1), 1) == date(2026, 10, 1)
    assert dp.next_sweep(date(2026, 12, 20), 1) == date(2027, 1, 1)
    assert dp.next_sweep(date(2026, 12, 2), 5) == date(2026, 12, 5)


def test_quarterly_returns():
    assert dp.quarter_end(date(2026, 2, 10)) == date(2026, 3, 31)
    assert dp.quarter_end(date(2026, 12, 31)) == date(2026, 12, 31)
    assert dp.next_quarterly_return(date(2026, 4, 1), 28) == (
        date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 28))
    assert dp.next_quarterly_return(date(2026, 4, 28), 28) == (
        date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 28))
    assert dp.next_quarterly_return(date(2026, 12, 1), 28) == (
        date(2026, 10, 1), date(2026, 12, 31), date(2027, 1, 28))


def test_notice_and_surplus_return():
    end = dp.notice_ends(date(2026, 9, 1), 4)
    assert end == date(2026, 9, 29)
    assert dp.surplus_return_by(end, 4) == date(2026, 10, 27)
