"""Invoice query records (issue 20 part 1, DOMAIN.md A.4 step 1): opening one holds its invoices
from recovery, closing it lifts the holds no other open query keeps; over the API and the
service, on both backends, with the shipped ladder and a frozen clock.

Two invoices dated Mon 2 Mar 2026 are due 23 Mar: INV-1001 £412.50 and INV-1002 £99.00 (its
lines £60.00 and £39.00). The debt case opens on Tue 24 Mar; reminder 1 goes on Mon 30 Mar.
"""
from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.errors import ValidationFailed
from app.extensions import db
from app.models import (
    AuditEvent,
    Invoice,
    InvoiceLine,
    InvoiceQuery,
    Letter,
    Person,
    ProcessInstance,
    QueriedInvoice,
)
from app.services.processes import definitions
from app.services.queries import records
from app.services.records import history
from tests.workflows.debt_helpers import (
    add_invoice,
    debt_of,
    letter_text,
    letters,
    person_account,
    sweep,
    user,
)

from .api_helpers import count, error_of, fields_of, fresh

REPO = Path(__file__).resolve().parents[2]
SHIPPED = (REPO / "workflows" / "invoice_query.bpmn").exists()


@pytest.fixture
def case(staff) -> dict[str, Any]:
    """Two overdue invoices, the debt case opened on 24 Mar 2026."""
    account = person_account()
    add_invoice(account, "INV-1001", date(2026, 3, 2), "412.50")
    second = add_invoice(account, "INV-1002", date(2026, 3, 2), "99.00")
    db.session.add_all([
        InvoiceLine(invoice_id=second.id, position=1, description="Home care, week 1",
                    quantity=Decimal("1"), unit_amount=Decimal("60.00"), amount=Decimal("60.00")),
        InvoiceLine(invoice_id=second.id, position=2, description="Home care, week 2",
                    quantity=Decimal("1"), unit_amount=Decimal("39.00"), amount=Decimal("39.00"))])
    db.session.commit()
    sweep("2026-03-24")
    lines = [line.id for line in second.lines]
    return {"person_id": account.person_id, "reference": "P1001", "account": account,
            "lines": lines}


@pytest.fixture
def no_process(monkeypatch):
    """Queries recorded with no invoice_query process running for them (as before it was
    published): their outcome is recorded by POST /queries/<id>/close."""
    monkeypatch.setattr(records, "_start_process", lambda query, person, actor: None)


def body(**overrides) -> dict[str, Any]:
    return {"received_on": "2026-03-24", "channel": "phone", "raised_by": "person",
            "query_type": "care_not_delivered",
            "what_was_said": "The carer did not come on two days in week 1.",
            "invoices": [{"invoice_number": "INV-1002"}], **overrides}


def held() -> dict[str, bool]:
    fresh()
    return {i.number: i.query_hold for i in db.session.scalars(select(Invoice)
                                                                 .order_by(Invoice.number))}


def snapshot() -> dict[str, Any]:
    fresh()
    return {"held": held(), "rows": {m.__name__: count(m) for m in (
        InvoiceQuery, QueriedInvoice, AuditEvent, Letter)},
        "statuses": [(q.reference, q.status, q.outcome) for q in db.session.scalars(
            select(InvoiceQuery).order_by(InvoiceQuery.id))]}


def open_via_api(api, reference: str = "P1001", **overrides) -> dict:
    response = api.post(f"/people/{reference}/queries", json=body(**overrides))
    assert response.status_code == 201, response.json
    return response.json


def close_via_api(api, query_id: int, outcome: str = "not_upheld") -> dict:
    response = api.post(f"/queries/{query_id}/close", json={
        "outcome": outcome, "reasons": "Call monitoring shows both visits took place.",
        "decided_on": "2026-03-24"})
    assert response.status_code == 200, response.json
    return response.json


def history_lines(person_id: int) -> list[str]:
    fresh()
    entries, _ = history.entries_of(db.session.get(Person, person_id), show_system=False)
    return [e.what for e in entries]


# --- opening and closing ---------------------------------------------------------------------
def test_a_query_on_one_invoice_holds_it_only_and_reminder_1_leaves_it_out(as_user, case):
    fa = as_user("fa")
    query = open_via_api(fa, owner="fa")
    assert query["reference"] == f"Q-{query['id']:06d}"
    assert (query["status"], query["received_on"], query["channel"], query["raised_by"],
            query["query_type"], query["owner"], query["outcome"]) == (
        "open", "2026-03-24", "phone", "person", "care_not_delivered", "fa", None)
    assert query["invoices"] == [{"invoice_number": "INV-1002", "line_id": None, "line": None,
                                  "amount": None, "in_question": "99.00", "held": True}]
    assert held() == {"INV-1001": False, "INV-1002": True}
    assert history_lines(case["person_id"])[0] == (
        f"Query {query['reference']} opened: care not delivered or hours wrong, on invoice "
        "INV-1002 (£99.00)")

    sweep("2026-03-30")
    assert letters(case["person_id"]) == [("debt_reminder_1", date(2026, 3, 30))]
    text = letter_text(case["person_id"], "debt_reminder_1")
    assert "INV-1001" in text and "£412.50" in text
    assert "INV-1002" not in text and "£99.00" not in text and "£511.50" not in text

    got = fa.get(f"/queries/{query['id']}")
    assert got.status_code == 200 and got.json == query
    listed = fa.get("/people/P1001/queries?status=open").json
    assert (listed["total"], [q["id"] for q in listed["items"]]) == (1, [query["id"]])


def test_closing_the_query_lifts_the_hold(as_user, case, no_process):
    fa = as_user("fa")
    query = open_via_api(fa)
    closed = close_via_api(fa, query["id"])
    assert (closed["status"], closed["outcome"], closed["outcome_on"]) == (
        "closed", "not_upheld", "2026-03-24")
    assert closed["outcome_reasons"] == "Call monitoring shows both visits took place."
    assert held() == {"INV-1001": False, "INV-1002": False}
    assert history_lines(case["person_id"])[0] == (
        f"Query {query['reference']} closed: not upheld; recovery may go on for INV-1002")
    assert fa.get("/people/P1001/queries?status=open").json["total"] == 0
    assert fa.get("/people/P1001/queries").json["total"] == 1
    sweep("2026-03-30")
    text = letter_text(case["person_id"], "debt_reminder_1")
    assert "INV-1001" in text and "INV-1002" in text and "£511.50" in text
    # A closed query does not close twice: 409 and nothing changes.
    before = snapshot()
    error_of(fa.post(f"/queries/{query['id']}/close", json={
        "outcome": "upheld", "reasons": "Again", "decided_on": "2026-03-30"}), 409, "conflict")
    assert snapshot() == before


def test_two_open_queries_on_one_invoice_keep_it_held_until_both_close(as_user, case, no_process):
    fa, fo = as_user("fa"), as_user("fo")
    whole = open_via_api(fa)
    line = open_via_api(fa, raised_by="provider", raised_by_name="Sunrise Care Ltd",
                        invoices=[{"invoice_number": "INV-1002", "line_id": case["lines"][0],
                                   "amount": "48.20"}])
    assert line["invoices"][0]["in_question"] == "48.20"
    assert line["invoices"][0]["line"] == "Home care, week 1"
    assert history_lines(case["person_id"])[0].endswith("on invoice INV-1002 (£48.20)")
    close_via_api(fo, whole["id"])
    assert held()["INV-1002"] is True
    assert history_lines(case["person_id"])[0] == (
        f"Query {whole['reference']} closed: not upheld")
    assert records.is_held(db.session.scalar(select(Invoice).where(Invoice.number == "INV-1002")))
    close_via_api(fa, line["id"], "partly_upheld")
    assert held()["INV-1002"] is False
    fresh()
    assert not records.is_held(
        db.session.scalar(select(Invoice).where(Invoice.number == "INV-1002")))


def test_closing_the_query_on_the_only_overdue_invoice_resumes_with_the_time_left(
        as_user, staff, no_process):
    """Queried on Tue 24 Mar with R1 due Mon 30 Mar (6 days left): the ladder pauses, and after
    the outcome on Wed 8 Apr R1 goes 6 days on, Tue 14 Apr 2026 (not the same day)."""
    account = person_account()
    add_invoice(account, "INV-2001", date(2026, 3, 2), "412.50")
    sweep("2026-03-24")
    fa = as_user("fa")
    query = open_via_api(fa, invoices=[{"invoice_number": "INV-2001"}])
    sweep("2026-03-30")
    assert letters(account.person_id) == []
    fresh()
    assert "invoice_query" in debt_of(account).guards
    sweep("2026-04-08", "10:00")
    response = fa.post(f"/queries/{query['id']}/close", json={
        "outcome": "not_upheld", "reasons": "The hours were right.", "decided_on": "2026-04-08"})
    assert response.status_code == 200, response.json
    assert letters(account.person_id) == []
    sweep("2026-04-13")
    assert letters(account.person_id) == []
    sweep("2026-04-14")
    assert letters(account.person_id) == [("debt_reminder_1", date(2026, 4, 14))]


def test_closing_a_query_its_process_is_working_on_is_409_and_changes_nothing(as_user, case):
    """While the query's invoice_query process runs, its outcome is recorded on the process's
    outcome task (which closes the query and finishes the process): closing it here would leave
    the process running behind a closed query, so the API refuses as the page does."""
    fa = as_user("fa")
    query = open_via_api(fa)
    assert query["instance_id"] is not None
    before = snapshot()
    error = error_of(fa.post(f"/queries/{query['id']}/close", json={
        "outcome": "not_upheld", "reasons": "The visits took place.",
        "decided_on": "2026-03-24"}), 409, "conflict")
    assert query["reference"] in error["message"]
    assert "Decide the outcome of the query" in error["message"]
    assert snapshot() == before
    fresh()
    assert db.session.get(ProcessInstance, query["instance_id"]).status == "active"


# --- refused, and nothing changed -----------------------------------------------------------------
@pytest.mark.parametrize("overrides, fields", [
    ({"received_on": "2026-03-25"}, ["received_on"]),
    ({"channel": "fax"}, ["channel"]),
    ({"raised_by": "neighbour"}, ["raised_by"]),
    ({"query_type": "other"}, ["query_type"]),
    ({"raised_by": "provider"}, ["raised_by_name"]),
    ({"raised_by": "representative"}, ["raised_by_name"]),  # none recorded to fall back on
    ({"what_was_said": ""}, ["what_was_said"]),
    ({"what_was_said": "   "}, ["what_was_said"]),
    ({"what_was_said": "x" * 5001}, ["what_was_said"]),
    ({"invoices": []}, ["invoices"]),
    ({"invoices": [{"invoice_number": "INV-NOPE"}]}, ["invoices.0.invoice_number"]),
    ({"invoices": [{"invoice_number": "INV-1002", "amount": "0"}]}, ["invoices.0.amount"]),
    ({"invoices": [{"invoice_number": "INV-1002", "amount": "99.01"}]}, ["invoices.0.amount"]),
    ({"invoices": [{"invoice_number": "INV-1002", "amount": "1.005"}]}, ["invoices.0.amount"]),
    ({"invoices": [{"invoice_number": "INV-1002", "line_id": 0}]}, ["invoices.0.line_id"]),
    ({"invoices": [{"invoice_number": "INV-1002"}, {"invoice_number": "INV-1002"}]},
     ["invoices.1"]),
    ({"owner": "cw"}, ["owner"]),
    ({"owner": "fa_south"}, ["owner"]),
    ({"owner": "nobody"}, ["owner"]),
    ({"reason": "unknown field"}, ["reason"]),
])
def test_bad_input_is_422_and_changes_nothing(as_user, case, overrides, fields):
    fa = as_user("fa")
    before = snapshot()
    error = error_of(fa.post("/people/P1001/queries", json=body(**overrides)), 422,
                     "validation_failed")
    assert fields_of(error) == fields
    assert all(d["message"] for d in error["details"]), error
    assert snapshot() == before


def test_two_queries_opened_at_once_on_one_invoice_the_second_waits_and_is_refused(
        app, case, monkeypatch):
    """The first holds its invoice's row (SELECT ... FOR UPDATE on PostgreSQL; SQLite's write
    lock) from its check to its commit: the second waits, then sees the first's open query and
    is refused as "already in open query", never both recorded."""
    first_checked, second_checked = threading.Event(), threading.Event()
    seen: list[int] = []

    def after_its_checks(query, actor) -> None:
        seen.append(query.id)
        if len(seen) == 1:
            first_checked.set()
            # Before the lock, the second checks meanwhile and finds nothing open: both win.
            second_checked.wait(3)
        else:
            second_checked.set()

    monkeypatch.setattr(records, "OPENED_LISTENERS", [*records.OPENED_LISTENERS,
                                                      after_its_checks])
    outcomes: dict[str, object] = {}

    def attempt(name: str) -> None:
        with app.app_context():
            try:
                query = records.open_query(
                    db.session.get_one(Person, case["person_id"]), received_on=date(2026, 3, 24),
                    channel="phone", raised_by="person", raised_by_name=None,
                    query_type="rate_wrong", what_was_said=f"Asked by {name}.",
                    invoices=[{"invoice_number": "INV-1002"}], owner=None, actor=user("fa"))
                outcomes[name] = query.reference
            except ValidationFailed as exc:
                outcomes[name] = exc.details
            finally:
                db.session.remove()

    first = threading.Thread(target=attempt, args=("first",))
    first.start()
    assert first_checked.wait(20)
    second = threading.Thread(target=attempt, args=("second",))
    second.start()
    first.join(30)
    second.join(30)
    fresh()
    recorded = list(db.session.scalars(select(InvoiceQuery)))
    assert [q.what_was_said for q in recorded] == ["Asked by first."]
    assert outcomes["first"] == recorded[0].reference
    assert outcomes["second"] == [{"field": "invoices.0", "message": "INV-1002 is already in "
                                   f"open query {recorded[0].reference}"}]


def test_a_line_over_its_amount_another_persons_or_a_paid_invoice_is_refused(as_user, case):
    fa = as_user("fa")
    other = person_account("P2002", "Bob Other")
    add_invoice(other, "INV-9001", date(2026, 3, 2), "10.00")
    paid = add_invoice(case["account"], "INV-1003", date(2026, 3, 2), "20.00")
    paid.paid, paid.status = Decimal("20.00"), "paid"
    db.session.commit()
    before = snapshot()
    for invoices, field in [
        ([{"invoice_number": "INV-1002", "line_id": case["lines"][1], "amount": "39.01"}],
         "invoices.0.amount"),
        ([{"invoice_number": "INV-9001"}], "invoices.0.invoice_number"),
        ([{"invoice_number": "INV-1003"}], "invoices.0.invoice_number"),
    ]:
        error = error_of(fa.post("/people/P1001/queries", json=body(invoices=invoices)), 422,
                         "validation_failed")
        assert fields_of(error) == [field], invoices
    assert snapshot() == before


def test_the_same_line_cannot_be_in_two_open_queries(as_user, case, no_process):
    fa = as_user("fa")
    first = open_via_api(fa)
    before = snapshot()
    error = error_of(fa.post("/people/P1001/queries", json=body()), 422, "validation_failed")
    assert fields_of(error) == ["invoices.0"]
    assert first["reference"] in error["details"][0]["message"]
    assert snapshot() == before
    close_via_api(fa, first["id"])
    open_via_api(fa)  # once closed, the invoice may be queried again


def test_bad_outcomes_are_422_and_change_nothing(as_user, case, no_process):
    fa = as_user("fa")
    query = open_via_api(fa)
    before = snapshot()
    for change, field in [({"outcome": "maybe"}, "outcome"), ({"reasons": ""}, "reasons"),
                          ({"reasons": "  "}, "reasons"),
                          ({"decided_on": "2026-03-25"}, "decided_on"),
                          ({"decided_on": "2026-03-23"}, "decided_on"),
                          ({"extra": 1}, "extra")]:
        payload = {"outcome": "upheld", "reasons": "Two visits missed.",
                   "decided_on": "2026-03-24", **change}
        error = error_of(fa.post(f"/queries/{query['id']}/close", json=payload), 422,
                         "validation_failed")
        assert fields_of(error) == [field], change
    assert snapshot() == before


def test_another_teams_person_is_404_and_wrong_roles_are_403(as_user, case):
    fa, south = as_user("fa"), as_user("fa_south")
    query = open_via_api(fa)
    before = snapshot()
    error_of(south.post("/people/P1001/queries", json=body()), 404, "not_found")
    error_of(south.get("/people/P1001/queries"), 404, "not_found")
    error_of(south.get(f"/queries/{query['id']}"), 404, "not_found")
    error_of(south.post(f"/queries/{query['id']}/close", json={
        "outcome": "upheld", "reasons": "x", "decided_on": "2026-03-24"}), 404, "not_found")
    error_of(fa.get("/queries/999999"), 404, "not_found")
    error_of(fa.post("/people/NOPE/queries", json=body()), 404, "not_found")
    for role in ("cw", "cm", "legal"):
        error_of(as_user(role).post("/people/P1001/queries", json=body()), 403, "forbidden")
        error_of(as_user(role).post(f"/queries/{query['id']}/close", json={
            "outcome": "upheld", "reasons": "x", "decided_on": "2026-03-24"}), 403, "forbidden")
    error_of(as_user("cw").get(f"/queries/{query['id']}"), 403, "forbidden")
    error_of(as_user("admin").post("/people/P1001/queries", json=body()), 403, "forbidden")
    assert snapshot() == before
    assert as_user("fm").get(f"/queries/{query['id']}").status_code == 200  # all teams


# --- the service --------------------------------------------------------------------------------
def test_the_service_names_the_recorded_representative_and_lists_open_queries(case):
    person = db.session.get(Person, case["person_id"])
    from app.models import Representative
    db.session.add(Representative(person_id=person.id, name="Carol Deputy", type="deputy",
                                  scope="property_and_finance", address_lines=["2 Court Road"],
                                  postcode="EX2 2CC"))
    db.session.commit()
    query = records.open_query(
        person, received_on=date(2026, 3, 23), channel="letter", raised_by="representative",
        raised_by_name=None, query_type="hardship", what_was_said="Cannot pay this month.",
        invoices=[{"invoice_number": "INV-1001", "amount": Decimal("100")}], owner=user("fo"),
        actor=user("fa"))
    assert (query.raised_by_name, query.owner.username, query.items[0].amount) == (
        "Carol Deputy", "fo", Decimal("100.00"))
    assert [q.id for q in records.open_queries_of(person)] == [query.id]
    assert records.get_query(query.id) is query
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "query_opened"))
    assert event.summary["invoices"] == [{"invoice": "INV-1001", "line_id": None,
                                          "amount": "100.00"}]
    records.close_query(query, outcome="upheld", reasons="Waived for March.",
                        decided_on=date(2026, 3, 24), actor=user("fo"))
    assert records.open_queries_of(person) == []


def test_the_process_starts_only_once_published(case, tmp_path):
    """Until `invoice_query` is published a query is its record and holds; once published, each
    new query starts an instance with the query's facts."""
    person = db.session.get(Person, case["person_id"])

    def new_query(number: str) -> InvoiceQuery:
        return records.open_query(
            person, received_on=date(2026, 3, 24), channel="email", raised_by="person",
            raised_by_name=None, query_type="rate_wrong", what_was_said="Wrong rate.",
            invoices=[{"invoice_number": number}], owner=None, actor=user("fa"))

    if not SHIPPED:
        assert new_query("INV-1001").instance_id is None
        (tmp_path / "invoice_query.bpmn").write_text(TINY_DIAGRAM)
        result = definitions.sync_workflows(tmp_path)
        assert result.synced == ("invoice_query",), result
    query = new_query("INV-1002")
    assert query.instance_id is not None
    started = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "instance_started", AuditEvent.instance_id == query.instance_id))
    assert started.summary["process"] == "invoice_query"


TINY_DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs"
    targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="invoice_query" name="Invoice query" isExecutable="true">
    <bpmn:startEvent id="received" name="Query received"/>
    <bpmn:sequenceFlow id="f1" sourceRef="received" targetRef="acknowledge"/>
    <bpmn:userTask id="acknowledge" name="Acknowledge the query"
        camunda:candidateGroups="finance_assistant"/>
    <bpmn:sequenceFlow id="f2" sourceRef="acknowledge" targetRef="done"/>
    <bpmn:endEvent id="done" name="Done"/>
  </bpmn:process>
</bpmn:definitions>
"""


# --- the old boolean route ----------------------------------------------------------------------
def test_the_query_hold_route_opens_and_closes_a_query(as_user, case):
    fa = as_user("fa")
    response = fa.put("/invoices/INV-1002/query-hold", json={"held": True})
    assert response.json == {"number": "INV-1002", "query_hold": True}
    queries = fa.get("/people/P1001/queries").json["items"]
    assert [(q["status"], q["channel"], q["raised_by"], q["query_type"], q["what_was_said"],
             q["instance_id"]) for q in queries] == [
        ("open", "phone", "person", "rate_wrong", records.ALIAS_SAID, None)]
    again = fa.put("/invoices/INV-1002/query-hold", json={"held": True})
    assert again.json["query_hold"] is True and count(InvoiceQuery) == 1
    released = fa.put("/invoices/INV-1002/query-hold", json={"held": False})
    assert released.json == {"number": "INV-1002", "query_hold": False}
    closed = fa.get(f"/queries/{queries[0]['id']}").json
    assert (closed["status"], closed["outcome"]) == ("closed", "not_upheld")


def test_the_query_hold_route_cannot_close_a_query_recorded_in_full(as_user, case):
    fa = as_user("fa")
    query = open_via_api(fa)
    before = snapshot()
    error = error_of(fa.put("/invoices/INV-1002/query-hold", json={"held": False}), 409,
                     "conflict")
    assert query["reference"] in error["message"]
    assert snapshot() == before
