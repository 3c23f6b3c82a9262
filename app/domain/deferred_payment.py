"""The Care Act s69(2) test: court recovery is barred while a deferred payment agreement could be
entered into, unless one was offered and refused.

DOMAIN.md §1.1 and §1.6 and scenario 6. s69(1) (recovery "as a debt") does not apply where a DPA
could be entered into, "unless the authority has sought to enter into one with the adult and the
adult has refused" [S1]; Annex D: the council "must offer ... and can only make an application to
the court should this be refused" [S4].

A DPA must be offered (Deferred Payment Regs 2014 reg 2) when the adult's needs are met in a care
home, their capital excluding the home does not exceed the upper capital limit, and the home is
not disregarded [S13][S16][S22]. The regulation's other conditions (adequate security, agreeing
the terms) are not facts this rule can see: when one of them fails, the officer records the
outcome "ineligible" with the evidence, and the block lifts.

Outcomes recorded on the case:
- None: nothing recorded yet;
- "offered_refused": offered and refused, so s69(2) no longer bars court;
- "ineligible" / "not_eligible": evidence that no DPA can be entered into (both spellings are
  accepted and mean the same);
- "offered_accepted": a DPA is in place or being set up. It secures the debt, so court recovery
  is not the route either. The service clears the outcome if the agreement ends.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

OFFERED_ACCEPTED = "offered_accepted"
OFFERED_REFUSED = "offered_refused"
INELIGIBLE = "ineligible"
NOT_ELIGIBLE = "not_eligible"
OUTCOMES = frozenset({None, OFFERED_ACCEPTED, OFFERED_REFUSED, INELIGIBLE, NOT_ELIGIBLE})
LIFTS_BLOCK = frozenset({OFFERED_REFUSED, INELIGIBLE, NOT_ELIGIBLE})

OFFER_REQUIRED = "DPA could be entered into – offer required (Care Act s69(2))"
SECURED = "a deferred payment agreement secures this debt"


@dataclass(frozen=True)
class DpaFacts:
    in_care_home: bool
    owns_property: bool
    property_disregarded: bool  # e.g. occupied by a qualifying relative
    capital_excluding_home: Decimal | None  # None: not known yet
    upper_capital_limit: Decimal
    outcome: str | None

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            known = ", ".join(sorted(o for o in OUTCOMES if o is not None))
            raise ValueError(f"unknown DPA outcome {self.outcome!r}; expected None or one of "
                             f"{known}")
        if self.capital_excluding_home is not None:
            _check_money(self.capital_excluding_home, "capital_excluding_home")
        _check_money(self.upper_capital_limit, "upper_capital_limit")


def could_enter_dpa(facts: DpaFacts) -> bool:
    """Whether the adult could enter into a DPA (the reg 2 "must offer" case).

    Unknown capital counts as within the limit: the conservative reading, so court waits until
    the capital is known or an offer has been refused. Capital exactly at the limit is within it
    ("does not exceed").
    """
    capital_ok = (facts.capital_excluding_home is None
                  or facts.capital_excluding_home <= facts.upper_capital_limit)
    return (facts.in_care_home and facts.owns_property and not facts.property_disregarded
            and capital_ok)


def court_block(facts: DpaFacts) -> str | None:
    """Why the DPA rule blocks court recovery (and a Letter of Claim), or None if it does not."""
    if facts.outcome == OFFERED_ACCEPTED:
        return SECURED
    if facts.outcome in LIFTS_BLOCK:
        return None
    return OFFER_REQUIRED if could_enter_dpa(facts) else None


def _check_money(value: object, name: str) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise TypeError(f"{name} must be a Decimal, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
