"""Reading a diagram safely, turning it into a runnable spec, and checking it (lint).

The XML is parsed once with a hardened lxml parser (no entities, no network, no DTD) and that
tree is handed to SpiffWorkflow, so no second, default parse ever happens.
"""
from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Callable, Collection, Mapping, Protocol

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from app.calendar import COUNT_LIMITS

from . import expressions, flow_check
from .bpmn import BPMN, CAMUNDA, repeated_parameters, service_task_parameters
from .contract import ProcessContract
from .contract import check as check_contract
from .form_rules import form_rule_problems
from .gateway_check import exclusivity_warnings
from .scripting import is_iso_literal, to_python
from .specs import CaseworkParser
from .timer_check import timer_problems
from .types import DiagramError, Problem

# SpiffWorkflow runs these, but an inclusive gateway takes every route whose condition holds,
# and the guide lists only exclusive and parallel gateways.
_REFUSED_GATEWAYS = {f"{BPMN}inclusiveGateway": "an inclusive gateway",
                     f"{BPMN}complexGateway": "a complex gateway"}


class HandlerSignature(Protocol):
    # Read-only, so frozen dataclasses (app/tasks/registry.py) fit.
    @property
    def required(self) -> frozenset[str]: ...

    @property
    def optional(self) -> frozenset[str]: ...


@dataclass(frozen=True)
class ProcessModel:
    key: str
    name: str
    spec: object
    subprocess_specs: dict
    content_hash: str


def content_hash(xml: bytes) -> str:
    return hashlib.sha256(xml).hexdigest()


def parse_xml(xml: bytes) -> etree._ElementTree:
    """Parse untrusted XML; malformed or entity-bearing documents raise DiagramError."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False,
    )
    try:
        tree = etree.ElementTree(etree.fromstring(xml, parser))
    except etree.XMLSyntaxError as exc:
        raise DiagramError([Problem(f"malformed XML: {exc.msg}", line=exc.lineno)]) from exc
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        # A diagram never needs a DTD; refusing it outright also refuses every entity trick.
        raise DiagramError([Problem("a DOCTYPE or entity declaration is not allowed", line=1)])
    return tree


_VALIDATOR: BpmnValidator | None = None


def _validator() -> BpmnValidator:
    global _VALIDATOR
    if _VALIDATOR is None:
        _VALIDATOR = BpmnValidator()
    return _VALIDATOR


def _build(xml: bytes) -> ProcessModel:
    tree = parse_xml(xml)
    parser = CaseworkParser(validator=_validator())
    try:
        parser.add_bpmn_xml(tree, filename="diagram.bpmn")
        process_ids = parser.get_process_ids()
        if not process_ids:
            raise DiagramError([Problem("the diagram has no executable process")])
        key = process_ids[0]
        spec = parser.get_spec(key)
        subprocess_specs = parser.get_subprocess_specs(key)
    except ValidationException as exc:
        raise DiagramError([_problem_from_validation(exc)]) from exc
    process = tree.getroot().find(f"{BPMN}process[@id='{key}']")
    assert process is not None  # the parser just found the process with this id
    name = process.get("name") or key
    return ProcessModel(key, name, spec, subprocess_specs, content_hash(xml))


@lru_cache(maxsize=64)
def load_model(xml: bytes) -> ProcessModel:
    """The runnable spec of a diagram, cached in memory by content (versions never change)."""
    return _build(xml)


_BY_HASH: dict[str, ProcessModel] = {}


def model_by_hash(digest: str, read_xml: Callable[[], bytes]) -> ProcessModel:
    """The model whose content hash is `digest`; `read_xml` is called only when no model with it
    has been built in this process, so a request need not fetch a version's XML at all."""
    model = _BY_HASH.get(digest)
    if model is None:
        xml = read_xml()
        if content_hash(xml) != digest:
            raise ValueError("the diagram's content does not match its hash")
        model = _BY_HASH[digest] = load_model(xml)
    return model


def _problem_from_validation(exc: ValidationException) -> Problem:
    message = str(getattr(exc, "error", None) or exc).splitlines()[0]
    return Problem(message, element_id=getattr(exc, "id", None) or None,
                   line=getattr(exc, "line_number", None) or None)


def lint(
    xml: bytes,
    *,
    roles: Collection[str],
    handlers: Mapping[str, HandlerSignature],
    functions: Collection[str],
    contract: ProcessContract | None = None,
) -> list[Problem]:
    """Every problem in a diagram, each on its element, with the breaches of its process's
    contract and warnings on overlapping conditions. Malformed/unsafe XML raises DiagramError."""
    tree = parse_xml(xml)
    problems: list[Problem] = []
    try:
        _build(xml)
    except DiagramError as exc:
        problems.extend(exc.problems)
    root = tree.getroot()
    lanes = _lane_names(root)
    for task in root.iter(f"{BPMN}userTask"):
        problems.extend(_check_user_task(task, lanes, roles, functions))
    for task in root.iter(f"{BPMN}serviceTask"):
        problems.extend(_check_service_task(task, handlers, functions))
    for timer in root.iter(f"{BPMN}timerEventDefinition"):
        problems.extend(timer_problems(timer, _owner_id(timer), functions))
    for flow in root.iter(f"{BPMN}sequenceFlow"):
        problems.extend(_check_condition(flow, functions))
    for script_task in root.iter(f"{BPMN}scriptTask"):
        problems.extend(_check_script(script_task, functions))
    for gateway in root.iter(f"{BPMN}exclusiveGateway", f"{BPMN}inclusiveGateway"):
        problems.extend(_check_gateway_default(gateway, root))
    problems.extend(_check_gateway_kinds(root))
    problems.extend(flow_check.repeat_problems(root))
    problems.extend(flow_check.waitless_cycle_problems(root))
    if contract is not None:
        problems.extend(check_contract(root, contract, handlers.keys()))
    problems.extend(exclusivity_warnings(root))
    return problems


def _owner_id(node) -> str | None:
    while node is not None and node.get("id") is None:
        node = node.getparent()
    return None if node is None else node.get("id")


def _lane_names(root) -> dict[str, str]:
    lanes = {}
    for lane in root.iter(f"{BPMN}lane"):
        for ref in lane.iter(f"{BPMN}flowNodeRef"):
            lanes[(ref.text or "").strip()] = lane.get("name") or ""
    return lanes


# What parsing pathological text can raise. The expression checks answer any text with problems;
# catching these as well keeps lint() answering with problems (a 422), never a 500.
_UNREADABLE = (RecursionError, MemoryError, ValueError, SyntaxError)
_UNREADABLE_PROBLEM = "could not be read (too long or too deeply nested)"


def _expression_problems(element_id, text, functions, what) -> list[Problem]:
    try:
        messages = _expression_messages(text, functions)
    except _UNREADABLE:
        messages = [_UNREADABLE_PROBLEM]
    return [Problem(f"{what}: {m}", element_id) for m in messages]


def _expression_messages(text, functions) -> list[str]:
    try:
        source = to_python(text)
    except expressions.ExpressionError as exc:
        return [exc.message]
    return (expressions.check_expression(source, allowed_names=functions)
            or _count_problems(ast.parse(source, mode="eval")))


def _count_problems(tree: ast.AST) -> list[str]:
    """A calendar call with a literal count above its bound, e.g. add_working_days(d, 2000000):
    said at save rather than when a case reaches it (the function refuses it then too)."""
    problems = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        limit = COUNT_LIMITS.get(node.func.id)
        counts = node.args[1:2] + [k.value for k in node.keywords if k.arg == "n"]
        for count in counts:
            if (limit is not None and isinstance(count, ast.Constant)
                    and isinstance(count.value, (int, float)) and count.value > limit):
                problems.append(f"{node.func.id}: n must be at most {limit}, not {count.value}")
    return problems


def _check_user_task(task, lanes, roles, functions) -> list[Problem]:
    element_id = task.get("id")
    problems = []
    groups = [g.strip() for g in (task.get(CAMUNDA + "candidateGroups") or "").split(",") if g.strip()]
    role = groups[0] if groups else lanes.get(element_id)
    if not role:
        problems.append(Problem("a user task needs a role (candidate group or lane)", element_id))
    elif len(groups) > 1:
        problems.append(Problem("give a user task one role (candidate group)", element_id))
    elif role not in roles:
        problems.append(Problem(f"unknown role '{role}'", element_id))
    due = task.get(CAMUNDA + "dueDate")
    if due and not is_iso_literal(due):
        problems.extend(_expression_problems(element_id, due, functions, "due date"))
    for field in task.iter(f"{CAMUNDA}formField"):
        if not field.get("id"):
            problems.append(Problem("a form field needs an id", element_id))
        problems.extend(_constraint_problems(element_id, field))
    for form in task.iter(f"{CAMUNDA}formData"):
        problems.extend(form_rule_problems(element_id, form))
    return problems


_LIMITS = {"min": "number", "max": "number", "minlength": "whole number",
           "maxlength": "whole number"}


def _constraint_problems(element_id, field) -> list[Problem]:
    """A min/max/minlength/maxlength constraint needs its limit, or completing the task fails."""
    problems = []
    for constraint in field.iter(f"{CAMUNDA}constraint"):
        kind = _LIMITS.get(constraint.get("name") or "")
        if kind is None:
            continue
        config = (constraint.get("config") or "").strip()
        try:
            valid = bool(config) and (int(config) >= 0 if kind == "whole number"
                                      else Decimal(config).is_finite())
        except (ValueError, ArithmeticError):
            valid = False
        if not valid:
            problems.append(Problem(
                f"the field {field.get('id')}'s {constraint.get('name')} constraint needs a "
                f"{kind} as its config, not '{config}'", element_id))
    return problems


def _check_service_task(task, handlers, functions) -> list[Problem]:
    element_id = task.get("id")
    topic = task.get(CAMUNDA + "topic")
    if task.get(CAMUNDA + "type") != "external" or not topic:
        return [Problem("a service task must be external with a topic naming a handler", element_id)]
    signature = handlers.get(topic)
    if signature is None:
        return [Problem(f"no handler named '{topic}'", element_id)]
    # Read as the engine reads them, so the check sees the values that run.
    given = service_task_parameters(task)
    problems = [Problem(f"the parameter '{name}' is given more than once: keep one", element_id)
                for name in repeated_parameters(task)]
    for missing in sorted(signature.required - given.keys()):
        problems.append(Problem(f"handler '{topic}' needs parameter '{missing}'", element_id))
    for unknown in sorted(given.keys() - signature.required - signature.optional):
        problems.append(Problem(f"handler '{topic}' has no parameter '{unknown}'", element_id))
    for name, value in given.items():
        if value.startswith(("${", "#{")):  # what the engine evaluates; anything else is literal
            problems.extend(_expression_problems(element_id, value, functions, f"parameter {name}"))
    return problems


def _check_condition(flow, functions) -> list[Problem]:
    node = flow.find(f"{BPMN}conditionExpression")
    if node is None or not (node.text or "").strip():
        return []
    source = _source_of(flow)
    if source is not None and source.tag in _REFUSED_GATEWAYS:
        return []  # the gateway itself is refused
    if source is not None and source.tag != f"{BPMN}exclusiveGateway":
        # SpiffWorkflow ignores it (a task's or a parallel gateway's flows are all taken), so the
        # diagram would not do what it shows.
        return [Problem("a condition only has an effect on an arrow out of an exclusive gateway",
                        flow.get("id"))]
    if source is not None and source.get("default") == flow.get("id"):
        # SpiffWorkflow takes the default whenever no other condition holds, ignoring its own.
        return [Problem("the default route is taken when no other condition holds: remove its "
                        "condition, or make another arrow the default", flow.get("id"))]
    return _expression_problems(flow.get("id"), node.text, functions, "condition")


def _source_of(flow):
    """The element a flow leaves: one of its siblings (a flow stays inside its (sub)process)."""
    parent, source_id = flow.getparent(), flow.get("sourceRef")
    return None if parent is None else next(
        (node for node in parent if node.get("id") == source_id), None)


def _check_script(task, functions) -> list[Problem]:
    node = task.find(f"{BPMN}script")
    source = "" if node is None else (node.text or "")
    try:
        messages = (expressions.check_script(source, allowed_names=functions)
                    or _count_problems(ast.parse(source, mode="exec")))
    except _UNREADABLE:
        messages = [_UNREADABLE_PROBLEM]
    return [Problem(f"script: {m}", task.get("id")) for m in messages]


def _check_gateway_kinds(root) -> list[Problem]:
    return [Problem(f"{_REFUSED_GATEWAYS[gateway.tag]} is not supported: use an exclusive gateway "
                    "for a choice, or a parallel gateway to run paths at once", gateway.get("id"))
            for gateway in root.iter(*_REFUSED_GATEWAYS)]


def _check_gateway_default(gateway, root) -> list[Problem]:
    gateway_id = gateway.get("id")
    outgoing = [f for f in root.iter(f"{BPMN}sequenceFlow") if f.get("sourceRef") == gateway_id]
    if len(outgoing) > 1 and not gateway.get("default"):
        # SpiffWorkflow tries conditions in diagram order; a default keeps the choice deterministic.
        return [Problem("a gateway with several outgoing flows needs a default flow", gateway_id)]
    return []
