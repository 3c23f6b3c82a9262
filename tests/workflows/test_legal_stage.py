"""DOMAIN.md scenarios 3, 4, 5 and 6: the Letter of Claim, its 30-day window, the deferred
payment test, and referral and claim, with the exact dates, amounts and blocks they state."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.domain import postcodes
from app.errors import ValidationFailed
from app.extensions import db
from app.models import (
    CapacityAssessment,
    CourtClaim,
    InstanceStatus,
    Letter,
    Person,
)
from app.services.estates import estate_stage
from app.services.legal import claims, deferred_payment_test, letter_of_claim, pap_replies
from app.services.processes import instances

from .debt_helpers import complete, letter_text, open_tasks, person_account, sweep, user
from .legal_helpers import (
    approve_and_post,
    could_have_a_deferred_payment,
    decide_letter_of_claim,
    ladder_to_decision,
)


def templates_of(person_id: int) -> list[tuple[str, date, str]]:
    return [(r.template, r.letter_date, r.status) for r in db.session.scalars(
        select(Letter).where(Letter.person_id == person_id).order_by(Letter.id))]


def test_scenario_5_the_window_over_easter_and_the_fee(no_placeholders):
    account = person_account()
    debt = ladder_to_decision(account, "3250.00", "2026-04-01")
    decide_letter_of_claim(debt)
    loc_letter = [t for t in templates_of(account.person_id) if t[0] == "letter_of_claim"]
    assert loc_letter == [("letter_of_claim", date(2026, 4, 1), "awaiting_approval")]
    approve_and_post(debt)
    loc = letter_of_claim.current_loc(debt)
    assert (loc.letter_date, loc.deemed_service, loc.earliest_issue) == (
        date(2026, 4, 1), date(2026, 4, 7), date(2026, 5, 8))
    assert loc.amount == Decimal("3250.00")
    assert "£3,250.00" in letter_text(account.person_id, "letter_of_claim")
    assert {t[2] for t in templates_of(account.person_id)
            if t[0].startswith(("letter_of_claim", "pap_"))} == {"print_batch"}

    sweep("2026-05-07")
    assert "approve_legal_referral" not in open_tasks(debt)
    sweep("2026-05-08")
    complete(open_tasks(debt)["approve_legal_referral"], "fm", decision="refer_to_legal",
             reasons="No reply within the window")
    claim = claims.current_claim(debt)
    assert (claim.route, claim.fee, claim.litigation_friend_needed) == (
        "mcol", Decimal("205.00"), False)
    issue = open_tasks(debt)["issue_claim"]
    with pytest.raises(ValidationFailed) as refused:
        complete(issue, "legal", claim_number="K00AB123", issued_on="2026-05-07",
                 posted_on="2026-05-07")
    assert "8 May 2026" in refused.value.details[0]["message"]
    complete(issue, "legal", claim_number="K00AB123", issued_on="2026-05-08",
             posted_on="2026-05-08")
    claim = claims.current_claim(debt)
    assert (claim.deemed_served_on, claim.acknowledgment_by) == (date(2026, 5, 12),
                                                                 date(2026, 5, 26))


def test_a_reply_form_moves_the_earliest_date_and_its_timer(no_placeholders):
    account = person_account()
    debt = ladder_to_decision(account, "3250.00", "2026-04-01")
    approve_and_post(decide_letter_of_claim(debt))
    sweep("2026-04-20", "10:00")
    pap_replies.record_reply(debt, received_on=date(2026, 4, 20), box="C",
                             offer_amount=None, offer_frequency=None,
                             documents_requested=True, seeking_advice=True, actor=user("fo"))
    loc = letter_of_claim.current_loc(debt)
    assert loc.earliest_issue == date(2026, 5, 21)  # 20 Apr + 31 days
    sweep("2026-05-08")
    assert "approve_legal_referral" not in open_tasks(debt)
    sweep("2026-05-04", "10:00")
    pap_replies.documents_provided(debt, date(2026, 5, 4), ["Statement of account"],
                                   user("fo"))
    assert letter_of_claim.current_loc(debt).earliest_issue == date(2026, 6, 4)  # 4 May + 31 days
    sweep("2026-05-21")
    assert "approve_legal_referral" not in open_tasks(debt)
    sweep("2026-06-04")
    assert "approve_legal_referral" in open_tasks(debt)


def test_an_offer_is_refused_only_with_written_reasons(no_placeholders):
    account = person_account()
    debt = ladder_to_decision(account, "3250.00", "2026-04-01")
    approve_and_post(decide_letter_of_claim(debt))
    sweep("2026-04-20", "10:00")
    pap_replies.record_reply(debt, received_on=date(2026, 4, 20), box="B",
                             offer_amount=Decimal("5.00"), offer_frequency="monthly",
                             documents_requested=False, seeking_advice=False,
                             actor=user("fo"))
    with pytest.raises(ValidationFailed):
        pap_replies.decide_offer(debt, False, [], None, None, user("fo"))
    pap_replies.decide_offer(debt, False, ["£5 a month would take 54 years"], "£60 a month",
                             "Income £900, outgoings £700", user("fo"))
    assert "54 years" in letter_text(account.person_id, "pap_offer_refused")


def test_scenario_6_the_deferred_payment_offer_comes_before_any_letter_of_claim(
        no_placeholders):
    account = person_account("P6001", "Dorothy Dean")
    could_have_a_deferred_payment(account)
    debt = ladder_to_decision(account, "6800.00", "2026-04-01")
    decide_letter_of_claim(debt)
    instance = instances.get_instance(debt.instance_id)
    assert instance.status == InstanceStatus.HELD
    assert debt.guards["deferred_payment"]["reason"] == (
        "DPA could be entered into – offer required (Care Act s69(2))")
    sent = [t[0] for t in templates_of(account.person_id)]
    assert "dpa_offer" in sent and "letter_of_claim" not in sent

    with pytest.raises(ValidationFailed):
        deferred_payment_test.record_dpa_test(debt, "offered_refused", "", user("fo"))
    deferred_payment_test.record_dpa_test(debt, "offered_refused",
                                          "Refusal letter from Mrs Dean dated 20 April", user("fo"))
    assert "letter_of_claim" in [t[0] for t in templates_of(account.person_id)]
    assert "approve_letter_of_claim" in open_tasks(debt)


def test_scenario_3_a_protected_party_needs_a_litigation_friend_and_no_mcol(no_placeholders):
    account = person_account("P3101", "Albert Ash", representative={
        "name": "Brenda Ash", "type": "deputy", "scope": "property_and_finance",
        "address": {"lines": ["9 Deputy Row", "Other Town"], "postcode": "OT1 9ZZ"},
        "evidence": "COP 55", "verified_by": "fo", "verified_on": "2026-01-10"})
    db.session.add(CapacityAssessment(person_id=account.person_id, decision="finance",
                                      has_capacity=False, assessed_on=date(2025, 11, 1),
                                      assessor="Dr Lee"))
    db.session.commit()
    debt = ladder_to_decision(account, "1876.40", "2026-04-01")
    approve_and_post(decide_letter_of_claim(debt))
    sweep("2026-05-08")
    complete(open_tasks(debt)["approve_legal_referral"], "fm", decision="refer_to_legal",
             reasons="No reply")
    claim = db.session.scalar(select(CourtClaim).where(CourtClaim.debt_case_id == debt.id))
    assert claim.litigation_friend_needed is True and claim.route == "n1"
    assert any("protected party" in r for r in claim.route_reasons)
    for row in db.session.scalars(select(Letter).where(Letter.person_id == account.person_id)):
        if row.template not in ("legal_referral",):
            assert row.recipient_name == "Brenda Ash", row.template
    memo = letter_text(account.person_id, "legal_referral")
    assert "Form N1" in memo and "Yes" in memo


def test_scenario_4_statute_barred_invoice_left_out_and_proposed_for_write_off(no_placeholders):
    from app.models import Invoice
    from app.services.debts import write_offs

    account = person_account()
    db.session.add(Invoice(number="INV-2020", account_id=account.id,
                           invoice_date=date(2020, 3, 2), due_date=date(2020, 3, 23),
                           total=Decimal("560.00")))
    db.session.commit()
    debt = ladder_to_decision(account, "400.00", "2026-04-01")
    approve_and_post(decide_letter_of_claim(debt))
    loc = letter_of_claim.current_loc(debt)
    assert loc.amount == Decimal("400.00")
    text = letter_text(account.person_id, "letter_of_claim")
    assert "INV-2020" not in text and "£560.00" not in text and "INV-L1" in text
    task = [t for t in open_tasks(debt).values() if t.name == "write_off_statute_barred"]
    assert [t.title for t in task] == ["Propose write-off: invoice INV-2020 is statute-barred"]
    proposal = write_offs.propose(debt, "statute_barred", "Six years passed", user("fo"))
    assert (proposal.invoice_numbers, proposal.amount) == (["INV-2020"], Decimal("560.00"))
    write_offs.decide(proposal, True, user("fm"))  # a higher level, not the proposer
    assert db.session.scalar(select(Invoice.status).where(Invoice.number == "INV-2020")) == (
        "written_off")
    assert debt.status == "open"  # the rest of the debt is still recoverable


# --- each check that keeps a claim from being issued wrongly -----------------------------------
def _posted(account, amount: str = "3250.00"):
    debt = ladder_to_decision(account, amount, "2026-04-01")
    return approve_and_post(decide_letter_of_claim(debt))


def test_a_claim_of_100000_pounds_or_more_goes_by_form_n1(no_placeholders):
    debt = _posted(person_account(), "100000.00")
    route = claims.route_for(debt, Decimal("100000.00"))
    assert route.route == "n1" and route.reasons
    assert claims.route_for(debt, Decimal("99999.99")).route == "mcol"


def test_an_address_outside_england_and_wales_goes_by_form_n1(no_placeholders):
    account = person_account()
    person = db.session.get(Person, account.person_id)
    person.postcode = "EH1 1YZ"
    db.session.commit()
    debt = _posted(account)
    assert claims.route_for(debt, Decimal("3250.00")).route == "n1"
    assert postcodes.in_england_wales("GU1 1AA") and not postcodes.in_england_wales("G1 1AA")
    assert not postcodes.in_england_wales("BT1 1AA") and postcodes.in_england_wales("CF10 1AA")


def test_no_claim_while_the_deferred_payment_test_blocks_court(no_placeholders):
    account = person_account()
    debt = _posted(account)
    person = db.session.get(Person, account.person_id)
    # Since the letter: the person moved into a care home they own; no offer made yet.
    person.in_care_home, person.owns_property = True, True
    db.session.commit()
    problems = claims.claim_checks(debt, date(2026, 5, 8))
    assert problems == ["DPA could be entered into – offer required (Care Act s69(2))"]
    deferred_payment_test.record_dpa_test(
        debt, "ineligible", "No first charge possible", user("fo"))
    assert claims.claim_checks(debt, date(2026, 5, 8)) == []
    assert claims.claim_checks(debt, date(2026, 5, 7))[0].startswith("no claim may be issued")


def test_claim_response_judgment_and_a_charging_order(no_placeholders):
    from app.models import PropertyCharge

    account = person_account()
    debt = _posted(account)
    sweep("2026-05-08")
    complete(open_tasks(debt)["approve_legal_referral"], "fm", decision="refer_to_legal",
             reasons="No reply")
    complete(open_tasks(debt)["issue_claim"], "legal", claim_number="K00AB123",
             issued_on="2026-05-08", posted_on="2026-05-08")
    sweep("2026-05-20", "10:00")
    claims.record_acknowledgment(debt, date(2026, 5, 20), user("legal"))
    claim = claims.current_claim(debt)
    assert claim.defence_by == date(2026, 6, 9)  # 28 days after service on Tue 12 May
    sweep("2026-05-28")
    assert "claim_response" not in open_tasks(debt)
    sweep("2026-06-11")  # two days' grace after the deadline
    complete(open_tasks(debt)["claim_response"], "legal", response="none")
    complete(open_tasks(debt)["record_judgment"], "legal", judgment_date="2026-06-30",
             judgment_amount="3455.00", terms="forthwith")
    claim = claims.current_claim(debt)
    assert (claim.judgment_amount, claim.judgment_interest) == (Decimal("3455.00"), False)
    assert "enforcement_notice" in [t[0] for t in templates_of(account.person_id)]
    complete(open_tasks(debt)["enforcement_decision"], "legal", kind="charging_order",
             title_number="HP123456")
    charge = db.session.scalar(select(PropertyCharge).where(PropertyCharge.debt_case_id
                                                            == debt.id))
    assert (charge.basis, charge.title_number) == ("interim_charging_order", "HP123456")
    assert debt.stage == "enforcement"
    # Money is still owed: the officer reviews it later; no new Letter of Claim after judgment.
    decide = open_tasks(debt)["decide_next_step"]
    with pytest.raises(ValidationFailed) as refused:
        complete(decide, "fo", decision="letter_of_claim", reasons="Start again")
    assert "a judgment is entered" in refused.value.details[0]["message"]


# --- estates (A.3-D) ------------------------------------------------------------------------------
def test_a_death_sends_the_final_account_and_runs_the_standing_search(staff):
    from app.services.estates import deaths

    from .debt_helpers import add_invoice

    account = person_account("P7001", "Edith Evans", representative={
        "name": "Frank Evans", "type": "personal_representative", "scope": "property_and_finance",
        "address": {"lines": ["3 Probate Lane"], "postcode": "EX9 9EE"}})
    add_invoice(account, "INV-E1", date(2026, 3, 2), "640.00")
    sweep("2026-03-24")
    sweep("2026-03-30")
    sweep("2026-04-02", "10:00")
    deaths.record_death(account.person, date(2026, 3, 31), user("fa"))
    from .debt_helpers import debt_of

    debt = debt_of(account)
    assert templates_of(account.person_id)[-1][0] == "estate_final_account"
    text = letter_text(account.person_id, "estate_final_account")
    assert "£640.00" in text and "Frank Evans" in text
    task = open_tasks(debt)["record_grant_or_search"]
    with pytest.raises(ValidationFailed):
        complete(task, "fo", grant_known=False)
    complete(task, "fo", grant_known=False, standing_search_lodged_on="2026-04-02")
    sweep("2026-09-02")
    complete(open_tasks(debt)["renew_standing_search"], "fo",
             standing_search_lodged_on="2026-09-02")
    sweep("2026-09-20", "10:00")
    estate_stage.record_grant(account.person, "probate", date(2026, 9, 15), user("fo"))
    assert "pursue_estate_after_grant" in open_tasks(debt)


# --- the remaining rules of the window ---------------------------------------------------------
def test_no_letter_of_claim_while_its_enclosures_are_placeholders(staff):
    account = person_account()
    debt = ladder_to_decision(account, "3250.00", "2026-04-01")
    decide_letter_of_claim(debt)
    instance = instances.get_instance(debt.instance_id)
    assert instance.status == InstanceStatus.INCIDENT
    incident = instances.open_incidents(instance)[0]
    assert "placeholder" in incident.error and incident.element_id == "prepare_letter_of_claim"
    assert "letter_of_claim" not in [t[0] for t in templates_of(account.person_id)]


def test_a_stale_letter_of_claim_must_be_sent_again(no_placeholders):
    debt = _posted(person_account())
    assert claims.claim_checks(debt, date(2026, 6, 30)) == []
    problems = claims.claim_checks(debt, date(2026, 7, 1))
    assert problems == ["the Letter of Claim of 1 April 2026 is more than 3 months old: "
                        "send a new one before any claim"]


def test_a_disputed_reply_goes_to_a_managers_review(no_placeholders):
    debt = _posted(person_account())
    sweep("2026-04-20", "10:00")
    pap_replies.record_reply(debt, received_on=date(2026, 4, 20), box="D",
                             offer_amount=None, offer_frequency=None,
                             documents_requested=False, seeking_advice=False,
                             actor=user("fo"), disputes_invoices=False)
    review = open_tasks(debt)["review_dispute"]
    assert review.role == "finance_manager"


def test_a_deferred_payment_debt_is_due_90_days_after_death(staff):
    from app.services.estates import deaths

    from .debt_helpers import add_invoice, debt_of

    account = person_account()
    add_invoice(account, "INV-D90", date(2026, 3, 2), "5000.00")
    sweep("2026-03-24")
    debt = debt_of(account)
    debt.dpa_outcome, debt.dpa_evidence = "offered_accepted", "DPA signed 1 Feb 2026"
    db.session.commit()
    sweep("2026-04-02", "10:00")
    deaths.record_death(account.person, date(2026, 4, 1), user("fa"))
    assert "30 June 2026" in letter_text(account.person_id, "estate_final_account")


def test_a_letter_approved_days_later_is_dated_and_posted_that_day(no_placeholders):
    account = person_account()
    debt = ladder_to_decision(account, "3250.00", "2026-04-01")
    decide_letter_of_claim(debt)
    assert [t[0] for t in templates_of(account.person_id)].count("pap_reply_form") == 0
    sweep("2026-04-08", "10:00")
    approve_and_post(debt)
    pack = [t for t in templates_of(account.person_id)
            if t[0] == "letter_of_claim" or t[0].startswith("pap_")]
    assert pack == [
        ("letter_of_claim", date(2026, 4, 1), "superseded"),
        ("letter_of_claim", date(2026, 4, 8), "print_batch"),
        ("pap_information_sheet", date(2026, 4, 8), "print_batch"),
        ("pap_reply_form", date(2026, 4, 8), "print_batch"),
        ("pap_financial_statement", date(2026, 4, 8), "print_batch")]
    assert letter_of_claim.current_loc(debt).earliest_issue == date(
        2026, 5, 11)  # 9 May is a Saturday


def test_opening_the_legal_stage_ends_the_ladder_and_its_open_phone_task(no_placeholders):
    from app.models import HumanTask, ProcessInstance, TaskStatus

    account = person_account()
    debt = ladder_to_decision(account, "3250.00", "2026-04-01")
    ladder_id = debt.instance_id
    phone = db.session.scalar(select(HumanTask).where(HumanTask.instance_id == ladder_id,
                                                      HumanTask.name == "phone_contact"))
    assert phone.status == TaskStatus.OPEN
    decide_letter_of_claim(debt)
    assert db.session.get(ProcessInstance, ladder_id).status == InstanceStatus.COMPLETED
    assert db.session.get(HumanTask, phone.id).status == TaskStatus.CANCELLED
    assert debt.instance_id != ladder_id  # the debt follows its legal stage
