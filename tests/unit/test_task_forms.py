"""Reading a task form back from the browser, without Flask: three date boxes, every problem
at once, and a draft's answers shown again."""
from __future__ import annotations

from datetime import date

import pytest

from app.engine.types import FormField
from app.domain.forms import validate_form
from app.web.task_forms import date_from_boxes, field_kind, read_answers, shown_values

FIELDS = [
    FormField(id="signed_on", label="Signed on", type="date", required=True),
    FormField(id="complete", label="Complete", type="boolean", required=True),
    FormField(id="amount", label="Amount", type="money"),
    FormField(id="notes", label="Notes", type="note"),
]


@pytest.mark.parametrize(("parts", "expected"), [
    (["27", "3", "2026"], date(2026, 3, 27)),
    (["29", "2", "2028"], date(2028, 2, 29)),
])
def test_real_dates(parts, expected):
    assert date_from_boxes(parts) == expected


@pytest.mark.parametrize("parts", [["31", "2", "2026"], ["1", "1", "26"], ["x", "1", "2026"],
                                   ["", "1", "2026"]])
def test_dates_that_are_not_real(parts):
    with pytest.raises(ValueError):
        date_from_boxes(parts)


def test_every_problem_comes_back_at_once_and_the_values_are_kept():
    form = {"signed_on-day": "31", "signed_on-month": "2", "signed_on-year": "2026",
            "amount": "12.345", "notes": "kept"}
    answers, raw, errors = read_answers(FIELDS, form, draft=False)
    assert set(errors) == {"signed_on", "complete", "amount"}
    assert raw["signed_on"] == ["31", "2", "2026"] and raw["notes"] == "kept"
    assert answers["notes"] == "kept"


def test_a_draft_needs_no_required_answer():
    _, _, errors = read_answers(FIELDS, {"notes": "later"}, draft=True)
    assert errors == {}


def test_a_drafts_answers_are_shown_as_the_form_shows_them():
    shown = shown_values(FIELDS, {"signed_on": "2026-03-05", "complete": False,
                                  "amount": "12.50"})
    assert shown == {"signed_on": ["5", "3", "2026"], "complete": "false", "amount": "12.50"}


def test_field_kinds():
    assert [field_kind(f) for f in FIELDS] == ["date", "yesno", "money", "textarea"]
    many = FormField(id="e", label="E", type="enum", options=tuple((str(i), str(i))
                                                                    for i in range(9)))
    assert field_kind(many) == "select"


# --- rules a manager sets in the modeler (app/domain/forms.py) ---------------------------------

TODAY = date(2026, 3, 27)


def dated(rules: dict, label="Promised payment date") -> FormField:
    return FormField(id="promised", label=label, type="date", validation=rules)


def problems(fields, data, *, partial=False) -> dict[str, str]:
    _, errors = validate_form(fields, data, partial=partial, today=TODAY)
    return {e.field: e.message for e in errors}


@pytest.mark.parametrize(("rules", "value", "message"), [
    ({"not_in_past": None}, "2026-03-26", "Promised payment date must be today or in the future"),
    ({"not_in_past": None}, "2026-03-27", None),
    ({"not_in_future": None}, "2026-03-28", "Promised payment date must be today or in the past"),
    ({"not_in_future": None}, "2026-03-27", None),
    ({"within": "3 months"}, "2026-06-27", None),
    ({"within": "3 months"}, "2026-06-28",
     "Promised payment date must be within the next 3 months"),
    ({"within": "3 months"}, "2026-03-26",
     "Promised payment date must be within the next 3 months"),
    ({"within": "1 day"}, "2026-03-29", "Promised payment date must be within the next 1 day"),
    ({"within_last": "30 days"}, "2026-02-25", None),
    ({"within_last": "30 days"}, "2026-02-24",
     "Promised payment date must be within the last 30 days"),
    ({"within_last": "30 days"}, "2026-03-28",
     "Promised payment date must be within the last 30 days"),
    ({"not_in_past": None, "within": "3 months"}, "2025-01-03",
     "Promised payment date must be today or in the future"),
])
def test_dates_relative_to_today(rules, value, message):
    found = problems([dated(rules)], {"promised": value})
    assert found.get("promised") == message


def test_today_is_the_uk_date_of_the_clock():
    from datetime import datetime, timezone

    from app import clock
    before = clock.current()
    # 23:30 UTC on 31 May is already 1 June in London (BST).
    clock.install(clock.FixedClock(datetime(2026, 5, 31, 23, 30, tzinfo=timezone.utc)))
    try:
        _, errors = validate_form([dated({"not_in_past": None})], {"promised": "2026-05-31"})
    finally:
        clock.install(before)
    assert [e.message for e in errors] == ["Promised payment date must be today or in the future"]


OUTCOME = FormField(id="outcome", label="Outcome of the call", type="enum", required=True,
                    options=(("spoke_will_pay", "Will pay"), ("no_answer", "No answer")))


def test_required_only_when_a_choice_is_made():
    promised = dated({"required_when": "outcome=spoke_will_pay"})
    assert problems([OUTCOME, promised], {"outcome": "spoke_will_pay"}) == {
        "promised": "Enter the promised payment date"}
    assert problems([OUTCOME, promised], {"outcome": "no_answer"}) == {}
    assert problems([OUTCOME, promised], {"outcome": "spoke_will_pay"}, partial=True) == {}
    assert problems([OUTCOME, promised],
                    {"outcome": "spoke_will_pay", "promised": "2026-04-01"}) == {}


def test_required_when_a_yes_no_answer_is_yes():
    flag = FormField(id="late", label="Late", type="boolean")
    why = FormField(id="why", label="Reason it was late", type="string",
                    validation={"required_when": "late=true"})
    assert problems([flag, why], {"late": True}) == {"why": "Enter the reason it was late"}
    assert problems([flag, why], {"late": "false"}) == {}


def test_a_date_against_another_field():
    start = FormField(id="start", label="Start date", type="date")
    end = FormField(id="end", label="End date", type="date", validation={"not_before": "start"})
    first = FormField(id="first", label="First visit", type="date",
                      validation={"not_after": "start"})
    found = problems([start, end, first],
                     {"start": "2026-04-10", "end": "2026-04-09", "first": "2026-04-11"})
    assert found == {"end": "End date must be the same as or after the start date",
                     "first": "First visit must be the same as or before the start date"}
    assert problems([start, end], {"start": "2026-04-10", "end": "2026-04-10"}) == {}
    assert problems([start, end], {"end": "2026-04-09"}) == {}


def test_a_date_within_a_time_of_another_field():
    start = FormField(id="start", label="Start date", type="date")
    review = FormField(id="review", label="Review date", type="date",
                       validation={"within": "6 months of start"})
    visit = FormField(id="visit", label="Visit date", type="date",
                      validation={"within_last": "14 days of start"})
    data = {"start": "2026-04-10", "review": "2026-10-11", "visit": "2026-03-26"}
    assert problems([start, review, visit], data) == {
        "review": "Review date must be within 6 months after the start date",
        "visit": "Visit date must be within 14 days before the start date"}
    data = {"start": "2026-04-10", "review": "2026-10-10", "visit": "2026-03-27"}
    assert problems([start, review, visit], data) == {}
    # Counted from the other field, not from today: a date long past is fine here.
    assert problems([start, review], {"start": "2020-01-01", "review": "2020-02-01"}) == {}


@pytest.mark.parametrize(("config", "period"), [
    ("3 months", (3, "months")), ("30  Days", (30, "days")), ("1 month", (1, "months")),
    ("3 fortnights", None), ("three months", None), ("0 days", None), ("", None), (None, None),
])
def test_periods(config, period):
    from app.domain.forms import parse_period
    assert parse_period(config) == period


def test_fields_in_a_row_with_the_same_group_are_shown_under_its_heading():
    from app.web.task_forms import sections

    def asked(field_id: str, group: str | None = None) -> FormField:
        return FormField(id=field_id, label=f"{field_id}?", type="boolean",
                         properties={"group": group} if group else {})

    fields = [asked("a", "The charge"), asked("b", "The charge"), asked("c", "The person"),
              asked("d"), asked("f"), asked("e", "The charge")]
    assert [(s.heading, [f.id for f in s.fields]) for s in sections(fields)] == [
        ("The charge", ["a", "b"]), ("The person", ["c"]), (None, ["d", "f"]),
        ("The charge", ["e"])]


@pytest.mark.parametrize(("parts", "message"), [
    (["12", "", "2026"], "First payment date must include a month"),
    (["", "", "2026"], "First payment date must include a day and a month"),
    (["31", "2", "2026"], "First payment date must be a real date"),
    (["1", "1", "26"], "First payment date must be a real date"),
])
def test_date_boxes_say_what_is_wrong_by_the_answers_name(parts, message):
    from app.web.task_forms import date_problem

    first = FormField(id="first_payment_date", label="When should the first payment be made?",
                      type="date", properties={"error_name": "First payment date"})
    assert date_problem(first, parts) == message
