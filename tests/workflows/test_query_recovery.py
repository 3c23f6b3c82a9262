"""Recovery waits for an invoice query and resumes after it (issue 20 part 4, DOMAIN.md A.4 and
scenario 8), through the real query records, the shipped invoice_query process and the shipped
debt ladder, with the frozen clock, on both backends.

Scenario 8: a 4-weekly invoice dated Mon 6 Jul 2026 for £340.00 (contribution £85.00 a week x 4),
due Mon 27 Jul; the client queries on Mon 20 Jul that two visits (£48.20) were missed in week 2.
R1 would otherwise go on Mon 3 Aug (6 Jul + 28 days): 14 days were left when the query came.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import (
    CreditNote,
    CreditNoteStatus,
    DebtCase,
    FinancialAssessment,
    Invoice,
    PausedTimer,
    ProviderAdjustment,
    Person,
)
from app.services.processes import instances
from app.services.queries import records
from tests.conftest import set_clock
from tests.workflows.debt_helpers import (
    add_invoice,
    at,
    complete,
    debt_of,
    letter_text,
    letters,
    pay,
    person_account,
    sweep,
    user,
)


def person_of(account) -> Person:
    return db.session.get_one(Person, account.person_id)


def assess(account, full_cost: bool) -> None:
    db.session.add(FinancialAssessment(
        person_id=account.person_id, assessed_on=date(2026, 4, 1),
        effective_from=date(2026, 4, 6), weekly_contribution=Decimal("85.00"),
        capital_including_home=Decimal("0.00"), capital_excluding_home=Decimal("0.00"),
        full_cost=full_cost))
    db.session.commit()


def query_on(account, *numbers: str, day: str, time: str = "10:00", **item):
    set_clock(at(day, time))
    return records.open_query(
        person_of(account), received_on=date.fromisoformat(day), channel="phone",
        raised_by="person", raised_by_name=None, query_type="care_not_delivered",
        what_was_said="The carer did not come twice in week 2.",
        invoices=[{"invoice_number": n, **item} for n in numbers], owner=None,
        actor=user("fa"))


def close(query, day: str, outcome: str = "not_upheld") -> None:
    set_clock(at(day, "10:00"))
    records.close_query(db.session.get_one(type(query), query.id), outcome=outcome,
                        reasons="Call monitoring shows the visits took place.",
                        decided_on=date.fromisoformat(day), actor=user("fa"))


def ladder_letters(person_id: int) -> list[tuple[str, date]]:
    return [(t, d) for t, d in letters(person_id) if t.startswith("debt_")]


def waiting(debt: DebtCase) -> dict[str, date]:
    """The ladder's waiting timers and the London day each falls due."""
    db.session.expire_all()
    instance = instances.get_instance(debt.instance_id)
    return {name: due.astimezone(timezone.utc).date() if due.tzinfo is None else
            _london_day(due) for name, due in instances.waiting_timers_of(instance).items()}


def _london_day(due: datetime) -> date:
    from app import calendar

    return calendar.to_local_date(due)


def paused(debt: DebtCase) -> list[tuple[str, str, int, bool]]:
    db.session.expire_all()
    return [(p.element_id, p.unit, p.remaining, p.resumed_at is None)
            for p in db.session.scalars(select(PausedTimer).where(
                PausedTimer.instance_id == debt.instance_id).order_by(PausedTimer.id))]


def tasks(instance_id: int):
    return {t.name: t for t in instances.open_tasks(instances.get_instance(instance_id))}


def decide_through_the_process(query, day: str, reduction: str | None = None,
                               **answers) -> None:
    set_clock(at(day, "10:00"))
    open_now = tasks(query.instance_id)
    complete(open_now["check_care_delivered"], "fa", provider_records_checked=True,
             purchase_order_checked=True, findings="Provider actuals checked.",
             **({"provider_payment_reduction": reduction} if reduction else {}))
    complete(tasks(query.instance_id)["decide_outcome"], "fa", **answers)


def scenario_8(full_cost: bool):
    account = person_account()
    assess(account, full_cost)
    invoice = add_invoice(account, "INV-0706", date(2026, 7, 6), "340.00")
    assert invoice.due_date == date(2026, 7, 27)
    query = query_on(account, "INV-0706", day="2026-07-20", amount="48.20")
    return account, query


# --- scenario 8 ---------------------------------------------------------------------------------
def test_scenario_8_r1_suppressed_while_open_then_14_days_after_not_upheld(staff):
    account, query = scenario_8(full_cost=False)
    ack = tasks(query.instance_id)["acknowledge_query"]
    assert ack.due_at.astimezone().date() == date(2026, 7, 23)  # Thu 23 Jul 2026: 3 WD
    complete(ack, "fa", summary_of_query="Two visits missed in week 2.")

    sweep("2026-07-28")  # due Mon 27 Jul: the debt opens over the queried invoice
    debt = debt_of(account)
    assert debt is not None
    # R1 (Mon 3 Aug) paused with the 14 calendar days it had on Mon 20 Jul, not the 6 of today.
    assert paused(debt) == [("reminder_1_due", "calendar_days", 14, True)]
    assert instances.get_instance(debt.instance_id).status == "held"
    sweep("2026-08-03")  # R1's own day: suppressed
    assert ladder_letters(account.person_id) == []

    decide_through_the_process(query, "2026-08-10", reduction="48.20", outcome="not_upheld",
                               reasons="Provider actuals show week 2's cost was £191.80, still "
                                       "above the £85.00 contribution.")
    # The provider is paid £48.20 less, recorded apart from the person's charge.
    assert [(a.query_id, a.amount, a.recorded_on) for a in db.session.scalars(
        select(ProviderAdjustment))] == [(query.id, Decimal("-48.20"), date(2026, 8, 10))]
    assert paused(debt) == [("reminder_1_due", "calendar_days", 14, False)]
    assert waiting(debt) == {"reminder_1_due": date(2026, 8, 24)}  # Mon 10 Aug + 14 days
    sweep("2026-08-21")
    assert ladder_letters(account.person_id) == []
    sweep("2026-08-24")
    assert ladder_letters(account.person_id) == [("debt_reminder_1", date(2026, 8, 24))]
    invoice = db.session.scalar(select(Invoice).where(Invoice.number == "INV-0706"))
    assert invoice.outstanding == Decimal("340.00")  # the charge stays £340.00
    assert db.session.scalar(select(CreditNote.id)) is None
    outcome = letter_text(account.person_id, "query_outcome")
    assert "The weekly charge goes down only when the cost of the care actually received" in outcome
    assert "The balance now due on your account is £340.00." in outcome


def test_scenario_8_full_cost_payer_credit_and_the_reissued_invoice_starts_its_own_recovery(
        staff):
    account, query = scenario_8(full_cost=True)
    complete(tasks(query.instance_id)["acknowledge_query"], "fa", summary_of_query="Missed.")
    sweep("2026-07-28")
    first_debt = debt_of(account)
    decide_through_the_process(query, "2026-08-10", outcome="upheld",
                               reasons="Two visits were not made.", credit_amount="48.20",
                               reissue_invoice=True)
    db.session.expire_all()
    original = db.session.scalar(select(Invoice).where(Invoice.number == "INV-0706"))
    notes = list(db.session.scalars(select(CreditNote).order_by(CreditNote.id)))
    assert [(n.amount, n.status) for n in notes] == [
        (Decimal("48.20"), CreditNoteStatus.ISSUED), (Decimal("291.80"), CreditNoteStatus.ISSUED)]
    assert notes[1].reason == "Replaced by re-issued invoice INV-0706-R1"
    assert (original.credited, original.outstanding, original.status) == (
        Decimal("340.00"), Decimal("0.00"), "paid")  # credited in full
    new = db.session.scalar(select(Invoice).where(Invoice.reissue_of_id == original.id))
    assert (new.number, new.total, new.invoice_date, new.debt_case_id) == (
        "INV-0706-R1", Decimal("291.80"), date(2026, 8, 10), None)
    # Due Mon 31 Aug 2026, 21 days on (the Summer bank holiday: a due date is not moved).
    assert new.due_date == date(2026, 8, 31)
    assert [(line.description, line.amount) for line in new.lines] == [
        ("Charges on invoice INV-0706", Decimal("340.00")),
        (f"Less credit note {notes[0].number}", Decimal("-48.20"))]
    db.session.refresh(first_debt)
    assert (first_debt.status, first_debt.closed_reason) == ("closed", "credited")
    outcome = letter_text(account.person_id, "query_outcome")
    assert "We have sent a corrected invoice, number INV-0706-R1" in outcome
    assert "Please pay it by 31 August 2026." in outcome

    sweep("2026-09-01")  # overdue after Mon 31 Aug: its own debt and its own ladder
    second = debt_of(account)
    assert second.id != first_debt.id and [i.number for i in second.invoices] == ["INV-0706-R1"]
    assert waiting(second) == {"reminder_1_due": date(2026, 9, 7)}  # Mon 10 Aug + 28 days
    sweep("2026-09-07")
    assert ladder_letters(account.person_id) == [("debt_reminder_1", date(2026, 9, 7))]
    assert "£291.80" in letter_text(account.person_id, "debt_reminder_1")


def test_a_query_decided_before_the_invoice_fell_due_moves_r1_to_fri_7_aug(staff):
    account, query = scenario_8(full_cost=False)
    close(query, "2026-07-24")  # not upheld on Fri 24 Jul, before the debt opened
    sweep("2026-07-28")
    debt = debt_of(account)
    assert paused(debt) == []
    assert waiting(debt) == {"reminder_1_due": date(2026, 8, 7)}  # 14 days after Fri 24 Jul
    sweep("2026-08-03")
    assert ladder_letters(account.person_id) == []
    sweep("2026-08-07")
    assert ladder_letters(account.person_id) == [("debt_reminder_1", date(2026, 8, 7))]


# --- a debt already running -----------------------------------------------------------------------
def test_all_invoices_queried_pauses_and_closing_resumes_with_the_time_left(staff):
    account = person_account()
    add_invoice(account, "INV-2001", date(2026, 3, 2), "412.50")  # due Mon 23 Mar
    sweep("2026-03-24")
    debt = debt_of(account)
    query = query_on(account, "INV-2001", day="2026-03-24")
    # R1 due Mon 30 Mar 2026: 6 calendar days left on Tue 24 Mar.
    assert paused(debt) == [("reminder_1_due", "calendar_days", 6, True)]
    sweep("2026-03-30")
    assert ladder_letters(account.person_id) == []
    close(query, "2026-04-08")
    # Wed 8 Apr + 6 days = Tue 14 Apr 2026.
    assert waiting(debt) == {"reminder_1_due": date(2026, 4, 14)}
    sweep("2026-04-13")
    assert ladder_letters(account.person_id) == []
    sweep("2026-04-14")
    assert ladder_letters(account.person_id) == [("debt_reminder_1", date(2026, 4, 14))]


def test_a_query_on_one_invoice_leaves_the_ladder_running_for_the_other(staff):
    account = person_account()
    add_invoice(account, "INV-3001", date(2026, 3, 2), "412.50")
    add_invoice(account, "INV-3002", date(2026, 3, 2), "99.00")
    sweep("2026-03-24")
    debt = debt_of(account)
    first = query_on(account, "INV-3002", day="2026-03-24")
    assert paused(debt) == []
    sweep("2026-03-30")  # R1 on time, about INV-3001 only
    assert ladder_letters(account.person_id) == [("debt_reminder_1", date(2026, 3, 30))]
    text = letter_text(account.person_id, "debt_reminder_1")
    assert "INV-3001" in text and "INV-3002" not in text
    # The final demand is due Mon 13 Apr (30 Mar + 14); both queried on Wed 1 Apr: 12 days left.
    assert waiting(debt) == {"final_demand_due": date(2026, 4, 13)}
    second = query_on(account, "INV-3001", day="2026-04-01")
    assert paused(debt) == [("final_demand_due", "calendar_days", 12, True)]
    sweep("2026-04-13")
    assert [t for t, _ in ladder_letters(account.person_id)] == ["debt_reminder_1"]
    close(first, "2026-04-20")  # INV-3002 chaseable again: the ladder runs
    # Mon 20 Apr + 12 days = Sat 2 May; Mon 4 May is the Early May bank holiday: Tue 5 May 2026.
    assert waiting(debt) == {"final_demand_due": date(2026, 5, 5)}
    close(second, "2026-04-21")  # nothing paused any more: nothing moves
    assert waiting(debt) == {"final_demand_due": date(2026, 5, 5)}
    sweep("2026-05-05")
    assert ladder_letters(account.person_id)[-1] == ("debt_final_demand", date(2026, 5, 5))


def test_paying_the_only_invoice_not_queried_pauses_the_ladder(staff):
    account = person_account()
    add_invoice(account, "INV-3101", date(2026, 3, 2), "412.50")
    add_invoice(account, "INV-3102", date(2026, 3, 2), "99.00")
    sweep("2026-03-24")
    debt = debt_of(account)
    query = query_on(account, "INV-3102", day="2026-03-24")
    sweep("2026-03-30")  # R1 about INV-3001 only; the final demand due Mon 13 Apr
    assert waiting(debt) == {"final_demand_due": date(2026, 4, 13)}
    set_clock(at("2026-04-01", "10:00"))
    pay(account, "412.50", "2026-04-01")  # all that is left unpaid is under query: 12 days left
    assert paused(debt) == [("final_demand_due", "calendar_days", 12, True)]
    sweep("2026-04-13")
    assert [t for t, _ in ladder_letters(account.person_id)] == ["debt_reminder_1"]
    close(query, "2026-04-20")
    assert waiting(debt) == {"final_demand_due": date(2026, 5, 5)}  # 12 days on, past the holiday


# --- a credit note approved after the outcome -----------------------------------------------------
def test_a_credit_note_approved_later_sends_its_notice_and_the_outcome_did_not_claim_it(staff):
    from app.models import Letter
    from app.services.queries import credit_notes

    account = person_account()
    add_invoice(account, "INV-0706", date(2026, 7, 6), "340.00")
    query = query_on(account, "INV-0706", day="2026-07-20")
    complete(tasks(query.instance_id)["acknowledge_query"], "fa", summary_of_query="Missed.")
    decide_through_the_process(query, "2026-07-31", outcome="partly_upheld",
                               reasons="Some visits were short.", credit_amount="150.00")
    note = db.session.scalar(select(CreditNote).where(CreditNote.query_id == query.id))
    assert note.status == CreditNoteStatus.AWAITING_APPROVAL  # above the £100.00 threshold
    outcome = letter_text(account.person_id, "query_outcome")
    assert "The correction of that part needs a finance officer's approval first" in outcome
    assert "we have corrected" not in outcome
    assert "credit_note_notice" not in [t for t, _ in letters(account.person_id)]

    set_clock(at("2026-08-03", "10:00"))  # approved on Mon 3 Aug 2026
    credit_notes.decide_credit_note(note, approve=True, reason=None, actor=user("fm"))
    assert ("credit_note_notice", date(2026, 8, 3)) in letters(account.person_id)
    notice = db.session.scalar(select(Letter).where(Letter.template == "credit_note_notice"))
    assert notice.instance_id == query.instance_id  # the query's own (ended) process
    text = letter_text(account.person_id, "credit_note_notice")
    assert "Invoice it corrects: INV-0706" in text and "£150.00" in text


def test_an_upheld_outcome_with_its_credit_issued_says_it_is_corrected(staff):
    account = person_account()
    add_invoice(account, "INV-0706", date(2026, 7, 6), "340.00")
    query = query_on(account, "INV-0706", day="2026-07-20")
    complete(tasks(query.instance_id)["acknowledge_query"], "fa", summary_of_query="Missed.")
    decide_through_the_process(query, "2026-07-31", outcome="upheld",
                               reasons="Two visits were not made.", credit_amount="48.20")
    outcome = letter_text(account.person_id, "query_outcome")
    assert "were wrong, and we have corrected them." in outcome
    assert "approval first" not in outcome


def test_a_reissue_asked_for_follows_the_late_approval_of_its_credit_note(staff):
    """Upheld with a corrected invoice asked for, but the £150.00 credit is above the £100.00
    threshold: nothing is re-issued until the note is approved; its approval in the inbox on
    Mon 3 Aug re-issues INV-0706 as INV-0706-R1 for the £190.00 left, dated that day."""
    from app.models import HumanTask
    from app.services.inbox import task_actions

    account = person_account()
    add_invoice(account, "INV-0706", date(2026, 7, 6), "340.00")
    query = query_on(account, "INV-0706", day="2026-07-20")
    complete(tasks(query.instance_id)["acknowledge_query"], "fa", summary_of_query="Missed.")
    decide_through_the_process(query, "2026-07-31", outcome="upheld",
                               reasons="Visits were not made.", credit_amount="150.00",
                               reissue_invoice=True)
    note = db.session.scalar(select(CreditNote).where(CreditNote.query_id == query.id))
    assert note.status == CreditNoteStatus.AWAITING_APPROVAL
    original = db.session.scalar(select(Invoice).where(Invoice.number == "INV-0706"))
    assert db.session.scalar(select(Invoice).where(Invoice.reissue_of_id == original.id)) is None

    set_clock(at("2026-08-03", "10:00"))
    task = db.session.scalar(select(HumanTask).where(
        HumanTask.engine_task_id == f"credit-note-{note.id}"))
    task_actions.complete(task.id, {"decision": "approve"}, user("fm"))
    db.session.expire_all()
    new = db.session.scalar(select(Invoice).where(Invoice.reissue_of_id == original.id))
    assert (new.number, new.total, new.invoice_date, new.due_date) == (
        "INV-0706-R1", Decimal("190.00"), date(2026, 8, 3), date(2026, 8, 24))
    assert [(line.description, line.amount) for line in new.lines] == [
        ("Charges on invoice INV-0706", Decimal("340.00")),
        (f"Less credit note {note.number}", Decimal("-150.00"))]
    assert (original.credited, original.outstanding, original.status) == (
        Decimal("340.00"), Decimal("0.00"), "paid")
    notes = [(n.amount, n.status, n.reason) for n in db.session.scalars(
        select(CreditNote).order_by(CreditNote.id))]
    assert notes == [(Decimal("150.00"), "issued", "Visits were not made."),
                     (Decimal("190.00"), "issued", "Replaced by re-issued invoice INV-0706-R1")]
    # The notice sent on the approval tells the person about the corrected invoice.
    notice = letter_text(account.person_id, "credit_note_notice")
    assert "corrected invoice, number INV-0706-R1" in notice and "24 August 2026" in notice
    assert "You do not need to do anything" not in notice


def test_a_late_approval_without_a_reissue_asked_for_reissues_nothing(staff):
    from app.services.queries import credit_notes

    account = person_account()
    add_invoice(account, "INV-0706", date(2026, 7, 6), "340.00")
    query = query_on(account, "INV-0706", day="2026-07-20")
    complete(tasks(query.instance_id)["acknowledge_query"], "fa", summary_of_query="Missed.")
    decide_through_the_process(query, "2026-07-31", outcome="upheld",
                               reasons="Visits were not made.", credit_amount="150.00",
                               reissue_invoice=False)
    note = db.session.scalar(select(CreditNote).where(CreditNote.query_id == query.id))
    set_clock(at("2026-08-03", "10:00"))
    credit_notes.decide_credit_note(note, approve=True, reason=None, actor=user("fm"))
    db.session.expire_all()
    assert db.session.scalar(select(Invoice).where(Invoice.reissue_of_id.is_not(None))) is None
    original = db.session.scalar(select(Invoice).where(Invoice.number == "INV-0706"))
    assert original.outstanding == Decimal("190.00")


def test_the_referral_counts_the_days_the_ladder_waited_for_a_query(staff):
    """REF is invoice + 60 days, so it starts waiting only after the final demand: the 15 days
    the ladder stood still for the query (Tue 24 Mar to Wed 8 Apr) are added to it, as they were
    to R1, else the referral would come before the phone call, on Fri 1 May."""
    account = person_account()
    add_invoice(account, "INV-2001", date(2026, 3, 2), "412.50")  # due Mon 23 Mar
    sweep("2026-03-24")
    debt = debt_of(account)
    query = query_on(account, "INV-2001", day="2026-03-24")  # R1 (Mon 30 Mar): 6 days left
    close(query, "2026-04-08")
    assert waiting(debt) == {"reminder_1_due": date(2026, 4, 14)}
    sweep("2026-04-14")
    assert waiting(debt) == {"final_demand_due": date(2026, 4, 28)}  # the real R1 + 14
    sweep("2026-04-28")
    assert ladder_letters(account.person_id)[-1] == ("debt_final_demand", date(2026, 4, 28))
    # P: 5 working days after the final demand (Mon 4 May a bank holiday): Wed 6 May.
    # REF: Fri 1 May + 15 days = Sat 16 May, so Mon 18 May 2026.
    assert waiting(debt) == {"phone_contact_due": date(2026, 5, 6),
                             "referral_due": date(2026, 5, 18)}
    sweep("2026-05-15")
    assert "pre_legal_checklist" not in tasks(debt.instance_id)
    sweep("2026-05-18")
    assert "pre_legal_checklist" in tasks(debt.instance_id)


def test_the_referral_counts_the_days_a_breathing_space_held_the_ladder(staff):
    """The same for a Breathing Space: REF (invoice + 60 days, Fri 1 May) starts waiting after
    the final demand; the 60 days the ladder was held (Tue 24 Mar to Sat 23 May) are added, else
    the referral would come the day of the final demand."""
    from app.services.debts import breathing_spaces

    account = person_account()
    add_invoice(account, "INV-7301", date(2026, 3, 2), "100.00")
    sweep("2026-03-24", "10:00")
    breathing_spaces.start(account.person, "standard", date(2026, 3, 24), date(2026, 5, 23),
                           None, user("fa"))
    sweep("2026-05-23")
    sweep("2026-05-29")  # R1 had 6 days left on 24 Mar: Fri 29 May
    debt = debt_of(account)
    assert waiting(debt) == {"final_demand_due": date(2026, 6, 12)}
    sweep("2026-06-12")
    # 38 days were left on 24 Mar: Sat 23 May + 38 = Tue 30 Jun 2026.
    assert waiting(debt)["referral_due"] == date(2026, 6, 30)
