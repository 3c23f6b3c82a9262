"""Write-off proposals (DOMAIN.md A.3-WO): the reasons, and what makes a proposal wrong.

A finance officer proposes; who approves depends on the amount (settings_catalogue
.write_off_approver, from the write_off_approval_levels setting). This module only checks the
proposal itself, so the approver is never asked to sign off one that cannot stand.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from .pap import day_text

REASONS: dict[str, str] = {
    "statute_barred": "Statute-barred (Care Act s69(3): six years from the due date)",
    "deceased_no_estate": "Deceased with no estate",
    "uneconomic": "Uneconomic to pursue",
    "gone_away": "Gone away / untraceable",
    "bankruptcy_or_dro": "Bankruptcy or debt relief order",
    "court_remitted": "Remitted by the court",
}
_PENNY = Decimal("0.01")


def check_proposal(reason: str, amount: Decimal, *, statute_barred_on: date | None,
                   today: date) -> list[str]:
    """The problems with a proposal to write off `amount` for `reason`; empty when it may go to
    the approver.

    `statute_barred_on` is the first day the debt is barred (limitation.limitation_expiry of its
    due date); it must be recorded, and reached by `today`, for a statute-barred write-off.
    """
    if not isinstance(amount, Decimal):
        raise TypeError(f"amount must be a Decimal, got {amount!r}")
    today = _date(today, "today")
    problems = []
    if reason not in REASONS:
        problems.append(f"unknown write-off reason {reason!r}; expected one of "
                        f"{', '.join(REASONS)}")
    if not amount.is_finite() or amount <= 0:
        problems.append(f"a write-off must be for more than £0.00, got {amount}")
    elif amount != amount.quantize(_PENNY):
        problems.append(f"a write-off must be in whole pence, got {amount}")
    if reason == "statute_barred":
        problems.extend(_limitation_problems(statute_barred_on, today))
    return problems


def _limitation_problems(statute_barred_on: date | None, today: date) -> list[str]:
    if statute_barred_on is None:
        return ["statute-barred, but the date the debt became barred is not recorded"]
    barred_on = _date(statute_barred_on, "statute_barred_on")
    if today < barred_on:
        return [f"the debt is not statute-barred until {day_text(barred_on)}"]
    return []


def _date(value: object, name: str) -> date:
    # datetime is a date subclass; refuse it so a time of day never slips into a date rule.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a datetime.date, got {value!r}")
    return value
