"""Save-time checks on the shape of a diagram's flows: loops that could hold a worker.

SpiffWorkflow runs automatic steps until every path waits for someone or something. A cycle of
sequence flows with nothing in it to wait for (no task for a person, no timer, no message) runs
until the engine gives up, and a repeated task (a loop or multi-instance marker) can run millions
of times: both are refused here, each on its element. Pure functions of the lxml tree; the graph
is walked without recursion, since a manager's diagram may be large.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from .bpmn import BPMN
from .types import Problem

REPEAT_MARKERS = (f"{BPMN}multiInstanceLoopCharacteristics", f"{BPMN}standardLoopCharacteristics")
REPEAT_PROBLEM = ("repeating a task is not supported: draw the loop with a gateway and a task for "
                  "a person or a timer in it")

# Elements a case waits at: a person's task (SpiffWorkflow treats a plain task and a manual task
# as one too), a message, a timer; a call activity is counted as one, its process unseen here.
_WAITING_TAGS = frozenset(f"{BPMN}{tag}" for tag in (
    "userTask", "manualTask", "task", "receiveTask", "intermediateCatchEvent", "callActivity"))
_SCOPE_TAGS = frozenset(f"{BPMN}{tag}" for tag in (
    "process", "subProcess", "transaction", "adHocSubProcess"))
_LINK = f"{BPMN}linkEventDefinition"
_NAMES_SHOWN = 5


def repeat_problems(root) -> list[Problem]:
    """A loop or multi-instance marker on any activity."""
    return [Problem(REPEAT_PROBLEM, marker.getparent().get("id"))
            for marker in root.iter(*REPEAT_MARKERS)]


def waitless_cycle_problems(root) -> list[Problem]:
    """Each cycle of sequence flows, within one process or sub-process, that passes no element a
    case waits at (a sub-process with one inside counts as one), reported on its first element."""
    problems = []
    for scope in root.iter(*_SCOPE_TAGS):
        nodes, edges = _graph(scope)
        for cycle in _cycles(nodes, edges):
            problems.append(Problem(_cycle_message([nodes[i] for i in cycle]), cycle[0]))
    return problems


def _graph(scope) -> tuple[dict, dict[str, list[str]]]:
    """The scope's elements that a case does not wait at, by id in document order, and the
    sequence flows (and link events) between them."""
    children = {child.get("id"): child for child in scope
                if isinstance(child.tag, str) and child.get("id")}
    nodes = {node_id: node for node_id, node in children.items()
             if node.tag != f"{BPMN}sequenceFlow" and not _waits(node)}
    edges: dict[str, list[str]] = {node_id: [] for node_id in nodes}

    def join(source, target):
        if source in nodes and target in nodes:
            edges[source].append(target)

    for flow in scope.iterchildren(f"{BPMN}sequenceFlow"):
        join(flow.get("sourceRef"), flow.get("targetRef"))
    catches: dict[str, list[str]] = {}
    for event in scope.iterchildren(f"{BPMN}intermediateCatchEvent"):
        for link in event.iterchildren(_LINK):
            catches.setdefault(link.get("name"), []).append(event.get("id"))
    for event in scope.iterchildren(f"{BPMN}intermediateThrowEvent"):
        for link in event.iterchildren(_LINK):
            for target in catches.get(link.get("name"), ()):
                join(event.get("id"), target)
    return nodes, edges


def _waits(node) -> bool:
    if node.tag == f"{BPMN}intermediateCatchEvent":
        return node.find(_LINK) is None  # a link event is a jump, not a wait
    if node.tag in _WAITING_TAGS:
        return True
    if node.tag in _SCOPE_TAGS:
        return any(_waits(inner) for inner in node.iterdescendants(*_WAITING_TAGS))
    return False


def _cycles(nodes: dict, edges: dict[str, list[str]]) -> Iterator[list[str]]:
    """The nodes of each cycle (strongly connected component with a loop in it), in document
    order: Tarjan's algorithm with an explicit stack."""
    order = {node_id: n for n, node_id in enumerate(nodes)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(edges[target])))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges[node]:
                    yield sorted(component, key=order.__getitem__)


def _cycle_message(members: Iterable) -> str:
    names = [f"'{m.get('name') or m.get('id')}'" for m in members]
    shown = ", ".join(names[:_NAMES_SHOWN]) + (" …" if len(names) > _NAMES_SHOWN else "")
    return ("this loop has no task for a person, timer or message in it, so a case would go round "
            "it without stopping: put a user task or a timer in the loop (it goes through "
            f"{shown})")
