"""The case's history as a caseworker's record in plain English.

Audit summaries hold ids and field names, never values (app/services/audit.py): what a task
recorded is on its HumanTask row (`form` and `outcome`), a letter's name and recipient on its
Letter row. So a page of events is read with a fixed number of queries — the events, then the
tasks, letters, users and processes they name, each in one query — and never one per event.

The engine's own steps (gateways, timers, service tasks, messages, the start of a process) are
"system steps": hidden unless asked for, and then told in words, not element ids.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select

from app.calendar import LOCAL_TZ
from app.domain.debt_stages import stage_words
from app.domain.queries import closed_sentence, opened_sentence
from app.extensions import db
from app.letters.catalogue import TEMPLATES
from app.letters.formatting import format_date
from app.models import AuditEvent, HumanTask, Letter, Person, ProcessInstance, User
from app.models.workflow import ProcessDefinition, ProcessVersion
from app.services.records import contacts as contact_log

THE_SYSTEM = "The system"
SOMEONE = "A member of staff"  # a user with no full name: never their username

# The engine's own steps, and housekeeping staff do not need to read.
SYSTEM_ACTIONS = frozenset({
    "step_gateway", "step_timer", "step_service_task", "step_event", "step_message",
    "step_task", "message_received", "instance_started", "instance_resumed",
    "task_draft_saved", "letter_render_failed", "letter_render_retried",
})

# Actions told in a fixed phrase (the rest have their own function below).
PHRASES = {
    "person_created": "Person added to the system",
    "note_added": "Note added",
    "document_attached": "Document attached",
    "debt_opened": "Debt opened",
    "debt_closed": "Debt closed",
    "invoice_joined_debt": "An overdue invoice joined the debt",
    "debt_process_started": "Debt recovery started",
    "debt_awaiting_decision": "The debt is waiting for a decision on what to do next",
    "debt_escalated": "The debt was passed on to the next stage",
    "recovery_held": "Recovery held",
    "recovery_excluded": "Recovery stopped for this debt",
    "query_hold_set": "An invoice query holds recovery",
    "query_hold_released": "The invoice query no longer holds recovery",
    "breathing_space_started": "Breathing Space started",
    "breathing_space_end_recorded": "End of the Breathing Space recorded",
    "breathing_space_cancelled": "Breathing Space cancelled",
    "breathing_space_lifted": "Breathing Space ended: recovery can go on",
    "timer_paused": "A waiting step was paused",
    "timer_rescheduled": "A waiting step was given a new date",
    "instalment_plan_agreed": "Instalment plan agreed",
    "instalment_plan_completed": "Instalment plan paid off",
    "instalment_missed": "An instalment was missed",
    "instalment_plan_up_to_date": "Instalment plan back up to date",
    "instalment_plan_cancelled": "Instalment plan cancelled",
    "instalment_plan_broken": "Instalment plan broken",
    "write_off_proposed": "Write-off proposed",
    "write_off_approved": "Write-off approved",
    "write_off_rejected": "Write-off refused",
    "credit_note_raised": "Credit note raised",
    "credit_note_issued": "Credit note issued: the invoice owes less",
    "credit_note_rejected": "Credit note refused",
    "provider_adjustment_recorded": "Provider to be paid less for care not delivered",
    "invoice_reissued": "Corrected invoice issued in place of the queried one",
    "letter_of_claim_posted": "Letter of Claim dated and posted",
    "letter_of_claim_expired": "The Letter of Claim is too old to rely on: a new one is needed",
    "claim_issued": "County court claim issued",
    "claim_acknowledged": "The claim was acknowledged",
    "pap_documents_sent": "Documents sent that the person asked for in their Reply Form",
    "dpa_test_recorded": "Deferred payment test recorded",
    "death_recorded": "Death recorded",
    "grant_recorded": "Grant of probate or letters of administration recorded",
    "care_end_task_raised": "Task raised to end the care package",
    "care_package_ended": "Care package ended",
    "step_held": "The process is held and waits until the hold lifts",
    "incident_raised": "The process stopped on a problem for the support team",
    "incident_retried": "The support team ran the stopped step again",
    "route_chosen": "A manager chose the route the process takes",
    "instance_closed": "The process was closed",
}


@dataclass(frozen=True)
class HistoryEntry:
    """One line of the record: what happened, who did it, when, and what was recorded."""
    at: datetime
    what: str
    who: str
    system: bool = False
    answers: tuple[tuple[str, str], ...] = ()  # a completed task's label -> answer in words
    letter_id: int | None = None  # for a download link

    @property
    def when(self) -> str:
        """The date and time in words, UK time: "9 January 2027 at 14:05"."""
        local = self.at.astimezone(LOCAL_TZ)
        return f"{local.day} {local:%B %Y} at {local:%H:%M}"


@dataclass
class _Lookups:
    """The rows a page of events names, each kind fetched in one query."""
    person: Person
    tasks: dict[int, HumanTask] = field(default_factory=dict)
    letters: dict[int, Letter] = field(default_factory=dict)
    staff: dict[str, str] = field(default_factory=dict)  # username -> full name
    processes: dict[int, str] = field(default_factory=dict)  # instance id -> process name
    contacts: dict[int, Any] = field(default_factory=dict)  # contact id -> ContactRecord


def entries_of(person: Person, show_system: bool = False,
               limit: int | None = None) -> tuple[list[HistoryEntry], int]:
    """The person's history, newest first (the newest `limit` entries), and how many entries
    there are in all; without `show_system`, the engine's own steps are left out of both."""
    where = [AuditEvent.person_id == person.id]
    if not show_system:
        where.append(AuditEvent.action.not_in(SYSTEM_ACTIONS))
    total = db.session.scalar(select(func.count()).select_from(AuditEvent).where(*where)) or 0
    stmt = (select(AuditEvent).where(*where)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))
    events = list(db.session.scalars(stmt.limit(limit) if limit else stmt))
    lookups = _lookups_for(person, events)
    return [_entry(event, lookups) for event in events], total


def entries_for(person: Person, events: list[AuditEvent]) -> list[HistoryEntry]:
    """Entries for events the caller chose (a query's own history), in the order given."""
    lookups = _lookups_for(person, events)
    return [_entry(event, lookups) for event in events]


def _lookups_for(person: Person, events: list[AuditEvent]) -> _Lookups:
    found = _Lookups(person)
    task_ids = {e.task_id for e in events if e.task_id}
    if task_ids:
        found.tasks = {t.id: t for t in db.session.scalars(
            select(HumanTask).where(HumanTask.id.in_(task_ids)))}
    letter_ids = {e.summary.get("letter_id") for e in events if e.summary.get("letter_id")}
    if letter_ids:
        found.letters = {row.id: row for row in db.session.scalars(
            select(Letter).where(Letter.id.in_(letter_ids)))}
    usernames = {e.summary.get("assignee") for e in events if e.action == "task_assigned"}
    usernames.discard(None)
    if usernames:
        found.staff = {row.username: row.full_name for row in db.session.execute(
            select(User.username, User.full_name).where(User.username.in_(usernames)))}
    instance_ids = {e.instance_id for e in events if e.action == "instance_started"}
    if instance_ids:
        found.processes = {row.id: row.name for row in db.session.execute(
            select(ProcessInstance.id, ProcessDefinition.name)
            .join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
            .join(ProcessDefinition, ProcessDefinition.id == ProcessVersion.definition_id)
            .where(ProcessInstance.id.in_(instance_ids)))}
    found.contacts = contact_log.records_by_id(
        e.summary.get("contact_id") for e in events if e.action == "contact_logged")
    return found


def full_name(user: User | None) -> str:
    """A member of staff by their full name; "The system" for no one."""
    if user is None:
        return THE_SYSTEM
    return user.full_name or SOMEONE


def _entry(event: AuditEvent, found: _Lookups) -> HistoryEntry:
    describe = DESCRIBERS.get(event.action)
    if describe is not None:
        what, answers, letter_id = describe(event, found)
    else:
        what, answers, letter_id = _phrase(event), (), None
    return HistoryEntry(at=event.at, what=what, who=full_name(event.actor),
                        system=event.action in SYSTEM_ACTIONS, answers=answers,
                        letter_id=letter_id)


Described = tuple[str, tuple[tuple[str, str], ...], int | None]


def _phrase(event: AuditEvent) -> str:
    phrase = PHRASES.get(event.action)
    if phrase is None:
        return event.action.replace("_", " ").capitalize()
    reason = event.summary.get("reason")
    if event.action in ("debt_closed", "recovery_held") and isinstance(reason, str):
        return f"{phrase}: {reason.replace('_', ' ')}"
    return phrase


# -- what a task recorded ---------------------------------------------------------------

def answer_in_words(form_field: Mapping[str, Any], value: Any) -> str:
    """One answer as staff read it: Yes or No, an option's name, a date in words, money in £."""
    kind = form_field.get("type")
    if value is None or value == "":
        return "Not given"
    if kind == "boolean":
        return "Yes" if value in (True, "true") else "No"
    if kind == "enum":
        names = {str(option[0]): str(option[1]) for option in form_field.get("options") or ()}
        return names.get(str(value), str(value))
    if kind == "date":
        return _date_in_words(value)
    if kind == "money":
        try:
            return f"£{Decimal(str(value)):,.2f}"
        except InvalidOperation:
            return str(value)
    return str(value)


def _date_in_words(value: Any) -> str:
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return format_date(day)


def answer_name(form_field: Mapping[str, Any]) -> str:
    """What a record calls an answer: the field's short name from the diagram ("First payment
    date", its `error_name`) when it gives one, else its label (the question)."""
    named = str((form_field.get("properties") or {}).get("error_name") or "").strip()
    return named or str(form_field.get("label") or form_field.get("id") or "")


def answers_of(task: HumanTask) -> tuple[tuple[str, str], ...]:
    """A completed task's answers in its form's order, each with its name (answer_name)."""
    outcome = task.outcome or {}
    return tuple((answer_name(f), answer_in_words(f, outcome[f["id"]]))
                 for f in task.form or () if f.get("id") in outcome)


def _first_of_type(task: HumanTask, kind: str) -> str | None:
    outcome = task.outcome or {}
    for form_field in task.form or ():
        if form_field.get("type") == kind and outcome.get(form_field["id"]) not in (None, ""):
            return answer_in_words(form_field, outcome[form_field["id"]])
    return None


def _call_sentence(task: HumanTask, person: Person) -> str:
    """"Phoned Margaret Ellis: will pay £752.50 by 20 January 2027"."""
    said = _first_of_type(task, "enum")
    if said is None:
        return f"Phoned {person.name}"
    said = said.removeprefix("Spoke to them: ")
    said = said[0].lower() + said[1:] if said[:2] != said[:2].upper() else said
    money, by = _first_of_type(task, "money"), _first_of_type(task, "date")
    return (f"Phoned {person.name}: {said}" + (f" {money}" if money else "")
            + (f" by {by}" if by else ""))


def _is_call(task: HumanTask) -> bool:
    return "phone" in task.name


def _task_completed(event: AuditEvent, found: _Lookups) -> Described:
    task = found.tasks.get(event.task_id or 0)
    if task is None:
        return f"Completed: {event.summary.get('title') or 'a task'}", (), None
    if _is_call(task):
        return _call_sentence(task, found.person), answers_of(task), None
    chosen = _first_of_type(task, "enum")
    what = f"{task.title}: {chosen}" if chosen else f"Completed: {task.title}"
    return what, answers_of(task), None


def _task_event(verb: str) -> Callable[[AuditEvent, _Lookups], Described]:
    def describe(event: AuditEvent, found: _Lookups) -> Described:
        task = found.tasks.get(event.task_id or 0)
        return f"{verb}: {task.title if task else 'a task'}", (), None
    return describe


def _task_assigned(event: AuditEvent, found: _Lookups) -> Described:
    task = found.tasks.get(event.task_id or 0)
    to = found.staff.get(event.summary.get("assignee") or "") or SOMEONE
    return f"Task given to {to}: {task.title if task else 'a task'}", (), None


# -- letters, stages and the engine's steps ---------------------------------------------

def letter_name(template: str) -> str:
    """The name staff use for a letter template ("Final demand")."""
    info = TEMPLATES.get(template)
    return info.display_name if info else "A letter"


def recipient_of(letter: Letter, person: Person) -> str:
    """"Mrs B as deputy", or the person's own name."""
    if letter.recipient_name != person.name:
        for rep in _representatives(person):
            if rep.name == letter.recipient_name:
                return f"{rep.name} as {rep.type.replace('_', ' ')}"
    return letter.recipient_name


def _representatives(person: Person) -> Iterable[Any]:
    return getattr(person, "representatives", None) or ()


def _letter_issued(event: AuditEvent, found: _Lookups) -> Described:
    letter = found.letters.get(event.summary.get("letter_id") or 0)
    if letter is None:
        return f"{letter_name(event.summary.get('template') or '')} made", (), None
    name, to = letter_name(letter.template), recipient_of(letter, found.person)
    if letter.status == "awaiting_approval":
        return f"{name} to {to} prepared: waiting for approval", (), letter.id
    if letter.status == "superseded":
        return f"{name} to {to} made, then replaced by a newer copy", (), letter.id
    return f"{name} sent to {to}", (), letter.id


def _stage_changed(event: AuditEvent, found: _Lookups) -> Described:
    old, new = event.summary.get("from"), event.summary.get("to")
    new_words = stage_words(str(new)) if new else "a new stage"
    if old:
        return f"Debt moved from {stage_words(str(old))} to {new_words}", (), None
    return f"Debt moved to {new_words}", (), None


def _step_words(title: str) -> str:
    """An element's name without the diagram's shorthand ("R1: reminder 1 due")."""
    head, sep, rest = title.partition(": ")
    if sep and len(head) <= 4 and head.replace("_", "").isalnum() and head.upper() == head:
        title = rest
    return title[:1].lower() + title[1:]


def _named(event: AuditEvent) -> str | None:
    title = event.summary.get("title")
    if not isinstance(title, str) or not title or title == event.element_id:
        return None  # an element with no name: its id is not for staff
    return _step_words(title)


def _step_gateway(event: AuditEvent, found: _Lookups) -> Described:
    named = _named(event)
    if named is None:
        return "The process moved on to its next steps", (), None
    return f"The process checked “{named[:1].upper() + named[1:]}”", (), None


def _step_timer(event: AuditEvent, found: _Lookups) -> Described:
    named = _named(event)
    return (f"The process stopped waiting: {named}" if named
            else "The process stopped waiting"), (), None


def _step_service_task(event: AuditEvent, found: _Lookups) -> Described:
    named = _named(event)
    return (f"The process did this on its own: {named}" if named
            else "The process did a step on its own"), (), None


def _step_event(event: AuditEvent, found: _Lookups) -> Described:
    named = _named(event)
    return (f"The process reached: {named}" if named
            else "The process reached a milestone"), (), None


def _message_received(event: AuditEvent, found: _Lookups) -> Described:
    message = str(event.summary.get("message") or "").replace("_", " ")
    return (f"The process was told: {message}" if message
            else "The process was told something happened"), (), None


def _instance_started(event: AuditEvent, found: _Lookups) -> Described:
    name = found.processes.get(event.instance_id or 0) or "A process"
    return f"{name} started", (), None


def _contact_logged(event: AuditEvent, found: _Lookups) -> Described:
    record = found.contacts.get(event.summary.get("contact_id") or 0)
    if record is None:
        return "Call or contact logged", (), None
    answers = [("When", contact_log.when_in_words(record)),
               ("How", contact_log.METHODS.get(record.method, record.method))]
    if record.notes:
        answers.append(("Notes", record.notes))
    return contact_log.sentence(record, found.person), tuple(answers), None


def _query_opened(event: AuditEvent, found: _Lookups) -> Described:
    s = event.summary
    return opened_sentence(s.get("reference", "?"), s.get("query_type", ""),
                           list(s.get("invoices") or [])), (), None


def _query_closed(event: AuditEvent, found: _Lookups) -> Described:
    s = event.summary
    return closed_sentence(s.get("reference", "?"), s.get("outcome", ""),
                           list(s.get("released") or [])), (), None


DESCRIBERS: dict[str, Callable[[AuditEvent, _Lookups], Described]] = {
    "query_opened": _query_opened,
    "query_closed": _query_closed,
    "contact_logged": _contact_logged,
    "task_completed": _task_completed,
    "task_claimed": _task_event("Task taken"),
    "task_unclaimed": _task_event("Task handed back"),
    "task_cancelled": _task_event("Task no longer needed"),
    "task_draft_saved": _task_event("Draft answers saved"),
    "task_assigned": _task_assigned,
    "letter_issued": _letter_issued,
    "debt_stage_changed": _stage_changed,
    "step_gateway": _step_gateway,
    "step_timer": _step_timer,
    "step_service_task": _step_service_task,
    "step_event": _step_event,
    "step_task": _step_event,
    "step_message": _step_event,
    "message_received": _message_received,
    "instance_started": _instance_started,
}


# -- what a task page shows of the record -----------------------------------------------

# The processes about a debt: their tasks show the debt's invoices and the letters sent on it.
DEBT_PROCESSES = ("debt_recovery", "debt_decision", "legal_recovery", "estate_recovery")
EARLIER = 5  # the earlier tasks a task page shows the answers of


@dataclass(frozen=True)
class Recorded:
    """An earlier task of the same process and what was recorded on it."""
    title: str
    who: str
    at: datetime | None
    answers: tuple[tuple[str, str], ...]


def recorded_before(task: HumanTask) -> list[Recorded]:
    """The answers of the latest completed tasks of the task's own process, newest first."""
    if task.instance_id is None:
        return []
    rows = db.session.execute(
        select(HumanTask, User.full_name).outerjoin(User, User.id == HumanTask.completed_by_id)
        .where(HumanTask.instance_id == task.instance_id, HumanTask.id != task.id,
               HumanTask.status == "completed")
        .order_by(HumanTask.completed_at.desc(), HumanTask.id.desc()).limit(EARLIER))
    return [Recorded(done.title, name or SOMEONE, done.completed_at, answers_of(done))
            for done, name in rows]


def is_debt_task(task: HumanTask) -> bool:
    return task.process_key in DEBT_PROCESSES


def debt_letters_of(person: Person) -> list[Letter]:
    """The letters made by the person's debt processes, oldest first."""
    return list(db.session.scalars(
        select(Letter).join(ProcessInstance, ProcessInstance.id == Letter.instance_id)
        .join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
        .join(ProcessDefinition, ProcessDefinition.id == ProcessVersion.definition_id)
        .where(Letter.person_id == person.id, ProcessDefinition.key.in_(DEBT_PROCESSES))
        .order_by(Letter.letter_date, Letter.id)))


def staff_name(user_id: int | None) -> str:
    """A member of staff's full name by their id ("The system" for none)."""
    if user_id is None:
        return THE_SYSTEM
    return full_name(db.session.get(User, user_id))
