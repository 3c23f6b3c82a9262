"""Issue 7's walk through the pages: an assistant signs in, claims the validation task of a
returned direct-payment agreement, gets an error beside a field with the other answers kept,
corrects it and completes; the countersigning task is then in a finance officer's inbox. The
search finds a person by postcode and opens the case page; another team's case is refused."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.services.processes import instances
from app.services.records import people
from tests.conftest import PASSWORD, set_clock
from tests.dp_helpers import dp_person

from .conftest import axe_violations, screenshot, sign_in


@pytest.fixture
def returned_agreement(staff):
    dp_person()
    people.create_person({
        "reference": "P200999", "name": "Sam Southern", "team": "South", "caseworker": "cw",
        "address": {"lines": ["9 Low Road", "Southtown"], "postcode": "SO1 1AA"},
        "representative": None,
    }, None)
    set_clock(datetime.fromisoformat("2026-03-02T09:00:00+00:00"))
    from tests.workflows.test_direct_payment_agreement import user

    chase = instances.start_instance("direct_payment_agreement", "P100234", {}, user("fa"))
    set_clock(datetime.fromisoformat("2026-03-05T11:00:00+00:00"))
    instances.deliver_message(chase.id, "paperwork_received", {"channel": "post"}, user("fa"))
    db.session.commit()
    return chase


def test_assistant_validates_a_returned_agreement_and_it_reaches_the_officer(
        returned_agreement, live_url, page):
    page.goto(f"{live_url}/sign-in")
    assert axe_violations(page) == []
    sign_in(page, live_url, "fa", PASSWORD)
    page.click("a:has-text(\"My team's tasks\")")
    row = page.locator("tr[data-task='validate_agreement']")
    expect(row).to_have_count(1)
    assert "Alice Example" in row.inner_text()
    assert axe_violations(page) == []
    screenshot(page, "inbox")
    row.locator("button:has-text('Take')").click()
    # Taken, the assistant is on the task itself, not back in a list it has left.
    expect(page.locator("body")).to_contain_text("You have taken this task")
    expect(page.locator("h1")).to_contain_text("Validate the returned agreement")
    # The diagram is drawn with this task outlined.
    expect(page.locator(".app-bpmn-viewer[data-bpmn-state='ready']")).to_have_count(1)
    expect(page.locator(".djs-element.highlight[data-element-id='validate_agreement']")
           ).to_have_count(1)

    # A wrong value: a signing date that does not exist (31 February).
    page.check("#signatures_complete")          # Yes
    page.check("#dedicated_account")            # Yes
    page.check("#contribution_set_up")          # Yes
    page.fill("#recipient_signed_on-day", "31")
    page.fill("#recipient_signed_on-month", "2")
    page.fill("#recipient_signed_on-year", "2026")
    page.fill("#missing_items", "Waiting for the bank letter")
    page.click("button:has-text('Complete')")
    expect(page.locator(".govuk-error-summary")).to_contain_text("There is a problem")
    expect(page.locator("#recipient_signed_on-error")).to_contain_text(
        "Date the recipient signed the agreement must be a real date")
    assert page.input_value("#recipient_signed_on-day") == "31"      # the values are kept
    assert page.input_value("#recipient_signed_on-month") == "2"
    assert page.is_checked("#signatures_complete") and page.is_checked("#contribution_set_up")
    assert page.input_value("#missing_items") == "Waiting for the bank letter"
    assert axe_violations(page) == []
    screenshot(page, "task-form-with-error")
    page.click(".govuk-error-summary a")  # the summary takes you to the first date box
    expect(page.locator("#recipient_signed_on-day")).to_be_focused()

    page.fill("#recipient_signed_on-day", "28")
    page.click("button:has-text('Complete')")
    expect(page.locator("body")).to_contain_text("Completed: Validate the returned agreement")

    page.click("button:has-text('Sign out')")
    sign_in(page, live_url, "fo", PASSWORD)
    page.click("a:has-text(\"My team's tasks\")")
    expect(page).to_have_url(re.compile(r"tab=team"))
    expect(page.locator("tr[data-task='countersign_agreement']")).to_have_count(1)


def test_search_by_postcode_opens_the_case_page_with_its_timeline(returned_agreement, live_url,
                                                                  page):
    sign_in(page, live_url, "fa", PASSWORD)
    page.click("a:has-text('Find a person')")
    page.fill("#postcode", "EX1 2AB")
    page.click("button:has-text('Search')")
    assert axe_violations(page) == []
    screenshot(page, "search")
    page.click("a:has-text('Alice Example')")
    expect(page.locator("h1")).to_have_text("Alice Example")
    page.click(".moj-sub-navigation a:has-text('History')")
    expect(page.locator(".moj-timeline")).to_be_visible()
    page.click(".moj-sub-navigation a:has-text('Notes and documents')")
    page.fill("#note", "Daughter rang: the bank letter is in the post")
    page.click("button:has-text('Add note')")
    expect(page.locator(".app-note")).to_have_text("Daughter rang: the bank letter is in the post")
    assert axe_violations(page) == []
    screenshot(page, "case")
    page.click(".moj-sub-navigation a:has-text('History')")
    expect(page.locator(".moj-timeline")).to_contain_text("Note added")


def test_an_assistant_cannot_open_another_teams_case(returned_agreement, live_url, page):
    sign_in(page, live_url, "fa", PASSWORD)
    response = page.goto(f"{live_url}/people/P200999")
    assert response.status == 403
    assert "You cannot open this page" in page.inner_text("h1")


def test_a_manager_pages_through_all_open_tasks_and_counts_them(staff, live_url, page,
                                                                 monkeypatch):
    from app.services.inbox import task_list
    from tests.integration.test_inbox_service import add_tasks

    monkeypatch.setattr(task_list, "COUNT_CAP", 20)  # 30 tasks is "more than" in this test
    tasks = add_tasks(dp_person(), [None] + list(range(29)))
    sign_in(page, live_url, "fm", PASSWORD)
    page.click("a:has-text('All open tasks')")
    expect(page.locator("[data-count='all']")).to_have_text("More than 20")
    expect(page.locator("#result-count")).to_have_text("More than 20 open tasks. Count them all")
    page.select_option("#sort", "due_desc")
    page.click("button:has-text('Apply filters')")
    rows, titles = page.locator("tbody tr"), page.locator("tbody tr td:nth-child(2)")
    expect(rows).to_have_count(25)
    expect(titles.first).to_have_text(tasks[0].title)  # no due date: first when latest first
    page.click(".govuk-pagination__next a")
    expect(page).to_have_url(re.compile(r"sort=due_desc.*cursor=|cursor=.*sort=due_desc"))
    expect(rows).to_have_count(5)
    expect(titles.last).to_have_text(tasks[1].title)
    expect(page.locator(".govuk-pagination__next")).to_have_count(0)
    assert axe_violations(page) == []
    screenshot(page, "inbox-next-page")
    page.click(".govuk-pagination__prev a")
    expect(titles).to_have_text([tasks[0].title] + [t.title for t in tasks[:5:-1]])
    expect(page.locator(".govuk-pagination__prev")).to_have_count(0)
    page.click("a:has-text('Count them all')")
    expect(page.locator("#result-count")).to_have_text("30 open tasks")
