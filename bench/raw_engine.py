"""The yardstick every benchmark measures itself against in the same run: one raw SpiffWorkflow
cycle on the direct-payment agreement (load the state JSON, complete the validation task, run the
engine steps, serialize), with SpiffWorkflow's own script engine and no database. A figure printed
as "N raw engine cycles" says how many of those the measured thing costs on this machine, now.
"""
from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine  # noqa: E402
from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402

from app import calendar, clock  # noqa: E402
from app.engine import diagrams, runner, serializer  # noqa: E402

XML = (REPO / "workflows/direct_payment_agreement.bpmn").read_bytes()
VALID_PACK = {"signatures_complete": True, "dedicated_account": True, "contribution_set_up": True,
              "recipient_signed_on": "2026-03-02"}
SETTINGS = {"dp_reminder_1_working_days": 10, "dp_reminder_2_working_days": 10,
            "dp_decision_working_days": 10, "dp_phone_call_due_working_days": 2,
            "dp_caseworker_check_due_working_days": 5, "dp_decision_due_working_days": 5,
            "dp_validation_due_working_days": 2, "dp_countersign_due_working_days": 3}


def functions():
    fns = calendar.diagram_functions(lambda k: SETTINGS[k])
    fns["today"] = lambda: clock.today().isoformat()
    return fns


def no_letters(call):
    date_var = call.params.get("date_var")
    return {date_var: clock.today().isoformat()} if date_var else None


def state_at_validation() -> str:
    model = diagrams.load_model(XML)
    ctx = runner.EngineContext(functions(), no_letters)
    started = runner.start(model, {}, ctx)
    return runner.send_message(model, started.state, "paperwork_received", {}, ctx).state




def raw_cycle(model, state):
    engine = PythonScriptEngine(environment=TaskDataEnvironment(functions()))

    def cycle(_):
        workflow = serializer.load_state(state, model.spec, model.subprocess_specs)
        workflow.script_engine = engine
        task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
        task.data.update(VALID_PACK)
        task.run()
        workflow.do_engine_steps()
        serializer.dump_state(workflow)

    return cycle


def raw_cycle_ms(n: int = 100) -> float:
    """Milliseconds for one raw cycle, measured now (the clock is fixed while it runs)."""
    clock.install(clock.FixedClock(datetime.fromisoformat("2026-03-02T09:00:00+00:00")))
    try:
        model = diagrams.load_model(XML)
        cycle = raw_cycle(model, state_at_validation())
        cycle(-1)  # warm caches
        began = time.perf_counter()
        for i in range(n):
            cycle(i)
        return 1000 * (time.perf_counter() - began) / n
    finally:
        clock.install(clock.RealClock())


def against_goal(label: str, ms: float, goal_ms: float, raw_ms: float) -> str:
    """One figure with its goal and its cost in raw engine cycles."""
    verdict = "met" if ms <= goal_ms else "MISSED"
    return (f"{label}: {ms:,.1f} ms (goal: at most {goal_ms:,.0f} ms, {verdict}) = "
            f"{ms / raw_ms:,.0f} raw engine cycles of {raw_ms:.2f} ms")
