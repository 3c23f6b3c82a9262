"""No open debt is left silent: when a recovery stage ends while money is still owed and nothing
else runs for the debt, `debt_decision` (workflows/debt_decision.bpmn) asks a finance officer for
the next step: a new Letter of Claim, a write-off, or a review on a date."""
from __future__ import annotations

from typing import Any, Mapping

from sqlalchemy import select

from app import clock
from app.domain.forms import as_date
from app.errors import Conflict
from app.extensions import db
from app.models import DebtCase, DebtCaseStatus, Person, ProcessInstance, WriteOff, WriteOffStatus
from app.models.workflow import InstanceStatus
from app.services import audit
from app.services.debts.cases import balance, set_stage
from app.services.debts.recovery_contract import DECISION_KEY
from app.services.processes import instances


def after_stage_finished(instance: ProcessInstance) -> None:
    """A recovery stage (the ladder, the legal or the estate stage: create_app says which)
    reached one of its ends by itself, not closed from outside."""
    debt = db.session.scalar(select(DebtCase).where(DebtCase.instance_id == instance.id,
                                                    DebtCase.status == DebtCaseStatus.OPEN))
    if debt is None or balance(debt) <= 0:
        return  # another stage has the debt now, or it is settled
    finished_stage = debt.stage
    person = db.session.get_one(Person, debt.person_id)
    instances.begin_instance(DECISION_KEY, person, {"debt_case_id": debt.id}, None,
                             on_created=lambda created: setattr(debt, "instance_id", created.id))
    if finished_stage != "enforcement":  # after enforcement that stage still describes it
        set_stage(debt, "awaiting_decision")
    audit.record("debt_awaiting_decision", actor=None, person_id=debt.person_id,
                 instance_id=debt.instance_id,
                 summary={"debt_id": debt.id, "ended_stage": finished_stage,
                          "ended_process": instance.version.definition.key})


def check_decision(debt: DebtCase, form: Mapping[str, Any]) -> list[dict]:
    """The next step must be one the app can carry out today."""
    decision = form.get("decision")
    if decision == "write_off" and pending_write_off(debt) is None:
        return [{"field": "decision", "message": "propose the write-off on the debt first "
                                                 "(it then waits for the approver)"}]
    if decision == "review_later":
        review_on = as_date(form.get("review_on"))
        if review_on is None:
            return [{"field": "review_on", "message": "a review needs the date to review on"}]
        if review_on <= clock.today():
            return [{"field": "review_on", "message": "the review date must be after today"}]
    if decision == "letter_of_claim":
        person = db.session.get_one(Person, debt.person_id)
        if person.deceased:
            return [{"field": "decision", "message": "the person has died: the debt is claimed "
                                                     "from the estate, not by a Letter of Claim"}]
    return []


def pending_write_off(debt: DebtCase) -> WriteOff | None:
    return db.session.scalar(select(WriteOff).where(
        WriteOff.debt_case_id == debt.id, WriteOff.status == WriteOffStatus.PROPOSED).limit(1))


def write_off_decided(debt: DebtCase, actor) -> None:
    """Tell a decision waiting for this write-off; anything else running ignores it."""
    if debt.status != DebtCaseStatus.OPEN or debt.instance_id is None:
        return
    instance = db.session.get_one(ProcessInstance, debt.instance_id)
    if (instance.version.definition.key != DECISION_KEY
            or instance.status != InstanceStatus.ACTIVE):
        return
    try:
        instances.send_message_to(instance, "write_off_decided", {}, actor)
    except Conflict:
        pass  # proposed from the debt page while the officer's decision is still open


