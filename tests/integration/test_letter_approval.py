"""What the officer sees on "Approve the Letter of Claim" (issue 18, part 3): the letter's text,
recipient (a deputy too), amount and invoices, enclosures, and any hold that would stop it; and
after approval, whether it went to the print batch or is held, and why.

Scenario 5's debt (INV-L1, £3,250.00 of Mon 5 Jan 2026), the Letter of Claim prepared on Wed 1 Apr
2026 (tests/workflows/legal_helpers.py)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import render_template
from flask_login import login_user

from app.extensions import db
from app.models import HumanTask
from app.services.debts import breathing_spaces
from app.services.legal import approval_view
from app.services.legal.approval_view import approval_of, dates_in_words
from app.web.approval import approval_view as page_view
from tests.workflows.debt_helpers import complete, open_tasks, person_account, sweep, user
from tests.workflows.legal_helpers import decide_letter_of_claim, ladder_to_decision

DEPUTY = {"name": "Brenda Ash", "type": "deputy", "scope": "property_and_finance",
          "address": {"lines": ["9 Deputy Row", "Other Town"], "postcode": "OT1 9ZZ"},
          "evidence": "COP 55", "verified_by": "fo", "verified_on": "2026-01-10"}


def _prepared(reference="P1001", name="Alice Example", representative=None):
    account = person_account(reference, name, representative=representative)
    debt = decide_letter_of_claim(ladder_to_decision(account, "3250.00", "2026-04-01"))
    return account, debt, open_tasks(debt)["approve_letter_of_claim"]


def test_the_approver_sees_the_amount_invoices_recipient_enclosures_and_text(no_placeholders):
    _, _, task = _prepared()
    shown = approval_of(task)
    assert shown is not None and shown.is_open and shown.outcome is None
    assert shown.letter_name == "Letter of Claim"
    assert shown.amount == Decimal("3250.00") and isinstance(shown.amount, Decimal)
    assert [(i.number, i.invoice_date, i.total) for i in shown.invoices] == [
        ("INV-L1", date(2026, 1, 5), Decimal("3250.00"))]
    assert shown.recipient is not None and shown.recipient.name == "Alice Example"
    assert shown.recipient.acting_as is None
    assert shown.recipient.address_lines == ("1 High Street", "Example Town", "EX1 2AB")
    assert [e.title for e in shown.enclosures] == [
        "Statement of account (in the letter)", "Information Sheet", "Reply Form",
        "Financial Statement"]
    # The demo setting lets the letter go; the approver is still told.
    assert [e.placeholder for e in shown.enclosures] == [False, True, True, True]
    assert "still hold placeholder text" in shown.placeholder_warning
    text = " ".join(b.text for b in shown.text) + " ".join(
        c for b in shown.text for r in b.rows for c in r)
    assert "£3,250.00" in text and "INV-L1" in text and "Alice Example" in text
    assert shown.holds == () and shown.hold_warning is None
    assert (shown.decision_field, shown.reason_field) == ("approved", "notes")


def test_a_deputy_is_named_as_deputy_for_the_person(no_placeholders):
    _, _, task = _prepared("P3101", "Albert Ash", representative=DEPUTY)
    recipient = approval_of(task).recipient
    assert (recipient.name, recipient.acting_as) == ("Brenda Ash", "deputy for Albert Ash")
    assert recipient.address_lines == ("9 Deputy Row", "Other Town", "OT1 9ZZ")


def test_a_breathing_space_is_warned_of_then_named_after_approval(no_placeholders):
    account, debt, task = _prepared()
    sweep("2026-04-02", "10:00")
    breathing_spaces.start(account.person, "standard", date(2026, 4, 2), None, None, user("fa"))
    db.session.commit()
    shown = approval_of(db.session.get(HumanTask, task.id))
    assert shown.hold_warning is not None
    assert shown.hold_warning.startswith("This letter will not be sent while a Breathing Space "
                                         "is in force from 2 April 2026")
    complete(task, "fo", approved=True)
    db.session.commit()
    done = approval_of(db.session.get(HumanTask, task.id))
    assert done.outcome.state == "held"
    assert done.outcome.message.startswith("Approved, but held: a Breathing Space is in force")
    assert done.outcome.message.endswith("it will be sent when the hold lifts.")


def test_after_approval_it_says_when_it_went_to_the_print_batch(no_placeholders):
    _, _, task = _prepared()
    complete(task, "fo", approved=True, notes="Checked against the ledger")
    db.session.commit()
    done = approval_of(db.session.get(HumanTask, task.id))
    assert done.outcome.state == "sent" and done.outcome.sent_on == date(2026, 4, 1)
    assert done.outcome.message == "Sent to the print batch on 1 April 2026."
    assert done.outcome.notes == "Checked against the ledger"
    assert done.holds == ()


def test_not_approved_says_nothing_was_posted(no_placeholders):
    _, _, task = _prepared()
    complete(task, "fo", approved=False, notes="Wrong invoice")
    db.session.commit()
    done = approval_of(db.session.get(HumanTask, task.id))
    assert done.outcome.state == "not_approved" and done.outcome.notes == "Wrong invoice"


def test_not_approving_needs_a_reason_and_the_page_shows_where(no_placeholders, app):
    from app.errors import ValidationFailed

    _, _, task = _prepared()
    try:
        complete(task, "fo", approved=False)
    except ValidationFailed as exc:
        problems = exc.details
    else:
        raise AssertionError("a Letter of Claim was not approved without a reason")
    assert problems == [{"field": "notes",
                         "message": "Enter why the Letter of Claim is not approved"}]
    assert db.session.get(HumanTask, task.id).status == "open"
    with app.test_request_context():
        login_user(user("fo"))
        html = render_template("partials/letter_approval.html", approval=page_view(task),
                               task=task, errors={"notes": problems[0]["message"]})
    # The reason's box is shown open, with the message beside it.
    assert "<details class=\"govuk-details\" open>" in html
    assert "Enter why the Letter of Claim is not approved" in html


def test_other_tasks_are_not_letter_approvals(no_placeholders):
    _, debt, task = _prepared()
    complete(task, "fo", approved=True)
    sweep("2026-05-08")
    other = open_tasks(debt)["approve_legal_referral"]
    assert approval_of(other) is None
    assert approval_view.LETTER_APPROVALS == {
        ("legal_recovery", "approve_letter_of_claim"): "letter_of_claim"}


def test_dates_recorded_in_iso_read_in_words():
    assert dates_in_words("standard from 2026-04-02 to 2026-06-01") == (
        "standard from 2 April 2026 to 1 June 2026")


def test_the_partial_shows_the_letter_and_approve_and_send(no_placeholders, app):
    _, _, task = _prepared()
    with app.test_request_context():
        login_user(user("fo"))
        view = page_view(task)
        html = render_template("partials/letter_approval.html", approval=view, task=task)
    assert view["submit_label"] == "Approve and send"
    assert "£3,250.00" in html and "Alice Example" in html and "Approve and send" in html
    assert 'name="approved" value="true"' in html and 'name="approved" value="false"' in html
    assert "Why is it not approved?" in html
