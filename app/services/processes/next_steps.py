"""What happens next in a running process, in one plain sentence each, for the case page.

Read from the engine's waiting timers and messages, the diagram's structure after them (the next
named step, the messages that would stop it) and the open tasks; nothing here changes a case.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app import calendar
from app.engine import runner
from app.extensions import db
from app.letters.formatting import format_date
from app.models import AuditEvent, HumanTask, ProcessInstance
from app.models.workflow import InstanceStatus
from app.services.processes import instances
from app.services.processes.engine_context import context_for

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# What each message means, as the end of "... unless <this>". Messages not listed here (a death,
# a broken plan) change the route but are not what anyone is waiting for: left unsaid.
STOPPED_BY = {
    "paperwork_received": "the signed agreement comes back",
    "paid_in_full": "the debt is paid in full",
    "grant_recorded": "a grant of probate is recorded",
    "write_off_decided": "a write-off is decided",
}

# What the case waits for at a message catch event of its own.
WAITING_FOR = {
    "plan_ended": "Waiting for the instalment plan to end",
    "write_off_decided": "Waiting for the write-off decision",
    "paperwork_received": "Waiting for the signed agreement to come back",
}


def day_in_words(day: date) -> str:
    """date(2027, 1, 11) -> "Monday 11 January 2027" (no locale involved)."""
    return f"{_DAYS[day.weekday()]} {format_date(day)}"


def what_happens_next(instance: ProcessInstance) -> list[str]:
    """Each thing the process waits for, earliest first, as a sentence staff can read."""
    if instance.status == InstanceStatus.COMPLETED:
        return []
    if instance.status == InstanceStatus.INCIDENT:
        return ["Stopped by a problem: the operations team has been told and will restart it."]
    said = []
    if instance.status == InstanceStatus.HELD:
        said.append(f"On hold: {hold_reason(instance)}")
    dated: list[tuple[date, str]] = []
    if instance.status != InstanceStatus.HELD:
        dated = _timer_sentences(instance)
    dated += [(_task_date(t), _task_sentence(t)) for t in instances.open_tasks(instance)]
    dated.sort(key=lambda pair: pair[0])
    said += [sentence for _, sentence in dated]
    said += [WAITING_FOR.get(message, f"Waiting for “{name}”") for message, name in
             runner.waiting_messages(instances.model_of(instance), instance.state,
                                     context_for(instance)).values()]
    return said


def hold_reason(instance: ProcessInstance) -> str:
    """Why the process is held, as recorded when it was: the latest `step_held` event."""
    if instances.paused_by_hold(instance):
        return ("a Breathing Space (debt respite) pauses recovery; nothing is sent until it "
                "ends.")
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.instance_id == instance.id, AuditEvent.action == "step_held")
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(1))
    reason = (event.summary or {}).get("reason") if event is not None else None
    if not reason:
        return "something holds recovery; the debt's page says what."
    reason = str(reason).strip()
    return reason if reason.endswith(".") else f"{reason}."


def _timer_sentences(instance: ProcessInstance) -> list[tuple[date, str]]:
    model = instances.model_of(instance)
    timers = runner.waiting_timer_expressions(model, instance.state, context_for(instance))
    out = []
    for element_id, (due, _, _) in timers.items():
        day = calendar.to_local_date(due)
        out.append((day, timer_sentence(runner.what_follows(model, element_id), day)))
    return out


def timer_sentence(follows: runner.WhatFollows, day: date) -> str:
    """"Reminder 2 will be sent on Monday 11 January 2027 unless the signed agreement comes
    back": the step after a timer, its date in words and what would stop it."""
    when = day_in_words(day)
    step = follows.next_step
    if step and follows.next_kind == "service_task" and step.startswith("Send "):
        thing = step.removeprefix("Send ")
        sentence = f"{thing[:1].upper()}{thing[1:]} will be sent on {when}"
    elif step and follows.next_kind == "user_task":
        sentence = f"A task to {_lower_first(step)} will open on {when}"
    elif step:
        sentence = f"The next step, to {_lower_first(step)}, will happen on {when}"
    else:
        sentence = f"The next step is due on {when}"
    stops = list(dict.fromkeys(STOPPED_BY[m] for m, _ in follows.stopped_by if m in STOPPED_BY))
    if stops:
        sentence += " unless " + " or ".join(stops)
    return sentence + "."


def _task_sentence(task: HumanTask) -> str:
    what = _lower_first(task.title)
    who = task.claimed_by.full_name or "a colleague" if task.claimed_by else None
    sentence = (f"Waiting for {who} to {what}" if who
                else f"Waiting for someone in the team to take the task to {what}")
    if task.due_at is not None:
        sentence += f", due {day_in_words(calendar.to_local_date(task.due_at))}"
    return sentence + "."


def _task_date(task: HumanTask) -> date:
    return calendar.to_local_date(task.due_at) if task.due_at is not None else date.max


def _lower_first(text: str) -> str:
    # "Validate the returned agreement" -> "validate the returned agreement"; an acronym stays.
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]
