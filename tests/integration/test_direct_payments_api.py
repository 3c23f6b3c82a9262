"""Direct payments over HTTP (issue 21 part 4): read a person's direct payment with its reviews
and audits, ask for an audit, record notice, and the returns report as JSON and CSV; wrong role
403, another team's case 404 (not disclosed), unknown 404, bad input 422 with nothing changed.

The clock stands at Monday 2 March 2026, 09:00 UTC. Alice Example (P100234, team North): £350.00
a week on a prepaid card, first paid Tue 13 Jan 2026 (DOMAIN.md scenario 10).
"""
from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from app.services.direct_payments import returns_report
from tests.conftest import Api
from tests.dp_helpers import dp_person
from tests.integration.dp_case_helpers import (
    add_balance,
    add_closed_audit,
    counts,
    monitored,
    user,
)

DP = "/people/P100234/direct-payment"
REPORT = "/reports/direct-payments"
NOTICE = {"given_on": "2026-03-02", "given_by": "council", "reasons": "Needs have changed."}


@pytest.fixture
def dp(staff):
    return monitored()


def api(client, username: str) -> Api:
    return Api(client, username)


def test_the_direct_payment_with_its_reviews_and_audits(dp, client):
    add_balance(dp, date(2026, 3, 1), "4150.00")
    add_closed_audit(dp)
    body = api(client, "cw").get(DP).json
    assert (body["status"], body["amount"], body["frequency"], body["weekly_amount"],
            body["contribution"], body["account_type"], body["contingency_weeks"],
            body["contingency_amount"], body["first_payment_date"]) == (
        "active", "350.00", "weekly", "350.00", "85.00", "card", 8, "2800.00", "2026-01-13")
    assert body["card_balance"] == {"balance": "4150.00", "as_of": "2026-03-01",
                                    "commitments": "0.00"}
    assert body["next_review"]["kind"] == "first"
    assert body["next_review"]["due_on"] == "2026-07-13"
    assert body["next_review"]["breached"] is False
    assert body["next_steps"] and all(s.endswith(".") for s in body["next_steps"])
    assert [r["kind"] for r in body["reviews"]].count("first") == 1
    [audit] = body["audits"]
    assert (audit["reference"], audit["surplus"], audit["recovered"], audit["outcome"],
            audit["findings"]) == ("AUD-900001", "1350.00", "1350.00", "surplus",
                                   ["Balance £4,150.00 is over the contingency"])
    assert body["open_audit"] is None


def test_unknown_other_team_and_proposed_are_not_found(dp, client):
    dp_person("P200", team="North")
    assert api(client, "fa").get("/people/NOBODY/direct-payment").status_code == 404
    assert api(client, "fa").get("/people/P200/direct-payment").status_code == 404  # proposed
    assert api(client, "fa_south").get(DP).status_code == 404
    assert api(client, "fa_south").post(f"{DP}/audits",
                                        json={"reasons": "x"}).status_code == 404
    assert api(client, "fm").get(DP).status_code == 200  # managers see every team


def test_an_audit_is_asked_for_once(dp, client):
    fa = api(client, "fa")
    response = fa.post(f"{DP}/audits", json={"reasons": "The provider is not being paid."})
    assert response.status_code == 201, response.json
    assert (response.json["reason"], response.json["status"], response.json["findings"]) == (
        "concern", "requested", ["The provider is not being paid."])
    assert fa.get(DP).json["open_audit"]["reference"] == response.json["reference"]
    again = fa.post(f"{DP}/audits", json={"reasons": "Again."})
    assert again.status_code == 409 and counts()[0] == 1


@pytest.mark.parametrize("body", [{}, {"reasons": ""}, {"reasons": "x" * 2001},
                                  {"reasons": "ok", "extra": 1}])
def test_a_bad_audit_request_is_422_and_changes_nothing(dp, client, body):
    before = counts()
    response = api(client, "fo").post(f"{DP}/audits", json=body)
    assert response.status_code == 422, response.json
    assert counts() == before


@pytest.mark.parametrize("username", ["cm", "fm", "legal", "admin"])
def test_an_audit_needs_its_roles(dp, client, username):
    response = api(client, username).post(f"{DP}/audits", json={"reasons": "A concern."})
    assert response.status_code == 403 and counts()[0] == 0


def test_notice_ends_the_direct_payment_four_weeks_on(dp, client):
    response = api(client, "cm").post(f"{DP}/notice", json=NOTICE)
    assert response.status_code == 200, response.json
    assert (response.json["status"], response.json["ended_on"], response.json["end_reason"]) == (
        "ending", "2026-03-30", "council")
    again = api(client, "cw").post(f"{DP}/notice", json=NOTICE)
    assert again.status_code == 409


@pytest.mark.parametrize("change, field", [
    ({"given_on": "2026-03-03"}, "given_on"),  # in the future
    ({"given_on": "2026-01-12"}, "given_on"),  # before the first payment
    ({"given_on": "2 March 2026"}, "given_on"),
    ({"given_by": "neighbour"}, "given_by"),
    ({"reasons": ""}, "reasons"),
])
def test_bad_notice_is_422_and_changes_nothing(dp, client, change, field):
    before = counts()
    response = api(client, "fo").post(f"{DP}/notice", json={**NOTICE, **change})
    assert response.status_code == 422, response.json
    assert field in {d["field"] for d in response.json["error"]["details"]}
    assert counts() == before


@pytest.mark.parametrize("username", ["fa", "fm", "legal"])
def test_notice_needs_its_roles(dp, client, username):
    assert api(client, username).post(f"{DP}/notice", json=NOTICE).status_code == 403
    assert counts()[2] == "active"


def test_the_returns_report_as_json_and_csv(dp, client):
    add_closed_audit(dp, opened=date(2026, 2, 2))
    fm = api(client, "fm")
    body = fm.get(REPORT).json
    assert body["on"] == "2026-03-02" and body["due_within_days"] == 28
    assert [b["label"] for b in body["audits_open"]] == ["0 to 28 days", "29 to 42 days",
                                                         "43 days or more"]
    assert body["months"] == [{"month": "2026-02", "audits": 1, "surplus": "1350.00",
                               "recovered": "1350.00"}]
    assert (body["surplus_total"], body["recovered_total"]) == ("1350.00", "1350.00")
    response = fm.client.get(f"/api/v1{REPORT}?format=csv", headers=fm.headers)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert ["Surpluses", "2026-02", "1", "1350.00", "1350.00"] in list(
        csv.reader(io.StringIO(response.text)))
    assert fm.get(f"{REPORT}?format=xml").status_code == 422


def test_the_report_counts_the_teams_its_reader_sees(dp, client):
    add_closed_audit(dp, opened=date(2026, 2, 2))
    other = monitored("P300", team="South")
    add_closed_audit(other, "AUD-900002", opened=date(2026, 2, 3), surplus="10.00",
                     recovered="0.00")
    assert api(client, "fm").get(REPORT).json["surplus_total"] == "1360.00"  # every team
    # Scoped as every report is: someone who sees only their team counts only its cases.
    south = returns_report.report(user("fa_south"), date(2026, 3, 2))
    assert (south.surplus_total, [m.audits for m in south.months]) == (Decimal("10.00"), [1])


@pytest.mark.parametrize("username", ["fa", "fo", "cw", "cm", "legal"])
def test_the_report_is_for_managers(dp, client, username):
    assert api(client, username).get(REPORT).status_code == 403
