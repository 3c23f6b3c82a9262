"""The legal stage over HTTP: the deferred payment test, the Reply Form, documents and offers,
write-offs, the acknowledgment of service and the grant of probate, on the shipped diagrams and a
frozen clock.

The Letter of Claim debt is scenario 5's: INV-L1 (£3,250.00, dated Mon 5 Jan 2026) climbs the
ladder, the Letter of Claim is decided on Wed 1 Apr 2026 and posted the same day; deemed served
Tue 7 Apr, earliest claim date Fri 8 May. Every refused request must leave the case, its process
instance, its legal records and its money exactly as they were (`snapshot`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import inspect, select

from app.calendar import to_local_date
from app.extensions import db
from app.models import (
    AuditEvent,
    CourtClaim,
    DebtCase,
    Estate,
    HumanTask,
    InstanceStatus,
    Invoice,
    InvoiceQuery,
    Letter,
    LetterOfClaim,
    PausedTimer,
    Person,
    ProcessInstance,
    TaskStatus,
    WriteOff,
)
from app.services.debts import opening
from app.services.records import history
from tests.conftest import add_user
from tests.workflows.debt_helpers import (
    add_invoice,
    complete,
    debt_of,
    open_tasks,
    person_account,
    sweep,
)
from tests.workflows.legal_helpers import (
    approve_and_post,
    could_have_a_deferred_payment,
    decide_letter_of_claim,
    ladder_to_decision,
)

from .api_helpers import count, error_of, fields_of, fresh


@dataclass(frozen=True)
class Case:
    person_id: int
    reference: str
    debt_id: int


def case_of(account) -> Case:
    return Case(account.person_id, account.person.reference, debt_of(account).id)


def _rows(model, **where) -> list[dict[str, Any]]:
    stmt = select(model).order_by(model.id)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    columns = [c.key for c in inspect(model).column_attrs]
    return [{c: getattr(row, c) for c in columns} for row in db.session.scalars(stmt)]


def snapshot(case: Case) -> dict[str, Any]:
    """Everything a refused request must not change: the debt (with its deferred payment test),
    the process instance behind it, the person, the money, the legal records, and every row
    that records what was done."""
    fresh()
    debt = db.session.get(DebtCase, case.debt_id)
    instance = db.session.get(ProcessInstance, debt.instance_id) if debt.instance_id else None
    person = db.session.get(Person, case.person_id)
    return {
        "debt": (debt.status, debt.stage, debt.stage_changed_on, debt.closed_on,
                 debt.closed_reason, debt.guards, debt.dpa_outcome, debt.dpa_evidence,
                 debt.instance_id),
        "instance": None if instance is None else (
            instance.status, instance.state, instance.lock_version, instance.next_timer_due),
        "person": (person.deceased, person.date_of_death),
        "invoices": [(i.number, i.total, i.paid, i.status, i.query_hold, i.debt_case_id)
                     for i in db.session.scalars(select(Invoice).order_by(Invoice.id))],
        "letters_of_claim": _rows(LetterOfClaim),
        "claims": _rows(CourtClaim),
        "write_offs": _rows(WriteOff),
        "estates": _rows(Estate),
        "tasks": [(t.id, t.name, t.status) for t in
                  db.session.scalars(select(HumanTask).order_by(HumanTask.id))],
        "letters": [(r.id, r.template, r.status) for r in
                    db.session.scalars(select(Letter).order_by(Letter.id))],
        "rows": {model.__name__: count(model) for model in (AuditEvent, PausedTimer)},
    }


def templates(person_id: int) -> list[tuple[str, date, str]]:
    fresh()
    return [(r.template, r.letter_date, r.status) for r in db.session.scalars(
        select(Letter).where(Letter.person_id == person_id).order_by(Letter.id))]


def timer_day(case: Case) -> date | None:
    """The London day the debt's process next wakes, as the scheduler sees it."""
    fresh()
    debt = db.session.get(DebtCase, case.debt_id)
    due = db.session.get(ProcessInstance, debt.instance_id).next_timer_due
    return None if due is None else to_local_date(due)


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    return response.json


def task_names(api, reference: str) -> list[str]:
    return sorted(t["name"] for t in ok(api.get(f"/people/{reference}"))["tasks"])


@pytest.fixture
def fo_south(staff) -> str:
    """A finance officer of team South: holds the role, but North's cases are not theirs."""
    add_user("fo_south", "finance_officer", team="South")
    db.session.commit()
    return "fo_south"


@pytest.fixture
def prepared(no_placeholders) -> Case:
    """Scenario 5's debt on Wed 1 Apr 2026, 10:00: the Letter of Claim is prepared and waits
    for approval; nothing has been posted."""
    account = person_account()
    decide_letter_of_claim(ladder_to_decision(account, "3250.00", "2026-04-01"))
    return case_of(account)


@pytest.fixture
def posted(prepared) -> Case:
    """The same debt once the Letter of Claim is approved and posted on Wed 1 Apr 2026."""
    approve_and_post(db.session.get(DebtCase, prepared.debt_id))
    return prepared


@pytest.fixture
def dpa_held(no_placeholders) -> Case:
    """Scenario 6: Dorothy Dean lives in a care home, owns her home (not disregarded) and has
    £12,000 besides it, so a deferred payment agreement could be entered into (Care Act s69(2)):
    on 1 Apr 2026 the Letter of Claim is held and the offer letter goes instead."""
    account = person_account("P6001", "Dorothy Dean")
    could_have_a_deferred_payment(account)
    debt = decide_letter_of_claim(ladder_to_decision(account, "6800.00", "2026-04-01"))
    assert db.session.get(ProcessInstance, debt.instance_id).status == InstanceStatus.HELD
    assert "deferred_payment" in debt.guards
    sent = [t[0] for t in templates(account.person_id)]
    assert "dpa_offer" in sent and "letter_of_claim" not in sent
    return case_of(account)


@pytest.fixture
def claim_issued(posted) -> Case:
    """Scenario 5 on: referred on Fri 8 May 2026 and issued on Money Claim Online the same day,
    posted that day, so deemed served Tue 12 May; acknowledgment due 26 May, defence due 26 May
    without one, and the response timer on Thu 28 May (26 May + 2 days' grace)."""
    debt = db.session.get(DebtCase, posted.debt_id)
    sweep("2026-05-08")
    complete(open_tasks(debt)["approve_legal_referral"], "fm", decision="refer_to_legal",
             reasons="No reply within the window")
    complete(open_tasks(debt)["issue_claim"], "legal", claim_number="K00AB123",
             issued_on="2026-05-08", posted_on="2026-05-08")
    claim = db.session.scalar(select(CourtClaim).where(CourtClaim.debt_case_id == debt.id))
    assert (claim.status, claim.deemed_served_on, claim.defence_by) == (
        "issued", date(2026, 5, 12), date(2026, 5, 26))
    return posted


def ladder_debt(amount: str, reference: str = "P1001") -> Case:
    """An invoice of Mon 2 Mar 2026, due 23 Mar: the case opens on 24 Mar and reminder 1 goes on
    Mon 30 Mar 2026 (07:30, the clock left there)."""
    account = person_account(reference)
    add_invoice(account, "INV-1001", date(2026, 3, 2), amount)
    sweep("2026-03-24")
    sweep("2026-03-30")
    return case_of(account)


@pytest.fixture
def reminded(staff) -> Case:
    """The write-off and estate debt: £1,500.00, at reminder 1 on Mon 30 Mar 2026."""
    return ladder_debt("1500.00")


# --- the deferred payment test (Care Act s69(2)) ---------------------------------------------------
def dpa_test(api, case: Case, body: dict):
    return api.post(f"/debts/{case.debt_id}/dpa-test", json=body)


@pytest.mark.parametrize("body, field", [
    ({"outcome": "maybe", "evidence": "Letter of 20 April"}, "outcome"),
    ({"outcome": "OFFERED_REFUSED", "evidence": "Letter of 20 April"}, "outcome"),
    ({"evidence": "Letter of 20 April"}, "outcome"),
    ({"outcome": "offered_refused", "evidence": "x" * 501}, "evidence"),
    ({"outcome": "offered_refused", "evidence": "Letter", "colour": "red"}, "colour"),
])
def test_a_malformed_dpa_test_is_422_and_changes_nothing(as_user, dpa_held, body, field):
    before = snapshot(dpa_held)
    error = error_of(dpa_test(as_user("fo"), dpa_held, body), 422, "validation_failed")
    assert fields_of(error) == [field]
    assert snapshot(dpa_held) == before


@pytest.mark.parametrize("outcome", ["offered_refused", "ineligible"])
@pytest.mark.parametrize("evidence", [None, "", "   \n\t"])
def test_a_refusal_or_ineligibility_without_evidence_is_422_and_changes_nothing(
        as_user, dpa_held, outcome, evidence):
    body = {"outcome": outcome} if evidence is None else {"outcome": outcome,
                                                          "evidence": evidence}
    before = snapshot(dpa_held)
    error = error_of(dpa_test(as_user("fo"), dpa_held, body), 422, "validation_failed")
    assert fields_of(error) == ["evidence"]
    assert snapshot(dpa_held) == before
    assert "letter_of_claim" not in [t[0] for t in templates(dpa_held.person_id)]


def test_not_eligible_without_evidence_is_refused_like_ineligible(as_user, dpa_held):
    """app/domain/deferred_payment.py: "ineligible" and "not_eligible" are two spellings of the
    same outcome, and both lift the s69(2) block. Evidence is required for one spelling, so it
    must be for the other, or the block lifts (and the Letter of Claim goes) on no evidence."""
    before = snapshot(dpa_held)
    error = error_of(dpa_test(as_user("fo"), dpa_held, {"outcome": "not_eligible"}),
                     422, "validation_failed")
    assert fields_of(error) == ["evidence"]
    assert snapshot(dpa_held) == before


def test_a_refusal_with_evidence_lifts_the_block_and_prepares_the_letter_of_claim(
        as_user, dpa_held):
    fo = as_user("fo")
    sweep("2026-04-21", "10:00")
    response = dpa_test(fo, dpa_held, {"outcome": "offered_refused",
                                       "evidence": "  Refusal letter from Mrs Dean dated "
                                                   "20 April  "})
    assert ok(response) == {"id": dpa_held.debt_id, "dpa_outcome": "offered_refused",
                            "stage": "letter_of_claim"}
    fresh()
    debt = db.session.get(DebtCase, dpa_held.debt_id)
    assert debt.dpa_evidence == "Refusal letter from Mrs Dean dated 20 April"
    assert "deferred_payment" not in debt.guards
    assert db.session.get(ProcessInstance, debt.instance_id).status == InstanceStatus.ACTIVE
    loc_letters = [t for t in templates(dpa_held.person_id) if t[0] == "letter_of_claim"]
    assert loc_letters == [("letter_of_claim", date(2026, 4, 21), "awaiting_approval")]
    loc = db.session.scalar(select(LetterOfClaim).where(
        LetterOfClaim.debt_case_id == dpa_held.debt_id))
    assert (loc.status, loc.amount) == ("awaiting_approval", Decimal("6800.00"))
    assert "approve_letter_of_claim" in open_tasks(debt)
    body = ok(fo.get(f"/debts/{dpa_held.debt_id}"))
    assert body["guards"] == [] and body["stage"] == "letter_of_claim"
    assert count(AuditEvent, action="dpa_test_recorded") == 1


def test_an_accepted_offer_is_recorded_and_keeps_the_letter_of_claim_back(as_user, dpa_held):
    """A deferred payment agreement secures the debt: court recovery is not the route."""
    response = dpa_test(as_user("fo"), dpa_held, {"outcome": "offered_accepted"})
    assert ok(response)["dpa_outcome"] == "offered_accepted"
    assert "letter_of_claim" not in [t[0] for t in templates(dpa_held.person_id)]
    fresh()
    debt = db.session.get(DebtCase, dpa_held.debt_id)
    assert db.session.get(ProcessInstance, debt.instance_id).status == InstanceStatus.HELD


def test_the_dpa_test_is_for_officers_of_the_team_and_known_debts(as_user, dpa_held, fo_south):
    body = {"outcome": "offered_refused", "evidence": "Refusal letter of 20 April"}
    before = snapshot(dpa_held)
    error_of(dpa_test(as_user("fa"), dpa_held, body), 403, "forbidden")
    error_of(dpa_test(as_user("cw"), dpa_held, body), 403, "forbidden")
    # fa_south is refused on the role before the team is looked at.
    error_of(dpa_test(as_user("fa_south"), dpa_held, body), 403, "forbidden")
    error_of(dpa_test(as_user(fo_south), dpa_held, body), 404, "not_found")
    error_of(as_user("fo").post("/debts/9999/dpa-test", json=body), 404, "not_found")
    assert snapshot(dpa_held) == before


# --- the Reply Form ---------------------------------------------------------------------------------
def reply(api, case: Case, **overrides):
    body = {"received_on": "2026-04-01", "box": "C"} | overrides
    return api.post(f"/debts/{case.debt_id}/letter-of-claim/reply", json=body)


def loc_json(api, case: Case) -> dict:
    return ok(api.get(f"/debts/{case.debt_id}/letter-of-claim"))


def test_a_reply_before_any_letter_of_claim_is_posted_is_409(as_user, prepared):
    fo = as_user("fo")
    before = snapshot(prepared)
    error_of(reply(fo, prepared), 409, "conflict")
    error_of(fo.post(f"/debts/{prepared.debt_id}/letter-of-claim/documents",
                     json={"provided_on": "2026-04-01", "documents": ["Statement"]}),
             409, "conflict")
    error_of(fo.post(f"/debts/{prepared.debt_id}/letter-of-claim/offer",
                     json={"accept": True}), 409, "conflict")
    error_of(fo.get(f"/debts/{prepared.debt_id}/letter-of-claim"), 404, "not_found")
    assert snapshot(prepared) == before


def test_the_posted_letter_of_claim_shows_its_window(as_user, posted):
    body = loc_json(as_user("legal"), posted)
    assert (body["status"], body["amount"], body["letter_date"], body["deemed_service"],
            body["earliest_issue"]) == ("posted", "3250.00", "2026-04-01", "2026-04-07",
                                        "2026-05-08")
    assert (body["reply_received_on"], body["reply_box"], body["documents_provided_on"],
            body["offer_decision"]) == (None, None, None, None)
    assert timer_day(posted) == date(2026, 5, 8)


@pytest.mark.parametrize("overrides, field", [
    ({"received_on": "2026-03-31"}, "received_on"),  # the day before the letter
    ({"received_on": "2026-04-02"}, "received_on"),  # tomorrow
    ({"received_on": "1 April 2026"}, "received_on"),
    ({"box": "E"}, "box"),
    ({"box": "c"}, "box"),
    ({"offer_amount": "0"}, "offer_amount"),
    ({"offer_amount": "-5.00"}, "offer_amount"),
    ({"documents_requested": "perhaps"}, "documents_requested"),
    ({"shoe_size": 9}, "shoe_size"),
])
def test_a_bad_reply_is_422_and_changes_nothing(as_user, posted, overrides, field):
    before = snapshot(posted)
    error = error_of(reply(as_user("fo"), posted, **overrides), 422, "validation_failed")
    assert fields_of(error) == [field]
    assert snapshot(posted) == before


def queries_of(case: Case) -> list[InvoiceQuery]:
    fresh()
    return list(db.session.scalars(select(InvoiceQuery).where(
        InvoiceQuery.person_id == case.person_id).order_by(InvoiceQuery.id)))


def test_a_box_d_dispute_about_the_invoices_opens_an_invoice_query(as_user, posted):
    """DOMAIN.md A.3 step 8: a dispute that the invoices are wrong goes to A.4 (an invoice
    query, in the same transaction), not to the manager's review."""
    fo = as_user("fo")
    ok(reply(fo, posted, received_on="2026-04-01", box="D", disputes_invoices=True,
             dispute="The January invoice charges the old rate after the uplift."))
    [query] = queries_of(posted)
    assert (query.status, query.received_on, query.channel, query.raised_by, query.query_type,
            query.what_was_said, query.owner_id) == (
        "open", date(2026, 4, 1), "letter", "person", "rate_wrong",
        "The January invoice charges the old rate after the uplift.", None)
    assert [(i.invoice.number, i.line_id, i.amount) for i in query.items] == [
        ("INV-L1", None, None)]
    assert query.items[0].invoice.query_hold is True
    assert query.instance_id is not None  # the invoice_query process works it
    assert "review_dispute" not in open_tasks(db.session.get(DebtCase, posted.debt_id))
    assert loc_json(fo, posted)["reply_box"] == "D"
    entries, _ = history.entries_of(db.session.get(Person, posted.person_id),
                                    show_system=False)
    assert (f"Query {query.reference} opened: rate or charge wrong, on invoice INV-L1 "
            "(£3,250.00)") in [e.what for e in entries]
    # The query holds the debt: its only invoice is under it.
    assert [g["guard"] for g in ok(fo.get(f"/debts/{posted.debt_id}"))["guards"]] == [
        "invoice_query"]


def test_a_box_d_dispute_can_name_the_query_type(as_user, posted):
    ok(reply(as_user("fo"), posted, box="D", disputes_invoices=True,
             dispute="The assessment ignored my rent.", dispute_type="assessment"))
    assert [q.query_type for q in queries_of(posted)] == ["assessment"]


def test_a_box_d_dispute_not_about_the_invoices_goes_to_the_managers_review(as_user, posted):
    ok(reply(as_user("fo"), posted, box="D", disputes_invoices=False))
    assert queries_of(posted) == []
    review = open_tasks(db.session.get(DebtCase, posted.debt_id))["review_dispute"]
    assert review.role == "finance_manager"


@pytest.mark.parametrize("overrides, field", [
    ({"box": "D"}, "disputes_invoices"),
    ({"box": "D", "disputes_invoices": None}, "disputes_invoices"),
    ({"box": "D", "disputes_invoices": True}, "dispute"),
    ({"box": "D", "disputes_invoices": True, "dispute": "   "}, "dispute"),
    ({"box": "D", "disputes_invoices": True, "dispute": "x" * 5001}, "dispute"),
    ({"box": "D", "disputes_invoices": True, "dispute": "Wrong", "dispute_type": "other"},
     "dispute_type"),
])
def test_a_box_d_reply_without_its_answers_is_422_and_changes_nothing(as_user, posted,
                                                                      overrides, field):
    before = snapshot(posted)
    error = error_of(reply(as_user("fo"), posted, **overrides), 422, "validation_failed")
    assert fields_of(error) == [field]
    assert snapshot(posted) == before and queries_of(posted) == []


def test_a_reply_without_a_received_date_is_422(as_user, posted):
    before = snapshot(posted)
    response = as_user("fo").post(f"/debts/{posted.debt_id}/letter-of-claim/reply",
                                  json={"box": "C"})
    assert fields_of(error_of(response, 422, "validation_failed")) == ["received_on"]
    assert snapshot(posted) == before


def test_the_reply_is_for_officers_of_the_team(as_user, posted, fo_south):
    before = snapshot(posted)
    error_of(reply(as_user("fa"), posted), 403, "forbidden")
    error_of(reply(as_user("legal"), posted), 403, "forbidden")
    error_of(reply(as_user(fo_south), posted), 404, "not_found")
    error_of(as_user("fo").post("/debts/9999/letter-of-claim/reply",
                                json={"received_on": "2026-04-01"}), 404, "not_found")
    error_of(as_user(fo_south).get(f"/debts/{posted.debt_id}/letter-of-claim"),
             404, "not_found")
    assert snapshot(posted) == before


def test_a_reply_asking_for_documents_then_the_documents_move_the_earliest_date(as_user,
                                                                                posted):
    fo = as_user("fo")
    sweep("2026-04-24", "10:00")
    response = reply(fo, posted, received_on="2026-04-24", box="C", documents_requested=True,
                     seeking_advice=True)
    body = ok(response)
    # Fri 24 Apr + 31 days is Mon 25 May, the spring bank holiday: Tue 26 May.
    assert (body["reply_received_on"], body["reply_box"], body["earliest_issue"]) == (
        "2026-04-24", "C", "2026-05-26")
    got = loc_json(fo, posted)
    assert (got["earliest_issue"], got["letter_date"], got["deemed_service"]) == (
        "2026-05-26", "2026-04-01", "2026-04-07")
    assert timer_day(posted) == date(2026, 5, 26)
    assert count(AuditEvent, action="timer_rescheduled") == 1

    sweep("2026-05-06", "10:00")
    letters_before = count(Letter, template="pap_documents")
    response = fo.post(f"/debts/{posted.debt_id}/letter-of-claim/documents",
                       json={"provided_on": "2026-05-06",
                             "documents": ["Statement of account", "Care and support plan"]})
    body = ok(response)
    # Wed 6 May + 31 days is Sat 6 Jun: Mon 8 Jun.
    assert (body["documents_provided_on"], body["earliest_issue"]) == ("2026-05-06",
                                                                       "2026-06-08")
    assert loc_json(fo, posted)["earliest_issue"] == "2026-06-08"
    assert timer_day(posted) == date(2026, 6, 8)
    assert count(Letter, template="pap_documents") == letters_before + 1
    sweep("2026-05-26")
    assert "approve_legal_referral" not in open_tasks(db.session.get(DebtCase, posted.debt_id))


def test_documents_nobody_asked_for_are_409_and_change_nothing(as_user, posted):
    fo = as_user("fo")
    sweep("2026-04-20", "10:00")
    ok(reply(fo, posted, received_on="2026-04-20", box="A"))
    before = snapshot(posted)
    error_of(fo.post(f"/debts/{posted.debt_id}/letter-of-claim/documents",
                     json={"provided_on": "2026-04-20", "documents": ["Statement"]}),
             409, "conflict")
    assert snapshot(posted) == before


@pytest.mark.parametrize("body, field", [
    ({"provided_on": "2026-04-21", "documents": ["Statement"]}, "provided_on"),  # tomorrow
    ({"provided_on": "2026-03-31", "documents": ["Statement"]}, "provided_on"),
    # Before the Reply Form that asked for them arrived (20 Apr).
    ({"provided_on": "2026-04-02", "documents": ["Statement"]}, "provided_on"),
    ({"provided_on": "2026-04-20", "documents": []}, "documents"),
    ({"provided_on": "2026-04-20"}, "documents"),
])
def test_bad_documents_are_422_and_change_nothing(as_user, posted, body, field):
    fo = as_user("fo")
    sweep("2026-04-20", "10:00")
    ok(reply(fo, posted, received_on="2026-04-20", box="C", documents_requested=True))
    before = snapshot(posted)
    error = error_of(fo.post(f"/debts/{posted.debt_id}/letter-of-claim/documents", json=body),
                     422, "validation_failed")
    assert fields_of(error) == [field]
    assert snapshot(posted) == before


# --- the offer on the Reply Form -------------------------------------------------------------------------
def offer(api, case: Case, body: dict):
    return api.post(f"/debts/{case.debt_id}/letter-of-claim/offer", json=body)


@pytest.fixture
def offered(as_user, posted) -> Case:
    """A Reply Form received Mon 20 Apr 2026 (box B) offering £5.00 a month."""
    sweep("2026-04-20", "10:00")
    ok(reply(as_user("fo"), posted, received_on="2026-04-20", box="B", offer_amount="5.00",
             offer_frequency="monthly"))
    return posted


def test_deciding_an_offer_nobody_made_is_409_and_changes_nothing(as_user, posted):
    fo = as_user("fo")
    sweep("2026-04-20", "10:00")
    ok(reply(fo, posted, received_on="2026-04-20", box="A"))
    before = snapshot(posted)
    error_of(offer(fo, posted, {"accept": True}), 409, "conflict")
    error_of(offer(fo, posted, {"accept": False, "reasons": ["Too little"]}), 409, "conflict")
    assert snapshot(posted) == before


@pytest.mark.parametrize("reasons", [None, [], [""], ["   ", "\n"]])
def test_a_refusal_without_written_reasons_is_422_and_changes_nothing(as_user, offered,
                                                                      reasons):
    body = {"accept": False} if reasons is None else {"accept": False, "reasons": reasons}
    before = snapshot(offered)
    error = error_of(offer(as_user("fo"), offered, body), 422, "validation_failed")
    assert fields_of(error) == ["reasons"]
    assert snapshot(offered) == before
    assert "pap_offer_refused" not in [t[0] for t in templates(offered.person_id)]


def test_a_refusal_with_reasons_sends_the_letter_and_a_second_decision_is_409(as_user,
                                                                               offered):
    fo = as_user("fo")
    response = offer(fo, offered, {
        "accept": False, "reasons": ["£5 a month would take 54 years to clear the debt"],
        "counter_proposal": "£60 a month",
        "income_expenditure_summary": "Income £900, outgoings £700"})
    body = ok(response)
    assert body["offer_decision"] == "refused"
    assert loc_json(fo, offered)["offer_decision"] == "refused"
    fresh()
    loc = db.session.scalar(select(LetterOfClaim).where(
        LetterOfClaim.debt_case_id == offered.debt_id, LetterOfClaim.status == "posted"))
    assert loc.refusal_reasons == ["£5 a month would take 54 years to clear the debt"]
    refused = [t for t in templates(offered.person_id) if t[0] == "pap_offer_refused"]
    assert refused == [("pap_offer_refused", date(2026, 4, 20), refused[0][2])]
    assert count(AuditEvent, action="pap_offer_refused") == 1

    before = snapshot(offered)
    error_of(offer(fo, offered, {"accept": True}), 409, "conflict")
    error_of(offer(fo, offered, {"accept": False, "reasons": ["Again"]}), 409, "conflict")
    assert snapshot(offered) == before


def test_an_accepted_offer_sends_no_refusal(as_user, offered):
    body = ok(offer(as_user("fo"), offered, {"accept": True}))
    assert body["offer_decision"] == "accepted"
    assert "pap_offer_refused" not in [t[0] for t in templates(offered.person_id)]


def test_a_new_reply_with_a_new_offer_needs_a_new_decision(as_user, offered):
    # The person may answer the refusal with a better offer: it must be considered, not hidden
    # behind the first offer's decision.
    fo = as_user("fo")
    ok(offer(fo, offered, {"accept": False, "reasons": ["Too little"]}))
    ok(reply(fo, offered, received_on="2026-04-20", box="B", offer_amount="60.00",
             offer_frequency="monthly"))
    assert loc_json(fo, offered)["offer_decision"] is None
    assert ok(offer(fo, offered, {"accept": True}))["offer_decision"] == "accepted"
    # The same offer again keeps its decision.
    ok(reply(fo, offered, received_on="2026-04-20", box="B", offer_amount="60.00",
             offer_frequency="monthly"))
    assert loc_json(fo, offered)["offer_decision"] == "accepted"


def test_an_offer_decision_needs_accept(as_user, offered):
    before = snapshot(offered)
    error = error_of(offer(as_user("fo"), offered, {"reasons": ["Too little"]}),
                     422, "validation_failed")
    assert fields_of(error) == ["accept"]
    error_of(offer(as_user("fa"), offered, {"accept": True}), 403, "forbidden")
    assert snapshot(offered) == before


# --- write-off -------------------------------------------------------------------------------------------
def propose(api, case: Case, reason: str, notes: str | None = "Not worth a claim"):
    return api.post(f"/debts/{case.debt_id}/write-off", json={"reason": reason, "notes": notes})


def decide(api, write_off_id: int, approve: bool = True, reason: str | None = None):
    body = {"approve": approve, **({"reason": reason} if reason else {})}
    return api.post(f"/write-offs/{write_off_id}/decision", json=body)


@pytest.mark.parametrize("reason", ["too_old", "Uneconomic", ""])
def test_an_unknown_write_off_reason_is_422_and_changes_nothing(as_user, reminded, reason):
    before = snapshot(reminded)
    error = error_of(propose(as_user("fo"), reminded, reason), 422, "validation_failed")
    assert fields_of(error) == ["reason"]
    assert snapshot(reminded) == before


def test_statute_barred_when_nothing_is_barred_is_422_and_changes_nothing(as_user, reminded):
    before = snapshot(reminded)
    error = error_of(propose(as_user("fo"), reminded, "statute_barred"), 422,
                     "validation_failed")
    assert set(fields_of(error)) == {"reason"}
    assert any("not statute-barred until" in d["message"] for d in error["details"])
    assert snapshot(reminded) == before


@pytest.mark.parametrize("amount, role", [
    ("1000.00", "finance_officer"), ("1000.01", "finance_manager"), ("1500.00",
                                                                      "finance_manager")])
def test_a_valid_proposal_is_201_with_the_approver_the_amount_needs(as_user, staff, amount,
                                                                    role):
    case = ladder_debt(amount)
    response = propose(as_user("fo"), case, "uneconomic")
    body = ok(response, 201)
    assert (body["debt_case_id"], body["reason"], body["amount"], body["approver_role"],
            body["status"]) == (case.debt_id, "uneconomic", amount, role, "proposed")
    assert count(WriteOff) == 1
    assert count(Letter, template="write_off_memo") == 1
    fresh()
    tasks = db.session.scalars(select(HumanTask).where(HumanTask.name == "approve_write_off"))
    assert [(t.status, t.role) for t in tasks] == [(TaskStatus.OPEN, role)]


def test_a_second_proposal_while_one_waits_is_409(as_user, reminded):
    fo = as_user("fo")
    ok(propose(fo, reminded, "uneconomic"), 201)
    before = snapshot(reminded)
    error_of(propose(fo, reminded, "gone_away"), 409, "conflict")
    assert snapshot(reminded) == before


def test_write_offs_are_proposed_by_officers_of_the_team(as_user, reminded, fo_south):
    before = snapshot(reminded)
    error_of(propose(as_user("fa"), reminded, "uneconomic"), 403, "forbidden")
    error_of(propose(as_user(fo_south), reminded, "uneconomic"), 404, "not_found")
    error_of(as_user("fo").post("/debts/9999/write-off", json={"reason": "uneconomic"}),
             404, "not_found")
    assert snapshot(reminded) == before


def test_a_write_off_decided_without_the_amounts_role_is_403_then_approved_closes_the_debt(
        as_user, reminded):
    fo, fm = as_user("fo"), as_user("fm")
    proposal = ok(propose(fo, reminded, "uneconomic"), 201)
    assert proposal["approver_role"] == "finance_manager"
    before = snapshot(reminded)
    error_of(decide(fo, proposal["id"]), 403, "forbidden")  # an approver, not at this level
    error_of(decide(fo, proposal["id"], approve=False), 403, "forbidden")
    error_of(decide(as_user("fa"), proposal["id"]), 403, "forbidden")
    error_of(decide(as_user("legal"), proposal["id"]), 403, "forbidden")
    error_of(decide(fm, 9999), 404, "not_found")
    error = error_of(fm.post(f"/write-offs/{proposal['id']}/decision", json={}), 422,
                     "validation_failed")
    assert fields_of(error) == ["approve"]
    assert snapshot(reminded) == before

    sweep("2026-04-02", "10:00")
    body = ok(decide(fm, proposal["id"]))
    assert (body["id"], body["status"], body["amount"]) == (proposal["id"], "approved",
                                                            "1500.00")
    debt = ok(fm.get(f"/debts/{reminded.debt_id}"))
    assert (debt["status"], debt["closed_reason"], debt["closed_on"], debt["stage"]) == (
        "closed", "written_off", "2026-04-02", "closed")
    assert debt["next_step"] is None
    fresh()
    assert db.session.scalar(select(Invoice.status).where(Invoice.number == "INV-1001")) == (
        "written_off")
    instance = db.session.get(ProcessInstance, db.session.get(DebtCase,
                                                              reminded.debt_id).instance_id)
    assert (instance.status, instance.next_timer_due) == (InstanceStatus.COMPLETED, None)

    before = snapshot(reminded)
    error_of(decide(fm, proposal["id"]), 409, "conflict")
    error_of(decide(fm, proposal["id"], approve=False), 409, "conflict")
    error_of(propose(fo, reminded, "uneconomic"), 409, "conflict")  # the debt is closed
    assert snapshot(reminded) == before


def test_a_rejected_write_off_leaves_the_debt_open(as_user, reminded):
    fm = as_user("fm")
    proposal = ok(propose(as_user("fo"), reminded, "gone_away"), 201)
    before = snapshot(reminded)
    error = error_of(decide(fm, proposal["id"], approve=False), 422, "validation_failed")
    assert error["details"] == [{"field": "reason",
                                 "message": "Enter why the write-off is rejected"}]
    assert snapshot(reminded) == before
    assert ok(decide(fm, proposal["id"], approve=False,
                     reason="A tracing agent may find them"))["status"] == "rejected"
    debt = ok(fm.get(f"/debts/{reminded.debt_id}"))
    assert (debt["status"], debt["balance"]) == ("open", "1500.00")
    error_of(decide(fm, proposal["id"]), 409, "conflict")


def test_a_write_off_waiting_when_the_debt_is_paid_cannot_then_be_approved(as_user, reminded):
    fm = as_user("fm")
    proposal = ok(propose(as_user("fo"), reminded, "gone_away"), 201)
    opening.close_paid(db.session.get(DebtCase, reminded.debt_id), None)  # paid in full meanwhile
    db.session.commit()
    before = snapshot(reminded)
    error = error_of(decide(fm, proposal["id"]), 409, "conflict")
    assert "closed" in error["message"]
    assert snapshot(reminded) == before
    debt = ok(fm.get(f"/debts/{reminded.debt_id}"))
    assert (debt["status"], debt["closed_reason"]) == ("closed", "paid_in_full")


@pytest.fixture
def barred_and_live(staff) -> Case:
    """INV-2020 (£560.00, due 23 Mar 2020) became statute-barred on 23 Mar 2026; INV-1001
    (£412.50, due 23 Mar 2026) is recoverable. Both are on the debt opened on 24 Mar 2026."""
    account = person_account()
    db.session.add(Invoice(number="INV-2020", account_id=account.id,
                           invoice_date=date(2020, 3, 2), due_date=date(2020, 3, 23),
                           total=Decimal("560.00")))
    db.session.commit()
    add_invoice(account, "INV-1001", date(2026, 3, 2), "412.50")
    sweep("2026-03-24")
    sweep("2026-03-30")
    case = case_of(account)
    fresh()
    numbers = sorted(i.number for i in db.session.get(DebtCase, case.debt_id).invoices)
    assert numbers == ["INV-1001", "INV-2020"]
    return case


def test_a_statute_barred_write_off_takes_only_the_barred_invoice(as_user, barred_and_live):
    fo = as_user("fo")
    proposal = ok(propose(fo, barred_and_live, "statute_barred", "Six years passed"), 201)
    error_of(decide(fo, proposal["id"]), 403, "forbidden")  # never by its own proposer
    fo = as_user("fm")
    assert (proposal["amount"], proposal["approver_role"]) == ("560.00", "finance_officer")
    ok(decide(fo, proposal["id"]))
    debt = ok(fo.get(f"/debts/{barred_and_live.debt_id}"))
    assert (debt["status"], debt["balance"]) == ("open", "412.50")


def write_off_barred(api, case: Case, approver) -> None:
    first = ok(propose(api, case, "statute_barred", "Six years passed"), 201)
    assert ok(decide(approver, first["id"]))["status"] == "approved"


def test_a_barred_invoice_already_written_off_is_not_proposed_again(as_user, barred_and_live):
    """Once INV-2020 is written off, nothing barred is left: a second statute-barred proposal
    must be refused, not raised again for the same £560.00."""
    fo = as_user("fo")
    write_off_barred(fo, barred_and_live, as_user("fm"))
    before = snapshot(barred_and_live)
    error_of(propose(fo, barred_and_live, "statute_barred"), 422, "validation_failed")
    assert snapshot(barred_and_live) == before


def test_a_write_off_of_the_rest_leaves_out_the_invoice_already_written_off(as_user,
                                                                           barred_and_live):
    """The rest of the debt is INV-1001's £412.50: the balance the debt view shows."""
    fo = as_user("fo")
    write_off_barred(fo, barred_and_live, as_user("fm"))
    assert ok(fo.get(f"/debts/{barred_and_live.debt_id}"))["balance"] == "412.50"
    rest = ok(propose(fo, barred_and_live, "uneconomic"), 201)
    assert (rest["amount"], rest["approver_role"]) == ("412.50", "finance_officer")


def test_an_officer_who_did_not_propose_it_may_not_approve_a_managers_write_off(as_user,
                                                                              reminded):
    """The approval level on its own: a second finance officer of the team passes the
    four-eyes rule but holds a level below the one £1,500 needs."""
    add_user("fo_second", "finance_officer", team="North")
    db.session.commit()
    proposal = ok(propose(as_user("fo"), reminded, "uneconomic"), 201)
    assert proposal["approver_role"] == "finance_manager"
    before = snapshot(reminded)
    error = error_of(decide(as_user("fo_second"), proposal["id"]), 403, "forbidden")
    assert "finance_manager" in error["message"]
    error_of(decide(as_user("fo_second"), proposal["id"], approve=False), 403, "forbidden")
    assert snapshot(reminded) == before
    assert ok(decide(as_user("fm"), proposal["id"]))["status"] == "approved"


def test_a_finance_manager_may_approve_a_write_off_an_officer_may_approve(as_user, staff):
    """The levels escalate by amount: a manager, who may approve any amount, is not refused a
    small one that an officer could approve."""
    case = ladder_debt("400.00")
    proposal = ok(propose(as_user("fo"), case, "uneconomic"), 201)
    assert proposal["approver_role"] == "finance_officer"
    assert ok(decide(as_user("fm"), proposal["id"]))["status"] == "approved"
    assert ok(as_user("fm").get(f"/debts/{case.debt_id}"))["status"] == "closed"


# --- the acknowledgment of service ---------------------------------------------------------------------------
def acknowledge(api, case: Case, filed_on: str):
    return api.post(f"/debts/{case.debt_id}/claim/acknowledgment", json={"filed_on": filed_on})


def test_an_acknowledgment_without_an_issued_claim_is_409(as_user, posted):
    before = snapshot(posted)
    error_of(acknowledge(as_user("legal"), posted, "2026-04-01"), 409, "conflict")
    assert snapshot(posted) == before


def test_an_acknowledgment_of_a_referred_claim_not_yet_issued_is_409(as_user, posted):
    debt = db.session.get(DebtCase, posted.debt_id)
    sweep("2026-05-08")
    complete(open_tasks(debt)["approve_legal_referral"], "fm", decision="refer_to_legal",
             reasons="No reply within the window")
    sweep("2026-05-11", "10:00")
    before = snapshot(posted)
    error_of(acknowledge(as_user("legal"), posted, "2026-05-11"), 409, "conflict")
    assert snapshot(posted) == before


def test_an_acknowledgment_gives_28_days_from_service_and_moves_the_timer(as_user,
                                                                          claim_issued):
    assert timer_day(claim_issued) == date(2026, 5, 28)  # 26 May + 2 days' grace
    sweep("2026-05-20", "10:00")
    response = acknowledge(as_user("legal"), claim_issued, "2026-05-20")
    # Deemed served Tue 12 May; 28 days after is Tue 9 Jun 2026 (CPR 15.4(1)(b)).
    assert ok(response) == {"claim_number": "K00AB123", "defence_by": "2026-06-09"}
    fresh()
    claim = db.session.scalar(select(CourtClaim).where(
        CourtClaim.debt_case_id == claim_issued.debt_id))
    assert (claim.aos_filed_on, claim.defence_by, claim.acknowledgment_by) == (
        date(2026, 5, 20), date(2026, 6, 9), date(2026, 5, 26))
    assert timer_day(claim_issued) == date(2026, 6, 11)  # 9 Jun + 2 days, a Thursday
    assert count(AuditEvent, action="claim_acknowledged") == 1
    sweep("2026-05-28")
    assert timer_day(claim_issued) == date(2026, 6, 11)  # the old day no longer fires

    before = snapshot(claim_issued)
    error_of(acknowledge(as_user("legal"), claim_issued, "2026-05-20"), 409, "conflict")
    error_of(acknowledge(as_user("fo"), claim_issued, "2026-05-21"), 409, "conflict")
    assert snapshot(claim_issued) == before


@pytest.mark.parametrize("filed_on", ["2026-05-07", "2026-05-21", "20/05/2026"])
def test_an_acknowledgment_date_out_of_range_is_422_and_changes_nothing(as_user, claim_issued,
                                                                        filed_on):
    sweep("2026-05-20", "10:00")
    before = snapshot(claim_issued)
    error = error_of(acknowledge(as_user("legal"), claim_issued, filed_on), 422,
                     "validation_failed")
    assert fields_of(error) == ["filed_on"]
    assert snapshot(claim_issued) == before


def test_the_acknowledgment_is_for_legal_and_officers_of_the_team(as_user, claim_issued,
                                                                  fo_south):
    sweep("2026-05-20", "10:00")
    before = snapshot(claim_issued)
    error_of(acknowledge(as_user("fa"), claim_issued, "2026-05-20"), 403, "forbidden")
    error_of(acknowledge(as_user("cw"), claim_issued, "2026-05-20"), 403, "forbidden")
    error_of(acknowledge(as_user(fo_south), claim_issued, "2026-05-20"), 404, "not_found")
    error_of(as_user("legal").post("/debts/9999/claim/acknowledgment",
                                   json={"filed_on": "2026-05-20"}), 404, "not_found")
    assert snapshot(claim_issued) == before


# --- the grant of probate or letters of administration -------------------------------------------------
def grant(api, reference: str, grant_date: str, grant_type: str = "probate"):
    return api.post(f"/people/{reference}/estate/grant",
                    json={"grant_type": grant_type, "grant_date": grant_date})


def test_a_grant_for_a_living_person_is_409_and_changes_nothing(as_user, reminded):
    before = snapshot(reminded)
    error_of(grant(as_user("fo"), "P1001", "2026-03-27"), 409, "conflict")
    assert snapshot(reminded) == before
    assert count(Estate) == 0


@pytest.fixture
def died(as_user, reminded) -> Case:
    """Alice Example died on Sat 28 Mar 2026, recorded on Mon 30 Mar: her debt goes to the
    estate route, the final account goes and the grant (or a standing search) is awaited."""
    response = as_user("fa").post("/people/P1001/death", json={"date_of_death": "2026-03-28"})
    assert response.status_code == 200, response.json
    fresh()
    debt = db.session.get(DebtCase, reminded.debt_id)
    assert debt.stage == "estate"
    assert "estate_final_account" in [t[0] for t in templates(reminded.person_id)]
    return reminded


@pytest.mark.parametrize("body, field", [
    ({"grant_type": "probate", "grant_date": "2026-03-27"}, "grant_date"),  # before the death
    ({"grant_type": "probate", "grant_date": "2026-03-31"}, "grant_date"),  # tomorrow
    ({"grant_type": "probate"}, "grant_date"),
    ({"grant_type": "will", "grant_date": "2026-03-30"}, "grant_type"),
    ({"grant_date": "2026-03-30"}, "grant_type"),
])
def test_a_bad_grant_is_422_and_changes_nothing(as_user, died, body, field):
    before = snapshot(died)
    error = error_of(as_user("fo").post("/people/P1001/estate/grant", json=body), 422,
                     "validation_failed")
    assert fields_of(error) == [field]
    assert snapshot(died) == before


def test_a_grant_after_the_death_starts_the_claim_against_the_estate(as_user, died):
    fo = as_user("fo")
    assert "pursue_estate_after_grant" not in task_names(fo, "P1001")
    response = grant(fo, "P1001", "2026-03-28", "administration")
    assert ok(response) == {"reference": "P1001", "grant_type": "administration",
                            "grant_date": "2026-03-28"}
    fresh()
    estate = db.session.scalar(select(Estate).where(Estate.person_id == died.person_id))
    assert (estate.grant_type, estate.grant_date) == ("administration", date(2026, 3, 28))
    assert "pursue_estate_after_grant" in task_names(fo, "P1001")
    debt = db.session.get(DebtCase, died.debt_id)
    instance = db.session.get(ProcessInstance, debt.instance_id)
    assert instance.version.definition.key == "estate_recovery"
    ready = [t.name for t in db.session.scalars(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.OPEN))]
    assert ready == ["pursue_estate_after_grant"]
    assert count(AuditEvent, action="grant_recorded") == 1


def test_the_grant_is_for_officers_of_the_team(as_user, died, fo_south):
    before = snapshot(died)
    error_of(grant(as_user("fa"), "P1001", "2026-03-30"), 403, "forbidden")
    error_of(grant(as_user(fo_south), "P1001", "2026-03-30"), 404, "not_found")
    error_of(grant(as_user("fo"), "NOBODY", "2026-03-30"), 404, "not_found")
    assert snapshot(died) == before
