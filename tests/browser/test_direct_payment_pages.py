"""As a new user would, in Chromium: a caseworker finds the direct payment on the Summary, opens
its page, asks for an audit (an empty answer first: GOV.UK errors), records notice with its
check page, and a finance manager reads the returns report. Every page passes axe (no violation
of any impact) at 1280 and 320 px, with no horizontal page scroll at 320 px; the wide tables
scroll inside their own labelled region instead."""
from __future__ import annotations

from datetime import date

from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.integration.dp_case_helpers import add_balance, add_closed_audit, monitored

from .conftest import axe_violations, screenshot, sign_in


def _check(page, name: str) -> None:
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(page) == [], f"{name} at {width}px"
        if width == 320:
            scroll = page.evaluate("() => document.documentElement.scrollWidth")
            assert scroll <= 320, f"{name} scrolls sideways at 320px"
        screenshot(page, f"{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_direct_payment_from_the_summary_to_notice(staff, live_url, page):
    agreement = monitored()
    add_balance(agreement, date(2026, 3, 1), "4150.00")
    add_closed_audit(agreement)
    sign_in(page, live_url, "cw", PASSWORD)
    page.goto(f"{live_url}/people/P100234")
    card = page.locator(".app-direct-payment-summary")
    expect(card).to_contain_text("£350.00 a week, paid into a prepaid card")
    expect(card).to_contain_text("First review due by 13 July 2026")
    _check(page, "direct-payment-on-summary")

    card.locator("a:has-text('View the direct payment')").click()
    expect(page.locator("h2.govuk-heading-m")).to_have_text("Direct payment")
    expect(page.locator(".app-direct-payment-terms")).to_contain_text("8 weeks, £2,800.00")
    expect(page.locator(".app-dp-audits")).to_contain_text("£1,350.00")
    _check(page, "direct-payment-page")

    page.click("text=Ask for an audit")
    expect(page.locator("h1")).to_have_text("Ask for an audit of the direct payment")
    page.click("button:has-text('Ask for the audit')")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why an audit is needed")
    _check(page, "direct-payment-audit-errors")
    page.fill("#reasons", "The provider says its invoices are not being paid.")
    page.click("button:has-text('Ask for the audit')")
    page.wait_for_url(f"{live_url}/people/P100234/direct-payment")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("asked for")

    page.click("text=Record notice to end the direct payment")
    _check(page, "direct-payment-notice-form")
    page.check("label:has-text('The council')")
    page.fill("#given_on-day", "2")
    page.fill("#given_on-month", "3")
    page.fill("#given_on-year", "2026")
    page.fill("#reasons", "Their needs are now met by a care home placement.")
    page.click("button:has-text('Continue')")
    expect(page.locator("h1")).to_have_text("Check the notice before you record it")
    expect(page.locator("#main-content")).to_contain_text("Payments stop on 30 March 2026")
    _check(page, "direct-payment-notice-check")
    page.click("button:has-text('Record the notice')")
    page.wait_for_url(f"{live_url}/people/P100234/direct-payment")
    expect(page.locator(".app-direct-payment-terms")).to_contain_text(
        "Ending: payments stop on 30 March 2026")


def test_the_returns_report(staff, live_url, page):
    agreement = monitored()
    add_closed_audit(agreement)
    sign_in(page, live_url, "fm", PASSWORD)
    page.click(".govuk-service-navigation a:has-text('Direct payment returns')")
    expect(page.locator("h1")).to_have_text("Direct payment returns")
    expect(page.locator(".app-dp-report-money")).to_contain_text("£1,350.00")
    _check(page, "direct-payment-returns")
