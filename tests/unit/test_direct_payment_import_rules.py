"""The cells and row rules of the direct-payment and card imports (pure)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from app.imports import direct_payment_rules as dp


@pytest.mark.parametrize(("raw", "value"), [
    ("85", Decimal("85.00")), ("-12.5", Decimal("-12.50")), ("-£1,234.56", Decimal("-1234.56")),
    ("- 3.00", Decimal("-3.00")), ("£0.01", Decimal("0.01"))])
def test_signed_money_reads_money_in_and_out(raw, value):
    assert dp.to_signed_money(raw) == value


@pytest.mark.parametrize("raw", ["--1", "1.234", "12-", "(12.00)", "-", "1e3"])
def test_signed_money_refuses_anything_else(raw):
    with pytest.raises(ValueError, match="write 85.00 for money in and -85.00 for money out"):
        dp.to_signed_money(raw)


@pytest.mark.parametrize(("raw", "ok"), [("1", True), ("8", True), ("26", True), ("0", False),
                                         ("27", False), ("8.5", False), ("eight", False)])
def test_contingency_is_whole_weeks_from_1_to_26(raw, ok):
    if ok:
        assert dp.to_weeks(raw) == int(raw)
    else:
        with pytest.raises(ValueError, match="not a whole number of weeks from 1 to 26"):
            dp.to_weeks(raw)


def test_each_kind_moves_money_its_own_way():
    assert dp.signed_by_kind({"kind": "load", "amount": Decimal("350")}) == []
    assert dp.signed_by_kind({"kind": "cash", "amount": Decimal("-60")}) == []
    assert dp.signed_by_kind({"kind": "refund", "amount": Decimal("-5")}) == [
        ("amount", "must be positive for a refund (money onto the card)")]
    assert dp.signed_by_kind({"kind": "contribution", "amount": Decimal("0")}) == [
        ("amount", "must not be zero")]


def test_a_card_account_needs_its_card_and_only_it():
    assert dp.card_account({"account_type": "card", "card_id": "C1"}) == []
    assert dp.card_account({"account_type": "managed", "card_id": None}) == []
    assert dp.card_account({"account_type": "card", "card_id": None}) == [
        ("card_id", "required when account_type is card")]
    assert dp.audit_in_progress({"audit_requested_on": None, "audit_reason": None}) == []
