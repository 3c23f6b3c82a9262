"""The batch loop of the daily jobs and the timer sweep: each item in its own transaction, and a
failing item is logged (its type and id only) without stopping the others or the jobs after it."""
from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.extensions import db
from app.models import CapacityAssessment, InstalmentPlan, InstanceStatus, JobRun, Representative
from app.services.debts import instalment_plans
from app.services.processes import instances
from app.services.transaction import for_each_in_own_transaction
from tests.workflows.debt_helpers import add_invoice, debt_of, letters, person_account, sweep, user


def _job_names() -> set[str]:
    db.session.rollback()
    return set(db.session.scalars(select(JobRun.name).where(JobRun.name.like("batch-%"))))


def _write(name: str) -> None:
    db.session.add(JobRun(name=name, day=date(2026, 3, 2), finished_at=clock.now()))
    db.session.flush()


def test_a_failing_item_rolls_back_alone_and_the_others_commit(app, caplog):
    def work(item: int) -> int:
        _write(f"batch-{item}")
        if item == 2:
            raise RuntimeError("no letter for Margaret Example, 1 Orchard Way")
        return item * 10

    with caplog.at_level(logging.ERROR):
        batch = for_each_in_own_transaction([1, 2, 3], work, what="test item")
    assert (batch.results, batch.failed, batch.done) == ([10, 30], [2], 2)
    assert not db.session().in_transaction()  # the caller's session is clean
    assert _job_names() == {"batch-1", "batch-3"}
    assert "test item 2 failed: RuntimeError" in caplog.text
    assert "Margaret" not in caplog.text and "Orchard" not in caplog.text


def test_a_lost_race_is_tried_once_more_in_a_fresh_transaction(app, caplog):
    """Another scheduler writes the row between our look and our insert: the second attempt sees
    theirs. An item that loses twice is logged and skipped like any other failure."""
    calls: list[str] = []

    def work(name: str) -> str:
        calls.append(name)
        if db.session.scalar(select(JobRun.id).where(JobRun.name == name)) is not None:
            return "joined"
        if name == "batch-raced":
            with db.engine.begin() as other:  # the other scheduler, on its own connection
                other.execute(JobRun.__table__.insert().values(
                    name=name, day=date(2026, 3, 2), finished_at=clock.now()))
        if name == "batch-unlucky":
            raise IntegrityError("INSERT", {}, Exception("duplicate key"))
        _write(name)
        return "opened"

    with caplog.at_level(logging.ERROR):
        batch = for_each_in_own_transaction(
            ["batch-raced", "batch-unlucky", "batch-plain"], work, what="opening",
            retry_on=(IntegrityError,))
    assert (batch.results, batch.failed) == (["joined", "opened"], ["batch-unlucky"])
    assert calls == ["batch-raced", "batch-raced", "batch-unlucky", "batch-unlucky",
                     "batch-plain"]
    assert _job_names() == {"batch-raced", "batch-plain"}
    assert "opening batch-unlucky failed: IntegrityError" in caplog.text
    assert "batch-raced" not in caplog.text


def _letters_failing_for(person_id: int):
    """The plan's letter is written, then fails: like a renderer error after a partial write."""
    real = instalment_plans.issue_letter

    def issue(instance, template, fields, letter_date=None):
        letter = real(instance, template, fields, letter_date)
        if instance.person_id == person_id:
            raise RuntimeError(f"template store unavailable for {instance.person.name}")
        return letter

    return issue


def _plan_status(account) -> str:
    return db.session.scalar(select(InstalmentPlan.status).where(
        InstalmentPlan.debt_case_id == debt_of(account).id))


def test_a_plan_whose_letter_fails_stops_neither_the_other_plans_nor_the_held_ladders(
        staff, monkeypatch, caplog):
    failing, kept = person_account("P-FAIL", "Fay Failing"), person_account("P-KEPT", "Kim Kept")
    held = person_account("P-HELD", "Hal Held")
    db.session.add(CapacityAssessment(person_id=held.person_id, decision="finance",
                                      has_capacity=False, assessed_on=date(2026, 2, 1),
                                      assessor="Dr Who"))
    db.session.commit()
    for account, number in ((failing, "INV-F"), (kept, "INV-K"), (held, "INV-H")):
        add_invoice(account, number, date(2026, 3, 2), "400.00")
    sweep("2026-03-24")
    sweep("2026-03-30")
    sweep("2026-04-01", "10:00")
    for account in (failing, kept):
        instalment_plans.record_plan(debt_of(account), {
            "amount": Decimal("100.00"), "frequency": "monthly",
            "first_date": date(2026, 4, 15), "method": "card"}, user("fo"))
    held_debt = debt_of(held)
    assert instances.get_instance(held_debt.instance_id).status == InstanceStatus.HELD
    # A representative recorded without a recheck: only the daily job's recheck moves the ladder.
    db.session.add(Representative(person_id=held.person_id, name="Carol Deputy", type="deputy",
                                  scope="property_and_finance", address_lines=["2 Court Road"],
                                  postcode="EX2 2CC"))
    db.session.commit()
    failing_debt_id = debt_of(failing).id
    monkeypatch.setattr(instalment_plans, "issue_letter", _letters_failing_for(failing.person_id))

    with caplog.at_level(logging.ERROR):
        report, _ = sweep("2026-04-16")  # neither plan's 15 April instalment was paid

    assert report is not None and report.plans_checked == 2
    assert _plan_status(failing) == "active"  # its own writes are undone, letter and all
    assert "instalment_missed" not in [t for t, _ in letters(failing.person_id)]
    assert _plan_status(kept) == "behind"
    assert letters(kept.person_id)[-1] == ("instalment_missed", date(2026, 4, 16))
    assert instances.get_instance(held_debt.instance_id).status != InstanceStatus.HELD
    assert letters(held.person_id) == [("debt_reminder_1", date(2026, 4, 16))]
    assert f"plan of debt {failing_debt_id} failed: RuntimeError" in caplog.text
    assert "Fay" not in caplog.text and "Failing" not in caplog.text

    assert sweep("2026-04-16", "11:00")[0] is None  # the day is done, not retried every sweep
    monkeypatch.undo()
    sweep("2026-04-17")  # the next day's run tries the failed plan again
    assert _plan_status(failing) == "behind"
    assert letters(failing.person_id)[-1] == ("instalment_missed", date(2026, 4, 17))


def test_a_failed_step_names_where_it_failed_and_nothing_personal(app, caplog):
    # A process that could not start or go on says at which step (a diagram id, never personal
    # data), so an intermittent failure of a daily job can be traced.
    from app.errors import ValidationFailed

    def work(item: int) -> int:
        raise ValidationFailed("the process could not go on: no address for Margaret Example", [
            {"element_id": "send_reminder_1", "message": "no address for Margaret Example"}])

    with caplog.at_level(logging.ERROR):
        for_each_in_own_transaction([7], work, what="opening a debt case for account")
    assert ("opening a debt case for account 7 failed: ValidationFailed at send_reminder_1"
            in caplog.text)
    assert "Margaret" not in caplog.text
