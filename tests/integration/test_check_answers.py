"""Check your answers before a step that sends a letter (issue 19, part 2): valid answers go to
a check page naming the letter and who it goes to; only "Confirm and send" completes the task,
once; Change goes back to the form with the answers kept; other tasks complete as before.
On SQLite and PostgreSQL; the clock is frozen at 2 March 2026 (tests/conftest.py)."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import HumanTask, Letter
from app.services.inbox import task_actions
from app.services.processes import instances
from tests.dp_helpers import dp_person, returned_agreement
from tests.workflows.debt_helpers import user

from .test_web_pages import csrf, signed_in

ALL_THERE = {"signatures_complete": "true", "dedicated_account": "true",
             "contribution_set_up": "true", "recipient_signed_on-day": "2",
             "recipient_signed_on-month": "3", "recipient_signed_on-year": "2026"}
COUNTERSIGNED = {"first_payment_date-day": "9", "first_payment_date-month": "3",
                 "first_payment_date-year": "2026", "countersigned": "true"}


def letters() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Letter))


def task(task_id: int) -> HumanTask:
    db.session.expire_all()
    return db.session.get(HumanTask, task_id)


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


@pytest.fixture
def validation(staff):
    """Alice Example's returned agreement, its validation task open."""
    dp_person("P100234")
    _, validate = returned_agreement("P100234")
    return validate.id


@pytest.fixture
def countersigning(validation):
    """The agreement validated, the countersigning task open."""
    task_actions.complete(validation, {"signatures_complete": True, "dedicated_account": True,
                                       "contribution_set_up": True,
                                       "recipient_signed_on": "2026-03-02"}, user("fa"))
    db.session.commit()
    chase = task(validation).instance
    return next(t.id for t in instances.open_tasks(chase) if t.name == "countersign_agreement")


def _post(client, task_id: int, answers: dict, action: str = "complete"):
    path = f"/tasks/{task_id}"
    return client.post(path, data={"csrf_token": csrf(client, path), "action": action,
                                   **answers})


def _confirm(client, task_id: int, token: str):
    return client.post(f"/tasks/{task_id}/check", data={
        "csrf_token": csrf(client, f"/tasks/{task_id}"), "answers": token})


def _token(page: str) -> str:
    return re.search(r'name="answers" value="([0-9a-f]+)"', page).group(1)


def test_a_letter_step_shows_its_check_page_and_sends_only_on_confirm(countersigning, client):
    signed_in(client, "fo")
    before = letters()
    answered = _post(client, countersigning, COUNTERSIGNED)
    assert answered.status_code == 303
    assert answered.location == f"/tasks/{countersigning}/check"
    assert letters() == before and task(countersigning).status == "open"

    page = client.get(answered.location)
    assert page.status_code == 200
    text = _text(page.text)
    assert "Check your answers before sending the letter" in text
    assert "First payment date 9 March 2026" in text
    assert "Has the council countersigned the agreement? Yes" in text
    assert ("Confirmation — direct payment agreement to Alice Example" in text)
    assert f'href="/tasks/{countersigning}#first_payment_date-day"' in page.text
    assert f'href="/tasks/{countersigning}#countersigned"' in page.text
    assert "Confirm and send" in text
    assert letters() == before  # looking sends nothing

    done = _confirm(client, countersigning, _token(page.text))
    assert done.status_code == 302
    assert letters() == before + 1
    assert task(countersigning).status == "completed"
    assert task(countersigning).outcome == {"first_payment_date": "2026-03-09",
                                            "countersigned": True}


def test_a_second_confirmation_sends_nothing_more(countersigning, client):
    signed_in(client, "fo")
    _post(client, countersigning, COUNTERSIGNED)
    token = _token(client.get(f"/tasks/{countersigning}/check").text)
    assert _confirm(client, countersigning, token).status_code == 302
    sent = letters()
    again = _confirm(client, countersigning, token)
    assert again.status_code == 409
    assert "This task was already completed, so nothing was sent again" in again.text
    assert letters() == sent
    # The check page of a completed task is the task's own page, with what was recorded.
    assert client.get(f"/tasks/{countersigning}/check").location == f"/tasks/{countersigning}"


def test_a_stale_confirmation_changes_nothing(countersigning, client):
    signed_in(client, "fo")
    _post(client, countersigning, COUNTERSIGNED)
    stale = _token(client.get(f"/tasks/{countersigning}/check").text)
    # Changed in another tab: a later first payment date is checked there.
    _post(client, countersigning, {**COUNTERSIGNED, "first_payment_date-day": "16"})
    fresh = _token(client.get(f"/tasks/{countersigning}/check").text)
    before = letters()
    refused = _confirm(client, countersigning, stale)
    assert refused.status_code == 409
    assert "The answers changed after you checked them, so nothing was sent" in refused.text
    assert letters() == before and task(countersigning).status == "open"
    assert _confirm(client, countersigning, fresh).status_code == 302
    assert task(countersigning).outcome["first_payment_date"] == "2026-03-16"
    assert letters() == before + 1


def test_change_goes_back_to_the_form_with_the_answers_kept(countersigning, client):
    signed_in(client, "fo")
    _post(client, countersigning, COUNTERSIGNED)
    form = client.get(f"/tasks/{countersigning}").text
    assert re.search(r'id="first_payment_date-day"[^>]*value="9"', form)
    assert re.search(r'id="first_payment_date-year"[^>]*value="2026"', form)
    assert re.search(r'id="countersigned"[^>]*value="true" checked', form)


def test_wrong_answers_never_reach_the_check_page(countersigning, client):
    signed_in(client, "fo")
    before = letters()
    refused = _post(client, countersigning, {**COUNTERSIGNED, "first_payment_date-year": "2020"})
    assert refused.status_code == 422
    assert "First payment date must be today or in the future" in refused.text
    assert task(countersigning).draft is None  # nothing kept to confirm
    assert client.get(f"/tasks/{countersigning}/check").status_code == 302
    assert _confirm(client, countersigning, "0" * 64).status_code == 409
    assert letters() == before and task(countersigning).status == "open"


def test_a_task_that_sends_no_letter_completes_at_once(validation, client):
    signed_in(client, "fa")
    done = _post(client, validation, ALL_THERE)
    assert done.status_code == 302 and "/check" not in done.location
    assert task(validation).status == "completed"


def test_the_answers_decide_whether_a_letter_is_sent(validation, client):
    """Validation sends the "information missing" letter only when something is missing."""
    signed_in(client, "fa")
    before = letters()
    answered = _post(client, validation, {**ALL_THERE, "dedicated_account": "false",
                                          "missing_items": "The bank letter"})
    assert answered.status_code == 303
    text = _text(client.get(answered.location).text)
    assert "Information missing — direct payment agreement to Alice Example" in text
    assert "What is missing The bank letter" in text
    assert letters() == before and task(validation).status == "open"


def test_the_api_is_not_held_by_the_check_page(countersigning, as_user):
    fo = as_user("fo")
    before = letters()
    assert fo.post(f"/tasks/{countersigning}/complete", json={"data": {
        "first_payment_date": "2026-03-09", "countersigned": True}}).status_code == 200
    assert letters() == before + 1


def test_every_step_said_to_send_a_letter_names_a_real_step_and_letter():
    from app.letters.catalogue import TEMPLATES
    from app.services.inbox.letter_preview import LEGAL_STEP_LETTERS, TEMPLATE_HANDLERS
    from app.tasks import HANDLERS
    from app.tasks.debts import LEGAL_STEPS

    assert set(LEGAL_STEP_LETTERS) <= set(LEGAL_STEPS)
    assert set(LEGAL_STEP_LETTERS.values()) <= set(TEMPLATES)
    assert TEMPLATE_HANDLERS <= set(HANDLERS)
