"""Dates for a deceased debtor's estate (DOMAIN.md A.3-D and §5).

- A DPA debt is repayable 90 days after the death; interest runs until it is paid [S18][S20].
- A standing search (form PA1S) sends the council a copy of any grant of representation. It lasts
  6 months and is renewable [S97], so it must be renewed by the end of the 6 months.
- Personal representatives who advertise under Trustee Act 1925 s27 and wait at least 2 months
  are protected from claims they did not know of when they distribute [S98]: the council claims
  in writing before the window ends.
- The final account goes to the executor within a set number of working days of the council
  hearing of the death (a setting): the LGSCO found fault where estate invoices were late [S101].

Calendar periods: a month end clamps (31 Aug + 6 months = 28 Feb), which gives the earlier date,
the safe side for a deadline the council must meet. None of these move to a working day: they are
dates by which the council must act, and a task due on them is scheduled before them.
"""
from __future__ import annotations

from datetime import date, datetime

from dateutil.relativedelta import relativedelta

from app.calendar import add_calendar_days, add_working_days

DPA_DUE_DAYS = 90
STANDING_SEARCH_MONTHS = 6
S27_NOTICE_MONTHS = 2


def dpa_due_date(date_of_death: date) -> date:
    """The deferred amount falls due for repayment 90 calendar days after the death."""
    return add_calendar_days(_date(date_of_death, "date_of_death"), DPA_DUE_DAYS)


def standing_search_renewal(lodged_on: date) -> date:
    """The day a standing search lodged (or last renewed) on `lodged_on` runs out: 6 months on."""
    return _date(lodged_on, "lodged_on") + relativedelta(months=STANDING_SEARCH_MONTHS)


def s27_claim_window_end(notice_date: date) -> date:
    """The earliest end of the claims window in a Trustee Act s27 notice: 2 months after it.

    The notice may fix a later date (s27 requires "not less than two months"); when it does,
    that stated date governs and this is only the soonest it can be. Use the later of the
    Gazette and newspaper notices' dates.
    """
    return _date(notice_date, "notice_date") + relativedelta(months=S27_NOTICE_MONTHS)


def final_account_due(notified_on: date, working_days: int) -> date:
    """The final account to the executor is due `working_days` working days after notification."""
    if isinstance(working_days, bool) or not isinstance(working_days, int) or working_days < 1:
        raise ValueError(f"working_days must be a whole number of at least 1, got {working_days!r}")
    return add_working_days(_date(notified_on, "notified_on"), working_days)


def _date(value: object, name: str) -> date:
    # datetime is a date subclass; refuse it so a time of day never slips into a date rule.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a datetime.date, got {value!r}")
    return value
