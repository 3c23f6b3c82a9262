"""The Pre-Action Protocol for Debt Claims window: when a claim may first be issued.

DOMAIN.md §2.3 and A.3 steps 7–8:

- The debtor has 30 days "of the date at the top of the letter" to return the Reply Form; day 30
  is the letter date + 30 calendar days [S30][S29].
- If the debtor replies (seeking advice, asking for documents), no claim is begun less than 30
  days after the completed Reply Form is received, or 30 days after the documents asked for are
  provided, whichever is later [S28][S29].
- House rule (DESIGN ASSUMPTION, conservative): count the 30 days from deemed service of the
  letter too (CPR 6.26 first class post), and allow a day's buffer for replies posted near the
  deadline [S32]. So the earliest issue is the next working day `days` (setting
  pap_earliest_issue_days, default 31, never below 31) calendar days after each of: the letter
  date, its deemed service, the Reply Form received and the documents provided. The latest wins.
- A Letter of Claim is treated as stale after `valid_months` (setting letter_of_claim_valid_months,
  default 3; DESIGN ASSUMPTION from secondary commentary) and a new one is sent.

Scenario 5: letter Wed 1 Apr 2026 -> day 30 Fri 1 May; deemed service Tue 7 Apr (the second day
after posting is Good Friday, then Easter Monday); earliest issue Fri 8 May 2026. Counting from
the letter date alone would give Tue 5 May (Sat 2 May, then the Mon 4 May bank holiday).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from dateutil.relativedelta import relativedelta

from app.calendar import add_calendar_days, deemed_service_cpr_6_26, next_working_day

PAP_DAYS = 30
MIN_ISSUE_DAYS = PAP_DAYS + 1  # the Protocol's 30 days always pass in full first

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("January", "February", "March", "April", "May", "June",
           "July", "August", "September", "October", "November", "December")


@dataclass(frozen=True)
class IssueCheck:
    allowed: bool
    reason: str | None  # why not, when not allowed


def pap_day_30(letter_date: date) -> date:
    """Day 30 of the Protocol: the date on the Letter of Claim + 30 calendar days [S30]."""
    return add_calendar_days(_date(letter_date, "letter_date"), PAP_DAYS)


def earliest_issue(letter_date: date, *, days: int = MIN_ISSUE_DAYS,
                   reply_received: date | None = None, documents_provided: date | None = None,
                   prior: date | None = None) -> date:
    """The first day a claim may be issued on a Letter of Claim dated `letter_date`.

    The latest of next_working_day(x + `days`) for x in: the letter date, its deemed service
    (CPR 6.26), and, when recorded, the day the Reply Form was received and the day the documents
    asked for were provided. Deemed service is always at least two days after the letter date,
    so that term decides unless a reply or documents come later; the letter-date term stays
    because it is the Protocol's own count.

    `prior` is an earlier answer (A.3 step 8 recomputes on each reply): the result is never
    before it, so recording a reply can only put the date back. A `prior` that is not a working
    day counts as the next working day, so the answer is always a working day.

    Raises ValueError when `days` is under 31 or a reply or documents date is before the letter.
    """
    letter_date = _date(letter_date, "letter_date")
    if isinstance(days, bool) or not isinstance(days, int):
        raise ValueError(f"days must be a whole number of days, got {days!r}")
    if days < MIN_ISSUE_DAYS:
        raise ValueError(f"days must be at least {MIN_ISSUE_DAYS}, so the Protocol's "
                         f"{PAP_DAYS} days pass first; got {days}")
    starts = [letter_date, deemed_service_cpr_6_26(letter_date)]
    for name, value in (("reply_received", reply_received),
                        ("documents_provided", documents_provided)):
        if value is not None:
            value = _date(value, name)
            if value < letter_date:
                raise ValueError(f"{name} ({value.isoformat()}) is before the letter date "
                                 f"({letter_date.isoformat()})")
            starts.append(value)
    earliest = max(next_working_day(add_calendar_days(start, days)) for start in starts)
    if prior is not None:
        earliest = max(earliest, next_working_day(_date(prior, "prior")))
    return earliest


def may_issue(on: date, earliest: date) -> IssueCheck:
    """Whether a claim may be issued `on` a day, given the `earliest_issue` date."""
    on, earliest = _date(on, "on"), _date(earliest, "earliest")
    if on >= earliest:
        return IssueCheck(True, None)
    return IssueCheck(False, f"no claim may be issued before {day_text(earliest)} (Pre-Action "
                             "Protocol: 30 days from the Letter of Claim, counted from deemed "
                             "service and from any Reply Form or documents provided)")


def letter_of_claim_stale(letter_date: date, on: date, valid_months: int) -> bool:
    """True from `valid_months` calendar months after the letter date: send a new letter.

    A letter dated 1 Apr with 3 months is valid to 30 Jun and stale from 1 Jul. A month end
    clamps (31 Mar + 3 months = 30 Jun), which makes the letter stale sooner, never later.
    """
    letter_date, on = _date(letter_date, "letter_date"), _date(on, "on")
    if isinstance(valid_months, bool) or not isinstance(valid_months, int) or valid_months < 1:
        raise ValueError(f"valid_months must be a whole number of at least 1, got {valid_months!r}")
    return on >= letter_date + relativedelta(months=valid_months)


def day_text(day: date) -> str:
    """'Fri 8 May 2026': fixed English names, whatever the server's locale."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def _date(value: object, name: str) -> date:
    # datetime is a date subclass; refuse it so a time of day never slips into a date rule.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a datetime.date, got {value!r}")
    return value
