"""Re-issuing an invoice after an upheld or partly upheld query (DOMAIN.md A.4 step 5: "credit
note and/or re-issued invoice; restart the ladder from the re-issued invoice date"; scenario 8's
full-cost payer). Inside the caller's transaction.

How the money goes, so that the council's ledger (fed by the credit-note export, which sends
credit notes and re-issued invoices) agrees with this service:
- the correction is the query's own credit note (scenario 8: £48.20), approved at its level;
- the rest of the original is credited by a replacement note (credit_notes.
  record_replacement_credit): the original is credited in full and settled, and a debt it alone
  made up closes ("credited");
- the re-issued invoice carries that rest: a new number (the original's with -R1, -R2...), dated
  the outcome date, due `debt_invoice_due_days` (21) days later, the original's lines copied
  with the credit taken off (a credited line by its amount; a credit naming no line, and any
  earlier payment or credit, as lines of their own), `reissue_of_id` naming the original.
  It belongs to no debt: it starts its own recovery from its date, opening (or joining) a debt
  once overdue, so its first reminder is its date + 28 days, as for any invoice.
It is re-issued only once the correction is issued: a note waiting for approval re-issues on
its approval (credit_notes.decide, as the answer on the query's outcome task asks), dated that
day.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app import calendar, clock
from app.extensions import db
from app.models import CreditNote, CreditNoteStatus, Invoice, InvoiceLine, InvoiceQuery, User
from app.models.finance import InvoiceStatus
from app.services import audit, settings
from app.services.queries import credit_notes, query_letters

ZERO = Decimal("0.00")


def reissue(original: Invoice, correction: CreditNote, on: date, query: InvoiceQuery | None,
            actor: User) -> Invoice:
    """The re-issued invoice for `original` after its issued `correction`, dated `on`."""
    if correction.status != CreditNoteStatus.ISSUED or correction.invoice_id != original.id:
        raise ValueError("only an invoice whose correction is issued is re-issued")
    rest = original.outstanding
    new = Invoice(number=_number(original), account_id=original.account_id, invoice_date=on,
                  period_start=original.period_start, period_end=original.period_end,
                  due_date=calendar.add_calendar_days(on, settings.integer(
                      "debt_invoice_due_days")),
                  total=rest, paid=ZERO, credited=ZERO, status=InvoiceStatus.OPEN,
                  reissue_of_id=original.id)
    new.lines = [InvoiceLine(position=n, description=text[:200], quantity=Decimal("1"),
                             unit_amount=amount, amount=amount)
                 for n, (text, amount) in enumerate(lines_less_credit(original, correction), 1)]
    assert sum((line.amount for line in new.lines), ZERO) == rest  # the lines add up
    db.session.add(new)
    db.session.flush()
    audit.record("invoice_reissued", actor=actor, person_id=original.account.person_id,
                 summary={"invoice": new.number, "reissue_of": original.number,
                          "total": str(rest), "due_date": new.due_date.isoformat(),
                          "credit_note": correction.number})
    if rest > 0:
        credit_notes.record_replacement_credit(original, amount=rest, replaced_by=new,
                                               query=query, actor=actor)
    return new


def after_approval(note: CreditNote, invoice: Invoice, actor: User) -> None:
    """credit_notes.APPROVED_LISTENERS: the query's outcome asked for a corrected invoice (its
    answer on the outcome task), which waited for this note, its correction, to be approved:
    re-issue the invoice now, dated today. Once only."""
    query = db.session.get(InvoiceQuery, note.query_id) if note.query_id else None
    if query is None or invoice.outstanding <= 0 or not query_letters.reissue_asked(query):
        return
    if db.session.scalar(select(Invoice.id).where(Invoice.reissue_of_id == invoice.id)
                         .limit(1)) is not None:
        return  # already re-issued
    reissue(invoice, note, clock.today(), query, actor)


def lines_less_credit(original: Invoice, correction: CreditNote) -> list[tuple[str, Decimal]]:
    """The re-issued invoice's lines: the original's, less what the correction credits."""
    by_line = {int(item["line_id"]): Decimal(str(item["amount"]))
               for item in correction.lines or []}
    out: list[tuple[str, Decimal]] = []
    for line in original.lines:
        less = by_line.get(line.id, ZERO)
        text = line.description + (f" (less {correction.number})" if less else "")
        out.append((text, line.amount - less))
    if not original.lines:
        out.append((f"Charges on invoice {original.number}", original.total))
    unplaced = correction.amount - sum(by_line.values(), ZERO)
    if unplaced:
        out.append((f"Less credit note {correction.number}", -unplaced))
    earlier = (original.credited or ZERO) - correction.amount
    if earlier:
        out.append((f"Less earlier credit notes on invoice {original.number}", -earlier))
    if original.paid:
        out.append((f"Paid on invoice {original.number}", -original.paid))
    return out


def _number(original: Invoice) -> str:
    n = 1
    while db.session.scalar(select(Invoice.id).where(
            Invoice.number == f"{original.number}-R{n}")) is not None:
        n += 1
    return f"{original.number}-R{n}"
