"""Tests for app.domain.ageing: days overdue and the aged-debt bands."""

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.ageing import AGE_BANDS, AgedBand, aged_amounts, band_for, days_overdue

D = date.fromisoformat
M = Decimal
FAST = settings(max_examples=75, deadline=None)
TODAY = D("2026-04-01")


def by_key(ageing):
    return {band.key: str(band.amount) for band in ageing.bands}


# --- days overdue --------------------------------------------------------------------------------

@pytest.mark.parametrize("today, expected", [
    ("2026-03-20", 0),  # before the due date
    ("2026-03-23", 0),  # the due date itself
    ("2026-03-24", 1),  # overdue from the day after
    ("2026-04-22", 30),
    ("2027-03-23", 365),
])
def test_days_overdue_counts_from_the_day_after_the_due_date(today, expected):
    assert days_overdue(D("2026-03-23"), D(today)) == expected


def test_days_overdue_across_a_leap_day():
    assert days_overdue(D("2028-02-28"), D("2028-03-01")) == 2


# --- bands ---------------------------------------------------------------------------------------

def test_bands_in_order_with_their_labels():
    assert [(b.key, b.label) for b in AGE_BANDS] == [
        ("0-30", "Up to 30 days overdue"),
        ("31-60", "31 to 60 days overdue"),
        ("61-90", "61 to 90 days overdue"),
        ("91-180", "91 to 180 days overdue"),
        ("181-365", "181 to 365 days overdue"),
        ("over 365", "Over a year overdue"),
    ]


def test_bands_are_contiguous_from_day_1_and_open_at_the_end():
    assert AGE_BANDS[0].first_day == 1
    for earlier, later in pairwise(AGE_BANDS):
        assert later.first_day == earlier.last_day + 1
    assert AGE_BANDS[-1].last_day is None


@pytest.mark.parametrize("days, key", [
    (1, "0-30"), (30, "0-30"), (31, "31-60"), (60, "31-60"), (61, "61-90"), (90, "61-90"),
    (91, "91-180"), (180, "91-180"), (181, "181-365"), (365, "181-365"), (366, "over 365"),
    (5000, "over 365"),
])
def test_band_boundaries(days, key):
    assert band_for(days).key == key


@pytest.mark.parametrize("days", [0, -1])
def test_nothing_is_aged_before_it_is_overdue(days):
    with pytest.raises(ValueError, match="from 1 day overdue"):
        band_for(days)


# --- aged amounts --------------------------------------------------------------------------------

def test_aged_amounts_worked_example():
    items = [
        (D("2026-04-10"), M("50.00")),     # not yet due
        (D("2026-04-01"), M("25.00")),     # due today: not yet overdue
        (D("2026-03-31"), M("100.00")),    # 1 day
        (D("2026-03-02"), M("10.00")),     # 30 days
        (D("2026-03-01"), M("20.00")),     # 31 days
        (D("2026-01-01"), M("200.50")),    # 90 days
        (D("2025-12-31"), M("300.00")),    # 91 days
        (D("2025-04-01"), M("400.00")),    # 365 days
        (D("2025-03-31"), M("1000.00")),   # 366 days
        (D("2019-06-01"), M("5.00")),      # years
        (D("2026-02-01"), M("-80.00")),    # a credit: not aged
        (D("2026-02-01"), M("0.00")),      # nothing owed
    ]
    ageing = aged_amounts(items, TODAY)
    assert by_key(ageing) == {
        "0-30": "110.00", "31-60": "20.00", "61-90": "200.50", "91-180": "300.00",
        "181-365": "400.00", "over 365": "1005.00",
    }
    assert ageing.not_yet_due == M("75.00")
    assert ageing.overdue == M("2035.50")
    assert ageing.total == M("2110.50")


def test_every_band_is_listed_even_when_empty():
    ageing = aged_amounts([(D("2026-03-20"), M("12.34"))], TODAY)
    assert ageing.bands == (
        AgedBand("0-30", "Up to 30 days overdue", M("12.34")),
        AgedBand("31-60", "31 to 60 days overdue", M("0.00")),
        AgedBand("61-90", "61 to 90 days overdue", M("0.00")),
        AgedBand("91-180", "91 to 180 days overdue", M("0.00")),
        AgedBand("181-365", "181 to 365 days overdue", M("0.00")),
        AgedBand("over 365", "Over a year overdue", M("0.00")),
    )
    assert (ageing.not_yet_due, ageing.total) == (M("0.00"), M("12.34"))


def test_no_items_is_all_zeros():
    ageing = aged_amounts(iter(()), TODAY)
    assert [str(b.amount) for b in ageing.bands] == ["0.00"] * 6
    assert (str(ageing.not_yet_due), str(ageing.total)) == ("0.00", "0.00")


def test_items_may_come_from_a_generator():
    ageing = aged_amounts(((D("2026-01-01"), M(n)) for n in ("1.00", "2.00")), TODAY)
    assert by_key(ageing)["61-90"] == "3.00"


def test_float_money_is_refused():
    with pytest.raises(TypeError, match="Decimal"):
        aged_amounts([(D("2026-01-01"), 10.5)], TODAY)  # type: ignore[list-item]
    with pytest.raises(ValueError, match="finite"):
        aged_amounts([(D("2026-01-01"), M("Infinity"))], TODAY)


items_strategy = st.lists(
    st.tuples(st.dates(min_value=date(2015, 1, 1), max_value=date(2027, 12, 31)),
              st.decimals(min_value=M("-500.00"), max_value=M("50000.00"), places=2)),
    max_size=30)


@FAST
@given(items_strategy)
def test_every_positive_amount_is_counted_once(items):
    ageing = aged_amounts(items, TODAY)
    positive = [(due, amount) for due, amount in items if amount > 0]
    assert ageing.total == sum((amount for _, amount in positive), M(0))
    assert ageing.not_yet_due == sum((a for due, a in positive if due >= TODAY), M(0))
    assert ageing.overdue + ageing.not_yet_due == ageing.total
    assert [b.key for b in ageing.bands] == [b.key for b in AGE_BANDS]
    assert all(b.amount >= 0 for b in ageing.bands)


@FAST
@given(st.integers(min_value=-400, max_value=4000),
       st.decimals(min_value=M("0.01"), max_value=M("10000.00"), places=2))
def test_one_item_lands_in_the_band_of_its_age(days_late, amount):
    ageing = aged_amounts([(TODAY - timedelta(days=days_late), amount)], TODAY)
    nonzero = [b.key for b in ageing.bands if b.amount]
    if days_late < 1:
        assert (nonzero, ageing.not_yet_due) == ([], amount)
    else:
        band = next(b for b in AGE_BANDS
                    if b.first_day <= days_late and (b.last_day is None or days_late <= b.last_day))
        assert nonzero == [band.key]
        assert ageing.not_yet_due == 0
