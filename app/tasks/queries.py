"""Service-task handlers of the invoice-query process (workflows/invoice_query.bpmn)."""
from __future__ import annotations

from decimal import Decimal

from app import clock
from app.models import CreditNoteStatus
from app.services.processes.engine_context import HandlerCase
from app.services.queries import query_letters


def send_query_letter(case: HandlerCase, template: str, date_var: str | None = None
                      ) -> dict | None:
    """Issue one of the query's letters; with `date_var`, keep the letter's date there."""
    letter = query_letters.send_query_letter(case.instance, template, case.data)
    return {date_var: letter.letter_date.isoformat()} if date_var else None


def record_query_outcome(case: HandlerCase) -> dict:
    """Close the query with the outcome decided (its holds lift), and for an upheld or partly
    upheld query with an amount, raise the credit note on the first invoice queried; asked to
    re-issue it, and the note issued, the corrected invoice replaces it (queries/reissue.py);
    a note waiting for approval re-issues it on its approval (credit_notes.decide reads the
    answer on this outcome task).

    Returns what the letters that follow print: the credit note's id and whether it was issued
    (one above the approval threshold waits for its approver, and its notice with it)."""
    # Imported here: the query records and credit notes are their own capability's use cases.
    from app.services.queries import credit_notes, records

    data = case.data
    query = query_letters.query_of(data)
    actor = query_letters.decided_by(case.instance)
    # Not the use cases, which commit: this step runs inside the engine's transaction (a commit
    # here would end it half-way, savepoint and all).
    records.record_closing(query, outcome=str(data["outcome"]), reasons=str(data["reasons"]),
                           decided_on=clock.today(), actor=actor)
    if data.get("provider_payment_reduction"):
        records.record_provider_adjustment(query, Decimal(str(data["provider_payment_reduction"])),
                                           actor)
    amount = query_letters.credit_to_raise(data)
    if amount is None:
        return {"credit_note_id": None, "credit_note_issued": False}
    invoice = query_letters.credited_invoice(query)
    note = credit_notes.record_credit_note(invoice, amount=amount,
                      reason=str(data["reasons"]), lines=[], query=query, actor=actor)
    result = {"credit_note_id": note.id, "credit_note_no": note.number,
              "credit_note_issued": note.status == CreditNoteStatus.ISSUED}
    if data.get("reissue_invoice") is True and note.status == CreditNoteStatus.ISSUED:
        # The corrected invoice replaces the original, which is credited in full.
        from app.services.queries import reissue

        new = reissue.reissue(invoice, note, clock.today(), query, actor)
        result |= {"reissued_invoice_no": new.number,
                   "new_due_date": new.due_date.isoformat()}
    return result
