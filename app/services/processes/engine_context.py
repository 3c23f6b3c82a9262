"""What a use case lends the engine: diagram functions and the handler dispatch.

The app factory installs the handler registry (app/tasks) here, so neither the engine nor the
services import app/tasks.
"""
from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Protocol

from app import calendar, clock
from app.engine.runner import EngineContext
from app.engine.types import HandlerCall, StepHeld
from app.models import ProcessInstance, User
from app.services import settings
from app.services.transaction import savepoint


# Who is completing the task whose completion runs the engine now: a step it reaches may record
# who decided (an invoice query's outcome, its credit note). Not written on the task row before
# the engine runs: a pending write there would be flushed inside the engine, where losing a race
# for the row would read as a failed step (422) instead of a conflict (409).
_acting: contextvars.ContextVar[User | None] = contextvars.ContextVar("acting", default=None)


@contextlib.contextmanager
def acting(user: User) -> Iterator[None]:
    token = _acting.set(user)
    try:
        yield
    finally:
        _acting.reset(token)


def acting_user() -> User | None:
    return _acting.get()


@dataclass(frozen=True)
class HandlerCase:
    """What a service-task handler receives besides its parameters."""
    instance: ProcessInstance
    element_id: str
    data: Mapping[str, Any]


class Handler(Protocol):
    # Read-only: the registry's entries are frozen dataclasses, and nothing here sets them.
    @property
    def required(self) -> frozenset[str]: ...

    @property
    def optional(self) -> frozenset[str]: ...

    def __call__(self, case: HandlerCase, **params: Any) -> dict | None: ...


_handlers: dict[str, Handler] = {}


# Per process: how a capability adjusts a date timer's due date as it starts waiting (the debt
# ladder adds the days a query or a Breathing Space held it). Installed by wiring.
TimerAdjuster = Callable[[ProcessInstance, str, str, str, Mapping[str, Any]], str]
_timer_adjusters: dict[str, TimerAdjuster] = {}


def install_timer_adjuster(process_keys: Iterable[str], adjuster: TimerAdjuster) -> None:
    for key in process_keys:
        _timer_adjusters[key] = adjuster


def install_handlers(handlers: Mapping[str, Handler]) -> None:
    _handlers.clear()
    _handlers.update(handlers)


def handler_signatures() -> Mapping[str, Handler]:
    return dict(_handlers)


def diagram_functions() -> dict[str, Callable[..., Any]]:
    functions = calendar.diagram_functions(settings.integer)
    functions["today"] = lambda: clock.today().isoformat()
    return functions


def diagram_function_names() -> frozenset[str]:
    return frozenset(diagram_functions())


def context_for(instance: ProcessInstance) -> EngineContext:
    def dispatch(call: HandlerCall) -> dict | None:
        handler = _handlers.get(call.handler)
        if handler is None:
            raise LookupError(f"no handler named '{call.handler}'")
        # A savepoint: a failing handler's own writes roll back, the use case goes on.
        try:
            with savepoint():
                return handler(HandlerCase(instance, call.element_id, call.data), **call.params)
        except StepHeld as held:
            if held.record is not None:
                held.record()  # what the guard must leave behind (its task, its audit event)
            raise

    adjuster = _timer_adjusters.get(instance.version.definition.key)
    timer_due = None if adjuster is None else (
        lambda element_id, due, expression, data: adjuster(instance, element_id, due, expression,
                                                           data))
    return EngineContext(diagram_functions(), dispatch, timer_due)
