"""The prepaid-card imports (issue 21): the card provider's statement lines and balances, each
matched to its direct payment by card id, for the monthly card check (docs/imports.md).

A card that ended with its direct payment still sends lines (the final audit needs them), so a
card matches the direct payment running on it, else the latest that had it.
"""
from __future__ import annotations

from functools import partial
from typing import Any

from app import clock
from app.imports import formats
from app.imports.formats import Parsed, Row
from app.models import (
    CardBalance,
    CardTransaction,
    DirectPaymentAgreement,
    DirectPaymentStatus,
    User,
)
from app.services.imports.common import (
    ImportResult,
    add_or_update,
    fail_if,
    firsts,
    load_by,
    problem,
    record,
)
from app.services.imports.direct_payments import not_after_today

TRANSACTION_FIELDS = ("posted_on", "kind", "amount", "payee", "category")
BALANCE_FIELDS = ("balance", "commitments")


def import_card_transactions(parsed: Parsed, actor: User | None, result: ImportResult) -> None:
    """Add the statement lines not held yet (by card and the provider's reference); a line the
    provider has corrected since is updated."""
    rows, agreements = _checked(parsed, result, formats.CARD_TRANSACTIONS.key, "posted_on")
    held = {(t.agreement_id, t.provider_reference): t for t in load_by(
        CardTransaction, CardTransaction.agreement_id, [a.id for a in agreements.values()],
        many=True)}
    for row in rows:
        agreement = agreements[row.values["card_id"]]
        fields = {name: row.values[name] for name in TRANSACTION_FIELDS if name in row.values}
        line, changed = add_or_update(
            held.get((agreement.id, row.values["provider_reference"])), fields,
            partial(CardTransaction, agreement_id=agreement.id,
                    provider_reference=row.values["provider_reference"], **fields))
        record(result, "imported_card_transaction", actor, changed,
               person_id=agreement.person_id,
               summary={"agreement_id": agreement.id, "card_transaction_id": line.id})


def import_card_balances(parsed: Parsed, actor: User | None, result: ImportResult) -> None:
    """Add each card's balance on a day; a day held already is updated if the provider's figure
    has changed."""
    rows, agreements = _checked(parsed, result, formats.CARD_BALANCES.key, "as_of")
    held = {(b.agreement_id, b.as_of): b for b in load_by(
        CardBalance, CardBalance.agreement_id, [a.id for a in agreements.values()], many=True)}
    now = clock.now()
    for row in rows:
        agreement = agreements[row.values["card_id"]]
        fields = {name: row.values[name] for name in BALANCE_FIELDS if name in row.values}
        balance, changed = add_or_update(
            held.get((agreement.id, row.values["as_of"])), fields,
            partial(CardBalance, agreement_id=agreement.id, as_of=row.values["as_of"],
                    imported_at=now, **fields))
        if changed:
            balance.imported_at = now
        record(result, "imported_card_balance", actor, changed, person_id=agreement.person_id,
               summary={"agreement_id": agreement.id, "card_balance_id": balance.id})


def _checked(parsed: Parsed, result: ImportResult, key: tuple[str, ...], dated: str
             ) -> tuple[list[Row], dict[str, DirectPaymentAgreement]]:
    """The file's rows, one per natural key, and the direct payment of each card; stops with
    every problem when a row is wrong or names a card we do not hold."""
    groups, errors = formats.group_rows(parsed.rows, key)
    rows = firsts(groups, result)
    errors = parsed.errors + errors + not_after_today(rows, (dated,))
    agreements = cards_for(rows, errors)
    fail_if(errors)
    return rows, agreements


def cards_for(rows: list[Row], errors: list[dict[str, Any]]) -> dict[str, DirectPaymentAgreement]:
    """The direct payment each card pays: the one running on it, else the latest to have had
    it. A card we hold on no direct payment, or on two running ones, is an error."""
    found = load_by(DirectPaymentAgreement, DirectPaymentAgreement.card_id,
                    [r.values["card_id"] for r in rows], many=True)
    by_card: dict[str, list[DirectPaymentAgreement]] = {}
    for agreement in sorted(found, key=lambda a: a.id, reverse=True):
        by_card.setdefault(agreement.card_id or "", []).append(agreement)
    chosen: dict[str, DirectPaymentAgreement] = {}
    for row in rows:
        card = row.values["card_id"]
        held = by_card.get(card, [])
        running = [a for a in held if a.status != DirectPaymentStatus.ENDED]
        if not held:
            errors.append(problem(row.line, "card_id", (
                f"no direct payment with card '{card}'; import direct payments first")))
        elif len(running) > 1:
            errors.append(problem(row.line, "card_id", (
                f"card '{card}' is on more than one running direct payment; correct the cards "
                "on the direct payments first")))
        else:
            chosen[card] = (running or held)[0]
    return chosen
