"""Action pages read their answers with GOV.UK's error wording, and show back what was typed."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.web.actions.forms import Answers, fingerprint


def boxes(day: str, month: str, year: str) -> dict[str, str]:
    return {"when-day": day, "when-month": month, "when-year": year}


@pytest.mark.parametrize("posted, error", [
    (boxes("", "", ""), "Enter the date of death"),
    (boxes("3", "", "2026"), "The date of death must include a month"),
    (boxes("", "", "2026"), "The date of death must include a day and a month"),
    (boxes("31", "2", "2026"), "The date of death must be a real date"),
    (boxes("3", "2", "26"), "The date of death must be a real date"),
])
def test_a_date_that_is_not_whole_or_real_is_named_in_the_error(posted, error):
    answers = Answers(posted)
    assert answers.date("when", "the date of death") is None
    assert answers.errors == {"when": error}
    assert answers.shown["when"] == [posted["when-day"], posted["when-month"], posted["when-year"]]


def test_a_real_date_is_read():
    answers = Answers(boxes(" 3", "2 ", "2026"))
    assert answers.date("when", "the date") == date(2026, 2, 3) and not answers.errors


@pytest.mark.parametrize("typed, amount", [("40", "40.00"), ("£1,250.5", "1250.50"),
                                           ("0.01", "0.01")])
def test_money_is_read_as_pounds_and_pence(typed, amount):
    answers = Answers({"amount": typed})
    assert answers.money("amount", "the amount") == Decimal(amount) and not answers.errors


@pytest.mark.parametrize("typed, error", [
    ("", "Enter the amount"),
    ("ten", "The amount must be an amount of money, like 125.50"),
    ("NaN", "The amount must be an amount of money, like 125.50"),
    ("1.234", "The amount must not have more than 2 decimal places"),
    ("0", "The amount must be more than £0"),
    ("-5", "The amount must be more than £0"),
    ("1000000", "The amount must be less than £1,000,000"),
])
def test_money_that_is_not_an_amount_says_why(typed, error):
    answers = Answers({"amount": typed})
    assert answers.money("amount", "the amount") is None
    assert answers.errors == {"amount": error} and answers.shown["amount"] == typed


def test_choices_and_yes_no_refuse_what_the_page_did_not_offer():
    answers = Answers({"kind": "other", "sure": "maybe"})
    assert answers.choice("kind", ("standard", "mental_health"),
                          required="Select the type of Breathing Space") is None
    assert answers.yes_no("sure", required="Select yes if you are sure") is None
    assert answers.errors == {"kind": "Select the type of Breathing Space",
                              "sure": "Select yes if you are sure"}


def test_text_is_trimmed_and_limited():
    answers = Answers({"notes": "  hello  ", "long": "x" * 11})
    assert answers.text("notes") == "hello"
    answers.text("long", max_length=10)
    assert answers.errors == {"long": "Enter 10 characters or fewer"}


def test_a_fingerprint_changes_with_what_the_page_showed():
    assert fingerprint(1, "open") == fingerprint(1, "open") != fingerprint(1, "closed")
