from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.domain.limitation import is_statute_barred, limitation_expiry, warning_band


def test_scenario_4_is_statute_barred_on_1_april_2026():
    due = date(2020, 3, 23)
    assert limitation_expiry(due) == date(2026, 3, 23)
    assert is_statute_barred(due, date(2026, 4, 1))
    assert is_statute_barred(due, date(2026, 3, 23))
    assert not is_statute_barred(due, date(2026, 3, 22))


def test_leap_day_due_date_expires_on_28_february():
    assert limitation_expiry(date(2020, 2, 29)) == date(2026, 2, 28)


def test_warning_bands_12_and_6_months_before():
    due = date(2020, 3, 23)
    assert warning_band(due, date(2025, 3, 22), 12, 6) is None
    assert warning_band(due, date(2025, 3, 23), 12, 6) == "first"
    assert warning_band(due, date(2025, 9, 22), 12, 6) == "first"
    assert warning_band(due, date(2025, 9, 23), 12, 6) == "second"
    assert warning_band(due, date(2026, 3, 22), 12, 6) == "second"
    assert warning_band(due, date(2026, 3, 23), 12, 6) == "barred"


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
       st.integers(min_value=0, max_value=4000))
def test_barred_exactly_from_the_expiry_date(due, days_later):
    on = due + timedelta(days=days_later)
    assert is_statute_barred(due, on) == (on >= limitation_expiry(due))
    assert (limitation_expiry(due) - due).days in (2190, 2191, 2192)  # six years of days
