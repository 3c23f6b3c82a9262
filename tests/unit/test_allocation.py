"""app/imports/allocation.py: by reference, then oldest due first; Decimal only."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.imports.allocation import (
    OLDEST_FIRST,
    REFERENCE,
    Allocation,
    OpenInvoice,
    allocate,
    referenced,
)

D = Decimal
JAN, FEB, MAR = date(2026, 1, 26), date(2026, 2, 23), date(2026, 3, 23)
LEDGER = [OpenInvoice("INV-3", MAR, D("100.00")), OpenInvoice("INV-1", JAN, D("100.00")),
          OpenInvoice("INV-2", FEB, D("60.00"))]


def test_the_invoice_named_in_the_reference_is_paid_first():
    result = allocate(D("130.00"), "MRS LEE INV-3", LEDGER)
    assert result.allocations == (Allocation("INV-3", D("100.00"), REFERENCE),
                                  Allocation("INV-1", D("30.00"), OLDEST_FIRST))
    assert result.remainder == D("0.00")


def test_without_a_reference_the_oldest_due_is_paid_first():
    result = allocate(D("180.00"), "MRS LEE", LEDGER)
    assert result.allocations == (Allocation("INV-1", D("100.00"), OLDEST_FIRST),
                                  Allocation("INV-2", D("60.00"), OLDEST_FIRST),
                                  Allocation("INV-3", D("20.00"), OLDEST_FIRST))
    assert result.remainder == D("0.00")


def test_an_overpayment_leaves_a_remainder():
    result = allocate(D("300.00"), "INV-2", LEDGER)
    assert [a.number for a in result.allocations] == ["INV-2", "INV-1", "INV-3"]
    assert result.remainder == D("40.00")


def test_no_open_invoices_leaves_it_all_unallocated():
    assert allocate(D("25.00"), "INV-1", []).allocations == ()
    assert allocate(D("25.00"), "INV-1", []).remainder == D("25.00")


def test_several_referenced_invoices_are_paid_oldest_first():
    result = allocate(D("120.00"), "INV-3 AND INV-2", LEDGER)
    assert [(a.number, a.amount, a.rule) for a in result.allocations] == [
        ("INV-2", D("60.00"), REFERENCE), ("INV-3", D("60.00"), REFERENCE)]


def test_a_held_invoice_is_paid_only_when_named():
    held = [OpenInvoice("INV-1", JAN, D("50.00"), on_hold=True),
            OpenInvoice("INV-2", FEB, D("50.00"))]
    assert [a.number for a in allocate(D("80.00"), "", held).allocations] == ["INV-2"]
    assert [a.number for a in allocate(D("80.00"), "INV-1", held).allocations] == [
        "INV-1", "INV-2"]


def test_equal_due_dates_go_by_number_whatever_the_input_order():
    same_day = [OpenInvoice("INV-B", JAN, D("10.00")), OpenInvoice("INV-A", JAN, D("10.00"))]
    assert allocate(D("10.00"), "", same_day).allocations[0].number == "INV-A"


def test_settled_invoices_take_nothing():
    ledger = [OpenInvoice("INV-1", JAN, D("0.00")), OpenInvoice("INV-2", FEB, D("5.00"))]
    assert [a.number for a in allocate(D("5.00"), "INV-1", ledger).allocations] == ["INV-2"]


@pytest.mark.parametrize("reference, named", [
    ("INV-2026-0042", True), ("inv-2026-0042 mrs ellis", True), ("INV 2026 0042", True),
    ("INV20260042", True), ("PAYMENT/INV-2026-0042/ELLIS", True),
    ("INV-2026-00421", False), ("XINV-2026-0042", False), ("INV-2026", False), ("", False),
])
def test_a_reference_names_an_invoice_as_a_whole_word_ignoring_case_and_separators(reference,
                                                                                   named):
    assert (referenced(reference, ["INV-2026-0042"]) == {"INV-2026-0042"}) is named


def test_floats_are_refused():
    with pytest.raises(TypeError):
        allocate(10.0, "", LEDGER)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        allocate(D("10.00"), "", [OpenInvoice("INV-1", JAN, 10.0)])  # type: ignore[arg-type]


pennies = st.integers(min_value=0, max_value=10**9).map(lambda p: D(p).scaleb(-2))
invoices = st.lists(st.tuples(st.integers(0, 400), pennies, st.booleans()), max_size=8).map(
    lambda items: [OpenInvoice(f"INV-{n}", JAN + timedelta(days=days), amount, hold)
                   for n, (days, amount, hold) in enumerate(items)])


@given(pennies, invoices, st.sampled_from(["", "INV-0", "INV-1 INV-3", "REF"]))
@settings(max_examples=300, deadline=None)
def test_allocations_and_remainder_add_up_to_the_payment(amount, ledger, reference):
    result = allocate(amount, reference, ledger)
    assert sum((a.amount for a in result.allocations), D("0")) + result.remainder == amount
    assert result.remainder >= 0
    outstanding = {i.number: i.outstanding for i in ledger}
    assert all(0 < a.amount <= outstanding[a.number] for a in result.allocations)
    assert len({a.number for a in result.allocations}) == len(result.allocations)
    # Money is only left over when every invoice the rule may pay is paid in full.
    if result.remainder > 0:
        paid = {a.number: a.amount for a in result.allocations}
        named = referenced(reference, list(outstanding))
        assert all(paid.get(i.number) == i.outstanding for i in ledger
                   if i.outstanding > 0 and (i.number in named or not i.on_hold))
