"""Reading a task form back from the browser, without Flask: three date boxes, every problem
at once, and a draft's answers shown again."""
from __future__ import annotations

from datetime import date

import pytest

from app.engine.types import FormField
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
