"""A write-off from the pages, as new staff would do it: a finance officer proposes one from the
Debts page, a finance manager finds it there and approves it, and the debt closes. Every page on
the way passes axe (no violation of any impact) and has no horizontal scroll at 320 px."""
# ruff: noqa: F811  (test_legal_api's fixtures are imported, then named as arguments)
from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.integration.test_legal_api import reminded  # noqa: F401  (fixture)

from .conftest import axe_violations, screenshot, sign_in


def fits_320(page) -> bool:
    """No horizontal page scroll at 320 CSS pixels (WCAG 1.4.10 reflow)."""
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 800})
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size(size)
    return fits


def checked(page, name: str) -> None:
    assert axe_violations(page) == [], name
    assert fits_320(page), name
    screenshot(page, name)


def test_an_officer_proposes_a_write_off_and_a_manager_approves_it(reminded, live_url, page):
    sign_in(page, live_url, "fo", PASSWORD)
    page.goto(f"{live_url}/people/{reminded.reference}/debts")
    page.click("a:has-text('Propose a write-off')")
    expect(page.locator("h1")).to_have_text("Propose a write-off")
    expect(page.locator(".app-write-off-amount")).to_have_text(
        "The write-off is for everything still owed, £1,500.00: a finance manager must "
        "approve it.")
    checked(page, "write-off-propose")

    page.click("button:has-text('Propose the write-off')")  # no reason chosen
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select why the debt should be written off")
    checked(page, "write-off-propose-error")
    page.get_by_label("Uneconomic to pursue").check()
    page.get_by_label("Notes for the approver (optional)").fill("Phoned 3 times, no answer")
    page.click("button:has-text('Propose the write-off')")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "It now waits for a finance manager to approve it")
    expect(page.locator(".app-write-off-waiting")).to_contain_text(
        "It is waiting for a finance manager to approve it.")
    expect(page.locator("a:has-text('Decide the write-off')")).to_have_count(0)
    checked(page, "write-off-proposed-debts")

    page.context.clear_cookies()
    sign_in(page, live_url, "fm", PASSWORD)
    page.goto(f"{live_url}/people/{reminded.reference}/debts")
    page.click("a:has-text('Decide the write-off')")
    expect(page.locator("h1")).to_have_text("Decide the write-off")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Phoned 3 times, no answer")
    expect(page.get_by_text("If you approve it, the debt is closed as written off and "
                            "recovery stops.")).to_be_visible()
    checked(page, "write-off-decide")
    page.get_by_label("Yes, approve it").check()
    page.click("button:has-text('Save the decision')")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The debt is closed as written off and recovery has stopped.")
    expect(page.locator(".app-write-off-waiting")).to_have_count(0)
    checked(page, "write-off-approved-debts")
