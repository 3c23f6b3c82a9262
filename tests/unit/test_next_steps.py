"""The "what happens next" sentences from the shipped diagrams' structure (no database)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.engine import diagrams, runner
from app.services.processes.next_steps import day_in_words, timer_sentence

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"


def model(key: str) -> diagrams.ProcessModel:
    return diagrams.load_model((WORKFLOWS / f"{key}.bpmn").read_bytes())


def test_a_day_in_words_names_the_weekday():
    assert day_in_words(date(2027, 1, 11)) == "Monday 11 January 2027"
    assert day_in_words(date(2026, 3, 6)) == "Friday 6 March 2026"


@pytest.mark.parametrize(("timer", "sentence"), [
    ("reminder_1_due", "Reminder 1 will be sent on Monday 11 January 2027 unless the signed "
                       "agreement comes back."),
    ("reminder_2_due", "Reminder 2 will be sent on Monday 11 January 2027 unless the signed "
                       "agreement comes back."),
    ("decision_due", "A task to decide: agreement still not returned will open on Monday "
                     "11 January 2027 unless the signed agreement comes back."),
])
def test_a_direct_payment_timer_says_what_it_sends_and_what_stops_it(timer, sentence):
    follows = runner.what_follows(model("direct_payment_agreement"), timer)
    assert timer_sentence(follows, date(2027, 1, 11)) == sentence


def test_the_ladder_names_its_steps_and_only_the_payment_that_stops_them():
    ladder = model("debt_recovery")
    final = runner.what_follows(ladder, "final_demand_due")
    assert final.next_step == "Send the final demand"
    assert ("paid_in_full", "Paid in full") in final.stopped_by
    assert timer_sentence(final, date(2026, 4, 1)) == (
        "The final demand will be sent on Wednesday 1 April 2026 unless the debt is paid in full.")
    referral = timer_sentence(runner.what_follows(ladder, "referral_due"), date(2026, 4, 1))
    assert referral.startswith("The next step, to refer to the finance officer, will happen on")


def test_an_unknown_element_follows_to_nothing():
    follows = runner.what_follows(model("direct_payment_agreement"), "no_such_step")
    assert follows == runner.WhatFollows(None, None, None, ())
    assert timer_sentence(follows, date(2027, 1, 11)) == (
        "The next step is due on Monday 11 January 2027.")
