"""The global guards of DOMAIN.md (a), decided before every recovery letter and escalation.

Pure: the caller gathers the facts from the case; this module says what holds. A guard either
holds the whole step (Breathing Space, a death, an up-to-date instalment plan, nobody to write to)
or keeps single invoices out of it (an open query on the invoice, limitation). When every overdue
invoice is kept out, the step is held too: there is nothing left that recovery may chase.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .limitation import is_statute_barred

LETTER = "letter"
ESCALATION = "escalation"
COURT = "court"
KINDS = frozenset({LETTER, ESCALATION, COURT})


@dataclass(frozen=True)
class InvoiceFact:
    number: str
    invoice_date: date
    due_date: date
    total: Decimal
    outstanding: Decimal
    query_hold: bool


@dataclass(frozen=True)
class GuardFacts:
    today: date
    invoices: tuple[InvoiceFact, ...]
    breathing_space: str | None = None  # a description of the active moratorium
    deceased: bool = False
    plan_in_force: bool = False
    # Why nobody can be written to (no capacity and no representative, or a representative
    # without authority for the matter); None when there is a correspondent.
    representation_needed: str | None = None


@dataclass(frozen=True)
class GuardDecision:
    holds: dict[str, str] = field(default_factory=dict)  # guard -> reason
    chase: tuple[InvoiceFact, ...] = ()  # overdue invoices recovery may pursue
    queried: tuple[InvoiceFact, ...] = ()
    barred: tuple[InvoiceFact, ...] = ()

    @property
    def held(self) -> bool:
        return bool(self.holds)

    def reason(self) -> str:
        return "; ".join(self.holds.values())


def decide(facts: GuardFacts, kind: str) -> GuardDecision:
    """What may go ahead for a step of `kind` (letter, escalation or court)."""
    if kind not in KINDS:
        raise ValueError(f"unknown step kind {kind!r}")
    overdue = [i for i in facts.invoices if i.outstanding > 0 and i.due_date < facts.today]
    barred = tuple(i for i in overdue if is_statute_barred(i.due_date, facts.today))
    queried = tuple(i for i in overdue if i.query_hold and i not in barred)
    chase = tuple(i for i in overdue if i not in barred and i not in queried)
    holds: dict[str, str] = {}
    if facts.breathing_space:
        holds["breathing_space"] = f"Breathing Space: {facts.breathing_space}"
    if facts.deceased:
        holds["deceased"] = "the person has died: recovery goes to the estate"
    if facts.plan_in_force:
        holds["instalment_plan"] = "an instalment plan is in force (kept, or within the grace days of a missed instalment)"
    if facts.representation_needed and kind in (LETTER, COURT):
        holds["representation"] = facts.representation_needed
    if not chase:
        if queried:
            holds["invoice_query"] = "every overdue invoice has an open query: " + _numbers(queried)
        if barred:
            holds["limitation"] = ("statute-barred (Care Act s69(3)), excluded from recovery: "
                                   + _numbers(barred))
        if not queried and not barred:
            holds["nothing_overdue"] = "nothing is overdue"
    return GuardDecision(holds, chase, queried, barred)


def _numbers(invoices: tuple[InvoiceFact, ...]) -> str:
    return ", ".join(i.number for i in invoices)
