"""Whether a postcode puts an address in England and Wales, the County Court's jurisdiction.

Money Claim Online takes a claim only against a defendant whose address for service is in
England and Wales (CPR PD 7E para 4); any other claim is issued on Form N1. The case record holds
a postcode, so this rule reads it and answers "in England and Wales", or "not known to be", with
the reason in plain English for the officer. In doubt the answer is "not known": a Form N1 claim
is never wrong for want of an address in England and Wales, while a Money Claim Online claim
against a defendant outside them is.

The most specific rule wins: an overseas territory's code or BFPO, then the district ("TD15"),
then the area ("TD").

Sources:
- Areas: Wikipedia, "List of postcode areas in the United Kingdom" and "List of postcode
  districts in the United Kingdom". There are 121 geographic areas: 104 in England and Wales, 16
  in Scotland and BT (Northern Ireland). IM, JE and GY are the Isle of Man, Jersey and the
  Bailiwick of Guernsey: Crown Dependencies, outside the United Kingdom, with their own courts.
  BF (since 2012) and "BFPO n" reach British forces abroad, not a place in England and Wales.
  BX and XX are non-geographic. Some overseas territories use codes of the same shape
  (GX11 1AA Gibraltar, FIQQ 1ZZ the Falkland Islands, TDCU 1ZZ Tristan da Cunha, ...).
- The Scottish border: Wikipedia, "TD postcode area", "DG postcode area", "CA postcode area".
  TD9 covers Hawick and Newcastleton and, in Cumbria, Kershopefoot. TD12 covers Coldstream
  (Scottish Borders) and Cornhill-on-Tweed, Wark and Mindrum (Northumberland). TD15 covers
  Berwick-upon-Tweed (Northumberland) and Paxton, Foulden and Hutton (Scottish Borders; John
  Lamont MP, "Calls to end 'English' postcode anomaly"). Berwickshire News, "Cross border
  postcodes after independence" (2014): TD12 has 16 delivery areas in Northumberland and 7 in
  the Borders, TD15 30 and 9. DG16 (Gretna) reaches into Cumbria. CA is wholly in England
  (Cumbria and a corner of Northumberland), as is NE. HMCTS's own money claims service treats
  the same four districts as crossing the border (hmcts/cmc-citizen-frontend,
  postCodeNotInScotlandOrNI.ts; read as corroboration).
- The ONS Postcode Directory gives the country of every unit postcode; it is not held here.

DESIGN ASSUMPTION (conservative), where the sources stop:
- No source found splits TD15 or TD12 by sector, so each whole district is "not known": an
  address in Berwick-upon-Tweed or Cornhill-on-Tweed also goes by Form N1. TD12 4 is not taken
  as England: Coldstream shares it with Cornhill-on-Tweed and Wark (HMCTS's validator lists
  units of both in it). A sector ("TD15 2") could be decided before its district once the ONS
  Postcode Directory shows every unit in it on one side; none is yet.
- The rest of TD and DG is Scotland; the odd English address there (HMCTS lists TD5 8AR) goes
  by Form N1.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

_OUTSIDE = "the address is in {}, outside England and Wales"
_NOT_KNOWN = "so the address is not known to be in England and Wales"

ENGLAND_WALES_AREAS: Final = frozenset("""
    AL B BA BB BD BH BL BN BR BS CA CB CF CH CM CO CR CT CV CW DA DE DH DL DN DT DY E EC EN EX
    FY GL GU HA HD HG HP HR HU HX IG IP KT L LA LD LE LL LN LS LU M ME MK N NE NG NN NP NR NW
    OL OX PE PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TF TN TQ TR TS TW
    UB W WA WC WD WF WN WR WS WV YO""".split())

_BFPO = ("the address is a British Forces Post Office (BFPO) address, not a place in England "
         "and Wales")
_NON_GEOGRAPHIC = "the postcode is non-geographic and does not show where the address is"

OUTSIDE_AREAS: Final[Mapping[str, str]] = {
    **{area: _OUTSIDE.format("Scotland")
       for area in "AB DD DG EH FK G HS IV KA KW KY ML PA PH TD ZE".split()},
    "BT": _OUTSIDE.format("Northern Ireland"),
    "IM": _OUTSIDE.format("the Isle of Man"),
    "JE": _OUTSIDE.format("Jersey"),
    "GY": _OUTSIDE.format("the Bailiwick of Guernsey"),
    "BF": _BFPO,
    "BX": _NON_GEOGRAPHIC,
    "XX": _NON_GEOGRAPHIC,
}
NOT_ENGLAND_WALES: Final = frozenset(OUTSIDE_AREAS)

# Districts with addresses on both sides of the Scottish border (sources above).
_BORDER_DISTRICTS: Final = frozenset({"TD9", "TD12", "TD15", "DG16"})

# Overseas territories' single postcodes, by outward code; none is in England and Wales.
_OVERSEAS: Final[Mapping[str, str]] = {
    "GX11": "Gibraltar", "FIQQ": "the Falkland Islands", "TDCU": "Tristan da Cunha",
    "STHL": "St Helena", "ASCN": "Ascension Island",
    "SIQQ": "South Georgia and the South Sandwich Islands",
    "BBND": "the British Indian Ocean Territory", "BIQQ": "the British Antarctic Territory",
    "PCRN": "the Pitcairn Islands", "TKCA": "the Turks and Caicos Islands",
}

_OUTWARD = re.compile(r"(?P<area>[A-Z]{1,2})[0-9][0-9A-Z]?")
_INWARD = re.compile(r"[0-9][A-Z]{2}")
_BFPO_NUMBER = re.compile(r"BFPO([0-9]{1,4})")


@dataclass(frozen=True)
class Jurisdiction:
    in_england_wales: bool
    reason: str | None  # why not, in plain English; None when in England and Wales


IN_ENGLAND_WALES: Final = Jurisdiction(True, None)


def jurisdiction(postcode: str | None) -> Jurisdiction:
    """Whether the address with this postcode is in England and Wales, and if not, why not."""
    compact = _compact(postcode)
    if not compact:
        return _not(f"no postcode is recorded, {_NOT_KNOWN}")
    if compact.startswith("BFPO"):
        return _not(_BFPO)
    if compact[:-3] in _OVERSEAS:
        return _not(_OUTSIDE.format(_OVERSEAS[compact[:-3]]))
    read = normalise(compact)
    if read is None:
        return _not(f"the postcode could not be read as a UK postcode, {_NOT_KNOWN}")
    return _decide(read.split()[0])


def in_england_wales(postcode: str | None) -> bool:
    """Whether the address is known to be in England and Wales (unknown: no)."""
    return jurisdiction(postcode).in_england_wales


def normalise(postcode: str | None) -> str | None:
    """A postcode as Royal Mail writes it ("sw1a1aa" -> "SW1A 1AA", "bfpo57" -> "BFPO 57"),
    or None when it is not one."""
    compact = _compact(postcode)
    bfpo = _BFPO_NUMBER.fullmatch(compact)
    if bfpo:
        return f"BFPO {bfpo.group(1)}"
    outward, inward = compact[:-3], compact[-3:]
    if _OUTWARD.fullmatch(outward) and _INWARD.fullmatch(inward):
        return f"{outward} {inward}"
    return None


def _decide(outward: str) -> Jurisdiction:
    if outward in _BORDER_DISTRICTS:
        return _not(f"postcode district {outward} lies on both sides of the border between "
                    "England and Scotland, and the postcode alone cannot show which side the "
                    "address is on")
    match = _OUTWARD.fullmatch(outward)
    assert match is not None  # normalise() accepted it
    area = match.group("area")
    if area in ENGLAND_WALES_AREAS:
        return IN_ENGLAND_WALES
    if area in OUTSIDE_AREAS:
        return _not(OUTSIDE_AREAS[area])
    return _not(f"{area} is not a UK postcode area, {_NOT_KNOWN}")


def _compact(postcode: str | None) -> str:
    # Any whitespace (tabs, non-breaking spaces from pasted addresses) goes; case does not count.
    return "".join((postcode or "").split()).upper()


def _not(reason: str) -> Jurisdiction:
    return Jurisdiction(False, reason)
