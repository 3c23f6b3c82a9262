"""Issue 19's must-show, as a finance officer walks it: a first payment date in the past is
refused on the countersigning task with a GOV.UK message and no letter is made; a good date
goes to "Check your answers before sending the letter", Change goes back with the answers kept,
and only "Confirm and send" completes the task and makes the confirmation letter. Axe finds
nothing on any of the pages."""
from __future__ import annotations

from datetime import datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.extensions import db
from app.models import HumanTask, Letter
from app.services.inbox import task_actions
from app.services.processes import instances
from tests.conftest import PASSWORD, set_clock
from tests.dp_helpers import dp_person

from .conftest import axe_violations, screenshot, sign_in


def letters() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Letter))


@pytest.fixture
def countersigning(staff) -> int:
    """Alice Example's agreement returned and validated on 5 March 2026: the countersigning
    task is open for a finance officer."""
    from tests.workflows.test_direct_payment_agreement import user

    dp_person()
    set_clock(datetime.fromisoformat("2026-03-02T09:00:00+00:00"))
    chase = instances.start_instance("direct_payment_agreement", "P100234", {}, user("fa"))
    set_clock(datetime.fromisoformat("2026-03-05T11:00:00+00:00"))
    instances.deliver_message(chase.id, "paperwork_received", {"channel": "post"}, user("fa"))
    db.session.commit()
    validate = next(t for t in instances.open_tasks(chase) if t.name == "validate_agreement")
    task_actions.complete(validate.id, {"signatures_complete": True, "dedicated_account": True,
                                        "contribution_set_up": True,
                                        "recipient_signed_on": "2026-03-04"}, user("fa"))
    return next(t.id for t in instances.open_tasks(chase) if t.name == "countersign_agreement")


def _first_payment(page, day: str, month: str, year: str) -> None:
    page.fill("#first_payment_date-day", day)
    page.fill("#first_payment_date-month", month)
    page.fill("#first_payment_date-year", year)


def test_a_past_first_payment_date_is_refused_and_a_good_one_is_checked_then_sent(
        countersigning, live_url, page):
    before = letters()
    sign_in(page, live_url, "fo", PASSWORD)
    page.goto(f"{live_url}/tasks/{countersigning}")
    expect(page.locator("h1")).to_have_text("Countersign and schedule first payment")
    expect(page.locator("legend", has_text="When should the first payment be made?")
           ).to_have_count(1)
    expect(page.locator("#first_payment_date-hint")).to_contain_text(
        "Today or later, and within the next 3 months.")
    assert axe_violations(page) == []

    # 1 January 2020: in the past.
    page.get_by_role("group", name="Has the council countersigned the agreement?"
                     ).get_by_label("Yes").check()
    _first_payment(page, "1", "1", "2020")
    page.get_by_role("button", name="Complete").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("First payment date must be today or in the future")
    expect(page.locator("#first_payment_date-error")).to_contain_text(
        "First payment date must be today or in the future")
    assert page.input_value("#first_payment_date-year") == "2020"  # what was typed is kept
    assert page.is_checked("#countersigned")
    assert letters() == before  # no letter
    assert axe_violations(page) == []
    screenshot(page, "countersign-past-date-refused")
    summary.locator("a").first.click()
    expect(page.locator("#first_payment_date-day")).to_be_focused()

    # Nothing typed in the month: GOV.UK says which part is missing.
    _first_payment(page, "12", "", "2026")
    page.get_by_role("button", name="Complete").click()
    expect(page.locator("#first_payment_date-error")).to_contain_text(
        "First payment date must include a month")

    # 12 March 2026: checked before the letter goes.
    _first_payment(page, "12", "3", "2026")
    page.get_by_role("button", name="Complete").click()
    expect(page.locator("h1")).to_have_text("Check your answers before sending the letter")
    answers = page.locator("#checked-answers")
    expect(answers).to_contain_text("First payment date")
    expect(answers).to_contain_text("12 March 2026")
    expect(page.locator("#letters-to-send")).to_contain_text(
        "Confirmation — direct payment agreement to Alice Example")
    assert letters() == before
    assert axe_violations(page) == []
    screenshot(page, "countersign-check-your-answers")

    # Change: back to the question, the answers kept.
    answers.get_by_role("link", name="Change First payment date").click()
    expect(page.locator("h1")).to_have_text("Countersign and schedule first payment")
    assert page.input_value("#first_payment_date-day") == "12"
    assert page.input_value("#first_payment_date-month") == "3"
    assert page.is_checked("#countersigned")
    page.fill("#first_payment_date-day", "13")
    page.get_by_role("button", name="Complete").click()
    expect(page.locator("#checked-answers")).to_contain_text("13 March 2026")

    page.get_by_role("button", name="Confirm and send").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Completed: Countersign and schedule first payment")
    assert letters() == before + 1
    db.session.expire_all()
    done = db.session.get(HumanTask, countersigning)
    assert done.status == "completed" and done.outcome["first_payment_date"] == "2026-03-13"
    assert axe_violations(page) == []
