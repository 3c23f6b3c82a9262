"""Lifting a s33(5) suspension (the care manager): payments start again from a date, an
instruction tells whoever pays; a direct payment not suspended, a past date, no reasons, or the
wrong role change nothing. The clock stands at Monday 2 March 2026 (tests/conftest.py)."""
from __future__ import annotations

from datetime import date
from html import unescape

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import DirectPaymentStatus, PaymentInstruction
from tests.conftest import Api
from tests.integration.action_pages import date_boxes, open_form, signed_in, submit
from tests.integration.dp_case_helpers import counts, monitored

DP = "/people/P100234/direct-payment"
RESTART = {"restart_on": "2026-03-09", "reasons": "The conditions of the suspension are met."}


@pytest.fixture
def suspended(staff):
    agreement = monitored()
    agreement.status = DirectPaymentStatus.SUSPENDED
    db.session.commit()
    return agreement


def instructions() -> list[tuple[str, date]]:
    db.session.expire_all()
    return [(i.kind, i.effective_on) for i in db.session.scalars(
        select(PaymentInstruction).order_by(PaymentInstruction.id))]


def test_the_care_manager_restarts_a_suspended_payment(suspended, client):
    response = Api(client, "cm").post(f"{DP}/restart", json=RESTART)
    assert response.status_code == 200, response.json
    assert response.json["status"] == "active"
    assert instructions() == [("restart", date(2026, 3, 9))]
    again = Api(client, "cm").post(f"{DP}/restart", json=RESTART)
    assert again.status_code == 409  # active now: nothing to lift
    assert instructions() == [("restart", date(2026, 3, 9))]


@pytest.mark.parametrize("change, field", [
    ({"restart_on": "2026-03-01"}, "restart_on"),  # in the past
    ({"restart_on": "2026-06-03"}, "restart_on"),  # more than 3 months ahead
    ({"reasons": "   "}, "reasons"),
])
def test_a_bad_restart_is_422_and_changes_nothing(suspended, client, change, field):
    response = Api(client, "cm").post(f"{DP}/restart", json={**RESTART, **change})
    assert response.status_code == 422, response.json
    assert field in {d["field"] for d in response.json["error"]["details"]}
    assert counts()[2] == "suspended" and instructions() == []


@pytest.mark.parametrize("username", ["fa", "fo", "cw", "fm"])
def test_only_a_care_manager_restarts(suspended, client, username):
    assert Api(client, username).post(f"{DP}/restart", json=RESTART).status_code == 403
    assert counts()[2] == "suspended"


def test_the_restart_page(suspended, client):
    signed_in(client, "cm")
    page = unescape(client.get(DP).text)
    assert "Start the payments again" in page
    answers = {**date_boxes("restart_on", "9 3 2026"), "reasons": "Conditions met."}
    bad = submit(client, f"{DP}/restart", {**answers, **date_boxes("restart_on", "1 3 2026")})
    assert bad.status_code == 422
    assert "must be today or in the future" in unescape(bad.text)
    assert counts()[2] == "suspended"
    form = open_form(client, f"{DP}/restart")
    done = submit(client, f"{DP}/restart", answers, form=form)
    assert done.status_code == 302, done.text
    assert counts()[2] == "active" and instructions() == [("restart", date(2026, 3, 9))]
    twice = submit(client, f"{DP}/restart", answers, form=form)
    assert twice.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(PaymentInstruction)) == 1


def test_no_restart_link_unless_suspended_or_for_other_roles(staff, client):
    monitored()
    signed_in(client, "cm")
    assert "Start the payments again" not in client.get(DP).text
    assert client.get(f"{DP}/restart").status_code == 200  # the page itself: a 409 on posting
    signed_in(client, "fa")
    assert client.get(f"{DP}/restart").status_code == 403
