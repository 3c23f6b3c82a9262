"""The engine adapter on its own: no Flask, no database, a fixed clock."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from app import calendar, clock
from app.engine import diagrams, runner
from app.engine.contract import Parameter, ProcessContract
from app.engine.types import DiagramError, EngineError

from .bpmn_snippets import diagram, user_then_service

ROLES = {"finance_assistant", "finance_officer", "caseworker", "care_manager"}
DP_XML = (Path(__file__).resolve().parents[2] / "workflows/direct_payment_agreement.bpmn"
          ).read_bytes()
SETTINGS = {"dp_reminder_1_working_days": 10, "dp_reminder_2_working_days": 10,
            "dp_decision_working_days": 10, "dp_phone_call_due_working_days": 2,
            "dp_caseworker_check_due_working_days": 5, "dp_decision_due_working_days": 5,
            "dp_validation_due_working_days": 2, "dp_countersign_due_working_days": 3}


class Signature:
    def __init__(self, required=(), optional=()):
        self.required, self.optional = frozenset(required), frozenset(optional)


HANDLERS = {"send_letter": Signature({"template"}, {"date_var"}),
            "dp_step": Signature({"step"}, set())}


@pytest.fixture(autouse=True)
def fixed_clock():
    fixed = clock.FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
    clock.install(fixed)
    yield fixed
    clock.install(clock.RealClock())


def functions():
    fns = calendar.diagram_functions(lambda name: SETTINGS[name])
    fns["today"] = lambda: clock.today().isoformat()
    return fns


class Recorder:
    """A fake handler registry: records calls, can be told to fail."""

    def __init__(self, fail: Exception | None = None):
        self.calls, self.fail = [], fail

    def __call__(self, call):
        self.calls.append((call.handler, dict(call.params), call.element_id))
        if self.fail is not None:
            raise self.fail
        date_var = call.params.get("date_var")
        return {date_var: clock.today().isoformat()} if date_var else None


def ctx(recorder=None):
    return runner.EngineContext(functions(), recorder or Recorder())


def lint(xml: bytes):
    return diagrams.lint(xml, roles=ROLES, handlers=HANDLERS, functions=set(functions()))


# --- parsing and lint -------------------------------------------------------------------------

def test_shipped_diagram_is_clean():
    assert lint(DP_XML) == []


def test_malformed_xml_names_the_line():
    with pytest.raises(DiagramError) as err:
        diagrams.parse_xml(b"<a>\n<b>\n</a>")
    assert err.value.problems[0].line == 3


def test_external_entity_is_refused_and_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    xml = (f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file://{secret}">]>'
           '<d>&e;</d>').encode()
    with pytest.raises(DiagramError) as err:
        diagrams.parse_xml(xml)
    assert "DOCTYPE" in err.value.problems[0].message
    assert "TOP-SECRET" not in str(err.value)


@pytest.mark.parametrize("condition", [
    "__import__('os').system('true')", "amount.__class__", "open('/etc/passwd')",
    "[c for c in ()]", "getattr(amount, 'x')"])
def test_unsafe_condition_is_reported_on_its_flow(condition):
    problems = lint(user_then_service(condition=condition))
    assert problems and {p.element_id for p in problems} == {"f_cond"}


def test_juel_condition_is_translated_and_accepted():
    assert lint(user_then_service(condition="${amount != '0' &amp;&amp; !false}")) == []


def test_role_handler_and_timer_are_checked_on_their_elements():
    problems = lint(user_then_service(role="nobody", service_topic="nope",
                                      timer="os_system(1)"))
    by_element = {p.element_id: p.message for p in problems}
    assert "unknown role" in by_element["ask"]
    assert "no handler named 'nope'" in by_element["act"]
    assert "'os_system' is not a calendar function" in by_element["waited"]


def test_bare_iso_timer_literals_are_accepted_by_kind():
    assert lint(user_then_service(timer="2026-04-01T07:00:00+01:00")) == []
    problems = lint(user_then_service(timer="P10D"))  # a duration in a timeDate
    assert problems and problems[0].element_id == "waited"


def test_missing_default_flow_is_reported():
    xml = user_then_service().replace(b' default="f_default"', b"")
    assert any(p.element_id == "check" for p in lint(xml))


# --- running ------------------------------------------------------------------------------------

def test_serialized_state_leaves_out_the_spec_and_round_trips():
    model = diagrams.load_model(DP_XML)
    result = runner.start(model, {}, ctx())
    stored = json.loads(result.state)
    assert "spec" not in stored and "subprocess_specs" not in stored
    assert "task_specs" not in result.state
    again = runner.describe(model, result.state, ctx())
    assert again.next_timer_due == result.next_timer_due
    assert again.state == result.state


def test_timers_follow_the_injected_clock(fixed_clock):
    model = diagrams.load_model(DP_XML)
    recorder = Recorder()
    result = runner.start(model, {}, ctx(recorder))
    assert result.next_timer_due == datetime(2026, 3, 16, 7, tzinfo=timezone.utc)
    fixed_clock.set(datetime(2026, 3, 16, 6, 59, tzinfo=timezone.utc))
    assert runner.fire_timers(model, result.state, ctx(recorder)).steps == ()
    fixed_clock.set(datetime(2026, 3, 16, 7, 1, tzinfo=timezone.utc))
    fired = runner.fire_timers(model, result.state, ctx(recorder))
    assert [s.element_id for s in fired.steps][:2] == ["reminder_1_due", "send_reminder_1"]
    assert [t.name for t in fired.ready_tasks] == ["phone_call"]


def test_reschedule_moves_a_waiting_timer():
    model = diagrams.load_model(DP_XML)
    result = runner.start(model, {}, ctx())
    later = datetime(2026, 5, 1, 6, tzinfo=timezone.utc)
    moved = runner.reschedule_timer(model, result.state, "reminder_1_due", later, ctx())
    assert moved.next_timer_due == later
    with pytest.raises(EngineError):
        runner.reschedule_timer(model, result.state, "no_such_timer", later, ctx())


def test_failing_handler_becomes_an_incident_saved_before_the_service_task():
    model = diagrams.load_model(user_then_service())
    started = runner.start(model, {}, ctx())
    task = started.ready_tasks[0]
    failing = Recorder(fail=RuntimeError("printer on fire"))
    result = runner.complete_task(model, started.state, task.engine_task_id,
                                  {"amount": "1.00"}, ctx(failing))
    assert result.incident is not None
    assert (result.incident.element_id, result.incident.handler) == ("act", "send_letter")
    assert "printer on fire" in result.incident.error
    # The user's completion is kept: the saved state is just before the service task.
    retried = runner.retry(model, result.state, ctx(Recorder()))
    assert retried.incident is None
    assert [t.name for t in retried.ready_tasks] == ["after"]


def test_unsafe_expression_is_blocked_at_run_time_too():
    # The gateway stops with an incident; the user's completion is kept.
    model = diagrams.load_model(user_then_service(condition="__import__('os').getcwd()"))
    started = runner.start(model, {}, ctx())
    result = runner.complete_task(model, started.state, started.ready_tasks[0].engine_task_id,
                                  {"amount": "1.00"}, ctx())
    assert result.incident is not None and result.incident.element_id == "check"
    assert "not allowed" in result.incident.error


def test_restored_workflow_runs_on_the_restricted_engine():
    # A state restored from JSON must not fall back to SpiffWorkflow's plain eval.
    model = diagrams.load_model(user_then_service(condition="amount.__class__ is not None"))
    started = runner.start(model, {}, ctx())
    result = runner.complete_task(model, started.state, started.ready_tasks[0].engine_task_id,
                                  {"amount": "1.00"}, ctx())
    assert result.incident is not None
    assert "attribute access '.__class__' is not allowed" in result.incident.error


def test_completing_a_task_that_is_not_ready_is_a_conflict():
    model = diagrams.load_model(user_then_service())
    started = runner.start(model, {}, ctx())
    task_id = started.ready_tasks[0].engine_task_id
    done = runner.complete_task(model, started.state, task_id, {"amount": "1.00"}, ctx())
    with pytest.raises(EngineError) as err:
        runner.complete_task(model, done.state, task_id, {"amount": "1.00"}, ctx())
    assert err.value.conflict


def test_message_not_awaited_is_a_conflict():
    model = diagrams.load_model(user_then_service())
    started = runner.start(model, {}, ctx())
    with pytest.raises(EngineError) as err:
        runner.send_message(model, started.state, "paperwork_received", {}, ctx())
    assert err.value.conflict


def test_forms_roles_and_due_dates_come_from_camunda_attributes(fixed_clock):
    model = diagrams.load_model(DP_XML)
    result = runner.start(model, {}, ctx())
    fixed_clock.set(datetime(2026, 3, 16, 8, tzinfo=timezone.utc))
    fired = runner.fire_timers(model, result.state, ctx())
    phone = fired.ready_tasks[0]
    assert phone.role == "finance_assistant"
    assert phone.due_at.date().isoformat() == "2026-03-18"
    outcome = phone.form[0]
    assert outcome.id == "outcome" and outcome.required and outcome.type == "enum"
    assert ("no_answer", "No answer") in outcome.options
    assert phone.form[1].type == "note"


def test_snippet_helper_builds_valid_diagrams():
    assert diagrams.load_model(diagram('<bpmn:startEvent id="s" />')).key == "snippet"


@pytest.mark.parametrize(("kind", "text", "refused"), [
    ("timeDate", 'add_months(today(), 1)', False),
    ("timeDate", 'setting("dp_reminder_1_working_days")', True),   # a number, not a date
    ("timeDuration", "P5D", False),
    ("timeDuration", 'add_months(today(), 1)', True),            # a date, not a duration
    ("timeDuration", 'setting("dp_reminder_1_working_days")', True),
    ("timeCycle", "R3/PT1H", False),
])
def test_a_timer_that_would_fail_when_reached_is_refused_at_save(kind, text, refused):
    xml = user_then_service(timer=text).replace(
        b"<bpmn:timeDate", f"<bpmn:{kind}".encode()).replace(
        b"</bpmn:timeDate>", f"</bpmn:{kind}>".encode())
    problems = lint(xml)
    assert bool(problems) == refused, problems
    assert all(p.element_id == "waited" for p in problems)


# --- what a diagram's expressions and loops cannot do at run time ---------------------------------

SIZE_BOMB = "len(str({var}) * 1000000000)"  # passes the check on save: only the answers make it big
VALID = {"signatures_complete": True, "dedicated_account": True, "contribution_set_up": True,
         "recipient_signed_on": "2026-03-02"}


def returned_agreement(xml: bytes):
    """The DP process with its agreement back: validate_agreement ready."""
    model = diagrams.load_model(xml)
    started = runner.start(model, {}, ctx())
    returned = runner.send_message(model, started.state, "paperwork_received", {}, ctx())
    return model, returned, returned.ready_tasks[0]


def test_a_due_date_that_cannot_be_worked_out_is_refused_naming_its_task():
    old = b'camunda:dueDate="add_working_days(today(), setting(&quot;dp_countersign_due_working_days&quot;))"'
    new = f'camunda:dueDate="add_working_days(today(), {SIZE_BOMB.format(var="recipient_signed_on")})"'
    xml = DP_XML.replace(old, new.encode())
    assert xml != DP_XML and lint(xml) == []
    model, returned, validate = returned_agreement(xml)
    with pytest.raises(EngineError) as err:
        runner.complete_task(model, returned.state, validate.engine_task_id, VALID, ctx())
    assert err.value.element_id == "countersign_agreement" and not err.value.conflict
    assert "due date of 'Countersign and schedule first payment'" in err.value.message
    assert "larger than the limit" in err.value.message


def test_a_due_date_that_is_not_a_date_is_refused_naming_its_task():
    xml = DP_XML.replace(b"camunda:dueDate=\"add_working_days(today(), setting(&quot;dp_countersign",
                         b"camunda:dueDate=\"str(setting(&quot;dp_countersign")
    assert xml != DP_XML
    model, returned, validate = returned_agreement(xml)
    with pytest.raises(EngineError) as err:
        runner.complete_task(model, returned.state, validate.engine_task_id, VALID, ctx())
    assert err.value.element_id == "countersign_agreement"
    assert "not a date" in err.value.message


def test_a_due_date_is_worked_out_once_and_kept_in_the_saved_state(fixed_clock):
    model, returned, validate = returned_agreement(DP_XML)
    assert validate.due_at == datetime(2026, 3, 4, 7, tzinfo=timezone.utc)
    fixed_clock.set(datetime(2026, 3, 20, 9, tzinfo=timezone.utc))
    again = runner.describe(model, returned.state, ctx())
    assert again.ready_tasks[0].due_at == validate.due_at


def user_then_timer(expression: str) -> bytes:
    return diagram(
        '<bpmn:startEvent id="start" />'
        '<bpmn:userTask id="ask" name="Ask" camunda:candidateGroups="finance_assistant" />'
        '<bpmn:intermediateCatchEvent id="wait" name="Wait for the review date">'
        '<bpmn:timerEventDefinition><bpmn:timeDate xsi:type="bpmn:tFormalExpression">'
        f'{expression}</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
        '<bpmn:endEvent id="end" />'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ask" />'
        '<bpmn:sequenceFlow id="f2" sourceRef="ask" targetRef="wait" />'
        '<bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="end" />')


def test_a_timer_that_cannot_be_set_after_a_task_is_refused_naming_the_timer():
    xml = user_then_timer(f"add_working_days(today(), {SIZE_BOMB.format(var='amount')})")
    assert lint(xml) == []
    model = diagrams.load_model(xml)
    started = runner.start(model, {}, ctx())
    with pytest.raises(EngineError) as err:
        runner.complete_task(model, started.state, started.ready_tasks[0].engine_task_id,
                             {"amount": "1.00"}, ctx())
    assert err.value.element_id == "wait" and not err.value.conflict
    assert "timer 'Wait for the review date'" in err.value.message
    assert "larger than the limit" in err.value.message


def script_loop(body: str = "") -> bytes:
    """start -> script -> gateway, whose default flow goes back to the script."""
    return diagram(
        '<bpmn:startEvent id="start" />'
        '<bpmn:scriptTask id="count" name="Count" scriptFormat="python">'
        '<bpmn:script>n = 1</bpmn:script></bpmn:scriptTask>'
        '<bpmn:exclusiveGateway id="again" default="f_back" />'
        '<bpmn:endEvent id="end" />'
        f'{body}'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="count" />'
        '<bpmn:sequenceFlow id="f2" sourceRef="count" targetRef="again" />'
        '<bpmn:sequenceFlow id="f_back" sourceRef="again" targetRef="count" />'
        '<bpmn:sequenceFlow id="f_out" sourceRef="again" targetRef="end">'
        '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">False'
        '</bpmn:conditionExpression></bpmn:sequenceFlow>')


def test_a_loop_with_nothing_to_wait_for_stops_with_an_incident():
    model = diagrams.load_model(script_loop())
    result = runner.start(model, {}, ctx())
    assert result.incident is not None and not result.incident.held
    assert result.incident.element_id in {"count", "again"}
    assert "ran 1,000 steps without waiting for anyone" in result.incident.error
    assert result.ready_tasks == () and not result.completed
    # The saved state is the one after the last step: a retry runs on from it, and stops again.
    retried = runner.retry(model, result.state, ctx())
    assert retried.incident is not None and "1,000 steps" in retried.incident.error


def test_the_step_budget_counts_every_step_of_one_operation(monkeypatch):
    monkeypatch.setattr(runner, "MAX_STEPS", 40)
    result = runner.start(diagrams.load_model(script_loop()), {}, ctx())
    assert result.incident is not None and "ran 40 steps" in result.incident.error
    assert 30 <= len(result.steps) <= 40


def test_a_step_the_engine_can_no_longer_reach_is_an_incident_not_a_silent_stop(monkeypatch):
    # SpiffWorkflow looks for the next step only 1,000 levels down its tree of tasks; past that
    # it stops as if the case were waiting. Without the budget, that shows as an incident too.
    monkeypatch.setattr(runner, "MAX_STEPS", 1_000_000)
    result = runner.start(diagrams.load_model(script_loop()), {}, ctx())
    assert result.incident is not None
    assert result.incident.element_id in {"count", "again"}
    assert "cannot reach" in result.incident.error


def test_a_script_that_nests_a_value_too_deeply_stops_with_an_incident():
    # Storing a list 1,300 levels deep as JSON would recurse past Python's limit (a 500).
    source = "x = []\n" + "x = [x]\n" * 1300
    model = diagrams.load_model(diagram(
        '<bpmn:startEvent id="start" />'
        f'<bpmn:scriptTask id="calc" scriptFormat="python"><bpmn:script>{source}</bpmn:script>'
        '</bpmn:scriptTask><bpmn:endEvent id="end" />'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="calc" />'
        '<bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="end" />'))
    result = runner.start(model, {}, ctx())
    assert result.incident is not None and result.incident.element_id == "calc"
    assert "nested more than 20 levels deep" in result.incident.error
    assert "x" not in json.loads(result.state)["data"]


# --- service-task parameters: the check reads what the engine runs ------------------------------
LETTERS = ProcessContract(key="snippet", handlers={"send_letter": {
    "template": Parameter("the letters this process sends", values=frozenset({"dp_reminder_1"}))}})


def _param(name: str, value: str) -> str:
    return f'<camunda:inputParameter name="{name}">{value}</camunda:inputParameter>'


def _with_parameters(inputs: str, outside: str = "") -> bytes:
    """user_then_service with these Inputs on its service task, and `outside` after them."""
    return user_then_service().replace(
        _param("template", "dp_reminder_1").encode() + b"</camunda:inputOutput>",
        f"{inputs}</camunda:inputOutput>{outside}".encode())


def test_a_parameter_beside_the_inputs_passes_neither_the_check_nor_the_engine():
    # The engine reads camunda:inputOutput only: a second `template` beside it must not pass the
    # check (here, against the contract) in place of the one that runs.
    xml = _with_parameters(_param("template", "unknown_letter"), _param("template", "dp_reminder_1"))
    problems = diagrams.lint(xml, roles=ROLES, handlers=HANDLERS, functions=set(functions()),
                             contract=LETTERS)
    assert [p.element_id for p in problems] == ["act"]
    assert "'unknown_letter' is not a template" in problems[0].message
    model, recorder = diagrams.load_model(xml), Recorder()
    started = runner.start(model, {}, ctx(recorder))
    runner.complete_task(model, started.state, started.ready_tasks[0].engine_task_id,
                         {"amount": "1.00"}, ctx(recorder))
    assert recorder.calls == [("send_letter", {"template": "unknown_letter"}, "act")]


def test_a_required_parameter_only_beside_the_inputs_is_missing():
    xml = _with_parameters("", _param("template", "dp_reminder_1"))
    assert [p.message for p in lint(xml)] == ["handler 'send_letter' needs parameter 'template'"]


def test_a_parameter_given_twice_is_reported_on_its_task():
    xml = _with_parameters(_param("template", "dp_reminder_1") + _param("template", "dp_reminder_2"))
    problems = lint(xml)
    assert [(p.element_id, p.message) for p in problems] == [
        ("act", "the parameter 'template' is given more than once: keep one")]


@pytest.mark.parametrize("constraint,ok", [
    ('<camunda:constraint name="maxlength" config="200" />', True),
    ('<camunda:constraint name="min" config="0.01" />', True),
    ('<camunda:constraint name="maxlength" />', False),
    ('<camunda:constraint name="min" config="lots" />', False),
    ('<camunda:constraint name="minlength" config="-3" />', False),
])
def test_a_limit_constraint_needs_its_limit(constraint, ok):
    # Without one, completing the task would fail on int(None) (found by mypy).
    xml = user_then_service().replace(
        b'<camunda:constraint name="required" />',
        b'<camunda:constraint name="required" />' + constraint.encode(), 1)
    problems = diagrams.lint(xml, roles=ROLES, handlers=HANDLERS, functions=set())
    assert any("constraint needs a" in p.message for p in problems) is not ok


def test_a_ready_task_s_due_date_is_worked_out_once_not_on_every_step():
    looked_up = []
    fns = calendar.diagram_functions(lambda name: looked_up.append(name) or SETTINGS[name])
    fns["today"] = lambda: clock.today().isoformat()
    counting = runner.EngineContext(fns, Recorder())
    model = diagrams.load_model(DP_XML)
    started = runner.start(model, {}, counting)
    returned = runner.send_message(model, started.state, "paperwork_received", {}, counting)
    assert looked_up.count("dp_validation_due_working_days") == 1
    again = runner.describe(model, returned.state, counting)
    runner.describe(model, again.state, counting)
    assert again.ready_tasks[0].due_at == returned.ready_tasks[0].due_at
    assert looked_up.count("dp_validation_due_working_days") == 1
