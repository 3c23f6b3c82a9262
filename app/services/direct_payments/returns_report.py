"""The direct-payment returns report for managers (issue 21 part 4): reviews due in the next 28
days, overdue (past their due date and not done) and breached (the flag the monitoring process
raises when a statutory review's date passes, DP Regs 2014 reg 7(1)(a)); audits still open by
how long since the documents were asked for; surpluses found and recovered by month.

Two halves: `review_facts` and `audit_facts` read the rows (team-scoped as other reports: a user
who does not see every team sees their own team's cases); `build` and `to_csv` are pure
functions over them, testable without Flask or a database.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import Select, select

from app.extensions import db
from app.models import (
    AuditStatus,
    DirectPaymentAgreement,
    DirectPaymentAudit,
    DirectPaymentReview,
    Person,
    ReviewStatus,
    User,
)

from .dp_views import REVIEW_KIND_WORDS, words

DUE_WITHIN_DAYS = 28
# Days since the request: within the 28 days the person has, within the reminder's 14 more,
# and past both (DOMAIN.md A.2 step 4).
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0 to 28 days", 0, 28), ("29 to 42 days", 29, 42), ("43 days or more", 43, None))
ZERO = Decimal("0.00")
S = TypeVar("S", bound=Select)


@dataclass(frozen=True)
class ReviewFact:
    person_reference: str
    person_name: str
    kind: str
    status: str
    due_on: date
    breached_on: date | None
    completed_on: date | None


@dataclass(frozen=True)
class AuditFact:
    person_reference: str
    person_name: str
    reference: str
    status: str
    opened_on: date
    requested_on: date | None
    surplus: Decimal | None
    recovered: Decimal


@dataclass(frozen=True)
class ReviewLine:
    person_reference: str
    person_name: str
    kind_words: str
    due_on: date
    breached_on: date | None
    completed_on: date | None


@dataclass(frozen=True)
class AgeBand:
    label: str
    count: int
    audits: tuple[str, ...]  # their references, oldest first


@dataclass(frozen=True)
class MonthMoney:
    month: date  # the first of the month
    audits: int
    surplus: Decimal
    recovered: Decimal

    @property
    def label(self) -> str:
        return f"{self.month:%B %Y}"


@dataclass(frozen=True)
class ReturnsReport:
    on: date
    due: list[ReviewLine] = field(default_factory=list)
    overdue: list[ReviewLine] = field(default_factory=list)
    breached: list[ReviewLine] = field(default_factory=list)
    bands: list[AgeBand] = field(default_factory=list)
    months: list[MonthMoney] = field(default_factory=list)

    @property
    def open_audits(self) -> int:
        return sum(b.count for b in self.bands)

    @property
    def surplus_total(self) -> Decimal:
        return sum((m.surplus for m in self.months), ZERO)

    @property
    def recovered_total(self) -> Decimal:
        return sum((m.recovered for m in self.months), ZERO)


# --- the rows ------------------------------------------------------------------------------------
def _scoped(stmt: S, user: User) -> S:
    if not user.sees_all_teams:
        stmt = stmt.where(Person.team_id == user.team_id)
    return stmt


def review_facts(user: User) -> list[ReviewFact]:
    """Reviews still due, and every review that was flagged as breached."""
    stmt = (select(DirectPaymentReview, Person.reference, Person.name)
            .join(DirectPaymentAgreement,
                  DirectPaymentAgreement.id == DirectPaymentReview.agreement_id)
            .join(Person, Person.id == DirectPaymentAgreement.person_id)
            .where((DirectPaymentReview.status == ReviewStatus.DUE)
                   | DirectPaymentReview.breached_on.is_not(None)))
    rows = db.session.execute(_scoped(stmt, user))
    return [ReviewFact(reference, name, r.kind, r.status, r.due_on, r.breached_on,
                       r.completed_on) for r, reference, name in rows]


def audit_facts(user: User) -> list[AuditFact]:
    """Audits still open, and every audit that found a surplus or recovered money."""
    stmt = (select(DirectPaymentAudit, Person.reference, Person.name)
            .join(DirectPaymentAgreement,
                  DirectPaymentAgreement.id == DirectPaymentAudit.agreement_id)
            .join(Person, Person.id == DirectPaymentAgreement.person_id)
            .where((DirectPaymentAudit.status != AuditStatus.CLOSED)
                   | DirectPaymentAudit.surplus.is_not(None)
                   | (DirectPaymentAudit.recovered > 0)))
    rows = db.session.execute(_scoped(stmt, user))
    return [AuditFact(reference, name, a.reference, a.status, a.opened_on, a.requested_on,
                      a.surplus, a.recovered if a.recovered is not None else ZERO)
            for a, reference, name in rows]


# --- the figures (pure) --------------------------------------------------------------------------
def build(reviews: list[ReviewFact], audits: list[AuditFact], on: date) -> ReturnsReport:
    """The report's figures on `on` from the rows."""
    horizon = on + timedelta(days=DUE_WITHIN_DAYS)
    still_due = sorted((r for r in reviews if r.status == ReviewStatus.DUE),
                       key=lambda r: (r.due_on, r.person_reference))
    return ReturnsReport(
        on=on,
        due=[_line(r) for r in still_due if on <= r.due_on <= horizon],
        overdue=[_line(r) for r in still_due if r.due_on < on],
        breached=[_line(r) for r in sorted(
            (r for r in reviews if r.breached_on is not None),
            key=lambda r: (r.due_on, r.person_reference))],
        bands=age_bands(audits, on), months=money_by_month(audits))


def _line(fact: ReviewFact) -> ReviewLine:
    return ReviewLine(fact.person_reference, fact.person_name,
                      words(fact.kind, REVIEW_KIND_WORDS), fact.due_on, fact.breached_on,
                      fact.completed_on)


def audit_age(fact: AuditFact, on: date) -> int:
    """Days since the documents were asked for (since the audit opened, before that)."""
    return max((on - (fact.requested_on or fact.opened_on)).days, 0)


def age_bands(audits: list[AuditFact], on: date) -> list[AgeBand]:
    """Open audits in the three bands of days since the request, each with its references."""
    still_open = sorted((a for a in audits if a.status != AuditStatus.CLOSED),
                        key=lambda a: (-audit_age(a, on), a.reference))
    out = []
    for label, low, high in AGE_BANDS:
        inside = [a.reference for a in still_open
                  if audit_age(a, on) >= low and (high is None or audit_age(a, on) <= high)]
        out.append(AgeBand(label, len(inside), tuple(inside)))
    return out


def money_by_month(audits: list[AuditFact]) -> list[MonthMoney]:
    """Surplus found and money recovered, by the month each audit opened, oldest first."""
    months: dict[date, list[AuditFact]] = {}
    for fact in audits:
        if fact.surplus is None and not fact.recovered:
            continue
        months.setdefault(fact.opened_on.replace(day=1), []).append(fact)
    return [MonthMoney(month, len(facts), sum((f.surplus or ZERO for f in facts), ZERO),
                       sum((f.recovered for f in facts), ZERO))
            for month, facts in sorted(months.items())]


def report(user: User, on: date) -> ReturnsReport:
    """The report as `user` may see it."""
    return build(review_facts(user), audit_facts(user), on)


CSV_HEADER = ("Figure", "Band or month", "Number", "Surplus found", "Recovered")


def to_csv(rep: ReturnsReport) -> str:
    """The report's figures (no names: a file leaves the service) as CSV."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerow((f"Reviews due in the next {DUE_WITHIN_DAYS} days", "", len(rep.due), "", ""))
    writer.writerow(("Reviews overdue", "", len(rep.overdue), "", ""))
    writer.writerow(("Reviews breached", "", len(rep.breached), "", ""))
    for band in rep.bands:
        writer.writerow(("Audits open", band.label, band.count, "", ""))
    for month in rep.months:
        writer.writerow(("Surpluses", month.month.strftime("%Y-%m"), month.audits,
                         f"{month.surplus:.2f}", f"{month.recovered:.2f}"))
    writer.writerow(("Surpluses", "All months", sum(m.audits for m in rep.months),
                     f"{rep.surplus_total:.2f}", f"{rep.recovered_total:.2f}"))
    return out.getvalue()
