from datetime import date
from decimal import Decimal

from app.services.correspondence.letters import merge_data_hash


def test_same_merge_data_same_hash_whatever_the_key_order():
    a = {"dp": {"amount": Decimal("350.00")}, "letter": {"date": date(2026, 3, 2)}}
    b = {"letter": {"date": date(2026, 3, 2)}, "dp": {"amount": Decimal("350.00")}}
    assert merge_data_hash(a) == merge_data_hash(b)


def test_any_change_in_merge_data_changes_the_hash():
    a = {"dp": {"amount": Decimal("350.00")}}
    assert merge_data_hash(a) != merge_data_hash({"dp": {"amount": Decimal("350.01")}})
