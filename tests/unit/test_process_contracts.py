"""Each shipped diagram keeps its process contract, and each breach is reported on its element."""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from app.engine import diagrams
from app.engine.contract import Kind
from app.models import ROLES
from app.services.legal import legal_contract
from app.services.processes.engine_context import diagram_function_names
from app.services.wiring import CONTRACTS, TASK_CHECKS
from app.tasks import HANDLERS

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
C = "{http://camunda.org/schema/1.0/bpmn}"
B = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def shipped(key: str) -> bytes:
    return (WORKFLOWS / f"{key}.bpmn").read_bytes()


def lint(xml: bytes, key: str):
    return diagrams.lint(xml, roles=ROLES, handlers=HANDLERS,
                         functions=diagram_function_names(), contract=CONTRACTS[key])


def rename_id(xml: bytes, old: str, new: str) -> bytes:
    """What the modeler writes when a manager changes an element's id: every reference too."""
    root = etree.fromstring(xml)
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        for name, value in node.attrib.items():
            if value == old:
                node.set(name, new)
        if (node.text or "").strip() == old:
            node.text = new
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def edit(xml: bytes, change) -> bytes:
    root = etree.fromstring(xml)
    change(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


LOAD_BEARING = [(key, element.id) for key, contract in CONTRACTS.items()
                for element in contract.elements]
PARAMETERS = [(key, handler, name) for key, contract in CONTRACTS.items()
              for handler, rules in contract.handlers.items() for name in rules]


@pytest.mark.parametrize("key", sorted(CONTRACTS))
def test_each_shipped_diagram_keeps_its_contract_with_no_warning(key):
    assert lint(shipped(key), key) == []


@pytest.mark.parametrize("key,element_id", LOAD_BEARING)
def test_renaming_a_load_bearing_element_is_reported_on_it(key, element_id):
    problems = lint(rename_id(shipped(key), element_id, element_id + "_renamed"), key)
    breach = [p for p in problems if f"must keep its id {element_id}" in p.message]
    assert len(breach) == 1 and not breach[0].warning
    # Reported on the element as it is now called, with why it matters.
    assert breach[0].element_id == element_id + "_renamed"
    assert CONTRACTS[key].element(element_id).why in breach[0].message


def test_a_renamed_task_check_names_the_rule_in_a_managers_words():
    problems = lint(rename_id(shipped("legal_recovery"), "issue_claim", "court_claim"),
                    "legal_recovery")
    assert [p.message for p in problems if p.element_id == "court_claim"] == [
        "The user task 'Issue the County Court claim' must keep its id issue_claim: the rule "
        "that no claim is issued before the earliest date the Pre-Action Protocol allows is "
        "attached to it"]


def test_a_deleted_load_bearing_element_is_reported_on_the_process():
    def drop(root):
        timer = root.find(f".//{B}*[@id='earliest_issue_reached']")
        timer.getparent().remove(timer)
    problems = lint(edit(shipped("legal_recovery"), drop), "legal_recovery")
    assert any(p.element_id == "legal_recovery" and "earliest_issue_reached" in p.message
               for p in problems)


@pytest.mark.parametrize("key,handler,name", PARAMETERS)
def test_a_parameter_outside_its_contract_is_reported_on_its_task(key, handler, name):
    rule = CONTRACTS[key].handlers[handler][name]
    bad = "not a variable!" if rule.variable else "no_such_value"
    root = etree.fromstring(shipped(key))
    params = [p for task in root.iter(f"{B}serviceTask") if task.get(f"{C}topic") == handler
              for p in task.iter(f"{C}inputParameter") if p.get("name") == name]
    assert params, f"{key} has no {handler} with {name}"
    params[0].text = bad
    task_id = next(t for t in params[0].iterancestors() if t.tag == f"{B}serviceTask").get("id")
    problems = lint(etree.tostring(root), key)
    assert [p.element_id for p in problems if bad in p.message] == [task_id]


def test_an_expression_where_a_checked_value_belongs_is_refused():
    xml = shipped("debt_recovery").replace(b">debt_reminder_1<", b">${'debt_' + which}<")
    problems = lint(xml, "debt_recovery")
    assert any(p.element_id == "send_reminder_1" and "plain value" in p.message
               for p in problems)


def test_a_step_this_process_cannot_run_is_refused():
    xml = shipped("direct_payment_agreement").replace(
        b'camunda:topic="send_letter"', b'camunda:topic="legal_step"', 1)
    problems = lint(xml, "direct_payment_agreement")
    assert any(p.element_id == "send_agreement" and "cannot run the step 'legal_step'"
               in p.message for p in problems)


def test_a_variable_the_code_reads_must_still_be_recorded_where_it_was():
    xml = shipped("direct_payment_agreement").replace(
        b'id="first_payment_date"', b'id="first_payment_on"')
    problems = lint(xml, "direct_payment_agreement")
    assert [p.element_id for p in problems if "first_payment_date" in p.message] == [
        "countersign_agreement"]


def move_field(xml: bytes, field_id: str, to_task: str) -> bytes:
    def move(root):
        field = root.find(f".//{C}formField[@id='{field_id}']")
        field.getparent().remove(field)
        target = root.find(f".//{B}userTask[@id='{to_task}']")
        form = target.find(f".//{C}formData")
        form.append(field)
    return edit(xml, move)


def test_a_field_the_code_reads_moved_to_another_task_is_refused():
    # The earliest-issue-date rule reads issued_on from the claim task's answers.
    xml = move_field(shipped("legal_recovery"), "issued_on", "claim_response")
    problems = lint(xml, "legal_recovery")
    assert any(p.element_id == "issue_claim" and "issued_on" in p.message for p in problems)


@pytest.mark.parametrize("key,field_id,words", [
    ("legal_recovery", "issued_on", "must stay a date field, not a text one"),
    ("estate_recovery", "grant_known", "must stay a yes/no field"),
    ("legal_recovery", "kind", "must stay a choice field"),
    ("direct_payment_agreement", "recipient_signed_on", "must stay required"),
])
def test_a_field_the_code_parses_keeps_its_type_and_stays_required(key, field_id, words):
    def retype(root):
        field = root.find(f".//{C}formField[@id='{field_id}']")
        if words.endswith("required"):
            for constraint in field.iter(f"{C}constraint"):
                constraint.getparent().remove(constraint)
        else:
            field.set("type", "string")
            for value in list(field.iter(f"{C}value")):
                value.getparent().remove(value)
    problems = lint(edit(shipped(key), retype), key)
    assert any(field_id in p.message and words in p.message for p in problems), problems


def test_a_message_must_be_caught_and_interrupt_where_the_code_needs_it():
    not_interrupting = shipped("debt_recovery").replace(
        b'id="paid_in_full_received"', b'id="paid_in_full_received" cancelActivity="false"')
    problems = lint(not_interrupting, "debt_recovery")
    assert [p.element_id for p in problems if "'paid_in_full' must stop" in p.message] == [
        "paid_in_full_received"]

    def throw_instead(root):
        event = root.find(f".//{B}boundaryEvent[@id='agreement_received']")
        event.tag = f"{B}intermediateThrowEvent"
        del event.attrib["attachedToRef"]
    problems = lint(edit(shipped("direct_payment_agreement"), throw_instead),
                    "direct_payment_agreement")
    assert any("No step waits for the message 'paperwork_received'" in p.message
               for p in problems)


def test_an_answer_the_code_does_not_understand_is_refused_on_its_task():
    xml = shipped("legal_recovery").replace(
        b'<camunda:value id="charging_order"', b'<camunda:value id="bailiffs"')
    problems = lint(xml, "legal_recovery")
    assert [p.element_id for p in problems if "'bailiffs'" in p.message] == [
        "enforcement_decision"]


def test_a_message_the_service_sends_must_still_be_waited_for():
    xml = shipped("debt_recovery").replace(b'name="plan_broken"', b'name="plan_failed"')
    problems = lint(xml, "debt_recovery")
    assert any("'plan_broken'" in p.message and p.element_id == "debt_recovery"
               for p in problems)


def test_start_points_and_the_ids_the_code_uses_are_all_declared():
    for contract in CONTRACTS.values():
        declared = {e.id for e in contract.elements}
        assert set(contract.start_points) <= declared, contract.key
        assert {v.task for v in contract.variables if v.task} <= declared, contract.key
    for table in TASK_CHECKS:
        for key, task_id in table:
            assert CONTRACTS[key].element(task_id).kind == Kind.USER_TASK
    assert CONTRACTS["legal_recovery"].element(
        legal_contract.EARLIEST_ISSUE_TIMER).kind == Kind.TIMER


@pytest.mark.parametrize("key", sorted(CONTRACTS))
def test_the_managers_guide_lists_what_each_contract_holds(key):
    guide = (WORKFLOWS.parent / "docs" / "modelling.md").read_text()
    section = guide.split(f"(`{key}`)", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    contract = CONTRACTS[key]
    named = [e.id for e in contract.elements] + [v.name for v in contract.variables]
    named += [m.name for m in contract.messages] + list(contract.handlers)
    named += [value for variable in contract.variables for value in variable.values or ()]
    missing = [name for name in named if f"`{name}`" not in section]
    assert missing == []


def test_a_step_or_letter_outside_the_tables_fails_at_run_time_too():
    # The contract refuses them at save; a diagram published before it still cannot invent a
    # debt stage or reach a letter with no details.
    from app.errors import NotFound
    from app.services.debts import ladder
    from app.services.direct_payments import letters

    with pytest.raises(ValueError, match="unknown ladder step 'bogus'"):
        ladder.escalate(None, "bogus", {})
    with pytest.raises(NotFound, match="not a direct-payment letter"):
        letters._fields_for("debt_reminder_1", None, {}, None)


def test_the_legal_steps_the_contract_allows_are_the_ones_the_handler_runs():
    from app.tasks import debts

    assert set(debts.LEGAL_STEPS) == legal_contract.LEGAL_STEPS
