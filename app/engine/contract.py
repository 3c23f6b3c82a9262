"""Process contracts: what the code relies on in a diagram, and the check that it is still there.

Each capability declares the contract of its processes (app/services/*_contract.py): the element
ids it looks up, the values each service-task parameter may take, the variables it reads back from
the diagram's forms, the messages it sends and the steps a case may start at. A manager may change
anything else; a diagram that breaks its contract cannot be published. Pure: lxml trees only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Collection, Iterable, Mapping

from .types import Problem

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
CAMUNDA = "{http://camunda.org/schema/1.0/bpmn}"
_VARIABLE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


class Kind(StrEnum):
    USER_TASK = "user task"
    SERVICE_TASK = "service task"
    TIMER = "timer"
    MESSAGE_EVENT = "message event"
    GATEWAY = "gateway"


@dataclass(frozen=True)
class Element:
    """An element the code looks up by its id."""
    id: str
    kind: Kind
    name: str  # its name when the contract was written, for messages when it has gone
    why: str  # what relies on it, in a manager's words: "the rule that … is attached to it"


@dataclass(frozen=True)
class Parameter:
    """The values one parameter of a handler may take in this process.

    `values` is the whole list the code understands; `variable` says the value names a process
    variable (e.g. where a letter's date is kept). A parameter not listed takes no checked value.
    """
    why: str
    values: frozenset[str] = frozenset()
    variable: bool = False


@dataclass(frozen=True)
class Variable:
    """A value the code reads back from the process: a form field or a step must set it."""
    name: str
    why: str
    # The answers the code understands, when the field offers a choice.
    values: frozenset[str] | None = None


@dataclass(frozen=True)
class Message:
    name: str
    why: str


@dataclass(frozen=True)
class ProcessContract:
    key: str
    elements: tuple[Element, ...] = ()
    # handler name -> parameter name -> what it may be; handlers not named here may not be used.
    handlers: Mapping[str, Mapping[str, Parameter]] = field(default_factory=dict)
    variables: tuple[Variable, ...] = ()
    messages: tuple[Message, ...] = ()
    # Element ids a case may be started at part-way (the go-live loader); each is in `elements`.
    start_points: tuple[str, ...] = ()

    def element(self, element_id: str) -> Element:
        """The declared element; a KeyError here means code uses an id its contract omits."""
        for element in self.elements:
            if element.id == element_id:
                return element
        raise KeyError(f"{element_id} is not in the contract of {self.key}")

    def load_bearing(self) -> list[dict[str, str]]:
        """Each declared element with why it matters, for the modeler to mark."""
        return [{"element_id": e.id, "kind": str(e.kind), "why": e.why} for e in self.elements]


# --- reading the diagram -------------------------------------------------------------------------
@dataclass(frozen=True)
class _Found:
    id: str
    kind: Kind | None
    name: str


def _kind_of(node) -> Kind | None:
    tag = node.tag.replace(BPMN, "")
    if tag == "userTask":
        return Kind.USER_TASK
    if tag == "serviceTask":
        return Kind.SERVICE_TASK
    if tag.endswith("Gateway"):
        return Kind.GATEWAY
    if tag in ("intermediateCatchEvent", "boundaryEvent", "startEvent"):
        if node.find(f"{BPMN}timerEventDefinition") is not None:
            return Kind.TIMER
        if node.find(f"{BPMN}messageEventDefinition") is not None:
            return Kind.MESSAGE_EVENT
    return None


def _elements(process) -> dict[str, _Found]:
    found = {}
    for node in process.iter():
        if isinstance(node.tag, str) and node.get("id") and node.tag.startswith(BPMN):
            found[node.get("id")] = _Found(node.get("id"), _kind_of(node), node.get("name") or "")
    return found


def _form_fields(process) -> dict[str, list]:
    fields: dict[str, list] = {}
    for task in process.iter(f"{BPMN}userTask"):
        for form_field in task.iter(f"{CAMUNDA}formField"):
            fields.setdefault(form_field.get("id") or "", []).append(form_field)
    return fields


def _parameters(task) -> dict[str, str]:
    return {p.get("name"): (p.text or "").strip() for p in task.iter(f"{CAMUNDA}inputParameter")}


def _set_by_steps(process) -> set[str]:
    """Variables a service task names as where it keeps its result (a `..._var` parameter)."""
    names = set()
    for task in process.iter(f"{BPMN}serviceTask"):
        names.update(v for k, v in _parameters(task).items() if k.endswith("_var") and v)
    return names


# --- the check -------------------------------------------------------------------------------------
def check(root, contract: ProcessContract, known_handlers: Collection[str] = ()) -> list[Problem]:
    """Every breach of `contract` in the diagram `root`, each on its element in plain words.

    A handler outside `known_handlers` is left to the caller, which reports it as unknown."""
    process = root.find(f"{BPMN}process[@id='{contract.key}']")
    if process is None:
        return []  # a diagram for another process key is reported by the caller
    found = _elements(process)
    return [
        *_element_problems(contract, found),
        *_handler_problems(process, contract, known_handlers),
        *_variable_problems(process, contract),
        *_message_problems(root, process, contract),
    ]


def _label(found: _Found | None, element: Element) -> str:
    return (found.name if found and found.name else element.name) or element.id


def _element_problems(contract: ProcessContract, found: Mapping[str, _Found]) -> Iterable[Problem]:
    for element in contract.elements:
        present = found.get(element.id)
        if present is None:
            # Most often a renamed id: point at the element that still has the name, if any.
            same = next((f for f in found.values()
                         if f.kind == element.kind and f.name == element.name), None)
            yield Problem(f"The {element.kind} '{element.name}' must keep its id "
                          f"{element.id}: {element.why}",
                          same.id if same else contract.key)
        elif present.kind != element.kind:
            yield Problem(f"'{_label(present, element)}' ({element.id}) must stay a "
                          f"{element.kind}: {element.why}", element.id)


def _handler_problems(process, contract: ProcessContract, known_handlers: Collection[str]
                      ) -> Iterable[Problem]:
    for task in process.iter(f"{BPMN}serviceTask"):
        handler = task.get(f"{CAMUNDA}topic") or ""
        rules = contract.handlers.get(handler)
        if rules is None and handler not in known_handlers:
            continue
        if rules is None:
            allowed = ", ".join(sorted(contract.handlers)) or "none"
            yield Problem(f"This process cannot run the step '{handler}'; the steps it can "
                          f"run are: {allowed}", task.get("id"))
            continue
        for name, value in _parameters(task).items():
            rule = rules.get(name)
            if rule is not None:
                yield from _parameter_problems(task.get("id"), name, value, rule)


def _parameter_problems(element_id: str, name: str, value: str, rule: Parameter
                        ) -> Iterable[Problem]:
    if value.startswith(("${", "#{")):
        yield Problem(f"Write '{name}' as a plain value, not an expression, so it can be "
                      f"checked before publishing ({rule.why})", element_id)
    elif rule.variable and not _VARIABLE_NAME.match(value):
        yield Problem(f"'{name}' must be a variable name in lower case letters, digits and "
                      f"underscores, not '{value}' ({rule.why})", element_id)
    elif rule.values and value not in rule.values:
        yield Problem(f"'{value}' is not a {name} this process knows ({rule.why}); choose one "
                      f"of: {', '.join(sorted(rule.values))}", element_id)


def _variable_problems(process, contract: ProcessContract) -> Iterable[Problem]:
    fields = _form_fields(process)
    from_steps = _set_by_steps(process)
    for variable in contract.variables:
        if variable.name not in fields and variable.name not in from_steps:
            yield Problem(f"No step records '{variable.name}' any more: {variable.why}. Keep a "
                          f"form field with the id {variable.name}", contract.key)
            continue
        for form_field in fields.get(variable.name, []):
            yield from _answer_problems(form_field, variable)


def _answer_problems(form_field, variable: Variable) -> Iterable[Problem]:
    if variable.values is None:
        return
    options = [v.get("id") for v in form_field.iter(f"{CAMUNDA}value")]
    task = form_field.getparent()
    while task is not None and task.get("id") is None:
        task = task.getparent()
    task_id = None if task is None else task.get("id")
    for option in options:
        if option not in variable.values:
            yield Problem(f"The answer '{option}' of '{variable.name}' is not one the service "
                          f"understands ({variable.why}); the answers it understands are: "
                          f"{', '.join(sorted(variable.values))}", task_id)


def _message_problems(root, process, contract: ProcessContract) -> Iterable[Problem]:
    names = {m.get("id"): m.get("name") for m in root.iter(f"{BPMN}message")}
    caught = {names.get(d.get("messageRef")) for d in process.iter(f"{BPMN}messageEventDefinition")}
    for message in contract.messages:
        if message.name not in caught:
            yield Problem(f"No step waits for the message '{message.name}' any more: "
                          f"{message.why}", contract.key)
