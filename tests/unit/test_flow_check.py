"""The check on save refuses loops that would hold a worker or leave a case stuck."""
from __future__ import annotations

import re

import pytest
from lxml import etree

from app.engine import diagrams, flow_check
from app.services.processes.engine_context import diagram_function_names
from app.tasks import HANDLERS
from tests.conftest import REPO

from .bpmn_snippets import diagram

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SCRIPT = '<bpmn:scriptTask id="{id}" name="{name}"><bpmn:script>n = 1</bpmn:script></bpmn:scriptTask>'
ASK = '<bpmn:userTask id="{id}" name="{name}" camunda:candidateGroups="finance_officer" />'
TIMER = ('<bpmn:intermediateCatchEvent id="{id}" name="{name}"><bpmn:timerEventDefinition>'
         '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P1D</bpmn:timeDuration>'
         '</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>')


def flow(source: str, target: str, condition: str | None = None) -> str:
    body = ("" if condition is None else
            f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}'
            '</bpmn:conditionExpression>')
    return (f'<bpmn:sequenceFlow id="{source}_to_{target}" sourceRef="{source}" '
            f'targetRef="{target}">{body}</bpmn:sequenceFlow>')


def loop_through(*elements: str) -> str:
    """start -> gateway -> elements... -> back to the gateway; or, when done, the end."""
    ids = [re.search(r'id="([^"]+)"', e).group(1) for e in elements]
    chain = ["again", *ids, "again"]
    return ('<bpmn:startEvent id="start" /><bpmn:endEvent id="end" />'
            f'<bpmn:exclusiveGateway id="again" name="Again?" default="again_to_{ids[0]}" />'
            + "".join(elements) + flow("start", "again") + flow("again", "end", "done")
            + "".join(flow(a, b) for a, b in zip(chain, chain[1:], strict=False)))


def cycles(body: str) -> list:
    return flow_check.waitless_cycle_problems(etree.fromstring(diagram(body)))


def test_a_loop_of_automatic_steps_is_refused_on_its_first_element():
    problems = cycles(loop_through(SCRIPT.format(id="count", name="Count")))
    assert [p.element_id for p in problems] == ["again"]
    assert "no task for a person, timer or message" in problems[0].message
    assert "'Again?', 'Count'" in problems[0].message
    assert not problems[0].warning


@pytest.mark.parametrize("wait", [ASK.format(id="ask", name="Ask"),
                                  TIMER.format(id="wait", name="Wait a day"),
                                  '<bpmn:receiveTask id="hear" />'])
def test_a_loop_through_a_task_for_a_person_a_timer_or_a_message_passes(wait):
    assert cycles(loop_through(SCRIPT.format(id="count", name="Count"), wait)) == []


def test_a_second_way_round_that_skips_the_wait_is_refused():
    body = loop_through(SCRIPT.format(id="count", name="Count"), ASK.format(id="ask", name="Ask"))
    body += flow("count", "again", "skip")  # round again without asking anyone
    problems = cycles(body)
    assert [p.element_id for p in problems] == ["again"]
    assert "'Count'" in problems[0].message and "'Ask'" not in problems[0].message


def test_a_step_that_flows_into_itself_is_refused():
    body = ('<bpmn:startEvent id="start" />' + SCRIPT.format(id="count", name="Count")
            + flow("start", "count") + flow("count", "count"))
    assert [p.element_id for p in cycles(body)] == ["count"]


def sub_process(inner: str) -> str:
    return ('<bpmn:subProcess id="group" name="Group"><bpmn:startEvent id="in" />'
            f'{inner}<bpmn:endEvent id="out" />{flow("in", "step")}{flow("step", "out")}'
            '</bpmn:subProcess>')


def test_a_sub_process_with_a_wait_in_it_counts_as_one():
    assert cycles(loop_through(sub_process(ASK.format(id="step", name="Ask")))) == []
    problems = cycles(loop_through(sub_process(SCRIPT.format(id="step", name="Sum"))))
    assert [p.element_id for p in problems] == ["again"]


def test_a_loop_inside_a_sub_process_is_refused_on_its_element():
    inner = ('<bpmn:subProcess id="group"><bpmn:startEvent id="in" />'
             + SCRIPT.format(id="sum", name="Sum")
             + '<bpmn:exclusiveGateway id="more" default="more_to_sum" /><bpmn:endEvent id="out" />'
             + flow("in", "sum") + flow("sum", "more") + flow("more", "sum")
             + flow("more", "out", "done") + '</bpmn:subProcess>')
    body = ('<bpmn:startEvent id="start" /><bpmn:endEvent id="end" />' + inner
            + flow("start", "group") + flow("group", "end"))
    assert [p.element_id for p in cycles(body)] == ["sum"]


def test_a_loop_made_with_link_events_is_refused():
    body = ('<bpmn:startEvent id="start" />' + SCRIPT.format(id="count", name="Count")
            + '<bpmn:intermediateThrowEvent id="go"><bpmn:linkEventDefinition name="back" />'
            '</bpmn:intermediateThrowEvent>'
            '<bpmn:intermediateCatchEvent id="land"><bpmn:linkEventDefinition name="back" />'
            '</bpmn:intermediateCatchEvent>'
            + flow("start", "land") + flow("land", "count") + flow("count", "go"))
    assert [p.element_id for p in cycles(body)] == ["count"]


def test_a_large_diagram_is_checked_without_recursion():
    n = 20_000
    scripts = "".join(SCRIPT.format(id=f"s{i}", name=f"Step {i}") for i in range(n))
    flows = "".join(flow(f"s{i}", f"s{(i + 1) % n}") for i in range(n))
    # A recursive walk would raise RecursionError long before 20,000 steps. (No time limit
    # here: a timed unit test fails on a loaded machine; speed belongs in bench/.)
    problems = cycles('<bpmn:startEvent id="start" />' + scripts + flow("start", "s0") + flows)
    assert [p.element_id for p in problems] == ["s0"]
    assert "'Step 4' …" in problems[0].message  # five names, not twenty thousand


@pytest.mark.parametrize("marker", [
    '<bpmn:multiInstanceLoopCharacteristics isSequential="true">'
    '<bpmn:loopCardinality>100000000</bpmn:loopCardinality>'
    '</bpmn:multiInstanceLoopCharacteristics>',
    '<bpmn:standardLoopCharacteristics><bpmn:loopCondition xsi:type="bpmn:tFormalExpression">'
    'True</bpmn:loopCondition></bpmn:standardLoopCharacteristics>',
])
def test_a_task_that_repeats_is_refused_through_the_check_on_save(marker):
    xml = diagram('<bpmn:startEvent id="start" /><bpmn:endEvent id="end" />'
                  f'<bpmn:scriptTask id="count">{marker}<bpmn:script>n = 1</bpmn:script>'
                  '</bpmn:scriptTask>' + flow("start", "count") + flow("count", "end"))
    problems = diagrams.lint(xml, roles={"finance_officer"}, handlers=HANDLERS,
                             functions=diagram_function_names())
    assert [(p.element_id, p.message) for p in problems] == [("count", flow_check.REPEAT_PROBLEM)]


@pytest.mark.parametrize("key", ["debt_recovery", "debt_decision", "estate_recovery"])
def test_the_shipped_loops_pass_because_of_what_they_wait_for(key):
    root = etree.fromstring((REPO / "workflows" / f"{key}.bpmn").read_bytes())
    assert flow_check.waitless_cycle_problems(root) == []
    # The same drawing with every wait made automatic: the check sees its loops.
    for node in root.iter(f"{BPMN}userTask", f"{BPMN}intermediateCatchEvent",
                          f"{BPMN}receiveTask"):
        node.tag = f"{BPMN}scriptTask"
    assert flow_check.waitless_cycle_problems(root)
