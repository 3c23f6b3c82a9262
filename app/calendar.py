"""England & Wales working-day calendar, deemed service and the functions diagrams call.

Pure module: no Flask, no database, no imports from ``app``. Bank holidays come from
the maintained ``holidays`` package and are never hard-coded here, because one-off
bank holidays (jubilees, coronations, state funerals) are announced at short notice
(DOMAIN.md §8). Keep the package up to date to pick them up.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Callable
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta

LOCAL_TZ = ZoneInfo("Europe/London")
LETTER_HOUR = 7  # timers fire and letters are dated at 07:00 London time

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DIGITS = re.compile(r"\+?[0-9]+")

# The longest periods the law and council policy count are years, not decades (limitation is
# 6 or 12 years). These bounds leave room for that and refuse a typo or a hostile diagram:
# add_working_days walks a day at a time, so a count of millions would hold a worker for minutes.
MAX_WORKING_DAYS = 3_660  # about 14 years of working days
MAX_CALENDAR_DAYS = 36_600  # about 100 years
MAX_MONTHS = 1_200  # 100 years
# The bound on the count argument (``n``) of each diagram function that takes one.
COUNT_LIMITS = {
    "add_working_days": MAX_WORKING_DAYS,
    "add_calendar_days": MAX_CALENDAR_DAYS,
    "add_months": MAX_MONTHS,
}


@lru_cache(maxsize=None)
def _bank_holidays(year: int) -> frozenset[date]:
    # A frozenset per year, built once: a HolidayBase grows itself on lookup, which is
    # not safe to share between threads. The package's ENG list includes Good Friday and
    # Christmas Day (common-law holidays, not Banking Act ones), which CPR 6.2 also
    # excludes from business days, and substitute days such as Mon 28 Dec 2026.
    # ENG and WLS lists are identical, so ENG serves England & Wales.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def _require_date(d: object, name: str) -> date:
    # datetime is a subclass of date; refuse it so a time zone is never silently dropped.
    if isinstance(d, datetime) or not isinstance(d, date):
        raise ValueError(
            f"{name} must be a datetime.date (use to_local_date for other values), got {d!r}"
        )
    return d


def _count(n: object, name: str = "n", maximum: int | None = None, unit: str = "days") -> int:
    """Parse a non-negative whole number: int, integral float or digit string; not bool.

    With ``maximum``, a larger number is refused (ValueError) before anything counts with it.
    """
    if isinstance(n, bool):
        raise ValueError(f"{name} must be a whole number of days, got bool {n!r}")
    if isinstance(n, int):
        value = n
    elif isinstance(n, float) and n.is_integer():
        value = int(n)
    elif isinstance(n, str) and _DIGITS.fullmatch(n.strip()):
        value = int(n.strip())
    else:
        raise ValueError(f"{name} must be a whole number of days, got {n!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    if maximum is not None and value > maximum:
        shown = value if value.bit_length() <= 64 else "a larger number"
        raise ValueError(f"{name} must be at most {maximum} {unit}, got {shown}")
    return value


def _shift(d: date, days: int, name: str) -> date:
    try:
        return d + timedelta(days=days)
    except OverflowError:
        raise ValueError(f"{name} moves the date out of range: {d} + {days} days") from None


def is_working_day(d: date) -> bool:
    """True unless ``d`` is a Saturday, Sunday or England & Wales bank holiday."""
    d = _require_date(d, "d")
    return d.weekday() < 5 and d not in _bank_holidays(d.year)


def next_working_day(d: date) -> date:
    """``d`` itself if it is a working day, otherwise the first working day after it.

    This is the "letter dates are always a working day" rule: a computed letter date
    that falls on a weekend or bank holiday moves forward, never back.
    """
    d = _require_date(d, "d")
    while not is_working_day(d):
        d = _shift(d, 1, "next_working_day")
    return d


def add_working_days(d: date, n: int) -> date:
    """The ``n``-th working day after ``d`` (``d`` itself not counted); ``n=0`` returns ``d``."""
    d, n = _require_date(d, "d"), _count(n, maximum=MAX_WORKING_DAYS, unit="working days")
    while n:
        d = _shift(d, 1, "n")
        if is_working_day(d):
            n -= 1
    return d


def add_months(d: date, n: int) -> date:
    """``d`` plus ``n`` calendar months; a day the month lacks falls to its last day
    (31 Aug + 6 months = 28 Feb): the safe side for a period that lapses."""
    d, months = _require_date(d, "d"), _count(n, maximum=MAX_MONTHS, unit="months")
    return d + relativedelta(months=months)


def working_days_between(start: date, end: date) -> int:
    """How many working days fall after ``start`` up to and including ``end`` (0 if none).

    The inverse of add_working_days: add_working_days(start, n) == end when ``end`` is a
    working day and n = working_days_between(start, end).
    """
    start, end = _require_date(start, "start"), _require_date(end, "end")
    if (end - start).days > MAX_CALENDAR_DAYS:  # it walks a day at a time
        raise ValueError(f"end must be at most {MAX_CALENDAR_DAYS} days after start, got {end}")
    count, d = 0, start
    while d < end:
        d = _shift(d, 1, "end")
        count += is_working_day(d)
    return count


def working_day_on_or_before(d: date) -> date:
    """``d`` if it is a working day, else the last working day before it (a "within" deadline
    that falls on a weekend must be met before the weekend, not after)."""
    d = _require_date(d, "d")
    while not is_working_day(d):
        d = _shift(d, -1, "working_day_on_or_before")
    return d


def add_calendar_days(d: date, n: int) -> date:
    """``d`` plus ``n`` calendar days (PAP 30 days, Care Act and DP periods)."""
    return _shift(_require_date(d, "d"), _count(n, maximum=MAX_CALENDAR_DAYS), "n")


def deemed_service_cpr_6_26(posted: date) -> date:
    """Deemed service of a document (not a claim form) sent first class: CPR 6.26.

    "The second day after it was posted ... if that day is a business day or, if not,
    the next business day". DOMAIN.md §8 corrects the common "second business day"
    reading: posted Thu 2 Apr 2026 gives Tue 7 Apr, not Wed 8 Apr.
    """
    posted = _require_date(posted, "posted")
    return next_working_day(_shift(posted, 2, "posted"))


def deemed_service_cpr_6_14(posted: date) -> date:
    """Deemed service of a claim form: "the second business day after" posting (CPR 6.14)."""
    return add_working_days(_require_date(posted, "posted"), 2)


def to_local_date(value: object, name: str = "value") -> date:
    """The Europe/London calendar date of a date, datetime or ISO-8601 string.

    Aware date-times are converted to London time first; naive ones (and offset-less
    strings) are taken as London wall-clock time.
    """
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_TZ).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if _ISO_DATE.fullmatch(text):
                return date.fromisoformat(text)
            return to_local_date(datetime.fromisoformat(text), name)
        except ValueError:
            pass
        raise ValueError(f"{name} is not an ISO-8601 date or date-time: {value!r}")
    raise ValueError(f"{name} must be a date, datetime or ISO-8601 string, got {value!r}")


def at_local_hour(d: date) -> datetime:
    """Aware datetime at LETTER_HOUR (07:00) Europe/London on ``d``."""
    d = _require_date(d, "d")
    return datetime(d.year, d.month, d.day, LETTER_HOUR, tzinfo=LOCAL_TZ)


def _timer_string(d: date) -> str:
    # SpiffWorkflow 3.2.0 timers need a string: a datetime object crashes its timer,
    # and a string without an offset is read in the server's zone, not London's.
    return at_local_hour(d).isoformat()


def diagram_functions(setting: Callable[[str], object]) -> dict[str, Callable]:
    """Functions exposed to BPMN script/timer expressions.

    Date arguments may be dates, datetimes or ISO strings; results are ISO-8601
    date-time strings at 07:00 London with an explicit offset, ready for ``timeDate``.
    ``date_of`` turns such a value back into "YYYY-MM-DD". ``setting`` is passed through.
    """

    def add_working_days_(d: object, n: object) -> str:
        return _timer_string(add_working_days(to_local_date(d, "d"), _count(n)))

    def add_calendar_days_(d: object, n: object) -> str:
        return _timer_string(add_calendar_days(to_local_date(d, "d"), _count(n)))

    def next_working_day_(d: object) -> str:
        return _timer_string(next_working_day(to_local_date(d, "d")))

    def deemed_service_cpr_6_26_(posted: object) -> str:
        return _timer_string(deemed_service_cpr_6_26(to_local_date(posted, "posted")))

    def deemed_service_cpr_6_14_(posted: object) -> str:
        return _timer_string(deemed_service_cpr_6_14(to_local_date(posted, "posted")))

    def add_months_(d: object, n: object) -> str:
        return _timer_string(add_months(to_local_date(d, "d"), _count(n)))

    def date_of(value: object) -> str:
        return to_local_date(value).isoformat()

    return {
        "add_working_days": add_working_days_,
        "add_calendar_days": add_calendar_days_,
        "add_months": add_months_,
        "next_working_day": next_working_day_,
        "deemed_service_cpr_6_26": deemed_service_cpr_6_26_,
        "deemed_service_cpr_6_14": deemed_service_cpr_6_14_,
        "setting": setting,
        "date_of": date_of,
    }
