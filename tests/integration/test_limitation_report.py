"""GET /api/v1/debts/limitation: invoices nearing their six years (Care Act s69(3))."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import Account, Invoice
from app.services.records import people
from tests.conftest import set_clock


def invoice(account: Account, number: str, due: date, total: str, paid: str = "0.00",
            status: str = "open") -> None:
    db.session.add(Invoice(number=number, account_id=account.id, invoice_date=due,
                           due_date=due, total=Decimal(total), paid=Decimal(paid),
                           status=status))


def account_for(reference: str, team: str) -> Account:
    person = people.create_person({
        "reference": reference, "name": "Test Person", "team": team, "caseworker": None,
        "address": {"lines": ["1 Lane"], "postcode": "EX1 1AA"}, "representative": None}, None)
    row = Account(number=f"AC-{reference}", person_id=person.id)
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def ledger(staff):
    north, south = account_for("N1", "North"), account_for("S1", "South")
    invoice(north, "INV-BARRED", date(2020, 3, 23), "560.00")        # scenario 4
    invoice(north, "INV-5M", date(2020, 9, 1), "100.00", paid="40.00", status="part_paid")
    invoice(north, "INV-11M", date(2021, 3, 1), "200.00")
    invoice(north, "INV-PAID", date(2020, 8, 1), "50.00", paid="50.00", status="paid")
    invoice(north, "INV-RECENT", date(2024, 1, 5), "75.00")
    invoice(south, "INV-SOUTH", date(2020, 10, 1), "90.00")
    db.session.commit()
    set_clock(datetime.fromisoformat("2026-04-01T09:00:00+01:00"))


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [row["invoice_number"] for row in response.json["items"]]


def test_windows_list_the_right_unpaid_invoices(as_user, ledger):
    fo = as_user("fo")
    assert numbers(fo.get("/debts/limitation?within=6m")) == ["INV-5M"]
    assert numbers(fo.get("/debts/limitation?within=12m")) == ["INV-5M", "INV-11M"]
    barred = fo.get("/debts/limitation?within=barred")
    assert numbers(barred) == ["INV-BARRED"]
    assert barred.json["items"][0]["limitation_expiry"] == "2026-03-23"
    assert barred.json["items"][0]["outstanding"] == "560.00"


def test_part_paid_invoice_shows_what_is_left(as_user, ledger):
    row = as_user("fo").get("/debts/limitation?within=6m").json["items"][0]
    assert (row["outstanding"], row["limitation_expiry"]) == ("60.00", "2026-09-01")


def test_other_teams_are_hidden_but_managers_see_all(as_user, ledger):
    assert "INV-SOUTH" not in numbers(as_user("fo").get("/debts/limitation?within=12m"))
    assert "INV-SOUTH" in numbers(as_user("fm").get("/debts/limitation?within=12m"))


def test_bad_window_is_422_and_caseworkers_are_refused(as_user, ledger):
    response = as_user("fo").get("/debts/limitation?within=3y")
    assert response.status_code == 422
    assert response.json["error"]["details"][0]["field"] == "within"
    assert as_user("cw").get("/debts/limitation").status_code == 403


def test_a_leap_day_due_date_is_barred_on_28_february(as_user, staff):
    account = account_for("L1", "North")
    invoice(account, "INV-LEAP", date(2020, 2, 29), "10.00")
    db.session.commit()
    fo = as_user("fo")
    set_clock(datetime.fromisoformat("2026-02-27T12:00:00+00:00"))
    assert numbers(fo.get("/debts/limitation?within=barred")) == []
    assert numbers(fo.get("/debts/limitation?within=6m")) == ["INV-LEAP"]
    set_clock(datetime.fromisoformat("2026-02-28T12:00:00+00:00"))
    assert numbers(fo.get("/debts/limitation?within=barred")) == ["INV-LEAP"]
    assert numbers(fo.get("/debts/limitation?within=6m")) == []
