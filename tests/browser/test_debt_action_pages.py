"""The debt and person action pages in Chromium, as new staff would use them: a finance officer
records an instalment plan from the Debts page (a first payment in the past is refused first),
a finance assistant records a Breathing Space from the Summary, and each sees the Summary's
Current work card change. Every page passes axe (no violation of any impact) and has no
horizontal scroll at 320 px."""
from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import InstalmentPlan, Letter
from tests.conftest import PASSWORD
from tests.workflows.debt_helpers import add_invoice, person_account, sweep

from .conftest import axe_violations, screenshot, sign_in


def _widest(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def check_page(page, name: str) -> None:
    """axe at desktop width and at 320 px, with nothing wider than the screen; a screenshot
    of each."""
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(page) == [], (name, width)
        assert _widest(page) <= width, (name, width)
        screenshot(page, f"{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture
def reminded(staff):
    """INV-1001 (£412.50) overdue: reminder 1 sent on Mon 30 Mar 2026."""
    account = person_account()
    add_invoice(account, "INV-1001", date(2026, 3, 2), "412.50")
    sweep("2026-03-24")
    sweep("2026-03-30")
    return account


def fill_date(page, name: str, day_month_year: str) -> None:
    day, month, year = day_month_year.split()
    page.fill(f"#{name}-day", day)
    page.fill(f"#{name}-month", month)
    page.fill(f"#{name}-year", year)


def letters() -> int:
    db.session.rollback()
    return db.session.scalar(db.select(db.func.count()).select_from(Letter))


def test_a_finance_officer_records_an_instalment_plan(reminded, live_url, page):
    sign_in(page, live_url, "fo", PASSWORD)
    page.goto(f"{live_url}/people/P1001")
    expect(page.locator("#current-work")).to_contain_text("Nothing holds recovery.")
    page.click(".moj-sub-navigation a:has-text('Debts')")
    page.get_by_role("link", name="Record an instalment plan").click()
    expect(page.locator("h1")).to_have_text("Record an instalment plan")
    expect(page.locator(".govuk-summary-list")).to_contain_text("£412.50")
    check_page(page, "debt-instalment-plan")

    letters_before = letters()
    page.fill("#amount", "100")
    page.get_by_label("Every month").check()
    fill_date(page, "first_date", "1 1 2020")
    page.get_by_label("Standing order").check()
    page.locator("#full_income_expenditure-2").check()  # No
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The first payment date must be today or in the future: "
                                    "1 January 2020 is in the past")
    expect(page.locator("#first_date-error")).to_be_visible()
    check_page(page, "debt-instalment-plan-error")
    assert letters() == letters_before

    fill_date(page, "first_date", "15 4 2026")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Check the instalment plan before you record it")
    terms = page.locator(".govuk-summary-list")
    expect(terms).to_contain_text("5 payments: 4 of £100.00 and a last one of £12.50")
    expect(terms).to_contain_text("15 August 2026")
    expect(page.locator("main")).to_contain_text("A letter confirming the plan goes in today's "
                                                 "print batch.")
    check_page(page, "debt-instalment-plan-check")

    page.get_by_role("button", name="Record the plan").click()
    page.wait_for_url(f"{live_url}/people/P1001")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Instalment plan recorded: 5 payments of £100.00 every month from 15 April 2026")
    expect(page.locator("#current-work .app-holds")).to_contain_text(
        "an instalment plan is in force")
    assert axe_violations(page) == []
    screenshot(page, "case-summary-after-instalment-plan")
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(InstalmentPlan)) == 1
    assert letters() == letters_before + 1  # the confirmation


def test_a_finance_assistant_records_a_breathing_space(reminded, live_url, page):
    sign_in(page, live_url, "fa", PASSWORD)
    page.goto(f"{live_url}/people/P1001")
    work = page.locator("#current-work")
    expect(work).to_contain_text("Nothing holds recovery.")
    expect(work.locator(".app-next-step").first).not_to_contain_text("On hold")
    page.get_by_role("link", name="Record a Breathing Space").click()
    expect(page.locator("h1")).to_have_text("Record a Breathing Space")
    check_page(page, "breathing-space-start")

    page.get_by_role("button", name="Record the Breathing Space").click()  # nothing answered
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select what kind of Breathing Space it is")
    check_page(page, "breathing-space-start-error")

    page.get_by_label("Standard Breathing Space").check()
    fill_date(page, "starts_on", "30 3 2026")
    page.fill("#reference", "BS-1")
    page.get_by_role("button", name="Record the Breathing Space").click()
    page.wait_for_url(f"{live_url}/people/P1001")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Breathing Space recorded: standard, from 30 March 2026 to 29 May 2026.")
    expect(work.locator(".app-holds")).to_contain_text(
        "Breathing Space: standard from 30 March 2026 to 29 May 2026")
    expect(work.locator(".app-next-step").first).to_contain_text("On hold")
    check_page(page, "case-summary-after-breathing-space")

    for link, heading, name in (
            ("Record a cancellation", "Record that the Breathing Space was cancelled",
             "breathing-space-cancel"),
            ("Record its end", "Record the end of the Breathing Space", "breathing-space-end"),
            ("Record a death", "Record a death", "death")):
        page.goto(f"{live_url}/people/P1001")
        page.locator(".app-person-actions").get_by_role("link", name=link).click()
        expect(page.locator("h1")).to_have_text(heading)
        check_page(page, name)

    page.get_by_role("button", name="Record the death").click()  # nothing answered
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the date of death")
    check_page(page, "death-error")
