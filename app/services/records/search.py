"""Person search: by name (word prefixes), date of birth, reference, account number, invoice
number, NHS number or postcode.

Every criterion is an index lookup, never a scan of `person`: plans checked with EXPLAIN QUERY
PLAN on SQLite 3.40 and EXPLAIN ANALYZE on PostgreSQL 15 with the 100,000 people of
bench/search.py; tests/integration/test_search.py pins the SQLite plans.

- reference: uq_person_reference. account: uq_account_number, then person by primary key.
  invoice: uq_invoice_number, its account by primary key, then the person by primary key.
- NHS number: ix_person_nhs_number (stored and asked for as ten digits).
  date of birth: ix_person_date_of_birth. postcode: one range on ix_person_postcode_key.
- name: each query word is a range `token >= w AND token < w_next` on
  ix_person_name_token_covering (token, person_id).
  With no other criterion, one word's range is the way in (an IN list) and the other words are
  checked per candidate by EXISTS on the (person_id, token) primary key; with another criterion,
  that criterion's index is the way in and every word is such an EXISTS, so "smith" with a date
  of birth reads the handful of people born that day, not every Smith.
- SQLite plans without statistics, so we steer it: the word with the fewest tokens drives, and
  the team filter is kept off ix_person_team_id. PostgreSQL plans by its statistics: for a
  prefix shared by a large share of people ("mar": 14%) it rightly prefers hashing the matches
  against one pass over person (or the team's rows) to 14,000 random probes.
- The ranges compare bytes: SQLite does, and on PostgreSQL the token column has the C collation
  (migration 0003), since under en_GB.UTF-8 `w_next` is no safe upper bound ("lizzie" sorts
  after "li{" there).
- The token index covers (token, person_id), so a prefix's matches need no table reads.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, func, literal, or_, select

from app.errors import ValidationFailed
from app.extensions import db
from app.models import Account, Invoice, Person, PersonNameToken, Team, User
from app.services.records.people import name_tokens, postcode_key

MAX_PER_PAGE = 100
TOKEN_LENGTH = 60  # PersonNameToken.token: index_name() cuts words to this length
INWARD_CODE_LENGTH = 3  # "4AB" in "RG26 4AB": one digit, two letters


@dataclass(frozen=True)
class PersonQuery:
    """Search criteria; the ones given combine with AND."""
    name: str | None = None  # every word must start some word of the name
    date_of_birth: date | None = None
    reference: str | None = None  # exact
    account_number: str | None = None  # exact
    invoice_number: str | None = None  # exact: the person whose account has the invoice
    nhs_number: str | None = None  # ten digits; spaces are ignored ("485 777 3456")
    postcode: str | None = None  # a full postcode, or an outward code ("RG26")
    page: int = 1
    per_page: int = 25

    def has_criteria(self) -> bool:
        return any(value not in (None, "") for value in (
            self.name, self.date_of_birth, self.reference, self.account_number,
            self.invoice_number, self.nhs_number, self.postcode))


@dataclass(frozen=True)
class PersonHit:
    """One line of the results: enough to pick the right person."""
    reference: str
    name: str
    date_of_birth: date | None
    postcode: str
    team: str
    accounts: tuple[str, ...]


def search_people(query: PersonQuery, user: User) -> tuple[list[PersonHit], int]:
    """The page of people the user may see who match, by name then reference, and the total."""
    _validate(query)
    conditions = _conditions(query) + _team_visibility(user)
    offset = (query.page - 1) * query.per_page
    page = db.session.execute(
        select(Person.id, Person.reference, Person.name, Person.date_of_birth, Person.postcode,
               Team.name.label("team"))
        .join(Team, Team.id == Person.team_id)
        .where(*conditions)
        .order_by(Person.name, Person.reference)
        .limit(query.per_page).offset(offset)).all()
    if len(page) < query.per_page and (page or query.page == 1):
        total = offset + len(page)  # this is the last page: no need to count
    else:
        total = db.session.scalar(
            select(func.count()).select_from(Person).where(*conditions)) or 0
    accounts = _accounts_of([row.id for row in page])
    hits = [PersonHit(reference=row.reference, name=row.name, date_of_birth=row.date_of_birth,
                      postcode=row.postcode, team=row.team, accounts=accounts.get(row.id, ()))
            for row in page]
    return hits, total


def _conditions(query: PersonQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.reference:
        conditions.append(Person.reference == query.reference)
    if query.account_number:
        conditions.append(Person.id.in_(
            select(Account.person_id).where(Account.number == query.account_number)))
    if query.invoice_number:
        conditions.append(Person.id.in_(
            select(Account.person_id).join(Invoice, Invoice.account_id == Account.id)
            .where(Invoice.number == query.invoice_number)))
    if query.date_of_birth:
        conditions.append(Person.date_of_birth == query.date_of_birth)
    if query.nhs_number:
        conditions.append(Person.nhs_number == nhs_digits(query.nhs_number))
    if query.postcode:
        conditions.append(_postcode_matches(query.postcode))
    if query.name:
        conditions.extend(_name_matches(_words(query.name), drive=not conditions))
    return conditions


def _validate(query: PersonQuery) -> None:
    problems = []
    if query.page < 1:
        problems.append({"field": "page", "message": "must be 1 or more"})
    if not 1 <= query.per_page <= MAX_PER_PAGE:
        problems.append({"field": "per_page", "message": f"must be from 1 to {MAX_PER_PAGE}"})
    if query.name and not name_tokens(query.name):
        problems.append({"field": "name", "message": "give at least one letter or digit"})
    if query.nhs_number and not _is_nhs_number(query.nhs_number):
        problems.append({"field": "nhs_number", "message": "give the ten digits of the NHS number"})
    key = postcode_key(query.postcode or "")
    if query.postcode and not (key.isascii() and key.isalnum()):
        problems.append({"field": "postcode", "message": "give a postcode or an outward code"})
    if problems:
        raise ValidationFailed("the search has problems", problems)
    if not query.has_criteria():
        # Listing everyone is not a search: it would page through every case in the council.
        raise ValidationFailed("give at least one search term",
                               [{"message": "give a name, date of birth, reference, account "
                                            "number, invoice number, NHS number or postcode"}])


def nhs_digits(raw: str) -> str:
    """An NHS number as it is stored: its ten digits, without the spaces people type."""
    return "".join(raw.split())


def _is_nhs_number(raw: str) -> bool:
    digits = nhs_digits(raw)
    return len(digits) == 10 and digits.isascii() and digits.isdigit()


def _words(name: str) -> list[str]:
    """Query words cut like the stored tokens."""
    return sorted({word[:TOKEN_LENGTH] for word in name_tokens(name)})


def _matches_up_to(word: str, cap: int = 20_000) -> int:
    """How many tokens start with `word` (up to `cap`): an index-only count on
    ix_person_name_token_covering, about a millisecond, that picks the word worth driving from
    ("mar smi": 13,000 "mar…" tokens against 1,700 "smi…" in the benchmark)."""
    sample = select(literal(1)).where(_prefix_range(PersonNameToken.token, word)).limit(cap)
    return db.session.scalar(select(func.count()).select_from(sample.subquery())) or 0


def _name_matches(words: list[str], drive: bool) -> list[ColumnElement[bool]]:
    """One condition per word. `drive`: no other criterion narrows the search, so the first
    word's token range is the way in (an IN list SQLite and PostgreSQL both start from), and
    the word matching fewest names is that first word."""
    if drive and len(words) > 1 and _on_sqlite():  # PostgreSQL orders the joins itself
        words = sorted(words, key=_matches_up_to)
    conditions: list[ColumnElement[bool]] = []
    for i, word in enumerate(words):
        in_range = _prefix_range(PersonNameToken.token, word)
        if drive and i == 0:
            conditions.append(Person.id.in_(select(PersonNameToken.person_id).where(in_range)))
        else:
            conditions.append(select(literal(1)).where(
                PersonNameToken.person_id == Person.id, in_range).exists())
    return conditions


def _postcode_matches(raw: str) -> ColumnElement[bool]:
    """The exact postcode ("rg264ab" finds "RG26 4AB"), or every postcode of an outward code
    ("RG26"), or of a sector ("RG26 4"). The inward code always has three characters, so the
    length test keeps "RG26" from finding "RG2 6AB", whose key also starts "RG26"."""
    key = postcode_key(raw)
    outward = postcode_key(raw.split()[0]) if " " in raw.strip() else key
    column = Person.postcode_key
    return and_(_prefix_range(column, key),
                or_(column == key, func.length(column) == len(outward) + INWARD_CODE_LENGTH))


def _prefix_range(column, prefix: str) -> ColumnElement[bool]:
    # A range rather than LIKE 'w%': SQLite's LIKE is case-insensitive and skips the index,
    # PostgreSQL's needs text_pattern_ops; "_" (kept in tokens) would also be a LIKE wildcard.
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return and_(column >= prefix, column < upper)


def _team_visibility(user: User) -> list[ColumnElement[bool]]:
    """Managers and admins see every team; everyone else their own team's people."""
    if user.sees_all_teams:
        return []
    if _on_sqlite():
        # "+ 0" keeps SQLite off ix_person_team_id: without statistics it guesses that an
        # equality on an index is very selective, and for an outward code it read a fifth of
        # all people instead of the code's few hundred. PostgreSQL keeps the plain column: it
        # has statistics, and an expression would hide them from it.
        return [Person.team_id + 0 == user.team_id]
    return [Person.team_id == user.team_id]


def _on_sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def _accounts_of(person_ids: list[int]) -> dict[int, tuple[str, ...]]:
    if not person_ids:
        return {}
    found: dict[int, list[str]] = {}
    for person_id, number in db.session.execute(
            select(Account.person_id, Account.number)
            .where(Account.person_id.in_(person_ids)).order_by(Account.number)):
        found.setdefault(person_id, []).append(number)
    return {person_id: tuple(numbers) for person_id, numbers in found.items()}
