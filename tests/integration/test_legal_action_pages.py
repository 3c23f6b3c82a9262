"""The legal stage and write-off pages (app/web/actions/legal_pages.py) on both databases: each
records what the API records, says what happens next, refuses a wrong role, another team, a
double and a stale submission, and answers each problem in GOV.UK words with nothing changed.

The debts are test_legal_api's: `reminded` (£1,500.00 at reminder 1 on Mon 30 Mar 2026),
`posted` (scenario 5: a Letter of Claim dated and posted Wed 1 Apr 2026, the clock still that
day), `prepared` (the same before it is posted) and `dpa_held` (scenario 6: the offer of a
deferred payment agreement sent, the Letter of Claim held).
"""
# ruff: noqa: F811  (the fixtures of test_legal_api are imported, then named as arguments)
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import CaseNote, DebtCase, InvoiceQuery, Letter, LetterOfClaim, WriteOff
from app.services.debts import opening
from app.services.submissions import ALREADY_DONE
from app.web.actions.forms import CHANGED_SINCE
from tests.conftest import add_user
from tests.workflows.debt_helpers import open_tasks
from tests.integration.test_legal_api import (  # noqa: F401  (fixtures)
    Case,
    barred_and_live,
    dpa_held,
    fo_south,
    posted,
    prepared,
    reminded,
    snapshot,
)

from .action_pages import date_boxes, open_form, signed_in, submit
from .api_helpers import count, fresh


def debts_url(case: Case) -> str:
    return f"/people/{case.reference}/debts"


def page_url(case: Case, action: str) -> str:
    return f"/people/{case.reference}/debts/{case.debt_id}/{action}"


def banner(client, response) -> str:
    """The Debts page a success redirects to, with its banner."""
    assert response.status_code == 302, response.text
    page = client.get(response.location)
    assert page.status_code == 200
    return page.text


def escaped(text: str) -> str:
    return text.replace("'", "&#39;")


def loc_of(case: Case) -> LetterOfClaim:
    fresh()
    return db.session.scalars(select(LetterOfClaim).where(
        LetterOfClaim.debt_case_id == case.debt_id, LetterOfClaim.status == "posted")).one()


def refused(response, status: int, message: str) -> None:
    assert response.status_code == status, response.text
    assert "There is a problem" in response.text
    assert escaped(message) in response.text, message


def refused_again(response) -> None:
    """A form posted a second time: 409, said either way act_once finds it first (the record
    it showed has changed, or its single-use key was used)."""
    assert response.status_code == 409, response.text
    assert "There is a problem" in response.text
    assert ALREADY_DONE in response.text or escaped(CHANGED_SINCE) in response.text


# --- propose a write-off -------------------------------------------------------------------
def test_a_proposal_shows_the_amount_and_approver_then_waits_for_them(client, reminded):
    signed_in(client, "fo")
    url = page_url(reminded, "write-off")
    page = client.get(url)
    assert ("The write-off is for everything still owed, £1,500.00: a "
            "finance manager must approve it.") in page.text
    assert "Statute-barred" not in page.text  # nothing on this debt is six years old
    assert "s69" not in page.text and "uneconomic" not in page.text.replace(
        'value="uneconomic"', "")
    response = submit(client, url, {"reason": "uneconomic", "notes": "Costs more than it is"})
    shown = banner(client, response)
    assert ("Write-off of £1,500.00 proposed. It now waits for a finance manager to approve it; "
            "recovery carries on until then.") in shown
    fresh()
    proposal = db.session.scalars(select(WriteOff)).one()
    assert (proposal.reason, proposal.amount, proposal.approver_role, proposal.notes) == (
        "uneconomic", Decimal("1500.00"), "finance_manager", "Costs more than it is")
    assert "It is waiting for a finance manager to approve it." in shown
    assert "Decide the write-off" not in shown  # never by its proposer
    assert "Propose a write-off" not in shown  # one waits already
    signed_in(client, "fm")
    assert "Decide the write-off" in client.get(debts_url(reminded)).text


def test_a_statute_barred_write_off_says_its_own_amount(client, barred_and_live):
    signed_in(client, "fo")
    page = client.get(page_url(barred_and_live, "write-off")).text
    assert ("That is £560.00 (invoice INV-2020): a finance officer must approve it."
            in page)
    assert ("For any other reason the write-off is for everything still owed, £972.50: a "
            "finance officer must approve it.") in page


@pytest.mark.parametrize("answers, field_message", [
    ({}, "Select why the debt should be written off"),
    ({"reason": "statute_barred"}, "Select why the debt should be written off"),
    ({"reason": "uneconomic", "notes": "x" * 2001}, "Notes must be 2,000 characters or fewer"),
])
def test_a_wrong_proposal_is_explained_and_changes_nothing(client, reminded, answers,
                                                           field_message):
    signed_in(client, "fo")
    before = snapshot(reminded)
    refused(submit(client, page_url(reminded, "write-off"), answers), 422, field_message)
    assert snapshot(reminded) == before


def test_only_recovery_officers_of_the_team_may_propose(client, reminded, fo_south):
    url = page_url(reminded, "write-off")
    for username in ("fa", "cw", "legal", "admin"):
        signed_in(client, username)
        assert client.get(url).status_code == 403, username
        assert "Propose a write-off" not in client.get(debts_url(reminded)).text
    signed_in(client, fo_south)
    assert client.get(url).status_code == 403
    signed_in(client, "fo")
    assert client.get(f"/people/{reminded.reference}/debts/9999/write-off").status_code == 404


def test_a_double_proposal_changes_nothing(client, reminded):
    signed_in(client, "fo")
    url = page_url(reminded, "write-off")
    form = open_form(client, url)
    assert submit(client, url, {"reason": "gone_away"}, form=form).status_code == 302
    before = snapshot(reminded)
    refused_again(submit(client, url, {"reason": "gone_away"}, form=form))
    assert snapshot(reminded) == before


def test_a_stale_proposal_changes_nothing(client, as_user, reminded):
    signed_in(client, "fo")
    url = page_url(reminded, "write-off")
    form = open_form(client, url)
    as_user("fm").post(f"/debts/{reminded.debt_id}/write-off", json={"reason": "uneconomic"})
    before = snapshot(reminded)
    refused(submit(client, url, {"reason": "gone_away"}, form=form), 409, CHANGED_SINCE)
    assert snapshot(reminded) == before


# --- decide a write-off --------------------------------------------------------------------
def proposed(as_user, case: Case, by: str = "fo") -> int:
    response = as_user(by).post(f"/debts/{case.debt_id}/write-off",
                                json={"reason": "uneconomic", "notes": "Not worth a claim"})
    assert response.status_code == 201, response.json
    return response.json["id"]


def decide_url(case: Case, write_off_id: int) -> str:
    return f"/people/{case.reference}/write-offs/{write_off_id}"


def test_an_approval_shows_the_proposal_and_closes_the_debt(client, as_user, reminded):
    url = decide_url(reminded, proposed(as_user, reminded))
    signed_in(client, "fm")
    page = client.get(url).text
    for shown in ("£1,500.00", "INV-1001", "Uneconomic to pursue", "Fo on 30 March 2026",
                  "Not worth a claim", "A finance manager or above",
                  "If you approve it, the debt is closed as written off and recovery stops."):
        assert shown in page, shown
    shown = banner(client, submit(client, url, {"decision": "approve"}))
    assert ("Write-off approved. The debt is closed as written off and recovery has "
            "stopped.") in shown
    fresh()
    debt = db.session.get(DebtCase, reminded.debt_id)
    assert (debt.status, debt.closed_reason) == ("closed", "written_off")
    assert db.session.scalars(select(WriteOff.status)).one() == "approved"


def test_a_rejection_needs_a_reason_and_keeps_it_in_the_notes(client, as_user, reminded):
    url = decide_url(reminded, proposed(as_user, reminded))
    signed_in(client, "fm")
    before = snapshot(reminded)
    refused(submit(client, url, {}), 422, "Select yes if you approve the write-off")
    refused(submit(client, url, {"decision": "reject"}), 422,
            "Enter why you are rejecting the write-off")
    assert snapshot(reminded) == before and count(CaseNote) == 0
    shown = banner(client, submit(client, url, {"decision": "reject",
                                                "reason": "They have started paying"}))
    assert "Write-off rejected. The debt stays open and recovery carries on" in shown
    fresh()
    assert db.session.scalars(select(WriteOff.status)).one() == "rejected"
    assert db.session.get(DebtCase, reminded.debt_id).status == "open"
    assert db.session.scalars(select(CaseNote.text)).one() == (
        "Write-off of £1,500.00 rejected: They have started paying")
    assert "Decide the write-off" not in shown


def test_only_someone_else_at_the_amounts_level_may_decide(client, as_user, reminded, fo_south):
    add_user("fo_second", "finance_officer")
    db.session.commit()
    url = decide_url(reminded, proposed(as_user, reminded))  # £1,500: a finance manager
    for username in ("fo", "fo_second", "fa", "legal", "cw"):
        signed_in(client, username)
        assert client.get(url).status_code == 403, username
        debts = client.get(debts_url(reminded)).text
        assert "Decide the write-off" not in debts
        assert "It is waiting for a finance manager to approve it." in debts
    signed_in(client, fo_south)
    assert client.get(url).status_code == 403


def test_a_manager_may_not_decide_their_own_proposal(client, as_user, reminded):
    add_user("fm_second", "finance_manager")
    db.session.commit()
    url = decide_url(reminded, proposed(as_user, reminded, by="fm"))
    signed_in(client, "fm")
    assert client.get(url).status_code == 403
    signed_in(client, "fm_second")
    assert client.get(url).status_code == 200


def test_a_double_or_stale_decision_changes_nothing(client, as_user, reminded):
    url = decide_url(reminded, proposed(as_user, reminded))
    signed_in(client, "fm")
    form = open_form(client, url)
    assert submit(client, url, {"decision": "reject", "reason": "No"}, form=form).status_code == (
        302)
    before = snapshot(reminded)
    refused_again(submit(client, url, {"decision": "reject", "reason": "No"}, form=form))
    assert snapshot(reminded) == before

    url = decide_url(reminded, proposed(as_user, reminded))
    form = open_form(client, url)
    opening.close_paid(db.session.get(DebtCase, reminded.debt_id), None)  # paid meanwhile
    db.session.commit()
    before = snapshot(reminded)
    refused(submit(client, url, {"decision": "approve"}, form=form), 409, CHANGED_SINCE)
    assert snapshot(reminded) == before


# --- the deferred payment test -------------------------------------------------------------
def test_a_refused_offer_is_recorded_with_its_evidence(client, dpa_held):
    signed_in(client, "fo")
    assert "Record the deferred payment test" in client.get(debts_url(dpa_held)).text
    url = page_url(dpa_held, "deferred-payment-test")
    page = client.get(url).text
    assert "Offered and refused" in page and "has been sent" in page
    shown = banner(client, submit(client, url, {"outcome": "offered_refused",
                                                "evidence": "Refused by letter of 3 April"}))
    assert "Deferred payment test recorded. It no longer stops recovery" in shown
    assert "Deferred payment test: offered and refused." in shown
    fresh()
    debt = db.session.get(DebtCase, dpa_held.debt_id)
    assert (debt.dpa_outcome, debt.dpa_evidence) == ("offered_refused",
                                                     "Refused by letter of 3 April")
    assert "deferred_payment" not in (debt.guards or {})


@pytest.mark.parametrize("answers, message", [
    ({}, "Select the outcome of the deferred payment test"),
    ({"outcome": "offered_refused"},
     "Enter the evidence of the refusal, or of why no agreement could be made"),
    ({"outcome": "not_eligible", "evidence": "  "},
     "Enter the evidence of the refusal, or of why no agreement could be made"),
    ({"outcome": "not_eligible", "evidence": "x" * 501},
     "The evidence must be 500 characters or fewer"),
    ({"outcome": "ineligible", "evidence": "Duplicate word"},
     "Select the outcome of the deferred payment test"),
])
def test_a_wrong_test_is_explained_and_changes_nothing(client, dpa_held, answers, message):
    signed_in(client, "fo")
    before = snapshot(dpa_held)
    refused(submit(client, page_url(dpa_held, "deferred-payment-test"), answers), 422, message)
    assert snapshot(dpa_held) == before


def test_without_an_offer_only_ineligibility_can_be_recorded(client, reminded):
    signed_in(client, "fo")
    url = page_url(reminded, "deferred-payment-test")
    page = client.get(url).text
    assert "Offered and refused" not in page and "No offer" in page
    before = snapshot(reminded)
    refused(submit(client, url, {"outcome": "offered_refused", "evidence": "Said no"}), 422,
            "Select the outcome of the deferred payment test")
    assert snapshot(reminded) == before


def test_the_test_is_for_recovery_officers_of_the_team(client, dpa_held, fo_south):
    url = page_url(dpa_held, "deferred-payment-test")
    for username in ("fa", "legal", "cw"):
        signed_in(client, username)
        assert client.get(url).status_code == 403
        assert "Record the deferred payment test" not in client.get(debts_url(dpa_held)).text
    signed_in(client, fo_south)
    assert client.get(url).status_code == 403


def test_a_double_or_stale_test_changes_nothing(client, as_user, dpa_held):
    signed_in(client, "fo")
    url = page_url(dpa_held, "deferred-payment-test")
    answers = {"outcome": "offered_accepted"}
    form = open_form(client, url)
    assert submit(client, url, answers, form=form).status_code == 302
    before = snapshot(dpa_held)
    refused_again(submit(client, url, answers, form=form))
    assert snapshot(dpa_held) == before
    form = open_form(client, url)
    as_user("fm").post(f"/debts/{dpa_held.debt_id}/dpa-test",
                       json={"outcome": "not_eligible", "evidence": "No security"})
    before = snapshot(dpa_held)
    refused(submit(client, url, answers, form=form), 409, CHANGED_SINCE)
    assert snapshot(dpa_held) == before


def test_the_api_refuses_a_test_on_a_closed_debt(as_user, reminded):
    opening.close_paid(db.session.get(DebtCase, reminded.debt_id), None)
    db.session.commit()
    before = snapshot(reminded)
    response = as_user("fo").post(f"/debts/{reminded.debt_id}/dpa-test",
                                  json={"outcome": "not_eligible", "evidence": "No home"})
    assert response.status_code == 409
    assert snapshot(reminded) == before


# --- the Reply Form ------------------------------------------------------------------------
REPLY = {**date_boxes("received_on", "1 4 2026"), "box": "C", "offered": "yes",
         "offer_amount": "5", "offer_frequency": "monthly", "documents_requested": "yes",
         "seeking_advice": "yes"}


def test_a_reply_form_is_recorded_and_says_what_comes_next(client, posted):
    signed_in(client, "fo")
    debts = client.get(debts_url(posted)).text
    assert "Record a Reply Form" in debts and "Record the documents sent" not in debts
    url = page_url(posted, "reply-form")
    assert "Box C: they do not know yet, and need documents or advice" in client.get(url).text
    shown = banner(client, submit(client, url, REPLY))
    assert "Reply Form recorded. A claim cannot be issued before 8 May 2026." in shown
    assert "Send the documents they asked for" in shown and "Decide on their offer" in shown
    loc = loc_of(posted)
    assert (loc.reply_received_on, loc.reply_box, loc.offer_amount, loc.offer_frequency,
            loc.documents_requested, loc.seeking_advice) == (
        date(2026, 4, 1), "C", Decimal("5.00"), "monthly", True, True)
    assert "Record the documents sent" in shown and "Decide on the offer of payment" in shown


@pytest.mark.parametrize("overrides, message", [
    (date_boxes("received_on", "2 4 2026"),
     "The date the Reply Form was received must be today or in the past"),
    (date_boxes("received_on", "31 3 2026"), "The date the Reply Form was received must be on "
                                             "or after the date of the Letter of Claim, "
                                             "1 April 2026"),
    (date_boxes("received_on", "31 4 2026"),
     "The date the Reply Form was received must be a real date"),
    ({"received_on-day": "", "received_on-month": "", "received_on-year": ""},
     "Enter the date the Reply Form was received"),
    ({"box": ""}, "Select which box they ticked, or that no box was ticked"),
    ({"offered": ""}, "Select yes if they offered to pay"),
    ({"offer_amount": ""}, "Enter the amount they offer"),
    ({"offer_amount": "5.001"}, "The amount they offer must not have more than 2 decimal places"),
    ({"offer_frequency": ""}, "Select how often they offer to pay"),
    ({"documents_requested": ""}, "Select yes if they asked for documents"),
    ({"seeking_advice": ""}, "Select yes if they are getting debt advice"),
])
def test_a_wrong_reply_is_explained_and_changes_nothing(client, posted, overrides, message):
    signed_in(client, "fo")
    before = snapshot(posted)
    refused(submit(client, page_url(posted, "reply-form"), {**REPLY, **overrides}), 422,
            message)
    assert snapshot(posted) == before


BOX_D = {**REPLY, "box": "D", "offered": "no", "offer_amount": "", "offer_frequency": "",
         "documents_requested": "no", "seeking_advice": "no"}


def test_a_box_d_dispute_about_the_invoices_opens_a_query_shown_in_the_history(client,
                                                                              posted):
    signed_in(client, "fo")
    url = page_url(posted, "reply-form")
    form = client.get(url).text
    assert "If they ticked box D, is the dispute about whether the invoices are right?" in form
    assert 'value="rate_wrong" checked' in form  # unless the form says otherwise
    shown = banner(client, submit(client, url, {
        **BOX_D, "disputes_invoices": "yes", "dispute_type": "rate_wrong",
        "dispute": "The January invoice uses last year's rate."}))
    assert "An invoice query is opened on the invoices they dispute." in shown
    fresh()
    [query] = db.session.scalars(select(InvoiceQuery)).all()
    assert (query.channel, query.raised_by, query.query_type, query.what_was_said,
            [i.invoice.number for i in query.items]) == (
        "letter", "person", "rate_wrong", "The January invoice uses last year's rate.",
        ["INV-L1"])
    assert "review_dispute" not in open_tasks(db.session.get(DebtCase, posted.debt_id))
    history = client.get(f"/people/{posted.reference}/history").text
    assert (f"Query {query.reference} opened: rate or charge wrong, on invoice INV-L1 "
            "(£3,250.00)") in history


def test_a_box_d_dispute_not_about_the_invoices_goes_to_a_managers_review(client, posted):
    signed_in(client, "fo")
    shown = banner(client, submit(client, page_url(posted, "reply-form"), {
        **BOX_D, "disputes_invoices": "no", "dispute": ""}))
    assert "A finance manager will be asked to review the dispute." in shown
    assert count(InvoiceQuery) == 0
    assert "review_dispute" in open_tasks(db.session.get(DebtCase, posted.debt_id))


@pytest.mark.parametrize("overrides, message", [
    ({"disputes_invoices": ""}, "Select yes if the dispute is about whether the invoices are "
                                "right"),
    ({"disputes_invoices": "yes", "dispute": " "}, "Enter what they say is wrong with the "
                                                   "invoices"),
])
def test_a_box_d_reply_without_its_answers_is_explained_and_changes_nothing(
        client, posted, overrides, message):
    signed_in(client, "fo")
    before = snapshot(posted)
    refused(submit(client, page_url(posted, "reply-form"), {**BOX_D, **overrides}), 422,
            message)
    assert snapshot(posted) == before and count(InvoiceQuery) == 0


def test_no_reply_form_before_a_letter_of_claim_is_posted(client, prepared):
    signed_in(client, "fo")
    assert "Record a Reply Form" not in client.get(debts_url(prepared)).text
    assert client.get(page_url(prepared, "reply-form")).status_code == 409


def test_the_reply_pages_are_for_recovery_officers_of_the_team(client, posted, fo_south):
    for username in ("fa", "legal", "cw"):
        signed_in(client, username)
        for action in ("reply-form", "documents-sent", "offer"):
            assert client.get(page_url(posted, action)).status_code == 403, (username, action)
        assert "Record a Reply Form" not in client.get(debts_url(posted)).text
    signed_in(client, fo_south)
    assert client.get(page_url(posted, "reply-form")).status_code == 403


def test_a_double_or_stale_reply_changes_nothing(client, as_user, posted):
    signed_in(client, "fo")
    url = page_url(posted, "reply-form")
    form = open_form(client, url)
    assert submit(client, url, REPLY, form=form).status_code == 302
    before = snapshot(posted)
    refused_again(submit(client, url, REPLY, form=form))
    assert snapshot(posted) == before
    form = open_form(client, url)
    as_user("fm").post(f"/debts/{posted.debt_id}/letter-of-claim/reply",
                       json={"received_on": "2026-04-01", "box": "A"})
    before = snapshot(posted)
    refused(submit(client, url, REPLY, form=form), 409, CHANGED_SINCE)
    assert snapshot(posted) == before


@pytest.mark.parametrize("body, field", [
    ({"offer_amount": "5.00"}, "offer_frequency"),
    ({"offer_frequency": "monthly"}, "offer_amount"),
])
def test_the_api_refuses_half_an_offer(as_user, posted, body, field):
    before = snapshot(posted)
    response = as_user("fo").post(f"/debts/{posted.debt_id}/letter-of-claim/reply",
                                  json={"received_on": "2026-04-01", "box": "B", **body})
    assert response.status_code == 422
    assert [d["field"] for d in response.json["error"]["details"]] == [field]
    assert snapshot(posted) == before


# --- documents sent and the offer's outcome ------------------------------------------------
@pytest.fixture
def replied(client, as_user, posted) -> Case:
    """The Reply Form of Wed 1 Apr 2026: box C, £5.00 a month, documents asked for."""
    response = as_user("fo").post(f"/debts/{posted.debt_id}/letter-of-claim/reply", json={
        "received_on": "2026-04-01", "box": "C", "offer_amount": "5.00",
        "offer_frequency": "monthly", "documents_requested": True})
    assert response.status_code == 200, response.json
    return posted


DOCUMENTS = {**date_boxes("provided_on", "1 4 2026"),
             "documents": "Statement of account\r\n\r\nFinancial assessment of 1 December 2025"}


def test_documents_sent_are_recorded_and_their_letter_waits_for_approval(client, replied):
    signed_in(client, "fo")
    shown = banner(client, submit(client, page_url(replied, "documents-sent"), DOCUMENTS))
    assert "Documents recorded as sent on 1 April 2026. The letter listing them waits for " \
           "approval before it goes." in shown
    assert loc_of(replied).documents_provided_on == date(2026, 4, 1)
    fresh()
    assert db.session.scalars(select(Letter.status).where(
        Letter.template == "pap_documents")).one() == "awaiting_approval"


@pytest.mark.parametrize("overrides, message", [
    ({"documents": " \r\n "}, "Enter the documents sent, one on each line"),
    (date_boxes("provided_on", "2 4 2026"),
     "The date the documents were sent must be today or in the past"),
    (date_boxes("provided_on", "31 3 2026"), "The date the documents were sent must be on or "
                                             "after the date the Reply Form was received, "
                                             "1 April 2026"),
    ({"provided_on-year": ""}, "The date the documents were sent must include a year"),
])
def test_wrong_documents_are_explained_and_change_nothing(client, replied, overrides, message):
    signed_in(client, "fo")
    before = snapshot(replied)
    refused(submit(client, page_url(replied, "documents-sent"), {**DOCUMENTS, **overrides}),
            422, message)
    assert snapshot(replied) == before


def test_no_documents_page_when_none_were_asked_for(client, posted):
    signed_in(client, "fo")
    assert client.get(page_url(posted, "documents-sent")).status_code == 409


def test_a_double_or_stale_documents_record_changes_nothing(client, as_user, replied):
    signed_in(client, "fo")
    url = page_url(replied, "documents-sent")
    form = open_form(client, url)
    assert submit(client, url, DOCUMENTS, form=form).status_code == 302
    before = snapshot(replied)
    refused_again(submit(client, url, DOCUMENTS, form=form))
    assert snapshot(replied) == before
    form = open_form(client, url)
    as_user("fm").post(f"/debts/{replied.debt_id}/letter-of-claim/reply",
                       json={"received_on": "2026-04-01", "box": "A",
                             "documents_requested": True})
    before = snapshot(replied)
    refused(submit(client, url, DOCUMENTS, form=form), 409, CHANGED_SINCE)
    assert snapshot(replied) == before


def test_a_refused_offer_sends_the_reasons(client, replied):
    signed_in(client, "fo")
    url = page_url(replied, "offer")
    assert "They offered £5.00 every month" in client.get(url).text
    before = snapshot(replied)
    refused(submit(client, url, {"accept": "no"}), 422,
            "Enter the reasons for refusing the offer")
    refused(submit(client, url, {}), 422, "Select yes if you accept the offer")
    assert snapshot(replied) == before
    shown = banner(client, submit(client, url, {
        "accept": "no", "reasons": "It would take 54 years\r\nThey can pay more",
        "counter_proposal": "£60 a month", "income_expenditure_summary": "Income £900"}))
    assert "Offer refused. The letter giving your reasons waits for approval" in shown
    loc = loc_of(replied)
    assert (loc.offer_decision, loc.refusal_reasons) == (
        "refused", ["It would take 54 years", "They can pay more"])
    assert "Decide on the offer of payment" not in shown


def test_an_accepted_offer_sends_nothing_and_a_second_is_refused(client, as_user, replied):
    signed_in(client, "fo")
    url = page_url(replied, "offer")
    form = open_form(client, url)
    assert "Offer accepted." in banner(client, submit(client, url, {"accept": "yes"}, form=form))
    before = snapshot(replied)
    refused_again(submit(client, url, {"accept": "yes"}, form=form))
    assert snapshot(replied) == before
    assert loc_of(replied).offer_decision == "accepted"
    assert client.get(url).status_code == 409  # decided: nothing waits


def test_a_stale_offer_decision_changes_nothing(client, as_user, replied):
    signed_in(client, "fo")
    url = page_url(replied, "offer")
    form = open_form(client, url)
    as_user("fm").post(f"/debts/{replied.debt_id}/letter-of-claim/offer", json={"accept": True})
    before = snapshot(replied)
    refused(submit(client, url, {"accept": "no", "reasons": "Too little"}, form=form), 409,
            CHANGED_SINCE)
    assert snapshot(replied) == before
