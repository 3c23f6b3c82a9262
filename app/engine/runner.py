"""The engine facade: every operation takes a model and a stored state and returns EngineResult.

Nothing outside app/engine sees a SpiffWorkflow object. Each call builds a fresh restricted script
engine with the functions and handler dispatch of the current use case.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Mapping
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins import (
    ExclusiveGatewayMixin,
    InclusiveGatewayMixin,
    ScriptTaskMixin,
)
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import (
    SpiffWorkflowException,
    TaskNotFoundException,
    WorkflowException,
)
from SpiffWorkflow.util.task import TaskState

from app import clock

from . import clocked
from .diagrams import ProcessModel
from .expressions import ExpressionError
from .scripting import RestrictedScriptEngine
from .serializer import dump_state, load_state
from .specs import AmbiguousRoute, CaseworkExclusiveGateway, CaseworkServiceTask, HandlerFailed
from .types import (
    Dispatch,
    EngineError,
    EngineResult,
    FormField,
    Incident,
    ReadyTask,
    Route,
    Step,
    StepHeld,
    TimerDue,
)

clocked.install()

# Steps of the diagram that can stop with an incident besides a handler: a gateway's conditions
# and a script. They change nothing until they succeed, so the state to keep is the one they
# failed in, with the step ready again; a retry runs it again and nothing before it twice.
_EVALUATING = (ExclusiveGatewayMixin, InclusiveGatewayMixin, ScriptTaskMixin)

# What a diagram's expressions raise when they fail: SpiffWorkflow's wrapper, ours, a gateway's.
_EXPRESSION_FAILURES = (SpiffWorkflowException, ExpressionError, AmbiguousRoute)

# Steps one operation may run. A case that runs this many without reaching a task for a person,
# a timer or a message is going round a loop with nothing in it to wait for (the check on save
# refuses the loops it can see): it stops with an incident instead of holding the worker.
MAX_STEPS = 1000


class _StepBudgetSpent(Exception):
    def __init__(self, task):
        super().__init__(task.task_spec.name)
        self.task = task


@dataclass(frozen=True)
class EngineContext:
    """What one use case lends the engine: whitelisted functions and the handler dispatch."""
    functions: Mapping[str, Callable[..., Any]]
    dispatch: Dispatch | None = None
    timer_due: TimerDue | None = None


class _Run:
    """One operation on one workflow, collecting steps and keeping a pre-handler snapshot."""

    def __init__(self, model: ProcessModel, ctx: EngineContext, state: str | None):
        self.model = model
        self.engine = RestrictedScriptEngine(ctx.functions, ctx.dispatch, ctx.timer_due)
        if state is None:
            self.workflow = BpmnWorkflow(model.spec, model.subprocess_specs, script_engine=self.engine)
        else:
            self.workflow = load_state(state, model.spec, model.subprocess_specs)
            # A restored workflow would otherwise run on SpiffWorkflow's unrestricted engine.
            self.workflow.script_engine = self.engine
        self.steps: list[Step] = []
        self._snapshot: str | None = None
        self._running = None  # the gateway or script being run
        self._ran = 0  # steps run in this operation
        self._advancing = False

    def _before(self, task) -> None:
        if isinstance(task.task_spec, CaseworkServiceTask):
            # A handler's data may have changed by the time it fails: keep the state before it.
            self._snapshot = dump_state(self.workflow)
        self._running = task if isinstance(task.task_spec, _EVALUATING) else None

    def _after(self, task) -> None:
        self._running = None
        self._ran += 1
        step = _step(task)
        if step is not None:
            self.steps.append(step)
        if self._advancing and self._ran >= MAX_STEPS:
            # Raised after a completed step, so the tree is consistent and can be saved as is.
            raise _StepBudgetSpent(task)

    def advance(self) -> Incident | None:
        self._advancing = True
        try:
            self.workflow.do_engine_steps(self._before, self._after)
        except _StepBudgetSpent as spent:
            self._snapshot = dump_state(self.workflow)
            return Incident(_element(spent.task), "", (
                f"the process ran {MAX_STEPS:,} steps without waiting for anyone: "
                "a loop with no task or timer in it"))
        except HandlerFailed as failure:
            if isinstance(failure.error, StepHeld):
                return Incident(failure.task_name, failure.handler, failure.error.reason,
                                held=True)
            return Incident(failure.task_name, failure.handler, _describe(failure.error))
        except (SpiffWorkflowException, ExpressionError, AmbiguousRoute) as exc:
            running = self._running
            if running is not None and running.state == TaskState.ERROR:
                # A gateway or script failed in its own evaluation: it stops there, as a failed
                # handler does. (A failure after it ran, in the next step's set-up, is refused
                # as a whole instead: by then the tree has moved on.)
                running._set_state(TaskState.READY)
                self._snapshot = dump_state(self.workflow)
                return Incident(running.task_spec.name, "", _describe(exc))
            raise _refusal(exc) from exc
        finally:
            self._advancing = False
        unreachable = _out_of_reach(self.workflow)
        if unreachable is not None:
            self._snapshot = dump_state(self.workflow)
            return Incident(_element(unreachable), "", (
                "the engine cannot reach this step: the case has run more than 1,000 steps in "
                "a row (a loop with no task or timer in it, or one gone round too often)"))
        return None

    def result(self, incident: Incident | None = None) -> EngineResult:
        if incident is not None:
            # Every way advance() reports an incident keeps the state first (a failed handler
            # in _before, the others where they stop).
            assert self._snapshot is not None
            workflow = load_state(self._snapshot, self.model.spec, self.model.subprocess_specs)
            workflow.script_engine = self.engine
            return EngineResult(
                state=self._snapshot, ready_tasks=(), next_timer_due=None,
                completed=workflow.completed, steps=tuple(self.steps), incident=incident,
                data=dict(workflow.data) if workflow.completed else dict(_latest_data(workflow)))
        workflow = self.workflow
        # Before the state is taken: a ready task keeps its due date in the state, worked out once.
        ready_tasks = tuple(_ready_tasks(workflow, self.engine))
        return EngineResult(
            state=dump_state(workflow),
            ready_tasks=ready_tasks,
            next_timer_due=next_timer_due(workflow),
            completed=workflow.completed,
            steps=tuple(self.steps),
            incident=None,
            data=dict(workflow.data) if workflow.completed else dict(_latest_data(workflow)),
        )


def _operation(function):
    """A diagram expression that fails outside a gateway or script (a timer reached from a
    completed task, a due date) refuses the whole operation, naming its element."""
    @functools.wraps(function)
    def run(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except _EXPRESSION_FAILURES as exc:
            raise _refusal(exc) from exc
    return run


@_operation
def start(model: ProcessModel, data: Mapping[str, Any], ctx: EngineContext) -> EngineResult:
    run = _Run(model, ctx, None)
    run.workflow.task_tree.data.update(data)
    for task in run.workflow.get_tasks(state=TaskState.READY):
        task.data.update(data)
    return run.result(run.advance())


@_operation
def complete_task(model, state, engine_task_id: str, data: Mapping[str, Any], ctx) -> EngineResult:
    run = _Run(model, ctx, state)
    task = _find(run.workflow, engine_task_id)
    if task is None:
        raise EngineError("no such task in this instance", conflict=True)
    if not task.task_spec.manual or task.state != TaskState.READY:
        raise EngineError("the task is no longer open", conflict=True)
    task.data.update(data)
    task.run()
    run._after(task)
    return run.result(run.advance())


@_operation
def send_message(model, state, name: str, payload: Mapping[str, Any], ctx) -> EngineResult:
    run = _Run(model, ctx, state)
    event = BpmnEvent(MessageEventDefinition(name), {"payload": dict(payload), "result_var": name})
    try:
        run.workflow.send_event(event)
    except WorkflowException as exc:
        raise EngineError(f"this instance is not waiting for the message '{name}'",
                          conflict=True) from exc
    _run_caught_events(run)
    return run.result(run.advance())


def _run_caught_events(run: _Run) -> None:
    """Let the events the message made ready go first. A held instance has a service task
    ready too; an interrupting boundary event must cancel it before it runs again."""
    for task in run.workflow.get_tasks(state=TaskState.READY, manual=False):
        if not isinstance(task.task_spec, CaseworkServiceTask):
            task.run()
            run._after(task)


@_operation
def fire_timers(model, state, ctx) -> EngineResult:
    """Fire every timer due by clock.now() and run on from there."""
    run = _Run(model, ctx, state)
    run.workflow.refresh_timers()
    return run.result(run.advance())


@_operation
def retry(model, state, ctx) -> EngineResult:
    """Run on from a saved incident: the failed service task is READY again (or a timer due)."""
    run = _Run(model, ctx, state)
    run.workflow.refresh_timers()
    return run.result(run.advance())


def ambiguous_routes(model, state, ctx) -> list[Route]:
    """Where a case stopped because several conditions of a gateway held: those routes."""
    run = _Run(model, ctx, state)
    for task in _ambiguous_gateways(run.workflow):
        try:
            held = task.task_spec.held_routes(task)
        except _EXPRESSION_FAILURES:
            continue  # a condition that cannot be worked out: Retry, not a choice
        if len(held) > 1:
            return [Route(task.task_spec.name, *route) for route in held]
    return []


@_operation
def choose_route(model, state, target_id: str, ctx) -> EngineResult:
    """Take the route to `target_id` at the gateway where several conditions held, and run on.
    Only one of the routes that held can be chosen."""
    run = _Run(model, ctx, state)
    for task in _ambiguous_gateways(run.workflow):
        if target_id in (route[0] for route in task.task_spec.held_routes(task)):
            task._set_internal_data(**{CaseworkExclusiveGateway.CHOSEN_ROUTE: target_id})
            return run.result(run.advance())
    raise EngineError("that route's condition does not hold here", conflict=True)


def element_name(model: ProcessModel, element_id: str) -> str:
    """An element's name in the diagram (its id when it has none), for pages staff read."""
    for spec in (model.spec, *model.subprocess_specs.values()):
        task_spec = spec.task_specs.get(element_id)
        if task_spec is not None:
            return task_spec.bpmn_name or element_id
    return element_id


def _ambiguous_gateways(workflow):
    return [task for task in workflow.get_tasks(state=TaskState.READY)
            if isinstance(task.task_spec, CaseworkExclusiveGateway)]


@_operation
def describe(model, state, ctx) -> EngineResult:
    """The current view of an instance without advancing it."""
    return _Run(model, ctx, state).result()


@_operation
def waiting_timers(model, state, ctx) -> dict[str, datetime]:
    run = _Run(model, ctx, state)
    return {t.task_spec.name: due for t, due in _timer_tasks(run.workflow)}


@_operation
def waiting_timer_expressions(model, state, ctx) -> dict[str, tuple[datetime, str, str]]:
    """Each waiting timer's due time, the expression that set it (its unit shows in it) and
    its name in the diagram."""
    run = _Run(model, ctx, state)
    return {t.task_spec.name: (due, str(getattr(t.task_spec.event_definition, "expression", "")),
                               t.task_spec.bpmn_name or t.task_spec.name)
            for t, due in _timer_tasks(run.workflow)}


@_operation
def reschedule_timer(model, state, element_id: str, due: datetime, ctx) -> EngineResult:
    """Move a waiting timer to `due` (Breathing Space holds, recomputed legal dates)."""
    if due.tzinfo is None:
        raise EngineError("a timer's due time needs a time zone")
    run = _Run(model, ctx, state)
    for task, _ in _timer_tasks(run.workflow):
        if task.task_spec.name == element_id:
            task._set_internal_data(event_value=due.astimezone(timezone.utc).isoformat(),
                                    event_fired=False)
            return run.result()
    raise EngineError(f"no timer '{element_id}' is waiting", conflict=True)


def next_timer_due(workflow: BpmnWorkflow) -> datetime | None:
    dues = [due for _, due in _timer_tasks(workflow)]
    return min(dues) if dues else None


def _timer_tasks(workflow):
    # Read the event manager, not waiting_events(): that hides timers behind event gateways.
    for task in list(workflow.event_manager.tasks.values()):
        definition = getattr(task.task_spec, "event_definition", None)
        if not isinstance(definition, TimerEventDefinition) or task.state != TaskState.WAITING:
            continue
        value = task._get_internal_data("event_value")
        if isinstance(definition, CycleTimerEventDefinition) and isinstance(value, dict):
            value = value.get("next")
        if isinstance(value, str):
            due = TimerEventDefinition.parse_time_or_duration(value)
            if isinstance(due, datetime):
                yield task, due


def _find(workflow, engine_task_id: str):
    try:
        return workflow.get_task_from_id(UUID(engine_task_id))
    except (ValueError, KeyError, TaskNotFoundException):
        return None


def _ready_tasks(workflow, engine) -> list[ReadyTask]:
    tasks = []
    for task in workflow.get_tasks(state=TaskState.READY, manual=True):
        ext = getattr(task.task_spec, "extensions", {}) or {}
        groups = [g.strip() for g in (ext.get("candidateGroups") or "").split(",") if g.strip()]
        tasks.append(ReadyTask(
            engine_task_id=str(task.id),
            name=task.task_spec.name,
            title=task.task_spec.bpmn_name or task.task_spec.name,
            role=groups[0] if groups else task.task_spec.lane,
            due_at=_due_at(task, ext.get("dueDate"), engine),
            form=tuple(_form_field(f) for f in ext.get("form_fields", [])),
        ))
    return tasks


def _due_at(task, expression: str | None, engine) -> datetime | None:
    if not expression:
        return None
    value = task._get_internal_data("due_at")
    if value is None:
        # Evaluated once, when the task first becomes ready, so the due date never drifts.
        try:
            value = engine.evaluate(task, expression)
        except _EXPRESSION_FAILURES as exc:
            raise _due_date_refused(task, _describe(exc)) from exc
        try:
            parsed = TimerEventDefinition.parse_time_or_duration(str(value))
            if isinstance(parsed, dict):
                parsed = clock.now() + TimerEventDefinition.get_timedelta_from_start(
                    parsed, clock.now())
            value = parsed.isoformat()
        except Exception as exc:  # noqa: BLE001 - SpiffWorkflow raises a bare Exception here
            # The value itself is not quoted: it may be a person's data.
            raise _due_date_refused(task, "it gave something that is not a date or a "
                                          "duration (such as P5D)") from exc
        task._set_internal_data(due_at=value)
    return datetime.fromisoformat(value)


def _due_date_refused(task, reason: str) -> EngineError:
    spec = task.task_spec
    return EngineError(f"the due date of '{spec.bpmn_name or spec.name}' could not be worked "
                       f"out: {reason}", element_id=spec.name)


def _form_field(raw: Mapping[str, Any]) -> FormField:
    validation = raw.get("validation") or {}
    return FormField(
        id=raw["id"], label=raw.get("label") or raw["id"],
        type=(raw.get("properties") or {}).get("type") or raw.get("type") or "string",
        required="required" in validation, default=raw.get("default"),
        options=tuple((o[0], o[1]) for o in raw.get("options") or ()),
        validation={k: v for k, v in validation.items() if k != "required"},
        properties=raw.get("properties") or {},
    )


def _latest_data(workflow) -> Mapping[str, Any]:
    last = workflow.last_task
    return last.data if last is not None else workflow.task_tree.data


def _step(task) -> Step | None:
    spec = task.task_spec
    if spec.bpmn_id is None:
        return None  # internal plumbing (boundary splits, root, end joins)
    definition = getattr(spec, "event_definition", None)
    if isinstance(definition, TimerEventDefinition):
        kind = "timer"
    elif isinstance(definition, MessageEventDefinition):
        kind = "message"
    elif isinstance(spec, CaseworkServiceTask):
        kind = "service_task"
    elif spec.manual:
        kind = "user_task"
    elif isinstance(spec, CatchingEvent) or "Event" in type(spec).__name__:
        kind = "event"
    else:
        kind = "gateway" if "Gateway" in type(spec).__name__ else "task"
    return Step(spec.bpmn_id, spec.bpmn_name or spec.bpmn_id, kind)


def _describe(exc: BaseException) -> str:
    # SpiffWorkflow raises its own error while handling ours, without `from`: read the context.
    inner = getattr(exc, "exception", None) or exc.__cause__ or exc.__context__
    if isinstance(inner, ExpressionError):
        return inner.message.splitlines()[0][:500]  # says what failed and in which expression
    text = str(exc) or type(exc).__name__
    if inner is not None and str(inner) and str(inner) not in text:
        text = f"{text}: {inner}"
    return text.splitlines()[0][:500]


def _element_of(exc: BaseException) -> str | None:
    task = getattr(exc, "task", None)
    return getattr(getattr(task, "task_spec", None), "name", None) or getattr(
        exc, "gateway", None)


def _element(task) -> str:
    return task.task_spec.bpmn_id or task.task_spec.name


def _refusal(exc: BaseException) -> EngineError:
    """An expression's failure as the engine's refusal, saying which step failed."""
    spec = getattr(getattr(exc, "task", None), "task_spec", None)
    if spec is None:
        return EngineError(_describe(exc), element_id=_element_of(exc))
    what = ("the timer" if isinstance(getattr(spec, "event_definition", None),
                                      TimerEventDefinition) else "the step")
    return EngineError(f"{what} '{spec.bpmn_name or spec.name}' could not be worked out: "
                       f"{_describe(exc)}", element_id=spec.name)


def _out_of_reach(workflow):
    """A ready task SpiffWorkflow no longer finds: it searches its tree of tasks only 1,000
    levels deep, and past that stops as if the case were waiting for someone."""
    for flow in (workflow, *workflow.subprocesses.values()):
        ready = [t for t in flow.tasks.values() if t.state == TaskState.READY]
        if ready:
            found = {t.id for t in flow.get_tasks(state=TaskState.READY)}
            for task in ready:
                if task.id not in found:
                    return task
    return None


@dataclass(frozen=True)
class WhatFollows:
    """What a waiting element leads to in the diagram, read from its structure alone.

    `next_step` is the first named task after it (unnamed gateways and plumbing skipped), with
    its kind ("service_task" or "user_task"); `stopped_by` is each message that would take the
    case another way first: (message name, the catching event's name), from an event-based
    gateway it shares or a boundary event on it or on a subprocess around it."""
    next_id: str | None
    next_step: str | None
    next_kind: str | None
    stopped_by: tuple[tuple[str, str], ...]


def what_follows(model: ProcessModel, element_id: str) -> WhatFollows:
    """The next named task after `element_id` and the messages competing with it."""
    specs = (model.spec, *model.subprocess_specs.values())
    home = next((s for s in specs if element_id in s.task_specs), None)
    if home is None:
        return WhatFollows(None, None, None, ())
    following = _first_task_after(home.task_specs[element_id])
    stopped: list[tuple[str, str]] = []
    for gateway in home.task_specs[element_id].inputs:
        if "EventBasedGateway" in type(gateway).__name__:
            stopped += [m for o in gateway.outputs
                        if o.name != element_id and (m := _message_of(o)) is not None]
    for owner in (element_id, *_enclosing(model, home)):
        for spec in specs:
            split = spec.task_specs.get(f"{owner}.BoundaryEventSplit")
            if split is not None:
                stopped += [m for o in split.outputs if (m := _message_of(o)) is not None
                            and getattr(o, "cancel_activity", False)]
    if following is None:
        return WhatFollows(None, None, None, tuple(stopped))
    kind = "service_task" if isinstance(following, CaseworkServiceTask) else "user_task"
    return WhatFollows(following.name, following.bpmn_name, kind, tuple(stopped))


def _first_task_after(task_spec, limit: int = 20):
    seen: set[str] = set()
    queue = list(task_spec.outputs)
    while queue and len(seen) < limit:
        spec = queue.pop(0)
        if spec.name in seen:
            continue
        seen.add(spec.name)
        if spec.bpmn_name and (spec.manual or isinstance(spec, CaseworkServiceTask)):
            return spec
        if "Gateway" in type(spec).__name__ or spec.bpmn_id is None:
            queue.extend(spec.outputs)  # plumbing and unnamed routing: look through it
    return None


def _enclosing(model: ProcessModel, home) -> list[str]:
    """The subprocesses around a subprocess spec, innermost first."""
    owners: list[str] = []
    name = home.name
    while name in model.subprocess_specs and name not in owners:
        owners.append(name)
        parent = next((s for s in (model.spec, *model.subprocess_specs.values())
                       if name in s.task_specs and s.name != name), None)
        if parent is None:
            break
        name = parent.name
    return owners


def _message_of(task_spec) -> tuple[str, str] | None:
    definition = getattr(task_spec, "event_definition", None)
    if not isinstance(definition, MessageEventDefinition):
        return None
    return (str(definition.name), task_spec.bpmn_name or str(definition.name))


@_operation
def waiting_messages(model, state, ctx) -> dict[str, tuple[str, str]]:
    """Each message catch event the case waits at on its own (not a boundary event, not one
    behind an event-based gateway beside a timer): element id -> (message name, its name)."""
    run = _Run(model, ctx, state)
    waiting = {}
    for task in run.workflow.get_tasks(state=TaskState.WAITING):
        spec = task.task_spec
        message = _message_of(spec)
        if message is not None and type(spec).__name__ == "IntermediateCatchEvent":
            waiting[spec.name] = message
    return waiting
