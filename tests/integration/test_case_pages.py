"""The case overview: the Summary's Current work card (what happens next, from the engine's
timers and tasks), the sibling pages under one layout, and another team's case refused."""
from __future__ import annotations

import re

import pytest

from app import calendar
from app.extensions import db
from app.models.workflow import InstanceStatus
from app.services import audit
from app.services.processes import instances, next_steps
from tests.conftest import set_clock
from tests.integration.api_helpers import person_body
from tests.integration.test_web_pages import signed_in
from tests.workflows.test_direct_payment_agreement import at, chase, sweep_at, user  # noqa: F401

PAGES = ("", "/money", "/debts", "/direct-payments", "/letters", "/notes", "/history")


def timer_day(instance, element_id: str) -> str:
    due = instances.waiting_timers_of(instance)[element_id]
    return next_steps.day_in_words(calendar.to_local_date(due))


def test_a_waiting_reminder_says_when_it_is_sent_and_what_stops_it(chase):  # noqa: F811
    said = next_steps.what_happens_next(chase)
    assert said == [f"Reminder 1 will be sent on {timer_day(chase, 'reminder_1_due')} unless "
                    "the signed agreement comes back."]
    assert "Monday 16 March 2026" in said[0]


def test_after_reminder_1_the_call_and_reminder_2_are_both_said(chase):  # noqa: F811
    sweep_at("2026-03-16")
    said = next_steps.what_happens_next(chase)
    assert said == [
        "Waiting for someone in the team to take the task to phone the person about the "
        "agreement, due Wednesday 18 March 2026.",
        f"Reminder 2 will be sent on {timer_day(chase, 'reminder_2_due')} unless the signed "
        "agreement comes back."]


def test_a_returned_agreement_names_who_validates_it(chase):  # noqa: F811
    from app.services.inbox import task_actions

    set_clock(at("2026-03-04", "10:00"))
    instances.deliver_message(chase.id, "paperwork_received", {}, user("fa"))
    task = instances.open_tasks(chase)[0]
    task_actions.claim(task.id, user("fa"))
    said = next_steps.what_happens_next(chase)
    assert len(said) == 1 and said[0].startswith("Waiting for Fa to validate the returned "
                                                  "agreement, due ")


def hold(instance, reason: str) -> None:
    """Hold the instance as a guard's handler does: its status and a `step_held` event."""
    instance.status = InstanceStatus.HELD
    audit.record("step_held", actor=None, person_id=instance.person_id,
                 instance_id=instance.id, element_id="send_reminder_1",
                 summary={"reason": reason})
    db.session.commit()


def test_a_held_process_says_why(chase):  # noqa: F811
    hold(chase, "a Breathing Space protects the person until 1 May 2026")
    assert next_steps.what_happens_next(chase)[0] == (
        "On hold: a Breathing Space protects the person until 1 May 2026.")


def test_every_case_page_shows_the_layout_and_marks_itself(chase, client):  # noqa: F811
    signed_in(client, "fa")
    for path in PAGES:
        page = client.get(f"/people/P100234{path}")
        assert page.status_code == 200, path
        text = page.text
        assert "Alice Example" in text and "Person id P100234" in text
        current = re.findall(r'href="([^"]+)"\s*aria-current="page"', text)
        assert current == [f"/people/P100234{path}"], path
        for word in ("version 1", "reminder_1_due", "Debt 1", ">fa<"):
            assert word not in text, (path, word)


def test_the_summary_leads_with_current_work_and_contact_details(chase, client):  # noqa: F811
    signed_in(client, "fa")
    sweep_at("2026-03-16")
    text = client.get("/people/P100234").text
    assert text.index("Current work") < text.index("Contact details for Alice Example")
    assert "Phone the person about the agreement" in text and "Not yet taken" in text
    assert "Wednesday 18 March 2026" in text
    assert f"Reminder 2 will be sent on {timer_day(chase, 'reminder_2_due')}" in text
    assert "Nothing holds recovery." in text


def test_a_hold_is_named_on_the_summary(chase, client):  # noqa: F811
    hold(chase, "a Breathing Space protects the person until 1 May 2026")
    signed_in(client, "fa")
    text = client.get("/people/P100234").text
    assert "On hold: a Breathing Space protects the person until 1 May 2026." in text


@pytest.mark.parametrize("path", PAGES)
def test_another_teams_case_pages_are_refused(chase, client, path):  # noqa: F811
    signed_in(client, "fa_south")
    assert client.get(f"/people/P100234{path}").status_code == 403


def test_the_summary_shows_how_to_reach_the_person_and_their_representative(as_user, client):
    body = person_body("P700", phone="01632 960 418", contact_preference="phone",
                       accessible_format="large_print", representative={
                           "name": "Jennifer Penrose", "type": "deputy",
                           "scope": "property_and_finance", "phone": "0118 496 0732",
                           "email": "jp@example.org", "contact_preference": "email",
                           "address": {"lines": ["3 Station Road"], "postcode": "RG1 1AA"}})
    assert as_user("fo").post("/people", json=body).status_code == 201
    page = signed_in(client, "fa").get("/people/P700").get_data(as_text=True)
    for shown in ("01632 960 418", "Large print", "0118 496 0732", "jp@example.org",
                  "Deputy appointed by the Court of Protection"):
        assert shown in page, shown
