"""The measured defects are gone: a first payment date in the past no longer reaches the
confirmation letter, and "will pay" needs its promised date (issue 19, "Dates that make sense").
On SQLite and PostgreSQL; the clock is frozen at 2 March 2026 (tests/conftest.py)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from app.models import HumanTask, Letter
from app.services.inbox import task_actions
from app.services.processes import instances
from tests.dp_helpers import dp_person, returned_agreement
from tests.workflows.debt_helpers import (
    add_invoice,
    debt_of,
    open_tasks,
    person_account,
    sweep,
    user,
)

from .api_helpers import error_of, fresh, open_case, task_named
from .test_web_pages import csrf, signed_in


def letters() -> int:
    fresh()
    return db.session.scalar(select(func.count()).select_from(Letter))


def _at_countersigning(as_user) -> tuple[object, int]:
    fa, fo = as_user("fa"), as_user("fo")
    instance = open_case(fa, "P100234")
    fa.post(f"/instances/{instance['id']}/messages/paperwork_received", json={})
    validate = task_named(fa, instance["id"], "validate_agreement")
    assert fa.post(f"/tasks/{validate['id']}/complete", json={"data": {
        "signatures_complete": True, "dedicated_account": True,
        "contribution_set_up": True, "recipient_signed_on": "2026-03-02"}}).status_code == 200
    return fo, task_named(fo, instance["id"], "countersign_agreement")["id"]


def test_a_first_payment_date_in_the_past_is_refused_and_no_letter_is_made(as_user):
    fo, task_id = _at_countersigning(as_user)
    before = letters()
    error = error_of(fo.post(f"/tasks/{task_id}/complete", json={"data": {
        "first_payment_date": "2020-01-01", "countersigned": True}}), 422, "validation_failed")
    assert error["details"] == [{"field": "first_payment_date",
                                 "message": "First payment date must be today or in the future"}]
    assert fo.get(f"/tasks/{task_id}").json["status"] == "open"
    assert letters() == before
    far = fo.post(f"/tasks/{task_id}/complete", json={"data": {
        "first_payment_date": "2026-06-03", "countersigned": True}})
    assert error_of(far, 422, "validation_failed")["details"][0]["message"] == (
        "First payment date must be within the next 3 months")
    assert letters() == before
    # Today is allowed, and then the confirmation letter is made.
    assert fo.post(f"/tasks/{task_id}/complete", json={"data": {
        "first_payment_date": "2026-03-02", "countersigned": True}}).status_code == 200
    assert letters() == before + 1


def test_not_countersigned_is_refused_and_no_confirmation_letter_is_made(as_user):
    # The confirmation letter tells the person the agreement is in place: "no" cannot send it.
    fo, task_id = _at_countersigning(as_user)
    before = letters()
    error = error_of(fo.post(f"/tasks/{task_id}/complete", json={"data": {
        "first_payment_date": "2026-03-09", "countersigned": False}}), 422, "validation_failed")
    assert error["details"] == [{"field": "countersigned", "message": (
        "Countersign the agreement before you complete this task: the confirmation letter "
        "tells the person it is in place")}]
    assert fo.get(f"/tasks/{task_id}").json["status"] == "open" and letters() == before


def test_will_pay_needs_a_promised_date_in_the_next_3_months(as_user):
    account = person_account("P6001", "Margaret Ellis")
    add_invoice(account, "INV-6001", date(2026, 3, 2), "752.50")
    for day in ("2026-03-24", "2026-03-30", "2026-04-13", "2026-04-20"):
        sweep(day)  # the clock is now 20 April 2026
    task_id = open_tasks(debt_of(account))["phone_contact"].id
    db.session.commit()
    fa = as_user("fa")

    def call(**answers):
        return fa.post(f"/tasks/{task_id}/complete",
                       json={"data": {"outcome": "spoke_will_pay", **answers}})

    for answers, message in (
            ({}, "Enter the date they promised to pay"),
            ({"promised_payment_date": "2025-01-03"},
             "Promised payment date must be today or in the future"),
            ({"promised_payment_date": "2026-07-21"},
             "Promised payment date must be within the next 3 months")):
        error = error_of(call(**answers), 422, "validation_failed")
        assert error["details"] == [{"field": "promised_payment_date", "message": message}]
        assert fa.get(f"/tasks/{task_id}").json["status"] == "open"
    assert call(promised_payment_date="2026-07-20").status_code == 200


def test_the_countersigning_page_refuses_a_past_first_payment_date(staff, client):
    dp_person("P100234")
    chase, validate = returned_agreement("P100234")
    task_actions.complete(validate.id, {"signatures_complete": True, "dedicated_account": True,
                                        "contribution_set_up": True,
                                        "recipient_signed_on": "2026-03-02"}, user("fa"))
    db.session.commit()
    task_id = next(t.id for t in instances.open_tasks(chase) if t.name == "countersign_agreement")
    before = letters()
    signed_in(client, "fo")
    path = f"/tasks/{task_id}"
    response = client.post(path, data={
        "csrf_token": csrf(client, path), "action": "complete", "countersigned": "true",
        "first_payment_date-day": "1", "first_payment_date-month": "1",
        "first_payment_date-year": "2020"})
    assert response.status_code == 422
    assert 'id="first_payment_date-error"' in response.text
    assert "First payment date must be today or in the future" in response.text
    assert 'value="2020"' in response.text  # what was typed is kept
    assert letters() == before
    assert db.session.get(HumanTask, task_id).status == "open"


def test_a_debt_task_links_officers_to_where_a_plan_is_recorded(staff, client):
    # "Instalment plan agreed (record it on the debt)": the task says where.
    account = person_account("P6002", "Norman Price")
    add_invoice(account, "INV-6002", date(2026, 3, 2), "752.50")
    for day in ("2026-03-24", "2026-03-30", "2026-04-13", "2026-04-20"):
        sweep(day)
    debt = debt_of(account)
    task_id = open_tasks(debt)["phone_contact"].id
    db.session.commit()
    link = f'href="/people/P6002/debts/{debt.id}/instalment-plan"'
    assert link in signed_in(client, "fo").get(f"/tasks/{task_id}").text
    assert link not in signed_in(client.application.test_client(), "fa").get(
        f"/tasks/{task_id}").text
