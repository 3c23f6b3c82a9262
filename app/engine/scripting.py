"""Our script engine: every expression, condition, timer and script runs restricted.

SpiffWorkflow evaluates with plain eval/exec; this engine routes everything through
`app.engine.expressions` instead, and is re-attached every time an instance is loaded.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Mapping

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimeDateEventDefinition

from . import expressions
from .juel import translate_juel
from .types import Dispatch, HandlerCall, TimerDue


# A modeler writes `P10D` unquoted; SpiffWorkflow would evaluate it as Python (NameError).
_DURATION = r"P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?"
_DATETIME = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})"
ISO_LITERAL = re.compile(
    rf"^(?:{_DURATION}|{_DATETIME}|R\d*/(?:{_DURATION}|{_DATETIME})(?:/(?:{_DURATION}|{_DATETIME}))?)$"
)


def is_iso_literal(text: str) -> bool:
    return bool(ISO_LITERAL.match(text.strip()))


def to_python(text: str) -> str:
    """The Python form of a diagram expression: JUEL `${...}` translated, else as written."""
    stripped = (text or "").strip()
    return translate_juel(stripped)


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    def __init__(self, functions: Mapping[str, Callable[..., Any]]):
        super().__init__({})
        self.functions = dict(functions)

    def evaluate(self, expression, context, external_context=None):
        if is_iso_literal(expression):
            return expression.strip()
        names = {**context, **(external_context or {}), **self.functions}
        return expressions.evaluate(to_python(expression), names)

    def execute(self, script, context, external_context=None):
        names = {**context, **(external_context or {}), **self.functions}
        result = expressions.execute(script, names)
        context.update({k: v for k, v in result.items() if k not in self.functions})
        return True

    def call_service(self, context, **kwargs):
        raise NotImplementedError("service tasks call handlers through RestrictedScriptEngine")


class RestrictedScriptEngine(PythonScriptEngine):
    """Evaluates through the whitelist and dispatches service tasks to the handler registry."""

    def __init__(self, functions: Mapping[str, Callable[..., Any]], dispatch: Dispatch | None,
                 timer_due: TimerDue | None = None):
        super().__init__(environment=RestrictedEnvironment(functions))
        self.dispatch = dispatch
        self.timer_due = timer_due

    def evaluate(self, task, expression, external_context=None):
        value = super().evaluate(task, expression, external_context)
        definition = getattr(task.task_spec, "event_definition", None)
        # A date timer's due date is worked out once, here, when it starts waiting (SpiffWorkflow
        # keeps it): the one moment the service can count in days its clock stood still.
        if (self.timer_due is not None and isinstance(definition, TimeDateEventDefinition)
                and expression == definition.expression and isinstance(value, str)):
            return self.timer_due(task.task_spec.name, value, expression, task.data)
        return value

    def evaluate_parameter(self, task, value: str) -> Any:
        """A handler parameter: `${...}` is an expression, anything else a literal string."""
        text = (value or "").strip()
        if text.startswith("${") or text.startswith("#{"):
            return self.environment.evaluate(text, task.data)
        return text

    def call_handler(self, task, handler: str, params: Mapping[str, str]) -> None:
        if self.dispatch is None:
            raise RuntimeError("no handler registry was given to the engine")
        values = {name: self.evaluate_parameter(task, raw) for name, raw in params.items()}
        call = HandlerCall(handler, values, dict(task.data), task.task_spec.name)
        result = self.dispatch(call)
        if result:
            task.data.update(result)
