"""Who a letter goes to: the addressing rule of DOMAIN.md (b).

Pure module: the person is a plain mapping, the answer is a frozen dataclass.

The rule, in order:

0. Internal memos (matter "internal": the referral to Legal, the write-off request) go to the
   council's legal team at the council's own address, whoever the person is and whatever their
   representation or death: the memo is about the person, not to them or anyone acting for them.
1. Deceased: every other representative's authority ended at death (LPAs, deputyships and
   appointeeships all cease), so write to "The Personal Representative(s) of the late {name}".
   If a personal representative is recorded we use their name and address; otherwise the title
   goes to the person's last address.
2. A representative whose authority covers the letter's kind of matter:
   - a deputy or attorney with property-and-finance scope: every matter;
   - an appointee: benefit-income matters only [S9][S110];
   - a nominated or authorised person (Care Act ss31-32): direct-payment matters only.
   The letter goes to them, "on behalf of" the person.
3. A capital or property matter where a representative is recorded but none has authority for it
   (an appointee, a litigation friend, a benefits-only attorney...): someone may lack capacity
   and nobody can act for them, so no letter -- a ``RepresentationNeeded`` result instead, which
   the caller turns into a capacity task.
4. Otherwise the person themselves (capacity is presumed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.letters.errors import LetterError

MATTERS = frozenset(
    {"benefits", "capital_or_property", "general", "direct_payment", "internal"}
)
DEFAULT_LEGAL_TEAM = "Legal Services"
REPRESENTATIVE_TYPES = frozenset(
    {
        "appointee",
        "attorney",
        "deputy",
        "personal_representative",
        "nominated_person",
        "authorised_person",
        "litigation_friend",
    }
)
SCOPES = frozenset({"benefits", "property_and_finance", "litigation"})

# Which matters each kind of living representative may be written to about.
_ALL_MATTERS = MATTERS - {"internal"}
_DP_ONLY = frozenset({"direct_payment"})
_AUTHORITY: dict[tuple[str, str], frozenset[str]] = {
    ("deputy", "property_and_finance"): _ALL_MATTERS,
    ("attorney", "property_and_finance"): _ALL_MATTERS,
    ("deputy", "benefits"): frozenset({"benefits"}),
    ("attorney", "benefits"): frozenset({"benefits"}),
    ("appointee", "benefits"): frozenset({"benefits"}),
}
_AUTHORITY_ANY_SCOPE: dict[str, frozenset[str]] = {
    "nominated_person": _DP_ONLY,
    "authorised_person": _DP_ONLY,
}


@dataclass(frozen=True)
class Recipient:
    """The addressee of a letter.

    ``on_behalf_of`` is the text that follows "On behalf of" in the address block (the person's
    name, or "the estate of the late ..." for a named personal representative); None when the
    letter goes to the person themselves or to the untitled personal representatives.
    """

    full_name: str
    address_lines: tuple[str, ...]
    postcode: str
    role: str
    on_behalf_of: str | None
    salutation: str


@dataclass(frozen=True)
class RepresentationNeeded:
    """No letter can be sent: nobody with the right authority is recorded for this matter."""

    reason: str


class AddressingError(LetterError):
    """The person or matter given to ``choose_recipient`` is malformed."""


def choose_recipient(
    person: Mapping[str, Any], matter: str, council: Mapping[str, Any] | None = None
) -> Recipient | RepresentationNeeded:
    """Apply the addressing rule for a letter about ``matter`` concerning ``person``.

    ``council`` (the letter header settings) is needed only for internal memos: it gives the
    legal team's name (``legal_team_name``, else "Legal Services") and the address.
    """
    if matter not in MATTERS:
        raise AddressingError(f"unknown matter {matter!r}; expected one of {sorted(MATTERS)}")
    name = _text(person, "name")
    rep = _representative(person)
    if matter == "internal":
        return _legal_team(council)
    if person.get("deceased"):
        return _personal_representatives(person, name, rep)
    if rep is not None and matter in _authority(rep):
        return _to_representative(rep, name)
    if rep is not None and matter == "capital_or_property":
        return RepresentationNeeded(
            reason=(
                f"{name} has a {rep['type'].replace('_', ' ')} recorded "
                f"(scope: {rep.get('scope') or 'not recorded'}), who has no authority over "
                "capital or property; a deputy or a registered property and financial affairs "
                "attorney is needed, or a capacity assessment confirming the person can act"
            )
        )
    return Recipient(
        full_name=name,
        address_lines=_lines(person),
        postcode=str(person.get("postcode") or ""),
        role="self",
        on_behalf_of=None,
        salutation=f"Dear {name}",
    )


def _legal_team(council: Mapping[str, Any] | None) -> Recipient:
    if council is None:
        raise AddressingError("an internal memo needs the council's details for its addressee")
    team = str(council.get("legal_team_name") or "").strip() or DEFAULT_LEGAL_TEAM
    return Recipient(
        full_name=team,
        address_lines=_lines(council),
        postcode=str(council.get("postcode") or ""),
        role="internal",
        on_behalf_of=None,
        salutation=f"To {team}",
    )


def _personal_representatives(
    person: Mapping[str, Any], name: str, rep: Mapping[str, Any] | None
) -> Recipient:
    if rep is not None and rep["type"] == "personal_representative":
        rep_name = _text(rep, "name")
        return Recipient(
            full_name=rep_name,
            address_lines=_lines(rep),
            postcode=str(rep.get("postcode") or ""),
            role="personal_representative",
            on_behalf_of=f"the estate of the late {name}",
            salutation=f"Dear {rep_name}",
        )
    return Recipient(
        full_name=f"The Personal Representative(s) of the late {name}",
        address_lines=_lines(person),
        postcode=str(person.get("postcode") or ""),
        role="personal_representative",
        on_behalf_of=None,
        salutation="Dear Sir or Madam",
    )


def _to_representative(rep: Mapping[str, Any], name: str) -> Recipient:
    rep_name = _text(rep, "name")
    return Recipient(
        full_name=rep_name,
        address_lines=_lines(rep),
        postcode=str(rep.get("postcode") or ""),
        role=rep["type"],
        on_behalf_of=name,
        salutation=f"Dear {rep_name}",
    )


def _authority(rep: Mapping[str, Any]) -> frozenset[str]:
    kind = rep["type"]
    if kind in _AUTHORITY_ANY_SCOPE:
        return _AUTHORITY_ANY_SCOPE[kind]
    return _AUTHORITY.get((kind, rep.get("scope") or ""), frozenset())


def _representative(person: Mapping[str, Any]) -> Mapping[str, Any] | None:
    rep = person.get("representative")
    if not rep:
        return None
    if rep.get("type") not in REPRESENTATIVE_TYPES:
        raise AddressingError(f"unknown representative type {rep.get('type')!r}")
    scope = rep.get("scope")
    if scope is not None and scope not in SCOPES:
        raise AddressingError(f"unknown representative scope {scope!r}")
    return rep


def _text(mapping: Mapping[str, Any], key: str) -> str:
    value = str(mapping.get(key) or "").strip()
    if not value:
        raise AddressingError(f"{key!r} is missing or empty")
    return value


def _lines(mapping: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(str(line) for line in mapping.get("address_lines") or () if str(line).strip())
