"""Make SpiffWorkflow's timers read app.clock instead of the system clock.

`SpiffWorkflow.bpmn.specs.event_definitions.timer` is the only place the engine reads the time
(`datetime.now(timezone.utc)`); swapping the module's `datetime` name for a subclass whose now()
asks app.clock lets tests and demos freeze or advance time for timers too.
"""
from __future__ import annotations

from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer_module

from app import clock


class _ClockedDatetime(datetime):
    @classmethod
    def now(cls, tz=None):
        instant = clock.now()
        return instant.astimezone(tz) if tz is not None else instant.replace(tzinfo=None)


def install() -> None:
    _timer_module.datetime = _ClockedDatetime
