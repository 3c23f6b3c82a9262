"""Log a call or contact from the case page: the record, the History, the Summary, GOV.UK errors
that change nothing, the roles and teams refused, and a double or stale form refused (409).

The clock stands at Monday 2 March 2026, 09:00 UTC (tests/conftest.py)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, ContactRecord, User
from app.services.records import contacts, people
from tests.integration.action_pages import date_boxes, open_form, signed_in, submit
from tests.integration.api_helpers import person_body

URL = "/people/P100234/contacts/new"
DEPUTY = {"name": "Jennifer Penrose", "type": "deputy", "scope": "property_and_finance",
          "address": {"lines": ["2 Low Road", "Example Town"], "postcode": "EX1 3CD"}}
WILL_PAY = {**date_boxes("contacted_on", "2 3 2026"), "contacted_time": "8:15am",
            "method": "phone_out", "with_whom": "person", "outcome": "will_pay",
            **date_boxes("promised_on", "20 3 2026"), "promised_amount": "1,250.50",
            "notes": "Will pay from her pension."}


@pytest.fixture
def case(as_user):
    response = as_user("fa").post("/people", json=person_body(representative=DEPUTY))
    assert response.status_code == 201, response.json
    return people.get_person("P100234")


def logged() -> int:
    return db.session.scalar(select(func.count()).select_from(ContactRecord)) or 0


def test_a_promise_to_pay_is_logged_and_shown(case, client):
    signed_in(client, "fa")
    response = submit(client, URL, WILL_PAY)
    assert response.status_code == 302 and response.location.endswith("/people/P100234")
    record = db.session.scalar(select(ContactRecord))
    assert (record.contacted_on.isoformat(), str(record.contacted_time), record.outcome,
            record.promised_on.isoformat(), str(record.promised_amount)) == (
        "2026-03-02", "08:15:00", "will_pay", "2026-03-20", "1250.50")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contact_logged"))
    assert event.summary == {"contact_id": record.id, "method": "phone_out",
                             "outcome": "will_pay"}
    summary = client.get("/people/P100234").text
    assert "Call logged. It is in Alice Example&#39;s history" in summary
    assert "promise to pay by 20 March 2026 shows on the Summary until that date" in summary
    assert "Recovery letters and tasks go on as planned" in summary
    assert "Phoned Alice Example: will pay £1,250.50 by 20 March 2026" in summary
    assert "£1,250.50 by 20 March 2026" in summary and "Promise to pay" in summary
    history = client.get("/people/P100234/history").text
    assert "Phoned Alice Example: will pay £1,250.50 by 20 March 2026" in history
    assert "Will pay from her pension." in history


def test_a_recorded_representative_is_named(case, client):
    signed_in(client, "fa")
    page = client.get(URL).text
    assert "Jennifer Penrose, deputy" in page and "Their representative" not in page
    rep = case.representatives[0]
    response = submit(client, URL, {**date_boxes("contacted_on", "27 2 2026"),
                                    "method": "email", "with_whom": f"representative-{rep.id}",
                                    "outcome": "disputes"})
    assert response.status_code == 302
    history = client.get("/people/P100234/history").text
    assert "Email with Jennifer Penrose, deputy: disputes the charge" in history
    assert "Promise to pay" not in client.get("/people/P100234").text


def test_a_provider_is_named_by_the_user(case, client):
    signed_in(client, "fo")
    response = submit(client, URL, {**date_boxes("contacted_on", "1 3 2026"),
                                    "method": "phone_in", "with_whom": "provider",
                                    "other_name": "Sunrise Care", "outcome": "other",
                                    "notes": "Asked about the invoice period."})
    assert response.status_code == 302
    assert "Sunrise Care (provider) phoned" in client.get("/people/P100234").text


ERRORS = [
    ({}, {"contacted_on": "Enter the date of the contact",
          "method": "Select how you were in contact",
          "with_whom": "Select who you were in contact with",
          "outcome": "Select what the outcome was"}),
    ({**WILL_PAY, **date_boxes("contacted_on", "3 3 2026")},
     {"contacted_on": "The date of the contact must be today or in the past"}),
    ({**WILL_PAY, "contacted_time": "10:30"},
     {"contacted_time": "The time of the contact must be now or in the past"}),
    ({**WILL_PAY, "contacted_time": "25:00"},
     {"contacted_time": "Time of the contact must be a real time, like 14:30 or 2:30pm"}),
    ({**WILL_PAY, **date_boxes("contacted_on", "31 2 2026")},
     {"contacted_on": "The date of the contact must be a real date"}),
    ({**WILL_PAY, "promised_on-day": "", "promised_on-month": "", "promised_on-year": ""},
     {"promised_on": "Enter the date they promised to pay by"}),
    ({**WILL_PAY, **date_boxes("promised_on", "1 3 2026")},
     {"promised_on": "The promised payment date must be today or in the future"}),
    ({**WILL_PAY, **date_boxes("promised_on", "3 6 2026")},
     {"promised_on": "The promised payment date must be within the next 3 months"}),
    ({**WILL_PAY, "promised_amount": "12.345"},
     {"promised_amount": "The amount must not have more than 2 decimal places"}),
    ({**WILL_PAY, "with_whom": "someone_else"},
     {"other_name": "Enter the name of who you were in contact with"}),
    ({**WILL_PAY, "outcome": "other", "notes": " "}, {"notes": "Enter what happened"}),
    ({**WILL_PAY, "outcome": "no_answer"},
     {"promised_on": "Give a promised payment date only when they will pay"}),
]


@pytest.mark.parametrize(("answers", "expected"), ERRORS)
def test_each_error_says_what_to_do_and_changes_nothing(case, client, answers, expected):
    signed_in(client, "fa")
    response = submit(client, URL, answers)
    assert response.status_code == 422
    for field, message in expected.items():
        assert message in response.text, field
        assert f'href="#{field}' in response.text
    assert logged() == 0


def test_the_last_day_of_the_three_months_is_accepted(case, client):
    signed_in(client, "fa")
    response = submit(client, URL, {**WILL_PAY, **date_boxes("promised_on", "2 6 2026")})
    assert response.status_code == 302 and logged() == 1


@pytest.mark.parametrize("username", ["cw", "cm", "legal"])
def test_other_roles_are_refused_and_see_no_link(case, client, username):
    signed_in(client, username)
    assert client.get(URL).status_code == 403
    assert client.post(URL, data=WILL_PAY).status_code in (400, 403)
    summary = client.get("/people/P100234")
    assert summary.status_code == 200 and "Log a call or contact" not in summary.text
    assert "No contact logged yet." in summary.text


def test_finance_staff_see_the_link(case, client):
    signed_in(client, "fa")
    assert f'href="{URL}"' in client.get("/people/P100234").text


def test_another_teams_case_is_refused(case, client):
    signed_in(client, "fa_south")
    assert client.get(URL).status_code == 403
    token = open_form(client, "/people")["csrf_token"]  # the header's sign-out form has one
    assert client.post(URL, data={**WILL_PAY, "csrf_token": token}).status_code == 403
    assert logged() == 0


def test_a_double_submission_changes_nothing_the_second_time(case, client):
    signed_in(client, "fa")
    form = open_form(client, URL)
    assert submit(client, URL, WILL_PAY, form=form).status_code == 302
    again = submit(client, URL, WILL_PAY, form=form)
    assert again.status_code == 409
    # The first post changed what the page showed; the second is told it was submitted, not
    # that someone else changed the case.
    assert "You have already submitted this form" in again.text
    assert logged() == 1


def test_a_stale_submission_changes_nothing(case, client):
    signed_in(client, "fa")
    form = open_form(client, URL)
    fo = db.session.scalar(select(User).where(User.username == "fo"))
    contacts.log_contact(case, contacts.ContactIn(
        contacted_on=case_today(), method="phone_out", with_whom="person",
        outcome="no_answer"), fo)
    stale = submit(client, URL, WILL_PAY, form=form)
    assert stale.status_code == 409
    assert "This case changed while you were on this page" in stale.text
    assert logged() == 1


def case_today():
    from app import clock

    return clock.today()


def test_the_api_logs_a_contact_and_refuses_the_same_nonsense(case, as_user):
    api = as_user("fa")
    body = {"contacted_on": "2026-03-02", "method": "phone_out", "with_whom": "person",
            "outcome": "will_pay", "promised_on": "2025-01-03"}
    refused = api.post("/people/P100234/contacts", json=body)
    assert refused.status_code == 422
    assert {"field": "promised_on",
            "message": "The promised payment date must be today or in the future"} in \
        refused.json["error"]["details"]
    no_date = api.post("/people/P100234/contacts", json={**body, "promised_on": None})
    assert no_date.status_code == 422 and logged() == 0
    made = api.post("/people/P100234/contacts",
                    json={**body, "promised_on": "2026-04-01", "promised_amount": "40.00"})
    assert made.status_code == 201, made.json
    assert made.json["promised_amount"] == "40.00"
    listed = api.get("/people/P100234/contacts").json
    assert listed["total"] == 1 and listed["items"][0]["outcome"] == "will_pay"
    assert as_user("cw").post("/people/P100234/contacts", json=body).status_code == 403
    assert as_user("fa_south").get("/people/P100234/contacts").status_code in (403, 404)
