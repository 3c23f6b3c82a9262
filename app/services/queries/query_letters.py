"""The invoice-query process's letters and the facts its steps need: each letter's figures from
the query record and what the process recorded (DOMAIN.md (b) 29-32)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Callable, Mapping

from sqlalchemy import select

from app import calendar
from app.errors import NotFound
from app.extensions import db
from app.models import (
    Account,
    CreditNote,
    FinancialAssessment,
    HumanTask,
    Invoice,
    InvoiceQuery,
    Letter,
    ProcessInstance,
    TaskStatus,
    User,
)
from app.models.finance import InvoiceStatus
from app.services import settings
from app.services.correspondence.letters import issue_letter, next_letter_date
from app.services.processes import engine_context
from app.services.queries.query_contract import DECIDE_OUTCOME, QUERY_LETTERS

_TARGET = "query_resolution_target_working_days"
_CREDITED = ("upheld", "partly_upheld")


def send_query_letter(instance: ProcessInstance, template: str, data: Mapping[str, Any]
                      ) -> Letter:
    """Issue one of the query's letters with the figures it prints."""
    if template not in QUERY_LETTERS:
        raise NotFound(f"'{template}' is not an invoice-query letter")
    query = query_of(data)
    letter_date = next_letter_date()
    fields = _BUILDERS[template](query, data, letter_date)
    return issue_letter(instance, template, fields, letter_date)


def send_notice_after_approval(note: CreditNote) -> Letter | None:
    """The credit note notice for a note issued on its approval, after the query's outcome:
    attached to the query's process instance (kept after the process ends, so the letter sits in
    the query's history). None when the note follows no query run by the process (raised on its
    own, or a query recorded through the old hold route): nothing to attach it to."""
    query = db.session.get(InvoiceQuery, note.query_id) if note.query_id else None
    instance = db.session.get(ProcessInstance, query.instance_id) \
        if query is not None and query.instance_id else None
    if query is None or instance is None:
        return None
    letter_date = next_letter_date()
    fields = _credit_note_notice(query, {"credit_note_id": note.id}, letter_date)
    return issue_letter(instance, "credit_note_notice", fields, letter_date)


def query_of(data: Mapping[str, Any]) -> InvoiceQuery:
    query = db.session.get(InvoiceQuery, data.get("query_id"))
    if query is None:
        raise NotFound(f"no query {data.get('query_id')}")
    return query


def decided_by(instance: ProcessInstance) -> User:
    """Who decided the outcome: the officer completing the outcome task now (the steps it
    leads to run inside that completion), else whoever completed or holds it."""
    completing = engine_context.acting_user()
    if completing is not None:
        return completing
    task = db.session.scalar(
        select(HumanTask).where(HumanTask.instance_id == instance.id,
                                HumanTask.name == DECIDE_OUTCOME,
                                HumanTask.status.in_((TaskStatus.OPEN, TaskStatus.COMPLETED)))
        .order_by(HumanTask.id.desc()))
    user_id = task and (task.completed_by_id or task.claimed_by_id)
    user = db.session.get(User, user_id) if user_id else None
    if user is None:
        raise NotFound("nobody has decided the outcome of this query")
    return user


def reissue_asked(query: InvoiceQuery) -> bool:
    """Whether the query's outcome, decided on its process's outcome task, asked for a
    corrected invoice (its answer kept with the completed task)."""
    if query.instance_id is None:
        return False
    task = db.session.scalar(
        select(HumanTask).where(HumanTask.instance_id == query.instance_id,
                                HumanTask.name == DECIDE_OUTCOME,
                                HumanTask.status == TaskStatus.COMPLETED)
        .order_by(HumanTask.id.desc()).limit(1))
    return task is not None and (task.outcome or {}).get("reissue_invoice") is True


def credit_to_raise(data: Mapping[str, Any]) -> Decimal | None:
    """The amount to credit: only for an upheld or partly upheld query with an amount given."""
    amount = str(data.get("credit_amount") or "").strip().replace("£", "").replace(",", "")
    if data.get("outcome") not in _CREDITED or not amount:
        return None
    return Decimal(amount)


def credited_invoice(query: InvoiceQuery) -> Invoice:
    """The invoice a query's credit note is raised on: the first one queried."""
    if not query.items:
        raise NotFound(f"query {query.reference} names no invoice")
    return query.items[0].invoice


def _target(day: date) -> date:
    return calendar.add_working_days(day, settings.integer(_TARGET))


def _invoices(query: InvoiceQuery) -> list[dict[str, Any]]:
    seen: dict[int, Invoice] = {}
    for item in query.items:
        seen.setdefault(item.invoice_id, item.invoice)
    return [{"number": i.number, "date": i.invoice_date, "amount": Decimal(i.total)}
            for i in seen.values()]


def _summary(query: InvoiceQuery, data: Mapping[str, Any]) -> str:
    return str(data.get("summary_of_query") or query.what_was_said)


def _common(query: InvoiceQuery) -> dict[str, Any]:
    return {"query_ref": query.reference, "received_date": query.received_on}


def _acknowledgement(query: InvoiceQuery, data: Mapping[str, Any], on: date) -> dict[str, Any]:
    return {**_common(query), "invoices": _invoices(query),
            "summary_of_query": _summary(query, data),
            "target_response_date": _target(query.received_on)}


def _complaint(query: InvoiceQuery, data: Mapping[str, Any], on: date) -> dict[str, Any]:
    return {**_common(query), "summary_of_query": _summary(query, data)}


def _holding(query: InvoiceQuery, data: Mapping[str, Any], on: date) -> dict[str, Any]:
    return {**_common(query), "new_target_date": _target(on)}


def balance_now_due(query: InvoiceQuery) -> Decimal:
    """What the person owes on all their accounts, after any credit: each unpaid invoice's
    outstanding amount (total less paid less credited)."""
    rows = db.session.scalars(
        select(Invoice).join(Account, Account.id == Invoice.account_id)
        .where(Account.person_id == query.person_id,
               Invoice.status.in_((InvoiceStatus.OPEN, InvoiceStatus.PART_PAID))))
    return sum((max(row.outstanding, Decimal("0.00")) for row in rows), Decimal("0.00"))


def _contribution_rule(query: InvoiceQuery) -> str:
    # DOMAIN.md A.4 (a) [S87]: for a contribution payer the charge changes only when the week's
    # care cost falls below the contribution; the provider's payment is adjusted separately.
    if query.query_type != "care_not_delivered":
        return ""
    assessment = db.session.scalar(
        select(FinancialAssessment).where(FinancialAssessment.person_id == query.person_id)
        .order_by(FinancialAssessment.effective_from.desc(), FinancialAssessment.id.desc()))
    if assessment is None or assessment.full_cost or not assessment.weekly_contribution:
        return ""
    return (f"The assessed contribution is £{Decimal(assessment.weekly_contribution):,.2f} a "
            "week, and the council pays the rest of the cost of the care. The weekly charge goes "
            "down only when the cost of the care actually received in a week is less than the "
            "contribution. So the provider can be paid less for care that was not delivered "
            "while the charge stays the same.")


def _outcome(query: InvoiceQuery, data: Mapping[str, Any], on: date) -> dict[str, Any]:
    finding = str(data.get("outcome") or "")
    reasons = [p.strip() for p in str(data.get("reasons") or "").split("\n\n") if p.strip()]
    fields: dict[str, Any] = {
        **_common(query), "finding": finding, "reasons": reasons,
        "balance_now_due": balance_now_due(query),
        "contribution_rule_explanation": _contribution_rule(query),
        "reissue_promised": finding in _CREDITED and data.get("reissue_invoice") is True}
    note = _credit_note(data)
    # A note waiting for its approver: the letter must not say the charge is corrected yet.
    fields["correction_pending"] = note is not None and not data.get("credit_note_issued")
    if note is not None and data.get("credit_note_issued"):
        fields |= {"credit_note_no": note.number, "credit_amount": Decimal(note.amount)}
    if data.get("reissued_invoice_no"):
        fields |= {"reissued_invoice_no": str(data["reissued_invoice_no"]),
                   "new_due_date": date.fromisoformat(str(data["new_due_date"]))}
    return fields


def _credit_note(data: Mapping[str, Any]) -> CreditNote | None:
    note_id = data.get("credit_note_id")
    return db.session.get(CreditNote, note_id) if note_id else None


def _credit_note_notice(query: InvoiceQuery, data: Mapping[str, Any], on: date
                        ) -> dict[str, Any]:
    note = _credit_note(data)
    if note is None:
        raise NotFound(f"query {query.reference} has no credit note to send")
    invoice = db.session.get(Invoice, note.invoice_id)
    assert invoice is not None  # a foreign key
    described = {line.id: line.description for line in invoice.lines}
    lines = [{"description": described.get(line.get("line_id"), f"Invoice {invoice.number}"),
              "amount": Decimal(str(line.get("amount")))} for line in note.lines or []]
    # The corrected invoice that replaced the credited one, if the outcome asked for one: made
    # before this notice (by the outcome step, or on the note's late approval).
    reissued = db.session.scalar(select(Invoice).where(Invoice.reissue_of_id == invoice.id)
                                 .order_by(Invoice.id.desc()).limit(1))
    return {"credit_note_no": note.number, "credit_note_date": note.issued_on or note.raised_on,
            "original_invoice_no": invoice.number,
            "reissued_invoice_no": reissued.number if reissued is not None else "",
            "new_due_date": reissued.due_date if reissued is not None else "",
            "lines": lines or [{"description": f"Invoice {invoice.number}",
                                "amount": Decimal(note.amount)}],
            "credit_amount": Decimal(note.amount), "reason": note.reason}


_Builder = Callable[[InvoiceQuery, Mapping[str, Any], date], dict[str, Any]]
_BUILDERS: dict[str, _Builder] = {
    "query_acknowledgement": _acknowledgement,
    "complaint_acknowledgement": _complaint,
    "query_holding": _holding,
    "query_outcome": _outcome,
    "credit_note_notice": _credit_note_notice,
}
