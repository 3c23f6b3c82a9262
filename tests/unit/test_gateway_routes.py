"""An exclusive gateway takes the one route whose condition holds; two that hold stop the step."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from lxml import etree

from app.engine import diagrams, gateway_check, runner
from app.engine.juel import translate_juel
from app.engine.types import EngineError
from app.models import ROLES
from app.services.processes.engine_context import diagram_function_names
from app.tasks import HANDLERS

from .bpmn_snippets import diagram, user_then_service

DEBT_RECOVERY = Path(__file__).resolve().parents[2] / "workflows" / "debt_recovery.bpmn"


def _shape(element: str, y: int) -> str:
    return (f'<bpmndi:BPMNShape id="{element}_di" bpmnElement="{element}">'
            f'<dc:Bounds x="400" y="{y}" width="100" height="80" /></bpmndi:BPMNShape>')


def choice(first_y: int = 100, second_y: int = 300) -> bytes:
    """ask -> gateway: 'Estate route' if deceased, 'Review' if concern, else 'Carry on'."""
    body = (
        '<bpmn:startEvent id="start" />'
        '<bpmn:userTask id="ask" name="Ask" camunda:candidateGroups="finance_officer">'
        '<bpmn:extensionElements><camunda:formData>'
        '<camunda:formField id="deceased" label="Has the person died?" type="boolean" />'
        '<camunda:formField id="concern" label="Is there a concern?" type="boolean" />'
        '</camunda:formData></bpmn:extensionElements></bpmn:userTask>'
        '<bpmn:exclusiveGateway id="outcome" name="Checklist outcome" default="f_clear" />'
        '<bpmn:userTask id="estate" name="Estate route" camunda:candidateGroups="finance_officer" />'
        '<bpmn:userTask id="review" name="Review" camunda:candidateGroups="finance_manager" />'
        '<bpmn:userTask id="clear" name="Carry on" camunda:candidateGroups="finance_officer" />'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ask" />'
        '<bpmn:sequenceFlow id="f2" sourceRef="ask" targetRef="outcome" />'
        '<bpmn:sequenceFlow id="f_estate" sourceRef="outcome" targetRef="estate">'
        '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">deceased'
        '</bpmn:conditionExpression></bpmn:sequenceFlow>'
        '<bpmn:sequenceFlow id="f_review" sourceRef="outcome" targetRef="review">'
        '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">concern'
        '</bpmn:conditionExpression></bpmn:sequenceFlow>'
        '<bpmn:sequenceFlow id="f_clear" sourceRef="outcome" targetRef="clear" />')
    xml = diagram(body).decode()
    di = ('<bpmndi:BPMNDiagram id="d"><bpmndi:BPMNPlane id="p" bpmnElement="snippet">'
          + _shape("start", 120) + _shape("ask", 100) + _shape("outcome", 120)
          + _shape("estate", first_y) + _shape("review", second_y) + _shape("clear", 500)
          + '</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>')
    xml = xml.replace('xmlns:xsi=', 'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
                      'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:xsi=')
    return xml.replace("</bpmn:definitions>", di + "</bpmn:definitions>").encode()


def _answer(xml: bytes, **answers):
    model = diagrams.load_model(xml)
    ctx = runner.EngineContext({})
    started = runner.start(model, {}, ctx)
    return model, runner.complete_task(model, started.state, started.ready_tasks[0].engine_task_id,
                                       answers, ctx)


def test_two_true_conditions_stop_with_an_incident_naming_both():
    model, result = _answer(choice(), deceased=True, concern=True)
    assert result.incident is not None and not result.incident.held
    assert result.incident.element_id == "outcome"
    assert "'Estate route' (deceased)" in result.incident.error
    assert "'Review' (concern)" in result.incident.error
    assert result.ready_tasks == ()  # no route taken
    # The answers are kept: a retry reaches the gateway again and stops again.
    again = runner.retry(model, result.state, runner.EngineContext({}))
    assert again.incident is not None and again.incident.element_id == "outcome"


def test_one_true_condition_takes_its_route_and_none_takes_the_default():
    _, estate = _answer(choice(), deceased=True, concern=False)
    assert [t.name for t in estate.ready_tasks] == ["estate"]
    _, review = _answer(choice(), deceased=False, concern=True)
    assert [t.name for t in review.ready_tasks] == ["review"]
    _, clear = _answer(choice(), deceased=False, concern=False)
    assert [t.name for t in clear.ready_tasks] == ["clear"]


def test_the_canvas_position_of_the_targets_changes_no_route():
    # SpiffWorkflow alone would take whichever true condition's box is higher on the canvas.
    for first_y, second_y in ((100, 300), (300, 100)):
        _, both = _answer(choice(first_y, second_y), deceased=True, concern=True)
        assert both.incident is not None and both.ready_tasks == ()
        _, review = _answer(choice(first_y, second_y), deceased=False, concern=True)
        assert [t.name for t in review.ready_tasks] == ["review"]


@pytest.mark.parametrize("first,second", [
    ("decision == 'stop'", "decision == 'more_time'"),
    ("decision != 'stop'", "decision == 'stop'"),
    ("outcome in ('a', 'b')", "outcome in ['c']"),
    ("deceased", "concern and not deceased"),
    ("concern or late", "not (concern or late) and missing"),
    ("concern and not deceased", "deceased"),
    ("deceased", "(concern and not deceased) or (late and not deceased)"),
    ("${decision == 'a'}", "#{decision eq 'b'}"),
])
def test_conditions_written_to_exclude_each_other_are_recognised(first, second):
    assert gateway_check.exclusive(_condition(first), _condition(second))


@pytest.mark.parametrize("first,second", [
    ("deceased", "concern"),
    ("decision == 'a'", "other == 'b'"),
    ("decision != 'a'", "decision != 'b'"),
    ("outcome in ('a', 'b')", "outcome == 'b'"),
    ("amount > 5", "amount > 10"),
    ("not deceased", "not concern"),
])
def test_conditions_that_may_both_hold_are_not(first, second):
    assert not gateway_check.exclusive(_condition(first), _condition(second))


def test_the_check_warns_on_the_gateway_with_both_routes_named():
    [warning] = gateway_check.exclusivity_warnings(etree.fromstring(choice()))
    assert (warning.element_id, warning.warning) == ("outcome", True)
    assert "'Estate route' (deceased)" in warning.message and "'Review' (concern)" in warning.message


def _condition(text: str):
    return ast.parse(translate_juel(text), mode="eval").body


# --- the check never answers with an error ------------------------------------------------------
def _debt_recovery_with(condition: str) -> bytes:
    return DEBT_RECOVERY.read_text().replace(
        'tFormalExpression">deceased</bpmn:conditionExpression>',
        f'tFormalExpression">{condition}</bpmn:conditionExpression>', 1).encode()


@pytest.mark.parametrize("condition", [
    "-" * 1980 + "deceased > 0",  # parses, but too deep for the overlap analysis to walk
    "not " * 400 + "deceased",
    "(" * 5000 + "deceased" + ")" * 5000,
    "deceased and",
])
def test_a_condition_the_expression_check_refuses_gets_a_problem_not_an_error(condition):
    xml = _debt_recovery_with(condition)
    assert gateway_check.exclusivity_warnings(etree.fromstring(xml)) == []
    problems = diagrams.lint(xml, roles=ROLES, handlers=HANDLERS,
                             functions=diagram_function_names())
    assert {p.element_id for p in problems} == {"flow_deceased"}


def test_a_gateway_the_analysis_cannot_follow_gets_no_warning(monkeypatch):
    def fails(a, b):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(gateway_check, "exclusive", fails)
    assert gateway_check.exclusivity_warnings(etree.fromstring(choice())) == []


# --- only an exclusive gateway chooses ----------------------------------------------------------
def _lint(xml: bytes):
    return diagrams.lint(xml, roles=ROLES, handlers=HANDLERS, functions=diagram_function_names())


def _messages_on(xml: bytes, element_id: str) -> list[str]:
    return [p.message for p in _lint(xml) if p.element_id == element_id]


CHOOSE_ANOTHER = "use an exclusive gateway for a choice, or a parallel gateway to run paths at once"
NO_EFFECT = "a condition only has an effect on an arrow out of an exclusive gateway"


@pytest.mark.parametrize("kind", ["inclusiveGateway", "complexGateway"])
def test_an_inclusive_or_complex_gateway_is_refused(kind):
    # An inclusive gateway takes every route whose condition holds: both, for a case that meets both.
    xml = choice().replace(b"<bpmn:exclusiveGateway ", f"<bpmn:{kind} ".encode())
    assert any(CHOOSE_ANOTHER in m for m in _messages_on(xml, "outcome"))
    assert _messages_on(xml, "f_estate") == _messages_on(xml, "f_review") == []


def test_a_condition_after_a_parallel_gateway_is_refused_on_its_flow():
    xml = choice().replace(
        b'<bpmn:exclusiveGateway id="outcome" name="Checklist outcome" default="f_clear" />',
        b'<bpmn:parallelGateway id="outcome" name="Checklist outcome" />')
    assert _messages_on(xml, "f_estate") == _messages_on(xml, "f_review") == [NO_EFFECT]
    assert _messages_on(xml, "f_clear") == []


def test_a_condition_on_the_one_flow_out_of_a_task_is_refused_on_its_flow():
    xml = user_then_service().replace(
        b'<bpmn:sequenceFlow id="f3" sourceRef="act" targetRef="after" />',
        b'<bpmn:sequenceFlow id="f3" sourceRef="act" targetRef="after">'
        b'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">amount == 0'
        b'</bpmn:conditionExpression></bpmn:sequenceFlow>')
    assert _messages_on(xml, "f3") == [NO_EFFECT]


def test_conditions_out_of_an_exclusive_gateway_are_still_accepted():
    assert [p for p in _lint(choice()) if not p.warning] == []


def test_an_operator_may_take_one_of_the_routes_that_held_and_no_other():
    model, stopped = _answer(choice(), deceased=True, concern=True)
    ctx = runner.EngineContext({})
    routes = runner.ambiguous_routes(model, stopped.state, ctx)
    assert [(r.gateway_id, r.target_id, r.name) for r in routes] == [
        ("outcome", "estate", "Estate route"), ("outcome", "review", "Review")]
    with pytest.raises(EngineError) as refused:
        runner.choose_route(model, stopped.state, "clear", ctx)
    assert refused.value.conflict
    chosen = runner.choose_route(model, stopped.state, "review", ctx)
    assert chosen.incident is None and [t.name for t in chosen.ready_tasks] == ["review"]
    assert runner.ambiguous_routes(model, chosen.state, ctx) == []


def test_a_condition_on_the_default_route_is_refused():
    xml = choice().replace(b'<bpmn:sequenceFlow id="f_clear" sourceRef="outcome" targetRef="clear" />',
                           b'<bpmn:sequenceFlow id="f_clear" sourceRef="outcome" targetRef="clear">'
                           b'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">False'
                           b'</bpmn:conditionExpression></bpmn:sequenceFlow>')
    problems = diagrams.lint(xml, roles=ROLES, handlers=HANDLERS,
                             functions=diagram_function_names())
    assert [p.element_id for p in problems if "default route" in p.message] == ["f_clear"]
