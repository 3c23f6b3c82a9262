"""As a new user would, in Chromium: a finance assistant logs a call with a promise to pay from
the case page and sees it on the case; a finance manager changes the direct-payment first
reminder on the settings page and sees the new value. Every page passes axe (no violation of any
impact) at 1280 and 320 px, with no horizontal page scroll at 320 px."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.integration.api_helpers import person_body

from .conftest import axe_violations, screenshot, sign_in

DEPUTY = {"name": "Jennifer Penrose", "type": "deputy", "scope": "property_and_finance",
          "address": {"lines": ["2 Low Road", "Example Town"], "postcode": "EX1 3CD"}}


def _page_width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def _check(page, name: str) -> None:
    """axe at desktop width and at 320 px, nothing wider than the screen; a screenshot of each."""
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(page) == [], f"{name} at {width}px"
        if width == 320:
            assert _page_width(page) <= 320, f"{name} scrolls sideways at 320px"
        screenshot(page, f"{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_log_a_call_with_a_promise_to_pay(as_user, live_url, page):
    response = as_user("fa").post("/people", json=person_body(representative=DEPUTY))
    assert response.status_code == 201, response.json
    sign_in(page, live_url, "fa", PASSWORD)
    page.goto(f"{live_url}/people/P100234")
    expect(page.locator(".app-last-contact")).to_have_text("No contact logged yet.")
    page.click("text=Log a call or contact")
    expect(page.locator("h1")).to_have_text("Log a call or contact")
    expect(page.locator("#contacted_on-day")).to_have_value("2")  # today, 2 March 2026
    _check(page, "contact-log-form")

    page.click("button:has-text('Log the contact')")  # nothing chosen: GOV.UK errors
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select how you were in contact")
    _check(page, "contact-log-errors")

    page.check("label:has-text('Phone call: we called them')")
    page.check("label:has-text('Alice Example')")
    page.check("label:has-text('Will pay')")
    page.fill("#promised_on-day", "20")
    page.fill("#promised_on-month", "3")
    page.fill("#promised_on-year", "2026")
    page.fill("#promised_amount", "250")
    page.fill("#notes", "Will pay when her pension arrives.")
    page.click("button:has-text('Log the contact')")

    page.wait_for_url(f"{live_url}/people/P100234")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "promise to pay by 20 March 2026 shows on the Summary until that date")
    expect(page.locator(".app-last-contact")).to_contain_text(
        "Phoned Alice Example: will pay £250.00 by 20 March 2026")
    expect(page.locator(".app-promise")).to_have_text("£250.00 by 20 March 2026")
    _check(page, "contact-on-summary")
    page.click(".moj-sub-navigation a:has-text('History')")
    expect(page.locator("body")).to_contain_text(
        "Phoned Alice Example: will pay £250.00 by 20 March 2026")


def test_change_a_reminder_interval(as_user, live_url, page):
    sign_in(page, live_url, "fm", PASSWORD)
    page.click(".govuk-service-navigation a:has-text('Settings')")
    expect(page.locator("h1")).to_have_text("Policy settings")
    row = page.locator("#dp_reminder_1_working_days")
    expect(row).to_contain_text("First reminder after the agreement pack")
    expect(row).to_contain_text("10 working days")
    _check(page, "settings")

    row.locator("a:has-text('Change')").click()
    expect(page.locator("h1")).to_contain_text("First reminder after the agreement pack")
    page.fill("#value", "seven")
    page.click("button:has-text('Save the change')")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the number of working days as a whole number, like 10")
    _check(page, "settings-change-error")

    page.fill("#value", "7")
    page.click("button:has-text('Save the change')")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "First reminder after the agreement pack changed to 7 working days. Steps already "
        "waiting keep the date they were given.")
    row = page.locator("#dp_reminder_1_working_days")
    expect(row.locator(".app-setting-value")).to_have_text("7 working days")
    expect(row).to_contain_text("Default: 10 working days.")
    _check(page, "settings-changed")
