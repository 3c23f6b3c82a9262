"""County Court route, deadlines and judgment (app/domain/court.py; DOMAIN.md §2.4, scenario 3).

The MCOL tests change one condition at a time from a claim that qualifies, so dropping or widening
any condition makes one of them fail.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.calendar import deemed_service_cpr_6_14, is_working_day
from app.domain.court import (
    ENFORCEMENT_TYPES,
    MCOL,
    N1,
    ClaimDeadlines,
    Defendant,
    RouteDecision,
    choose_route,
    claim_deadlines,
    default_judgment_available,
    enforcement_horizon,
    judgment_interest_applies,
    register_removal_if_paid_by,
)

D = date.fromisoformat
M = Decimal
FAST = settings(max_examples=150, deadline=None)
LIMIT = M("100000.00")
MR_A = Defendant("Mr A", protected_party=False, address_in_england_wales=True)


def route(amount="1876.40", *defendants: Defendant) -> RouteDecision:
    return choose_route(M(amount), defendants or (MR_A,), mcol_limit=LIMIT)


# --- route: MCOL and each condition failing alone ------------------------------------------------

def test_one_adult_in_england_under_the_limit_goes_to_mcol():
    assert route() == RouteDecision(MCOL, (), False)


def test_two_defendants_may_still_use_mcol():
    assert route("1876.40", MR_A, replace(MR_A, name="Mrs C")) == RouteDecision(MCOL, (), False)


def test_one_penny_under_the_limit_is_mcol():
    assert route("99999.99").route == MCOL


def test_scenario_3_a_protected_party_needs_n1_and_a_litigation_friend():
    decision = route("1876.40", replace(MR_A, protected_party=True))
    assert decision == RouteDecision(
        N1,
        ("Mr A is a protected party: Money Claim Online cannot be used (PD 7E) and a litigation "
         "friend is needed (CPR 21)",),
        True)


def test_exactly_the_limit_is_not_under_it():
    decision = route("100000.00")
    assert decision == RouteDecision(
        N1,
        ("the claim of £100,000.00 is not under the Money Claim Online limit of £100,000.00 "
         "(PD 7E)",),
        False)


def test_three_defendants_need_n1():
    decision = route("1876.40", MR_A, replace(MR_A, name="Mrs C"), replace(MR_A, name="Mr E"))
    assert decision == RouteDecision(
        N1, ("3 defendants: Money Claim Online takes at most 2 (PD 7E)",), False)


def test_an_address_outside_england_and_wales_needs_n1():
    decision = route("1876.40", replace(MR_A, address_in_england_wales=False))
    assert decision == RouteDecision(
        N1,
        ("Mr A's address for service is not in England & Wales: Money Claim Online cannot be "
         "used (PD 7E)",),
        False)


def test_the_postcode_rule_s_reason_is_given_with_the_route():
    # app/domain/postcodes.py says why; the route reason carries it to the officer.
    decision = route("1876.40", replace(
        MR_A, address_in_england_wales=False,
        address_reason="the address is in the Isle of Man, outside England and Wales"))
    assert decision == RouteDecision(
        N1,
        ("Mr A's address for service is not known to be in England & Wales (the address is in "
         "the Isle of Man, outside England and Wales): Money Claim Online cannot be used "
         "(PD 7E)",),
        False)


def test_a_reason_for_an_address_in_england_and_wales_changes_nothing():
    assert route("1876.40", replace(MR_A, address_reason="ignored")) == RouteDecision(
        MCOL, (), False)


def test_a_child_needs_n1_and_a_litigation_friend():
    # CPR 21.2(2): a child must have a litigation friend unless the court orders otherwise.
    decision = route("1876.40", replace(MR_A, is_child=True))
    assert decision.route == N1
    assert decision.reasons == ("Mr A is a child: Money Claim Online cannot be used (PD 7E) and "
                                "a litigation friend is needed (CPR 21)",)
    assert decision.litigation_friend_needed


def test_one_protected_party_among_two_defendants_is_enough_for_n1():
    decision = route("500.00", MR_A, Defendant("Mrs B", True, True))
    assert decision.route == N1 and decision.litigation_friend_needed
    assert [r.split(" is ")[0] for r in decision.reasons] == ["Mrs B"]


def test_every_failing_condition_is_listed_together():
    decision = route(
        "100000.00",
        replace(MR_A, protected_party=True),
        replace(MR_A, name="Mrs C", address_in_england_wales=False),
        replace(MR_A, name="Mr E"),
    )
    assert decision.route == N1
    assert decision.litigation_friend_needed
    assert decision.reasons == (
        "the claim of £100,000.00 is not under the Money Claim Online limit of £100,000.00 (PD 7E)",
        "3 defendants: Money Claim Online takes at most 2 (PD 7E)",
        "Mr A is a protected party: Money Claim Online cannot be used (PD 7E) and a litigation "
        "friend is needed (CPR 21)",
        "Mrs C's address for service is not in England & Wales: Money Claim Online cannot be "
        "used (PD 7E)",
    )


def test_the_limit_comes_from_the_setting():
    assert choose_route(M("60000.00"), [MR_A], mcol_limit=M("50000.00")).route == N1
    assert choose_route(M("60000.00"), [MR_A], mcol_limit=M("150000.00")).route == MCOL


def test_a_claim_needs_a_defendant_and_a_positive_decimal_amount():
    with pytest.raises(ValueError, match="at least one defendant"):
        choose_route(M("10.00"), [], mcol_limit=LIMIT)
    with pytest.raises(ValueError, match="amount must be more than £0.00"):
        choose_route(M("0.00"), [MR_A], mcol_limit=LIMIT)
    with pytest.raises(TypeError, match="amount must be a Decimal"):
        choose_route(1876.40, [MR_A], mcol_limit=LIMIT)


@FAST
@given(
    st.decimals(min_value=M("0.01"), max_value=M("250000.00"), places=2),
    st.lists(st.tuples(st.booleans(), st.booleans(), st.booleans()), min_size=1, max_size=4),
)
def test_mcol_exactly_when_no_condition_fails(amount, flags):
    defendants = [Defendant(f"D{i}", protected, in_ew, child)
                  for i, (protected, in_ew, child) in enumerate(flags)]
    decision = choose_route(amount, defendants, mcol_limit=LIMIT)
    failing = ((amount >= LIMIT) + (len(defendants) > 2)
               + sum(p + (not e) + c for p, e, c in flags))
    assert len(decision.reasons) == failing
    assert (decision.route == MCOL) == (failing == 0)
    assert decision.litigation_friend_needed == any(p or c for p, _, c in flags)


# --- claim deadlines ----------------------------------------------------------------------------

def test_deadlines_in_an_ordinary_month():
    # Served Wed 15 Jul 2026: +14 = Wed 29 Jul, +28 = Wed 12 Aug.
    assert claim_deadlines(D("2026-07-15")) == ClaimDeadlines(
        acknowledgment_by=D("2026-07-29"), defence_by_without_aos=D("2026-07-29"),
        defence_by_with_aos=D("2026-08-12"))


def test_a_deadline_on_the_early_may_bank_holiday_moves_to_tuesday():
    # Served Mon 20 Apr 2026: +14 = Mon 4 May (bank holiday) -> Tue 5 May; +28 = Mon 18 May.
    assert claim_deadlines(D("2026-04-20")) == ClaimDeadlines(
        D("2026-05-05"), D("2026-05-05"), D("2026-05-18"))


def test_a_deadline_on_good_friday_moves_past_easter_monday():
    # Served Fri 20 Mar 2026: +14 = Fri 3 Apr (Good Friday) -> Tue 7 Apr; +28 = Fri 17 Apr.
    assert claim_deadlines(D("2026-03-20")) == ClaimDeadlines(
        D("2026-04-07"), D("2026-04-07"), D("2026-04-17"))


def test_a_deadline_on_the_spring_bank_holiday_moves_to_tuesday():
    # Served Mon 11 May 2026: +14 = Mon 25 May -> Tue 26 May; +28 = Mon 8 Jun.
    assert claim_deadlines(D("2026-05-11")) == ClaimDeadlines(
        D("2026-05-26"), D("2026-05-26"), D("2026-06-08"))


def test_a_deadline_on_the_substitute_boxing_day_moves_to_tuesday():
    # Served Mon 14 Dec 2026: +14 = Mon 28 Dec (substitute Boxing Day) -> Tue 29 Dec;
    # +28 = Mon 11 Jan 2027.
    assert claim_deadlines(D("2026-12-14")) == ClaimDeadlines(
        D("2026-12-29"), D("2026-12-29"), D("2027-01-11"))


def test_a_claim_form_posted_over_easter_runs_from_cpr_6_14_service():
    # Posted Thu 2 Apr 2026: the second business day after is Wed 8 Apr (not Fri 3 or Mon 6).
    served = deemed_service_cpr_6_14(D("2026-04-02"))
    assert served == D("2026-04-08")
    assert claim_deadlines(served) == ClaimDeadlines(
        D("2026-04-22"), D("2026-04-22"), D("2026-05-06"))


def test_deadlines_refuse_a_datetime():
    with pytest.raises(TypeError, match="deemed_served must be a datetime.date"):
        claim_deadlines(datetime(2026, 4, 20, 9, 0))


@FAST
@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)))
def test_deadlines_are_working_days_on_or_just_after_the_period(served):
    deadlines = claim_deadlines(served)
    for deadline, days in ((deadlines.acknowledgment_by, 14),
                           (deadlines.defence_by_without_aos, 14),
                           (deadlines.defence_by_with_aos, 28)):
        assert is_working_day(deadline)
        assert deadline >= served + timedelta(days=days)
        day = served + timedelta(days=days)
        while day < deadline:  # only closed days are skipped
            assert not is_working_day(day)
            day += timedelta(days=1)
    assert deadlines.defence_by_with_aos > deadlines.defence_by_without_aos


# --- default judgment ----------------------------------------------------------------------------

DEADLINES = claim_deadlines(D("2026-04-20"))  # ack/defence Tue 5 May; with AoS Mon 18 May


def test_no_acknowledgment_default_judgment_from_the_day_after_the_deadline():
    assert not default_judgment_available(D("2026-05-05"), DEADLINES, aos_filed=False)
    assert default_judgment_available(D("2026-05-06"), DEADLINES, aos_filed=False)


def test_acknowledged_default_judgment_waits_for_the_28_day_defence_deadline():
    assert not default_judgment_available(D("2026-05-06"), DEADLINES, aos_filed=True)
    assert not default_judgment_available(D("2026-05-18"), DEADLINES, aos_filed=True)
    assert default_judgment_available(D("2026-05-19"), DEADLINES, aos_filed=True)


@pytest.mark.parametrize("aos_filed", [False, True])
def test_no_default_judgment_once_a_defence_is_filed(aos_filed):
    assert not default_judgment_available(D("2026-07-01"), DEADLINES, aos_filed,
                                          defence_filed=True)
    assert default_judgment_available(D("2026-07-01"), DEADLINES, aos_filed)


# --- judgment ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("amount", "applies"), [
    ("4999.99", False), ("5000.00", True), ("5000.01", True), ("6800.00", True), ("560.00", False),
])
def test_statutory_interest_from_the_threshold(amount, applies):
    assert judgment_interest_applies(M(amount), M("5000.00")) is applies


def test_interest_threshold_comes_from_the_setting():
    assert judgment_interest_applies(M("3000.00"), M("2500.00"))
    assert not judgment_interest_applies(M("3000.00"), M("3000.01"))


@pytest.mark.parametrize(("judgment", "removal"), [
    ("2026-05-08", "2026-06-08"),
    ("2026-01-31", "2026-02-28"),  # clamps to the month's end
    ("2028-01-31", "2028-02-29"),  # leap year
    ("2026-12-15", "2027-01-15"),
])
def test_register_removal_if_paid_within_one_calendar_month(judgment, removal):
    assert register_removal_if_paid_by(D(judgment)) == D(removal)


@pytest.mark.parametrize(("judgment", "horizon"), [
    ("2026-05-08", "2032-05-08"),
    ("2024-02-29", "2030-02-28"),  # a leap-day judgment reaches it on 28 February
])
def test_enforcement_needs_permission_six_years_after_judgment(judgment, horizon):
    assert enforcement_horizon(D(judgment)) == D(horizon)


def test_judgment_dates_refuse_a_datetime():
    with pytest.raises(TypeError):
        register_removal_if_paid_by(datetime(2026, 5, 8, 10, 0))
    with pytest.raises(TypeError):
        enforcement_horizon(datetime(2026, 5, 8, 10, 0))


def test_the_five_enforcement_types_each_have_a_description():
    assert set(ENFORCEMENT_TYPES) == {"warrant_of_control", "attachment_of_earnings",
                                      "charging_order", "third_party_debt_order",
                                      "order_to_obtain_information"}
    assert all(text.strip() and "\n" not in text for text in ENFORCEMENT_TYPES.values())
    assert "N316" in ENFORCEMENT_TYPES["order_to_obtain_information"]
    assert "employed" in ENFORCEMENT_TYPES["attachment_of_earnings"]
