"""The demo data `make run` seeds: idempotent, and with work in the inbox on day one."""
from __future__ import annotations

from sqlalchemy import func, select

from app.demo import DEMO_PASSWORD, seed
from app.extensions import db
from app.models import HumanTask, Person, ProcessInstance, User


def test_seed_twice_adds_nothing_the_second_time(app):
    seed()
    counts = [db.session.scalar(select(func.count(m.id))) for m in (User, Person,
                                                                    ProcessInstance)]
    seed()
    assert [db.session.scalar(select(func.count(m.id))) for m in (User, Person,
                                                                  ProcessInstance)] == counts
    # Four people: three agreements being chased, one direct payment monitored with its audit.
    assert counts == [7, 4, 5]


def test_demo_assistant_signs_in_and_has_a_task(app, client):
    seed()
    token = client.post("/api/v1/tokens", json={"username": "alex",
                                                "password": DEMO_PASSWORD}).json["token"]
    tasks = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}).json
    assert sorted(t["name"] for t in tasks["items"]) == ["record_audit_evidence",
                                                         "validate_agreement"]
    # And the monitored direct payment's first review, for its caseworker.
    assert sorted(db.session.scalars(select(HumanTask.name))) == [
        "carry_out_review", "record_audit_evidence", "validate_agreement"]


def test_demo_debts_open_on_the_first_sweep_and_reminder_1_goes(app):
    from app.models import DebtCase, Invoice, Letter
    from app.services.debts import daily_jobs

    seed()
    seed()
    assert db.session.scalar(select(func.count(Invoice.id))) == 3
    daily_jobs.run_due()
    debts = list(db.session.scalars(select(DebtCase).order_by(DebtCase.id)))
    # 100234's two invoices are one case (50 and 22 days old, both past 21 days); 100871's one.
    assert [len(d.invoices) for d in debts] == [2, 1]
    daily_jobs.run_due()  # the 50-day-old invoice's reminder 1 (day 28) is past due
    assert db.session.scalar(select(func.count(Letter.id)).where(
        Letter.template == "debt_reminder_1")) == 2
