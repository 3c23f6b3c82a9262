"""Importers for the money: invoices from the finance system and payments from the bank file.

Called by app/services/imports/import_files.py inside its one transaction. Amounts stay Decimal
from the cell to the NUMERIC column; sums are taken in Python, never by the database (SQLite would
use floats).
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import clock
from app.extensions import db
from app.imports import allocation, formats, values
from app.imports.formats import INVOICE_COLUMNS, Parsed, Row
from app.models import (
    Account,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Payment,
    PaymentAllocation,
    Person,
    User,
)
from app.services import audit
from app.services.debts import opening
from app.services.imports.common import (
    CHUNK,
    ImportResult,
    fail_if,
    firsts,
    load_by,
    people_for,
    problem,
    record,
)

ONE = Decimal("1.00")
OPEN_STATUSES = (InvoiceStatus.OPEN, InvoiceStatus.PART_PAID)


# --- invoices -------------------------------------------------------------------------------------
def import_invoices(parsed: Parsed, actor: User | None, result: ImportResult) -> None:
    """One row per invoice line; new invoices are added, identical ones left alone."""
    groups, errors = formats.group_rows(parsed.rows, formats.INVOICES.key, same=INVOICE_COLUMNS)
    errors = parsed.errors + errors
    heads = [group[0] for group in groups]
    # An account belongs to one person, in the file as in the ledger.
    errors += formats.group_rows(heads, ("account_number",), same=("person_reference",))[1]
    persons = people_for(heads, errors)
    accounts = load_by(Account, Account.number, [h.values["account_number"] for h in heads])
    errors += _account_owner_errors(heads, persons, accounts)
    existing = load_by(Invoice, Invoice.number, [h.values["invoice_number"] for h in heads],
                       options=(selectinload(Invoice.lines),
                                selectinload(Invoice.account).selectinload(Account.person)))
    new_groups = []
    for group in groups:
        invoice = existing.get(group[0].values["invoice_number"])
        if invoice is None:
            new_groups.append(group)
        elif (difference := _difference(invoice, group)) is not None:
            errors.append(difference)
        else:
            result.unchanged += 1
    fail_if(errors)
    for group in new_groups:
        head = group[0].values
        account = accounts.get(head["account_number"])
        if account is None:
            account = accounts[head["account_number"]] = _add_account(
                head["account_number"], persons[head["person_reference"]], actor, result)
        invoice = _add_invoice(group, account)
        record(result, "imported_invoice", actor, None, person_id=account.person_id,
               summary={"invoice_id": invoice.id, "account_id": account.id,
                        "lines": len(group)})


def _account_owner_errors(heads: list[Row], persons: dict[str, Person],
                          accounts: dict[str, Account]) -> list[dict[str, Any]]:
    errors = []
    for head in heads:
        account = accounts.get(head.values["account_number"])
        person = persons.get(head.values["person_reference"])
        if account and person and account.person_id != person.id:
            errors.append(problem(head.line, "account_number", (
                f"account {account.number} belongs to another person")))
    return errors


def _lines(group: list[Row]) -> list[tuple[str, Decimal, Decimal, Decimal]]:
    """(description, quantity, unit amount, amount) for each row of one invoice."""
    lines = []
    for row in group:
        quantity = row.values.get("quantity") or ONE
        amount = row.values.get("line_amount")
        if amount is None:
            amount = values.line_amount(quantity, row.values["unit_amount"])
        lines.append((row.values["line_description"], quantity, row.values["unit_amount"],
                      amount))
    return lines


def _difference(invoice: Invoice, group: list[Row]) -> dict[str, Any] | None:
    """The first way a re-imported invoice differs from the one we hold, as an error."""
    head = group[0]
    held = {"account_number": invoice.account.number, "person_reference":
            invoice.account.person.reference, "invoice_date": invoice.invoice_date,
            "due_date": invoice.due_date, "period_start": invoice.period_start,
            "period_end": invoice.period_end}
    column = next((name for name in INVOICE_COLUMNS[1:]
                   if name in head.values and head.values[name] != held[name]), None)
    if column is None and _lines(group) != [
            (line.description, line.quantity, line.unit_amount, line.amount)
            for line in invoice.lines]:
        column = "line_description"
    if column is None:
        return None
    what = "lines" if column == "line_description" else column.replace("_", " ")
    # An issued invoice is corrected by a credit note in the finance system, not overwritten.
    return problem(head.line, column, f"invoice {invoice.number} was imported before; this file "
                                      f"changes its {what} (correct it with a credit note)")


def _add_account(number: str, person: Person, actor: User | None,
                 result: ImportResult) -> Account:
    account = Account(number=number, person_id=person.id)
    db.session.add(account)
    db.session.flush()
    result.related["accounts_added"] = result.related.get("accounts_added", 0) + 1
    audit.record("imported_account", actor=actor, person_id=person.id, summary={
        "kind": result.kind, "change": "added", "account_id": account.id})
    return account


def _add_invoice(group: list[Row], account: Account) -> Invoice:
    head = group[0].values
    lines = [InvoiceLine(position=position, description=description, quantity=quantity,
                         unit_amount=unit_amount, amount=amount)
             for position, (description, quantity, unit_amount, amount)
             in enumerate(_lines(group), start=1)]
    invoice = Invoice(number=head["invoice_number"], account_id=account.id,
                      invoice_date=head["invoice_date"], due_date=head["due_date"],
                      period_start=head.get("period_start"), period_end=head.get("period_end"),
                      total=sum((line.amount for line in lines), Decimal("0.00")),
                      paid=Decimal("0.00"), status=InvoiceStatus.OPEN, lines=lines)
    db.session.add(invoice)
    db.session.flush()
    return invoice


# --- payments -------------------------------------------------------------------------------------
def import_payments(parsed: Parsed, actor: User | None, result: ImportResult) -> None:
    """New bank-file payments: matched to an account and allocated, or held in suspense."""
    groups, errors = formats.group_rows(parsed.rows, formats.PAYMENTS.key)
    fail_if(parsed.errors + errors)
    rows = firsts(groups, result)
    known = _known_payment_keys(rows)
    new = [row for row in rows if _key(row.values) not in known]
    result.unchanged += len(rows) - len(new)
    accounts = _accounts_named([_key(row.values)[3] for row in new])
    open_invoices = _open_invoices([a.id for a in accounts.values()])
    now = clock.now()
    paid_accounts: set[int] = set()
    for row in new:
        bank_reference, paid_on, amount, account_number = _key(row.values)
        account = accounts.get(account_number) or accounts.get(_compact(account_number))
        payment = Payment(bank_reference=bank_reference, paid_on=paid_on, amount=amount,
                          account_number=account_number, method=row.values.get("method") or
                          "bank", account_id=account.id if account else None,
                          in_suspense=account is None, unallocated=amount, imported_at=now)
        db.session.add(payment)
        db.session.flush()
        invoice_ids = (_allocate(payment, open_invoices[account.id], account.person_id, actor)
                       if account else [])
        result.suspense += account is None
        if account and invoice_ids:  # only a matched payment is allocated
            paid_accounts.add(account.id)
        record(result, "imported_payment", actor, None,
               person_id=account.person_id if account else None,
               summary={"payment_id": payment.id, "account_id": payment.account_id,
                        "in_suspense": payment.in_suspense, "invoice_ids": invoice_ids})
    # In the same transaction: a debt now paid in full closes, plans are checked.
    opening.after_payments(paid_accounts, actor)


def _key(row: dict[str, Any]) -> tuple[str, Any, Decimal, str]:
    """The natural key of a bank-file row, as the uq_payment_natural_key constraint sees it."""
    return (row["bank_reference"], row["payment_date"], row["amount"],
            row.get("account_number") or "")


def _compact(number: str) -> str:
    return "".join(number.split()).upper()


def _accounts_named(numbers: list[str]) -> dict[str, Account]:
    """Accounts by the number as the payer wrote it, or failing that in capitals without spaces
    ("ac 100234" pays AC100234): payers type account numbers by hand."""
    wanted = {n for n in numbers if n} | {_compact(n) for n in numbers if n}
    return load_by(Account, Account.number, wanted)


def _known_payment_keys(rows: list[Row]) -> set[tuple]:
    references = sorted({row.values["bank_reference"] for row in rows})
    columns = (Payment.bank_reference, Payment.paid_on, Payment.amount, Payment.account_number)
    known: set[tuple] = set()
    for start in range(0, len(references), CHUNK):
        chunk = references[start:start + CHUNK]
        known.update((ref, paid_on, amount.quantize(values.PENNY), number)
                     for ref, paid_on, amount, number in db.session.execute(
                         select(*columns).where(Payment.bank_reference.in_(chunk))))
    return known


def _open_invoices(account_ids: list[int]) -> dict[int, list[Invoice]]:
    """Each account's invoices that still have something to pay."""
    found: dict[int, list[Invoice]] = defaultdict(list)
    for invoice in load_by(Invoice, Invoice.account_id, account_ids, many=True):
        if invoice.status in OPEN_STATUSES:
            found[invoice.account_id].append(invoice)
    return found


def _allocate(payment: Payment, invoices: list[Invoice], person_id: int,
              actor: User | None) -> list[int]:
    """Apply the allocation rule to the account's open invoices; returns the invoice ids paid."""
    outcome = allocation.allocate(payment.amount, payment.bank_reference, [
        allocation.OpenInvoice(i.number, i.due_date, i.outstanding, i.query_hold)
        for i in invoices])
    by_number = {invoice.number: invoice for invoice in invoices}
    for share in outcome.allocations:
        invoice = by_number[share.number]
        invoice.paid = invoice.paid + share.amount
        invoice.status = (InvoiceStatus.PAID if invoice.paid >= invoice.total
                          else InvoiceStatus.PART_PAID)
        payment.allocations.append(PaymentAllocation(invoice_id=invoice.id, amount=share.amount,
                                                     rule=share.rule))
        audit.record("payment_allocated", actor=actor, person_id=person_id, summary={
            "kind": "payments", "payment_id": payment.id, "invoice_id": invoice.id,
            "rule": share.rule, "status": str(invoice.status)})
    payment.unallocated = outcome.remainder
    # Later payments in the same file see what this one left to pay.
    invoices[:] = [i for i in invoices if i.status != InvoiceStatus.PAID]
    return [by_number[share.number].id for share in outcome.allocations]
