"""The shipped invoice-query diagram (DOMAIN.md A.4): it lints clean against the app's roles,
handlers, functions, settings and its contract; its timers count in working days from settings;
the escalations do not interrupt the work; each type of query has its route; its forms ask
questions; and every element is drawn for the modeler."""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from app.engine import diagrams
from app.models import ROLES, QueryType
from app.services.processes.engine_context import diagram_function_names
from app.services.wiring import CONTRACTS
from app.tasks import HANDLERS

XML = (Path(__file__).resolve().parents[2] / "workflows" / "invoice_query.bpmn").read_bytes()
B = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
C = "{http://camunda.org/schema/1.0/bpmn}"
DI = "{http://www.omg.org/spec/DD/20100524/DI}"
ROOT = etree.fromstring(XML)


def node(element_id: str):
    found = ROOT.find(f".//*[@id='{element_id}']")
    assert found is not None, element_id
    return found


def lint(xml: bytes):
    return diagrams.lint(xml, roles=ROLES, handlers=HANDLERS, functions=diagram_function_names(),
                         contract=CONTRACTS["invoice_query"])


def test_the_diagram_passes_the_save_and_publish_checks():
    assert lint(XML) == []


def test_a_letter_outside_the_query_letters_is_refused_on_its_task():
    problems = lint(XML.replace(b">query_holding<", b">debt_reminder_1<"))
    assert [p.element_id for p in problems if "debt_reminder_1" in p.message] == [
        "send_holding_letter"]


@pytest.mark.parametrize(("timer", "setting"), [
    ("resolution_target_due", "query_resolution_target_working_days"),
    ("manager_escalation_due", "query_manager_escalation_working_days"),
])
def test_the_escalations_are_non_interrupting_timers_in_working_days(timer, setting):
    event = node(timer)
    assert event.tag == f"{B}boundaryEvent" and event.get("cancelActivity") == "false"
    assert event.get("attachedToRef") == "resolve"
    assert event.findtext(f".//{B}timeDate") == (
        f'add_working_days(received_on, setting("{setting}"))')


def test_the_acknowledgement_is_due_within_the_setting_in_working_days():
    assert node("acknowledge_query").get(f"{C}dueDate") == (
        'add_working_days(received_on, setting("query_acknowledgment_working_days"))')


def test_the_holding_letter_goes_at_20_days_before_the_managers_task():
    flows = {f.get("sourceRef"): f.get("targetRef") for f in ROOT.iter(f"{B}sequenceFlow")}
    assert flows["manager_escalation_due"] == "send_holding_letter"
    assert flows["send_holding_letter"] == "escalate_to_manager"
    assert node("escalate_to_manager").get(f"{C}candidateGroups") == "finance_manager"
    assert node("escalate_to_officer").get(f"{C}candidateGroups") == "finance_officer"


def test_every_type_of_query_has_its_route_and_the_rest_a_default():
    gateway = node("route_by_type")
    routes = {f.findtext(f"{B}conditionExpression"): f.get("targetRef")
              for f in ROOT.iter(f"{B}sequenceFlow") if f.get("sourceRef") == "route_by_type"}
    assert {f"query_type == '{t}'" for t in QueryType} | {None} == set(routes)
    default = next(f for f in ROOT.iter(f"{B}sequenceFlow") if f.get("id") == gateway.get(
        "default"))
    assert default.get("targetRef") == "investigate_query"


def test_every_exclusive_gateway_with_a_choice_marks_a_default():
    for gateway in ROOT.iter(f"{B}exclusiveGateway"):
        out = [f for f in ROOT.iter(f"{B}sequenceFlow") if f.get("sourceRef") == gateway.get("id")]
        if len(out) > 1:
            assert gateway.get("default") in {f.get("id") for f in out}, gateway.get("id")


def test_the_query_ends_with_a_terminate_end_so_open_escalations_close():
    end = node("query_closed")
    assert end.find(f"{B}terminateEventDefinition") is not None


def test_every_question_is_a_question_with_its_error_words():
    for field in ROOT.iter(f"{C}formField"):
        assert field.get("label").endswith("?"), field.get("id")
        props = {p.get("id"): p.get("value") for p in field.iter(f"{C}property")}
        assert props.get("error") or props.get("error_name"), field.get("id")


def test_every_element_and_flow_is_drawn():
    drawn = {s.get("bpmnElement") for s in ROOT.iter() if s.get("bpmnElement")}
    process = ROOT.find(f"{B}process")
    elements = {n.get("id") for n in process.iter() if isinstance(n.tag, str) and n.get("id")
                and n.tag != f"{B}process" and not n.tag.startswith(C)
                and n.tag not in (f"{B}conditionExpression", f"{B}timerEventDefinition",
                                  f"{B}terminateEventDefinition", f"{B}timeDate")}
    assert elements - drawn == set()
    assert all(len(e.findall(f"{DI}waypoint")) >= 2 for e in ROOT.iter(
        "{http://www.omg.org/spec/BPMN/20100524/DI}BPMNEdge"))
