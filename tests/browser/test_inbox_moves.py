"""Issue 19's inbox, as a new user walks it: Take goes to the task, Complete to the person's next
one; the team tab names who holds a task; "Due before" is three boxes that keep what was typed;
rows say how many days overdue; and a person is found by an invoice number."""
from __future__ import annotations

from datetime import datetime, timezone

from playwright.sync_api import expect

from app.extensions import db
from tests.conftest import PASSWORD, set_clock
from tests.dp_helpers import dp_person
from tests.integration.test_inbox_service import add_tasks

from .conftest import axe_violations, screenshot, sign_in


def _widest(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def test_take_complete_and_move_on_to_the_persons_next_task(staff, live_url, page):
    set_clock(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))
    person = dp_person("P1", "Nina Next")
    db.session.commit()
    first, second = add_tasks(person, [-3, 2])
    sign_in(page, live_url, "fa", PASSWORD)
    page.click("a:has-text(\"My team's tasks\")")
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("3 days overdue")
    assert axe_violations(page) == []
    row.locator("button:has-text('Take')").click()
    expect(page.locator("body")).to_contain_text("You have taken this task")
    expect(page.locator("h1")).to_have_text(first.title)
    page.click("button:has-text('Complete')")
    expect(page.locator("body")).to_contain_text(
        f"Completed: {first.title}. Next for Nina Next: {second.title}.")
    expect(page.locator("h1")).to_have_text(second.title)
    assert axe_violations(page) == []


def test_due_before_is_three_boxes_that_keep_what_was_typed(staff, live_url, page):
    set_clock(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))
    add_tasks(dp_person("P1", "Olive Overdue"), [-3, 10])
    sign_in(page, live_url, "fa", PASSWORD)
    page.click("a:has-text(\"My team's tasks\")")
    page.fill("#due_before-day", "31")
    page.fill("#due_before-month", "2")
    page.fill("#due_before-year", "2026")
    page.click("button:has-text('Apply filters')")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Due before must be a real date")
    expect(page.locator("#due_before-error")).to_contain_text("Due before must be a real date")
    assert page.input_value("#due_before-day") == "31"
    assert axe_violations(page) == []
    screenshot(page, "inbox-due-before-error")
    page.fill("#due_before-day", "11")
    page.fill("#due_before-month", "3")
    page.click("button:has-text('Apply filters')")
    expect(page.locator("#result-count")).to_have_text("1 open task")
    page.set_viewport_size({"width": 320, "height": 900})
    assert _widest(page) <= 320
    assert axe_violations(page) == []


def test_find_a_person_by_an_invoice_number(staff, live_url, page):
    from datetime import date
    from decimal import Decimal

    from app.models import Account, Invoice

    person = dp_person("P1", "Ivy Invoice")
    account = Account(number="AC1", person_id=person.id)
    db.session.add(account)
    db.session.flush()
    db.session.add(Invoice(number="INV-5521", account_id=account.id,
                           invoice_date=date(2026, 1, 5), due_date=date(2026, 1, 26),
                           total=Decimal("412.50")))
    db.session.commit()
    sign_in(page, live_url, "fa", PASSWORD)
    page.click("a:has-text('Find a person')")
    page.fill("#invoice_number", "INV-5521")
    page.click("button:has-text('Search')")
    expect(page.locator("#results")).to_have_text("1 person found")
    assert axe_violations(page) == []
    screenshot(page, "search-by-invoice")
    page.click("a:has-text('Ivy Invoice')")
    expect(page.locator("h1")).to_have_text("Ivy Invoice")


def test_bulk_take_three_tasks_with_one_already_taken_by_someone_else(staff, live_url, page):
    from sqlalchemy import select

    from app.models import User

    tasks = add_tasks(dp_person("P1", "Bea Bulk"), [1, 2, 3, 4])
    sign_in(page, live_url, "fa", PASSWORD)
    page.click("a:has-text(\"My team's tasks\")")
    for task in tasks:
        page.check(f"#select-{task.id}")
    # Meanwhile a manager takes the fourth.
    tasks[3].claimed_by_id = db.session.scalar(select(User.id).where(User.username == "fm"))
    db.session.commit()
    page.click("button:has-text('Take selected')")
    expect(page.locator("body")).to_contain_text("3 tasks taken")
    expect(page.locator("body")).to_contain_text(
        f"Not taken: {tasks[3].title} for Bea Bulk (Fm took it first)")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(4)  # the team tab keeps taken tasks, with who holds them
    expect(page.locator("tbody button:has-text('Take')")).to_have_count(0)
    assert axe_violations(page) == []
    screenshot(page, "inbox-bulk-take")
    page.set_viewport_size({"width": 320, "height": 900})
    assert _widest(page) <= 320
    assert axe_violations(page) == []
    screenshot(page, "inbox-bulk-take-320")
