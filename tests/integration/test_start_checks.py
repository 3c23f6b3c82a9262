"""Starting a process over the API is refused (422, naming what is missing) when the case lacks
what the process's first steps need, and nothing is written: no instance, no history, no letter.
A start that would have been accepted and then stopped at its first step with an incident is a
bad start, whichever process it is.

The debts: INV-1001 (£412.50, dated Mon 2 Mar 2026) of P1001 and INV-2001 of P1002 are overdue
on Tue 24 Mar, when the daily job opens each a debt case with its ladder. A debt moved in from
the old records has no process yet; the API is how one is started for it.
"""
from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from app.models import AuditEvent, DebtCase, HumanTask, Incident, Letter, ProcessInstance
from tests.workflows.debt_helpers import add_invoice, debt_of, person_account, sweep

from .api_helpers import count, create_person, error_of, person_body, task_named

WRITTEN = (ProcessInstance, AuditEvent, Letter, HumanTask, Incident)


def rows() -> dict[str, int]:
    return {model.__name__: count(model) for model in WRITTEN}


def start(api, process: str, reference: str, **data):
    return api.post("/instances", json={"process": process, "person_reference": reference,
                                        "data": data})


def refused(api, process: str, reference: str, **data) -> dict[str, str]:
    """Start, expect 422 with nothing written; the problems by field."""
    before = rows()
    error = error_of(start(api, process, reference, **data), 422, "validation_failed")
    assert rows() == before
    assert all(d["message"] for d in error["details"])
    return {d["field"]: d["message"] for d in error["details"]}


def moved_in_debt(account, number: str) -> int:
    """An open debt brought over from the old records: no process works on it yet."""
    invoice = add_invoice(account, number, date(2026, 3, 2), "412.50")
    debt = DebtCase(account_id=account.id, person_id=account.person_id, status="open",
                    stage="opened", opened_on=date(2026, 3, 24), stage_changed_on=None,
                    guards={})
    db.session.add(debt)
    db.session.flush()
    invoice.debt_case_id = debt.id
    db.session.commit()
    return debt.id


# --- the direct-payment agreement -----------------------------------------------------------------
def test_a_direct_payment_start_without_the_persons_dp_details_is_422_and_writes_nothing(
        as_user):
    fa = as_user("fa")
    body = person_body("P100")
    del body["direct_payment"]
    assert fa.post("/people", json=body).status_code == 201
    problems = refused(fa, "direct_payment_agreement", "P100")
    assert list(problems) == ["person_reference"]
    assert "direct-payment details" in problems["person_reference"]
    assert fa.get("/people/P100").json["instances"] == []


def test_a_direct_payment_start_with_the_persons_dp_details_is_201(as_user):
    fa = as_user("fa")
    create_person(fa, "P100")
    response = start(fa, "direct_payment_agreement", "P100")
    assert response.status_code == 201, response.json
    assert (response.json["status"], response.json["incident"]) == ("active", None)
    assert [x["template"] for x in response.json["letters"]] == ["dp_agreement"]


# --- the debt processes ---------------------------------------------------------------------------
@pytest.fixture
def debts(staff) -> dict[str, int]:
    """P1001 and P1002 each with a debt its ladder works on; P1003 with a debt moved in."""
    accounts = {ref: person_account(ref) for ref in ("P1001", "P1002", "P1003")}
    add_invoice(accounts["P1001"], "INV-1001", date(2026, 3, 2), "412.50")
    add_invoice(accounts["P1002"], "INV-2001", date(2026, 3, 2), "99.00")
    sweep("2026-03-24")
    ids = {ref: debt_of(accounts[ref]).id for ref in ("P1001", "P1002")}
    return ids | {"P1003": moved_in_debt(accounts["P1003"], "INV-3001")}


DEBT_PROCESSES = ["debt_recovery", "debt_decision", "legal_recovery", "estate_recovery"]


@pytest.mark.parametrize("process", DEBT_PROCESSES)
def test_a_debt_process_without_a_debt_is_422_and_writes_nothing(as_user, debts, process):
    problems = refused(as_user("fo"), process, "P1003", invoice_date="2026-03-02")
    assert "debt_case_id" in problems


@pytest.mark.parametrize("process", DEBT_PROCESSES)
def test_a_debt_process_for_another_persons_debt_is_422_and_writes_nothing(as_user, debts,
                                                                          process):
    problems = refused(as_user("fo"), process, "P1003", debt_case_id=debts["P1002"],
                       invoice_date="2026-03-02")
    assert "debt_case_id" in problems


@pytest.mark.parametrize("debt_case_id", ["1", True, 0, -1, 10**20, 999, 1.5, None])
def test_a_debt_id_that_names_no_debt_is_422_not_a_crash(as_user, debts, debt_case_id):
    problems = refused(as_user("fo"), "debt_recovery", "P1003", debt_case_id=debt_case_id,
                       invoice_date="2026-03-02")
    assert list(problems) == ["debt_case_id"]


def test_a_debt_its_ladder_already_works_on_is_422_and_writes_nothing(as_user, debts):
    """debt_of would not find the debt for a second process: its ladder holds it."""
    problems = refused(as_user("fo"), "debt_recovery", "P1001", debt_case_id=debts["P1001"],
                       invoice_date="2026-03-02")
    assert list(problems) == ["debt_case_id"]


@pytest.mark.parametrize("invoice_date", [None, "", "2 March 2026", "2026-02-30"])
def test_a_ladder_without_its_first_invoice_date_is_422(as_user, debts, invoice_date):
    data = {"debt_case_id": debts["P1003"]}
    if invoice_date is not None:
        data["invoice_date"] = invoice_date
    problems = refused(as_user("fo"), "debt_recovery", "P1003", **data)
    assert list(problems) == ["invoice_date"]


def test_a_ladder_for_a_debt_moved_in_starts(as_user, debts):
    response = start(as_user("fo"), "debt_recovery", "P1003", debt_case_id=debts["P1003"],
                     invoice_date="2026-03-02")
    assert response.status_code == 201, response.json
    assert (response.json["status"], response.json["incident"]) == ("active", None)


# --- the estate stage -----------------------------------------------------------------------------
def test_an_estate_stage_for_a_living_person_is_422_and_writes_nothing(as_user, debts):
    problems = refused(as_user("fo"), "estate_recovery", "P1003", debt_case_id=debts["P1003"])
    assert list(problems) == ["person_reference"]
    assert "death" in problems["person_reference"]


def test_an_estate_stage_for_a_deceased_person_with_a_debt_moved_in_starts(as_user, debts):
    """The death is recorded before the debt moves in (else recording it opens the stage)."""
    fo = as_user("fo")
    account = person_account("P1004")
    assert fo.post("/people/P1004/death", json={"date_of_death": "2026-03-20"}).status_code == 200
    response = start(fo, "estate_recovery", "P1004",
                     debt_case_id=moved_in_debt(account, "INV-4001"))
    assert response.status_code == 201, response.json
    assert (response.json["status"], response.json["incident"]) == ("active", None)
    assert [x["template"] for x in response.json["letters"]] == ["estate_final_account"]


def test_an_estate_stage_for_a_death_recorded_without_its_date_is_422(as_user, debts):
    """As an import from the old records may leave it; the final account prints the date."""
    person = db.session.get_one(DebtCase, debts["P1003"]).account.person
    person.deceased = True
    db.session.commit()
    problems = refused(as_user("fo"), "estate_recovery", "P1003", debt_case_id=debts["P1003"])
    assert list(problems) == ["person_reference"]
    assert "date of the person's death" in problems["person_reference"]


# --- the legal stage ------------------------------------------------------------------------------
def test_a_legal_stage_while_the_enclosures_are_placeholders_is_422(as_user, debts):
    problems = refused(as_user("fo"), "legal_recovery", "P1003", debt_case_id=debts["P1003"])
    assert list(problems) == ["process"]
    assert "Pre-Action Protocol wording" in problems["process"]


def test_a_legal_stage_for_a_person_who_has_died_is_422(as_user, debts, no_placeholders):
    fo = as_user("fo")
    account = person_account("P1004")
    assert fo.post("/people/P1004/death", json={"date_of_death": "2026-03-20"}).status_code == 200
    problems = refused(fo, "legal_recovery", "P1004",
                       debt_case_id=moved_in_debt(account, "INV-4001"))
    assert list(problems) == ["person_reference"]
    assert "estate stage" in problems["person_reference"]


def test_a_legal_stage_for_a_debt_moved_in_starts(as_user, debts, no_placeholders):
    response = start(as_user("fo"), "legal_recovery", "P1003", debt_case_id=debts["P1003"])
    assert response.status_code == 201, response.json
    assert response.json["incident"] is None


@pytest.mark.parametrize("process, data", [
    ("debt_recovery", {"invoice_date": "2026-03-02"}), ("debt_decision", {})])
def test_a_debt_process_started_for_a_debt_moved_in_becomes_the_debts_process(as_user, debts,
                                                                              process, data):
    response = start(as_user("fo"), process, "P1003", debt_case_id=debts["P1003"], **data)
    assert response.status_code == 201, response.json
    db.session.expire_all()
    assert db.session.get(DebtCase, debts["P1003"]).instance_id == response.json["id"]


def test_the_decision_on_a_debt_moved_in_can_be_completed(as_user, debts):
    fo = as_user("fo")
    started = start(fo, "debt_decision", "P1003", debt_case_id=debts["P1003"])
    assert started.status_code == 201, started.json
    task = task_named(fo, started.json["id"], "decide_next_step")
    done = fo.post(f"/tasks/{task['id']}/complete", json={"data": {
        "decision": "review_later", "review_on": "2027-01-15", "reasons": "Moved in: review"}})
    assert done.status_code == 200, done.json
