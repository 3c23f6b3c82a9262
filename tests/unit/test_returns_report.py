"""The direct-payment returns report's figures (issue 21 part 4), as pure functions over rows:
which reviews are due, overdue and breached, the open audits' age bands at their edges, the
surplus and recovery by month, and the CSV of the same figures."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

from app.services.direct_payments.returns_report import (
    AuditFact,
    ReviewFact,
    age_bands,
    build,
    money_by_month,
    to_csv,
)

ON = date(2026, 9, 1)


def review(ref: str, due: date, status: str = "due", breached: date | None = None,
           done: date | None = None, kind: str = "first") -> ReviewFact:
    return ReviewFact(ref, f"Person {ref}", kind, status, due, breached, done)


def audit(ref: str, requested: date | None, status: str = "requested", opened: date | None = None,
          surplus: str | None = None, recovered: str = "0.00") -> AuditFact:
    return AuditFact("P1", "Person P1", ref, status, opened or requested or ON, requested,
                     Decimal(surplus) if surplus is not None else None, Decimal(recovered))


def test_reviews_due_in_28_days_overdue_and_breached():
    rows = [review("P1", ON), review("P2", ON + timedelta(days=28)),
            review("P3", ON + timedelta(days=29)), review("P4", ON - timedelta(days=1)),
            review("P5", date(2026, 7, 13), breached=date(2026, 7, 14)),
            review("P6", date(2026, 1, 5), status="done", breached=date(2026, 1, 6),
                   done=date(2026, 2, 1), kind="annual"),
            review("P7", date(2026, 6, 1), status="cancelled")]
    rep = build(rows, [], ON)
    assert [r.person_reference for r in rep.due] == ["P1", "P2"]
    assert [r.person_reference for r in rep.overdue] == ["P5", "P4"]
    assert [(r.person_reference, r.kind_words, r.completed_on) for r in rep.breached] == [
        ("P6", "Yearly review", date(2026, 2, 1)), ("P5", "First review", None)]


def test_open_audits_fall_in_bands_by_days_since_the_request():
    rows = [audit("AUD-1", ON), audit("AUD-2", ON - timedelta(days=28)),
            audit("AUD-3", ON - timedelta(days=29), status="reminded"),
            audit("AUD-4", ON - timedelta(days=42), status="reminded"),
            audit("AUD-5", ON - timedelta(days=43), status="escalated"),
            audit("AUD-6", None, status="deciding", opened=ON - timedelta(days=50)),
            audit("AUD-7", ON - timedelta(days=90), status="closed")]
    bands = age_bands(rows, ON)
    assert [(b.label, b.count, b.audits) for b in bands] == [
        ("0 to 28 days", 2, ("AUD-2", "AUD-1")),
        ("29 to 42 days", 2, ("AUD-4", "AUD-3")),
        ("43 days or more", 2, ("AUD-6", "AUD-5"))]
    assert build([], rows, ON).open_audits == 6


def test_surpluses_found_and_recovered_by_month_of_the_audit():
    rows = [audit("AUD-1", date(2026, 9, 1), surplus="1350.00", recovered="1350.00",
                  status="closed"),
            audit("AUD-2", date(2026, 9, 30), surplus="0.01"),
            audit("AUD-3", date(2026, 7, 2), surplus=None, recovered="25.50", status="closed"),
            audit("AUD-4", date(2026, 8, 2))]  # found nothing, recovered nothing
    months = money_by_month(rows)
    assert [(m.label, m.audits, m.surplus, m.recovered) for m in months] == [
        ("July 2026", 1, Decimal("0.00"), Decimal("25.50")),
        ("September 2026", 2, Decimal("1350.01"), Decimal("1350.00"))]
    rep = build([], rows, ON)
    assert (rep.surplus_total, rep.recovered_total) == (Decimal("1350.01"), Decimal("1375.50"))
    assert all(isinstance(m.surplus, Decimal) for m in months)


def test_the_csv_has_the_same_figures_and_no_names():
    rep = build([review("P1", ON + timedelta(days=3)), review("P2", date(2026, 7, 13),
                                                              breached=date(2026, 7, 14))],
                [audit("AUD-1", ON - timedelta(days=30), surplus="1350.00", status="reminded")],
                ON)
    text = to_csv(rep)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["Figure", "Band or month", "Number", "Surplus found", "Recovered"],
        ["Reviews due in the next 28 days", "", "1", "", ""],
        ["Reviews overdue", "", "1", "", ""],
        ["Reviews breached", "", "1", "", ""],
        ["Audits open", "0 to 28 days", "0", "", ""],
        ["Audits open", "29 to 42 days", "1", "", ""],
        ["Audits open", "43 days or more", "0", "", ""],
        ["Surpluses", "2026-08", "1", "1350.00", "0.00"],
        ["Surpluses", "All months", "1", "1350.00", "0.00"]]
    assert "Person" not in text and "P1" not in text


def test_an_empty_report_still_has_every_figure():
    rows = list(csv.reader(io.StringIO(to_csv(build([], [], ON)))))
    assert len(rows) == 8 and rows[-1] == ["Surpluses", "All months", "0", "0.00", "0.00"]
