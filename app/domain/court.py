"""The County Court stage: which route to issue by, the response deadlines, and after judgment.

DOMAIN.md §2.4, §1.4 ("Court consequences") and A.3 steps 9–11. Fees are not here: they are an
effective-dated setting (settings_catalogue.court_fee).

Route (PD 7E para 4 [S37][S38]): Money Claim Online takes a specified sum under £100,000 (setting
mcol_claim_limit) against one defendant, or two for a single sum, whose address for service is in
England & Wales (app/domain/postcodes.py decides it from the postcode) and who is not known to
be a child or a protected party. Anything else is a paper claim on form N1. Care charges are
always a specified sum claimed as one sum, so those two conditions hold by construction and are
not inputs.

Litigation friend (CPR 21.2): a protected party must have one, and so must a child unless the
court orders otherwise. Until one is appointed nothing beyond issuing and serving the claim form
(or applying for the appointment) may be done without the court's permission [S108].
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Final, Literal

from dateutil.relativedelta import relativedelta

from app.calendar import add_calendar_days, next_working_day

MCOL: Final = "mcol"
N1: Final = "n1"
MCOL_MAX_DEFENDANTS = 2
ACKNOWLEDGMENT_DAYS = 14  # CPR 10.3(1)
DEFENCE_DAYS = 14  # CPR 15.4(1)(a)
DEFENCE_DAYS_AFTER_ACKNOWLEDGMENT = 28  # CPR 15.4(1)(b)
REGISTER_MONTHS = 1  # a CCJ paid in full within a month comes off the register [S46]
ENFORCEMENT_YEARS = 6  # after this, enforcement needs the court's permission [S43]

ENFORCEMENT_TYPES: dict[str, str] = {
    "warrant_of_control": "County Court bailiffs take and sell goods (a judgment of £600 or more "
                          "can go to the High Court for a writ of control).",
    "attachment_of_earnings": "The employer pays the council from the debtor's wages (employed "
                              "debtors only).",
    "charging_order": "A charge on the debtor's property, interim then final; an order for sale "
                      "needs a separate application.",
    "third_party_debt_order": "Money held for the debtor by someone else, such as a bank "
                              "account, is paid to the council.",
    "order_to_obtain_information": "The debtor is questioned in court about income and assets "
                                   "(form N316).",
}


@dataclass(frozen=True)
class Defendant:
    name: str
    protected_party: bool  # lacks capacity to conduct the proceedings (CPR 21.1)
    address_in_england_wales: bool  # the address for service
    is_child: bool = False
    address_reason: str | None = None  # why the address is not known to be in England & Wales


@dataclass(frozen=True)
class RouteDecision:
    route: Literal["mcol", "n1"]
    reasons: tuple[str, ...]  # why not MCOL: empty for MCOL, every failing condition for N1
    litigation_friend_needed: bool


@dataclass(frozen=True)
class ClaimDeadlines:
    """The last day each step is in time (the court office's next open day, CPR 2.8(5))."""

    acknowledgment_by: date
    defence_by_without_aos: date
    defence_by_with_aos: date


def choose_route(amount: Decimal, defendants: Sequence[Defendant], *,
                 mcol_limit: Decimal) -> RouteDecision:
    """MCOL when every PD 7E condition holds, otherwise N1 with each failing condition named."""
    _positive_money(amount, "amount")
    _positive_money(mcol_limit, "mcol_limit")
    if not defendants:
        raise ValueError("a claim needs at least one defendant")
    reasons = []
    if amount >= mcol_limit:
        reasons.append(f"the claim of {_money(amount)} is not under the Money Claim Online "
                       f"limit of {_money(mcol_limit)} (PD 7E)")
    if len(defendants) > MCOL_MAX_DEFENDANTS:
        reasons.append(f"{len(defendants)} defendants: Money Claim Online takes at most "
                       f"{MCOL_MAX_DEFENDANTS} (PD 7E)")
    for defendant in defendants:
        reasons.extend(_defendant_reasons(defendant))
    friend = any(d.protected_party or d.is_child for d in defendants)
    return RouteDecision(N1 if reasons else MCOL, tuple(reasons), friend)


def claim_deadlines(deemed_served: date) -> ClaimDeadlines:
    """The defendant's deadlines from deemed service of the claim form with its particulars.

    - Acknowledgment of service: 14 days after service of the particulars (CPR 10.3(1)).
    - Defence: 14 days after service of the particulars, or 28 days if an acknowledgment of
      service was filed (CPR 15.4(1)(a) and (b)).

    The particulars are taken as served with the claim form (MCOL and N1 both allow it), so both
    run from `deemed_served` (CPR 6.14 for a posted claim form: calendar.deemed_service_cpr_6_14).
    "14 days after" counts clear days (CPR 2.8): the service day is not counted, so the period
    ends on service + 14. A period that ends on a day the court office is closed ends instead on
    the next day it is open (CPR 2.8(5)): weekends, bank holidays, Good Friday and Christmas Day.
    Extensions agreed between the parties (CPR 15.5) are not modelled.
    """
    served = _date(deemed_served, "deemed_served")
    return ClaimDeadlines(
        acknowledgment_by=_period_end(served, ACKNOWLEDGMENT_DAYS),
        defence_by_without_aos=_period_end(served, DEFENCE_DAYS),
        defence_by_with_aos=_period_end(served, DEFENCE_DAYS_AFTER_ACKNOWLEDGMENT),
    )


def default_judgment_available(on: date, deadlines: ClaimDeadlines, aos_filed: bool, *,
                               defence_filed: bool = False) -> bool:
    """Whether default judgment (CPR 12.3) may be requested `on` a day.

    Without an acknowledgment, from the day after the acknowledgment and defence deadline
    (CPR 12.3(1)); with one, from the day after the 28-day defence deadline (CPR 12.3(2)).
    Never once a defence is filed.
    """
    on = _date(on, "on")
    if defence_filed:
        return False
    last_day = deadlines.defence_by_with_aos if aos_filed else max(
        deadlines.acknowledgment_by, deadlines.defence_by_without_aos)
    return on > last_day


def judgment_interest_applies(amount: Decimal, threshold: Decimal) -> bool:
    """Statutory 8% interest runs on a county court judgment of `threshold` (setting
    post_judgment_interest_threshold, £5,000) or more [S44][S45]."""
    _positive_money(amount, "amount")
    _positive_money(threshold, "threshold")
    return amount >= threshold


def register_removal_if_paid_by(judgment_date: date) -> date:
    """Paid in full on or before this date (one calendar month after judgment), the judgment is
    removed from the Register of Judgments; paid later, it is marked satisfied [S46]. A month end
    clamps (31 Jan -> 28/29 Feb), the earlier reading."""
    return _date(judgment_date, "judgment_date") + relativedelta(months=REGISTER_MONTHS)


def enforcement_horizon(judgment_date: date) -> date:
    """The first day enforcement needs the court's permission: six years after judgment [S43]
    (CPR 83.2(3)(a) for writs and warrants; applied here to every method, conservatively).
    A 29 February judgment reaches it on 28 February."""
    return _date(judgment_date, "judgment_date") + relativedelta(years=ENFORCEMENT_YEARS)


def _defendant_reasons(defendant: Defendant) -> list[str]:
    reasons = []
    if defendant.protected_party:
        reasons.append(f"{defendant.name} is a protected party: Money Claim Online cannot be "
                       "used (PD 7E) and a litigation friend is needed (CPR 21)")
    if defendant.is_child:
        reasons.append(f"{defendant.name} is a child: Money Claim Online cannot be used (PD 7E) "
                       "and a litigation friend is needed (CPR 21)")
    if not defendant.address_in_england_wales:
        where = (f"is not known to be in England & Wales ({defendant.address_reason})"
                 if defendant.address_reason else "is not in England & Wales")
        reasons.append(f"{defendant.name}'s address for service {where}: Money Claim Online "
                       "cannot be used (PD 7E)")
    return reasons


def _period_end(served: date, days: int) -> date:
    return next_working_day(add_calendar_days(served, days))


def _positive_money(value: object, name: str) -> None:
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, got {value!r}")
    if not value.is_finite() or value <= 0:
        raise ValueError(f"{name} must be more than £0.00, got {value}")


def _money(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def _date(value: object, name: str) -> date:
    # datetime is a date subclass; refuse it so a time of day never slips into a date rule.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a datetime.date, got {value!r}")
    return value

