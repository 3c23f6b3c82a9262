"""Debt ageing: how long unpaid sums have been overdue, in the bands the finance team reports.

A sum is overdue from the day after its due date (due 23 March: 1 day overdue on 24 March), the
same rule as a missed instalment in app.domain.instalments. The bands feed the aged breakdown in
the debt recovery introduction letter (DOMAIN.md (b) 18, `aged_breakdown[]`) and the bad-debt
provision review (§4). No council publishes an ASC ageing matrix (DOMAIN.md §4, GAP 6), so these
bands are a DESIGN ASSUMPTION: the usual 30/60/90-day buckets, then half-year and year, so the
s151 team's own provision percentages can be laid over them.

Only positive amounts are aged: credits and unallocated payments are a matter for allocation
(DOMAIN.md A.4 (d)), not ageing, and netting them here would hide old debt behind new credit.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

_ZERO = Decimal("0.00")


@dataclass(frozen=True)
class AgeBand:
    key: str
    label: str
    first_day: int  # days overdue, inclusive
    last_day: int | None  # inclusive; None for the open-ended last band


AGE_BANDS: tuple[AgeBand, ...] = (
    AgeBand("0-30", "Up to 30 days overdue", 1, 30),
    AgeBand("31-60", "31 to 60 days overdue", 31, 60),
    AgeBand("61-90", "61 to 90 days overdue", 61, 90),
    AgeBand("91-180", "91 to 180 days overdue", 91, 180),
    AgeBand("181-365", "181 to 365 days overdue", 181, 365),
    AgeBand("over 365", "Over a year overdue", 366, None),
)


@dataclass(frozen=True)
class AgedBand:
    key: str
    label: str
    amount: Decimal


@dataclass(frozen=True)
class Ageing:
    bands: tuple[AgedBand, ...]  # every band of AGE_BANDS, in order, zeros included
    not_yet_due: Decimal
    total: Decimal  # overdue + not_yet_due

    @property
    def overdue(self) -> Decimal:
        return sum((band.amount for band in self.bands), _ZERO)


def days_overdue(due: date, today: date) -> int:
    """Whole days past the due date; 0 on the due date itself and before it."""
    return max(0, (today - due).days)


def band_for(days: int) -> AgeBand:
    """The band for a number of days overdue (at least 1)."""
    if days < 1:
        raise ValueError(f"a sum is aged from 1 day overdue, got {days}")
    for band in AGE_BANDS:
        if band.last_day is None or days <= band.last_day:
            return band
    raise AssertionError("the last band is open-ended")  # pragma: no cover


def aged_amounts(items: Iterable[tuple[date, Decimal]], today: date) -> Ageing:
    """Totals per band of the positive (due date, amount) items, and what is not yet due."""
    totals = {band.key: _ZERO for band in AGE_BANDS}
    not_yet_due = _ZERO
    for due, amount in items:
        _require_money(amount)
        if amount <= 0:
            continue
        days = days_overdue(due, today)
        if days == 0:
            not_yet_due += amount
        else:
            totals[band_for(days).key] += amount
    bands = tuple(AgedBand(band.key, band.label, totals[band.key]) for band in AGE_BANDS)
    overdue = sum((band.amount for band in bands), _ZERO)
    return Ageing(bands, not_yet_due, overdue + not_yet_due)


def _require_money(value: object) -> None:
    # A float here would already have lost pence; refuse it rather than round it.
    if not isinstance(value, Decimal):
        raise TypeError(f"amounts must be Decimal, got {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"amounts must be finite, got {value}")
