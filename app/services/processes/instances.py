"""Process instances: start, advance, persist what the engine says, and read them back."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Iterable, Mapping

from sqlalchemy import select

from app import clock
from app.engine import diagrams, runner
from app.engine.types import EngineError, EngineResult, Route
from app.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.models import (
    AuditEvent,
    BreathingSpace,
    HumanTask,
    Incident,
    InstanceStatus,
    PausedTimer,
    Person,
    ProcessInstance,
    TaskStatus,
    User,
)
from app.services import audit
from app.services.processes import definitions
from app.services.processes.engine_context import context_for
from app.services.records.people import get_person
from app.services.transaction import use_case

# Called when an instance of one of the processes reaches an end of its diagram by itself (not
# when closed from outside): e.g. a recovery stage that ends with money still owed starts the
# debt's decision. create_app installs them (app/services/wiring.py).
FinishedListener = Callable[[ProcessInstance], None]
FINISHED_LISTENERS: list[tuple[frozenset[str], FinishedListener]] = []


def on_finished(process_keys: Iterable[str], listener: FinishedListener) -> None:
    entry = (frozenset(process_keys), listener)
    if entry not in FINISHED_LISTENERS:
        FINISHED_LISTENERS.append(entry)


# Run after each engine run of a running instance of the named processes (not its start), with
# its state before the run: a capability that stops a process's clock (the ladder waiting for
# invoice queries) sees the timers that started in it. Installed by app/services/wiring.py.
RanListener = Callable[[ProcessInstance, str, EngineResult], None]
RAN_LISTENERS: list[tuple[frozenset[str], RanListener]] = []


def on_ran(process_keys: Iterable[str], listener: RanListener) -> None:
    entry = (frozenset(process_keys), listener)
    if entry not in RAN_LISTENERS:
        RAN_LISTENERS.append(entry)


# What a process needs of the case before it may start, checked when a person or an API client
# starts it: a start its first steps cannot carry out is refused (422, naming what is missing)
# instead of accepted and stopped at an incident. Each capability declares its own checks;
# create_app installs them (app/services/wiring.py). A check returns problems in the shape
# ValidationFailed takes ({"field", "message"}); a process without one starts unchecked.
StartCheck = Callable[[Person, Mapping[str, Any]], list[dict]]
START_CHECKS: dict[str, StartCheck] = {}


def install_start_checks(checks: Mapping[str, StartCheck]) -> None:
    START_CHECKS.update(checks)


# What a started instance must be joined to before its first step runs (a debt's process is the
# one the debt points at: messages, listeners and task checks find it that way).
StartLink = Callable[[ProcessInstance, Mapping[str, Any]], None]
START_LINKS: dict[str, StartLink] = {}


def install_start_links(links: Mapping[str, StartLink]) -> None:
    START_LINKS.update(links)


def model_of(instance: ProcessInstance) -> diagrams.ProcessModel:
    """The instance's diagram, built once per process: the version's XML is read from the
    database only the first time (the column is deferred where the request path loads it)."""
    version = instance.version
    return diagrams.model_by_hash(version.content_hash, lambda: version.xml)


def get_instance(instance_id: int) -> ProcessInstance:
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound(f"no process instance {instance_id}")
    return instance


@use_case
def start_instance(process_key: str, person_reference: str, data: Mapping[str, Any],
                   actor: User | None) -> ProcessInstance:
    """Start the latest published version of a process for a person, once its start check
    finds nothing missing (nothing is written before then)."""
    person = get_person(person_reference)
    check = START_CHECKS.get(process_key)
    problems = check(person, data) if check is not None else []
    if problems:
        raise ValidationFailed(f"'{process_key}' cannot start: the case lacks what it needs",
                               problems)
    link = START_LINKS.get(process_key)
    return begin_instance(process_key, person, data, actor, on_created=None if link is None
                          else lambda created: link(created, data))


def begin_instance(process_key: str, person: Person, data: Mapping[str, Any],
                   actor: User | None, on_created=None) -> ProcessInstance:
    """start_instance inside the caller's transaction (e.g. the daily job opening a debt).

    Unchecked: the code's own starts carry the data it built, and a stage taking a debt over
    from the process before it (`on_created` relinks the debt) would fail the outside check
    that no process works on that debt yet."""
    definition = definitions.get_definition(process_key)
    version = definitions.latest_version(definition)
    if version is None:
        raise Conflict(f"process '{process_key}' has no published version")
    now = clock.now()
    instance = ProcessInstance(version=version, person=person, status=InstanceStatus.ACTIVE,
                               state="", created_at=now, updated_at=now)
    db.session.add(instance)
    db.session.flush()  # handlers need the instance id
    if on_created is not None:
        on_created(instance)  # e.g. link the debt case before its first step runs
    variables = {**data, "person_reference": person.reference, "instance_id": instance.id}
    audit.record("instance_started", actor=actor, person_id=person.id, instance_id=instance.id,
                 summary={"process": process_key, "version": version.number})
    result = run_engine(lambda ctx: runner.start(model_of(instance), variables, ctx), instance)
    apply_result(instance, result, actor)
    return instance


@use_case
def deliver_message(instance_id: int, name: str, data: Mapping[str, Any],
                    actor: User | None) -> ProcessInstance:
    """An external fact (e.g. paperwork received) reaches the instance waiting for it."""
    instance = get_instance(instance_id)
    send_message_to(instance, name, data, actor)
    return instance


def send_message_to(instance: ProcessInstance, name: str, data: Mapping[str, Any],
                    actor: User | None) -> None:
    """deliver_message inside the caller's transaction. A held instance takes messages: paid in
    full or a death must reach a ladder whatever holds it."""
    require_running(instance, allow_held=True)
    result = run_engine(lambda ctx: runner.send_message(
        model_of(instance), instance.state, name, data, ctx), instance)
    audit.record("message_received", actor=actor, person_id=instance.person_id,
                 instance_id=instance.id, summary={"message": name, "fields": sorted(data)})
    apply_result(instance, result, actor)


def resume(instance: ProcessInstance, actor: User | None) -> None:
    """Run a held instance on: due timers fire and a held step runs again (it may hold again)."""
    instance.status = InstanceStatus.ACTIVE
    result = run_engine(lambda ctx: runner.retry(model_of(instance), instance.state, ctx),
                        instance)
    audit.record("instance_resumed", actor=actor, person_id=instance.person_id,
                 instance_id=instance.id)
    apply_result(instance, result, actor)


def close(instance: ProcessInstance, reason: str, actor: User | None) -> None:
    """End an instance from outside its diagram (its debt was paid while it waited elsewhere)."""
    now = clock.now()
    instance.status = InstanceStatus.COMPLETED
    instance.next_timer_due = None
    instance.updated_at = now
    for task in open_tasks(instance):
        task.status, task.completed_at = TaskStatus.CANCELLED, now
        audit.record("task_cancelled", actor=None, person_id=instance.person_id,
                     instance_id=instance.id, task_id=task.id, element_id=task.name)
    audit.record("instance_closed", actor=actor, person_id=instance.person_id,
                 instance_id=instance.id, summary={"reason": reason})


@use_case
def retry_incident(instance_id: int, actor: User) -> ProcessInstance:
    """Run the failed service task again, once its cause has been fixed."""
    instance = _with_incident(instance_id, actor)
    result = run_engine(lambda ctx: runner.retry(model_of(instance), instance.state, ctx),
                        instance)
    audit.record("incident_retried", actor=actor, person_id=instance.person_id,
                 instance_id=instance.id)
    apply_result(instance, result, actor)
    return instance


def step_name(instance: ProcessInstance, element_id: str) -> str:
    """What a step is called in the diagram of the instance's version."""
    return runner.element_name(model_of(instance), element_id)


def ambiguous_routes(instance: ProcessInstance) -> list[Route]:
    """The routes whose conditions all held where the case stopped at a gateway; else none."""
    return runner.ambiguous_routes(model_of(instance), instance.state, context_for(instance))


@use_case
def choose_route(instance_id: int, target_id: str, actor: User) -> ProcessInstance:
    """An operator decides which of the routes that all held this case takes (the diagram's
    conditions overlapped); audited, and only one of those routes."""
    instance = _with_incident(instance_id, actor)
    routes = {r.target_id: r for r in ambiguous_routes(instance)}
    if target_id not in routes:
        raise ValidationFailed("choose one of the routes whose conditions held",
                               [{"field": "route", "message": "Select the route this case takes"}])
    result = run_engine(lambda ctx: runner.choose_route(
        model_of(instance), instance.state, target_id, ctx), instance)
    audit.record("route_chosen", actor=actor, person_id=instance.person_id,
                 instance_id=instance.id, element_id=routes[target_id].gateway_id,
                 summary={"route": target_id, "name": routes[target_id].name})
    apply_result(instance, result, actor)
    return instance


def _with_incident(instance_id: int, actor: User) -> ProcessInstance:
    """The instance with its open incidents resolved by `actor`, ready to run on."""
    instance = get_instance(instance_id)
    if instance.status != InstanceStatus.INCIDENT:
        raise Conflict("this instance has no open incident")
    for incident in open_incidents(instance):
        incident.resolved_at = clock.now()
        incident.resolved_by_id = actor.id
    instance.status = InstanceStatus.ACTIVE
    return instance


def require_running(instance: ProcessInstance, allow_held: bool = False) -> None:
    """Refuse to advance a finished instance, one waiting for its incident to be retried, or
    (unless allowed) one a recovery guard holds."""
    if instance.status == InstanceStatus.COMPLETED:
        raise Conflict("this process instance has finished")
    if instance.status == InstanceStatus.INCIDENT:
        raise Conflict("this process instance has an open incident; retry it first")
    if instance.status == InstanceStatus.HELD and not allow_held:
        raise Conflict("recovery is on hold for this case (see the debt's guards); "
                       "nothing can move until the hold lifts")


def run_engine(operation, instance: ProcessInstance) -> EngineResult:
    """Run one engine operation with this instance's context; engine refusals become 409/422."""
    try:
        return operation(context_for(instance))
    except EngineError as exc:
        details = [{"message": exc.message, **({"element_id": exc.element_id}
                                               if exc.element_id else {})}]
        if exc.conflict:
            raise Conflict(exc.message, details) from exc
        raise ValidationFailed("the process could not go on: " + exc.message, details) from exc


def apply_result(instance: ProcessInstance, result: EngineResult, actor: User | None,
                 open_tasks: Iterable[HumanTask] | None = None) -> None:
    """Persist state, timers, tasks, incidents and history of one engine operation.

    `open_tasks`: the instance's open diagram tasks as the caller read them in this
    transaction, if it did (else they are read here)."""
    now = clock.now()
    was_held = instance.status == InstanceStatus.HELD
    was_state = instance.state
    instance.state = result.state
    instance.next_timer_due = result.next_timer_due
    instance.updated_at = now
    if result.incident is not None and result.incident.held:
        instance.status = InstanceStatus.HELD
        audit.record("step_held", actor=None, person_id=instance.person_id,
                     instance_id=instance.id, element_id=result.incident.element_id,
                     summary={"reason": result.incident.error})
    elif result.incident is not None:
        instance.status = InstanceStatus.INCIDENT
        db.session.add(Incident(instance_id=instance.id, element_id=result.incident.element_id,
                                handler=result.incident.handler, error=result.incident.error,
                                created_at=now))
        audit.record("incident_raised", actor=None, person_id=instance.person_id,
                     instance_id=instance.id, element_id=result.incident.element_id,
                     summary={"handler": result.incident.handler})
    elif result.completed:
        instance.status = InstanceStatus.COMPLETED
    elif was_held and paused_by_hold(instance):
        instance.next_timer_due = None  # a Breathing Space still pauses its timers
    elif was_held:
        instance.status = InstanceStatus.ACTIVE
    for step in result.steps:
        if step.kind == "user_task":
            continue  # recorded by complete_task with its task id
        audit.record(f"step_{step.kind}", actor=actor, person_id=instance.person_id,
                     instance_id=instance.id, element_id=step.element_id,
                     summary={"title": step.title})
    if result.incident is None:
        _sync_tasks(instance, result, now, open_tasks)
    if instance.status == InstanceStatus.COMPLETED and result.completed:
        key = instance.version.definition.key
        for keys, listener in FINISHED_LISTENERS:
            if key in keys:
                listener(instance)
    elif was_state and result.incident is None and RAN_LISTENERS:
        key = instance.version.definition.key
        for keys, ran in RAN_LISTENERS:
            if key in keys:
                ran(instance, was_state, result)


def paused_by_hold(instance: ProcessInstance) -> bool:
    """Whether a Breathing Space holds this instance: its timers paused and not yet resumed,
    or a moratorium of the person not yet lifted (it may have started with no timer waiting)."""
    if db.session.scalar(select(PausedTimer.id).where(
            PausedTimer.instance_id == instance.id, PausedTimer.resumed_at.is_(None)).limit(1)
    ) is not None:
        return True
    return db.session.scalar(select(BreathingSpace.id).where(
        BreathingSpace.person_id == instance.person_id, BreathingSpace.lifted_at.is_(None),
        BreathingSpace.cancelled_on.is_(None), BreathingSpace.starts_on <= clock.today()
    ).limit(1)) is not None


def _sync_tasks(instance: ProcessInstance, result: EngineResult, now,
                known_open: Iterable[HumanTask] | None) -> None:
    if known_open is None:
        with db.session.no_autoflush:  # one flush at commit instead of two
            known_open = list(db.session.scalars(select(HumanTask).where(
                HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.OPEN,
                HumanTask.source == "diagram")))
    # Unflushed changes count: the task this use case just completed is not open any more.
    open_rows = {t.engine_task_id: t for t in known_open if t.status == TaskStatus.OPEN}
    for ready in result.ready_tasks:
        row = open_rows.pop(ready.engine_task_id, None)
        if row is None:
            row = HumanTask(instance_id=instance.id, engine_task_id=ready.engine_task_id,
                            team_id=instance.person.team_id, person_id=instance.person_id,
                            process_key=instance.version.definition.key, created_at=now,
                            status=TaskStatus.OPEN)
            db.session.add(row)
        row.name, row.title, row.role, row.due_at = (
            ready.name, ready.title, ready.role, ready.due_at)
        row.form = [f.to_dict() for f in ready.form]
    for gone in open_rows.values():
        gone.status = TaskStatus.CANCELLED
        gone.completed_at = now
        audit.record("task_cancelled", actor=None, person_id=instance.person_id,
                     instance_id=instance.id, task_id=gone.id, element_id=gone.name)


def open_incidents(instance: ProcessInstance) -> list[Incident]:
    return list(db.session.scalars(select(Incident).where(
        Incident.instance_id == instance.id, Incident.resolved_at.is_(None))))


def history(instance_id: int) -> list[AuditEvent]:
    get_instance(instance_id)
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.instance_id == instance_id).order_by(AuditEvent.at, AuditEvent.id)))


def open_tasks(instance: ProcessInstance) -> list[HumanTask]:
    return list(db.session.scalars(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.OPEN
    ).order_by(HumanTask.id)))


@use_case
def reschedule_timer(instance_id: int, element_id: str, due: datetime, actor: User | None,
                     reason: str) -> ProcessInstance:
    """Move a waiting timer (Breathing Space holds, recomputed legal dates), audited."""
    instance = get_instance(instance_id)
    require_running(instance)
    move_timer(instance, element_id, due, actor, reason)
    return instance


def waiting_timers_of(instance: ProcessInstance) -> dict[str, datetime]:
    return runner.waiting_timers(model_of(instance), instance.state, context_for(instance))


def move_timer(instance: ProcessInstance, element_id: str, due: datetime, actor: User | None,
               reason: str) -> None:
    """reschedule_timer inside the caller's transaction."""
    before = instance.next_timer_due
    result = run_engine(lambda ctx: runner.reschedule_timer(
        model_of(instance), instance.state, element_id, due, ctx), instance)
    audit.record("timer_rescheduled", actor=actor, person_id=instance.person_id,
                 instance_id=instance.id, element_id=element_id,
                 summary={"due": due.isoformat(), "reason": reason,
                          "next_before": before.isoformat() if before else None})
    apply_result(instance, result, actor)
