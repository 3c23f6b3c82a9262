"""Issue 8's operations walk: a step that failed shows as an incident with its error; once the
cause is removed, Retry completes the step. Processes and operations pages pass axe-core."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import InstanceStatus
from app.services import settings
from app.services.processes import instances
from tests.conftest import PASSWORD
from tests.workflows.debt_helpers import open_tasks, person_account, user
from tests.workflows.legal_helpers import decide_letter_of_claim, ladder_to_decision

from .conftest import axe_violations, screenshot, sign_in


@pytest.fixture
def failed_letter_of_claim(staff):
    """The Letter of Claim step fails: its enclosures still hold placeholder text."""
    debt = decide_letter_of_claim(ladder_to_decision(person_account(), "3250.00", "2026-04-01"))
    instance = instances.get_instance(debt.instance_id)
    assert instance.status == InstanceStatus.INCIDENT
    db.session.commit()
    return debt


def test_an_incident_is_shown_and_retried_once_its_cause_is_gone(failed_letter_of_claim,
                                                                 live_url, page):
    sign_in(page, live_url, "fm", PASSWORD)
    page.click("a:has-text('Operations')")
    row = page.locator("tr[data-incident='prepare_letter_of_claim']")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("placeholder")
    expect(row).to_contain_text("Prepare the Letter of Claim")  # the step's name, not its id
    expect(row).not_to_contain_text("legal_step")  # nor its handler (docs/content.md)
    expect(row).to_contain_text("person id")  # the case by name and person id
    assert axe_violations(page) == []
    screenshot(page, "operations")

    # The cause goes (demo switch: the placeholders may be printed), then Retry.
    settings.change("allow_placeholder_enclosures", True, user("admin"))
    db.session.commit()
    row.locator("button:has-text('Retry')").click()
    expect(page.locator("body")).to_contain_text("the step completed")
    expect(page.locator("tr[data-incident]")).to_have_count(0)

    db.session.expire_all()
    debt = failed_letter_of_claim
    assert instances.get_instance(debt.instance_id).status == InstanceStatus.ACTIVE
    assert "approve_letter_of_claim" in open_tasks(debt)


def test_an_assistant_cannot_open_operations(failed_letter_of_claim, live_url, page):
    sign_in(page, live_url, "fa", PASSWORD)
    assert page.goto(f"{live_url}/operations").status == 403


def test_a_route_is_chosen_for_a_case_stopped_at_overlapping_conditions(staff, tmp_path,
                                                                        live_url, page):
    from tests.integration.test_route_choice import stop_at_overlapping_conditions

    instance_id = stop_at_overlapping_conditions(tmp_path)
    db.session.commit()
    sign_in(page, live_url, "fm", PASSWORD)
    page.goto(f"{live_url}/operations")
    row = page.locator("tr[data-incident='outcome']")
    expect(row).to_contain_text("more than one route was possible")
    expect(row.locator("legend")).to_have_text(
        "Which route does the work for Test Person (person id P-R) take?")
    assert axe_violations(page) == []
    screenshot(page, "operations-choose-a-route")
    row.get_by_label("Review").check()
    row.locator("button:has-text('Take this route')").click()
    expect(page.locator("body")).to_contain_text("has taken the route you chose")
    db.session.expire_all()
    assert [t.name for t in instances.open_tasks(instances.get_instance(instance_id))] == [
        "review"]
