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

from .bpmn import BPMN, CAMUNDA, service_task_parameters
from .types import Problem

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
    """A value the code reads back from the process, and the step that must record it: a form
    field of that id on a user task, or a service task whose `date_var` names it."""
    name: str
    why: str
    # The element that records it, declared among the contract's elements; "" for process data
    # the service gives when it starts the process (nothing in the diagram records it).
    task: str
    # The form field's type as the code parses it: date, boolean, enum, string, long, money.
    type: str | None = None
    required: bool = True
    # The answers the code understands, when the field offers a choice.
    values: frozenset[str] | None = None
    # A date in a manager's words ("the date the pack was sent"): the modeler offers it to count
    # a timer from. Empty for a variable that is not a date, or not one to count from.
    date_words: str = ""


@dataclass(frozen=True)
class Message:
    """A message the service sends to the process: some catching event must wait for it.
    `interrupting`: it must stop what the process is doing (a boundary event that cancels)."""
    name: str
    why: str
    interrupting: bool = False


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

    def dates(self) -> list[dict[str, str]]:
        """The dates a timer may count from, in words, for the modeler's timer choices."""
        return [{"name": v.name, "words": v.date_words} for v in self.variables if v.date_words]

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


def _parameters(task) -> dict[str, str]:
    # As the engine reads them: a parameter it would not run must not pass the check.
    return service_task_parameters(task)


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
    nodes = {n.get("id"): n for n in process.iter() if isinstance(n.tag, str) and n.get("id")}
    for variable in contract.variables:
        if not variable.task:
            continue  # given at the start
        task = nodes.get(variable.task)
        if task is None:
            continue  # the kept element is reported missing
        if task.tag == f"{BPMN}serviceTask":
            if _parameters(task).get("date_var") != variable.name:
                yield Problem(f"'{_name(task)}' must keep '{variable.name}' as its date_var: "
                              f"{variable.why}", variable.task)
            continue
        fields = [f for f in task.iter(f"{CAMUNDA}formField") if f.get("id") == variable.name]
        if not fields:
            yield Problem(f"'{_name(task)}' must keep a form field with the id "
                          f"{variable.name}: {variable.why}", variable.task)
            continue
        yield from _field_problems(fields[0], variable)


def _name(node) -> str:
    return node.get("name") or node.get("id")


def _field_type(form_field) -> str:
    props = {p.get("id"): p.get("value") for p in form_field.iter(f"{CAMUNDA}property")}
    return props.get("type") or form_field.get("type") or "string"


def _field_problems(form_field, variable: Variable) -> Iterable[Problem]:
    task = next(form_field.iterancestors(f"{BPMN}userTask"))
    where = f"The field {variable.name} on '{_name(task)}'"
    kind = _field_type(form_field)
    if variable.type and kind != variable.type:
        yield Problem(f"{where} must stay {_FIELD_WORDS.get(variable.type, variable.type)} "
                      f"field, not {_FIELD_WORDS.get(kind, kind)} one: {variable.why}",
                      task.get("id"))
    required = any(c.get("name") == "required" for c in form_field.iter(f"{CAMUNDA}constraint"))
    if variable.required and not required:
        yield Problem(f"{where} must stay required: {variable.why}", task.get("id"))
    if variable.values is None:
        return
    for option in (v.get("id") for v in form_field.iter(f"{CAMUNDA}value")):
        if option not in variable.values:
            yield Problem(f"{where} offers '{option}', an answer the service does not understand "
                          f"({variable.why}); the answers it understands are: "
                          f"{', '.join(sorted(variable.values))}", task.get("id"))


_FIELD_WORDS = {"date": "a date", "boolean": "a yes/no", "enum": "a choice", "string": "a text",
                "long": "a whole-number", "money": "a money", "note": "a note"}
_CATCHING = (f"{BPMN}intermediateCatchEvent", f"{BPMN}boundaryEvent", f"{BPMN}startEvent",
             f"{BPMN}receiveTask")


def _message_problems(root, process, contract: ProcessContract) -> Iterable[Problem]:
    names = {m.get("id"): m.get("name") for m in root.iter(f"{BPMN}message")}
    # Keyed by message name; None gathers events whose messageRef names no message.
    waiting: dict[str | None, list] = {}
    for definition in process.iter(f"{BPMN}messageEventDefinition"):
        event = definition.getparent()
        if event.tag in _CATCHING:
            waiting.setdefault(names.get(definition.get("messageRef")), []).append(event)
    for task in process.iter(f"{BPMN}receiveTask"):
        waiting.setdefault(names.get(task.get("messageRef")), []).append(task)
    for message in contract.messages:
        events = waiting.get(message.name, [])
        if not events:
            yield Problem(f"No step waits for the message '{message.name}' any more: "
                          f"{message.why}", contract.key)
        elif message.interrupting and not any(_interrupts(e) for e in events):
            yield Problem(f"The message '{message.name}' must stop what the process is doing (an "
                          f"interrupting event on the edge of the steps it ends): {message.why}",
                          events[0].get("id"))


def _interrupts(event) -> bool:
    return event.tag == f"{BPMN}boundaryEvent" and event.get("cancelActivity") != "false"
