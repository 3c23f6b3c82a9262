"""The Care Act s69(2) DPA test (app/domain/deferred_payment.py; DOMAIN.md §1.1, §1.6, scenario 6).

Each condition is changed alone from scenario 6 (which is blocked), so dropping any one of them
from the rule makes a test fail.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.deferred_payment import (
    OFFER_REQUIRED,
    OUTCOMES,
    SECURED,
    DpaFacts,
    could_enter_dpa,
    court_block,
)

M = Decimal
LIMIT = M("23250.00")
# Scenario 6: Mrs D in a care home, capital excluding the home £12,000, home not disregarded.
MRS_D = DpaFacts(in_care_home=True, owns_property=True, property_disregarded=False,
                 capital_excluding_home=M("12000.00"), upper_capital_limit=LIMIT, outcome=None)


def test_scenario_6_no_offer_on_file_blocks_court_with_the_s69_2_text():
    assert could_enter_dpa(MRS_D)
    assert court_block(MRS_D) == "DPA could be entered into – offer required (Care Act s69(2))"
    assert OFFER_REQUIRED == court_block(MRS_D)


@pytest.mark.parametrize("outcome", ["offered_refused", "ineligible", "not_eligible"])
def test_scenario_6_a_refusal_or_ineligibility_evidence_lifts_the_block(outcome):
    assert court_block(replace(MRS_D, outcome=outcome)) is None
    assert could_enter_dpa(replace(MRS_D, outcome=outcome))  # the facts are unchanged


def test_an_accepted_offer_blocks_court_because_the_dpa_secures_the_debt():
    assert court_block(replace(MRS_D, outcome="offered_accepted")) == (
        "a deferred payment agreement secures this debt")
    assert SECURED == court_block(replace(MRS_D, outcome="offered_accepted"))


@pytest.mark.parametrize("change", [
    {"in_care_home": False},
    {"owns_property": False},
    {"property_disregarded": True},
    {"capital_excluding_home": M("23250.01")},
])
def test_each_condition_failing_alone_means_no_dpa_and_no_block(change):
    facts = replace(MRS_D, **change)
    assert not could_enter_dpa(facts)
    assert court_block(facts) is None


def test_capital_exactly_at_the_upper_limit_does_not_exceed_it():
    assert could_enter_dpa(replace(MRS_D, capital_excluding_home=M("23250.00")))


def test_unknown_capital_is_treated_as_within_the_limit():
    facts = replace(MRS_D, capital_excluding_home=None)
    assert could_enter_dpa(facts)
    assert court_block(facts) == OFFER_REQUIRED


def test_the_upper_limit_comes_from_the_facts():
    assert not could_enter_dpa(replace(MRS_D, upper_capital_limit=M("11999.99")))
    assert could_enter_dpa(replace(MRS_D, capital_excluding_home=M("30000.00"),
                                   upper_capital_limit=M("30000.00")))


def test_an_unknown_outcome_is_refused():
    with pytest.raises(ValueError, match="unknown DPA outcome 'refused'"):
        replace(MRS_D, outcome="refused")


def test_money_must_be_a_non_negative_decimal():
    with pytest.raises(TypeError, match="capital_excluding_home must be a Decimal"):
        replace(MRS_D, capital_excluding_home=12000)
    with pytest.raises(ValueError, match="upper_capital_limit must not be negative"):
        replace(MRS_D, upper_capital_limit=M("-1"))


@settings(max_examples=200, deadline=None)
@given(st.booleans(), st.booleans(), st.booleans(),
       st.one_of(st.none(), st.decimals(min_value=0, max_value=100000, places=2)),
       st.sampled_from(sorted(OUTCOMES, key=str)))
def test_block_matches_the_rule_for_every_combination(home, owns, disregarded, capital, outcome):
    facts = DpaFacts(home, owns, disregarded, capital, LIMIT, outcome)
    could = home and owns and not disregarded and (capital is None or capital <= LIMIT)
    assert could_enter_dpa(facts) == could
    if outcome == "offered_accepted":
        assert court_block(facts) == SECURED
    elif outcome is None and could:
        assert court_block(facts) == OFFER_REQUIRED
    else:
        assert court_block(facts) is None
