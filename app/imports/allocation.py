"""Which invoices a payment pays: the ones its reference names, then the oldest due first.

Pure: no app, no database, Decimal only. The rule follows how councils' finance systems
allocate cash: the payer's own reference wins; otherwise the debt that has been owed longest is
cleared first (it is the nearest to recovery action and to the six-year limitation date).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Sequence

REFERENCE = "reference"
OLDEST_FIRST = "oldest_first"
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class OpenInvoice:
    number: str
    due_date: date
    outstanding: Decimal
    # An invoice under query is not paid off unasked: a payment reaches it only by reference.
    on_hold: bool = False


@dataclass(frozen=True)
class Allocation:
    number: str
    amount: Decimal
    rule: str  # REFERENCE or OLDEST_FIRST


@dataclass(frozen=True)
class Allocated:
    allocations: tuple[Allocation, ...]
    remainder: Decimal  # what no open invoice could take (kept as the payment's unallocated)


def allocate(amount: Decimal, reference: str, invoices: Sequence[OpenInvoice]) -> Allocated:
    """Share `amount` among `invoices`: first those named in `reference`, then oldest due first.

    Each invoice takes at most what is outstanding on it; invoices with nothing outstanding
    take nothing. Ties on the due date go by invoice number, so the answer never depends on
    the order the database happened to return rows in.
    """
    if not isinstance(amount, Decimal) or any(
            not isinstance(i.outstanding, Decimal) for i in invoices):
        raise TypeError("amounts must be Decimal")
    if amount < 0:
        raise ValueError("a payment amount cannot be negative")
    payable = sorted((i for i in invoices if i.outstanding > 0),
                     key=lambda i: (i.due_date, i.number))
    named = referenced(reference, [i.number for i in payable])
    by_reference = [i for i in payable if i.number in named]
    oldest_first = [i for i in payable if i.number not in named and not i.on_hold]
    left = amount
    allocations = []
    for rule, queue in ((REFERENCE, by_reference), (OLDEST_FIRST, oldest_first)):
        for invoice in queue:
            if left <= 0:
                break
            share = min(left, invoice.outstanding)
            allocations.append(Allocation(invoice.number, share, rule))
            left -= share
    return Allocated(tuple(allocations), left)


def referenced(reference: str, numbers: Sequence[str]) -> set[str]:
    """The invoice numbers a bank reference names, ignoring case and separators.

    Bank references are short, upper-case and often lose punctuation, so "INV 2026 0042" and
    "inv20260042" both name INV-2026-0042. The number must stand alone: "INV-2026-00421" is
    another invoice and names nothing here.
    """
    text = reference.upper()
    found = set()
    for number in numbers:
        chunks = re.findall(r"[A-Z0-9]+", number.upper())
        if not chunks:
            continue
        pattern = (r"(?<![A-Z0-9])" + r"[\s./_-]*".join(re.escape(c) for c in chunks)
                   + r"(?![A-Z0-9])")
        if re.search(pattern, text):
            found.add(number)
    return found
