"""Issue 8's operations walk: a step that failed shows as an incident with its error; once the
cause is removed, Retry completes the step. Processes and operations pages pass axe-core."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import InstanceStatus
from app.services import instances, settings
from tests.conftest import PASSWORD
from tests.workflows.debt_helpers import open_tasks, person_account, user
from tests.workflows.legal_helpers import decide_letter_of_claim, ladder_to_decision

from .conftest import screenshot, serious_violations, sign_in


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
    expect(row).to_contain_text("legal_step")
    assert serious_violations(page) == []
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
