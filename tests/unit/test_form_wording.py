"""GOV.UK content design in the task forms (issue 19, part 3): every shipped diagram's form asks
questions in staff words, with no statute codes, ids or double negatives in its labels, long
checklists grouped under headings, and errors worded as GOV.UK words them. The rules are in
app/domain/form_wording.py; app/domain/forms.py gives each field its messages."""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from app.domain.form_wording import error_problem, label_problems
from app.domain.forms import KNOWN_PROPERTIES, error_name, missing_message, validate_form
from app.engine.bpmn import BPMN, CAMUNDA
from app.engine.types import FormField

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
# More yes/no questions than this on one page need headings to group them.
MOST_UNGROUPED = 5


def shipped_forms() -> list[tuple[str, str, list[FormField]]]:
    """(diagram, user task id, its fields) for every user task of every shipped diagram."""
    found = []
    for path in sorted(WORKFLOWS.glob("*.bpmn")):
        for task in etree.parse(str(path)).iter(f"{BPMN}userTask"):
            fields = [_field(f) for f in task.iter(f"{CAMUNDA}formField")]
            found.append((path.stem, task.get("id"), fields))
    return found


def _field(node) -> FormField:
    props = {p.get("id"): p.get("value") or "" for p in node.iter(f"{CAMUNDA}property")}
    rules = {c.get("name"): c.get("config") for c in node.iter(f"{CAMUNDA}constraint")}
    return FormField(
        id=node.get("id"), label=node.get("label") or "",
        type=props.get("type") or node.get("type") or "string", required="required" in rules,
        options=tuple((v.get("id"), v.get("name") or "") for v in node.iter(f"{CAMUNDA}value")),
        validation={k: v for k, v in rules.items() if k != "required"}, properties=props)


FORMS = shipped_forms()
FIELDS = [pytest.param(field, id=f"{diagram}-{task}-{field.id}")
          for diagram, task, fields in FORMS for field in fields]


def test_the_shipped_diagrams_have_forms_to_check():
    assert len(FIELDS) > 60


@pytest.mark.parametrize("field", FIELDS)
def test_each_label_is_a_question_in_staff_words(field):
    assert label_problems(field.label, field.type) == [], field.label
    for _, option in field.options:
        assert not label_problems(f"{option}?", "enum"), option  # no codes in the answers


@pytest.mark.parametrize("field", FIELDS)
def test_each_error_is_worded_as_gov_uk_words_it(field):
    message = missing_message(field)
    assert error_problem(message, field.type) is None, message
    if field.type == "boolean":
        assert message.startswith("Select yes if "), message
    # What other messages call the answer is a name, not the question.
    assert not error_name(field).endswith("?")
    assert set(field.properties) <= KNOWN_PROPERTIES


@pytest.mark.parametrize("field", FIELDS)
def test_no_message_a_form_gives_says_is_required(field):
    _, errors = validate_form([field], {})
    assert all("is required" not in e.message for e in errors)


@pytest.mark.parametrize(("diagram", "task", "fields"),
                         [pytest.param(*form, id=f"{form[0]}-{form[1]}") for form in FORMS])
def test_long_checklists_are_grouped_under_headings(diagram, task, fields):
    ungrouped = [f for f in fields if f.type == "boolean" and not f.properties.get("group")]
    assert len(ungrouped) <= MOST_UNGROUPED, (diagram, task)


def test_the_pre_legal_checklist_asks_in_groups():
    _, _, fields = next(form for form in FORMS if form[1] == "pre_legal_checklist")
    headings = list(dict.fromkeys(f.properties["group"] for f in fields
                                  if f.properties.get("group")))
    assert len(headings) == 5
    assert "Have you checked whether the person is in a Breathing Space?" in [
        f.label for f in fields]


@pytest.mark.parametrize(("label", "kind", "problem"), [
    ("All required signatures present is required", "boolean", "not as a message"),
    ("Deferred payment test (Care Act s69(2))?", "enum", "statute"),
    ("(f) Has the Breathing Space been checked?", "boolean", "checklist letters"),
    ("Land Registry title number (CPR 73)?", "string", "statute"),
    ("Standing search (PA1S) lodged on?", "date", "statute"),
    ("Is the first_payment_date right?", "date", "ids"),
    ("Countersigned by the council", "boolean", "question mark"),
    ("Checked: no Breathing Space?", "boolean", "without a negative"),
    ("Has the person not replied?", "boolean", "without a negative"),
])
def test_wording_the_checks_refuse(label, kind, problem):
    assert any(problem in found for found in label_problems(label, kind))


@pytest.mark.parametrize(("message", "kind"), [
    ("Are all the required signatures present is required", "boolean"),
    ("Select the signatures", "boolean"),
    ("Outcome must be chosen", "enum"),
    ("Enter the claim number.", "string"),
    ("Select the date", "date"),
])
def test_error_wording_the_checks_refuse(message, kind):
    assert error_problem(message, kind) is not None


def test_messages_name_the_answer_not_the_question():
    first = FormField(id="first_payment_date", label="When should the first payment be made?",
                      type="date", required=True, validation={"not_in_past": None},
                      properties={"error": "Enter the first payment date"})
    assert validate_form([first], {})[1][0].message == "Enter the first payment date"
    late = validate_form([first], {"first_payment_date": "2000-01-01"})[1][0].message
    assert late == "First payment date must be today or in the future"
    named = FormField(id="paid", label="How much was paid?", type="money", required=True,
                      properties={"error_name": "Amount paid"})
    assert missing_message(named) == "Enter the amount paid"
    assert validate_form([named], {"paid": "12.345"})[1][0].message == (
        "Amount paid must be an amount of money, like 125.50")


def _saved(field: str) -> list[tuple[str, bool]]:
    """(message, warning) for each problem the modeler's save finds in the snippet's form with
    `field` added after its amount."""
    from app.engine import diagrams

    from .bpmn_snippets import user_then_service
    from .test_form_rules import ROLES, Signature

    xml = user_then_service().replace(b"</camunda:formField></camunda:formData>",
                                      f"</camunda:formField>{field}</camunda:formData>".encode(),
                                      1)
    return [(p.message, p.warning) for p in diagrams.lint(
        xml, roles=ROLES, handlers={"send_letter": Signature()}, functions=set())]


def _yes_no(label: str, *props: tuple[str, str]) -> str:
    given = "".join(f'<camunda:property id="{k}" value="{v}" />' for k, v in props)
    return (f'<camunda:formField id="signed" label="{label}" type="boolean">'
            f'<camunda:properties>{given}</camunda:properties></camunda:formField>')


def test_the_modeler_takes_the_wording_properties():
    assert _saved(_yes_no("Are all the signatures present?",
                          ("hint", "On every page"), ("group", "The agreement"),
                          ("error", "Select yes if all the signatures are present"),
                          ("error_name", "Signatures"))) == []


def test_the_modeler_warns_of_wording_a_manager_should_change():
    found = _saved(_yes_no("(f) Checked: no Breathing Space", ("error", "Signed is required"),
                           ("colour", "red")))
    assert all(warning for _, warning in found)  # wording never stops publishing
    said = " ".join(message for message, _ in found)
    assert "checklist letters" in said and "without a negative" in said
    assert "Start the error message with 'Select yes if'" in said
    assert "The property 'colour' on the field signed is not one the service reads" in said


def test_an_empty_wording_property_is_a_problem():
    assert (("The property 'hint' on the field signed is empty: write its words, or remove it",
             False) in _saved(_yes_no("Is it signed?", ("hint", " "))))
