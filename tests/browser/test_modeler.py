"""Issue 8's modeler walk: a manager changes a timer to a 5-day duration and a task's name in
the properties panel, saves the draft, removes a task's role and sees it marked with the
server's message, restores it and publishes; new cases run the new version while a running one
keeps the old; the change view lists the two changes. An assistant cannot open the modeler."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import ProcessInstance
from app.services.processes import instances
from tests.conftest import PASSWORD, set_clock
from tests.dp_helpers import dp_person

from .conftest import axe_violations, screenshot, sign_in

MODELER = "/processes/direct_payment_agreement/modeler"


@pytest.fixture
def running_case(staff):
    from tests.workflows.test_direct_payment_agreement import user

    for reference in ("P1", "P2"):
        dp_person(reference, f"Person {reference}")
    set_clock(datetime.fromisoformat("2026-03-02T09:00:00+00:00"))
    running = instances.start_instance("direct_payment_agreement", "P1", {}, user("fa"))
    db.session.commit()
    return running.id


def select_element(page, element_id: str) -> None:
    """Select the element (as a click on it does) and wait for the panel to show it."""
    page.evaluate("""id => {
        const modeler = window.caseworkModeler;
        modeler.get('selection').select(modeler.get('elementRegistry').get(id));
    }""", element_id)
    open_group(page, "General")
    expect(page.locator("#bio-properties-panel-id")).to_have_value(element_id)


def open_group(page, name: str) -> None:
    header = page.locator(".bio-properties-panel-group-header", has_text=name).first
    if "open" not in (header.get_attribute("class") or ""):
        header.click()


def save(page) -> None:
    page.click("#save-draft")
    expect(page.locator("#modeler-status")).to_contain_text("Draft saved")


def test_manager_changes_saves_fixes_and_publishes(running_case, live_url, page):
    sign_in(page, live_url, "fm", PASSWORD)
    page.click("a:has-text('Processes')")
    expect(page.locator("tr[data-process='direct_payment_agreement']")).to_contain_text(
        re.compile(r"Version 1, published \d+ \w+ \d{4}: 1 running case\b"))
    assert axe_violations(page) == []
    screenshot(page, "processes")
    page.goto(live_url + MODELER)
    expect(page.locator("#modeler[data-modeler-state='ready']")).to_have_count(1)

    # A task's name, in the panel's General group.
    select_element(page, "validate_agreement")
    open_group(page, "General")
    page.fill("#bio-properties-panel-name", "Check the returned agreement")
    page.keyboard.press("Tab")
    # A timer: a 5-day duration, its type set to Duration.
    select_element(page, "reminder_1_due")
    open_group(page, "Timer")
    page.select_option("#bio-properties-panel-timerEventDefinitionType", "timeDuration")
    page.fill("#bio-properties-panel-timerEventDefinitionValue", "P5D")
    page.keyboard.press("Tab")
    save(page)
    expect(page.locator("#modeler")).to_have_attribute("data-problems", "0")

    # A task without a role: marked, with the server's message.
    select_element(page, "validate_agreement")
    open_group(page, "User assignment")
    page.fill("#bio-properties-panel-candidateGroups", "")
    page.keyboard.press("Tab")
    save(page)
    expect(page.locator("#modeler")).to_have_attribute("data-problems", "1")
    expect(page.locator(".djs-element.has-problem[data-element-id='validate_agreement']")
           ).to_have_count(1)
    expect(page.locator("#problems")).to_contain_text("role")
    expect(page.locator("#publish")).to_be_disabled()
    assert axe_violations(page) == []
    screenshot(page, "modeler-with-a-problem")

    page.fill("#bio-properties-panel-candidateGroups", "finance_assistant")
    page.keyboard.press("Tab")
    save(page)
    expect(page.locator("#modeler")).to_have_attribute("data-problems", "0")
    page.click("#publish")
    expect(page).to_have_url(re.compile(r"/processes/direct_payment_agreement\?published=2"))

    # New cases start on version 2; the running one stays on version 1.
    from tests.workflows.test_direct_payment_agreement import user

    db.session.expire_all()
    new = instances.start_instance("direct_payment_agreement", "P2", {}, user("fa"))
    db.session.commit()
    old = db.session.get(ProcessInstance, running_case)
    assert (old.version.number, new.version.number) == (1, 2)
    assert old.status == "active"  # still waiting on version 1's timer

    page.goto(f"{live_url}/processes/direct_payment_agreement/changes?from=1&to=2")
    items = page.locator("#change-list li")
    expect(items).to_have_count(2)
    text = page.inner_text("#change-list")
    assert "Check the returned agreement" in text and "after P5D" in text
    # Both diagrams are drawn with the two changed elements outlined.
    expect(page.locator(".app-bpmn-viewer[data-bpmn-state='ready']")).to_have_count(2)
    expect(page.locator(".djs-element.highlight[data-element-id='reminder_1_due']")
           ).to_have_count(2)
    expect(page.locator(".djs-element.highlight[data-element-id='validate_agreement']")
           ).to_have_count(2)


def test_an_assistant_cannot_open_the_modeler(running_case, live_url, page):
    sign_in(page, live_url, "fa", PASSWORD)
    assert page.goto(live_url + MODELER).status == 403


def test_a_kept_element_renamed_in_the_panel_cannot_be_published(running_case, live_url, page):
    sign_in(page, live_url, "fm", PASSWORD)
    page.goto(live_url + MODELER)
    expect(page.locator("#modeler[data-modeler-state='ready']")).to_have_count(1)
    # The elements the service relies on carry a badge, and the page says why.
    expect(page.locator(".load-bearing-badge")).to_have_count(8)
    expect(page.locator("#load-bearing")).to_contain_text(
        "Validate the returned agreement (validate_agreement): the check that the date the "
        "recipient signed is not in the future is attached to it")

    select_element(page, "validate_agreement")
    page.fill("#bio-properties-panel-id", "check_agreement")
    page.keyboard.press("Tab")
    save(page)
    expect(page.locator("#modeler")).to_have_attribute("data-problems", "1")
    expect(page.locator(".djs-element.has-problem[data-element-id='check_agreement']")
           ).to_have_count(1)
    expect(page.locator("#problems")).to_contain_text("must keep its id validate_agreement")
    expect(page.locator("#publish")).to_be_disabled()
    assert axe_violations(page) == []
    screenshot(page, "modeler-kept-element-renamed")

    select_element(page, "check_agreement")
    page.fill("#bio-properties-panel-id", "validate_agreement")
    page.keyboard.press("Tab")
    save(page)
    expect(page.locator("#modeler")).to_have_attribute("data-problems", "0")
    expect(page.locator("#publish")).to_be_enabled()
