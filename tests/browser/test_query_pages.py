"""As a new user would, in Chromium: a finance assistant opens an invoice query from the case
page, sees it on the Summary, opens its page and finds it on the queries list. Every page passes
axe (no violation of any impact) at 1280 and 320 px, with no horizontal page scroll at 320 px;
the wide tables scroll inside their own labelled region instead."""
from __future__ import annotations

from datetime import date

from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.workflows.debt_helpers import add_invoice, person_account

from .conftest import axe_violations, screenshot, sign_in

DEPUTY = {"name": "Jennifer Penrose", "type": "deputy", "scope": "property_and_finance",
          "address": {"lines": ["2 Low Road", "Example Town"], "postcode": "EX1 3CD"}}


def _check(page, name: str) -> None:
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(page) == [], f"{name} at {width}px"
        if width == 320:
            scroll = page.evaluate("() => document.documentElement.scrollWidth")
            assert scroll <= 320, f"{name} scrolls sideways at 320px"
        screenshot(page, f"{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_open_a_query_from_the_case_page(staff, live_url, page):
    account = person_account(representative=DEPUTY)
    add_invoice(account, "INV-1001", date(2026, 2, 2), "412.50")
    add_invoice(account, "INV-1002", date(2026, 2, 2), "99.00")
    sign_in(page, live_url, "fa", PASSWORD)
    page.goto(f"{live_url}/people/P1001")
    expect(page.locator(".app-queries-summary")).to_contain_text("No open queries.")
    page.click("text=Open a query")
    expect(page.locator("h1")).to_have_text("Open a query")
    expect(page.locator("#received_on-day")).to_have_value("2")  # today, 2 March 2026
    _check(page, "query-open-form")

    page.click("button:has-text('Open the query')")  # nothing chosen: GOV.UK errors
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select how the query came in")
    _check(page, "query-open-errors")

    page.check("label:has-text('Phone')")
    page.check("label:has-text('Jennifer Penrose, their representative')")
    page.check("label:has-text('Care not delivered or hours wrong')")
    page.check("label:has-text('INV-1002')")
    page.fill("#amount-INV-1002", "48.20")
    page.fill("#what_was_said", "The carer did not come on two days in week 1.")
    page.click("button:has-text('Open the query')")

    page.wait_for_url(f"{live_url}/people/P1001")
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Invoice INV-1002 is held from recovery while it is open")
    expect(banner).to_contain_text("The acknowledgement is due by 5 March 2026")
    row = page.locator(".app-open-queries tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Care not delivered or hours wrong")
    expect(row).to_contain_text("INV-1002")
    expect(row).to_contain_text("Fa")
    _check(page, "query-on-summary")

    row.locator("a").click()
    expect(page.locator("h1")).to_contain_text("Query Q-")
    expect(page.locator(".app-query-invoices")).to_contain_text("£48.20")
    expect(page.locator("#main-content")).to_contain_text(
        "Jennifer Penrose (their representative)")
    _check(page, "query-page")

    page.click(".govuk-service-navigation a:has-text('Queries')")
    expect(page.locator("h1")).to_have_text("Invoice queries")
    expect(page.locator(".app-queries tbody tr")).to_have_count(1)
    expect(page.locator(".app-queries")).to_contain_text("Alice Example")
    _check(page, "queries-list")
