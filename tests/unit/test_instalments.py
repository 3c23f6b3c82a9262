"""Tests for app.domain.instalments: schedule, terms and plan position (DOMAIN.md A.3-IP)."""

from dataclasses import asdict
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.domain.instalments import (
    FREQUENCIES,
    METHODS,
    Instalment,
    PlanTerms,
    TermProblem,
    check_terms,
    frequency_text,
    position,
    schedule,
)

D = date.fromisoformat
M = Decimal
FAST = settings(max_examples=75, deadline=None)


def amounts(plan):
    return [str(i.amount) for i in plan]


def dates(plan):
    return [i.due_on.isoformat() for i in plan]


# --- frequencies ---------------------------------------------------------------------------------

def test_frequencies_and_their_wording():
    assert FREQUENCIES == {"weekly", "fortnightly", "four_weekly", "monthly"}
    assert [frequency_text(f) for f in ("weekly", "fortnightly", "four_weekly", "monthly")] == [
        "every week", "every two weeks", "every four weeks", "every month"]


def test_unknown_frequency_has_no_wording():
    with pytest.raises(ValueError, match="unknown frequency 'daily'"):
        frequency_text("daily")


# --- schedule: worked examples -------------------------------------------------------------------

def test_equal_instalments_with_a_smaller_last_one():
    plan = schedule(M("412.50"), M("100.00"), "monthly", D("2026-04-01"))
    assert amounts(plan) == ["100.00", "100.00", "100.00", "100.00", "12.50"]
    assert [i.number for i in plan] == [1, 2, 3, 4, 5]
    assert dates(plan) == ["2026-04-01", "2026-05-01", "2026-06-01", "2026-07-01", "2026-08-01"]


def test_four_weekly_plan_from_monday_6_april_2026():
    plan = schedule(M("1876.40"), M("150.00"), "four_weekly", D("2026-04-06"))
    assert len(plan) == 13
    assert amounts(plan) == ["150.00"] * 12 + ["76.40"]
    assert sum(i.amount for i in plan) == M("1876.40")
    assert plan[0].due_on == D("2026-04-06")
    assert plan[1].due_on == D("2026-05-04")
    assert plan[-1].due_on == D("2027-03-08")
    assert {(b.due_on - a.due_on).days for a, b in pairwise(plan)} == {28}
    assert {i.due_on.weekday() for i in plan} == {0}  # every one a Monday


def test_monthly_dates_keep_the_31st_clamped_to_the_months_end():
    plan = schedule(M("600.00"), M("100.00"), "monthly", D("2026-01-31"))
    assert dates(plan) == ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30",
                           "2026-05-31", "2026-06-30"]


def test_monthly_from_31_january_in_a_leap_year_falls_on_29_february():
    plan = schedule(M("300.00"), M("100.00"), "monthly", D("2028-01-31"))
    assert dates(plan) == ["2028-01-31", "2028-02-29", "2028-03-31"]


def test_monthly_from_29_february_keeps_the_29th_where_there_is_one():
    plan = schedule(M("1300.00"), M("100.00"), "monthly", D("2028-02-29"))
    assert plan[1].due_on == D("2028-03-29")
    assert plan[12].due_on == D("2029-02-28")


@pytest.mark.parametrize("frequency, step", [("weekly", 7), ("fortnightly", 14),
                                             ("four_weekly", 28)])
def test_weekly_kinds_step_a_fixed_number_of_days(frequency, step):
    plan = schedule(M("250.00"), M("100.00"), frequency, D("2026-12-21"))
    assert dates(plan) == [(D("2026-12-21") + timedelta(days=step * n)).isoformat()
                           for n in range(3)]


def test_an_exact_multiple_has_no_smaller_last_instalment():
    assert amounts(schedule(M("300.00"), M("100.00"), "weekly", D("2026-04-06"))) == [
        "100.00", "100.00", "100.00"]


def test_an_amount_above_the_arrears_is_one_payment_of_the_arrears():
    plan = schedule(M("80.00"), M("100.00"), "weekly", D("2026-04-06"))
    assert plan == (Instalment(1, D("2026-04-06"), M("80.00")),)


def test_amounts_are_shown_in_pence_whatever_the_input_scale():
    plan = schedule(M("250"), M("100.000"), "weekly", D("2026-04-06"))
    assert amounts(plan) == ["100.00", "100.00", "50.00"]


def test_plan_terms_give_the_same_schedule():
    terms = PlanTerms(M("412.50"), M("100.00"), "monthly", D("2026-04-01"), "direct_debit")
    assert terms.instalments() == schedule(M("412.50"), M("100.00"), "monthly", D("2026-04-01"))


@pytest.mark.parametrize("arrears, amount, frequency, message", [
    ("0.00", "100.00", "monthly", "arrears must be more than £0.00"),
    ("-5.00", "100.00", "monthly", "arrears must be more than £0.00"),
    ("100.001", "10.00", "monthly", "arrears must be in whole pence"),
    ("100.00", "0.00", "monthly", "instalment amount must be more than £0.00"),
    ("100.00", "-10.00", "monthly", "instalment amount must be more than £0.00"),
    ("100.00", "10.005", "monthly", "instalment amount must be in whole pence"),
    ("100.00", "10.00", "daily", "unknown frequency 'daily'"),
    ("100.00", "10.00", "Monthly", "unknown frequency 'Monthly'"),
])
def test_schedule_refuses_bad_inputs(arrears, amount, frequency, message):
    with pytest.raises(ValueError, match=message):
        schedule(M(arrears), M(amount), frequency, D("2026-04-06"))


def test_schedule_reports_every_bad_input_at_once():
    with pytest.raises(ValueError) as raised:
        schedule(M("0"), M("1.234"), "yearly", D("2026-04-06"))
    text = str(raised.value)
    assert "arrears" in text and "whole pence" in text and "'yearly'" in text


def test_schedule_refuses_float_money():
    with pytest.raises(TypeError, match="Decimal"):
        schedule(M("100.00"), 10.0, "weekly", D("2026-04-06"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="finite"):
        schedule(M("NaN"), M("10.00"), "weekly", D("2026-04-06"))


def test_schedule_refuses_a_plan_that_runs_off_the_calendar():
    with pytest.raises(ValueError, match="too small"):
        schedule(M("1000000.00"), M("0.01"), "weekly", D("2026-04-06"))


# --- schedule: properties ------------------------------------------------------------------------

@st.composite
def plans(draw):
    """(arrears, amount): up to 80 whole instalments plus a remainder, all in pence."""
    amount = draw(st.integers(min_value=1, max_value=500_000))
    whole = draw(st.integers(min_value=0, max_value=80))
    remainder = draw(st.integers(min_value=0, max_value=amount - 1))
    arrears = amount * whole + remainder
    assume(arrears > 0)
    return M(arrears) / 100, M(amount) / 100


frequencies = st.sampled_from(sorted(FREQUENCIES))
first_dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


@FAST
@given(plans(), frequencies, first_dates)
def test_schedule_properties(plan_terms, frequency, first):
    arrears, amount = plan_terms
    plan = schedule(arrears, amount, frequency, first)
    assert sum(i.amount for i in plan) == arrears
    assert all(i.amount == amount for i in plan[:-1])
    assert 0 < plan[-1].amount <= amount
    arrears_p, amount_p = int(arrears * 100), int(amount * 100)
    assert len(plan) == (arrears_p + amount_p - 1) // amount_p  # whole instalments, rounded up
    assert [i.number for i in plan] == list(range(1, len(plan) + 1))
    assert plan[0].due_on == first
    assert all(a.due_on < b.due_on for a, b in pairwise(plan))


@FAST
@given(plans(), first_dates)
def test_monthly_dates_are_first_date_plus_n_months(plan_terms, first):
    plan = schedule(*plan_terms, "monthly", first)
    for n, instalment in enumerate(plan):
        expected_month = (first.month - 1 + n) % 12 + 1
        assert instalment.due_on.month == expected_month
        assert instalment.due_on.day == min(first.day, _month_end(instalment.due_on))


def _month_end(day: date) -> int:
    return ((day.replace(day=1) + relativedelta(months=1)) - timedelta(days=1)).day


# --- check_terms ---------------------------------------------------------------------------------

TODAY = D("2026-03-27")  # a Friday; 10 days later is Monday 6 April 2026
GOOD = dict(arrears=M("1876.40"), amount=M("150.00"), frequency="four_weekly",
            first_date=D("2026-04-06"), method="direct_debit")
RULES = dict(today=TODAY, minimum_amount=M("0.00"), max_months=12, dd_notice_days=10,
             full_income_expenditure=False)


def problems(**changes):
    args = {**GOOD, **RULES, **changes}
    return check_terms(**args)


def fields(found):
    return [p.field for p in found]


def test_good_terms_have_no_problems():
    assert problems() == []


def test_plan_terms_feed_check_terms_by_name():
    terms = PlanTerms(**GOOD)
    assert check_terms(**asdict(terms), **RULES) == []
    assert fields(check_terms(**asdict(terms), **{**RULES, "minimum_amount": M("200.00")})) == [
        "amount"]


def test_amount_below_the_minimum():
    found = problems(minimum_amount=M("200.00"))
    assert found == [TermProblem("amount", "The instalment of £150.00 is below the minimum of "
                                           "£200.00.")]


def test_amount_at_the_minimum_is_accepted():
    assert problems(minimum_amount=M("150.00")) == []


def test_a_zero_minimum_means_no_minimum():
    assert problems(amount=M("0.01"), frequency="weekly", minimum_amount=M("0.00"),
                    full_income_expenditure=True) == []


def test_paying_the_whole_arrears_at_once_is_never_below_the_minimum():
    assert problems(arrears=M("20.00"), amount=M("20.00"), minimum_amount=M("25.00")) == []


def test_amount_greater_than_the_arrears():
    found = problems(arrears=M("100.00"), amount=M("150.00"))
    assert found == [TermProblem("amount", "The instalment of £150.00 is more than the arrears of "
                                           "£100.00.")]
    assert problems(arrears=M("150.00"), amount=M("150.00")) == []


def test_first_date_in_the_past():
    found = problems(method="standing_order", first_date=TODAY - timedelta(days=1))
    assert found == [TermProblem("first_date", "The first payment date must be today or in "
                                               "the future: 26 March 2026 is in the past.")]


def test_first_date_today_is_fine_without_direct_debit():
    assert problems(method="card", first_date=TODAY) == []


def test_direct_debit_needs_ten_days_notice():
    assert problems(first_date=D("2026-04-06")) == []  # exactly 10 days after 27 March
    found = problems(first_date=D("2026-04-05"))
    assert found == [TermProblem("first_date", "A Direct Debit needs 10 days' advance notice: the "
                                               "first collection can be no earlier than 6 April "
                                               "2026.")]


def test_direct_debit_notice_follows_the_setting():
    assert problems(first_date=D("2026-03-30"), dd_notice_days=3) == []
    assert fields(problems(first_date=D("2026-03-29"), dd_notice_days=3)) == ["first_date"]


@pytest.mark.parametrize("method", ["standing_order", "card", "cash_or_cheque"])
def test_other_methods_need_no_notice(method):
    assert problems(method=method, first_date=TODAY + timedelta(days=1)) == []


def test_direct_debit_in_the_past_reports_both_date_problems():
    found = problems(first_date=D("2026-03-20"))
    assert fields(found) == ["first_date", "first_date"]
    assert "in the past" in found[0].message and "no earlier than 6 April 2026" in found[1].message


def test_unknown_method():
    assert METHODS == {"direct_debit", "standing_order", "card", "cash_or_cheque"}
    found = problems(method="bitcoin")
    assert fields(found) == ["method"]
    assert "'bitcoin'" in found[0].message


def test_a_monthly_plan_of_exactly_12_months_needs_no_full_statement():
    # 13 monthly payments: 6 April 2026 .. 6 April 2027, exactly 12 months after the first.
    assert problems(arrears=M("1300.00"), amount=M("100.00"), frequency="monthly") == []


def test_a_monthly_plan_over_12_months_needs_a_full_statement():
    found = problems(arrears=M("1300.01"), amount=M("100.00"), frequency="monthly")
    assert found == [TermProblem(
        "full_income_expenditure",
        "The plan would take 13 months (last payment 6 May 2027). A plan longer than 12 months "
        "needs a full income and expenditure statement with evidence.")]


def test_a_long_plan_is_allowed_with_a_full_statement():
    assert problems(arrears=M("5000.00"), amount=M("100.00"), frequency="monthly",
                    full_income_expenditure=True) == []


def test_weekly_plan_length_is_measured_to_the_last_payment_date():
    # 53 weekly payments end 364 days after the first: inside 12 months.
    assert problems(arrears=M("5300.00"), amount=M("100.00"), frequency="weekly") == []
    # 54 end 371 days after: past 6 April 2027.
    found = problems(arrears=M("5400.00"), amount=M("100.00"), frequency="weekly")
    assert fields(found) == ["full_income_expenditure"]
    assert "13 months (last payment 12 April 2027)" in found[0].message


def test_the_maximum_length_follows_the_setting():
    six_months = dict(arrears=M("700.00"), amount=M("100.00"), frequency="monthly")
    assert problems(**six_months, max_months=6) == []
    assert "would take 6 months" in problems(**six_months, max_months=5)[0].message


@pytest.mark.parametrize("full_statement", [False, True])
def test_a_plan_that_never_finishes_is_a_problem_not_a_crash(full_statement):
    found = problems(arrears=M("1000000.00"), amount=M("0.01"), frequency="weekly",
                     full_income_expenditure=full_statement)
    assert fields(found) == ["amount"]
    assert "never finish" in found[0].message


@pytest.mark.parametrize("changes, field", [
    (dict(arrears=M("0.00")), "arrears"),
    (dict(amount=M("0.00")), "amount"),
    (dict(amount=M("10.005")), "amount"),
    (dict(frequency="daily"), "frequency"),
])
def test_bad_inputs_are_problems_not_exceptions(changes, field):
    assert fields(problems(**changes)) == [field]


def test_every_problem_is_reported_at_once():
    found = problems(arrears=M("100.00"), amount=M("150.00"), minimum_amount=M("200.00"),
                     first_date=D("2026-03-01"), method="bitcoin")
    assert fields(found) == ["method", "amount", "amount", "first_date"]
    found = problems(arrears=M("5000.00"), amount=M("100.00"), frequency="monthly",
                     first_date=D("2026-03-30"), minimum_amount=M("120.00"))
    assert fields(found) == ["amount", "first_date", "full_income_expenditure"]
    assert "would take 49 months" in found[-1].message


@pytest.mark.parametrize("changes", [dict(minimum_amount=M("-1.00")), dict(max_months=0),
                                     dict(dd_notice_days=-1)])
def test_impossible_settings_are_refused(changes):
    with pytest.raises(ValueError):
        problems(**changes)


def test_problems_serialise_like_form_errors():
    assert TermProblem("amount", "x").to_dict() == {"field": "amount", "message": "x"}


@FAST
@given(plans(), frequencies, first_dates, st.integers(min_value=1, max_value=24))
def test_full_statement_needed_exactly_when_the_last_payment_is_past_max_months(
        plan_terms, frequency, first, max_months):
    arrears, amount = plan_terms
    last = schedule(arrears, amount, frequency, first)[-1].due_on
    found = check_terms(arrears, amount, frequency, first, "card", today=first,
                        minimum_amount=M("0.00"), max_months=max_months, dd_notice_days=10,
                        full_income_expenditure=False)
    needs_statement = "full_income_expenditure" in fields(found)
    assert needs_statement == (last > first + relativedelta(months=max_months))


# --- position ------------------------------------------------------------------------------------

# 400.00 at 100.00 a month: 1 April, 1 May, 1 June, 1 July 2026.
PLAN = schedule(M("400.00"), M("100.00"), "monthly", D("2026-04-01"))
GRACE = 7


def at(today, paid, plan=PLAN, grace=GRACE):
    return position(plan, M(paid), D(today), grace)


def test_before_the_first_instalment_the_plan_is_up_to_date():
    p = at("2026-03-31", "0.00")
    assert (p.state, p.due_so_far, p.shortfall, p.missed_on, p.bring_up_to_date_by) == (
        "up_to_date", M("0.00"), M("0.00"), None, None)


def test_on_the_due_date_itself_the_instalment_is_not_missed():
    p = at("2026-04-01", "0.00")
    assert p.state == "up_to_date"
    assert p.due_so_far == M("0.00")


def test_the_day_after_the_due_date_it_is_missed():
    p = at("2026-04-02", "0.00")
    assert p.state == "behind"
    assert p.missed_on == D("2026-04-01")
    assert p.missed_amount == M("100.00")
    assert p.bring_up_to_date_by == D("2026-04-08")
    assert (p.due_so_far, p.paid, p.shortfall) == (M("100.00"), M("0.00"), M("100.00"))


def test_the_last_day_of_grace_is_still_behind():
    assert at("2026-04-08", "0.00").state == "behind"


def test_the_day_after_grace_the_plan_is_broken():
    p = at("2026-04-09", "0.00")
    assert p.state == "broken"
    assert (p.missed_on, p.missed_amount, p.bring_up_to_date_by) == (
        D("2026-04-01"), M("100.00"), D("2026-04-08"))


def test_grace_follows_the_setting():
    assert at("2026-04-15", "0.00", grace=14).state == "behind"
    assert at("2026-04-16", "0.00", grace=14).state == "broken"
    assert at("2026-04-02", "0.00", grace=0).state == "broken"


def test_paying_up_within_grace_returns_the_plan_to_up_to_date():
    assert at("2026-04-05", "100.00").state == "up_to_date"
    p = at("2026-04-09", "100.00")
    assert (p.state, p.missed_on, p.shortfall) == ("up_to_date", None, M("0.00"))


def test_a_part_payment_leaves_the_rest_missed():
    p = at("2026-04-03", "60.00")
    assert (p.state, p.missed_amount, p.shortfall) == ("behind", M("40.00"), M("40.00"))
    p = at("2026-04-09", "60.00")
    assert (p.state, p.missed_amount) == ("broken", M("40.00"))


def test_a_later_missed_instalment_starts_a_fresh_grace_period():
    # April was paid (late or not); May is now overdue: behind on May, not broken on April.
    p = at("2026-05-02", "100.00")
    assert (p.state, p.missed_on, p.missed_amount, p.bring_up_to_date_by) == (
        "behind", D("2026-05-01"), M("100.00"), D("2026-05-08"))
    assert at("2026-05-08", "100.00").state == "behind"
    assert at("2026-05-09", "100.00").state == "broken"


def test_catching_up_the_first_miss_while_a_second_is_overdue_is_behind_not_broken():
    # Nothing paid for April by its grace end, then April's 100 arrives on 3 May with May overdue.
    assert at("2026-04-20", "0.00").state == "broken"
    p = at("2026-05-03", "100.00")
    assert (p.state, p.missed_on) == ("behind", D("2026-05-01"))


def test_two_instalments_missed_reports_the_earliest():
    p = at("2026-05-02", "0.00")
    assert (p.state, p.missed_on, p.missed_amount) == ("broken", D("2026-04-01"), M("100.00"))
    assert (p.due_so_far, p.shortfall) == (M("200.00"), M("200.00"))


def test_overpayment_counts_toward_later_instalments():
    p = at("2026-04-02", "200.00")
    assert (p.state, p.shortfall) == ("up_to_date", M("0.00"))
    assert at("2026-05-02", "200.00").state == "up_to_date"
    p = at("2026-06-02", "250.00")
    assert (p.state, p.missed_on, p.missed_amount) == ("behind", D("2026-06-01"), M("50.00"))


def test_paid_in_full_is_completed_whenever_it_happens():
    assert at("2026-03-01", "400.00").state == "completed"
    p = at("2026-12-01", "450.00")
    assert (p.state, p.missed_on, p.shortfall, p.paid) == (
        "completed", None, M("0.00"), M("450.00"))
    assert at("2026-12-01", "399.99").state == "broken"


def test_the_smaller_last_instalment_completes_the_plan():
    plan = schedule(M("412.50"), M("100.00"), "monthly", D("2026-04-01"))
    p = at("2026-08-02", "400.00", plan=plan)
    assert (p.state, p.missed_on, p.missed_amount) == ("behind", D("2026-08-01"), M("12.50"))
    assert at("2026-08-02", "412.50", plan=plan).state == "completed"


def test_instalments_are_taken_in_date_order_whatever_order_they_come_in():
    assert at("2026-05-02", "100.00", plan=tuple(reversed(PLAN))) == at("2026-05-02", "100.00")


@pytest.mark.parametrize("plan, paid, grace, error", [
    ((), "0.00", 7, "at least one instalment"),
    (PLAN, "-1.00", 7, "paid cannot be negative"),
    (PLAN, "0.00", -1, "grace_days cannot be negative"),
])
def test_position_refuses_impossible_inputs(plan, paid, grace, error):
    with pytest.raises(ValueError, match=error):
        position(plan, M(paid), D("2026-04-02"), grace)


def test_position_refuses_float_money():
    with pytest.raises(TypeError, match="Decimal"):
        position(PLAN, 100.0, D("2026-04-02"), 7)  # type: ignore[arg-type]


@FAST
@given(plans(), frequencies, first_dates, st.integers(min_value=-30, max_value=3000),
       st.integers(min_value=0, max_value=60), st.data())
def test_position_properties(plan_terms, frequency, first, day, grace, data):
    arrears, amount = plan_terms
    plan = schedule(arrears, amount, frequency, first)
    paid = M(data.draw(st.integers(min_value=0, max_value=int(arrears * 100) + 500))) / 100
    today = first + timedelta(days=day)
    p = position(plan, paid, today, grace)

    assert p.due_so_far == sum(i.amount for i in plan if i.due_on < today)
    assert p.shortfall == max(M(0), p.due_so_far - paid)
    assert (p.state == "completed") == (paid >= arrears)
    if paid >= p.due_so_far:
        assert p.state in ("up_to_date", "completed")
    else:
        assert p.state in ("behind", "broken")
    if p.state in ("behind", "broken"):
        assert p.missed_on is not None and p.missed_on < today
        assert 0 < p.missed_amount <= p.shortfall
        assert p.bring_up_to_date_by == p.missed_on + timedelta(days=grace)
        assert (p.state == "broken") == (today > p.bring_up_to_date_by)
        covered = sum(i.amount for i in plan if i.due_on < p.missed_on)
        assert paid >= covered  # everything before missed_on is paid for
    else:
        assert (p.missed_on, p.missed_amount, p.bring_up_to_date_by) == (None, M(0), None)
