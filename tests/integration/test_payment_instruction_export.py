"""Payment instructions and their export to the finance system (issue 21): what is made is
exported once, with a manifest; a second export gives only what is new; finance managers and
admins only."""
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

from app.errors import ValidationFailed
from app.extensions import db
from app.models import (
    AuditEvent,
    DirectPaymentAgreement,
    InstructionKind,
    PaymentInstruction,
    Person,
    User,
)
from app.services.direct_payments.instructions import instruct
from app.services.staff.users import team_named

from .api_helpers import count


def user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def agreement(reference: str = "P2001", card: str | None = "CARD-1") -> DirectPaymentAgreement:
    person = Person(reference=reference, name="Alice Example", team=team_named("North"),
                    address_lines=["1 High Street"], postcode="EX1 2AB", postcode_key="EX12AB")
    db.session.add(person)
    db.session.flush()
    dp = DirectPaymentAgreement(person_id=person.id, variant="standard", amount=Decimal("350.00"),
                                frequency="weekly", account_type="card" if card else "bank",
                                card_id=card, status="active",
                                first_payment_date=date(2026, 1, 13))
    db.session.add(dp)
    db.session.flush()
    return dp


def unzip(response) -> tuple[list[dict], dict, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = sorted(archive.namelist())
    assert len(names) == 2 and names[0].endswith(".csv") and names[1].endswith(".manifest.json")
    content = archive.read(names[0])
    rows = list(csv.DictReader(io.StringIO(content.decode())))
    return rows, json.loads(archive.read(names[1])), content


def test_instructions_are_exported_once_with_a_manifest(as_user):
    fm = as_user("fm")
    first, second = agreement(), agreement("P2002", card=None)
    stop = instruct(first, InstructionKind.STOP, date(2026, 3, 9), None,
                    "=Person died on 1 March 2026", user("fo"))
    recoup = instruct(first, "recoup", date(2026, 3, 16), Decimal("1350"),
                      "Surplus above the contingency", user("fo"))
    change = instruct(second, InstructionKind.CHANGE, date(2026, 4, 6), Decimal("280.00"),
                      "Reduced after review", None)
    db.session.commit()

    response = fm.post("/exports/payment-instructions")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert 'filename="payment-instructions-20260302T090000.zip"' in response.headers[
        "Content-Disposition"]
    rows, manifest, content = unzip(response)
    assert [(r["instruction"], r["kind"], r["person_id"], r["account_type"], r["card_id"],
             r["effective_date"], r["amount"], r["frequency"], r["made_on"]) for r in rows] == [
        (f"PI-{stop.id:06d}", "stop", "P2001", "card", "CARD-1", "2026-03-09", "", "weekly",
         "2026-03-02"),
        (f"PI-{recoup.id:06d}", "recoup", "P2001", "card", "CARD-1", "2026-03-16", "1350.00",
         "weekly", "2026-03-02"),
        (f"PI-{change.id:06d}", "change", "P2002", "bank", "", "2026-04-06", "280.00", "weekly",
         "2026-03-02")]
    assert rows[0]["reason"] == "'=Person died on 1 March 2026"  # no formula in a spreadsheet
    assert manifest["rows"] == 3 and manifest["recoup_total"] == "1350.00"
    assert manifest["kinds"] == {"start": 0, "change": 1, "suspend": 0, "restart": 0, "stop": 1,
                                 "recoup": 1}
    assert (manifest["first_instruction"], manifest["last_instruction"]) == (
        f"PI-{stop.id:06d}", f"PI-{change.id:06d}")
    assert manifest["sha256"] == hashlib.sha256(content).hexdigest()
    assert response.headers["X-Export-Sha256"] == manifest["sha256"]
    assert response.headers["X-Export-Rows"] == "3"
    assert count(PaymentInstruction) == 3
    assert db.session.scalar(select(PaymentInstruction.exported_at).where(
        PaymentInstruction.id == stop.id)) is not None

    # A second export carries only what was made since.
    restart = instruct(second, InstructionKind.RESTART, date(2026, 5, 4), None, "Restarted", None)
    db.session.commit()
    rows, manifest, _ = unzip(fm.post("/exports/payment-instructions"))
    assert [r["instruction"] for r in rows] == [f"PI-{restart.id:06d}"]
    rows, manifest, content = unzip(as_user("admin").post("/exports/payment-instructions"))
    assert rows == [] and content == b"instruction,kind,person_id,account_type,card_id," \
        b"effective_date,amount,frequency,reason,made_on\r\n"
    assert (manifest["rows"], manifest["first_instruction"], manifest["recoup_total"]) == (
        0, None, "0.00")
    assert count(AuditEvent, action="payment_instructions_exported") == 3


@pytest.mark.parametrize("username", ["fa", "fo", "cw", "cm", "legal"])
def test_only_finance_managers_and_admins_export(as_user, username):
    agreement()
    instruct(agreement("P2009"), InstructionKind.STOP, date(2026, 3, 9), None, "Ended", None)
    db.session.commit()
    assert as_user(username).post("/exports/payment-instructions").status_code == 403
    assert count(PaymentInstruction, exported_at=None) == 1


def test_an_instruction_is_audited_and_must_be_complete(staff):
    dp = agreement()
    made = instruct(dp, InstructionKind.START, date(2026, 1, 13), Decimal("350"), "Agreed", None)
    assert made.amount == Decimal("350.00") and made.exported_at is None
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "payment_instruction_made"))
    assert event.person_id == dp.person_id and event.summary == {
        "agreement_id": dp.id, "instruction_id": made.id, "kind": "start"}
    db.session.commit()
    for kind, amount, reason, field in [
            (InstructionKind.CHANGE, None, "New amount", "amount"),
            (InstructionKind.RECOUP, Decimal("0"), "Surplus", "amount"),
            (InstructionKind.STOP, Decimal("10"), "Ended", "amount"),
            (InstructionKind.SUSPEND, None, "  ", "reason"),
            ("pause", None, "Ended", "kind")]:
        with pytest.raises(ValidationFailed) as refused:
            instruct(dp, kind, date(2026, 3, 9), amount, reason, None)
        assert [d["field"] for d in refused.value.details] == [field]
    assert count(PaymentInstruction) == 1
