"""The CSV formats of the finance-system imports, and a parser that checks every row of a file.

Pure: no app, no database. One declared `Format` per kind (its columns, their types, which are
required, the natural key, and the rules that tie a row's columns together). `parse` reads a
whole file and reports every problem, each with its line and column, so a user fixes a file in
one pass instead of one error per upload. docs/imports.md describes the same formats for people.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

from app.letters.addressing import REPRESENTATIVE_TYPES, SCOPES

from . import direct_payment_rules as dp
from . import values as v

ADDRESS_LINES = tuple(f"address_line_{n}" for n in range(1, 6))
PERSON_REFERENCE = r"[A-Za-z0-9-]+"  # as POST /people accepts it
CODE = r"[A-Za-z0-9][A-Za-z0-9/._-]*"  # invoice, account, package, provider and order numbers
CONVERTERS: dict[str, Callable[[str], Any]] = {
    "date": v.to_date, "money": v.to_money, "quantity": v.to_quantity, "bool": v.to_bool,
    "postcode": v.to_postcode, "email": v.to_email, "phone": v.to_phone,
    "nhs_number": v.to_nhs_number, "signed_money": dp.to_signed_money, "weeks": dp.to_weeks,
    "paid_money": dp.to_paid_amount,
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "text"  # text or a key of CONVERTERS
    required: bool = False
    max_length: int = 200
    pattern: str | None = None
    choices: tuple[str, ...] = ()
    default: Any = None  # the value of an empty cell in an optional column
    positive: bool = False  # money or quantity must be above zero


Problem = tuple[str, str]  # (column, message) found by a row rule


@dataclass(frozen=True)
class Format:
    kind: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # the natural key: a re-import matches rows on it
    rules: tuple[Callable[[dict[str, Any]], list[Problem]], ...] = ()

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True)
class Row:
    line: int  # where the row starts in the file (the header is line 1)
    values: dict[str, Any]  # only the columns the file has: an absent column changes nothing


@dataclass
class Parsed:
    kind: str
    header: tuple[str, ...] = ()
    rows: list[Row] = field(default_factory=list)  # the rows without problems
    count: int = 0  # every data row, good or bad
    errors: list[dict[str, Any]] = field(default_factory=list)


def problem(line: int, column: str | None, message: str) -> dict[str, Any]:
    """One error as the API and the CLI report it."""
    return {"line": line, "column": column, "message": message}


def decode(data: bytes) -> str:
    """The file as text: UTF-8, with or without a byte-order mark (Excel writes one)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"the file is not UTF-8 text (byte {exc.start + 1}); save it as "
                         "'CSV UTF-8'") from None


def parse(kind: str, text: str) -> Parsed:
    """Read a CSV file of `kind` into typed rows; every bad cell becomes an error."""
    fmt = FORMATS[kind]
    parsed = Parsed(kind)
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    line = 1  # where the next record starts: a quoted cell may span several lines
    try:
        for cells in reader:
            if line == 1:
                parsed.header = _read_header(fmt, cells, parsed.errors)
            elif any(cell.strip() for cell in cells):  # blank lines are not rows
                parsed.count += 1
                if parsed.header:
                    _read_row(fmt, parsed, line, cells)
            line = reader.line_num + 1
    except csv.Error as exc:
        # The quoting is broken from here on, so nothing after this line can be trusted.
        parsed.errors.append(problem(reader.line_num, None, f"not valid CSV: {exc}"))
    if line == 1 and not parsed.errors:
        parsed.errors.append(problem(1, None, "the file is empty; the first line must be the "
                                              "header naming the columns"))
    return parsed


def _read_header(fmt: Format, cells: list[str], errors: list) -> tuple[str, ...]:
    header = tuple(cell.strip().lower() for cell in cells)
    if not any(header):
        errors.append(problem(1, None, "the first line must be the header naming the columns"))
        return ()
    for index, name in enumerate(header):
        if fmt.column(name) is None:
            errors.append(problem(1, name, f"unknown column '{name}' for {fmt.kind}"))
        elif name in header[:index]:
            errors.append(problem(1, name, f"column '{name}' appears twice"))
    for column in fmt.columns:
        if column.required and column.name not in header:
            errors.append(problem(1, column.name, f"the required column '{column.name}' is "
                                                  "missing from the header"))
    return header


def _read_row(fmt: Format, parsed: Parsed, line: int, cells: list[str]) -> None:
    if len(cells) != len(parsed.header):
        parsed.errors.append(problem(line, None, f"the row has {len(cells)} values; the header "
                                                 f"has {len(parsed.header)}"))
        return
    row: dict[str, Any] = {}
    errors = []
    for name, raw in zip(parsed.header, cells, strict=True):
        column = fmt.column(name)
        if column is None or name in row:
            continue  # already reported against the header
        try:
            row[name] = convert(column, raw.strip())
        except ValueError as exc:
            errors.append(problem(line, name, str(exc)))
    if not errors:
        # Rules compare columns, so they only make sense once each column is right.
        errors = [problem(line, col, msg) for rule in fmt.rules for col, msg in rule(row)]
    parsed.errors.extend(errors)
    if not errors:
        parsed.rows.append(Row(line, row))


def convert(column: Column, raw: str) -> Any:
    """One cell to its typed value, or ValueError with a message for the user."""
    if raw == "":
        if column.required:
            raise ValueError("required")
        return column.default
    if column.type in CONVERTERS:
        value = CONVERTERS[column.type](raw)
    else:
        value = _text(column, raw)
    if column.positive and value <= 0:
        raise ValueError("must be more than zero")
    return value


def _text(column: Column, raw: str) -> str:
    text = " ".join(raw.split())  # stray tabs, newlines and double spaces from the source system
    if len(text) > column.max_length:
        raise ValueError(f"longer than {column.max_length} characters")
    if column.choices and text.lower() not in column.choices:
        raise ValueError(f"'{text}' is not one of: {', '.join(column.choices)}")
    if column.choices:
        return text.lower()
    if column.pattern and not re.fullmatch(column.pattern, text):
        raise ValueError(f"'{text}' has characters a reference cannot have")
    return text


def group_rows(rows: list[Row], key: tuple[str, ...], same: tuple[str, ...] | None = None
               ) -> tuple[list[list[Row]], list[dict[str, Any]]]:
    """Rows grouped by natural key, in file order, and the rows that contradict their group.

    Rows with one key must agree on the columns in `same` (all of them when None): the lines of
    one invoice share its dates; two rows for one person must not give two birth dates.
    """
    groups: dict[tuple, list[Row]] = {}
    errors = []
    for row in rows:
        group = groups.setdefault(tuple(row.values.get(name) for name in key), [])
        if group:
            first = group[0]
            differs = [name for name in (same or tuple(first.values))
                       if first.values.get(name) != row.values.get(name)]
            if differs:
                errors.append(problem(row.line, differs[0], (
                    f"differs from line {first.line}, which has the same {' + '.join(key)}")))
                continue
        group.append(row)
    return list(groups.values()), errors


# --- row rules: columns that must agree with each other -------------------------------------------
def _not_before(later: str, earlier: str) -> Callable[[dict[str, Any]], list[Problem]]:
    def rule(row: dict[str, Any]) -> list[Problem]:
        if row.get(later) and row.get(earlier) and row[later] < row[earlier]:
            return [(later, f"is before {earlier}")]
        return []
    return rule


def _death(row: dict[str, Any]) -> list[Problem]:
    if row.get("date_of_death") and not row.get("deceased"):
        return [("deceased", "must be yes when a date of death is given")]
    return []


def _contact(row: dict[str, Any]) -> list[Problem]:
    preference = row.get("contact_preference")
    if preference in ("email", "phone") and not row.get(preference):
        return [(preference, f"required when contact_preference is {preference}")]
    return []


def _disregard(row: dict[str, Any]) -> list[Problem]:
    if row.get("property_disregarded") and row.get("owns_property") is False:
        return [("property_disregarded", "a property disregard needs owns_property yes")]
    return []


def full_name(row: dict[str, Any]) -> str:
    """The name letters print: the name column, else title, given names and family name."""
    return row.get("name") or " ".join(
        row[part] for part in ("title", "given_names", "family_name") if row.get(part))


def _name(row: dict[str, Any]) -> list[Problem]:
    if len(full_name(row)) > 200:
        return [("name", "title, given names and family name make more than 200 characters; "
                         "give a shorter name")]
    return []


def _line_amount(row: dict[str, Any]) -> list[Problem]:
    given = row.get("line_amount")
    if given is None or "unit_amount" not in row:
        return []
    expected = v.line_amount(row.get("quantity") or Decimal("1"), row["unit_amount"])
    if given != expected:
        return [("line_amount", f"is not quantity x unit_amount ({expected})")]
    return []


def _address(required: bool) -> tuple[Column, ...]:
    first = Column(ADDRESS_LINES[0], required=required)
    return (first, *(Column(name) for name in ADDRESS_LINES[1:]),
            Column("postcode", "postcode", required=required))


def _ref(name: str, pattern: str = CODE, required: bool = True) -> Column:
    return Column(name, required=required, max_length=40, pattern=pattern)


PEOPLE = Format("people", (
    _ref("reference", PERSON_REFERENCE),
    Column("team", required=True, max_length=100),
    Column("caseworker", max_length=80),
    Column("title", max_length=20),
    Column("given_names", max_length=120),
    Column("family_name", required=True, max_length=120),
    Column("name"),  # as letters print it; built from title and names when empty
    Column("date_of_birth", "date"),
    Column("nhs_number", "nhs_number"),
    *_address(required=True),
    Column("contact_preference", choices=("post", "email", "phone"), default="post"),
    Column("email", "email"),
    Column("phone", "phone"),
    Column("accessible_format", choices=("large_print", "braille", "easy_read", "audio")),
    Column("language", max_length=40),
    Column("deceased", "bool", default=False),
    Column("date_of_death", "date"),
    Column("in_care_home", "bool", default=False),
    Column("owns_property", "bool", default=False),
    Column("property_disregarded", "bool", default=False),
), key=("reference",), rules=(_name, _death, _not_before("date_of_death", "date_of_birth"),
                              _contact, _disregard))

REPRESENTATIVES = Format("representatives", (
    _ref("person_reference", PERSON_REFERENCE),
    Column("type", required=True, choices=tuple(sorted(REPRESENTATIVE_TYPES))),
    Column("name", required=True),
    Column("scope", required=True, choices=tuple(sorted(SCOPES))),
    *_address(required=True),
    Column("contact_preference", choices=("post", "email", "phone"), default="post"),
    Column("email", "email"),
    Column("phone", "phone"),
    Column("accessible_format", choices=("large_print", "braille", "easy_read", "audio")),
    Column("language", max_length=40),
    Column("evidence"),  # OPG reference, court order number, DWP letter date
    Column("verified_by", max_length=100),
    Column("verified_on", "date"),
    Column("start_date", "date"),
    Column("end_date", "date"),
), key=("person_reference", "type", "name"), rules=(_not_before("end_date", "start_date"),
                                                     _contact))

CARE_PACKAGES = Format("care_packages", (
    _ref("reference"),
    _ref("person_reference", PERSON_REFERENCE),
    _ref("provider_reference"),
    Column("provider_name", required=True),
    Column("provider_cqc_id", max_length=20, pattern=CODE),
    Column("service", required=True, max_length=100),
    Column("weekly_cost", "money", required=True),
    _ref("purchase_order"),
    Column("start_date", "date", required=True),
    Column("end_date", "date"),
), key=("reference",), rules=(_not_before("end_date", "start_date"),))

# One row per invoice line; the invoice's own columns repeat on each of its rows.
INVOICE_COLUMNS = ("invoice_number", "account_number", "person_reference", "invoice_date",
                   "due_date", "period_start", "period_end")
INVOICES = Format("invoices", (
    _ref("invoice_number"),
    _ref("account_number"),
    _ref("person_reference", PERSON_REFERENCE),
    Column("invoice_date", "date", required=True),
    Column("due_date", "date", required=True),
    Column("period_start", "date"),
    Column("period_end", "date"),
    Column("line_description", required=True),
    Column("quantity", "quantity", default=Decimal("1.00"), positive=True),
    Column("unit_amount", "money", required=True),
    Column("line_amount", "money"),  # checked against quantity x unit_amount when given
), key=("invoice_number",), rules=(_not_before("due_date", "invoice_date"),
                                   _not_before("period_end", "period_start"), _line_amount))

# A bank file: the account number is whatever the payer wrote, so it is free text, and a
# payment without a recognisable one is held in suspense rather than refused.
PAYMENTS = Format("payments", (
    Column("bank_reference", required=True, max_length=60),
    Column("payment_date", "date", required=True),
    Column("amount", "money", required=True, positive=True),
    Column("account_number", max_length=40, default=""),
    Column("method", choices=("bank", "card", "cheque", "direct_debit", "standing_order",
                              "cash"), default="bank"),
), key=("bank_reference", "payment_date", "amount", "account_number"))

# A direct payment already running when the council moved to this service (issue 21): its dates
# start the monitoring timers, so they are the real ones, never the import day.
DIRECT_PAYMENTS = Format("direct_payments", (
    _ref("person_reference", PERSON_REFERENCE),
    Column("variant", required=True, choices=("standard", "nominated_authorised", "carer")),
    Column("amount", "money", required=True, positive=True),
    Column("frequency", required=True, choices=("weekly", "four_weekly", "monthly")),
    Column("client_contribution", "money", default=Decimal("0.00")),
    Column("gross_or_net", choices=("gross", "net"), default="net"),
    Column("account_type", required=True, choices=("card", "managed", "bank")),
    _ref("card_id", required=False),
    Column("contingency_weeks", "weeks"),  # empty: the dp_contingency_weeks setting
    Column("first_payment_date", "date", required=True),
    Column("last_review_date", "date"),
    Column("audit_requested_on", "date"),
    Column("audit_reason"),
    Column("caseworker", max_length=80),
), key=("person_reference",), rules=(
    dp.card_account, dp.audit_in_progress, _not_before("last_review_date", "first_payment_date"),
    _not_before("audit_requested_on", "first_payment_date")))

# The prepaid-card provider's files: statement lines, and balances on a day.
CARD_TRANSACTIONS = Format("card_transactions", (
    Column("provider_reference", required=True, max_length=60, pattern=CODE),
    _ref("card_id"),
    Column("posted_on", "date", required=True),
    Column("kind", required=True, choices=(*dp.MONEY_IN, *dp.MONEY_OUT)),
    Column("amount", "signed_money", required=True),
    Column("payee", default=""),
    Column("category", max_length=60, default=""),
), key=("card_id", "provider_reference"), rules=(dp.signed_by_kind,))

CARD_BALANCES = Format("card_balances", (
    _ref("card_id"),
    Column("as_of", "date", required=True),
    Column("balance", "money", required=True),
    Column("commitments", "money", default=Decimal("0.00")),
), key=("card_id", "as_of"))

# The payments the council's finance system made to direct payments (this service does not pay):
# one row a payment, naming its direct payment by the person or the card.
DIRECT_PAYMENT_PAYMENTS = Format("direct_payment_payments", (
    _ref("person_reference", PERSON_REFERENCE, required=False),
    _ref("card_id", required=False),
    Column("paid_on", "date", required=True),
    Column("amount", "paid_money", required=True, positive=True),
    Column("reference", required=True, max_length=60, pattern=CODE),
), key=("person_reference", "card_id", "paid_on", "reference"), rules=(dp.names_direct_payment,))

FORMATS: dict[str, Format] = {f.kind: f for f in (
    PEOPLE, REPRESENTATIVES, CARE_PACKAGES, INVOICES, PAYMENTS, DIRECT_PAYMENTS, CARD_TRANSACTIONS,
    CARD_BALANCES, DIRECT_PAYMENT_PAYMENTS)}
