"""Write-off (DOMAIN.md A.3-WO): a proposal with a reason code, approved by the level the
amount requires (settings), the memo, and the debt closes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app import clock
from app.calendar import at_local_hour
from app.domain import write_off
from app.domain.legal_words import REASON_WORDS
from app.domain.limitation import is_statute_barred, limitation_expiry
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.models import (
    WRITE_OFF_TRANSITIONS,
    CaseNote,
    DebtCase,
    DebtCaseStatus,
    InvoiceStatus,
    Letter,
    LetterStatus,
    ProcessInstance,
    TaskStatus,
    User,
    WriteOff,
    WriteOffStatus,
    can_move,
)
from app.models.workflow import InstanceStatus
from app.services import audit, settings
from app.services.correspondence.letters import issue_letter
from app.services.debts import cases, decisions, recovery_guards
from app.services.debts.cases import balance
from app.services.debts.instalment_plans import cancel_plan
from app.services.processes import instances
from app.services.transaction import use_case

REJECTION_REASON_MAX = 2000


@dataclass(frozen=True)
class WriteOffAmount:
    """What a proposal for a reason would write off today, and who would have to approve it."""
    amount: Decimal
    invoice_numbers: tuple[str, ...]
    approver_role: str | None  # None when there is nothing to write off


def amount_for(debt: DebtCase, reason: str) -> WriteOffAmount:
    """The amount `propose` would write off for `reason` today: everything still owed, or for
    a statute-barred write-off only the invoices limitation bars."""
    invoices = _invoices_for(debt, reason, clock.today())
    amount = sum((i.outstanding for i in invoices), Decimal("0.00"))
    return WriteOffAmount(amount, tuple(i.number for i in invoices),
                          settings.write_off_approver(amount) if amount > 0 else None)


def pending(debt: DebtCase) -> WriteOff | None:
    """The proposal waiting for its approver, if there is one (at most one waits)."""
    return decisions.pending_write_off(debt)


def may_propose(debt: DebtCase) -> bool:
    """Whether `propose` would consider a proposal now: the debt is open and none waits."""
    return debt.status == DebtCaseStatus.OPEN and pending(debt) is None


def _invoices_for(debt: DebtCase, reason: str, today: date) -> list:
    open_invoices = [i for i in debt.invoices
                     if i.outstanding > 0 and i.status not in cases.CLOSED_INVOICE]
    if reason == "statute_barred":  # only what limitation bars; the rest stays recoverable
        return [i for i in open_invoices if is_statute_barred(i.due_date, today)]
    return open_invoices


@use_case
def propose(debt: DebtCase, reason: str, notes: str | None, actor: User) -> WriteOff:
    if debt.status != DebtCaseStatus.OPEN:
        raise Conflict("this debt case is closed")
    if db.session.scalar(select(WriteOff.id).where(WriteOff.debt_case_id == debt.id,
                                                   WriteOff.status == WriteOffStatus.PROPOSED)):
        raise Conflict("a write-off is already waiting for approval")
    today = clock.today()
    invoices = _invoices_for(debt, reason, today)
    amount = sum((i.outstanding for i in invoices), Decimal("0.00"))
    barred_on = _barred_on(invoices or debt.invoices)
    problems = write_off.check_proposal(reason, amount, statute_barred_on=barred_on,
                                        today=today)
    if problems:
        raise ValidationFailed("the write-off proposal has problems",
                               [{"field": "reason", "message": p} for p in problems])
    proposal = WriteOff(debt_case_id=debt.id, reason=reason, amount=amount,
                        invoice_numbers=[i.number for i in invoices],
                        approver_role=settings.write_off_approver(amount), notes=notes,
                        proposed_by_id=actor.id, proposed_at=clock.now())
    db.session.add(proposal)
    db.session.flush()
    instance = db.session.get_one(ProcessInstance, debt.instance_id)
    memo = issue_letter(instance, "write_off_memo", {
        "debt_id": str(debt.id), "amount": amount, "age": _age(debt),
        "reason_code": reason, "reason_label": write_off.REASONS[reason],
        "actions_taken": _actions(debt),
        "approver_level": proposal.approver_role.replace("_", " "),
        "approval": "Awaiting approval"})
    proposal.memo_letter_id = memo.id
    recovery_guards.raise_task(instance, "approve_write_off",
                               f"Approve writing off £{amount:,.2f}: "
                               f"{REASON_WORDS[reason][0].lower()}",
                               proposal.approver_role, recovery_guards.NOTES_FORM)
    audit.record("write_off_proposed", actor=actor, person_id=debt.person_id,
                 instance_id=debt.instance_id,
                 summary={"write_off_id": proposal.id, "reason": reason,
                          "approver_role": proposal.approver_role})
    return proposal


@use_case
def decide(proposal: WriteOff, approve: bool, actor: User, reason: str | None = None
           ) -> WriteOff:
    """Approve (the invoices are written off; the debt closes when nothing is left) or reject.
    `reason`, the approver's words for a rejection (required then), is kept as a note on the
    case."""
    decision = WriteOffStatus.APPROVED if approve else WriteOffStatus.REJECTED
    if not can_move(WRITE_OFF_TRANSITIONS, proposal.status, decision):
        raise Conflict(f"this write-off is already {proposal.status}")
    refused = why_not_decide(proposal, actor)
    if refused:
        raise Forbidden(refused)
    reason = (reason or "").strip() or None
    if not approve and reason is None:  # the proposer, and the record, must be told why
        raise ValidationFailed("a rejection needs a reason", [{
            "field": "reason", "message": "Enter why the write-off is rejected"}])
    if reason and len(reason) > REJECTION_REASON_MAX:
        raise ValidationFailed("the reason is too long", [{
            "field": "reason",
            "message": f"the reason must be {REJECTION_REASON_MAX:,} characters or fewer"}])
    debt = db.session.get_one(DebtCase, proposal.debt_case_id)
    if approve and debt.status != DebtCaseStatus.OPEN:
        # Paid (or ended) while the proposal waited: nothing is left to write off. Rejecting it
        # is still allowed, so the proposal does not wait for ever.
        raise Conflict("the debt is closed: there is nothing left to write off; reject the "
                       "proposal instead")
    proposal.status = decision
    proposal.decided_by_id, proposal.decided_at = actor.id, clock.now()
    if reason and not approve:
        _note(debt, actor, f"Write-off of £{proposal.amount:,.2f} rejected: {reason}")
    audit.record("write_off_" + proposal.status, actor=actor, person_id=debt.person_id,
                 instance_id=debt.instance_id, summary={"write_off_id": proposal.id})
    instance = db.session.get(ProcessInstance, debt.instance_id) if debt.instance_id else None
    if approve:
        for invoice in debt.invoices:
            if invoice.number in proposal.invoice_numbers:
                invoice.status = InvoiceStatus.WRITTEN_OFF
    if approve and balance(debt) <= 0:
        cancel_plan(debt, "written_off")
        debt.status, debt.closed_on = DebtCaseStatus.CLOSED, clock.today()
        debt.closed_reason = "written_off"
        cases.set_stage(debt, "closed")
        if instance is not None and instance.status != InstanceStatus.COMPLETED:
            instances.close(instance, "written_off", actor)
            return proposal
    if instance is not None:
        for task in instances.open_tasks(instance):
            if task.name == "approve_write_off":
                task.status, task.completed_at = TaskStatus.COMPLETED, clock.now()
                task.completed_by_id = actor.id
    decisions.write_off_decided(debt, actor)
    return proposal


def why_not_decide(proposal: WriteOff, actor: User) -> str | None:
    """Why `actor` may not decide this proposal (four eyes, then the amount's level), or None."""
    if proposal.proposed_by_id == actor.id:
        return "a write-off must be approved by someone other than its proposer"
    if not may_approve(actor, proposal.approver_role):
        return f"a write-off of this amount needs the role '{proposal.approver_role}'"
    return None


def proposer_name(proposal: WriteOff) -> str:
    """Who proposed it, by full name (never a username)."""
    user = db.session.get(User, proposal.proposed_by_id) if proposal.proposed_by_id else None
    return (user.full_name if user else None) or "A member of staff"


def _note(debt: DebtCase, actor: User, text: str) -> None:
    note = CaseNote(person_id=debt.person_id, author_id=actor.id, created_at=clock.now(),
                    text=text)
    db.session.add(note)
    db.session.flush()
    audit.record("note_added", actor=actor, person_id=debt.person_id,
                 summary={"note_id": note.id})


def may_approve(actor: User, role: str) -> bool:
    """The level the amount needs, or any level above it (the levels in settings ascend)."""
    levels = [level["role"] for level in settings.get("write_off_approval_levels")]
    above = levels[levels.index(role):] if role in levels else [role]
    return actor.has_role(*above)


def get(write_off_id: int) -> WriteOff:
    proposal = db.session.get(WriteOff, write_off_id)
    if proposal is None:
        raise NotFound(f"no write-off {write_off_id}")
    return proposal


def _barred_on(invoices) -> date | None:
    """The day the last of these invoices became (or becomes) statute-barred."""
    unpaid = [i.due_date for i in invoices if i.outstanding > 0]
    return limitation_expiry(max(unpaid)) if unpaid else None


def _age(debt: DebtCase) -> str:
    oldest = min((i.due_date for i in debt.invoices if i.outstanding > 0), default=None)
    if oldest is None:
        return "nothing outstanding"
    days = (clock.today() - oldest).days
    return f"{days // 365} years {days % 365 // 30} months" if days >= 365 else f"{days} days"


def _actions(debt: DebtCase) -> list[str]:
    """What recovery did: every letter sent about the debt, with its date."""
    rows = db.session.scalars(select(Letter).where(
        Letter.person_id == debt.person_id, Letter.created_at >= _opened_at(debt))
        .order_by(Letter.id))
    done = [f"{row.template_ref.split(' ')[0]} dated {row.letter_date:%d %B %Y}" for row in rows
            if row.status != LetterStatus.SUPERSEDED]
    return done or ["No letters were sent"]


def _opened_at(debt: DebtCase):
    return at_local_hour(debt.opened_on).replace(hour=0)
