"""Credit notes (DOMAIN.md A.4 step 5): money taken off an invoice after a query, a finance
record like a payment. Up to a set amount a note is issued at once; above it a finance officer or
manager (by amount, settings) other than its author approves it first (four eyes). Issuing counts
it against the invoice, settles the invoice when nothing is left, and closes the debt when
nothing is left on it, in one transaction."""
from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Mapping

from sqlalchemy import func, select

from app import calendar, clock
from app.domain import settings_catalogue
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.models import (
    CREDIT_NOTE_TRANSITIONS,
    Account,
    CaseNote,
    CreditNote,
    CreditNoteStatus,
    DebtCase,
    DebtCaseStatus,
    HumanTask,
    Invoice,
    InvoiceQuery,
    InvoiceStatus,
    Person,
    TaskStatus,
    User,
    can_move,
)
from app.services import audit, settings
from app.services.debts import instalment_plans, opening
from app.services.debts.cases import CLOSED_INVOICE, balance
from app.services.queries.query_letters import send_notice_after_approval
from app.services.transaction import use_case

from .credit_note_export import export_since_last, zip_of  # noqa: F401  (the agreed interface)

PENNY = Decimal("0.01")
REASON_MAX = 2000
PROCESS_KEY = "credit_note"  # not a diagram: what the approval task is about, in the inbox
APPROVAL_TASK = "approve_credit_note"
APPROVAL_FORM = [
    {"id": "decision", "label": "Do you approve this credit note?", "type": "enum",
     "required": True, "options": [
         ["approve", "Yes: issue the credit note"],
         ["reject", "No: the credit note is not issued"]]},
    {"id": "reason", "label": "Why is it not approved?", "type": "note", "required": False,
     "options": []},
]
REASON_NEEDED = "Enter why the credit note is not approved"
# Run in the decision's transaction once a note waiting for approval is issued (the corrected
# invoice its query asked for: queries/reissue.py; installed by app/services/wiring.py).
Approved = Callable[[CreditNote, Invoice, User], None]
APPROVED_LISTENERS: list[Approved] = []


def on_approved(listener: Approved) -> None:
    if listener not in APPROVED_LISTENERS:
        APPROVED_LISTENERS.append(listener)


def approver_for(amount: Decimal) -> str | None:
    """Who must approve a credit note of `amount`: None up to the threshold (issued at once),
    else the first level of credit_note_approval_levels that covers it."""
    if amount <= Decimal(settings.get("credit_note_approval_threshold")):
        return None
    return settings_catalogue.write_off_approver(amount,
                                                 settings.get("credit_note_approval_levels"))


@use_case
def raise_credit_note(invoice: Invoice, *, amount: Decimal, reason: str, lines: list[dict],
                      query: InvoiceQuery | None, actor: User) -> CreditNote:
    """Raise a credit note against `invoice`: issued now, or waiting for its approver."""
    return record_credit_note(invoice, amount=amount, reason=reason, lines=lines, query=query,
                              actor=actor)


def record_credit_note(invoice: Invoice, *, amount: Decimal, reason: str, lines: list[dict],
                       query: InvoiceQuery | None, actor: User) -> CreditNote:
    """raise_credit_note inside the caller's transaction (the process's outcome step)."""
    if invoice.status in CLOSED_INVOICE:
        raise Conflict(f"invoice {invoice.number} is {invoice.status}: it cannot be credited")
    reason = (reason or "").strip()
    clean_lines = _check(invoice, amount, reason, lines, query)
    approver = approver_for(amount)
    note = CreditNote(number=f"CN-pending-{uuid.uuid4().hex[:20]}", invoice_id=invoice.id,
                      query_id=query.id if query else None, amount=amount, reason=reason,
                      lines=clean_lines, status=CreditNoteStatus.AWAITING_APPROVAL,
                      raised_on=clock.today(), author_id=actor.id, approver_role=approver)
    db.session.add(note)
    db.session.flush()
    note.number = f"CN-{note.id:06d}"  # the id is unique, so the number is
    person_id = _person_id(invoice)
    audit.record("credit_note_raised", actor=actor, person_id=person_id,
                 summary={"credit_note_id": note.id, "invoice_id": invoice.id,
                          "approver_role": approver})
    if approver is None:
        _issue(note, invoice, actor)
    else:
        _raise_approval_task(note, invoice, approver)
    return note


def record_replacement_credit(invoice: Invoice, *, amount: Decimal, replaced_by: Invoice,
                              query: InvoiceQuery | None, actor: User) -> CreditNote:
    """Credit the rest of `invoice` because the re-issued `replaced_by` carries it now: issued
    at once, with no approval, as nothing is written down (the amount moves to the new invoice,
    which the export sends too); the correction itself is its own note, approved at its level.
    Inside the caller's transaction."""
    note = CreditNote(number=f"CN-pending-{uuid.uuid4().hex[:20]}", invoice_id=invoice.id,
                      query_id=query.id if query else None, amount=amount,
                      reason=f"Replaced by re-issued invoice {replaced_by.number}", lines=[],
                      status=CreditNoteStatus.AWAITING_APPROVAL, raised_on=clock.today(),
                      author_id=actor.id, approver_role=None)
    db.session.add(note)
    db.session.flush()
    note.number = f"CN-{note.id:06d}"
    audit.record("credit_note_raised", actor=actor, person_id=_person_id(invoice),
                 summary={"credit_note_id": note.id, "invoice_id": invoice.id,
                          "approver_role": None, "replaced_by": replaced_by.number})
    _issue(note, invoice, actor)
    return note


@use_case
def decide_credit_note(note: CreditNote, *, approve: bool, reason: str | None, actor: User
                       ) -> CreditNote:
    """Approve (the note is issued) or reject (with a reason) a note waiting for approval."""
    decide(note, approve=approve, reason=reason, actor=actor)
    return note


def decide(note: CreditNote, *, approve: bool, reason: str | None, actor: User) -> None:
    """The decision inside the caller's transaction (the API's use case, or the approval task's
    completion)."""
    decision = CreditNoteStatus.ISSUED if approve else CreditNoteStatus.REJECTED
    if not can_move(CREDIT_NOTE_TRANSITIONS, note.status, decision):
        raise Conflict(f"this credit note is already {note.status.replace('_', ' ')}")
    refused = why_not_decide(note, actor)
    if refused:
        raise Forbidden(refused)
    reason = (reason or "").strip() or None
    if not approve and reason is None:
        raise ValidationFailed("a rejection needs a reason", [{
            "field": "reason", "message": REASON_NEEDED}])
    if reason and len(reason) > REASON_MAX:
        raise ValidationFailed("the reason is too long", [{
            "field": "reason", "message": f"the reason must be {REASON_MAX:,} characters or fewer"}])
    invoice = db.session.get_one(Invoice, note.invoice_id)
    if approve and (invoice.status in CLOSED_INVOICE or note.amount > invoice.outstanding):
        raise Conflict(f"invoice {invoice.number} has only £{max(invoice.outstanding, 0):,.2f} "
                       "left to credit: reject this credit note and raise a new one")
    note.decided_by_id, note.decided_at = actor.id, clock.now()
    _close_approval_task(note, actor)
    if approve:
        _issue(note, invoice, actor)
        for listener in APPROVED_LISTENERS:
            listener(note, invoice, actor)
        # Its query's outcome letter said it was waiting: the notice goes now.
        send_notice_after_approval(note)
        return
    note.status = CreditNoteStatus.REJECTED
    person_id = _person_id(invoice)
    db.session.add(CaseNote(person_id=person_id, author_id=actor.id, created_at=clock.now(),
                            text=f"Credit note {note.number} of £{note.amount:,.2f} rejected: "
                                 f"{reason}"))
    audit.record("credit_note_rejected", actor=actor, person_id=person_id,
                 summary={"credit_note_id": note.id, "invoice_id": invoice.id})


def why_not_decide(note: CreditNote, actor: User) -> str | None:
    """Why `actor` may not decide the note (four eyes, then the amount's level), or None."""
    if note.author_id == actor.id:
        return "a credit note must be approved by someone other than its author"
    role = note.approver_role
    levels = [level["role"] for level in settings.get("credit_note_approval_levels")]
    above = levels[levels.index(role):] if role in levels else [role]
    if not actor.has_role(*[r for r in above if r]):
        return f"a credit note of this amount needs the role '{role}'"
    return None


def get_credit_note(note_id: int) -> CreditNote:
    note = db.session.get(CreditNote, note_id)
    if note is None:
        raise NotFound(f"no credit note {note_id}")
    return note


def invoice_by_number(number: str) -> Invoice:
    invoice = db.session.scalar(select(Invoice).where(Invoice.number == number))
    if invoice is None:
        raise NotFound(f"no invoice {number}")
    return invoice


def query_by_id(query_id: int | None) -> InvoiceQuery | None:
    """The query a note follows from (None when none is named), or NotFound."""
    if query_id is None:
        return None
    query = db.session.get(InvoiceQuery, query_id)
    if query is None:
        raise NotFound(f"no invoice query {query_id}")
    return query


def person_of(note: CreditNote) -> Person:
    return db.session.get_one(Person, _person_id(db.session.get_one(Invoice, note.invoice_id)))


def credit_notes_of(person: Person) -> list[CreditNote]:
    """The person's credit notes with their invoices, newest first (the Money page)."""
    return list(db.session.scalars(
        select(CreditNote).join(Invoice, Invoice.id == CreditNote.invoice_id)
        .join(Account, Account.id == Invoice.account_id).where(Account.person_id == person.id)
        .order_by(CreditNote.raised_on.desc(), CreditNote.id.desc())))


# --- checks ---------------------------------------------------------------------------------------
def _check(invoice: Invoice, amount: Any, reason: str, lines: list[dict],
           query: InvoiceQuery | None) -> list[dict]:
    problems: list[dict] = []
    if not reason:
        problems.append({"field": "reason", "message": "Enter why the invoice is credited"})
    elif len(reason) > REASON_MAX:
        problems.append({"field": "reason",
                         "message": f"the reason must be {REASON_MAX:,} characters or fewer"})
    problems.extend(_amount_problems(invoice, amount))
    clean, line_problems = _lines(invoice, amount, lines or [])
    problems.extend(line_problems)
    if query is not None and (query.person_id != _person_id(invoice) or invoice.id not in
                              {item.invoice_id for item in query.items}):
        problems.append({"field": "query_id",
                         "message": f"the query is not about invoice {invoice.number}"})
    if problems:
        raise ValidationFailed("the credit note has problems", problems)
    return clean


def _amount_problems(invoice: Invoice, amount: Any) -> list[dict]:
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        return [{"field": "amount", "message": "a credit note must be for more than £0.00"}]
    if amount != amount.quantize(PENNY):
        return [{"field": "amount", "message": "a credit note must be in whole pence"}]
    available = invoice.outstanding - _waiting_on(invoice)
    if amount > available:
        return [{"field": "amount", "message": f"a credit note on {invoice.number} may be for "
                                               f"at most £{max(available, 0):,.2f}"}]
    return []


def _waiting_on(invoice: Invoice) -> Decimal:
    """What notes waiting for approval already claim of the invoice."""
    waiting = db.session.scalar(select(func.coalesce(func.sum(CreditNote.amount), 0)).where(
        CreditNote.invoice_id == invoice.id,
        CreditNote.status == CreditNoteStatus.AWAITING_APPROVAL))
    return Decimal(waiting or 0)


def _lines(invoice: Invoice, amount: Any, lines: list[dict]) -> tuple[list[dict], list[dict]]:
    """The lines as stored ({"line_id", "amount"} as strings of pence), and their problems."""
    own = {line.id: line for line in invoice.lines}
    clean: list[dict] = []
    problems: list[dict] = []
    total = Decimal("0.00")
    for i, line in enumerate(lines):
        at = f"lines[{i}]"
        line_id, value = line.get("line_id"), _decimal(line.get("amount"))
        if line_id not in own:
            problems.append({"field": f"{at}.line_id",
                             "message": f"not a line of invoice {invoice.number}"})
        elif any(c["line_id"] == line_id for c in clean):
            problems.append({"field": f"{at}.line_id", "message": "this line is named twice"})
        if value is None or value <= 0 or value != value.quantize(PENNY):
            problems.append({"field": f"{at}.amount",
                             "message": "must be more than £0.00, in whole pence"})
        elif line_id in own and value > own[line_id].amount:
            problems.append({"field": f"{at}.amount", "message": "more than the line's amount"})
        else:
            total += value
        clean.append({"line_id": line_id, "amount": str(value)})
    if lines and not problems and isinstance(amount, Decimal) and total != amount:
        problems.append({"field": "lines", "message": f"the lines add up to £{total:,.2f}, "
                                                      f"not the credit note's £{amount:,.2f}"})
    return clean, problems


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, (bool, float)):
        return None  # a float cannot hold every amount in pence exactly
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


# --- issuing --------------------------------------------------------------------------------------
def _issue(note: CreditNote, invoice: Invoice, actor: User) -> None:
    note.status, note.issued_on = CreditNoteStatus.ISSUED, clock.today()
    invoice.credited = (invoice.credited or Decimal("0.00")) + note.amount
    if invoice.outstanding <= 0:
        invoice.status = InvoiceStatus.PAID  # settled, as a payment in full settles it
    person_id = _person_id(invoice)
    audit.record("credit_note_issued", actor=actor, person_id=person_id,
                 summary={"credit_note_id": note.id, "invoice_id": invoice.id,
                          "number": note.number})
    debt = db.session.get(DebtCase, invoice.debt_case_id) if invoice.debt_case_id else None
    if debt is None or debt.status != DebtCaseStatus.OPEN:
        return
    if balance(debt) <= 0:
        opening.close_paid(debt, actor, "credited")  # a credit that clears the debt closes it
    else:
        instalment_plans.review(debt, clock.today())


def _raise_approval_task(note: CreditNote, invoice: Invoice, role: str) -> HumanTask:
    person = db.session.get_one(Person, _person_id(invoice))
    due = calendar.add_working_days(clock.today(),
                                    settings.integer("debt_guard_task_due_working_days"))
    task = HumanTask(instance_id=None, engine_task_id=f"credit-note-{note.id}", source="service",
                     name=APPROVAL_TASK, process_key=PROCESS_KEY, role=role,
                     title=f"Approve credit note {note.number} of £{note.amount:,.2f} on "
                           f"invoice {invoice.number}",
                     team_id=person.team_id, person_id=person.id,
                     due_at=calendar.at_local_hour(due), form=APPROVAL_FORM,
                     status=TaskStatus.OPEN, created_at=clock.now())
    db.session.add(task)
    db.session.flush()
    return task


def _close_approval_task(note: CreditNote, actor: User) -> None:
    task = db.session.scalar(select(HumanTask).where(
        HumanTask.engine_task_id == f"credit-note-{note.id}",
        HumanTask.status == TaskStatus.OPEN))
    if task is not None:
        task.status, task.completed_at = TaskStatus.COMPLETED, clock.now()
        task.completed_by_id = actor.id


def _person_id(invoice: Invoice) -> int:
    return db.session.get_one(Account, invoice.account_id).person_id


# --- the approval task in the inbox --------------------------------------------------------------
def check_approval(task: HumanTask, form: Mapping[str, Any]) -> list[dict]:
    """The approval task's answers before it completes: a reason to reject."""
    if form.get("decision") == "reject" and not str(form.get("reason") or "").strip():
        return [{"field": "reason", "message": REASON_NEEDED}]
    return []


def record_approval(task: HumanTask) -> None:
    """The approval task's answer decides the note, in the completion's transaction: a refusal
    (the author approving their own, or a level too low) rolls the completion back."""
    note = db.session.get_one(CreditNote, int(task.engine_task_id.removeprefix("credit-note-")))
    assert task.outcome is not None and task.completed_by_id is not None  # set on completion
    actor = db.session.get_one(User, task.completed_by_id)
    decide(note, approve=task.outcome.get("decision") == "approve",
           reason=task.outcome.get("reason"), actor=actor)


CHECKS = {(PROCESS_KEY, APPROVAL_TASK): check_approval}
