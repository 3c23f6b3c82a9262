"""Issue 18, part 2 in the browser: a finance assistant completes a debt phone task with an
outcome and a promised date, then finds both on the case's History and on the next task of the
process. axe runs with wcag2a, wcag2aa, wcag21aa and wcag22aa and allows no violation of any
impact."""
from __future__ import annotations

from datetime import date

from playwright.sync_api import expect

from app.extensions import db
from tests.conftest import PASSWORD
from tests.workflows.debt_helpers import add_invoice, debt_of, open_tasks, person_account, sweep

from .conftest import axe_violations, screenshot, sign_in

DEPUTY = {"name": "Beatrice Brown", "type": "deputy", "scope": "property_and_finance",
          "address": {"lines": ["9 Deputy Row", "Other Town"], "postcode": "OT1 9ZZ"},
          "evidence": "COP 1234", "verified_by": "fo", "verified_on": "2026-01-10"}
CALL = "Phoned Margaret Ellis: will pay by 30 April 2026"



def test_a_call_and_its_promised_date_are_on_the_history_and_the_next_task(
        staff, live_url, page, browser):
    account = person_account("P6101", "Margaret Ellis", representative=DEPUTY)
    add_invoice(account, "INV-6101", date(2026, 3, 2), "752.50")
    for day in ("2026-03-24", "2026-03-30", "2026-04-13", "2026-04-20"):
        sweep(day)
    task_id = open_tasks(debt_of(account))["phone_contact"].id
    db.session.commit()

    sign_in(page, live_url, "fa", PASSWORD)
    page.goto(f"{live_url}/tasks/{task_id}")
    expect(page.locator(".app-contact-details").first).to_contain_text("Margaret Ellis")
    expect(page.locator("#debt-invoices + .app-table-scroll table")).to_contain_text("INV-6101")
    expect(page.locator("#debt-letters + .app-table-scroll table")).to_contain_text(
        "Final demand")
    expect(page.locator("#debt-letters + .app-table-scroll table")).to_contain_text("Beatrice Brown as deputy")
    assert axe_violations(page) == []
    screenshot(page, "record-phone-task-open")

    page.get_by_label("Spoke to them: will pay").check()
    page.fill("#promised_payment_date-day", "30")
    page.fill("#promised_payment_date-month", "4")
    page.fill("#promised_payment_date-year", "2026")
    page.fill("#call_notes", "Pays on payday")
    page.get_by_role("button", name="Complete").click()
    page.wait_for_url(lambda url: f"/tasks/{task_id}" not in url)

    page.goto(f"{live_url}/tasks/{task_id}")
    answers = page.locator("#answers")
    expect(answers).to_contain_text("Spoke to them: will pay")
    expect(answers).to_contain_text("30 April 2026")
    expect(page.locator("#completed-by")).to_contain_text("Completed by Fa")
    expect(page.locator(".moj-badge--red")).to_have_count(0)
    assert axe_violations(page) == []
    screenshot(page, "record-phone-task-completed")

    page.goto(f"{live_url}/people/P6101/history")
    history = page.locator(".app-history")
    expect(history).to_contain_text(CALL)
    expect(history).to_contain_text("Promised payment date")
    expect(history).to_contain_text("Final demand sent to Beatrice Brown as deputy")
    expect(history).not_to_contain_text("Step gateway")
    assert axe_violations(page) == []
    screenshot(page, "record-history")
    page.get_by_role("link", name="Show system steps").click()
    expect(page.locator(".app-history__item--system").first).to_be_visible()
    expect(page.locator(".app-history")).to_contain_text("The process")
    assert axe_violations(page) == []
    screenshot(page, "record-history-system-steps")

    sweep("2026-05-01")  # the referral is due: the pre-legal checklist opens
    checklist_id = open_tasks(debt_of(account))["pre_legal_checklist"].id
    db.session.commit()
    officer = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    try:
        sign_in(officer, live_url, "fo", PASSWORD)
        officer.goto(f"{live_url}/tasks/{checklist_id}")
        expect(officer.locator("#recorded-before")).to_be_visible()
        before = officer.locator("main")
        expect(before).to_contain_text("Phone the person about the overdue charges")
        expect(before).to_contain_text("Promised payment date")
        expect(before).to_contain_text("30 April 2026")
        assert axe_violations(officer) == []
        screenshot(officer, "record-next-task")
    finally:
        officer.context.close()
