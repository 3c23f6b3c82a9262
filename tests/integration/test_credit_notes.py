"""Credit notes as finance records (issue 20, DOMAIN.md A.4 step 5): the balance, the ageing,
the Letter of Claim's statement of account and the debt's status follow them; four eyes above
the threshold; the export to the finance system has each issued note once. Both backends."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.errors import Forbidden, ValidationFailed
from app.extensions import db
from app.models import CreditNote, Invoice, InvoiceLine, Person
from app.services.legal import letter_of_claim
from app.services.operations import dashboard
from app.services.queries import credit_notes
from app.services.records import case_file
from tests.workflows.debt_helpers import (
    add_invoice,
    debt_of,
    letter_text,
    person_account,
    sweep,
    user,
)
from tests.workflows.legal_helpers import decide_letter_of_claim, ladder_to_decision


def _raise(invoice, amount: str, by: str = "fo", **extra):
    return credit_notes.raise_credit_note(
        invoice, amount=Decimal(amount), reason=extra.pop("reason", "Care not delivered"),
        lines=extra.pop("lines", []), query=None, actor=user(by))


def _person(account) -> Person:
    return db.session.get_one(Person, account.person_id)


def _aged_total() -> Decimal:
    return sum((Decimal(bar.value) for bar in dashboard.outstanding_by_age()), Decimal("0.00"))


def test_an_approved_credit_note_changes_balance_ageing_and_the_letter_of_claim(
        no_placeholders):
    account = person_account()
    debt = ladder_to_decision(account, "3250.00", "2026-04-01")
    invoice = db.session.scalar(select(Invoice).where(Invoice.number == "INV-L1"))
    assert case_file.balance_of(_person(account)) == Decimal("3250.00")
    assert _aged_total() == Decimal("3250.00")

    note = _raise(invoice, "250.00")  # above the £100.00 threshold: waits for approval
    assert (note.status, note.approver_role, note.number) == (
        "awaiting_approval", "finance_officer", f"CN-{note.id:06d}")
    assert case_file.balance_of(_person(account)) == Decimal("3250.00")
    credit_notes.decide_credit_note(note, approve=True, reason=None, actor=user("fm"))
    assert (note.status, note.issued_on) == ("issued", date(2026, 4, 1))
    assert invoice.credited == Decimal("250.00") and invoice.outstanding == Decimal("3000.00")
    assert case_file.balance_of(_person(account)) == Decimal("3000.00")
    assert _aged_total() == Decimal("3000.00")
    assert debt.status == "open"

    decide_letter_of_claim(debt)
    rows, total = letter_of_claim.statement_of_account(
        tuple(f for f in _chase(debt)))
    assert total == Decimal("3000.00")
    assert [r["description"] for r in rows][-1] == f"Credit note {note.number} on INV-L1"
    text = letter_text(account.person_id, "letter_of_claim")
    assert f"Credit note {note.number} on INV-L1" in text and "£3,000.00" in text


def _chase(debt):
    from app.domain import guards
    from app.services.debts import recovery_guards

    return recovery_guards.decide(debt, guards.LETTER, matter=recovery_guards.PROPERTY).chase


def test_a_credit_clearing_the_debt_closes_it(staff):
    account = person_account()
    invoice = add_invoice(account, "INV-C1", date(2026, 1, 5), "80.00")
    sweep("2026-01-27")
    debt = debt_of(account)
    assert debt is not None and debt.status == "open"
    note = _raise(invoice, "80.00")  # up to the threshold: issued at once
    assert note.status == "issued"
    db.session.refresh(debt)
    assert (debt.status, debt.closed_reason, invoice.status) == ("closed", "credited", "paid")
    assert case_file.balance_of(_person(account)) == Decimal("0.00")


def test_checks_on_amount_and_lines_change_nothing(staff):
    account = person_account()
    invoice = add_invoice(account, "INV-X1", date(2026, 2, 2), "120.00")
    line = InvoiceLine(invoice_id=invoice.id, position=1, description="Home care",
                       unit_amount=Decimal("120.00"), amount=Decimal("120.00"))
    db.session.add(line)
    db.session.commit()
    for amount in ("0.00", "120.01", "10.005"):
        with pytest.raises(ValidationFailed):
            _raise(invoice, amount)
    with pytest.raises(ValidationFailed) as wrong:
        _raise(invoice, "50.00", lines=[{"line_id": line.id, "amount": Decimal("40.00")}])
    assert "add up to £40.00" in wrong.value.details[0]["message"]
    with pytest.raises(ValidationFailed):
        _raise(invoice, "50.00", lines=[{"line_id": line.id + 99, "amount": Decimal("50.00")}])
    assert db.session.scalar(select(CreditNote.id)) is None
    note = _raise(invoice, "50.00", lines=[{"line_id": line.id, "amount": Decimal("50.00")}])
    assert note.lines == [{"line_id": line.id, "amount": "50.00"}]
    assert invoice.outstanding == Decimal("70.00")


def test_four_eyes_reasons_and_double_decisions_over_the_api(as_user):
    account = person_account()
    add_invoice(account, "INV-A1", date(2026, 2, 2), "900.00")
    fo, fm = as_user("fo"), as_user("fm")
    raised = fo.post("/invoices/INV-A1/credit-notes",
                     json={"amount": "500.00", "reason": "Hours wrong"})
    assert raised.status_code == 201, raised.json
    assert (raised.json["status"], raised.json["approver_role"]) == (
        "awaiting_approval", "finance_officer")
    note_id = raised.json["id"]

    own = fo.post(f"/credit-notes/{note_id}/decision", json={"approve": True})
    assert own.status_code == 403
    assert fo.get(f"/credit-notes/{note_id}").json["status"] == "awaiting_approval"
    assert fo.get(f"/credit-notes/{note_id}").json["invoice_outstanding"] == "900.00"
    with pytest.raises(Forbidden):
        credit_notes.decide_credit_note(db.session.get_one(CreditNote, note_id), approve=True,
                                        reason=None, actor=user("fo"))

    assert fm.post(f"/credit-notes/{note_id}/decision",
                   json={"approve": False}).status_code == 422
    done = fm.post(f"/credit-notes/{note_id}/decision", json={"approve": True})
    assert done.status_code == 200 and done.json["status"] == "issued"
    assert done.json["invoice_outstanding"] == "400.00"
    again = fm.post(f"/credit-notes/{note_id}/decision",
                    json={"approve": False, "reason": "Changed my mind"})
    assert again.status_code == 409
    assert fm.get(f"/credit-notes/{note_id}").json["status"] == "issued"
    assert as_user("fa_south").get(f"/credit-notes/{note_id}").status_code in (403, 404)
    too_much = fo.post("/invoices/INV-A1/credit-notes",
                       json={"amount": "400.01", "reason": "Hours wrong"})
    assert too_much.status_code == 422


def _unzip(response) -> tuple[bytes, dict]:
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = sorted(archive.namelist())
    manifest = json.loads(archive.read(next(n for n in names if n.endswith(".json"))))
    return archive.read(next(n for n in names if n.endswith(".csv"))), manifest


def test_the_export_has_each_issued_note_once_with_a_matching_manifest(as_user):
    account = person_account()
    first = add_invoice(account, "INV-E1", date(2026, 2, 2), "300.00")
    add_invoice(account, "INV-E2", date(2026, 2, 2), "300.00")
    a = _raise(first, "40.00")
    b = _raise(first, "60.50", reason="=HYPERLINK(\"x\")")
    waiting = _raise(first, "150.00")  # not issued: not exported
    reissued = add_invoice(account, "INV-E1R", date(2026, 3, 2), "251.80")
    reissued.reissue_of_id = first.id
    db.session.commit()

    fm = as_user("fm")
    assert as_user("fo").post("/exports/credit-notes").status_code == 403
    response = fm.post("/exports/credit-notes")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    content, manifest = _unzip(response)
    rows = list(csv.DictReader(io.StringIO(content.decode())))
    assert [(r["record_type"], r["number"], r["original_invoice_number"], r["amount"])
            for r in rows] == [("credit note", a.number, "INV-E1", "40.00"),
                               ("credit note", b.number, "INV-E1", "60.50"),
                               ("reissued invoice", "INV-E1R", "INV-E1", "251.80")]
    assert rows[1]["reason"].startswith("'=")
    assert rows[0]["account"] == "AC-P1001" and rows[0]["person_id"] == "P1001"
    assert (manifest["rows"], manifest["total"], manifest["first_number"],
            manifest["last_number"]) == (3, "100.50", a.number, b.number)
    assert manifest["sha256"] == hashlib.sha256(content).hexdigest()
    assert response.headers["X-Export-Sha256"] == manifest["sha256"]

    credit_notes.decide_credit_note(waiting, approve=True, reason=None, actor=user("fm"))
    content, manifest = _unzip(fm.post("/exports/credit-notes"))
    assert [r["number"] for r in csv.DictReader(io.StringIO(content.decode()))] == [
        waiting.number]
    content, manifest = _unzip(fm.post("/exports/credit-notes"))
    assert list(csv.DictReader(io.StringIO(content.decode()))) == []
    assert (manifest["rows"], manifest["total"], manifest["first_number"]) == (0, "0.00", None)
    assert manifest["sha256"] == hashlib.sha256(content).hexdigest()


def test_the_approval_task_in_the_inbox_decides_the_note(staff):
    from app.models import HumanTask
    from app.services.inbox import task_actions

    account = person_account()
    invoice = add_invoice(account, "INV-T1", date(2026, 2, 2), "900.00")
    note = _raise(invoice, "500.00")
    task = db.session.scalar(select(HumanTask).where(
        HumanTask.engine_task_id == f"credit-note-{note.id}"))
    # No reason to reject: refused with the GOV.UK message, the task stays open.
    with pytest.raises(ValidationFailed) as refused:
        task_actions.complete(task.id, {"decision": "reject"}, user("fm"))
    assert refused.value.details == [{"field": "reason",
                                      "message": "Enter why the credit note is not approved"}]
    # Its author cannot approve it from the inbox either: the completion is rolled back.
    with pytest.raises(Forbidden):
        task_actions.complete(task.id, {"decision": "approve"}, user("fo"))
    db.session.expire_all()
    assert (db.session.get(HumanTask, task.id).status, note.status) == (
        "open", "awaiting_approval")
    task_actions.complete(task.id, {"decision": "approve"}, user("fm"))
    db.session.expire_all()
    assert note.status == "issued" and invoice.outstanding == Decimal("400.00")
