"""Invoice queries in staff words (DOMAIN.md A.4): the channel, who raised it, its type and its
outcome, as pages, the API's messages and the case history say them. Pure."""
from __future__ import annotations

from decimal import Decimal

CHANNEL_WORDS = {
    "phone": "phone",
    "email": "email",
    "letter": "letter",
    "portal": "the online portal",
}

FROM_WORDS = {
    "person": "the person",
    "representative": "their representative",
    "provider": "the care provider",
}

TYPE_WORDS = {
    "care_not_delivered": "care not delivered or hours wrong",
    "rate_wrong": "rate or charge wrong",
    "assessment": "disagrees with the financial assessment",
    "payment_not_allocated": "payment not allocated",
    "hardship": "hardship or waiver request",
    "complaint": "complaint",
}

OUTCOME_WORDS = {
    "upheld": "upheld",
    "not_upheld": "not upheld",
    "partly_upheld": "partly upheld",
}

# The longest account of what was said that a query keeps.
WHAT_WAS_SAID_MAX = 5000
REASONS_MAX = 5000


def money(amount: Decimal | str | None) -> str:
    """£1,234.50."""
    return f"£{Decimal(amount or 0):,.2f}"


def invoices_in_words(items: list[dict]) -> str:
    """"invoice INV-1001 (£48.20)", or "invoices INV-1001 (£48.20) and INV-1002 (£12.00)"."""
    parts = [f"{i['invoice']} ({money(i['amount'])})" for i in items]
    if not parts:
        return "no invoice"
    if len(parts) == 1:
        return f"invoice {parts[0]}"
    return f"invoices {', '.join(parts[:-1])} and {parts[-1]}"


def opened_sentence(reference: str, query_type: str, items: list[dict]) -> str:
    """"Query Q-000012 opened: care not delivered or hours wrong, on invoice INV-1001 (£48.20)"."""
    return (f"Query {reference} opened: {TYPE_WORDS.get(query_type, query_type)}, on "
            f"{invoices_in_words(items)}")


def closed_sentence(reference: str, outcome: str, released: list[str]) -> str:
    """"Query Q-000012 closed: not upheld; recovery may go on for INV-1001"."""
    sentence = f"Query {reference} closed: {OUTCOME_WORDS.get(outcome, outcome)}"
    if released:
        sentence += "; recovery may go on for " + ", ".join(released)
    return sentence
