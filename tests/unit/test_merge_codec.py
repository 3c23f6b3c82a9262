from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pytest

from app.letters.merge_codec import decode, encode


def test_a_context_survives_json_with_its_types():
    context = {"letter": {"date": date(2026, 3, 16), "ref": "DP-AGR v1"},
               "amount": Decimal("1085.50"), "weeks": 4, "late": False, "none": None,
               "rows": [{"date": date(2026, 1, 5), "debit": Decimal("0.00")}], "pair": ("a", 1)}
    back = decode(json.loads(json.dumps(encode(context))))
    assert back == {**context, "pair": ["a", 1]}
    assert isinstance(back["amount"], Decimal) and isinstance(back["letter"]["date"], date)


@pytest.mark.parametrize("bad", [1.5, datetime(2026, 1, 1), {"$date": "x"}, object()])
def test_what_a_letter_cannot_hold_is_refused(bad):
    with pytest.raises((TypeError, ValueError)):
        encode({"field": bad})
