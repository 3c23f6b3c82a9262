"""app/imports/formats.py and values.py: cells to typed values, every problem with its line and
column, no app and no database."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.imports import formats, values
from app.imports.formats import FORMATS, decode, group_rows, parse

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
PEOPLE = "reference,team,family_name,address_line_1,postcode"


def errors_of(kind: str, text: str) -> list[tuple[int, str | None]]:
    return [(e["line"], e["column"]) for e in parse(kind, text).errors]


# --- values ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw, expected", [
    ("2026-03-02", date(2026, 3, 2)), ("02/03/2026", date(2026, 3, 2)),
    ("2/3/2026", date(2026, 3, 2)), ("29/02/2024", date(2024, 2, 29)),
])
def test_dates_are_iso_or_day_first(raw, expected):
    assert values.to_date(raw) == expected


@pytest.mark.parametrize("raw, message", [
    ("2026-02-30", "not a real date"), ("31/04/2026", "not a real date"),
    ("03-02-2026", "not a date"), ("2026/03/02", "not a date"), ("2 March 2026", "not a date"),
    ("02/03/26", "not a date"), ("1066-10-14", "outside"), ("26-03-02", "not a date"),
])
def test_bad_dates_say_why(raw, message):
    with pytest.raises(ValueError, match=message):
        values.to_date(raw)


@pytest.mark.parametrize("raw, expected", [
    ("1234.56", "1234.56"), ("1,234.56", "1234.56"), ("£1,234.56", "1234.56"),
    ("£1,234,567.8", "1234567.80"), ("0.1", "0.10"), ("85", "85.00"), ("0", "0.00"),
    ("£9,999,999,999.99", "9999999999.99"),
])
def test_money_becomes_decimal_pounds_and_pence(raw, expected):
    amount = values.to_money(raw)
    assert type(amount) is Decimal and amount == Decimal(expected)
    assert amount.as_tuple().exponent == -2


@pytest.mark.parametrize("raw", [
    "-5.00", "12.345", "1,23.45", "1,2345.00", "1.234,56", "1e3", "NaN", "£", "1 234.56",
    "$12.00", "12.", ".50", "£-5", "10000000000.00", "Infinity",
])
def test_money_that_is_not_pounds_and_pence_is_refused(raw):
    with pytest.raises(ValueError):
        values.to_money(raw)


@given(st.decimals(min_value=0, max_value=Decimal("9999999999.99"), places=2))
@settings(max_examples=200, deadline=None)
def test_money_written_any_accepted_way_reads_back_exactly(amount):
    for written in (f"{amount}", f"{amount:,.2f}", f"£{amount:,.2f}"):
        assert values.to_money(written) == amount


def test_postcodes_are_normalised_and_checked():
    assert values.to_postcode("rg264ab") == "RG26 4AB"
    assert values.to_postcode(" sw1a  1aa ") == "SW1A 1AA"
    with pytest.raises(ValueError):
        values.to_postcode("12345")


def test_nhs_numbers_need_a_good_check_digit():
    assert values.to_nhs_number("943 476 5919") == "9434765919"
    with pytest.raises(ValueError, match="check digit"):
        values.to_nhs_number("9434765918")
    with pytest.raises(ValueError, match="ten digits"):
        values.to_nhs_number("94347659")


@pytest.mark.parametrize("raw, expected", [("yes", True), ("Y", True), ("TRUE", True),
                                           ("1", True), ("no", False), ("n", False),
                                           ("False", False), ("0", False)])
def test_booleans(raw, expected):
    assert values.to_bool(raw) is expected


def test_line_amount_rounds_half_up_to_the_penny():
    assert values.line_amount(Decimal("3.50"), Decimal("21.33")) == Decimal("74.66")


# --- parsing a file -------------------------------------------------------------------------------
def test_rows_are_typed_and_hold_only_the_columns_the_file_has():
    parsed = parse("people", f"{PEOPLE},date_of_birth,deceased\n"
                             "P1,North,Lee,1 High St,ex1 2ab,14/09/1941,\n")
    assert parsed.errors == [] and parsed.count == 1
    (row,) = parsed.rows
    assert row.line == 2
    assert row.values == {"reference": "P1", "team": "North", "family_name": "Lee",
                          "address_line_1": "1 High St", "postcode": "EX1 2AB",
                          "date_of_birth": date(1941, 9, 14), "deceased": False}


def test_every_bad_cell_of_every_row_is_reported_with_line_and_column():
    text = (f"{PEOPLE},date_of_birth,email,contact_preference\n"
            "P1,North,Lee,1 High St,EX1 2AB,1950-01-01,,post\n"
            "P 2,North,,1 High St,EX1 2AB,1950-13-01,not-an-email,fax\n"
            "P3,North,Lee,1 High St,EX1 2AB,,,email\n")
    parsed = parse("people", text)
    assert [(e["line"], e["column"]) for e in parsed.errors] == [
        (3, "reference"), (3, "family_name"), (3, "date_of_birth"), (3, "email"),
        (3, "contact_preference"), (4, "email")]
    assert parsed.errors[1]["message"] == "required"
    assert parsed.errors[5]["message"] == "required when contact_preference is email"
    assert [r.line for r in parsed.rows] == [2]  # only the good row goes on to the database
    assert parsed.count == 3


def test_header_problems_are_on_line_one():
    assert errors_of("people", "Reference,TEAM,family_name,postcode,postcode,colour\n") == [
        (1, "postcode"), (1, "colour"), (1, "address_line_1")]


def test_a_byte_order_mark_windows_line_ends_and_blank_lines_are_fine():
    text = f"\ufeff{PEOPLE}\r\n\r\nP1,North,Lee,1 High St,EX1 2AB\r\n\r\n"
    parsed = parse("people", text)
    assert parsed.errors == [] and parsed.header[0] == "reference"
    assert [r.line for r in parsed.rows] == [3]


def test_quoted_cells_may_hold_commas_and_line_breaks_and_lines_still_count():
    text = (f"{PEOPLE}\n"
            'P1,North,Lee,"Flat 4, Beech House\nKingsclere Road",EX1 2AB\n'
            "P2,North,Lee,1 High St,NOPE\n")
    parsed = parse("people", text)
    assert parsed.rows[0].values["address_line_1"] == "Flat 4, Beech House Kingsclere Road"
    assert [(e["line"], e["column"]) for e in parsed.errors] == [(4, "postcode")]


def test_rows_with_the_wrong_number_of_cells_and_broken_quoting():
    assert errors_of("people", f"{PEOPLE}\nP1,North,Lee\n") == [(2, None)]
    assert errors_of("people", f'{PEOPLE}\nP1,North,"Lee,1 High St,EX1 2AB\n') == [(2, None)]


def test_an_empty_file_or_blank_header_is_an_error():
    assert errors_of("people", "") == [(1, None)]
    assert errors_of("people", "\nP1,North\n") == [(1, None)]


def test_decode_accepts_utf8_with_or_without_bom_only():
    assert decode("Siân".encode()) == "Siân"
    assert decode(b"\xef\xbb\xbfSi\xc3\xa2n") == "Siân"
    with pytest.raises(ValueError, match="not UTF-8"):
        decode("Siân".encode("latin-1"))


@pytest.mark.parametrize("row, column", [
    ("P1,Lee,1 High St,EX1 2AB,,2026-01-01", "deceased"),
    ("P1,Lee,1 High St,EX1 2AB,yes,1920-01-01", "date_of_death"),
])
def test_people_rules(row, column):
    text = ("reference,family_name,address_line_1,postcode,deceased,date_of_death,team,"
            "date_of_birth\n" + row + ",North,1930-05-05\n")
    assert errors_of("people", text) == [(2, column)]


def test_invoice_lines_check_their_amount_and_dates():
    header = ("invoice_number,account_number,person_reference,invoice_date,due_date,"
              "line_description,quantity,unit_amount,line_amount\n")
    parsed = parse("invoices", header
                   + "INV-1,AC1,P1,2026-01-05,2026-01-26,Care,4,85.00,340.00\n"
                   + "INV-2,AC1,P1,2026-01-05,2026-01-26,Care,4,85.00,340.01\n"
                   + "INV-3,AC1,P1,2026-01-05,2026-01-04,Care,0,85.00,\n")
    assert [(e["line"], e["column"]) for e in parsed.errors] == [
        (3, "line_amount"), (4, "quantity")]
    assert parse("invoices", header + "INV-3,AC1,P1,2026-01-05,2026-01-04,Care,1,1.00,\n"
                 ).errors[0]["column"] == "due_date"


def test_payments_must_be_positive_and_may_lack_an_account_number():
    parsed = parse("payments", "bank_reference,payment_date,amount,account_number\n"
                               "REF,2026-03-01,0.00,AC1\nREF2,2026-03-01,5.00,\n")
    assert [(e["line"], e["column"]) for e in parsed.errors] == [(2, "amount")]
    assert parsed.rows[0].values["account_number"] == ""


def test_group_rows_keeps_repeats_and_refuses_contradictions():
    parsed = parse("people", f"{PEOPLE}\nP1,North,Lee,1 High St,EX1 2AB\n"
                             "P1,North,Lee,1 High St,EX1 2AB\nP1,South,Lee,1 High St,EX1 2AB\n")
    groups, errors = group_rows(parsed.rows, ("reference",))
    assert [[r.line for r in g] for g in groups] == [[2, 3]]
    assert errors == [{"line": 4, "column": "team",
                       "message": "differs from line 2, which has the same reference"}]


@pytest.mark.parametrize("kind", list(FORMATS))
def test_every_sample_file_parses_cleanly(kind):
    parsed = parse(kind, (SAMPLES / f"{kind}.csv").read_text(encoding="utf-8"))
    assert parsed.errors == [] and parsed.rows
    assert set(parsed.header) >= {c.name for c in FORMATS[kind].columns if c.required}


def test_every_format_declares_its_key_among_its_columns():
    for fmt in FORMATS.values():
        assert {c.name for c in fmt.columns} >= set(fmt.key), fmt.kind
        assert fmt.kind in FORMATS and formats.FORMATS[fmt.kind] is fmt


def test_the_printed_name_is_built_from_its_parts_when_not_given():
    assert formats.full_name({"title": "Ms", "given_names": "Siân", "family_name": "Prys-Jones",
                              "name": None}) == "Ms Siân Prys-Jones"
    assert formats.full_name({"family_name": "Lee", "name": "Dr A. Lee"}) == "Dr A. Lee"
    text = ("reference,team,given_names,family_name,address_line_1,postcode\n"
            f"P1,North,{'A' * 120},{'B' * 100},1 High St,EX1 2AB\n")
    assert errors_of("people", text) == [(2, "name")]
