"""The action pages for debts and people: record an instalment plan (after checking its
payments), a Breathing Space notice, its end or cancellation, and a death.

On the case of test_debts_api: INV-1001 (£412.50, due 23 Mar) overdue, reminder 1 sent on
Mon 30 Mar 2026, the clock at 07:30 that day. Each page refuses a wrong role (403) and another
team's case; each error is worded as GOV.UK words it and changes nothing (`snapshot`); a double
or stale submission is 409 and changes nothing.
"""
from __future__ import annotations

import re
from datetime import date

import pytest

from app.extensions import db
from app.models import BreathingSpace, DebtCase, InstalmentPlan, Letter, Person
from tests.conftest import add_user
from tests.integration.action_pages import date_boxes, open_form, signed_in, submit
from tests.integration.test_debts_api import Case, case_of, snapshot
from tests.workflows.debt_helpers import add_invoice, letters, person_account, sweep

from .api_helpers import count, error_of, fields_of, fresh

_ALL_HIDDEN = re.compile(r'<input type="hidden" name="([a-z_-]+)" value="([^"]*)">')
PLAN = {"amount": "100.00", "frequency": "monthly", **date_boxes("first_date", "15 4 2026"),
        "method": "standing_order", "full_income_expenditure": "no"}


@pytest.fixture
def case(staff) -> Case:
    """INV-1001 (£412.50, due 23 Mar) overdue; reminder 1 sent on Mon 30 Mar 2026."""
    account = person_account()
    add_invoice(account, "INV-1001", date(2026, 3, 2), "412.50")
    sweep("2026-03-24")
    sweep("2026-03-30")
    return case_of(account)


def plan_url(case: Case) -> str:
    return f"/people/{case.reference}/debts/{case.debt_id}/instalment-plan"


def unescaped(html: str) -> str:
    return html.replace("&#39;", "'").replace("&amp;", "&").replace("&#34;", '"')


def check_page(client, case: Case, answers: dict[str, str] | None = None) -> dict[str, str]:
    """Fill in the plan's form and continue: the check page's form, answers included."""
    page = submit(client, plan_url(case), answers or PLAN)
    assert page.status_code == 200, page.text
    assert "Check the instalment plan before you record it" in page.text
    return dict(_ALL_HIDDEN.findall(page.text))


def plans() -> int:
    return count(InstalmentPlan)


# --- instalment plan ----------------------------------------------------------------------------
def test_an_officer_checks_the_payments_then_records_the_plan(client, case):
    signed_in(client, "fo")
    debts = client.get(f"/people/{case.reference}/debts").text
    assert f'href="{plan_url(case)}"' in debts
    form = client.get(plan_url(case)).text
    assert "£412.50" in form and "How often will they pay?" in form
    assert "Every two weeks" in form and "Direct Debit" in form and "Standing order" in form

    checked = submit(client, plan_url(case), PLAN)
    text = unescaped(checked.text)
    for said in ("5 payments: 4 of £100.00 and a last one of £12.50", "15 April 2026",
                 "15 August 2026", "Every month", "Standing order",
                 "A letter confirming the plan goes in today's print batch"):
        assert said in text, said
    assert plans() == 0  # nothing recorded until it is checked

    done = client.post(plan_url(case), data=dict(_ALL_HIDDEN.findall(checked.text)))
    assert done.status_code == 302 and done.location == f"/people/{case.reference}"
    summary = unescaped(client.get(done.location).text)
    assert ("Instalment plan recorded: 5 payments of £100.00 every month from 15 April 2026, "
            "the last on 15 August 2026. The letter confirming it is in today's print batch."
            ) in summary
    assert "an instalment plan is in force" in summary  # what holds recovery
    fresh()
    plan = db.session.scalar(db.select(InstalmentPlan))
    assert (plan.amount, plan.frequency, plan.first_date, plan.method,
            plan.full_income_expenditure) == (100, "monthly", date(2026, 4, 15),
                                              "standing_order", False)
    assert letters(case.person_id)[-1] == ("instalment_confirmation", date(2026, 3, 30))
    debts = unescaped(client.get(f"/people/{case.reference}/debts").text)
    assert "Paying £100.00 every month from 15 April 2026: 5 payments, the last on 15 August" \
           " 2026." in debts
    assert f'href="{plan_url(case)}"' not in debts


def test_change_on_the_check_page_brings_the_answers_back(client, case):
    signed_in(client, "fo")
    page = submit(client, plan_url(case), PLAN).text
    change = re.search(r'href="([^"#]+instalment-plan\?[^"#]+)#amount"', page).group(1)
    form = client.get(change.replace("&amp;", "&")).text
    assert 'value="100.00"' in form and 'value="15"' in form
    assert re.search(r'value="monthly"\s+checked', form)


def test_a_first_payment_date_in_the_past_is_refused_and_no_letter_is_made(client, case):
    signed_in(client, "fo")
    before = snapshot(case)
    page = submit(client, plan_url(case), {**PLAN, **date_boxes("first_date", "1 1 2020")})
    assert page.status_code == 422
    assert ("The first payment date must be today or in the future: 1 January 2020 is in the "
            "past") in page.text
    assert snapshot(case) == before


@pytest.mark.parametrize("answers, message", [
    ({}, "Enter the amount of each payment"),
    ({}, "Select how often they will pay"),
    ({}, "Enter the first payment date"),
    ({}, "Select how they will pay"),
    ({}, "Select yes if they completed a full income and expenditure form"),
    ({**PLAN, "amount": "10.005"}, "The amount of each payment must not have more than 2 "
                                   "decimal places"),
    ({**PLAN, **date_boxes("first_date", "31 2 2026")}, "The first payment date must be a real "
                                                         "date"),
    ({**PLAN, "amount": "500"}, "The instalment of £500.00 is more than the arrears of £412.50"),
    ({**PLAN, "method": "direct_debit", **date_boxes("first_date", "2 4 2026")},
     "A Direct Debit needs 10 days' advance notice: the first collection can be no earlier "
     "than 9 April 2026"),
    ({**PLAN, "amount": "10"}, "A plan longer than 12 months needs a full income and "
                               "expenditure statement with evidence"),
])
def test_each_problem_with_the_terms_is_said_and_changes_nothing(client, case, answers,
                                                                 message):
    signed_in(client, "fo")
    before = snapshot(case)
    page = submit(client, plan_url(case), answers)
    assert page.status_code == 422
    assert message in unescaped(page.text)
    assert snapshot(case) == before


def test_a_finance_assistant_has_no_plan_page_nor_link(client, case):
    signed_in(client, "fa")
    assert "Record an instalment plan" not in client.get(
        f"/people/{case.reference}/debts").text
    assert client.get(plan_url(case)).status_code == 403
    before = snapshot(case)
    form = open_form(client, bs_url(case))  # a page of theirs: a good CSRF token
    assert client.post(plan_url(case), data={**form, **PLAN}).status_code == 403
    assert snapshot(case) == before


def test_another_teams_officer_and_another_persons_debt_are_refused(client, case):
    add_user("fo_south", "finance_officer", team="South")
    signed_in(client, "fo_south")
    assert client.get(plan_url(case)).status_code == 403
    signed_in(client, "fo")
    assert client.get(f"/people/{case.reference}/debts/9999/instalment-plan"
                      ).status_code == 404


def test_a_double_submission_records_one_plan_and_one_letter(client, case):
    signed_in(client, "fo")
    checked = check_page(client, case)
    assert client.post(plan_url(case), data=checked).status_code == 302
    after = snapshot(case)
    again = client.post(plan_url(case), data=checked)
    assert again.status_code == 409
    assert "This case changed while you were on this page" in again.text
    assert snapshot(case) == after and plans() == 1


def test_a_plan_recorded_meanwhile_makes_the_open_form_stale(client, as_user, case):
    signed_in(client, "fo")
    form = open_form(client, plan_url(case))
    api = as_user("fo").post(f"/debts/{case.debt_id}/instalment-plan", json={
        "amount": "50.00", "frequency": "monthly", "first_date": "2026-04-15",
        "method": "standing_order"})
    assert api.status_code == 201
    after = snapshot(case)
    stale = submit(client, plan_url(case), PLAN, form=form)
    assert stale.status_code == 409
    assert snapshot(case) == after and plans() == 1


def test_a_change_between_the_check_and_the_record_is_refused(client, as_user, case):
    signed_in(client, "fo")
    checked = check_page(client, case)
    held = as_user("fa").put("/invoices/INV-1001/query-hold", json={"held": True})
    assert held.status_code == 200
    before = snapshot(case)
    page = client.post(plan_url(case), data=checked)
    assert page.status_code == 409 and plans() == 0
    assert snapshot(case) == before


# --- Breathing Space --------------------------------------------------------------------------
def bs_url(case: Case, action: str = "") -> str:
    return f"/people/{case.reference}/breathing-space{action}"


NOTICE = {"kind": "standard", **date_boxes("starts_on", "30 3 2026"), "reference": "BS-1"}


def open_bs() -> BreathingSpace:
    fresh()
    return db.session.scalar(db.select(BreathingSpace))


def test_an_assistant_records_a_standard_breathing_space_of_60_days(client, case):
    signed_in(client, "fa")
    summary = client.get(f"/people/{case.reference}").text
    assert f'href="{bs_url(case)}"' in summary
    form = client.get(bs_url(case)).text
    assert "Lasts 60 days" in form
    done = submit(client, bs_url(case), NOTICE)
    assert done.status_code == 302 and done.location == f"/people/{case.reference}"
    summary = unescaped(client.get(done.location).text)
    assert ("Breathing Space recorded: standard, from 30 March 2026 to 29 May 2026. Recovery "
            "of Alice Example's debts is on hold until it ends") in summary
    assert "Breathing Space: standard from 30 March 2026 to 29 May 2026" in summary  # holds
    assert "On hold: " in summary  # what happens next
    bs = open_bs()
    assert (bs.kind, bs.starts_on, bs.ends_on, bs.reference) == (
        "standard", date(2026, 3, 30), date(2026, 5, 29), "BS-1")
    assert f'href="{bs_url(case, f"/{bs.id}/end")}"' in summary
    assert f'href="{bs_url(case, f"/{bs.id}/cancel")}"' in summary
    assert f'href="{bs_url(case)}"' not in summary  # one at a time


@pytest.mark.parametrize("answers, message", [
    ({}, "Select what kind of Breathing Space it is"),
    ({}, "Enter the start date"),
    ({**NOTICE, **date_boxes("starts_on", "31 3 2026")},
     "The start date must be today or in the past"),
    ({**NOTICE, **date_boxes("ends_on", "28 5 2026")},
     "A standard Breathing Space lasts at least 60 days: the end date must be 29 May 2026 or "
     "later"),
    ({**NOTICE, "kind": "mental_health", **date_boxes("ends_on", "30 3 2026")},
     "The end date must be after the start date"),
    ({**NOTICE, "ends_on-day": "4"}, "The end date must include a month and a year"),
    ({**NOTICE, "reference": "X" * 41}, "The reference must be 40 characters or fewer"),
])
def test_each_problem_with_a_notice_is_said_and_changes_nothing(client, case, answers,
                                                                message):
    signed_in(client, "fa")
    before = snapshot(case)
    page = submit(client, bs_url(case), answers)
    assert page.status_code == 422
    assert message in unescaped(page.text)
    assert snapshot(case) == before


def test_who_may_not_record_a_breathing_space_gets_no_link_and_a_403(client, case):
    signed_in(client, "cw")
    summary = client.get(f"/people/{case.reference}").text
    assert "Record a Breathing Space" not in summary and "Record a death" not in summary
    for url in (bs_url(case), f"/people/{case.reference}/death"):
        assert client.get(url).status_code == 403
    signed_in(client, "fa_south")
    assert client.get(bs_url(case)).status_code == 403


def test_a_double_or_stale_notice_records_one_breathing_space(client, as_user, case):
    signed_in(client, "fa")
    form = open_form(client, bs_url(case))
    assert submit(client, bs_url(case), NOTICE, form=form).status_code == 302
    after = snapshot(case)
    assert submit(client, bs_url(case), NOTICE, form=form).status_code == 409
    assert snapshot(case) == after and count(BreathingSpace) == 1


def test_a_notice_recorded_meanwhile_makes_the_open_form_stale(client, as_user, case):
    signed_in(client, "fa")
    form = open_form(client, bs_url(case))
    assert as_user("fo").post("/people/P1001/breathing-spaces", json={
        "kind": "mental_health", "starts_on": "2026-03-30"}).status_code == 201
    after = snapshot(case)
    page = submit(client, bs_url(case), NOTICE, form=form)
    assert page.status_code == 409 and "This case changed" in page.text
    assert snapshot(case) == after


def start(as_user, kind: str = "mental_health") -> int:
    response = as_user("fa").post("/people/P1001/breathing-spaces",
                                  json={"kind": kind, "starts_on": "2026-03-30"})
    assert response.status_code == 201, response.json
    return response.json["id"]


def test_the_end_of_a_mental_health_breathing_space_resumes_recovery(client, as_user, case):
    bs_id = start(as_user)
    sweep("2026-04-06", "10:00")
    signed_in(client, "fa")
    url = bs_url(case, f"/{bs_id}/end")
    page = client.get(url).text
    assert "Mental health crisis Breathing Space" in page and "Not known yet" in page
    done = submit(client, url, date_boxes("ends_on", "6 4 2026"))
    assert done.status_code == 302
    summary = client.get(done.location).text
    assert "Breathing Space ended on 6 April 2026. Recovery has started again" in summary
    assert open_bs().lifted_at is not None
    assert "Nothing holds recovery." in summary


def test_a_standard_breathing_space_cannot_end_early(client, as_user, case):
    bs_id = start(as_user, "standard")
    signed_in(client, "fa")
    before = snapshot(case)
    page = submit(client, bs_url(case, f"/{bs_id}/end"), date_boxes("ends_on", "6 4 2026"))
    assert page.status_code == 422
    assert ("A standard Breathing Space lasts at least 60 days: the end date must be 29 May "
            "2026 or later; if it ended early, record that it was cancelled") in page.text
    assert snapshot(case) == before


def test_an_end_before_the_start_is_refused(client, as_user, case):
    bs_id = start(as_user)
    signed_in(client, "fa")
    before = snapshot(case)
    page = submit(client, bs_url(case, f"/{bs_id}/end"), date_boxes("ends_on", "29 3 2026"))
    assert page.status_code == 422
    assert "The end date must be after the start date, 30 March 2026" in page.text
    assert snapshot(case) == before


def test_a_cancelled_breathing_space_resumes_recovery_once(client, as_user, case):
    bs_id = start(as_user, "standard")
    sweep("2026-04-02", "10:00")
    signed_in(client, "fa")
    url = bs_url(case, f"/{bs_id}/cancel")
    form = open_form(client, url)
    done = submit(client, url, date_boxes("cancelled_on", "2 4 2026"), form=form)
    assert done.status_code == 302
    assert "Breathing Space recorded as cancelled on 2 April 2026" in client.get(
        done.location).text
    assert open_bs().cancelled_on == date(2026, 4, 2)
    after = snapshot(case)
    assert submit(client, url, date_boxes("cancelled_on", "2 4 2026"),
                  form=form).status_code == 409
    assert snapshot(case) == after
    assert "Record a cancellation" not in client.get(f"/people/{case.reference}").text


def test_a_cancellation_out_of_range_is_refused(client, as_user, case):
    bs_id = start(as_user, "standard")
    signed_in(client, "fa")
    before = snapshot(case)
    for day in ("31 3 2026", "29 3 2026"):
        page = submit(client, bs_url(case, f"/{bs_id}/cancel"),
                      date_boxes("cancelled_on", day))
        assert page.status_code == 422
        assert ("The date it was cancelled must be between the start date, 30 March 2026, "
                "and today") in page.text
    assert snapshot(case) == before


def test_an_end_recorded_meanwhile_makes_the_cancel_form_stale(client, as_user, case):
    bs_id = start(as_user)
    signed_in(client, "fa")
    form = open_form(client, bs_url(case, f"/{bs_id}/cancel"))
    assert as_user("fo").post(f"/breathing-spaces/{bs_id}/end",
                              json={"ends_on": "2026-05-01"}).status_code == 200
    after = snapshot(case)
    page = submit(client, bs_url(case, f"/{bs_id}/cancel"),
                  date_boxes("cancelled_on", "30 3 2026"), form=form)
    assert page.status_code == 409
    assert snapshot(case) == after


def test_end_and_cancel_pages_refuse_roles_teams_and_other_peoples_notices(client, as_user,
                                                                          case):
    bs_id = start(as_user)
    for name, status in (("cw", 403), ("fa_south", 403)):
        signed_in(client, name)
        for action in ("end", "cancel"):
            assert client.get(bs_url(case, f"/{bs_id}/{action}")).status_code == status
    signed_in(client, "fa")
    assert client.get(bs_url(case, "/9999/end")).status_code == 404


# --- death ---------------------------------------------------------------------------------------
def death_url(case: Case) -> str:
    return f"/people/{case.reference}/death"


def test_recording_a_death_warns_first_and_sends_each_debt_to_the_estate(client, case):
    signed_in(client, "fa")
    page = unescaped(client.get(death_url(case)).text)
    assert "Each open debt goes to recovery from the estate" in page
    assert "Are you sure you want to record that Alice Example has died?" in page
    done = submit(client, death_url(case),
                  {**date_boxes("date_of_death", "28 3 2026"), "sure": "yes"})
    assert done.status_code == 302
    summary = client.get(done.location).text
    assert "Death recorded: Alice Example died on 28 March 2026." in summary
    fresh()
    person = db.session.get(Person, case.person_id)
    assert (person.deceased, person.date_of_death) == (True, date(2026, 3, 28))
    assert db.session.get(DebtCase, case.debt_id).stage == "estate"
    assert "Record a death" not in summary


def test_no_to_are_you_sure_records_nothing(client, case):
    signed_in(client, "fa")
    before = snapshot(case)
    done = submit(client, death_url(case),
                  {**date_boxes("date_of_death", "28 3 2026"), "sure": "no"})
    assert done.status_code == 302
    assert "Nothing was recorded." in client.get(done.location).text
    assert snapshot(case) == before


def born_1940(case: Case) -> None:
    person = db.session.get(Person, case.person_id)
    person.date_of_birth = date(1940, 6, 1)
    db.session.commit()


@pytest.mark.parametrize("answers, message", [
    ({"sure": "yes"}, "Enter the date of death"),
    (date_boxes("date_of_death", "28 3 2026"), "Select yes if you want to record the death"),
    ({**date_boxes("date_of_death", "31 3 2026"), "sure": "yes"},
     "The date of death must be today or in the past"),
    ({**date_boxes("date_of_death", "1 5 1940"), "sure": "yes"},
     "The date of death must be on or after the date of birth, 1 June 1940"),
])
def test_each_problem_with_a_death_is_said_and_changes_nothing(client, case, answers,
                                                               message):
    born_1940(case)
    signed_in(client, "fa")
    before = snapshot(case)
    page = submit(client, death_url(case), answers)
    assert page.status_code == 422
    assert message in page.text
    assert snapshot(case) == before


def test_a_double_or_stale_death_changes_nothing(client, as_user, case):
    signed_in(client, "fa")
    form = open_form(client, death_url(case))
    answers = {**date_boxes("date_of_death", "28 3 2026"), "sure": "yes"}
    assert submit(client, death_url(case), answers, form=form).status_code == 302
    after = snapshot(case)
    assert submit(client, death_url(case), answers, form=form).status_code == 409
    assert snapshot(case) == after
    assert count(Letter) == len(letters(case.person_id))


def test_a_death_recorded_meanwhile_makes_the_open_form_stale(client, as_user, case):
    signed_in(client, "fa")
    form = open_form(client, death_url(case))
    assert as_user("fo").post("/people/P1001/death",
                              json={"date_of_death": "2026-03-27"}).status_code == 200
    after = snapshot(case)
    page = submit(client, death_url(case),
                  {**date_boxes("date_of_death", "28 3 2026"), "sure": "yes"}, form=form)
    assert page.status_code == 409
    assert snapshot(case) == after


def test_death_page_refuses_another_team(client, case):
    signed_in(client, "fa_south")
    assert client.get(death_url(case)).status_code == 403


# --- the rules the services gained, refused by the API too ------------------------------------
def test_the_api_refuses_a_death_before_the_date_of_birth(as_user, case):
    born_1940(case)
    before = snapshot(case)
    error = error_of(as_user("fa").post("/people/P1001/death",
                                        json={"date_of_death": "1940-05-31"}),
                     422, "validation_failed")
    assert fields_of(error) == ["date_of_death"]
    assert snapshot(case) == before


def test_the_api_refuses_an_early_end_of_a_standard_breathing_space(as_user, case):
    bs_id = start(as_user, "standard")
    before = snapshot(case)
    error = error_of(as_user("fa").post(f"/breathing-spaces/{bs_id}/end",
                                        json={"ends_on": "2026-05-28"}),
                     422, "validation_failed")
    assert fields_of(error) == ["ends_on"]
    assert snapshot(case) == before
    assert as_user("fa").post(f"/breathing-spaces/{bs_id}/end",
                              json={"ends_on": "2026-05-29"}).status_code == 200


def test_the_api_refuses_a_breathing_space_after_a_death(as_user, case):
    assert as_user("fa").post("/people/P1001/death",
                              json={"date_of_death": "2026-03-28"}).status_code == 200
    before = snapshot(case)
    error_of(as_user("fa").post("/people/P1001/breathing-spaces",
                                json={"kind": "standard", "starts_on": "2026-03-30"}),
             409, "conflict")
    assert snapshot(case) == before
