"""The case overview in Chromium: the Summary's Current work sentence for a waiting reminder
carries the engine's timer date, a hold is named, and every case page passes axe (wcag2a,
wcag2aa, wcag21aa, wcag22aa, no violation of any impact) with a screenshot each."""
from __future__ import annotations

from playwright.sync_api import expect

from app import calendar
from app.extensions import db
from app.models.workflow import InstanceStatus
from app.services import audit
from app.services.processes import instances, next_steps
from tests.conftest import PASSWORD
from tests.workflows.test_direct_payment_agreement import at, chase, sweep_at  # noqa: F401

from .conftest import axe_violations, screenshot, sign_in

PAGES = {"Summary": "", "Money": "/money", "Debts": "/debts",
         "Direct payments": "/direct-payments", "Letters": "/letters",
         "Notes and documents": "/notes", "History": "/history"}



def test_the_current_work_sentence_has_the_engines_timer_date(chase, live_url, page):  # noqa: F811
    sweep_at("2026-03-16")  # reminder 1 sent: reminder 2 waits
    due = instances.waiting_timers_of(chase)["reminder_2_due"]
    expected = next_steps.day_in_words(calendar.to_local_date(due))
    sign_in(page, live_url, "fa", PASSWORD)
    page.goto(f"{live_url}/people/P100234")
    sentence = page.locator(".app-next-step", has_text="Reminder 2")
    expect(sentence).to_have_text(f"Reminder 2 will be sent on {expected} unless the signed "
                                  "agreement comes back.")
    expect(page.locator(".app-open-tasks")).to_contain_text("Not yet taken")
    for name, path in PAGES.items():
        page.click(f".moj-sub-navigation a:has-text('{name}')")
        expect(page.locator(".moj-sub-navigation [aria-current='page']")).to_have_text(name)
        assert page.url.endswith(f"/people/P100234{path}")
        assert axe_violations(page) == [], name
        screenshot(page, f"case-{name.lower().replace(' ', '-')}")


def test_a_hold_is_named_on_the_summary(chase, live_url, page):  # noqa: F811
    chase.status = InstanceStatus.HELD
    audit.record("step_held", actor=None, person_id=chase.person_id, instance_id=chase.id,
                 element_id="send_reminder_1",
                 summary={"reason": "a Breathing Space protects the person until 1 May 2026"})
    db.session.commit()
    sign_in(page, live_url, "fa", PASSWORD)
    page.goto(f"{live_url}/people/P100234")
    expect(page.locator(".app-next-step").first).to_have_text(
        "On hold: a Breathing Space protects the person until 1 May 2026.")
    assert axe_violations(page) == []
    screenshot(page, "case-summary-on-hold")
