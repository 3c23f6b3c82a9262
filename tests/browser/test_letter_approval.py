"""Issue 18, part 3 in the browser: a finance officer reads the Letter of Claim's amount and
recipient (a deputy) on its approval task, approves and sends it, and the task then says it went
to the print batch. Needs task.html to include partials/letter_approval.html (app/web/approval.py).
axe runs with wcag2a, wcag2aa, wcag21aa and wcag22aa and allows no violation of any impact."""
from __future__ import annotations

from playwright.sync_api import expect

from app.extensions import db
from tests.conftest import PASSWORD
from tests.workflows.debt_helpers import open_tasks, person_account
from tests.workflows.legal_helpers import decide_letter_of_claim, ladder_to_decision

from .conftest import axe_violations, screenshot, sign_in

DEPUTY = {"name": "Brenda Ash", "type": "deputy", "scope": "property_and_finance",
          "address": {"lines": ["9 Deputy Row", "Other Town"], "postcode": "OT1 9ZZ"},
          "evidence": "COP 55", "verified_by": "fo", "verified_on": "2026-01-10"}



def test_an_officer_reads_the_amount_and_recipient_then_approves_and_sends(
        no_placeholders, live_url, page):
    account = person_account("P3101", "Albert Ash", representative=DEPUTY)
    debt = decide_letter_of_claim(ladder_to_decision(account, "3250.00", "2026-04-01"))
    task_id = open_tasks(debt)["approve_letter_of_claim"].id
    db.session.commit()

    sign_in(page, live_url, "fo", PASSWORD)
    page.goto(f"{live_url}/tasks/{task_id}")
    approval = page.locator("[data-letter-approval='open']")
    expect(approval).to_have_count(1)
    expect(approval.locator("[data-amount]")).to_have_text("£3,250.00")
    expect(approval.locator("[data-recipient-name]")).to_have_text("Brenda Ash")
    expect(approval).to_contain_text("as deputy for Albert Ash")
    expect(approval).to_contain_text("9 Deputy Row")
    expect(approval).to_contain_text("Invoice INV-L1 of 5 January 2026")
    for enclosure in ("Information Sheet", "Reply Form", "Financial Statement"):
        expect(approval).to_contain_text(enclosure)
    expect(approval.locator("[data-letter-text]")).to_contain_text("£3,250.00")
    expect(approval.locator("[data-hold-warning]")).to_have_count(0)
    # One way to complete it: the generic Complete button is replaced by "Approve and send".
    expect(page.get_by_role("button", name="Complete")).to_have_count(0)
    assert axe_violations(page) == []
    screenshot(page, "letter-approval-open")

    page.get_by_role("button", name="Approve and send").click()
    page.wait_for_url(lambda url: f"/tasks/{task_id}" not in url)
    expect(page.locator("body")).to_contain_text("Completed: Approve the Letter of Claim")

    page.goto(f"{live_url}/tasks/{task_id}")
    expect(page.locator("[data-outcome='sent']")).to_have_text(
        "Sent to the print batch on 1 April 2026.")
    assert axe_violations(page) == []
    screenshot(page, "letter-approval-sent")
