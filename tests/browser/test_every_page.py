"""The pages no other walk visits, each checked with axe (no finding of any impact) and saved
as a screenshot at desktop width and at 320 px (WCAG 1.4.10 reflow: nothing wider than the
screen), so test-artifacts/screenshots/ holds every page."""
from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.dp_helpers import dp_person, returned_agreement

from .conftest import axe_violations, screenshot, sign_in

PAGES = [
    ("processes-one", "fm", "/processes/direct_payment_agreement"),
    ("processes-changes", "fm", "/processes/direct_payment_agreement/changes"),
    ("processes-guide", "fm", "/processes/guide"),
    ("not-found", "fa", "/people/NOBODY"),
    ("search-results", "fa", "/people?name=Alice"),
]


def _widest(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


@pytest.mark.parametrize("name, path", [("sign-in", "/sign-in"),
                                        ("accessibility-statement", "/accessibility")])
def test_the_pages_anyone_may_read(live_url, page, staff, name, path):
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_url}{path}")
        assert axe_violations(page) == []
        assert _widest(page) <= width
        screenshot(page, f"{name}-{width}")


@pytest.mark.parametrize("name, username, path", PAGES)
def test_every_other_page(live_url, page, staff, name, username, path):
    dp_person("P500", name="Alice Example")
    sign_in(page, live_url, username, PASSWORD)
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_url}{path}")
        assert axe_violations(page) == [], (name, width)
        screenshot(page, f"{name}-{width}")


def test_the_daily_pages_reflow_at_320_px(live_url, page, staff):
    dp_person("P501", name="Alice Example")
    _, task = returned_agreement("P501")
    sign_in(page, live_url, "fa", PASSWORD)
    page.set_viewport_size({"width": 320, "height": 900})
    for name, path in (("inbox", "/?tab=team"), ("task", f"/tasks/{task.id}"),
                       ("case-summary", "/people/P501"), ("case-money", "/people/P501/money"),
                       ("case-letters", "/people/P501/letters"),
                       ("search-results", "/people?name=Alice")):
        page.goto(f"{live_url}{path}")
        assert axe_violations(page) == [], name
        screenshot(page, f"{name}-320")
        assert _widest(page) <= 320, name
