"""What a Breathing Space does to the recovery timers: each pauses with the time it had left, in
the unit it counts in, and runs again from the day the moratorium ends with that time left
(Debt Respite Scheme Regulations 2020: no enforcement steps while it lasts; the ladder resumes
where it was, not from the start). Pure: dates and the timer's expression, no database.
"""
from __future__ import annotations

import ast
from datetime import date
from enum import StrEnum

from app import calendar


class TimerUnit(StrEnum):
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"


# The diagram functions that count, and the unit each counts in. A timer's unit is that of the
# outermost one in its expression: next_working_day(add_calendar_days(d, 14)) counts calendar
# days and then moves to a working day; a bare ISO value (P10D) or a date counts calendar days.
_COUNTS_IN = {"add_working_days": TimerUnit.WORKING_DAYS,
              "add_calendar_days": TimerUnit.CALENDAR_DAYS,
              "add_months": TimerUnit.CALENDAR_DAYS}
_PASSES_THROUGH = frozenset({"next_working_day"})


def timer_unit(expression: str) -> TimerUnit:
    """The unit a timer's expression counts its interval in."""
    try:
        node = ast.parse(expression.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return TimerUnit.CALENDAR_DAYS  # an ISO literal such as P10D, or a fixed date
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id in _COUNTS_IN:
            return _COUNTS_IN[node.func.id]
        if node.func.id not in _PASSES_THROUGH or not node.args:
            break
        node = node.args[0]
    return TimerUnit.CALENDAR_DAYS


def time_left(unit: TimerUnit, today: date, due_on: date) -> int:
    """What a timer due on `due_on` has left on `today`, in its unit (never below nothing)."""
    if unit == TimerUnit.WORKING_DAYS:
        return calendar.working_days_between(today, due_on)
    return max((due_on - today).days, 0)


def resume_on(unit: TimerUnit, today: date, left: int) -> date:
    """The day a paused timer falls due again when the moratorium ends on `today`."""
    if unit == TimerUnit.WORKING_DAYS:
        return calendar.add_working_days(today, left)
    return calendar.next_working_day(calendar.add_calendar_days(today, left))
