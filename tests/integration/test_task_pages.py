"""Task pages show what the task needs and what was recorded: the person's contact details, a
debt's invoices and letters, a completed task's answers with who and when, and on the next task
what the earlier ones recorded."""
from __future__ import annotations

import re
from datetime import date

import pytest

from app.extensions import db
from tests.integration.test_web_pages import csrf, signed_in
from tests.workflows.debt_helpers import add_invoice, debt_of, open_tasks, person_account, sweep


@pytest.fixture
def phone_task(staff):
    """Margaret Ellis's debt at its phone call (due 22 April 2026)."""
    account = person_account("P6001", "Margaret Ellis")
    add_invoice(account, "INV-6001", date(2026, 3, 2), "752.50")
    for day in ("2026-03-24", "2026-03-30", "2026-04-13", "2026-04-20"):
        sweep(day)
    debt = debt_of(account)
    return account, open_tasks(debt)["phone_contact"].id


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _complete_call(client, task_id: int):
    path = f"/tasks/{task_id}"
    return client.post(path, data={
        "csrf_token": csrf(client, path), "action": "complete", "outcome": "spoke_will_pay",
        "promised_payment_date-day": "30", "promised_payment_date-month": "4",
        "promised_payment_date-year": "2026", "call_notes": "Pays on payday"})


def test_a_debt_phone_task_shows_contact_invoices_and_letters(phone_task, client):
    _, task_id = phone_task
    page = _text(signed_in(client, "fa").get(f"/tasks/{task_id}").text)
    assert "Contact details for Margaret Ellis" in page
    assert "INV-6001" in page and "£752.50" in page
    assert "Reminder — overdue care charges" in page and "Final demand" in page
    assert "Debt 1" not in page and "Claimed by fa" not in page


def test_a_completed_task_shows_its_answers_who_and_when_and_is_not_overdue(phone_task,
                                                                          client):
    account, task_id = phone_task
    response = _complete_call(signed_in(client, "fa"), task_id)
    assert response.status_code == 302, response.text
    sweep("2026-05-01")  # well past the call's due date
    page = _text(client.get(f"/tasks/{task_id}").text)
    assert "What was recorded" in page
    assert "Outcome of the call Spoke to them: will pay" in page
    assert "Promised payment date 30 April 2026" in page
    assert "Completed by Fa on 20 April 2026" in page
    assert "Overdue" not in page and "This task is completed" not in page


def test_the_next_task_shows_what_the_call_recorded(phone_task, client):
    account, task_id = phone_task
    _complete_call(signed_in(client, "fa"), task_id)
    sweep("2026-05-01")
    checklist = open_tasks(debt_of(account))["pre_legal_checklist"]
    db.session.commit()
    client.post("/sign-out", data={"csrf_token": csrf(client, "/")})
    page = _text(signed_in(client, "fo").get(f"/tasks/{checklist.id}").text)
    assert "What was recorded before" in page
    assert "Phone the person about the overdue charges" in page
    assert "Promised payment date 30 April 2026" in page and "By Fa on 20 April 2026" in page


QUERY_LINK = '<a class="govuk-link app-record-query" href="/people/P6001/queries/new">' \
             'Record an invoice query</a>'


@pytest.mark.parametrize("username", ["fa", "fo", "fm"])
def test_a_debt_task_offers_finance_staff_to_record_an_invoice_query(phone_task, client,
                                                                     username):
    _, task_id = phone_task
    page = signed_in(client, username).get(f"/tasks/{task_id}")
    assert page.status_code == 200
    assert QUERY_LINK in page.text


def test_those_who_cannot_resolve_queries_see_no_link_to_record_one(phone_task, client):
    _, task_id = phone_task
    page = signed_in(client, "admin").get(f"/tasks/{task_id}")
    assert page.status_code == 200  # an admin reads every task
    assert "Record an invoice query" not in page.text
