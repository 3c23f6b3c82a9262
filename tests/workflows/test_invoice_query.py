"""The invoice-query process (workflows/invoice_query.bpmn, DOMAIN.md A.4 and scenario 8's dates)
on the real services with the frozen clock: the acknowledgement within 3 working days, routing by
type, escalation at 10 and 20 working days across the August bank holiday with the holding
letter, and the outcome with its letters.

The query records and credit notes are another capability's use cases; the handler imports them
when it runs, and these tests put small fakes in their place (records.record_closing and
credit_notes.record_credit_note) so the diagram is tested on its own. The last test goes through
the real ones when they are there.
"""
from __future__ import annotations

import sys
import types
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

import app.services.queries as queries_package
from app.extensions import db
from app.models import (
    CreditNote,
    CreditNoteStatus,
    HumanTask,
    InvoiceQuery,
    QueriedInvoice,
    TaskStatus,
)
from app.services.processes import instances
from tests.conftest import set_clock
from tests.workflows.debt_helpers import (
    add_invoice,
    at,
    complete,
    letter_text,
    letters,
    person_account,
    sweep,
    user,
)

PROCESS = "invoice_query"
ROUTES = {
    "care_not_delivered": ("check_care_delivered", "finance_assistant",
                           {"provider_records_checked": True, "purchase_order_checked": True,
                            "findings": "Two visits were not made."}),
    "rate_wrong": ("check_rate", "finance_assistant",
                   {"rate_table_checked": True, "uplift_checked": True,
                    "findings": "The April uplift was applied correctly."}),
    "assessment": ("refer_to_assessment", "finance_assistant",
                   {"referred_on": "2026-07-21", "assessment_result": "charge_stays",
                    "findings": "No change."}),
    "payment_not_allocated": ("check_allocation", "finance_assistant",
                              {"payments_traced": True, "findings": "Paid to another account."}),
    "hardship": ("reconsider_hardship", "finance_officer",
                 {"named_officer": "Sam Patel", "findings": "Income checked."}),
    "complaint": ("handle_complaint", "finance_manager",
                  {"complaints_team_told": True, "findings": "Charges were right."}),
}


def open_query(query_type: str = "care_not_delivered", received: str = "2026-07-20"):
    """A query received on `received` about one £1,340.00 invoice, and its process started."""
    account = person_account()
    invoice = add_invoice(account, "INV-2026-0612", date(2026, 6, 29), "1340.00")
    set_clock(at(received, "10:00"))
    query = InvoiceQuery(reference="Q-000008", person_id=account.person_id,
                         received_on=date.fromisoformat(received), channel="phone",
                         raised_by="person", query_type=query_type,
                         what_was_said="The carer did not come on 8 and 9 June.",
                         created_at=at(received, "10:00"))
    query.items.append(QueriedInvoice(invoice_id=invoice.id))
    db.session.add(query)
    db.session.commit()
    instance = instances.start_instance(PROCESS, "P1001", {
        "query_id": query.id, "query_reference": query.reference, "query_type": query_type,
        "received_on": received}, user("fa"))
    query.instance_id = instance.id
    db.session.commit()
    return query, instance


def query_letters(person_id: int) -> list[tuple[str, date]]:
    """The query's letters, not the debt ladder's (which runs on its invoices meanwhile)."""
    return [(t, d) for t, d in letters(person_id) if not t.startswith("debt_")]


def tasks(instance) -> dict[str, HumanTask]:
    return {t.name: t for t in instances.open_tasks(instance)}


def acknowledge(instance) -> None:
    complete(tasks(instance)["acknowledge_query"], "fa",
             summary_of_query="The carer did not come on 8 and 9 June.")


@pytest.fixture
def fake_records(monkeypatch):
    """Stand-ins for records.record_closing and credit_notes.record_credit_note: what they were
    called with, and an issued credit note row for the letters to print."""
    calls: list[tuple[str, dict]] = []

    def record_closing(query, **kwargs):
        calls.append(("record_closing", kwargs))
        query.status, query.outcome = "closed", kwargs["outcome"]
        query.outcome_on, query.outcome_reasons = kwargs["decided_on"], kwargs["reasons"]

    def record_credit_note(invoice, **kwargs):
        calls.append(("record_credit_note", kwargs))
        note = CreditNote(number="CN-PENDING", invoice_id=invoice.id, query_id=kwargs["query"].id,
                          amount=kwargs["amount"], reason=kwargs["reason"], lines=[],
                          status=CreditNoteStatus.ISSUED, raised_on=date(2026, 8, 3),
                          issued_on=date(2026, 8, 3), author_id=kwargs["actor"].id)
        db.session.add(note)
        db.session.flush()
        note.number = f"CN-{note.id:06d}"
        invoice.credited = kwargs["amount"]
        return note

    for name, func in (("records", record_closing), ("credit_notes", record_credit_note)):
        module = types.ModuleType(f"app.services.queries.{name}")
        setattr(module, func.__name__, func)
        monkeypatch.setitem(sys.modules, module.__name__, module)
        monkeypatch.setattr(queries_package, name, module, raising=False)
    return calls


def test_scenario_8_acknowledgement_due_thursday_and_sent_with_the_target(staff):
    query, instance = open_query()
    ack = tasks(instance)["acknowledge_query"]
    assert ack.role == "finance_assistant"
    assert ack.due_at.astimezone().date() == date(2026, 7, 23)  # Mon 20 + 3 working days
    assert instance.next_timer_due == datetime.fromisoformat("2026-08-03T06:00:00+00:00")
    acknowledge(instance)
    assert query_letters(query.person_id) == [("query_acknowledgement", date(2026, 7, 20))]
    text = letter_text(query.person_id, "query_acknowledgement")
    assert "Query reference: Q-000008" in text
    assert "Thank you for contacting us on 20 July 2026." in text
    assert "aim to write to you with our answer by 3 August 2026" in text
    assert "INV-2026-0612" in text and "£1,340.00" in text
    assert set(tasks(instance)) == {"check_care_delivered"}


@pytest.mark.parametrize("query_type", sorted(ROUTES))
def test_each_type_of_query_reaches_its_own_task(staff, query_type):
    query, instance = open_query(query_type)
    acknowledge(instance)
    task_name, role, _ = ROUTES[query_type]
    assert {n: t.role for n, t in tasks(instance).items()} == {task_name: role}
    expected = "complaint_acknowledgement" if query_type == "complaint" else \
        "query_acknowledgement"
    assert [t for t, _ in query_letters(query.person_id)] == [expected]


def test_a_complaint_is_acknowledged_under_the_complaints_procedure(staff):
    query, instance = open_query("complaint")
    acknowledge(instance)
    text = letter_text(query.person_id, "complaint_acknowledgement")
    assert "which we received on 20 July 2026" in text
    assert "within 6 months" in text and "Ombudsman" in text


def test_escalation_at_10_and_20_working_days_across_the_august_bank_holiday(staff):
    # Received Mon 24 Aug 2026; Mon 31 Aug is a bank holiday, so 10 working days is Tue 8 Sep
    # (not Mon 7 Sep) and 20 working days is Tue 22 Sep (not Mon 21 Sep).
    query, instance = open_query(received="2026-08-24")
    acknowledge(instance)
    sweep("2026-09-07", "23:00")
    assert set(tasks(instance)) == {"check_care_delivered"}
    sweep("2026-09-08")
    officer = tasks(instance)["escalate_to_officer"]
    assert officer.role == "finance_officer"
    assert "check_care_delivered" in tasks(instance)  # the timers do not interrupt the work
    sweep("2026-09-21", "23:00")
    assert "escalate_to_manager" not in tasks(instance)
    assert [t for t, _ in query_letters(query.person_id)] == ["query_acknowledgement"]
    sweep("2026-09-22")
    manager = tasks(instance)["escalate_to_manager"]
    assert manager.role == "finance_manager"
    assert manager.due_at.astimezone().date() == date(2026, 10, 6)
    assert query_letters(query.person_id)[-1] == ("query_holding", date(2026, 9, 22))
    text = letter_text(query.person_id, "query_holding")
    assert "the query you raised with us on 24 August 2026" in text
    assert "We now aim to write to you with our answer by 6 October 2026." in text
    assert set(tasks(instance)) == {"check_care_delivered", "escalate_to_officer",
                                    "escalate_to_manager"}


def decide(instance, **answers) -> None:
    name, _, routing = ROUTES["care_not_delivered"]
    complete(tasks(instance)[name], "fa", **routing)
    complete(tasks(instance)["decide_outcome"], "fa", **answers)


def test_not_upheld_closes_the_query_and_sends_the_outcome_with_the_rights(
        staff, fake_records):
    query, instance = open_query()
    acknowledge(instance)
    set_clock(at("2026-07-31", "10:00"))
    decide(instance, outcome="not_upheld",
           reasons="The provider's call records show both visits took place.")
    assert fake_records == [("record_closing", {
        "outcome": "not_upheld", "reasons": "The provider's call records show both visits "
        "took place.", "decided_on": date(2026, 7, 31), "actor": user("fa")})]
    assert [t for t, _ in query_letters(query.person_id)] == ["query_acknowledgement",
                                                          "query_outcome"]
    text = letter_text(query.person_id, "query_outcome")
    assert "found that they were right" in text
    assert "The balance now due on your account is £1,340.00." in text
    assert "Local Government and Social Care Ombudsman" in text
    assert instances.get_instance(instance.id).status == "completed"


def test_upheld_with_a_credit_raises_it_and_sends_the_outcome_and_the_credit_note(
        staff, fake_records):
    query, instance = open_query(received="2026-08-24")
    acknowledge(instance)
    sweep("2026-09-08")  # the officer's escalation is open when the outcome is decided
    decide(instance, outcome="upheld", reasons="Two visits were not made.",
           credit_amount="48.20", reissue_invoice=False)
    name, kwargs = fake_records[1]
    assert name == "record_credit_note"
    assert (kwargs["amount"], kwargs["lines"], kwargs["query"].id) == (
        Decimal("48.20"), [], query.id)
    assert [t for t, _ in query_letters(query.person_id)][-2:] == ["query_outcome",
                                                               "credit_note_notice"]
    outcome = letter_text(query.person_id, "query_outcome")
    assert "We have taken £48.20 off the invoice with credit note CN-" in outcome
    assert "The balance now due on your account is £1,291.80." in outcome
    notice = letter_text(query.person_id, "credit_note_notice")
    assert "Invoice it corrects: INV-2026-0612" in notice and "£48.20" in notice
    # The query is closed: the terminate end takes the open escalation with it.
    assert tasks(instance) == {}
    officer = db.session.scalar(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.name == "escalate_to_officer"))
    assert officer.status != TaskStatus.OPEN


def test_a_credit_on_a_query_not_upheld_is_refused_at_the_task(staff, fake_records):
    from app.errors import ValidationFailed

    query, instance = open_query()
    acknowledge(instance)
    name, _, routing = ROUTES["care_not_delivered"]
    complete(tasks(instance)[name], "fa", **routing)
    with pytest.raises(ValidationFailed) as refused:
        complete(tasks(instance)["decide_outcome"], "fa", outcome="not_upheld",
                 reasons="Right.", credit_amount="10.00")
    assert "not upheld is not credited" in str(refused.value.details)
    with pytest.raises(ValidationFailed) as too_much:
        complete(tasks(instance)["decide_outcome"], "fa", outcome="upheld", reasons="Wrong.",
                 credit_amount="2000.00")
    assert "no more than £1,340.00" in str(too_much.value.details)
    assert fake_records == []


@pytest.fixture
def fake_close_only(monkeypatch):
    """records.record_closing faked; the real credit_notes.record_credit_note."""
    closed: list[str] = []

    def record_closing(query, **kwargs):
        closed.append(kwargs["outcome"])
        query.status, query.outcome = "closed", kwargs["outcome"]
        query.outcome_on, query.outcome_reasons = kwargs["decided_on"], kwargs["reasons"]

    module = types.ModuleType("app.services.queries.records")
    module.record_closing = record_closing  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(queries_package, "records", module, raising=False)
    return closed


def test_a_real_credit_note_under_the_threshold_is_issued_and_sent(staff, fake_close_only):
    query, instance = open_query()
    acknowledge(instance)
    set_clock(at("2026-08-03", "10:00"))
    decide(instance, outcome="upheld", reasons="Two visits were not made.",
           credit_amount="48.20", reissue_invoice=True)
    note = db.session.scalar(select(CreditNote).where(CreditNote.query_id == query.id))
    assert (note.status, note.amount, note.author_id) == (
        CreditNoteStatus.ISSUED, Decimal("48.20"), user("fa").id)
    assert [t for t, _ in query_letters(query.person_id)] == [
        "query_acknowledgement", "query_outcome", "credit_note_notice"]
    outcome = letter_text(query.person_id, "query_outcome")
    assert f"with credit note {note.number}." in outcome
    assert "The balance now due on your account is £1,291.80." in outcome
    # Re-issued at once (queries/reissue.py): 3 Aug + 21 days = Mon 24 Aug 2026.
    assert ("We have sent a corrected invoice, number INV-2026-0612-R1, to replace the one you "
            "queried. Please pay it by 24 August 2026.") in outcome
    notice = letter_text(query.person_id, "credit_note_notice")
    assert f"Credit note {note.number}" in notice and "Date: 3 August 2026" in notice


def test_a_real_credit_note_above_the_threshold_waits_and_is_not_announced(
        staff, fake_close_only):
    query, instance = open_query()
    acknowledge(instance)
    decide(instance, outcome="partly_upheld", reasons="Part of June was charged twice.",
           credit_amount="150.00")
    note = db.session.scalar(select(CreditNote).where(CreditNote.query_id == query.id))
    assert note.status == CreditNoteStatus.AWAITING_APPROVAL
    assert [t for t, _ in query_letters(query.person_id)] == [
        "query_acknowledgement", "query_outcome"]
    outcome = letter_text(query.person_id, "query_outcome")
    assert "part of the charges you queried was wrong" in outcome
    assert "Credit note" not in outcome and "credit note CN-" not in outcome
    assert "The balance now due on your account is £1,340.00." in outcome


def test_through_the_real_records_a_query_opened_is_decided_and_its_hold_lifted(staff):
    """No fakes: records.open_query starts the shipped process; the outcome step closes the
    query with records.record_closing and raises the note with credit_notes.record_credit_note."""
    from app.services.queries import records

    account = person_account()
    invoice = add_invoice(account, "INV-2026-0612", date(2026, 6, 29), "1340.00")
    set_clock(at("2026-07-20", "10:00"))
    query = records.open_query(
        account_person(account), received_on=date(2026, 7, 20), channel="phone",
        raised_by="person", raised_by_name=None, query_type="care_not_delivered",
        what_was_said="The carer did not come on 8 and 9 June.",
        invoices=[{"invoice_number": "INV-2026-0612"}], owner=None, actor=user("fa"))
    assert query.instance_id is not None and invoice.query_hold
    instance = instances.get_instance(query.instance_id)
    assert tasks(instance)["acknowledge_query"].due_at.astimezone().date() == date(2026, 7, 23)
    acknowledge(instance)
    set_clock(at("2026-08-03", "10:00"))
    decide(instance, outcome="upheld", reasons="Two visits were not made.",
           credit_amount="48.20")
    db.session.refresh(query)
    db.session.refresh(invoice)
    assert (query.status, query.outcome, query.outcome_on) == (
        "closed", "upheld", date(2026, 8, 3))
    assert not invoice.query_hold and invoice.credited == Decimal("48.20")
    assert [t for t, _ in query_letters(query.person_id)] == [
        "query_acknowledgement", "query_outcome", "credit_note_notice"]
    assert instances.get_instance(instance.id).status == "completed"


def account_person(account):
    from app.models import Person

    return db.session.get(Person, account.person_id)
