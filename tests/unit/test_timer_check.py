"""A timer's problems as a manager reads them at save and publish: one sentence each, saying what
to change, with no parser detail (no "syntax error at line 1, column 3")."""
from __future__ import annotations

import pytest

from app.engine import diagrams
from app.engine.timer_check import expression_problems
from app.services.processes.engine_context import diagram_function_names

from .bpmn_snippets import user_then_service

FUNCTIONS = diagram_function_names()


def problems(text: str, kind: str = "timeDate") -> list[str]:
    return expression_problems(kind, text, FUNCTIONS)


@pytest.mark.parametrize("text", [
    'add_working_days(sent_date, setting("dp_reminder_1_working_days"))',
    "add_working_days(sent_date, 10)",
    "add_calendar_days(today(), 0)",
    'next_working_day(add_calendar_days(invoice_date, setting("debt_reminder_1_days")))',
    "add_months(standing_search_lodged_on, 5)",
    'add_working_days(sent_date, "10")',  # the calendar takes a string of digits
    "${add_working_days(sent_date, 10)}",
])
def test_what_the_modeler_writes_and_the_shipped_timers_pass(text):
    assert problems(text) == []


@pytest.mark.parametrize("text, sentence", [
    ("add_working_days(sent_date, 2.5)", "Write the number of working days as a whole number"),
    ("add_calendar_days(sent_date, 'ten')", "Write the number of days as a whole number"),
    ("add_working_days(sent_date, True)", "Write the number of working days as a whole number"),
    ("add_working_days(sent_date, -1)", "Write the number of working days as 0 or more"),
    ("add_months(sent_date, n=5000)", "Write a number of months no more than 1,200"),
    ("add_working_days(sent_date)",
     "Give the date to count from and the number of working days, and nothing else"),
    ('add_working_days(sent_date, setting("dp_reminder_9_working_days"))',
     "There is no setting called 'dp_reminder_9_working_days': choose one from the settings "
     "list"),
    ('add_working_days(sent_date, setting("council"))',
     "The setting 'council' is not a number of days, so a timer cannot count with it"),
    ("add_working_days(sent_date, setting(dp_reminder_1_working_days))",
     'Name the setting in quotation marks, for example setting("dp_reminder_1_working_days")'),
    ('setting("dp_reminder_1_working_days")',
     "The timer gives a number of days, not a date: say which date to count them from, for "
     "example 10 working days after the date the pack was sent"),
    ("len(sent_date)", "'len' does not work out a date: a Date timer counts from a date with "
     "add_working_days, add_calendar_days, add_months or next_working_day"),
    ("ten working days", "The timer could not be read: check its brackets, commas and quotation "
     "marks, or choose one of the simple forms in the panel"),
    ("add_working_days(sent_date, 10", "The timer could not be read: check its brackets, "
     "commas and quotation marks, or choose one of the simple forms in the panel"),
    ("${add_working_days(sent_date,}", "The timer could not be read: check its brackets, "
     "commas and quotation marks, or choose one of the simple forms in the panel"),
    ("sent_date.__class__", "A timer works out a date from the case's dates, numbers and "
     "settings only: take out '.__class__'"),
])
def test_a_slip_is_said_in_a_sentence(text, sentence):
    assert problems(text) == [sentence]


def test_no_message_names_the_parser():
    for text in ("ad(", "add_working_days(sent_date 10)", "(((", "a b c", "1 +"):
        said = " ".join(problems(text))
        assert said and not any(word in said for word in ("syntax", "line 1", "column"))


@pytest.mark.parametrize("kind, text, sentence", [
    ("timeDate", "P10D", "'P10D' is a length of time, but the timer's type is Date: choose the "
     "type Duration, or give a date"),
    ("timeDuration", "2026-04-01T07:00:00+01:00", "'2026-04-01T07:00:00+01:00' is not a length "
     "of time, but the timer's type is Duration: write one such as P10D, or choose another type"),
    ("timeDuration", "add_working_days(sent_date, 10)", "A Duration timer takes a length of time "
     "such as P10D: to count days from a date, choose the type Date"),
    ("timeDate", "", "Choose when the timer is due: its Date is empty"),
])
def test_a_timer_of_the_wrong_type_says_which_type_to_choose(kind, text, sentence):
    xml = user_then_service(timer=text).replace(
        b"<bpmn:timeDate", f"<bpmn:{kind}".encode()).replace(
        b"</bpmn:timeDate>", f"</bpmn:{kind}>".encode())
    found = diagrams.lint(xml, roles={"finance_assistant", "finance_officer"},
                          handlers={"send_letter": _Letter()}, functions=FUNCTIONS)
    assert [(p.element_id, p.message) for p in found if p.element_id == "waited"] == [
        ("waited", sentence)]


class _Letter:
    required = frozenset({"template"})
    optional = frozenset({"date_var"})


def test_a_contract_offers_its_dates_in_words_for_the_modeler():
    from app.services.debts.recovery_contract import LADDER
    from app.services.direct_payments.direct_payment_contract import CONTRACT

    dates = CONTRACT.dates()
    assert {"name": "sent_date", "words": "the date the pack was sent"} in dates
    assert {d["name"] for d in dates} == {"sent_date", "recipient_signed_on", "first_payment_date"}
    assert LADDER.dates() == [{"name": "r1_date", "words": "the date reminder 1 was sent"}]
