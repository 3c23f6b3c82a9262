"""The payments made on the direct payment's page and in its API (issue 21): the last one in the
summary list ("£350.00 on 24 February 2026", or "None received yet"), the last 12 newest first in
a scrollable labelled table, and `last_payment` and `payments` in GET .../direct-payment.

The clock stands at Monday 2 March 2026. Alice Example (P100234) is paid £350.00 a week on a
prepaid card from Tue 13 Jan 2026; the payments are read in by the import, as in service.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from app.extensions import db
from app.models import User
from app.services.imports import import_files
from tests.conftest import Api
from tests.integration.action_pages import signed_in
from tests.integration.dp_case_helpers import FIRST_PAID, monitored, user

PAGE = "/people/P100234/direct-payment"
HEADER = "person_reference,card_id,paid_on,amount,reference\n"


@pytest.fixture
def dp(staff):
    return monitored()


def read_in(*rows: tuple[date, str, str]) -> None:
    """Import payments made (day, amount, reference) for Alice, as the finance system sends them."""
    fa: User = user("fa")
    text = HEADER + "".join(f"P100234,,{day.isoformat()},{amount},{ref}\n"
                            for day, amount, ref in rows)
    import_files.import_file("direct_payment_payments", text, fa)
    db.session.commit()


def fourteen_days() -> list[tuple[date, str, str]]:
    """A payment a day from the first payment: 13 to 26 January 2026, £301.00 to £314.00."""
    return [(FIRST_PAID + timedelta(days=n), f"{301 + n}.00", f"DPP-{n + 1:03}")
            for n in range(14)]


def region(page: str) -> str:
    match = re.search(r'<div class="app-table-scroll" role="region" aria-label="Payments made" '
                      r'tabindex="0">(.*?)</div>', page, re.S)
    assert match, "no Payments made region"
    return match.group(1)


def test_before_any_payment_the_page_says_none_received(dp, client):
    signed_in(client, "fa")
    page = client.get(PAGE).text
    assert re.search(r"Payments made\s*</dt>\s*<dd[^>]*>\s*None received yet", page)
    assert "No payments received yet." in page
    assert 'aria-label="Payments made"' not in page


def test_the_page_shows_the_last_payment_and_the_last_12_newest_first(dp, client):
    read_in(*fourteen_days())
    signed_in(client, "cw")
    page = client.get(PAGE).text
    assert re.search(r"Payments made\s*</dt>\s*<dd[^>]*>\s*£314.00 on 26 January 2026", page)
    table = region(page)
    assert 'class="govuk-table app-dp-payments"' in table
    days = re.findall(r"(\d+) January 2026", table)
    assert days == [str(d) for d in range(26, 14, -1)]  # 12 of them, the newest first
    assert "DPP-014" in table and "£314.00" in table and "DPP-002" not in table
    summary = client.get("/people/P100234").text  # the case Summary's card says it too
    assert re.search(r"Last payment\s*</dt>\s*<dd[^>]*>£314.00 on 26 January 2026", summary)


def test_the_api_gives_the_last_payment_and_the_last_12(dp, client):
    body = Api(client, "cw").get(PAGE).json
    assert (body["last_payment"], body["payments"]) == (None, [])
    read_in(*fourteen_days(), (date(2026, 2, 24), "350.00", "DPP-FEB"))
    body = Api(client, "cw").get(PAGE).json
    assert body["last_payment"] == {"paid_on": "2026-02-24", "amount": "350.00",
                                    "reference": "DPP-FEB"}
    assert len(body["payments"]) == 12
    assert body["payments"][0] == body["last_payment"]
    assert body["payments"][1] == {"paid_on": "2026-01-26", "amount": "314.00",
                                   "reference": "DPP-014"}
    assert [p["paid_on"] for p in body["payments"]] == sorted(
        (p["paid_on"] for p in body["payments"]), reverse=True)
    assert body["payments"][-1]["paid_on"] == "2026-01-16"
