"""The Breathing Space arithmetic on its own: the unit a timer counts in, what it has left, and
the day it falls due again (England and Wales bank holidays)."""
from __future__ import annotations

from datetime import date

import pytest

from app.domain.breathing_space import TimerUnit, resume_on, time_left, timer_unit

WORKING, CALENDAR = TimerUnit.WORKING_DAYS, TimerUnit.CALENDAR_DAYS


@pytest.mark.parametrize("expression,unit", [
    # The ladder's own timers (workflows/debt_recovery.bpmn).
    ('next_working_day(add_calendar_days(invoice_date, setting("debt_reminder_1_days")))',
     CALENDAR),
    ('add_working_days(fd_date, setting("debt_phone_contact_working_days"))', WORKING),
    # The outermost counting function decides; the text merely containing one does not.
    ("add_calendar_days(add_working_days(d, 2), 5)", CALENDAR),
    ("next_working_day(add_working_days(d, 3))", WORKING),
    ("add_months(standing_search_lodged_on, 5)", CALENDAR),
    ("P10D", CALENDAR),
    ("2026-05-01T07:00:00+01:00", CALENDAR),
    ("next_working_day(review_on)", CALENDAR),
])
def test_the_unit_is_the_outermost_counting_function(expression, unit):
    assert timer_unit(expression) is unit


def test_time_left_counts_in_the_timers_unit_and_never_below_nothing():
    # Thu 2 Apr 2026 to Tue 7 Apr: Good Friday and Easter Monday are not working days.
    assert time_left(WORKING, date(2026, 4, 2), date(2026, 4, 7)) == 1
    assert time_left(CALENDAR, date(2026, 4, 2), date(2026, 4, 7)) == 5
    assert time_left(CALENDAR, date(2026, 4, 8), date(2026, 4, 7)) == 0


def test_a_resumed_timer_falls_due_on_a_working_day():
    # Ends Thu 2 Apr 2026 with 1 working day left: Tue 7 Apr (after Easter).
    assert resume_on(WORKING, date(2026, 4, 2), 1) == date(2026, 4, 7)
    # 1 calendar day left lands on Good Friday: the next working day, Tue 7 Apr.
    assert resume_on(CALENDAR, date(2026, 4, 2), 1) == date(2026, 4, 7)
    assert resume_on(CALENDAR, date(2026, 4, 7), 2) == date(2026, 4, 9)
