"""The debts API over HTTP: the debt view and list, Breathing Space, death, instalment plans,
query holds and recheck, on the shipped ladder and a frozen clock.

An invoice dated Mon 2 Mar 2026 for £412.50 is due 23 Mar; the daily job opens its debt case on
24 Mar, reminder 1 goes on Mon 30 Mar and the final demand is due 13 Apr. Every refused request
must leave the case, its process instance and its money exactly as they were (`snapshot`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from app.calendar import to_local_date
from app.extensions import db
from app.models import (
    AuditEvent,
    BreathingSpace,
    DebtCase,
    HumanTask,
    InstalmentPlan,
    InstanceStatus,
    Invoice,
    Letter,
    PausedTimer,
    Payment,
    Person,
    ProcessInstance,
)
from app.models.finance import PaymentAllocation
from tests.workflows.debt_helpers import (
    add_invoice,
    debt_of,
    letters,
    pay,
    person_account,
    sweep,
)

from .api_helpers import count, error_of, fields_of, fresh
from .test_web_pages import signed_in


@dataclass(frozen=True)
class Case:
    person_id: int
    reference: str
    debt_id: int
    instance_id: int


def case_of(account) -> Case:
    debt = debt_of(account)
    return Case(account.person_id, account.person.reference, debt.id, debt.instance_id)


def snapshot(case: Case) -> dict[str, Any]:
    """Everything a refused request must not change: the case, its instance, the money, and the
    rows that record what was done."""
    fresh()
    debt = db.session.get(DebtCase, case.debt_id)
    instance = db.session.get(ProcessInstance, case.instance_id)
    person = db.session.get(Person, case.person_id)
    return {
        "debt": (debt.status, debt.stage, debt.stage_changed_on, debt.closed_on, debt.guards),
        "instance": (instance.status, instance.state, instance.lock_version,
                     instance.next_timer_due),
        "person": (person.deceased, person.date_of_death),
        "invoices": [(i.number, i.total, i.paid, i.status, i.query_hold, i.debt_case_id)
                     for i in db.session.scalars(db.select(Invoice).order_by(Invoice.id))],
        "rows": {model.__name__: count(model) for model in (
            AuditEvent, BreathingSpace, InstalmentPlan, Letter, HumanTask, PausedTimer, Payment,
            PaymentAllocation)},
    }


def debt_json(api, case: Case) -> dict:
    response = api.get(f"/debts/{case.debt_id}")
    assert response.status_code == 200, response.json
    return response.json


def guard_names(body: dict) -> list[str]:
    return [g["guard"] for g in body["guards"]]


def timer_day(case: Case) -> date | None:
    """The London day the ladder's next timer is due, as the scheduler sees it."""
    fresh()
    due = db.session.get(ProcessInstance, case.instance_id).next_timer_due
    return None if due is None else to_local_date(due)


def instance_status(case: Case) -> str:
    fresh()
    return db.session.get(ProcessInstance, case.instance_id).status


@pytest.fixture
def opened(staff) -> Case:
    """INV-1001 (£412.50, due 23 Mar) overdue: the case opened on Tue 24 Mar 2026."""
    account = person_account()
    add_invoice(account, "INV-1001", date(2026, 3, 2), "412.50")
    sweep("2026-03-24")
    return case_of(account)


@pytest.fixture
def reminded(opened) -> Case:
    """The same case on Mon 30 Mar 2026, 07:30, once reminder 1 has gone."""
    sweep("2026-03-30")
    assert letters(opened.person_id) == [("debt_reminder_1", date(2026, 3, 30))]
    return opened


# --- GET /debts/<id> --------------------------------------------------------------------------------
def test_a_debt_after_reminder_1_shows_stage_balance_ageing_and_next_step(as_user, reminded):
    body = debt_json(as_user("fo"), reminded)
    assert (body["id"], body["status"], body["stage"]) == (reminded.debt_id, "open", "reminder_1")
    assert (body["opened_on"], body["stage_changed_on"]) == ("2026-03-24", "2026-03-30")
    assert (body["person_reference"], body["account_number"]) == ("P1001", "AC-P1001")
    assert body["instance_id"] == reminded.instance_id
    assert (body["balance"], body["not_yet_due"]) == ("412.50", "0.00")
    assert [band["band"] for band in body["aged"]] == [
        "0-30", "31-60", "61-90", "91-180", "181-365", "over 365"]
    assert {band["band"]: band["amount"] for band in body["aged"]} == {
        "0-30": "412.50", "31-60": "0.00", "61-90": "0.00", "91-180": "0.00",
        "181-365": "0.00", "over 365": "0.00"}
    assert body["guards"] == []
    assert body["invoices"] == [{
        "number": "INV-1001", "invoice_date": "2026-03-02", "due_date": "2026-03-23",
        "total": "412.50", "outstanding": "412.50", "query_hold": False,
        "statute_barred": False}]
    assert body["instalment_plan"] is None
    step = body["next_step"]
    assert (step["kind"], step["element_id"], step["date"], step["paused"]) == (
        "timer", "final_demand_due", "2026-04-13", False)


def test_the_debt_ages_into_the_next_band_as_the_clock_moves(as_user, reminded):
    sweep("2026-04-23")  # due 23 Mar: 31 days overdue
    body = debt_json(as_user("fo"), reminded)
    amounts = {band["band"]: band["amount"] for band in body["aged"]}
    assert (amounts["0-30"], amounts["31-60"]) == ("0.00", "412.50")


def test_an_unknown_debt_is_404(as_user, reminded):
    error_of(as_user("fo").get("/debts/9999"), 404, "not_found")


def test_another_teams_debt_is_hidden_and_caseworkers_are_refused(as_user, reminded):
    error_of(as_user("fa_south").get(f"/debts/{reminded.debt_id}"), 404, "not_found")
    error_of(as_user("cw").get(f"/debts/{reminded.debt_id}"), 403, "forbidden")
    error_of(as_user("cw").get("/debts"), 403, "forbidden")
    assert as_user("fa").get(f"/debts/{reminded.debt_id}").status_code == 200
    assert as_user("fm").get(f"/debts/{reminded.debt_id}").status_code == 200


# --- GET /debts -----------------------------------------------------------------------------------------
@pytest.fixture
def ledger(staff) -> dict[str, Case]:
    """On Tue 31 Mar 2026: P1001 at reminder 1, P1002 just opened, P1003 paid in full and closed,
    and S1 (team South) at reminder 1."""
    first = person_account("P1001")
    add_invoice(first, "INV-1001", date(2026, 3, 2), "412.50")
    second = person_account("P1002", "Bob Example")
    add_invoice(second, "INV-2001", date(2026, 3, 9), "238.00")  # due 30 Mar
    paid = person_account("P1003", "Carol Example")
    add_invoice(paid, "INV-3001", date(2026, 3, 2), "100.00")
    south = person_account("S1", "Dan Example", team="South")
    add_invoice(south, "INV-4001", date(2026, 3, 2), "50.00")
    sweep("2026-03-24")
    sweep("2026-03-25")
    pay(paid, "100.00", "2026-03-25")
    sweep("2026-03-30")
    sweep("2026-03-31")
    return {a.person.reference: case_of(a) for a in (first, second, paid, south)}


def refs(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [item["person_reference"] for item in response.json["items"]]


def test_the_list_shows_open_debts_of_the_users_team_oldest_first(as_user, ledger):
    response = as_user("fo").get("/debts")
    assert refs(response) == ["P1001", "P1002"]
    assert (response.json["total"], response.json["page"], response.json["per_page"]) == (2, 1, 25)
    first = response.json["items"][0]
    assert (first["stage"], first["balance"], first["next_step"]["element_id"]) == (
        "reminder_1", "412.50", "final_demand_due")
    same_day = sorted(["P1001", "S1"], key=lambda ref: ledger[ref].debt_id)  # both 24 Mar
    assert refs(as_user("fm").get("/debts")) == [*same_day, "P1002"]
    assert refs(as_user("fa_south").get("/debts")) == ["S1"]


def test_the_list_filters_by_stage_status_and_person(as_user, ledger):
    fo = as_user("fo")
    assert refs(fo.get("/debts?stage=reminder_1")) == ["P1001"]
    assert refs(fo.get("/debts?stage=opened")) == ["P1002"]
    closed = fo.get("/debts?status=closed")
    assert refs(closed) == ["P1003"]
    item = closed.json["items"][0]
    assert (item["status"], item["stage"], item["closed_reason"], item["closed_on"],
            item["balance"], item["guards"], item["next_step"]) == (
        "closed", "closed", "paid_in_full", "2026-03-25", "0.00", [], None)
    assert sorted(refs(fo.get("/debts?status=all"))) == ["P1001", "P1002", "P1003"]
    assert refs(fo.get("/debts?person=P1002")) == ["P1002"]
    assert refs(fo.get("/debts?person=P1003")) == []  # closed: not in the open list
    assert refs(fo.get("/debts?person=P1003&status=all")) == ["P1003"]
    assert refs(fo.get("/debts?person=S1&status=all")) == []  # another team's


def test_the_list_filters_by_the_guard_holding(as_user, ledger):
    fo = as_user("fo")
    assert refs(fo.get("/debts?guard=breathing_space")) == []
    started = fo.post("/people/P1002/breathing-spaces",
                      json={"kind": "standard", "starts_on": "2026-03-31"})
    assert started.status_code == 201, started.json
    assert refs(fo.get("/debts?guard=breathing_space")) == ["P1002"]


def test_the_list_pages(as_user, ledger):
    fo = as_user("fo")
    second = fo.get("/debts?per_page=1&page=2")
    assert refs(second) == ["P1002"]
    assert (second.json["total"], second.json["page"], second.json["per_page"]) == (2, 2, 1)
    beyond = fo.get("/debts?per_page=1&page=3")
    assert refs(beyond) == [] and beyond.json["total"] == 2
    for query in ("per_page=0", "per_page=101", "page=0", "page=abc"):
        error = error_of(fo.get(f"/debts?{query}"), 422, "validation_failed")
        assert fields_of(error) == [query.split("=")[0]]


def test_an_unknown_status_filter_is_refused_not_an_empty_list(as_user, ledger):
    """status takes open, closed or all; a typo must not read as "no open debts"."""
    error = error_of(as_user("fo").get("/debts?status=opne"), 422, "validation_failed")
    assert fields_of(error) == ["status"]


# --- Breathing Space --------------------------------------------------------------------------------
def start_bs(api, body: dict, reference: str = "P1001"):
    return api.post(f"/people/{reference}/breathing-spaces", json=body)


def test_a_standard_breathing_space_lasts_60_days_and_holds_the_ladder(as_user, reminded):
    fa = as_user("fa")
    response = start_bs(fa, {"kind": "standard", "starts_on": "2026-03-30", "reference": "BS-1"})
    assert response.status_code == 201, response.json
    body = response.json
    assert (body["kind"], body["reference"], body["starts_on"], body["ends_on"],
            body["cancelled_on"], body["lifted_at"]) == (
        "standard", "BS-1", "2026-03-30", "2026-05-29", None, None)
    assert count(BreathingSpace) == 1
    assert instance_status(reminded) == InstanceStatus.HELD
    assert timer_day(reminded) is None  # the final demand's timer is paused
    debt = debt_json(fa, reminded)
    assert debt["guards"] == [{
        "guard": "breathing_space", "since": "2026-03-30",
        "reason": "Breathing Space: standard from 30 March 2026 to 29 May 2026"}]
    sweep("2026-04-13")
    sweep("2026-05-01")
    assert letters(reminded.person_id) == [("debt_reminder_1", date(2026, 3, 30))]


def test_while_a_breathing_space_holds_the_next_step_is_the_paused_timer(as_user, reminded):
    """The final demand had 14 days left; the debt view must say it is paused."""
    fa = as_user("fa")
    assert start_bs(fa, {"kind": "standard", "starts_on": "2026-03-30"}).status_code == 201
    step = debt_json(fa, reminded)["next_step"]
    assert (step["kind"], step["element_id"], step["paused"], step["date"], step["remaining"]) == (
        "timer", "final_demand_due", True, None, "14 calendar_days")


def test_a_standard_breathing_space_of_exactly_60_days_is_accepted(as_user, reminded):
    response = start_bs(as_user("fa"), {"kind": "standard", "starts_on": "2026-03-30",
                                        "ends_on": "2026-05-29"})
    assert response.status_code == 201, response.json
    assert response.json["ends_on"] == "2026-05-29"


BAD_NOTICES = {
    "unknown kind": ({"kind": "weekly", "starts_on": "2026-03-30"}, ["kind"]),
    "starts in the future": ({"kind": "standard", "starts_on": "2026-03-31"}, ["starts_on"]),
    "standard under 60 days": ({"kind": "standard", "starts_on": "2026-03-30",
                                "ends_on": "2026-05-28"}, ["ends_on"]),
    "ends before it starts": ({"kind": "mental_health", "starts_on": "2026-03-30",
                               "ends_on": "2026-03-30"}, ["ends_on"]),
    "missing start": ({"kind": "standard"}, ["starts_on"]),
    "missing kind": ({"starts_on": "2026-03-30"}, ["kind"]),
    "not a date": ({"kind": "standard", "starts_on": "30/03/2026"}, ["starts_on"]),
    "unknown field": ({"kind": "standard", "starts_on": "2026-03-30", "colour": "red"},
                      ["colour"]),
}


@pytest.mark.parametrize("problem", sorted(BAD_NOTICES))
def test_a_bad_breathing_space_notice_is_422_and_changes_nothing(as_user, reminded, problem):
    body, fields = BAD_NOTICES[problem]
    fa = as_user("fa")
    before = snapshot(reminded)
    error = error_of(start_bs(fa, body), 422, "validation_failed")
    assert fields_of(error) == fields
    assert snapshot(reminded) == before


@pytest.mark.parametrize("payload, content_type", [
    ("{not json", "application/json"),
    ('["standard", "2026-03-30"]', "application/json"),
])
def test_a_malformed_breathing_space_body_is_400_and_changes_nothing(as_user, reminded, payload,
                                                                     content_type):
    fa = as_user("fa")
    before = snapshot(reminded)
    response = fa.post("/people/P1001/breathing-spaces", data=payload,
                       content_type=content_type)
    error_of(response, 400, "malformed")
    assert snapshot(reminded) == before


def test_a_second_breathing_space_while_one_is_active_is_409(as_user, reminded):
    fa = as_user("fa")
    assert start_bs(fa, {"kind": "standard", "starts_on": "2026-03-30"}).status_code == 201
    before = snapshot(reminded)
    error_of(start_bs(fa, {"kind": "mental_health", "starts_on": "2026-03-30"}), 409, "conflict")
    assert snapshot(reminded) == before


def test_a_breathing_space_for_an_unknown_or_hidden_person_is_404(as_user, reminded):
    body = {"kind": "standard", "starts_on": "2026-03-30"}
    fa, south, cw = as_user("fa"), as_user("fa_south"), as_user("cw")
    before = snapshot(reminded)
    error_of(start_bs(fa, body, "NOBODY"), 404, "not_found")
    error_of(start_bs(south, body), 404, "not_found")
    error_of(start_bs(cw, body), 403, "forbidden")
    assert snapshot(reminded) == before


def test_a_mental_health_breathing_space_ends_when_its_end_is_recorded(as_user, reminded):
    fa = as_user("fa")
    started = start_bs(fa, {"kind": "mental_health", "starts_on": "2026-03-30"})
    assert started.status_code == 201, started.json
    assert started.json["ends_on"] is None  # open-ended until the crisis treatment ends
    bs_id = started.json["id"]
    sweep("2026-04-06", "10:00")
    assert instance_status(reminded) == InstanceStatus.HELD
    ended = fa.post(f"/breathing-spaces/{bs_id}/end", json={"ends_on": "2026-04-06"})
    assert ended.status_code == 200, ended.json
    assert ended.json["ends_on"] == "2026-04-06" and ended.json["lifted_at"] is not None
    assert instance_status(reminded) == InstanceStatus.ACTIVE
    debt = debt_json(fa, reminded)
    assert debt["guards"] == [] and debt["next_step"]["paused"] is False
    assert timer_day(reminded) == date(2026, 4, 20)  # 14 days left from Easter Monday

    before = snapshot(reminded)
    error_of(fa.post(f"/breathing-spaces/{bs_id}/end", json={"ends_on": "2026-04-06"}),
             409, "conflict")
    error_of(fa.post(f"/breathing-spaces/{bs_id}/cancel", json={}), 409, "conflict")
    assert snapshot(reminded) == before


def test_a_bad_end_of_breathing_space_is_refused_and_changes_nothing(as_user, reminded):
    fa = as_user("fa")
    bs_id = start_bs(fa, {"kind": "mental_health", "starts_on": "2026-03-30"}).json["id"]
    before = snapshot(reminded)
    error = error_of(fa.post(f"/breathing-spaces/{bs_id}/end", json={"ends_on": "2026-03-29"}),
                     422, "validation_failed")
    assert fields_of(error) == ["ends_on"]
    error_of(fa.post(f"/breathing-spaces/{bs_id}/end", json={}), 422, "validation_failed")
    error_of(fa.post("/breathing-spaces/9999/end", json={"ends_on": "2026-04-06"}),
             404, "not_found")
    error_of(as_user("fa_south").post(f"/breathing-spaces/{bs_id}/end",
                                      json={"ends_on": "2026-04-06"}), 404, "not_found")
    assert snapshot(reminded) == before


def test_cancelling_a_breathing_space_resumes_recovery_at_once_and_only_once(as_user, reminded):
    fa = as_user("fa")
    bs_id = start_bs(fa, {"kind": "standard", "starts_on": "2026-03-30"}).json["id"]
    sweep("2026-04-02", "10:00")
    cancelled = fa.post(f"/breathing-spaces/{bs_id}/cancel", json={})
    assert cancelled.status_code == 200, cancelled.json
    assert cancelled.json["cancelled_on"] == "2026-04-02"
    assert cancelled.json["lifted_at"] is not None
    debt = debt_json(fa, reminded)
    assert debt["guards"] == []
    step = debt["next_step"]  # 14 calendar days left from Thu 2 Apr
    assert (step["element_id"], step["date"], step["paused"]) == (
        "final_demand_due", "2026-04-16", False)
    assert timer_day(reminded) == date(2026, 4, 16)

    before = snapshot(reminded)
    error_of(fa.post(f"/breathing-spaces/{bs_id}/cancel", json={}), 409, "conflict")
    assert snapshot(reminded) == before
    sweep("2026-04-16")
    assert letters(reminded.person_id)[-1] == ("debt_final_demand", date(2026, 4, 16))


def test_a_cancellation_date_out_of_range_is_422_and_changes_nothing(as_user, reminded):
    fa = as_user("fa")
    bs_id = start_bs(fa, {"kind": "standard", "starts_on": "2026-03-30"}).json["id"]
    before = snapshot(reminded)
    for day in ("2026-03-31", "2026-03-29"):
        error = error_of(fa.post(f"/breathing-spaces/{bs_id}/cancel",
                                 json={"cancelled_on": day}), 422, "validation_failed")
        assert fields_of(error) == ["cancelled_on"]
    error_of(fa.post("/breathing-spaces/9999/cancel", json={}), 404, "not_found")
    assert snapshot(reminded) == before


# --- death -------------------------------------------------------------------------------------------------
def test_recording_a_death_stops_the_ladder_once(as_user, reminded):
    fa = as_user("fa")
    response = fa.post("/people/P1001/death", json={"date_of_death": "2026-03-28"})
    assert response.status_code == 200, response.json
    assert response.json == {"reference": "P1001", "deceased": True,
                             "date_of_death": "2026-03-28"}
    debt = debt_json(fa, reminded)
    assert debt["stage"] == "estate"
    assert guard_names(debt) == ["deceased"]

    before = snapshot(reminded)
    error_of(fa.post("/people/P1001/death", json={"date_of_death": "2026-03-28"}),
             409, "conflict")
    assert snapshot(reminded) == before
    sweep("2026-04-13")
    # The ladder's letters stop; the estate route writes once to the personal representatives.
    assert letters(reminded.person_id) == [("debt_reminder_1", date(2026, 3, 30)),
                                           ("estate_final_account", date(2026, 3, 30))]


@pytest.mark.parametrize("body, field", [
    ({"date_of_death": "2026-03-31"}, "date_of_death"),  # tomorrow
    ({}, "date_of_death"),
    ({"date_of_death": "yesterday"}, "date_of_death"),
])
def test_a_bad_death_notice_is_422_and_changes_nothing(as_user, reminded, body, field):
    fa = as_user("fa")
    before = snapshot(reminded)
    error = error_of(fa.post("/people/P1001/death", json=body), 422, "validation_failed")
    assert fields_of(error) == [field]
    assert snapshot(reminded) == before


def test_a_death_for_an_unknown_or_hidden_person_is_404(as_user, reminded):
    before = snapshot(reminded)
    body = {"date_of_death": "2026-03-28"}
    error_of(as_user("fa").post("/people/NOBODY/death", json=body), 404, "not_found")
    error_of(as_user("fa_south").post("/people/P1001/death", json=body), 404, "not_found")
    error_of(as_user("cw").post("/people/P1001/death", json=body), 403, "forbidden")
    assert snapshot(reminded) == before


# --- instalment plans ---------------------------------------------------------------------------------
PLAN = {"amount": "100.00", "frequency": "monthly", "first_date": "2026-04-15",
        "method": "standing_order"}


def test_a_valid_plan_is_agreed_confirmed_by_letter_and_holds_the_ladder(as_user, reminded):
    fo = as_user("fo")
    response = fo.post(f"/debts/{reminded.debt_id}/instalment-plan", json=PLAN)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["id"] == reminded.debt_id and body["stage"] == "instalment_plan"
    plan = body["instalment_plan"]
    assert (plan["status"], plan["arrears_total"], plan["amount"], plan["frequency"],
            plan["first_date"], plan["method"], plan["paid"], plan["due_so_far"]) == (
        "active", "412.50", "100.00", "monthly", "2026-04-15", "standing_order", "0.00", "0.00")
    assert plan["schedule"] == [
        {"date": "2026-04-15", "amount": "100.00"}, {"date": "2026-05-15", "amount": "100.00"},
        {"date": "2026-06-15", "amount": "100.00"}, {"date": "2026-07-15", "amount": "100.00"},
        {"date": "2026-08-15", "amount": "12.50"}]
    assert guard_names(body) == ["instalment_plan"]
    assert letters(reminded.person_id) == [("debt_reminder_1", date(2026, 3, 30)),
                                           ("instalment_confirmation", date(2026, 3, 30))]
    assert count(InstalmentPlan) == 1
    assert debt_json(fo, reminded)["instalment_plan"]["id"] == plan["id"]
    sweep("2026-04-13")  # the final demand's day: held by the plan
    assert [t for t, _ in letters(reminded.person_id)] == [
        "debt_reminder_1", "instalment_confirmation"]


def test_a_long_direct_debit_plan_with_a_full_statement_and_10_days_notice_is_agreed(
        as_user, reminded):
    response = as_user("fm").post(f"/debts/{reminded.debt_id}/instalment-plan", json={
        "amount": "10.00", "frequency": "monthly", "first_date": "2026-04-09",
        "method": "direct_debit", "full_income_expenditure": True,
        "income_expenditure": {"income": "900.00", "outgoings": "880.00"}})
    assert response.status_code == 201, response.json
    assert len(response.json["instalment_plan"]["schedule"]) == 42


BAD_PLANS = {
    "more than the arrears": ({**PLAN, "amount": "500.00"}, ["amount"]),
    "direct debit under 10 days": ({**PLAN, "method": "direct_debit",
                                    "first_date": "2026-04-08"}, ["first_date"]),
    "over 12 months without a statement": ({**PLAN, "amount": "10.00"},
                                           ["full_income_expenditure"]),
    "unknown frequency": ({**PLAN, "frequency": "daily"}, ["frequency"]),
    "unknown method": ({**PLAN, "method": "bitcoin"}, ["method"]),
    "first date in the past": ({**PLAN, "first_date": "2026-03-29"}, ["first_date"]),
    "part pence": ({**PLAN, "amount": "100.005"}, ["amount"]),
    "missing amount": ({k: v for k, v in PLAN.items() if k != "amount"}, ["amount"]),
    "two problems at once": ({**PLAN, "amount": "500.00", "method": "direct_debit",
                              "first_date": "2026-04-01"}, ["amount", "first_date"]),
}


@pytest.mark.parametrize("problem", sorted(BAD_PLANS))
def test_invalid_plan_terms_are_422_listing_the_fields_and_change_nothing(as_user, reminded,
                                                                          problem):
    body, fields = BAD_PLANS[problem]
    fo = as_user("fo")
    before = snapshot(reminded)
    error = error_of(fo.post(f"/debts/{reminded.debt_id}/instalment-plan", json=body),
                     422, "validation_failed")
    assert sorted(set(fields_of(error))) == fields
    assert snapshot(reminded) == before


def test_a_second_plan_is_409_and_changes_nothing(as_user, reminded):
    fo = as_user("fo")
    assert fo.post(f"/debts/{reminded.debt_id}/instalment-plan", json=PLAN).status_code == 201
    before = snapshot(reminded)
    error_of(fo.post(f"/debts/{reminded.debt_id}/instalment-plan",
                     json={**PLAN, "amount": "50.00"}), 409, "conflict")
    assert snapshot(reminded) == before


def test_no_plan_is_agreed_with_a_person_who_has_died(as_user, reminded):
    # The estate pays now: a plan would move the debt off the estate route (DOMAIN.md A.6).
    assert as_user("fa").post("/people/P1001/death",
                              json={"date_of_death": "2026-03-28"}).status_code == 200
    before = snapshot(reminded)
    error = error_of(as_user("fo").post(f"/debts/{reminded.debt_id}/instalment-plan",
                                        json=PLAN), 409, "conflict")
    assert "estate" in error["message"]
    assert snapshot(reminded) == before and count(InstalmentPlan) == 0


def test_only_officers_and_managers_agree_plans(as_user, reminded):
    fa, south = as_user("fa"), as_user("fa_south")
    fo = as_user("fo")
    before = snapshot(reminded)
    error_of(fa.post(f"/debts/{reminded.debt_id}/instalment-plan", json=PLAN), 403, "forbidden")
    error_of(south.post(f"/debts/{reminded.debt_id}/instalment-plan", json=PLAN),
             403, "forbidden")
    error_of(fo.post("/debts/9999/instalment-plan", json=PLAN), 404, "not_found")
    assert snapshot(reminded) == before


def test_a_plan_on_a_debt_paid_in_full_is_409(as_user, reminded):
    fo = as_user("fo")
    fresh()
    account = db.session.get(DebtCase, reminded.debt_id).account
    pay(account, "412.50", "2026-03-30")
    assert debt_json(fo, reminded)["status"] == "closed"
    before = snapshot(reminded)
    error_of(fo.post(f"/debts/{reminded.debt_id}/instalment-plan", json=PLAN), 409, "conflict")
    assert snapshot(reminded) == before


# --- query holds and recheck ----------------------------------------------------------------------
def test_a_query_hold_is_set_and_released(as_user, reminded):
    fa = as_user("fa")
    held = fa.put("/invoices/INV-1001/query-hold", json={"held": True})
    assert held.status_code == 200, held.json
    assert held.json == {"number": "INV-1001", "query_hold": True}
    debt = debt_json(fa, reminded)
    assert debt["invoices"][0]["query_hold"] is True
    assert guard_names(debt) == ["invoice_query"]
    released = fa.put("/invoices/INV-1001/query-hold", json={"held": False})
    assert released.json == {"number": "INV-1001", "query_hold": False}
    debt = debt_json(fa, reminded)
    assert debt["invoices"][0]["query_hold"] is False and debt["guards"] == []


def test_bad_query_hold_requests_are_refused_and_change_nothing(as_user, reminded):
    fa = as_user("fa")
    south, cw = as_user("fa_south"), as_user("cw")
    before = snapshot(reminded)
    error_of(fa.put("/invoices/INV-NOPE/query-hold", json={"held": True}), 404, "not_found")
    error_of(south.put("/invoices/INV-1001/query-hold", json={"held": True}), 404, "not_found")
    error_of(cw.put("/invoices/INV-1001/query-hold", json={"held": True}), 403, "forbidden")
    error = error_of(fa.put("/invoices/INV-1001/query-hold", json={}), 422, "validation_failed")
    assert fields_of(error) == ["held"]
    error_of(fa.put("/invoices/INV-1001/query-hold", json={"held": "perhaps"}),
             422, "validation_failed")
    assert snapshot(reminded) == before


def test_releasing_the_query_on_a_held_ladder_sends_the_held_letter(as_user, opened):
    fa = as_user("fa")
    assert fa.put("/invoices/INV-1001/query-hold", json={"held": True}).status_code == 200
    sweep("2026-03-30")
    assert letters(opened.person_id) == []
    assert instance_status(opened) == InstanceStatus.HELD
    held = debt_json(fa, opened)
    # Paused on Tue 24 Mar with the 6 days R1 (Mon 30 Mar) had left.
    assert (held["next_step"]["element_id"], held["next_step"]["paused"],
            held["next_step"]["remaining"]) == ("reminder_1_due", True, "6 calendar_days")

    sweep("2026-04-08", "10:00")
    released = fa.put("/invoices/INV-1001/query-hold", json={"held": False})
    assert released.status_code == 200, released.json
    assert letters(opened.person_id) == []
    debt = debt_json(fa, opened)
    assert (debt["next_step"]["element_id"], debt["next_step"]["date"]) == (
        "reminder_1_due", "2026-04-14")  # Wed 8 Apr + 6 days: Tue 14 Apr 2026
    sweep("2026-04-14")
    assert letters(opened.person_id) == [("debt_reminder_1", date(2026, 4, 14))]
    debt = debt_json(fa, opened)
    assert (debt["stage"], debt["guards"]) == ("reminder_1", [])
    assert (debt["next_step"]["element_id"], debt["next_step"]["date"]) == (
        "final_demand_due", "2026-04-28")


def test_recheck_runs_a_ladder_on_once_its_hold_has_gone(as_user, opened):
    fa, fo = as_user("fa"), as_user("fo")
    fa.put("/invoices/INV-1001/query-hold", json={"held": True})
    sweep("2026-03-30")
    assert instance_status(opened) == InstanceStatus.HELD
    # The query is closed without the API (as an import would): nothing runs the ladder on yet.
    fresh()
    db.session.scalar(db.select(Invoice).where(Invoice.number == "INV-1001")).query_hold = False
    db.session.commit()
    # Later the same day: the daily job, which would run it on, has run already today.
    sweep("2026-03-30", "10:00")
    assert letters(opened.person_id) == []

    before = snapshot(opened)
    error_of(fa.post(f"/debts/{opened.debt_id}/recheck"), 403, "forbidden")
    error_of(fo.post("/debts/9999/recheck"), 404, "not_found")
    error_of(as_user("fa_south").post(f"/debts/{opened.debt_id}/recheck"), 403, "forbidden")
    assert snapshot(opened) == before

    response = fo.post(f"/debts/{opened.debt_id}/recheck")
    assert response.status_code == 200, response.json
    assert (response.json["id"], response.json["stage"], response.json["guards"]) == (
        opened.debt_id, "opened", [])
    # The query paused R1 on Tue 24 Mar with 6 days left; it runs on from today, Mon 30 Mar:
    # Sun 5 Apr, then past Easter Monday to Tue 7 Apr 2026.
    assert (response.json["next_step"]["element_id"], response.json["next_step"]["date"]) == (
        "reminder_1_due", "2026-04-07")
    assert letters(opened.person_id) == []
    assert instance_status(opened) == InstanceStatus.ACTIVE


def test_the_daily_job_runs_on_a_ladder_whose_hold_has_gone(as_user, opened):
    as_user("fa").put("/invoices/INV-1001/query-hold", json={"held": True})
    sweep("2026-03-30")
    fresh()
    db.session.scalar(db.select(Invoice).where(Invoice.number == "INV-1001")).query_hold = False
    db.session.commit()
    sweep("2026-04-01")  # runs on from Wed 1 Apr with R1's 6 days: Tue 7 Apr 2026
    assert letters(opened.person_id) == []
    sweep("2026-04-07")
    assert letters(opened.person_id) == [("debt_reminder_1", date(2026, 4, 7))]


def test_recheck_of_a_running_ladder_returns_the_debt_unchanged(as_user, reminded):
    fo = as_user("fo")
    before = snapshot(reminded)
    response = fo.post(f"/debts/{reminded.debt_id}/recheck")
    assert response.status_code == 200, response.json
    assert response.json == debt_json(fo, reminded)
    assert (response.json["stage"], response.json["next_step"]["date"]) == (
        "reminder_1", "2026-04-13")
    assert snapshot(reminded) == before


def test_a_breathing_space_is_named_on_the_case_summary(as_user, reminded, client):
    assert start_bs(as_user("fa"), {"kind": "standard", "starts_on": "2026-03-30",
                                    "reference": "BS-1"}).status_code == 201
    page = signed_in(client, "fa").get("/people/P1001").get_data(as_text=True)
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Breathing Space" in text
    assert "On hold" in text, text[:3000]
    assert "2026-03-30" not in text and "breathing_space" not in text  # dates and words staff use
