"""Instalment plans: the schedule, the terms a FAM may agree, and whether a plan is being kept.

DOMAIN.md A.3-IP "Instalment plan" and §4 "Instalment arrangements":

- Terms are an amount, a frequency, a first date and a method; Direct Debit is preferred
  [S10][S83][S88]. A Direct Debit needs 10 days' advance notice (Harrow [S88]; Surrey gives ten
  [S125]), so the first collection can be no earlier than today + `dd_notice_days` calendar days
  (setting instalment_dd_advance_notice_days).
- The plan should clear the arrears within 12 months of the first payment; a longer plan needs a
  full income and expenditure statement with evidence (Torbay analogy [S126]; setting
  instalment_plan_max_months).
- No minimum instalment is published for ASC debt (GAP); setting instalment_minimum_amount, where
  0.00 means no minimum. Paying the whole arrears at once is never refused for being small.
- Missed instalment: the person is asked to bring the plan up to date within 7 days (weak evidence,
  so configurable: instalment_missed_payment_grace_days). A plan not brought up to date by then is
  broken, and the PAP restarts with a new Letter of Claim [S34].

The schedule is equal instalments of the agreed amount and a smaller last one, so the total is
exactly the arrears. Weekly, fortnightly and four-weekly dates step 7, 14 and 28 days. A monthly
date keeps the day of the month of the first date, clamped to the month's end, and each is counted
from the first date rather than from the previous one, so 31 Jan -> 28/29 Feb -> 31 Mar and never
drifts to the 28th.

Keeping to the plan: payments are applied to instalments in date order, so an overpayment counts
toward the next ones. An instalment is due by the END of its due date: it is missed only from the
day after. `missed_on` is the due date of the earliest overdue instalment that what has been paid
does not cover; the person has until `missed_on + grace_days` (inclusive) to catch up ("behind"),
and after that the plan is "broken". Paying enough to cover that instalment while a later one is
now overdue makes the later one the new `missed_on`, with a fresh grace period. `position` is a
snapshot from the payments alone: once the service has acted on a broken plan, that decision is
the service's record, not something a later payment here undoes.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

_FREQUENCY_TEXT = {
    "weekly": "every week",
    "fortnightly": "every two weeks",
    "four_weekly": "every four weeks",
    "monthly": "every month",
}
_STEP_DAYS = {"weekly": 7, "fortnightly": 14, "four_weekly": 28}
FREQUENCIES = frozenset(_FREQUENCY_TEXT)
FREQUENCY_ORDER = tuple(_FREQUENCY_TEXT)  # shortest first, as a form offers them
METHODS = frozenset({"direct_debit", "standing_order", "card", "cash_or_cheque"})

_ZERO = Decimal("0.00")
_PENNY = Decimal("0.01")
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True)
class Instalment:
    number: int  # 1 for the first
    due_on: date
    amount: Decimal


@dataclass(frozen=True)
class PlanTerms:
    """Terms of a plan as agreed (DOMAIN.md A.3-IP). Field names match `check_terms`'s
    parameters, so `check_terms(**dataclasses.asdict(terms), today=..., ...)` works."""

    arrears: Decimal
    amount: Decimal
    frequency: str
    first_date: date
    method: str

    def instalments(self) -> tuple[Instalment, ...]:
        return schedule(self.arrears, self.amount, self.frequency, self.first_date)


@dataclass(frozen=True)
class TermProblem:
    field: str
    message: str

    def to_dict(self) -> dict:
        return {"field": self.field, "message": self.message}


@dataclass(frozen=True)
class PlanPosition:
    state: str  # "up_to_date" | "behind" | "broken" | "completed"
    due_so_far: Decimal  # total of the instalments whose due date has passed (due_on < today)
    paid: Decimal
    shortfall: Decimal  # due_so_far - paid, never below zero
    missed_on: date | None  # due date of the earliest overdue instalment not covered by `paid`
    missed_amount: Decimal  # cumulative due through missed_on - paid
    bring_up_to_date_by: date | None  # missed_on + grace_days, the last day of grace


def frequency_text(frequency: str) -> str:
    """How a letter says the frequency: "four_weekly" -> "every four weeks"."""
    _require_frequency(frequency)
    return _FREQUENCY_TEXT[frequency]


def schedule(arrears: Decimal, amount: Decimal, frequency: str, first_date: date
             ) -> tuple[Instalment, ...]:
    """Instalments of `amount` from `first_date`, the last one smaller, totalling `arrears`.

    412.50 at 100.00 -> 100.00, 100.00, 100.00, 100.00, 12.50. ValueError when the arrears or the
    amount is not a positive sum in whole pence, or the frequency is unknown.
    """
    problems = _input_problems(arrears, amount, frequency)
    if problems:
        raise ValueError("; ".join(p.message for p in problems))
    count, last_amount = _split(arrears, amount)
    if _due_on(first_date, frequency, count - 1) is None:
        raise ValueError(f"an instalment of {_money(amount)} is too small: the plan would run "
                         "past the last date the calendar holds")
    whole = amount.quantize(_PENNY)
    return tuple(
        Instalment(n + 1, _due_on_known(first_date, frequency, n),
                   whole if n < count - 1 else last_amount)
        for n in range(count)
    )


def check_terms(arrears: Decimal, amount: Decimal, frequency: str, first_date: date,
                method: str, *, today: date, minimum_amount: Decimal, max_months: int,
                dd_notice_days: int, full_income_expenditure: bool) -> list[TermProblem]:
    """Every reason the proposed terms cannot be agreed as they stand (empty when they can).

    `minimum_amount` 0 means no minimum; `full_income_expenditure` says a full income and
    expenditure statement with evidence is on file, which allows a plan over `max_months`.
    """
    _check_settings(minimum_amount, max_months, dd_notice_days)
    problems = _input_problems(arrears, amount, frequency)
    inputs_valid = not problems  # the checks below need a schedule, the method does not
    if method not in METHODS:
        problems.append(TermProblem("method", f"unknown payment method {method!r}; expected one "
                                              f"of {', '.join(sorted(METHODS))}"))
    if inputs_valid:
        problems += _amount_problems(arrears, amount, minimum_amount)
    problems += _first_date_problems(first_date, method, today, dd_notice_days)
    if inputs_valid:
        problems += _length_problems(arrears, amount, frequency, first_date, max_months,
                                     full_income_expenditure)
    return problems


def position(instalments: Iterable[Instalment], paid: Decimal, today: date, grace_days: int
             ) -> PlanPosition:
    """Where the plan stands on `today` given the total `paid` toward it so far."""
    ordered = sorted(instalments, key=lambda i: (i.due_on, i.number))
    if not ordered:
        raise ValueError("a plan has at least one instalment")
    _require_money(paid, "paid")
    if paid < 0:
        raise ValueError(f"paid cannot be negative, got {paid}")
    if grace_days < 0:
        raise ValueError(f"grace_days cannot be negative, got {grace_days}")
    total = sum((i.amount for i in ordered), _ZERO)
    due_so_far = sum((i.amount for i in ordered if i.due_on < today), _ZERO)
    shortfall = max(_ZERO, due_so_far - paid)
    if paid >= total:
        return PlanPosition("completed", due_so_far, paid, shortfall, None, _ZERO, None)
    missed = _earliest_uncovered(ordered, paid, today)
    if missed is None:
        return PlanPosition("up_to_date", due_so_far, paid, shortfall, None, _ZERO, None)
    missed_on, due_through_missed = missed
    by = missed_on + timedelta(days=grace_days)
    state = "behind" if today <= by else "broken"
    return PlanPosition(state, due_so_far, paid, shortfall, missed_on,
                        due_through_missed - paid, by)


# --- helpers ------------------------------------------------------------------------------------


def _earliest_uncovered(ordered: list[Instalment], paid: Decimal, today: date
                        ) -> tuple[date, Decimal] | None:
    """(due date, cumulative due through it) of the first instalment `paid` does not cover, if
    that instalment is already overdue; None when everything overdue is covered."""
    cumulative = _ZERO
    for instalment in ordered:
        cumulative += instalment.amount
        if cumulative > paid:
            return (instalment.due_on, cumulative) if instalment.due_on < today else None
    return None


def _split(arrears: Decimal, amount: Decimal) -> tuple[int, Decimal]:
    """(number of instalments, amount of the last one)."""
    full, remainder = divmod(arrears, amount)
    if remainder:
        return int(full) + 1, remainder.quantize(_PENNY)
    return int(full), amount.quantize(_PENNY)


def _due_on(first_date: date, frequency: str, index: int) -> date | None:
    """Due date of instalment `index` (0 = the first); None past the calendar's end (year 9999).

    Monthly dates come from first_date + n months each time: relativedelta clamps 31 Jan + 1
    month to 28/29 Feb, and 31 Jan + 2 months is 31 Mar, where adding a month to 28 Feb would
    give 28 Mar.
    """
    try:
        if frequency == "monthly":
            return first_date + relativedelta(months=index)
        return first_date + timedelta(days=_STEP_DAYS[frequency] * index)
    except (OverflowError, ValueError):
        return None


def _due_on_known(first_date: date, frequency: str, index: int) -> date:
    due = _due_on(first_date, frequency, index)
    assert due is not None  # the last date was checked first, and dates only grow
    return due


def _input_problems(arrears: Decimal, amount: Decimal, frequency: str) -> list[TermProblem]:
    problems = _pounds_problems("arrears", "the arrears", arrears)
    problems += _pounds_problems("amount", "the instalment amount", amount)
    if frequency not in FREQUENCIES:
        problems.append(TermProblem("frequency", _unknown_frequency(frequency)))
    return problems


def _pounds_problems(field: str, label: str, value: Decimal) -> list[TermProblem]:
    _require_money(value, field)
    if value <= 0:
        return [TermProblem(field, f"{label} must be more than £0.00, got {value}")]
    if value != value.quantize(_PENNY):
        return [TermProblem(field, f"{label} must be in whole pence (at most 2 decimal places), "
                                   f"got {value}")]
    return []


def _amount_problems(arrears: Decimal, amount: Decimal, minimum: Decimal) -> list[TermProblem]:
    problems = []
    if minimum > 0 and amount < minimum and amount != arrears:
        problems.append(TermProblem(
            "amount", f"The instalment of {_money(amount)} is below the minimum of "
                      f"{_money(minimum)}."))
    if amount > arrears:
        problems.append(TermProblem(
            "amount", f"The instalment of {_money(amount)} is more than the arrears of "
                      f"{_money(arrears)}."))
    return problems


def _first_date_problems(first_date: date, method: str, today: date, dd_notice_days: int
                         ) -> list[TermProblem]:
    problems = []
    if first_date < today:
        problems.append(TermProblem(
            "first_date", f"The first payment date must be today or in the future: "
                          f"{_day(first_date)} is in the past."))
    earliest = today + timedelta(days=dd_notice_days)
    if method == "direct_debit" and first_date < earliest:
        problems.append(TermProblem(
            "first_date", f"A Direct Debit needs {dd_notice_days} days' advance notice: the first "
                          f"collection can be no earlier than {_day(earliest)}."))
    return problems


def _length_problems(arrears: Decimal, amount: Decimal, frequency: str, first_date: date,
                     max_months: int, full_income_expenditure: bool) -> list[TermProblem]:
    count, _ = _split(arrears, amount)
    last = _due_on(first_date, frequency, count - 1)
    if last is None:
        return [TermProblem("amount", f"The instalment of {_money(amount)} is too small: the plan "
                                      "would never finish.")]
    if full_income_expenditure or last <= first_date + relativedelta(months=max_months):
        return []
    return [TermProblem(
        "full_income_expenditure",
        f"The plan would take {_months_spanned(first_date, last)} months (last payment "
        f"{_day(last)}). A plan longer than {max_months} months needs a full income and "
        "expenditure statement with evidence.")]


def _months_spanned(first: date, last: date) -> int:
    """The smallest N with first + N months on or after `last`."""
    gap = relativedelta(last, first)
    months = gap.years * 12 + gap.months
    return months + 1 if first + relativedelta(months=months) < last else months


def _check_settings(minimum_amount: Decimal, max_months: int, dd_notice_days: int) -> None:
    _require_money(minimum_amount, "minimum_amount")
    if minimum_amount < 0:
        raise ValueError(f"minimum_amount cannot be negative, got {minimum_amount}")
    if max_months < 1:
        raise ValueError(f"max_months must be at least 1, got {max_months}")
    if dd_notice_days < 0:
        raise ValueError(f"dd_notice_days cannot be negative, got {dd_notice_days}")


def _require_money(value: object, name: str) -> None:
    # A float here would already have lost pence; refuse it rather than round it.
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, got {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"{name} must be a finite amount, got {value}")


def _require_frequency(frequency: str) -> None:
    if frequency not in FREQUENCIES:
        raise ValueError(_unknown_frequency(frequency))


def _unknown_frequency(frequency: str) -> str:
    return f"unknown frequency {frequency!r}; expected one of {', '.join(sorted(FREQUENCIES))}"


def _money(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def _day(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
