"""Issue 15 item 6: Money Claim Online only for a defendant whose address for service is in
England and Wales (PD 7E), decided by app/domain/postcodes.py and carried into the claim's route
reasons and the referral memo. Runs on SQLite and PostgreSQL through the `staff` fixtures."""
from __future__ import annotations

from decimal import Decimal

import pytest

from app.extensions import db
from app.models import Person
from app.services.legal import claims

from .debt_helpers import complete, letter_text, open_tasks, person_account, sweep
from .legal_helpers import approve_and_post, decide_letter_of_claim, ladder_to_decision


def _move(account, postcode: str):
    person = db.session.get(Person, account.person_id)
    person.postcode = postcode
    db.session.commit()
    return account


def _posted(account):
    debt = ladder_to_decision(account, "3250.00", "2026-04-01")
    return approve_and_post(decide_letter_of_claim(debt))


def test_a_debtor_in_the_isle_of_man_is_referred_for_form_n1_with_the_reason(no_placeholders):
    account = _move(person_account(), "IM1 1AA")
    debt = _posted(account)
    sweep("2026-05-08")
    complete(open_tasks(debt)["approve_legal_referral"], "fm", decision="refer_to_legal",
             reasons="No reply within the window")
    claim = claims.current_claim(debt)
    assert claim.route == "n1"
    assert claim.route_reasons == [
        "Alice Example's address for service is not known to be in England & Wales (the "
        "address is in the Isle of Man, outside England and Wales): Money Claim Online cannot "
        "be used (PD 7E)"]
    memo = letter_text(account.person_id, "legal_referral")
    assert "Form N1" in memo and "Isle of Man" in memo


@pytest.mark.parametrize(("postcode", "words"), [
    ("je2 3ab", "Jersey"),
    ("GY1 1AA", "Guernsey"),
    ("BFPO 123", "British Forces Post Office"),
    ("TD15 1AA", "district TD15"),
    ("", "no postcode is recorded"),
    ("SW1A1AAX", "could not be read"),
])
def test_each_address_not_known_to_be_in_england_and_wales_goes_by_form_n1(
        no_placeholders, postcode, words):
    # The postcode changes after the Letter of Claim (a blank one would stop the letters).
    account = person_account()
    debt = _posted(account)
    _move(account, postcode)
    route = claims.route_for(debt, Decimal("3250.00"))
    assert route.route == "n1"
    assert len(route.reasons) == 1 and words in route.reasons[0]


def test_an_address_in_england_still_goes_by_money_claim_online(no_placeholders):
    debt = _posted(_move(person_account(), "ne1 1aa"))
    route = claims.route_for(debt, Decimal("3250.00"))
    assert (route.route, route.reasons) == ("mcol", ())
