"""Whether a postcode puts an address in England and Wales (app/domain/postcodes.py; PD 7E).

Each group sits on one boundary the rule must keep: the areas on either side of the Scottish
border, the Crown Dependencies and BFPO that look like UK postcodes, the border districts that
cannot be decided from the postcode, and the forms a postcode is typed in.
"""
from __future__ import annotations

import pytest

from app.domain import postcodes
from app.domain.postcodes import Jurisdiction, in_england_wales, jurisdiction


def outside(postcode: str | None) -> str:
    """The reason a postcode is not in England and Wales (fails if it is)."""
    found = jurisdiction(postcode)
    assert found.in_england_wales is False, postcode
    assert found.reason, postcode
    return found.reason


# --- England and Wales ----------------------------------------------------------------------

@pytest.mark.parametrize("postcode", [
    "SW1A 1AA", "EC1A 1BB", "W1A 0AX", "GU1 1AA", "GL1 1AA", "NE1 1AA", "NE71 6AA",  # England
    "CA1 1AA", "CA6 5AA", "EX1 2AB", "TS1 1AA", "YO1 7HH",  # Cumbria, by the Scottish border
    "CF10 1AA", "LL11 1AA", "SY23 1AA", "NP20 1AA", "SA1 1AA", "LD1 5AA",  # Wales
])
def test_england_and_wales(postcode):
    assert jurisdiction(postcode) == Jurisdiction(True, None)
    assert in_england_wales(postcode) is True


@pytest.mark.parametrize("typed", ["sw1a1aa", "  Sw1A   1aA ", "SW1A\t1AA", "SW1A\u00a01AA",
                                   "cf101aa", "ne11aa"])
def test_case_and_spaces_do_not_matter(typed):
    assert in_england_wales(typed) is True


# --- Scotland and Northern Ireland ------------------------------------------------------------

@pytest.mark.parametrize("postcode", [
    "G1 1AA", "EH1 1YZ", "AB10 1AA", "DD1 1AA", "DG1 1AA", "FK1 1AA", "HS1 2AA", "IV1 1AA",
    "KA1 1AA", "KW15 1AA", "KY1 1AA", "ML1 1AA", "PA1 1AA", "PH1 1AA", "ZE1 0AA",
    "TD1 1AA", "TD5 7AA", "TD14 5TY", "g11aa", "td1 1aa",
])
def test_scotland(postcode):
    assert outside(postcode) == "the address is in Scotland, outside England and Wales"


def test_northern_ireland():
    assert outside("BT1 1AA") == ("the address is in Northern Ireland, outside England and "
                                  "Wales")


def test_an_area_is_its_letters_not_a_prefix():
    # G is Glasgow; GU, GL are England; GY is Guernsey.
    assert in_england_wales("GU1 1AA") and in_england_wales("GL1 1AA")
    assert "Scotland" in outside("G1 1AA")
    assert "Guernsey" in outside("GY1 1AA")


# --- The Crown Dependencies, BFPO and other look-alikes ---------------------------------------

def test_the_isle_of_man_is_not_england_and_wales():
    assert jurisdiction("IM1 1AA") == Jurisdiction(
        False, "the address is in the Isle of Man, outside England and Wales")
    assert in_england_wales("im11aa") is False


@pytest.mark.parametrize(("postcode", "place"), [
    ("JE2 3AB", "Jersey"), ("je23ab", "Jersey"), ("GY1 1AA", "Guernsey"),
    ("GY9 3AA", "Guernsey"), ("IM7 3BZ", "Isle of Man"),
])
def test_the_channel_islands_are_not_england_and_wales(postcode, place):
    assert place in outside(postcode)
    assert "outside England and Wales" in outside(postcode)


@pytest.mark.parametrize("postcode", ["BFPO 123", "bfpo123", "BFPO 1234", "BFPO  57",
                                      "BF1 4FB", "bf14fb"])
def test_bfpo_is_not_a_place_in_england_and_wales(postcode):
    assert "British Forces Post Office" in outside(postcode)


@pytest.mark.parametrize("postcode", ["BX9 1AS", "BX1 1LT", "XX1 1AA"])
def test_a_non_geographic_postcode_shows_no_place(postcode):
    assert "does not show where" in outside(postcode)


@pytest.mark.parametrize(("postcode", "place"), [
    ("GX11 1AA", "Gibraltar"), ("FIQQ 1ZZ", "Falkland Islands"),
    ("TDCU 1ZZ", "Tristan da Cunha"), ("STHL 1ZZ", "St Helena"),
])
def test_overseas_territories_are_not_england_and_wales(postcode, place):
    assert place in outside(postcode)


# --- Districts across the Scottish border ------------------------------------------------------

@pytest.mark.parametrize("postcode", [
    "TD15 1AA", "TD15 1BN", "TD15 1UZ", "TD15 2PA", "td152pa",  # Berwick; Paxton, Foulden
    "TD12 4TJ", "TD12 4AA", "TD12 3AA",  # Cornhill-on-Tweed and Wark; Coldstream
    "TD9 0TS", "TD9 9WX",  # Hawick, Newcastleton; Kershopefoot (Cumbria)
    "DG16 5HZ", "DG16 5AA",  # Gretna, and the Cumbrian side of it
])
def test_a_district_across_the_border_is_not_known_to_be_england(postcode):
    reason = outside(postcode)
    district = postcodes.normalise(postcode).split()[0]
    assert f"district {district} " in reason and "England and Scotland" in reason


def test_the_most_specific_rule_wins():
    # TD1 (Galashiels) is Scotland by its area; TD15 and TD12 are decided as districts,
    # so "TD1" must not be read as the start of "TD15" or "TD12".
    assert "Scotland, outside" in outside("TD1 1AA")
    assert "district TD15 " in outside("TD15 1AA")
    assert "district TD12 " in outside("TD12 4TJ")
    assert "district DG16 " in outside("DG16 5HZ")
    assert "Scotland, outside" in outside("DG1 1AA")


# --- Blank and unreadable ------------------------------------------------------------------

@pytest.mark.parametrize("postcode", [None, "", "   "])
def test_no_postcode_is_not_known_to_be_england_and_wales(postcode):
    assert outside(postcode) == ("no postcode is recorded, so the address is not known to be "
                                 "in England and Wales")


@pytest.mark.parametrize("postcode", ["12345", "SW1A", "SW1A 1AAA", "not known", "SW1A-1AA",
                                      "1AA SW1", "GIR 0AA", "IM1 1A"])
def test_an_unreadable_postcode_is_not_known_to_be_england_and_wales(postcode):
    assert outside(postcode).startswith("the postcode could not be read as a UK postcode")


@pytest.mark.parametrize("postcode", ["AA1 1AA", "QQ1 1AA", "ZZ9 9ZZ"])
def test_a_postcode_area_that_does_not_exist_is_not_known(postcode):
    assert "is not a UK postcode area" in outside(postcode)


# --- Reading a postcode ----------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "read"), [
    ("sw1a1aa", "SW1A 1AA"), (" im1  1aa ", "IM1 1AA"), ("TD151AA", "TD15 1AA"),
    ("g11aa", "G1 1AA"), ("EC1A1BB", "EC1A 1BB"), ("bfpo 57", "BFPO 57"), ("", None),
    ("SW1A", None),
])
def test_normalise(typed, read):
    assert postcodes.normalise(typed) == read


# --- The tables themselves -------------------------------------------------------------------

def test_every_uk_geographic_area_is_decided_once():
    # 121 geographic postcode areas in the UK: 104 in England and Wales, 16 in Scotland, BT.
    scotland = {a for a, place in postcodes.OUTSIDE_AREAS.items() if "Scotland" in place}
    assert len(postcodes.ENGLAND_WALES_AREAS) == 104
    assert len(scotland) == 16
    assert not postcodes.ENGLAND_WALES_AREAS & set(postcodes.OUTSIDE_AREAS)
    assert not postcodes.ENGLAND_WALES_AREAS & postcodes.NOT_ENGLAND_WALES
    assert {"IM", "JE", "GY", "BT", "BF", "TD", "DG"} <= postcodes.NOT_ENGLAND_WALES
