"""The History as a caseworker's record: sentences in plain English, values joined from the
task and letter rows, system steps behind a switch, a bounded number of queries."""
from __future__ import annotations

from datetime import date

import pytest
from flask import render_template
from sqlalchemy import event

from app.extensions import db
from app.services.records import history
from app.web.history_view import history_context
from tests.workflows.debt_helpers import (
    add_invoice,
    complete,
    debt_of,
    open_tasks,
    person_account,
    sweep,
)

DEPUTY = {"name": "Beatrice Brown", "type": "deputy", "scope": "property_and_finance",
          "address": {"lines": ["9 Deputy Row", "Other Town"], "postcode": "OT1 9ZZ"},
          "evidence": "COP 1234", "verified_by": "fo", "verified_on": "2026-01-10"}


@pytest.fixture
def called(staff):
    """A debt up to its phone call, the call made: will pay by 30 April 2026."""
    account = person_account("P5001", "Margaret Ellis", representative=DEPUTY)
    add_invoice(account, "INV-5001", date(2026, 3, 2), "752.50")
    for day in ("2026-03-24", "2026-03-30", "2026-04-13", "2026-04-20"):
        sweep(day)
    debt = debt_of(account)
    complete(open_tasks(debt)["phone_contact"], "fa", outcome="spoke_will_pay",
             promised_payment_date="2026-04-30", call_notes="Pays on payday")
    db.session.commit()
    return account.person


def _whats(person, show_system=False) -> list[str]:
    entries, _ = history.entries_of(person, show_system=show_system, limit=None)
    return [e.what for e in entries]


def test_a_phone_call_reads_with_its_outcome_and_promised_date(called):
    entries, _ = history.entries_of(called, show_system=False, limit=None)
    call = next(e for e in entries if e.what.startswith("Phoned"))
    assert call.what == "Phoned Margaret Ellis: will pay by 30 April 2026"
    assert call.who == "Fa"  # the full name, never the username
    assert ("Outcome of the call", "Spoke to them: will pay") in call.answers
    assert ("Promised payment date", "30 April 2026") in call.answers
    assert ("Notes", "Pays on payday") in call.answers


def test_letters_by_their_names_and_recipient(called):
    whats = _whats(called)
    assert "Reminder — overdue care charges sent to Beatrice Brown as deputy" in whats
    assert "Final demand sent to Beatrice Brown as deputy" in whats
    entry = next(e for e in history.entries_of(called, False, None)[0]
                 if e.what.startswith("Final demand"))
    assert entry.letter_id is not None and entry.who == history.THE_SYSTEM


def test_a_debt_stage_move_says_from_what_to_what(called):
    assert "Debt moved from Reminder to Final demand" in _whats(called)  # docs/content.md


def test_system_steps_are_hidden_unless_asked_for_and_told_in_words(called):
    hidden, hidden_total = history.entries_of(called, show_system=False, limit=None)
    shown, shown_total = history.entries_of(called, show_system=True, limit=None)
    assert not any(e.system for e in hidden) and hidden_total == len(hidden)
    assert shown_total > hidden_total and any(e.system for e in shown)
    words = " ".join(e.what for e in shown)
    assert "step" not in words.lower().replace("steps", "")
    assert "_" not in words  # no element ids, no template codes
    assert "Debt recovery started" in words or "started" in words


def test_a_page_of_history_takes_a_bounded_number_of_queries(called):
    statements: list[str] = []

    def count(*args):
        statements.append(args[2])

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        db.session.expire_all()
        history.entries_of(db.session.merge(called), show_system=True, limit=None)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) <= 8, statements


def test_the_partial_renders_entries_answers_and_the_switch(called, app):
    with app.test_request_context("/people/P5001/history"):
        html = render_template("case_history_body.html", **history_context(called, {}))
    assert "Phoned Margaret Ellis: will pay by 30 April 2026" in html
    assert "Show system steps" in html and "?show_system=1" in html
    assert "Download the letter" in html
    with app.test_request_context("/people/P5001/history?show_system=1"):
        html = render_template("case_history_body.html",
                               **history_context(called, {"show_system": "1"}))
    assert "Hide system steps" in html and "The process" in html
