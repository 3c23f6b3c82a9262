"""Person search over HTTP, on SQLite and PostgreSQL: each key finds the right person and not
the near-misses, filters combine, pages count, other teams stay hidden, bad input is a 422; and on
SQLite the plans stay index lookups (its planner needs no statistics, so a small database shows
the plan a large one gets)."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event, select, text

from app.extensions import db
from app.models import Account, Invoice, Person, User
from app.services.records import people
from app.services.records.search import PersonQuery, search_people

from .api_helpers import error_of, fields_of


def add_person(reference: str, name: str, *, born: str = "1940-01-01", postcode: str = "EX1 2AB",
               team: str = "North", accounts: tuple[str, ...] = ()) -> None:
    person = people.create_person({
        "reference": reference, "name": name, "team": team, "caseworker": None,
        "representative": None, "direct_payment": None,
        "address": {"lines": ["1 High Street"], "postcode": postcode}}, None)
    person.date_of_birth = date.fromisoformat(born)
    db.session.add_all(Account(number=number, person_id=person.id) for number in accounts)
    db.session.commit()


@pytest.fixture
def register(staff):
    """A small register with the near-misses a real one has."""
    add_person("P001", "Margaret Smith", born="1938-05-17", postcode="RG26 4AB",
               accounts=("10000001", "10000002"))
    add_person("P002", "Martin Smith", born="1938-05-17", postcode="RG2 6AB",
               accounts=("10000003",))
    add_person("P003", "Margaret Jones", born="1941-11-02", postcode="RG26 9ZZ")
    add_person("P004", "Sean O'Neil", born="1950-03-04", postcode="SO15 2JY")
    add_person("P005", "Mary-Jane Smith-Jones", born="1962-07-30", postcode="RG27 1AA")
    add_person("P0050", "Peter Smyth", born="1950-03-04", postcode="RG26 4AB")
    add_person("P100", "Margaret Smith", born="1951-01-09", postcode="SP1 1AA", team="South",
               accounts=("20000001",))


def refs(api, **criteria) -> list[str]:
    response = api.get("/people", query_string=criteria)
    assert response.status_code == 200, response.json
    return [item["reference"] for item in response.json["items"]]


# --- each key ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name, expected", [
    ("mar smi", ["P001", "P002", "P005"]),   # every word a prefix of some word, any order
    ("smi mar", ["P001", "P002", "P005"]),
    ("MARG SMI", ["P001"]),                  # case-insensitive; same surname, other first name
    ("margaret smith", ["P001"]),
    ("smith", ["P001", "P002", "P005"]),     # by name: Margaret, Martin, Mary-Jane
    ("margaret", ["P003", "P001"]),          # Margaret Jones before Margaret Smith
    ("arg", []),                             # prefixes, not infixes
    ("smithe", []),
    ("oneil", ["P004"]), ("o'neil", ["P004"]), ("O'NEIL", ["P004"]), ("one", ["P004"]),
    ("jane", ["P005"]), ("mary-jane", ["P005"]), ("smith-jones", ["P005"]),
    ("mary jones", ["P005"]), ("jon", ["P003", "P005"]),
    ("smy", ["P0050"]),
])
def test_name_words_are_prefixes_of_name_words(register, as_user, name, expected):
    assert refs(as_user("fa"), name=name) == expected


def test_date_of_birth_is_exact(register, as_user):
    fa = as_user("fa")
    assert refs(fa, dob="1938-05-17") == ["P001", "P002"]
    assert refs(fa, dob="1950-03-04") == ["P0050", "P004"]  # Peter Smyth, Sean O'Neil
    assert refs(fa, dob="1938-05-18") == []


def test_reference_is_exact(register, as_user):
    fa = as_user("fa")
    assert refs(fa, reference="P005") == ["P005"]  # not P0050
    assert refs(fa, reference="P0050") == ["P0050"]
    assert refs(fa, reference="p005") == []
    assert refs(fa, reference="P00") == []


def test_account_number_finds_its_person_with_all_their_accounts(register, as_user):
    fa = as_user("fa")
    response = fa.get("/people?account=10000002")
    assert response.json == {"items": [{
        "reference": "P001", "name": "Margaret Smith", "date_of_birth": "1938-05-17",
        "postcode": "RG26 4AB", "team": "North", "accounts": ["10000001", "10000002"]}],
        "total": 1, "page": 1, "per_page": 25}
    assert refs(fa, account="10000003") == ["P002"]
    assert refs(fa, account="1000000") == []


def add_invoice(account_number: str, invoice_number: str) -> None:
    account = db.session.scalar(select(Account).where(Account.number == account_number))
    db.session.add(Invoice(number=invoice_number, account_id=account.id,
                           invoice_date=date(2026, 1, 5), due_date=date(2026, 2, 4),
                           total=Decimal("120.00")))
    db.session.commit()


def test_invoice_number_finds_the_person_whose_account_has_it(register, as_user):
    add_invoice("10000002", "INV-2026-0042")
    add_invoice("10000003", "INV-2026-0043")
    add_invoice("20000001", "INV-2026-0099")  # South's
    fa = as_user("fa")
    response = fa.get("/people?invoice=INV-2026-0042")
    assert [(i["reference"], i["accounts"]) for i in response.json["items"]] == [
        ("P001", ["10000001", "10000002"])]
    assert refs(fa, invoice="INV-2026-0043") == ["P002"]
    assert refs(fa, invoice="INV-2026-004") == []  # exact, not a prefix
    assert refs(fa, invoice="INV-2026-0099") == []  # another team's person stays hidden
    assert refs(as_user("fm"), invoice="INV-2026-0099") == ["P100"]
    assert refs(fa, invoice="INV-2026-0042", name="jones") == []


def test_nhs_number_is_exact_and_spaces_do_not_matter(register, as_user):
    person = db.session.scalar(select(Person).where(Person.reference == "P004"))
    person.nhs_number = "4857773456"
    db.session.commit()
    fa = as_user("fa")
    assert refs(fa, nhs_number="4857773456") == ["P004"]
    assert refs(fa, nhs_number="485 777 3456") == ["P004"]
    assert refs(fa, nhs_number="4857773457") == []
    error = error_of(fa.get("/people?nhs_number=48577"), 422, "validation_failed")
    assert fields_of(error) == ["nhs_number"]


@pytest.mark.parametrize("postcode, expected", [
    ("RG26 4AB", ["P001", "P0050"]),
    ("rg264ab", ["P001", "P0050"]),          # without the space, lower case
    (" rg26  4ab ", ["P001", "P0050"]),
    ("RG26", ["P003", "P001", "P0050"]),     # outward code: not RG2 6AB, whose key starts RG26
    ("rg26 4", ["P001", "P0050"]),           # sector
    ("RG2", ["P002"]),                       # not RG26 or RG27
    ("RG2 6AB", ["P002"]),
    ("RG26 4AD", []),
    ("RG", []),
])
def test_postcode_exact_or_outward_code(register, as_user, postcode, expected):
    assert refs(as_user("fa"), postcode=postcode) == expected


# --- combining, paging, teams ----------------------------------------------------------------
def test_filters_combine_with_and(register, as_user):
    fa = as_user("fa")
    assert refs(fa, name="smith", dob="1938-05-17") == ["P001", "P002"]
    assert refs(fa, name="mar", postcode="RG26") == ["P003", "P001"]
    assert refs(fa, name="smi", postcode="RG2") == ["P002"]
    assert refs(fa, name="smith", account="10000001") == ["P001"]
    assert refs(fa, name="jones", account="10000001") == []
    assert refs(fa, reference="P001", dob="1938-05-17", postcode="rg264ab") == ["P001"]
    assert refs(fa, reference="P001", dob="1941-11-02") == []


def test_pages_are_counted_and_ordered_by_name_then_reference(staff, as_user):
    for i in range(23):
        add_person(f"R{i:03d}", "Ann Taylor" if i % 2 else f"Bob Taylor {chr(65 + i)}")
    fa = as_user("fa")
    seen = []
    for page in (1, 2, 3):
        body = fa.get(f"/people?name=tay&per_page=10&page={page}").json
        assert (body["total"], body["page"], body["per_page"]) == (23, page, 10)
        seen += [(item["name"], item["reference"]) for item in body["items"]]
    assert [len(seen[i:i + 10]) for i in (0, 10, 20)] == [10, 10, 3]
    assert seen == sorted(seen) and len(set(seen)) == 23
    assert seen[0] == ("Ann Taylor", "R001") and seen[10][0] == "Ann Taylor"
    beyond = fa.get("/people?name=tay&per_page=10&page=4").json
    assert (beyond["items"], beyond["total"]) == ([], 23)
    assert fa.get("/people?name=tay&per_page=100").json["total"] == 23


def test_other_teams_people_are_hidden_except_from_managers(register, as_user):
    assert refs(as_user("fa"), name="margaret smith") == ["P001"]
    assert refs(as_user("fm"), name="margaret smith") == ["P001", "P100"]
    assert refs(as_user("admin"), account="20000001") == ["P100"]
    south = as_user("fa_south")
    assert refs(south, name="margaret smith") == ["P100"]
    assert refs(south, reference="P001") == []
    assert refs(as_user("fa"), account="20000001") == []
    body = as_user("fa").get("/people?name=smith").json
    assert body["total"] == 3


def test_any_signed_in_user_may_search_but_not_anonymously(register, as_user, client):
    assert refs(as_user("cw"), reference="P001") == ["P001"]
    error_of(client.get("/api/v1/people?name=smith"), 401, "unauthenticated")


# --- bad input -------------------------------------------------------------------------------
@pytest.mark.parametrize("query, field", [
    ("dob=1950-13-01", "dob"), ("dob=04/03/1950", "dob"), ("dob=yesterday", "dob"),
    ("name=smith&page=0", "page"), ("name=smith&page=two", "page"),
    ("name=smith&per_page=101", "per_page"), ("name=smith&per_page=0", "per_page"),
    ("name=smith&per_page=1.5", "per_page"), ("surname=smith", "surname"),
    ("name=%27-%27", "name"), ("postcode=RG26+4AB+EXTRA", "postcode"),
    ("postcode=RG%C3%A9", "postcode"), ("postcode=RG%00", "postcode"),
    ("reference=P001%00", "reference"), ("reference=P+001", "reference"),
    ("account=1000%00", "account"), ("invoice=INV%00", "invoice"),
    ("nhs_number=485777345", "nhs_number"), ("nhs_number=485777345x", "nhs_number"),
])
def test_bad_parameters_are_422_naming_the_field(register, as_user, query, field):
    error = error_of(as_user("fa").get(f"/people?{query}"), 422, "validation_failed")
    assert fields_of(error) == [field]


@pytest.mark.parametrize("query", ["", "?page=2", "?name=&postcode=+&dob="])
def test_a_search_needs_a_term(register, as_user, query):
    error = error_of(as_user("fa").get(f"/people{query}"), 422, "validation_failed")
    assert error["message"] == "give at least one search term"


def test_openapi_lists_search_beside_create(staff, client):
    operations = client.get("/api/v1/openapi.json").json["paths"]["/api/v1/people"]
    assert sorted(operations) == ["get", "post"]
    assert "any signed-in user" in operations["get"]["description"]


# --- plans (SQLite) ---------------------------------------------------------------------------
def plans_of(query: PersonQuery, username: str) -> list[tuple[str, str]]:
    """(statement, EXPLAIN QUERY PLAN) of every statement the search runs."""
    statements = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    user = db.session.scalar(select(User).where(User.username == username))
    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        search_people(query, user)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    connection = db.session.connection()
    return [(statement, "\n".join(row[3] for row in connection.exec_driver_sql(
        "EXPLAIN QUERY PLAN " + statement, parameters))) for statement, parameters in statements]


FULL_SCAN = re.compile(r"\bSCAN (person|account|team)\b")  # "SCAN person_name_token" too
TOKEN_LINE = re.compile(r"^.*person_name_token.*$", re.MULTILINE)
TOKEN_INDEX = re.compile(r"SEARCH person_name_token USING (COVERING )?INDEX ")
TOKEN_RANGE = "INDEX ix_person_name_token_covering (token>? AND token<?)"


def assert_no_scan(plans: list[tuple[str, str]]) -> None:
    for statement, plan in plans:
        assert not FULL_SCAN.search(plan), (statement, plan)
        assert "SCAN person_name_token" not in plan, (statement, plan)
        for line in TOKEN_LINE.findall(plan):
            assert TOKEN_INDEX.search(line), (statement, plan)


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("username", ["fa", "fm"])
@pytest.mark.parametrize("name", ["mar", "mar smi", "smith o'neil mary"])
def test_name_search_uses_the_token_index_never_a_scan(register, backend, username, name):
    plans = plans_of(PersonQuery(name=name, per_page=1), username)
    assert_no_scan(plans)
    on_person = [plan for statement, plan in plans if "FROM person " in statement]
    assert on_person, plans  # the page (and the count) of people ...
    for plan in on_person:  # ... start from a range of the token index
        assert plan.splitlines()[0].startswith("SEARCH person USING INTEGER PRIMARY KEY"), plan
        assert TOKEN_RANGE in plan, plan


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("username", ["fa", "fm"])
@pytest.mark.parametrize("query, index", [
    (PersonQuery(date_of_birth=date(1938, 5, 17), name="smith"), "ix_person_date_of_birth"),
    (PersonQuery(reference="P001", name="mar"), "sqlite_autoindex_person_1"),
    (PersonQuery(account_number="10000001"), "sqlite_autoindex_account_1"),
    (PersonQuery(invoice_number="INV-1"), "sqlite_autoindex_invoice_1"),
    (PersonQuery(nhs_number="485 777 3456"), "ix_person_nhs_number"),
    (PersonQuery(postcode="RG26 4AB"), "ix_person_postcode_key"),
    (PersonQuery(postcode="RG26", name="mar smi"), "ix_person_postcode_key"),
])
def test_other_keys_drive_through_their_own_index(register, backend, username, query, index):
    plans = plans_of(query, username)
    assert_no_scan(plans)
    page = next(plan for statement, plan in plans if "ORDER BY" in statement)
    assert f"INDEX {index} (" in page, page
    assert "ix_person_team_id" not in page, page  # a fifth of everyone, not the key's few rows
    assert TOKEN_RANGE not in page, page  # names are checked per person, not read by prefix


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_name_tokens_compare_in_byte_order_on_postgres(app, backend):
    # Prefix ranges are only right in byte order, whatever the database's own locale.
    collation = db.session.execute(text(
        "select collation_name from information_schema.columns "
        "where table_name = 'person_name_token' and column_name = 'token'")).scalar()
    assert collation == "C"
