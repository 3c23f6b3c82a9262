"""A direct-payment task shows what it is about above its form: an audit's task its findings,
dates and money (the assistant checking the documents, the caseworker talking the surplus
through); a monitoring task the direct payment and the review due."""
from __future__ import annotations

from datetime import date
from html import unescape

from app.extensions import db
from app.services.direct_payments import monitoring
from app.services.processes import instances
from tests.conftest import set_clock
from tests.integration.action_pages import signed_in
from tests.integration.dp_case_helpers import add_balance, monitored, user
from tests.workflows.debt_helpers import at, complete, sweep


def tasks_of(instance_id: int) -> dict:
    return {t.name: t for t in instances.open_tasks(instances.get_instance(instance_id))}


def test_an_audit_task_shows_the_audit_it_is_about(staff, client):
    agreement = monitored()
    add_balance(agreement, date(2026, 3, 2), "4150.00")
    set_clock(at("2026-03-02", "10:00"))
    audit = monitoring.open_audit(agreement, "sweep", user("fa"),
                                  findings=["A balance £1,350.00 above the contingency"])
    db.session.commit()
    task = tasks_of(audit.instance_id)["record_audit_evidence"]
    signed_in(client, "fa")
    page = unescape(client.get(f"/tasks/{task.id}").text)
    for text in (f"Audit {audit.reference}", "Documents due", "30 March 2026",
                 "A balance £1,350.00 above the contingency", "£2,800.00 (8 weeks)",
                 "View the direct payment, its reviews and audits"):
        assert text in page, text
    complete(task, "fa", documents_received_on="2026-03-02", balance="4150.00",
             commitments="0", outcome="surplus", audit_findings="Nothing planned explains it.")
    surplus_task = tasks_of(audit.instance_id)["discuss_surplus"]
    signed_in(client, "cw")
    page = unescape(client.get(f"/tasks/{surplus_task.id}").text)
    assert "Surplus above the contingency" in page and "£1,350.00" in page
    assert "Nothing planned explains it." in page


def test_a_review_task_shows_the_direct_payment_and_its_review_date(staff, client):
    agreement = monitored()
    sweep("2026-06-15")
    task = tasks_of(agreement.monitoring_id)["carry_out_review"]
    signed_in(client, "cw")
    page = unescape(client.get(f"/tasks/{task.id}").text)
    assert "The direct payment" in page and "13 July 2026" in page
    assert "£350.00 a week" in page or "£350.00" in page


def test_other_tasks_show_no_direct_payment(staff, client):
    from tests.dp_helpers import dp_person, returned_agreement

    person = dp_person("P100871")
    db.session.commit()
    _, task = returned_agreement(person.reference, user("fa"))
    signed_in(client, "fa")
    assert "direct-payment-context" not in client.get(f"/tasks/{task.id}").text


def test_what_happens_next_includes_the_open_audit(staff):
    from app.services.direct_payments import dp_views

    agreement = monitored()
    set_clock(at("2026-03-02", "10:00"))
    audit = monitoring.open_audit(agreement, "concern", user("fa"), findings=["Asked"])
    db.session.commit()
    said = dp_views.what_happens_next(agreement)
    assert (f"Audit {audit.reference}: the audit reminder will be sent on Monday 30 March 2026"
            in " ".join(said)), said


def test_the_surplus_task_checks_the_answers_before_the_notice_goes(staff, client):
    """Talking the surplus through sends the surplus notice: its page checks the answers first,
    as every task that sends a letter does (the monitoring letters were not counted as letters)."""
    import re

    from sqlalchemy import func, select

    from app.models import HumanTask, Letter
    from tests.integration.test_web_pages import csrf

    agreement = monitored()
    set_clock(at("2026-03-02", "10:00"))
    audit = monitoring.open_audit(agreement, "concern", user("fa"), findings=["Asked"])
    db.session.commit()
    complete(tasks_of(audit.instance_id)["record_audit_evidence"], "fa",
             documents_received_on="2026-03-02", balance="4150.00", commitments="0",
             outcome="surplus", audit_findings="Nothing planned explains it.")
    task = tasks_of(audit.instance_id)["discuss_surplus"]
    sent = db.session.scalar(select(func.count()).select_from(Letter))
    signed_in(client, "cw")
    path = f"/tasks/{task.id}"
    answered = client.post(path, data={"csrf_token": csrf(client, path), "action": "complete",
                                       "surplus_discussed": "true",
                                       "surplus_to_recover": "1350.00"})
    assert answered.status_code == 303 and answered.location == f"{path}/check"
    page = unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(answered.location).text)))
    assert "Check your answers before sending the letter" in page
    assert "Alice Example" in page
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).status == "open"
    assert db.session.scalar(select(func.count()).select_from(Letter)) == sent
