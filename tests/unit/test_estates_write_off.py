"""Estate dates and write-off proposals (app/domain/estates.py, app/domain/write_off.py;
DOMAIN.md §5, A.3-D and A.3-WO)."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.calendar import is_working_day, working_days_between
from app.domain.estates import (
    dpa_due_date,
    final_account_due,
    s27_claim_window_end,
    standing_search_renewal,
)
from app.domain.limitation import limitation_expiry
from app.domain.write_off import REASONS, check_proposal

D = date.fromisoformat
M = Decimal
FAST = settings(max_examples=150, deadline=None)
some_dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


# --- estates -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("death", "due"), [
    ("2026-03-01", "2026-05-30"),  # a Saturday: calendar days, not moved to a working day
    ("2026-01-15", "2026-04-15"),
    ("2027-12-10", "2028-03-09"),  # across a leap February
])
def test_a_dpa_debt_is_due_90_days_after_death(death, due):
    assert dpa_due_date(D(death)) == D(due)


@pytest.mark.parametrize(("lodged", "renewal"), [
    ("2026-04-01", "2026-10-01"),
    ("2026-08-31", "2027-02-28"),  # clamps to the month's end: the earlier, safe date
    ("2027-08-31", "2028-02-29"),
])
def test_a_standing_search_runs_out_after_six_months(lodged, renewal):
    assert standing_search_renewal(D(lodged)) == D(renewal)


@pytest.mark.parametrize(("notice", "window_end"), [
    ("2026-04-01", "2026-06-01"),
    ("2026-12-31", "2027-02-28"),
    ("2026-10-31", "2026-12-31"),
])
def test_a_s27_notice_gives_at_least_two_months(notice, window_end):
    assert s27_claim_window_end(D(notice)) == D(window_end)


def test_final_account_within_working_days_over_easter():
    # Notified Wed 1 Apr 2026: Thu 2 (1), Good Friday and Easter Monday skipped, Tue 7 (2),
    # then Wed 8 to Fri 10 (3-5) and Mon 13 to Fri 17 (6-10).
    assert final_account_due(D("2026-04-01"), 2) == D("2026-04-07")
    assert final_account_due(D("2026-04-01"), 10) == D("2026-04-17")


def test_final_account_over_christmas_2026():
    # Notified Wed 23 Dec: Thu 24 (1), Fri 25 and Mon 28 Dec closed, Tue 29 (2), Wed 30 (3).
    assert final_account_due(D("2026-12-23"), 3) == D("2026-12-30")


@pytest.mark.parametrize("days", [0, -1, 2.0, True])
def test_final_account_needs_a_whole_number_of_days(days):
    with pytest.raises(ValueError, match="working_days"):
        final_account_due(D("2026-04-01"), days)


@pytest.mark.parametrize("rule", [dpa_due_date, standing_search_renewal, s27_claim_window_end])
def test_estate_dates_refuse_a_datetime(rule):
    with pytest.raises(TypeError, match="must be a datetime.date"):
        rule(datetime(2026, 4, 1, 9, 0))


@FAST
@given(some_dates, st.integers(min_value=1, max_value=60))
def test_final_account_is_exactly_n_working_days_on(notified, days):
    due = final_account_due(notified, days)
    assert is_working_day(due)
    assert working_days_between(notified, due) == days


@FAST
@given(some_dates)
def test_estate_periods_are_their_length_in_days(start):
    assert (dpa_due_date(start) - start).days == 90
    assert 181 <= (standing_search_renewal(start) - start).days <= 184
    assert 59 <= (s27_claim_window_end(start) - start).days <= 62


# --- write-off -----------------------------------------------------------------------------------

TODAY = D("2026-04-01")
BARRED_ON = limitation_expiry(D("2020-03-23"))  # scenario 4: Mon 23 Mar 2026


def test_the_six_reasons_have_labels():
    assert set(REASONS) == {"statute_barred", "deceased_no_estate", "uneconomic", "gone_away",
                            "bankruptcy_or_dro", "court_remitted"}
    assert all(label.strip() for label in REASONS.values())
    assert "s69(3)" in REASONS["statute_barred"]


def test_scenario_4_a_statute_barred_write_off_is_in_order():
    assert check_proposal("statute_barred", M("560.00"), statute_barred_on=BARRED_ON,
                          today=TODAY) == []


def test_a_statute_barred_write_off_on_the_day_it_became_barred_is_in_order():
    assert check_proposal("statute_barred", M("560.00"), statute_barred_on=BARRED_ON,
                          today=D("2026-03-23")) == []


def test_a_debt_not_yet_barred_cannot_be_written_off_as_statute_barred():
    assert check_proposal("statute_barred", M("560.00"), statute_barred_on=BARRED_ON,
                          today=D("2026-03-22")) == [
        "the debt is not statute-barred until Mon 23 March 2026"]


def test_statute_barred_needs_the_barred_date():
    assert check_proposal("statute_barred", M("560.00"), statute_barred_on=None,
                          today=TODAY) == [
        "statute-barred, but the date the debt became barred is not recorded"]


@pytest.mark.parametrize("reason", sorted(set(REASONS) - {"statute_barred"}))
def test_other_reasons_do_not_need_the_debt_to_be_barred(reason):
    assert check_proposal(reason, M("412.50"), statute_barred_on=None, today=TODAY) == []
    assert check_proposal(reason, M("412.50"), statute_barred_on=D("2030-01-01"),
                          today=TODAY) == []


def test_an_unknown_reason_is_a_problem():
    assert check_proposal("bored", M("412.50"), statute_barred_on=None, today=TODAY) == [
        "unknown write-off reason 'bored'; expected one of statute_barred, deceased_no_estate, "
        "uneconomic, gone_away, bankruptcy_or_dro, court_remitted"]


@pytest.mark.parametrize("amount", ["0.00", "-412.50", "0"])
def test_an_amount_of_nothing_or_less_is_a_problem(amount):
    assert check_proposal("uneconomic", M(amount), statute_barred_on=None, today=TODAY) == [
        f"a write-off must be for more than £0.00, got {amount}"]


def test_a_fraction_of_a_penny_is_a_problem():
    assert check_proposal("uneconomic", M("12.505"), statute_barred_on=None, today=TODAY) == [
        "a write-off must be in whole pence, got 12.505"]


def test_every_problem_is_reported_together():
    problems = check_proposal("statute_barred", M("0.00"), statute_barred_on=D("2026-03-23"),
                              today=D("2026-03-01"))
    assert problems == ["a write-off must be for more than £0.00, got 0.00",
                        "the debt is not statute-barred until Mon 23 March 2026"]


def test_amount_must_be_a_decimal_and_today_a_date():
    with pytest.raises(TypeError, match="amount must be a Decimal"):
        check_proposal("uneconomic", 412.5, statute_barred_on=None, today=TODAY)
    with pytest.raises(TypeError, match="today must be a datetime.date"):
        check_proposal("uneconomic", M("1.00"), statute_barred_on=None,
                       today=datetime(2026, 4, 1, 9, 0))


@FAST
@given(some_dates, st.integers(min_value=-400, max_value=400))
def test_statute_barred_is_accepted_exactly_from_the_barred_date(barred_on, offset):
    today = barred_on + timedelta(days=offset)
    problems = check_proposal("statute_barred", M("560.00"), statute_barred_on=barred_on,
                              today=today)
    assert (problems == []) == (today >= barred_on)


def test_every_code_of_the_legal_stage_has_staff_words():
    from app.domain.legal_words import BOX_WORDS, DPA_SAID, REASON_WORDS
    from app.domain.write_off import REASONS
    from app.services.legal.deferred_payment_test import DPA_OUTCOMES
    from app.services.legal.pap_replies import REPLY_BOXES

    assert set(REASON_WORDS) == set(REASONS)
    assert set(DPA_SAID) == set(DPA_OUTCOMES)
    assert set(BOX_WORDS) >= set(REPLY_BOXES)
    assert not any("s69" in label or "Care Act" in label for label, _ in REASON_WORDS.values())
