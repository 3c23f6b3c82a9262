"""The small types the rest of the service sees instead of SpiffWorkflow's objects."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Mapping


@dataclass(frozen=True)
class FormField:
    id: str
    label: str
    type: str  # string, long, boolean, date, enum, plus our "money" and "note" (properties)
    required: bool = False
    default: str | None = None
    options: tuple[tuple[str, str], ...] = ()
    validation: Mapping[str, str | None] = field(default_factory=dict)
    properties: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "id": self.id, "label": self.label, "type": self.type, "required": self.required,
            "default": self.default, "options": [list(o) for o in self.options],
            "validation": dict(self.validation), "properties": dict(self.properties),
        }


@dataclass(frozen=True)
class ReadyTask:
    engine_task_id: str
    name: str  # the BPMN element id
    title: str
    role: str | None
    due_at: datetime | None
    form: tuple[FormField, ...]


@dataclass(frozen=True)
class Step:
    """One element the engine ran during an operation, for the history."""
    element_id: str
    title: str
    kind: str  # user_task, service_task, timer, message, gateway, event


@dataclass(frozen=True)
class Route:
    """A way out of an exclusive gateway whose condition held for a case."""
    gateway_id: str
    target_id: str
    name: str
    condition: str


@dataclass(frozen=True)
class Incident:
    """A service task that did not run: it failed, or (held) a handler said it must wait."""
    element_id: str
    handler: str
    error: str
    held: bool = False


class StepHeld(Exception):
    """Raised by a handler whose step may not run yet (a recovery guard holds it).

    The instance is saved just before the service task, as for a failure, but it waits as
    "held" rather than as an incident; running it again later re-runs the handler.
    """

    def __init__(self, reason: str, record: Callable[[], None] | None = None):
        super().__init__(reason)
        self.reason = reason
        self.record = record  # run after the handler's savepoint rolls back, so its writes stay


@dataclass(frozen=True)
class EngineResult:
    state: str
    ready_tasks: tuple[ReadyTask, ...]
    next_timer_due: datetime | None
    completed: bool
    steps: tuple[Step, ...] = ()
    incident: Incident | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HandlerCall:
    handler: str
    params: Mapping[str, Any]
    data: Mapping[str, Any]
    element_id: str


Dispatch = Callable[[HandlerCall], "dict | None"]
# A timer's due date as the diagram works it out (an ISO string), given back as the service would
# have it: a capability whose clock stood still (a debt's ladder held by a query or a Breathing
# Space) adds the days it was held to a timer counting from before them. Arguments: the timer's
# element id, the due date, its expression and the instance's data.
TimerDue = Callable[[str, str, str, Mapping[str, Any]], str]


@dataclass(frozen=True)
class Problem:
    """A problem found in a diagram, for the modeler to mark on its element."""
    message: str
    element_id: str | None = None
    line: int | None = None
    # A warning is shown to the manager but does not stop publishing.
    warning: bool = False

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"message": self.message}
        if self.element_id:
            out["element_id"] = self.element_id
        if self.line is not None:
            out["line"] = self.line
        if self.warning:
            out["severity"] = "warning"
        return out


class EngineError(Exception):
    """An operation the engine refused (unknown task, task not ready, bad message...)."""

    def __init__(self, message: str, *, conflict: bool = False, element_id: str | None = None):
        super().__init__(message)
        self.message = message
        self.conflict = conflict
        self.element_id = element_id


class DiagramError(Exception):
    """A diagram that cannot be used at all (malformed or unsafe XML, or no executable process)."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems
