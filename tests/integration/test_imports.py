"""CSV imports over HTTP and the CLI: all-or-nothing files, natural keys, re-imports, payment
allocation and suspense, and the sample files in docs/samples."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Account,
    AuditEvent,
    CarePackage,
    Invoice,
    Payment,
    PaymentAllocation,
    Person,
    PersonAddress,
    Provider,
    Representative,
)
from tests.conftest import add_user

from .api_helpers import count, error_of, fresh

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
ORDER = ("people", "representatives", "care_packages", "invoices", "payments")
CSV = {"Content-Type": "text/csv"}
PEOPLE_HEADER = "reference,team,given_names,family_name,date_of_birth,address_line_1,postcode\n"


def sample(kind: str) -> str:
    return (SAMPLES / f"{kind}.csv").read_text(encoding="utf-8")


def post(api, kind: str, text: str | bytes, status: int = 200) -> dict:
    response = api.post(f"/imports/{kind}", data=text, headers=CSV)
    assert response.status_code == status, response.get_data(as_text=True)
    return response.json


@pytest.fixture
def fa(as_user):
    add_user("sam", "caseworker", team="Finance North")  # the samples' caseworker
    return as_user("fa")


def import_samples(api) -> dict[str, dict]:
    return {kind: post(api, kind, sample(kind)) for kind in ORDER}


def invoice(number: str) -> Invoice:
    fresh()
    return db.session.scalar(select(Invoice).where(Invoice.number == number))


def payment(bank_reference: str) -> Payment:
    fresh()
    return db.session.scalar(select(Payment).where(Payment.bank_reference == bank_reference))


def people_file(*rows: str) -> str:
    return PEOPLE_HEADER + "".join(row + "\n" for row in rows)


# --- the samples ------------------------------------------------------------------------------
def test_samples_import_in_order_and_allocate_as_documented(fa):
    results = import_samples(fa)
    assert {k: (r["rows"], r["added"], r["unchanged"]) for k, r in results.items()} == {
        "people": (6, 6, 0), "representatives": (5, 5, 0), "care_packages": (5, 5, 0),
        "invoices": (9, 8, 0), "payments": (6, 6, 0)}
    assert results["care_packages"]["related"] == {"providers_added": 3}
    assert results["invoices"]["related"] == {"accounts_added": 5}
    assert results["payments"]["suspense"] == 1
    assert (count(Person), count(Representative), count(CarePackage), count(Provider),
            count(Account), count(Invoice)) == (6, 5, 5, 3, 5, 8)

    # By reference: INV-260201 is paid although INV-260101 is older.
    assert (invoice("INV-260201").paid, invoice("INV-260201").status) == (Decimal("340.00"),
                                                                          "paid")
    # Oldest first: the unreferenced £200.00 goes to the older invoice, part paying it.
    assert (invoice("INV-260101").paid, invoice("INV-260101").status) == (Decimal("200.00"),
                                                                          "part_paid")
    # "INV260102" in the reference names INV-260102; "ac200102" matches AC200102.
    assert invoice("INV-260102").status == "paid"
    assert [invoice(n).status for n in ("INV-260103", "INV-260203")] == ["paid", "paid"]
    # An overpayment keeps its remainder on the payment, not in suspense.
    overpaid = payment("ADEBAYO-WRIGHT G")
    assert (overpaid.unallocated, overpaid.in_suspense) == (Decimal("52.00"), False)
    held = payment("FENWICK S EXECUTOR")
    assert (held.in_suspense, held.account_id, held.unallocated) == (True, None,
                                                                      Decimal("244.80"))
    assert [invoice(n).paid for n in ("INV-260104", "INV-260204")] == [Decimal("0.00")] * 2


def test_sample_people_are_typed_and_indexed(fa, as_user):
    post(fa, "people", sample("people"))
    fresh()
    okafor = db.session.scalar(select(Person).where(Person.reference == "200102"))
    assert okafor.name == "Mr Leonard James Okafor"  # built from title and names
    assert okafor.address_lines == ["Flat 4, Beech House", "Kingsclere Road", "Basingstoke"]
    assert (okafor.postcode, okafor.postcode_key) == ("RG21 6TB", "RG216TB")
    assert okafor.date_of_birth.isoformat() == "1941-09-14"  # DD/MM/YYYY read the UK way
    assert (okafor.contact_preference, okafor.caseworker.username) == ("email", "sam")
    fenwick = db.session.scalar(select(Person).where(Person.reference == "200104"))
    assert fenwick.deceased and fenwick.date_of_death.isoformat() == "2026-01-19"
    sian = db.session.scalar(select(Person).where(Person.reference == "200103"))
    assert (sian.name, sian.nhs_number, sian.property_disregarded) == (
        "Ms Siân Prys-Jones", "9990001022", True)
    found = as_user("fm").get("/people/200103")
    assert found.status_code == 200 and found.json["team"] == "Finance North"


def test_money_stays_decimal_from_file_to_database(fa):
    import_samples(fa)
    fresh()
    totals = {i.number: i.total for i in db.session.scalars(select(Invoice))}
    assert all(type(total) is Decimal for total in totals.values())
    assert totals["INV-260102"] == Decimal("220.00")  # two lines, summed
    assert totals["INV-260204"] == Decimal("122.40")  # quantity x unit amount, no line amount
    package = db.session.scalar(select(CarePackage).where(CarePackage.reference == "CP-5002"))
    assert package.weekly_cost == Decimal("1085.00") and type(package.weekly_cost) is Decimal
    amounts = [a.amount for a in db.session.scalars(select(PaymentAllocation))]
    assert amounts and all(type(a) is Decimal for a in amounts)
    assert sum(amounts) + sum(p.unallocated for p in db.session.scalars(select(Payment))) == \
        sum(p.amount for p in db.session.scalars(select(Payment)))


def test_samples_import_through_the_cli_and_again_as_a_no_op(app, staff):
    add_user("sam", "caseworker", team="Finance North")
    runner = app.test_cli_runner()
    for kind in ORDER:
        result = runner.invoke(args=["import", kind, str(SAMPLES / f"{kind}.csv"),
                                     "--user", "fa"])
        assert result.exit_code == 0, result.output
        assert result.output.startswith(f"{kind}: ")
    again = runner.invoke(args=["import", "payments", str(SAMPLES / "payments.csv")])
    assert again.exit_code == 0
    assert again.output == ("payments: 6 rows, 0 added, 0 updated, 6 unchanged, "
                            "0 in suspense\n")
    assert count(Payment) == 6 and count(Person) == 6


def test_cli_prints_each_error_and_exits_non_zero(app, staff, tmp_path):
    bad = tmp_path / "people.csv"
    bad.write_text(people_file("P1,North,Ann,Lee,1950-02-30,1 High St,EX1 2AB",
                               "P2,North,Bob,Lee,1950-02-03,,EX1 2AB"), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import", "people", str(bad)])
    assert result.exit_code != 0
    assert "line 2, column date_of_birth: '1950-02-30' is not a real date" in result.output
    assert "line 3, column address_line_1: required" in result.output
    assert count(Person) == 0


# --- all or nothing ---------------------------------------------------------------------------
def test_one_bad_row_imports_nothing_and_names_its_line_and_column(fa):
    text = people_file("P1,North,Ann,Lee,1950-02-03,1 High St,EX1 2AB",
                       "P2,North,Bob,Lee,1950-02-03,2 High St,EX1 2AB",
                       "P3,North,Cy,Lee,31/13/1950,3 High St,EX1 2AB")
    error = error_of(fa.post("/imports/people", data=text, headers=CSV), 422,
                     "validation_failed")
    assert error["details"] == [{"line": 4, "column": "date_of_birth",
                                 "message": "'31/13/1950' is not a real date"}]
    assert count(Person) == 0 and count(AuditEvent, action="imported_person") == 0


def test_every_problem_is_reported_including_those_against_the_database(fa):
    post(fa, "people", people_file("P1,North,Ann,Lee,1950-02-03,1 High St,EX1 2AB"))
    text = ("person_reference,type,name,scope,address_line_1,postcode,start_date,end_date\n"
            "P1,deputy,Dee Lee,property_and_finance,1 High St,EX1 2AB,2025-01-01,\n"
            "P9,attorney,Al Lee,property_and_finance,1 High St,EX1 2AB,,\n"
            "P1,uncle,Un Lee,benefits,1 High St,NOT A PC,,\n"
            "P1,appointee,Ap Lee,benefits,1 High St,EX1 2AB,2025-05-01,2025-04-01\n"
            "P1,deputy,Dee Lee,litigation,1 High St,EX1 2AB,2025-01-01,\n")
    error = error_of(fa.post("/imports/representatives", data=text, headers=CSV), 422,
                     "validation_failed")
    assert [(d["line"], d["column"]) for d in error["details"]] == [
        (3, "person_reference"), (4, "type"), (4, "postcode"), (5, "end_date"), (6, "scope")]
    assert "no person with reference 'P9'" in error["details"][0]["message"]
    assert "differs from line 2" in error["details"][4]["message"]
    assert count(Representative) == 0


@pytest.mark.parametrize("text, column, message", [
    ("reference,team,family_name\nP1,North,Lee\n", "address_line_1", "required column"),
    (PEOPLE_HEADER + "P1,North,Ann,Lee,,1 High St\n", None, "the row has 6 values"),
    ("reference,team,family_name,address_line_1,postcode,shoe_size\n"
     "P1,North,Lee,1 High St,EX1 2AB,9\n", "shoe_size", "unknown column"),
    ("", None, "the file is empty"),
    ('reference,team,family_name,address_line_1,postcode\nP1,North,"Lee,1 High St,EX1 2AB\n',
     None, "not valid CSV"),
])
def test_file_shape_problems(fa, text, column, message):
    error = error_of(fa.post("/imports/people", data=text, headers=CSV), 422,
                     "validation_failed")
    assert any(d["column"] == column and message in d["message"] for d in error["details"]), \
        error["details"]


def test_bad_bodies_kinds_and_roles(fa, as_user):
    error_of(fa.post("/imports/people", data="caf\xe9".encode("latin-1"), headers=CSV), 400,
             "malformed")
    error_of(fa.post("/imports/people", data=sample("people"),
                     headers={"Content-Type": "application/json"}), 400, "malformed")
    error_of(fa.post("/imports/debts", data="x\n", headers=CSV), 404, "not_found")
    error_of(as_user("cw").post("/imports/people", data=sample("people"), headers=CSV), 403,
             "forbidden")
    error_of(as_user("cw").get("/payments/suspense"), 403, "forbidden")
    assert count(Person) == 0


def test_a_byte_order_mark_and_windows_line_ends_are_accepted(fa):
    text = people_file("P1,North,Ann,Lee,1950-02-03,1 High St,EX1 2AB").replace("\n", "\r\n")
    assert post(fa, "people", b"\xef\xbb\xbf" + text.encode())["added"] == 1


# --- natural keys: re-imports and re-exports ----------------------------------------------------
def test_repeating_every_sample_import_is_a_no_op(fa):
    import_samples(fa)
    fresh()
    events = count(AuditEvent)
    paid = {i.number: i.paid for i in db.session.scalars(select(Invoice))}
    for kind in ORDER:
        again = post(fa, kind, sample(kind))
        assert (again["added"], again["updated"], again["suspense"]) == (0, 0, 0), kind
    assert count(AuditEvent) == events + len(ORDER)  # only the import_completed events
    fresh()
    assert {i.number: i.paid for i in db.session.scalars(select(Invoice))} == paid
    assert (count(Payment), count(PaymentAllocation), count(Account)) == (6, 6, 5)


def test_a_longer_re_export_adds_only_the_new_rows(fa):
    import_samples(fa)
    longer = sample("payments") + "INV-260104 FENWICK,2026-03-01,100.00,AC200104,bank\n"
    result = post(fa, "payments", longer)
    assert (result["rows"], result["added"], result["unchanged"]) == (7, 1, 6)
    assert invoice("INV-260104").paid == Decimal("100.00")
    people = sample("people") + ("200107,Finance South,,Mr,Ian,Marsh,,1944-07-07,,1 Down Lane,"
                                 "Whitchurch,,RG28 7AA,post,,,,,no,,no,no,no\n")
    result = post(fa, "people", people)
    assert (result["added"], result["unchanged"]) == (1, 6)


def test_a_repeated_row_within_one_file_counts_once(fa):
    row = "P1,North,Ann,Lee,1950-02-03,1 High St,EX1 2AB"
    result = post(fa, "people", people_file(row, row))
    assert (result["rows"], result["added"], result["unchanged"]) == (2, 1, 1)


def test_changed_details_update_the_person_and_keep_the_old_address(fa, as_user):
    post(fa, "people", people_file("P1,North,Ann,Lee,1950-02-03,1 High St,EX1 2AB"))
    result = post(fa, "people", people_file("P1,South,Ann,Lee-Smith,1950-02-03,9 Low Rd,ex9 9zz"))
    assert (result["updated"], result["added"]) == (1, 0)
    fresh()
    person = db.session.scalar(select(Person).where(Person.reference == "P1"))
    assert (person.address_lines, person.postcode, person.postcode_key) == (
        ["9 Low Rd"], "EX9 9ZZ", "EX99ZZ")
    assert (person.name, person.team.name) == ("Ann Lee-Smith", "South")
    old = db.session.scalars(select(PersonAddress)).all()
    assert [(a.address_lines, a.postcode, str(a.valid_to)) for a in old] == [
        (["1 High St"], "EX1 2AB", "2026-03-02")]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "imported_person")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.summary == {"kind": "people", "person_id": person.id, "change": "updated",
                             "fields": ["address_lines", "family_name", "name", "postcode",
                                        "postcode_key", "team_id"]}
    assert "Lee" not in str(event.summary)  # ids and field names, never the values
    # The case moved to team South: North's assistant no longer sees it.
    assert fa.get("/people/P1").status_code == 404
    assert as_user("fm").get("/people/P1").json["team"] == "South"


def test_a_changed_representative_is_updated_not_duplicated(fa):
    post(fa, "people", sample("people"))
    post(fa, "representatives", sample("representatives"))
    changed = sample("representatives").replace("2025-10-20,\n", "2025-10-20,2026-02-28\n")
    result = post(fa, "representatives", changed)
    assert (result["updated"], result["unchanged"], count(Representative)) == (1, 4, 5)


def test_an_issued_invoice_cannot_be_changed_by_re_import(fa):
    import_samples(fa)
    changed = sample("invoices").replace("2026-02-02,2026-02-23", "2026-02-02,2026-03-23", 1)
    error = error_of(fa.post("/imports/invoices", data=changed, headers=CSV), 422,
                     "validation_failed")
    assert [(d["line"], d["column"]) for d in error["details"]] == [(8, "due_date")]
    assert "credit note" in error["details"][0]["message"]
    relined = sample("invoices").replace("Transport to day centre (return journeys),8,",
                                         "Transport to day centre (return journeys),9,")
    relined = relined.replace(",6.25,50.00", ",6.25,56.25")
    error = error_of(fa.post("/imports/invoices", data=relined, headers=CSV), 422,
                     "validation_failed")
    assert [(d["line"], d["column"]) for d in error["details"]] == [(3, "line_description")]
    assert invoice("INV-260102").total == Decimal("220.00")


def test_invoice_rows_must_agree_and_belong_to_known_people_and_their_accounts(fa):
    post(fa, "people", sample("people"))
    post(fa, "invoices", sample("invoices"))
    text = ("invoice_number,account_number,person_reference,invoice_date,due_date,"
            "line_description,unit_amount\n"
            "INV-1,AC200101,200102,2026-03-02,2026-03-23,Contribution,10.00\n"
            "INV-2,AC900,P404,2026-03-02,2026-03-23,Contribution,10.00\n"
            "INV-3,AC901,200101,2026-03-02,2026-03-23,Contribution,10.00\n"
            "INV-3,AC901,200101,2026-03-02,2026-03-30,Transport,2.00\n")
    error = error_of(fa.post("/imports/invoices", data=text, headers=CSV), 422,
                     "validation_failed")
    assert [(d["line"], d["column"]) for d in error["details"]] == [
        (2, "account_number"), (3, "person_reference"), (5, "due_date")]
    assert count(Invoice) == 8 and count(Account) == 5


# --- payments: allocation and suspense ----------------------------------------------------------
@pytest.fixture
def ledger(fa):
    """One person, one account, three open invoices due in January, February and March."""
    post(fa, "people", people_file("P1,North,Ann,Lee,1950-02-03,1 High St,EX1 2AB"))
    post(fa, "invoices", "invoice_number,account_number,person_reference,invoice_date,due_date,"
                         "line_description,unit_amount\n"
                         "INV-3,AC1,P1,2026-02-08,2026-03-01,March,100.00\n"
                         "INV-1,AC1,P1,2025-12-08,2026-01-01,January,100.00\n"
                         "INV-2,AC1,P1,2026-01-08,2026-02-01,February,100.00\n")
    return fa


def pay(api, *rows: str) -> dict:
    return post(api, "payments", "bank_reference,payment_date,amount,account_number\n"
                + "".join(row + "\n" for row in rows))


def allocations_of(bank_reference: str) -> list[tuple[str, Decimal, str]]:
    fresh()
    rows = db.session.execute(
        select(Invoice.number, PaymentAllocation.amount, PaymentAllocation.rule)
        .join(Invoice, Invoice.id == PaymentAllocation.invoice_id)
        .join(Payment, Payment.id == PaymentAllocation.payment_id)
        .where(Payment.bank_reference == bank_reference).order_by(PaymentAllocation.id))
    return [tuple(row) for row in rows]


def test_a_payment_goes_first_to_the_invoice_its_reference_names(ledger):
    pay(ledger, "LEE INV-3,2026-03-01,150.00,AC1")
    assert allocations_of("LEE INV-3") == [("INV-3", Decimal("100.00"), "reference"),
                                          ("INV-1", Decimal("50.00"), "oldest_first")]
    assert [invoice(n).status for n in ("INV-1", "INV-2", "INV-3")] == [
        "part_paid", "open", "paid"]


def test_a_payment_without_a_reference_pays_the_oldest_due_first(ledger):
    pay(ledger, "A LEE,2026-03-01,250.00,AC1", "A LEE,2026-03-02,80.00,AC1")
    assert allocations_of("A LEE") == [("INV-1", Decimal("100.00"), "oldest_first"),
                                      ("INV-2", Decimal("100.00"), "oldest_first"),
                                      ("INV-3", Decimal("50.00"), "oldest_first"),
                                      ("INV-3", Decimal("50.00"), "oldest_first")]
    fresh()
    second = db.session.scalar(select(Payment).where(Payment.amount == Decimal("80.00")))
    assert second.unallocated == Decimal("30.00")
    assert [invoice(n).status for n in ("INV-1", "INV-2", "INV-3")] == ["paid"] * 3


def test_an_unmatched_payment_is_held_in_suspense_and_listed(ledger):
    result = pay(ledger, "UNKNOWN PAYER,2026-03-01,25.00,AC404",
                 'NO ACCOUNT GIVEN,2026-02-27,"£1,000.50",')
    assert (result["added"], result["suspense"]) == (2, 2)
    assert count(PaymentAllocation) == 0 and invoice("INV-1").paid == Decimal("0.00")
    listed = ledger.get("/payments/suspense?per_page=1").json
    assert (listed["total"], listed["page"], listed["per_page"]) == (2, 1, 1)
    assert [(p["bank_reference"], p["amount"], p["account_number"]) for p in listed["items"]] == [
        ("NO ACCOUNT GIVEN", "1000.50", "")]
    second = ledger.get("/payments/suspense?page=2&per_page=1").json["items"]
    assert [(p["bank_reference"], p["paid_on"]) for p in second] == [
        ("UNKNOWN PAYER", "2026-03-01")]
    error_of(ledger.get("/payments/suspense?per_page=0"), 422, "validation_failed")


def test_payment_natural_key_rows_must_agree_within_a_file(ledger):
    text = ("bank_reference,payment_date,amount,account_number,method\n"
            "A LEE,2026-03-01,10.00,AC1,bank\nA LEE,2026-03-01,10.00,AC1,cheque\n")
    error = error_of(ledger.post("/imports/payments", data=text, headers=CSV), 422,
                     "validation_failed")
    assert [(d["line"], d["column"]) for d in error["details"]] == [(3, "method")]
    assert count(Payment) == 0


def test_imports_are_audited_with_ids_only(fa):
    import_samples(fa)
    fresh()
    actions = {e.action for e in db.session.scalars(select(AuditEvent))}
    assert {"imported_person", "imported_representative", "imported_care_package",
            "imported_provider", "imported_account", "imported_invoice", "imported_payment",
            "payment_allocated", "import_completed"} <= actions
    completed = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "import_completed").order_by(AuditEvent.id)).all()
    assert [e.summary["kind"] for e in completed] == list(ORDER)
    assert all(e.actor.username == "fa" for e in completed)


def test_a_file_over_the_request_limit_is_413(fa, app):
    big = PEOPLE_HEADER + "x" * app.config["MAX_CONTENT_LENGTH"]
    error_of(fa.post("/imports/people", data=big, headers=CSV), 413, "too_large")


def test_the_openapi_document_describes_the_csv_upload(fa, client):
    spec = client.get("/api/v1/openapi.json").json
    upload = spec["paths"]["/api/v1/imports/{kind}"]["post"]
    assert "text/csv" in upload["requestBody"]["content"]
    assert "finance_assistant" in upload["description"]
    assert "get" in spec["paths"]["/api/v1/payments/suspense"]


def test_cli_refuses_an_unknown_user_and_a_file_that_is_not_utf8(app, staff, tmp_path):
    runner = app.test_cli_runner()
    latin = tmp_path / "people.csv"
    latin.write_bytes(people_file("P1,North,Zoë,Lee,1950-02-03,1 High St,EX1 2AB")
                      .encode("latin-1"))
    result = runner.invoke(args=["import", "people", str(latin)])
    assert result.exit_code != 0 and "not UTF-8" in result.output
    result = runner.invoke(args=["import", "people", str(SAMPLES / "people.csv"), "--user", "x"])
    assert result.exit_code != 0 and "no user 'x'" in result.output
    assert count(Person) == 0


def test_a_representative_s_contact_details_are_imported_and_checked(fa):
    post(fa, "people", sample("people"))
    header = ("person_reference,type,name,scope,address_line_1,postcode,contact_preference,"
              "phone,language\n")
    post(fa, "representatives", header + "200102,attorney,Chidi Okafor,property_and_finance,"
                                         "88 Hillside Avenue,RG1 5QP,phone,0118 496 0099,Igbo\n")
    fresh()
    rep = db.session.scalar(select(Representative).where(Representative.name == "Chidi Okafor"))
    assert (rep.contact_preference, rep.phone, rep.language) == ("phone", "0118 496 0099", "Igbo")
    refused = post(fa, "representatives", header + "200102,attorney,Ada Obi,property_and_finance,"
                                                   "1 Road,RG1 5QP,phone,,\n", status=422)
    assert any(d.get("column") == "phone" for d in refused["error"]["details"]), refused


@pytest.mark.parametrize("kind, text", [
    ("card_transactions", "provider_reference,posted_on,kind,amount\nT1,2026-03-01,spend,-10.00"),
    ("card_balances", "as_of,balance,commitments\n2026-03-01,100.00,0.00"),
    ("direct_payments", "variant,amount,frequency,first_payment_date\n"
                        "standard,350.00,weekly,2026-01-13"),
])
def test_a_header_without_the_column_rows_are_matched_by_is_422(staff, kind, text):
    # Found by trying it: these answered 500 (a KeyError) instead of naming the missing column.
    from app.errors import ValidationFailed
    from app.services.imports import import_files

    with pytest.raises(ValidationFailed) as refused:
        import_files.import_file(kind, text + "\n", None)
    assert any(d["line"] == 1 and "missing from the header" in d["message"]
               for d in refused.value.details)
