"""The debt-recovery ladder's steps: guards first, then the letter or the escalation.

Every ladder letter and escalation comes through here, whatever the diagram says: the global
guards (app/domain/guards.py) are decided from the case as it is now. When one holds, the step
is parked (engine StepHeld: the instance waits as "held") and the guard is written on the debt
case and in the history; `recheck` runs the step again once the hold lifts.
"""
from __future__ import annotations

import uuid
from datetime import date
from typing import Callable

from sqlalchemy import select

from app import calendar, clock
from app.domain import guards
from app.extensions import db
from app.letters import RepresentationNeeded
from app.letters.addressing import choose_recipient
from app.letters.formatting import format_date
from app.models import (
    CapacityAssessment,
    DebtCase,
    DebtCaseStatus,
    HumanTask,
    InstanceStatus,
    Person,
    ProcessInstance,
    TaskStatus,
)
from app.roles import Role
from app.services import audit, settings
from app.services.correspondence.letters import person_facts
from app.services.debts.cases import CLOSED_INVOICE, active_breathing_space, current_plan
from app.services.debts.recovery_contract import LADDER_KEY
from app.services.processes import instances

# --- the facts and the decision -------------------------------------------------------------------


GENERAL = "general"  # the matter of the ladder's letters (app/letters/catalogue.py)
PROPERTY = "capital_or_property"  # the legal stage's: only a deputy or attorney may receive them
NO_AUTHORITY_OVER_PROPERTY = (
    "a deputy or a litigation friend is needed: the representative recorded (an appointee or "
    "a benefits-only attorney or deputy) has no authority over capital or property")


def representation_needed(person: Person, matter: str = GENERAL) -> str | None:
    """Why no one can be written to about the debt on this matter, or None. Reasons never name
    the person."""
    if person.deceased:
        return None  # the personal representatives are written to (the estate route)
    recipient = choose_recipient(person_facts(person), matter)
    if isinstance(recipient, RepresentationNeeded):
        if matter == PROPERTY:
            return NO_AUTHORITY_OVER_PROPERTY
        return "no representative with authority for this matter is recorded"
    if recipient.role == "self" and lacks_capacity(person):
        return ("the person lacks capacity to manage their finances and no deputy or "
                "attorney is recorded: find someone who can act for them")
    return None


def lacks_capacity(person: Person) -> bool:
    latest = db.session.scalar(
        select(CapacityAssessment)
        .where(CapacityAssessment.person_id == person.id,
               CapacityAssessment.decision.in_(("finance", "property")))
        .order_by(CapacityAssessment.assessed_on.desc(), CapacityAssessment.id.desc()).limit(1))
    return latest is not None and not latest.has_capacity


def facts_for(debt: DebtCase, today: date, matter: str = GENERAL) -> guards.GuardFacts:
    person = debt.account.person
    bs = active_breathing_space(person.id, today)
    plan = current_plan(debt)
    return guards.GuardFacts(
        today=today,
        invoices=tuple(guards.InvoiceFact(i.number, i.invoice_date, i.due_date, i.total,
                                          i.outstanding, i.query_hold) for i in debt.invoices
                       if i.status not in CLOSED_INVOICE),
        breathing_space=None if bs is None else (
            f"{bs.kind.replace('_', ' ')} from {format_date(bs.starts_on)}"
            + (f" to {format_date(bs.ends_on)}" if bs.ends_on else " (open-ended)")),
        deceased=person.deceased,
        # A plan in force holds the ladder, within a missed instalment's grace days too.
        plan_in_force=plan is not None,
        representation_needed=representation_needed(person, matter),
    )


def decide(debt: DebtCase, kind: str, today: date | None = None, matter: str = GENERAL
           ) -> guards.GuardDecision:
    """The guards for a step of `kind` whose letter is about `matter` (a Letter of Claim is about
    capital or property, which an appointee has no authority over)."""
    return guards.decide(facts_for(debt, today or clock.today(), matter), kind)


def note_guards(debt: DebtCase, decision: guards.GuardDecision) -> None:
    """Keep the debt case's list of holding guards current (each with the day it began)."""
    today = clock.today().isoformat()
    before = debt.guards or {}
    debt.guards = {name: {"reason": reason, "since": before.get(name, {}).get("since", today)}
                   for name, reason in decision.holds.items()}


def hold_recorder(debt: DebtCase, decision: guards.GuardDecision, step: str,
                  matter: str = GENERAL) -> Callable[[], None]:
    def record() -> None:
        note_guards(debt, decision)
        audit.record("recovery_held", actor=None, person_id=debt.person_id,
                     instance_id=debt.instance_id,
                     summary={"debt_id": debt.id, "step": step, "guards": sorted(decision.holds)})
        _raise_guard_tasks(debt, decision, matter)
    return record


def note_exclusions(debt: DebtCase, decision: guards.GuardDecision, step: str) -> None:
    """Queried and statute-barred invoices left out of a step: in the history, and a write-off
    task for each barred one."""
    for name, left_out in (("invoice_query", decision.queried), ("limitation", decision.barred)):
        if left_out:
            audit.record("recovery_excluded", actor=None, person_id=debt.person_id,
                         instance_id=debt.instance_id,
                         summary={"debt_id": debt.id, "step": step, "guard": name,
                                  "invoices": [i.number for i in left_out]})
    _raise_guard_tasks(debt, decision)


# --- tasks a guard raises -------------------------------------------------------------------------
WRITE_OFF_FORM = [
    {"id": "decision", "label": "Decision", "type": "enum", "required": True, "options": [
        ["propose_write_off", "Propose write-off: statute-barred"],
        ["refer_to_legal", "Refer to Legal: there may be a written acknowledgment"]]},
    {"id": "notes", "label": "Notes", "type": "note", "required": False, "options": []},
]
REPRESENTATION_FORM = [
    {"id": "action", "label": "Action taken", "type": "enum", "required": True, "options": [
        ["support_family_deputyship", "Support the family to apply for deputyship"],
        ["council_applies_deputy", "The council applies to be deputy"],
        ["panel_deputy", "Ask for a panel deputy"],
        ["representative_recorded", "A representative is now recorded"],
        ["capacity_confirmed", "Capacity reassessed: the person can manage their finances"]]},
    {"id": "notes", "label": "Notes", "type": "note", "required": False, "options": []},
]
NOTES_FORM = [{"id": "notes", "label": "Notes", "type": "note", "required": True, "options": []}]
REVIEW_FORM = [
    {"id": "decision", "label": "Decision", "type": "enum", "required": True, "options": [
        ["no_review", "No review request"],
        ["request_review", "Ask the debt adviser for a review of the Breathing Space"]]},
    {"id": "reasons", "label": "Reasons", "type": "note", "required": True, "options": []},
]


def _raise_guard_tasks(debt: DebtCase, decision: guards.GuardDecision,
                       matter: str = GENERAL) -> None:
    instance = db.session.get(ProcessInstance, debt.instance_id) if debt.instance_id else None
    if instance is None:
        return
    for invoice in decision.barred:
        raise_task(instance, "write_off_statute_barred",
                   f"Propose write-off: invoice {invoice.number} is statute-barred",
                   Role.FINANCE_OFFICER, WRITE_OFF_FORM)
    if "representation" in decision.holds and matter == PROPERTY:
        # The caseworker arranges the deputyship (or, for a claim, the litigation friend).
        raise_task(instance, "find_deputy_or_litigation_friend_guard",
                   "A deputy or a litigation friend is needed", Role.CASEWORKER,
                   REPRESENTATION_FORM)
    elif "representation" in decision.holds:
        raise_task(instance, "find_representative_guard",
                   "Find someone who can act for the person", Role.FINANCE_OFFICER,
                   REPRESENTATION_FORM)


def raise_task(instance: ProcessInstance, name: str, title: str, role: str, form: list,
               due: date | None = None) -> HumanTask:
    """A task a guard needs done, once: an open or finished one with the same title is kept."""
    existing = db.session.scalar(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.source == "guard",
        HumanTask.title == title, HumanTask.status != TaskStatus.CANCELLED))
    if existing is not None:
        return existing
    due = due or calendar.add_working_days(
        clock.today(), settings.integer("debt_guard_task_due_working_days"))
    now = clock.now()
    task = HumanTask(instance_id=instance.id, engine_task_id=_guard_task_id(), source="guard",
                     name=name, title=title, role=role, team_id=instance.person.team_id,
                     person_id=instance.person_id, process_key=LADDER_KEY,
                     due_at=calendar.at_local_hour(due), form=form, status=TaskStatus.OPEN,
                     created_at=now)
    db.session.add(task)
    db.session.flush()
    audit.record("guard_task_raised", actor=None, person_id=instance.person_id,
                 instance_id=instance.id, task_id=task.id, element_id=name)
    return task


def _guard_task_id() -> str:
    return "guard-" + uuid.uuid4().hex[:30]


# --- resuming -------------------------------------------------------------------------------------
def recheck(debt: DebtCase, actor) -> None:
    """Run a held ladder on if nothing holds it any more (a hold lifted, a query resolved, a
    representative recorded). Timers paused by a Breathing Space resume only when it ends."""
    if debt.instance_id is None or debt.status != DebtCaseStatus.OPEN:
        return
    instance = db.session.get_one(ProcessInstance, debt.instance_id)
    if instance.status != InstanceStatus.HELD or instances.paused_by_hold(instance):
        note_guards(debt, decide(debt, guards.LETTER))
        return
    instances.resume(instance, actor)
    if instance.status != InstanceStatus.HELD:
        note_guards(debt, decide(debt, guards.LETTER))


# Guards that say why a letter waits, as the check-your-answers page words it; the others
# (representation, deceased) already change who the letter goes to or stop it.
_WAIT_GUARDS = ("breathing_space", "instalment_plan", "invoice_query")


def letter_hold_of(task) -> str | None:
    """Why a recovery letter a task's completion would send waits now (a Breathing Space, a plan
    in force, every overdue invoice under query), or None: for the inbox's check-your-answers
    page (letter_preview.HOLD_CHECKS; wiring installs it)."""
    if task.instance_id is None:
        return None
    debt = db.session.scalar(select(DebtCase).where(DebtCase.instance_id == task.instance_id))
    if debt is None:
        return None
    holds = decide(debt, "letter").holds
    reasons = [holds[name] for name in _WAIT_GUARDS if name in holds]
    return "; ".join(reasons) or None
