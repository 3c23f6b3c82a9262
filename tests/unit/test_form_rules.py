"""The rules on form fields are checked when a manager saves a diagram, with problems in words
(app/engine/form_rules.py, called by diagrams.lint)."""
from __future__ import annotations

import pytest

from app.engine import diagrams

from .bpmn_snippets import user_then_service

ROLES = {"finance_assistant", "finance_officer"}


class Signature:
    required = frozenset({"template"})
    optional = frozenset({"date_var"})


def with_fields(*extra: str) -> bytes:
    """The snippet's user task with more fields after its `amount` (money) field."""
    return user_then_service().replace(
        b"</camunda:formField></camunda:formData>",
        ("</camunda:formField>" + "".join(extra) + "</camunda:formData>").encode(), 1)


def date_field(field_id: str, *rules: str) -> str:
    constraints = "".join(f'<camunda:constraint {r} />' for r in rules)
    return (f'<camunda:formField id="{field_id}" label="{field_id}" type="date">'
            f'<camunda:validation>{constraints}</camunda:validation></camunda:formField>')


OUTCOME = ('<camunda:formField id="outcome" label="Outcome" type="enum">'
           '<camunda:value id="will_pay" name="Will pay" /></camunda:formField>')


def messages(xml: bytes) -> list[str]:
    return [p.message for p in diagrams.lint(xml, roles=ROLES,
                                             handlers={"send_letter": Signature()},
                                             functions=set())]


def test_good_rules_are_no_problem():
    xml = with_fields(OUTCOME, date_field("start", 'name="not_in_future"',
                                          'name="within_last" config="30 days"'),
                      date_field("promised", 'name="not_in_past"',
                                 'name="within" config="3 months"',
                                 'name="required_when" config="outcome=will_pay"',
                                 'name="not_before" config="start"',
                                 'name="within_last" config="10 days of start"'))
    assert messages(xml) == []


@pytest.mark.parametrize(("rule", "message"), [
    ('name="within" config="3 fortnights"',
     "The rule 'within' on the field promised needs a number of days or months, like 3 months "
     "(or 3 months of another date field), not '3 fortnights'"),
    ('name="within_last"',
     "The rule 'within_last' on the field promised needs a number of days or months, like "
     "3 months (or 3 months of another date field), not ''"),
    ('name="not_in_the_past"',
     "The rule 'not_in_the_past' on the field promised is not one the service knows."),
    ('name="not_in_past" config="today"',
     "The rule 'not_in_past' on the field promised needs no config: leave Config empty"),
    ('name="required_when" config="result=will_pay"',
     "The rule 'required_when' on the field promised names 'result', which is not another "
     "field of this form"),
    ('name="required_when" config="outcome"',
     "The rule 'required_when' on the field promised needs a field and an answer, like "
     "outcome=spoke_will_pay, not 'outcome'"),
    ('name="not_before" config="signed_on"',
     "The rule 'not_before' on the field promised names 'signed_on', which is not another "
     "date field of this form"),
    ('name="within" config="3 months of outcome"',
     "The rule 'within' on the field promised names 'outcome', which is not another date "
     "field of this form"),
    ('name="not_after" config="outcome"',
     "The rule 'not_after' on the field promised names 'outcome', which is not another date "
     "field of this form"),
])
def test_a_rule_that_cannot_work_is_a_problem_at_save(rule, message):
    found = messages(with_fields(OUTCOME, date_field("promised", rule)))
    assert len(found) == 1 and found[0].startswith(message), found


def test_a_date_rule_on_a_field_that_is_not_a_date():
    xml = user_then_service().replace(b'<camunda:constraint name="required" />',
                                      b'<camunda:constraint name="not_in_past" />', 1)
    assert messages(xml) == ["The rule 'not_in_past' on the field amount is for date fields only"]


def yes_no_field(*rules: str) -> str:
    constraints = "".join(f'<camunda:constraint {r} />' for r in rules)
    return ('<camunda:formField id="signed" label="Has it been signed?" type="boolean">'
            f'<camunda:validation>{constraints}</camunda:validation></camunda:formField>')


def test_a_yes_only_question_needs_its_message_and_a_yes_no_field():
    good = 'name="yes_only" config="Sign it before you complete this task"'
    assert messages(with_fields(yes_no_field(good))) == []
    assert messages(with_fields(yes_no_field('name="yes_only"')))[0].startswith(
        "The rule 'yes_only' on the field signed needs, as its Config, the message staff see "
        "when they answer no")
    assert messages(with_fields(yes_no_field(f'name="yes_only" config="{"x" * 201}"'))) != []
    assert messages(with_fields(date_field("day", good))) == [
        "The rule 'yes_only' on the field day is for yes/no fields only"]


def test_a_yes_only_question_answered_no_is_refused_with_its_message():
    from app.domain.forms import validate_form
    from app.engine.types import FormField

    field = FormField(id="signed", label="Has it been signed?", type="boolean", required=True,
                      validation={"required": None, "yes_only": "Sign it first"})
    assert validate_form([field], {"signed": False})[1][0].message == "Sign it first"
    assert validate_form([field], {"signed": True}) == ({"signed": True}, [])
