"""Imports from the finance and social-care systems: one file, one transaction.

A file is checked whole before anything is written: every cell (app/imports/formats.py), then
rows against each other and against the database. A file with one bad row imports nothing and
the answer lists every problem by line and column. Rows match existing records on their natural
keys, so re-importing a file, or a longer re-export of it, adds only what is new. The people,
representative and care-package importers live here; invoices and payments in money.py.
"""
from __future__ import annotations

from dataclasses import asdict
from functools import partial
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.errors import Conflict, NotFound
from app.extensions import db
from app.imports import formats
from app.imports.formats import ADDRESS_LINES, Parsed
from app.models import (
    AuditEvent,
    CarePackage,
    Payment,
    Person,
    PersonAddress,
    Provider,
    Representative,
    User,
)
from app.services import audit
from app.services.imports import cards, direct_payments, dp_payments, money
from app.services.imports.common import (
    ImportResult,
    add_or_update,
    apply_changes,
    caseworkers_for,
    fail_if,
    firsts,
    load_by,
    people_for,
    problem,
    record,
)
from app.services.records.people import index_name, postcode_key
from app.services.staff.users import team_named
from app.services.transaction import use_case

PERSON_FIELDS = ("title", "given_names", "family_name", "date_of_birth", "nhs_number",
                 "contact_preference", "email", "phone", "accessible_format", "language",
                 "deceased", "date_of_death", "in_care_home", "owns_property",
                 "property_disregarded")
REPRESENTATIVE_FIELDS = ("scope", "contact_preference", "email", "phone", "accessible_format",
                         "language", "evidence", "verified_by", "verified_on", "start_date",
                         "end_date")
PACKAGE_FIELDS = ("service", "weekly_cost", "purchase_order", "start_date", "end_date")


@use_case
def import_file(kind: str, text: str, actor: User | None) -> ImportResult:
    """Check and import one CSV file of `kind`; all of it, or (ValidationFailed) none of it."""
    importer = IMPORTERS.get(kind)
    if importer is None:
        raise NotFound(f"no import of kind '{kind}'; kinds: {', '.join(IMPORTERS)}")
    parsed = formats.parse(kind, text)
    if any(error["line"] == 1 for error in parsed.errors):
        # A header without a column the importer matches rows by: nothing below it can be read.
        fail_if(parsed.errors)
    result = ImportResult(kind, rows=parsed.count)
    try:
        importer(parsed, actor, result)
        audit.record("import_completed", actor=actor, summary=asdict(result))
        db.session.flush()
    except IntegrityError as exc:
        # Only a concurrent import of the same rows gets here: everything else was checked.
        raise Conflict("another import added some of these rows at the same time; import the "
                       "file again") from exc
    return result


def importer_named(username: str) -> User:
    """The user the CLI records an import against (`--user`)."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user '{username}'")
    return user


def suspense_payments(page: int = 1, per_page: int = 25) -> tuple[list[Payment], int]:
    """Payments that matched no account, oldest first, a page at a time."""
    held = select(Payment).where(Payment.in_suspense.is_(True))
    total = db.session.scalar(select(func.count()).select_from(held.subquery())) or 0
    items = db.session.scalars(held.order_by(Payment.paid_on, Payment.id)
                               .offset((page - 1) * per_page).limit(per_page)).all()
    return list(items), total


# --- people ---------------------------------------------------------------------------------------
def _import_people(parsed: Parsed, actor: User | None, result: ImportResult) -> None:
    groups, errors = formats.group_rows(parsed.rows, formats.PEOPLE.key)
    rows = firsts(groups, result)
    errors = parsed.errors + errors
    existing = load_by(Person, Person.reference, [r.values["reference"] for r in rows])
    caseworkers = caseworkers_for(rows, errors)
    fail_if(errors)
    teams: dict[str, int] = {}
    added = []
    for row in rows:
        fields = _person_fields(row.values, caseworkers, teams)
        person = existing.get(row.values["reference"])
        if person is None:
            added.append(Person(reference=row.values["reference"], **fields))
            continue
        changed = _update_person(person, fields)
        record(result, "imported_person", actor, changed, person_id=person.id,
               summary={"person_id": person.id})
    db.session.add_all(added)
    db.session.flush()  # one flush for the ids of every new person
    for person in added:
        index_name(person)
        record(result, "imported_person", actor, None, person_id=person.id,
               summary={"person_id": person.id})


def _person_fields(values: dict[str, Any], caseworkers: dict[str, User],
                   teams: dict[str, int]) -> dict[str, Any]:
    fields = {name: values[name] for name in PERSON_FIELDS if name in values}
    fields["name"] = formats.full_name(values)
    if values["team"] not in teams:
        teams[values["team"]] = team_named(values["team"]).id
    fields["team_id"] = teams[values["team"]]
    if "caseworker" in values:
        user = caseworkers.get(values["caseworker"] or "")
        fields["caseworker_id"] = user.id if user else None
    fields.update(_address(values))
    fields["postcode_key"] = postcode_key(fields["postcode"])
    return fields


def _address(values: dict[str, Any]) -> dict[str, Any]:
    # The address is replaced whole: a line the file leaves out is a line the address lacks.
    return {"address_lines": [values[n] for n in ADDRESS_LINES if values.get(n)],
            "postcode": values["postcode"]}


def _update_person(person: Person, fields: dict[str, Any]) -> list[str]:
    changed = sorted(name for name, value in fields.items() if getattr(person, name) != value)
    if {"address_lines", "postcode"} & set(changed):
        _keep_old_address(person)
    apply_changes(person, fields, changed)
    if "name" in changed:
        index_name(person)
    return changed


def _keep_old_address(person: Person) -> None:
    """Move the current address into the history, valid until today."""
    today = clock.today()
    since = (db.session.scalar(select(func.max(PersonAddress.valid_to))
                               .where(PersonAddress.person_id == person.id))
             or _first_recorded(person) or today)
    db.session.add(PersonAddress(person_id=person.id, address_lines=list(person.address_lines),
                                 postcode=person.postcode, valid_from=min(since, today),
                                 valid_to=today))


def _first_recorded(person: Person):
    """The London date of the person's first audit event: the best start date we know for an
    address that has been theirs since they were recorded."""
    first = db.session.scalar(select(AuditEvent.at).where(AuditEvent.person_id == person.id)
                              .order_by(AuditEvent.at).limit(1))
    return first.astimezone(clock.LONDON).date() if first else None


# --- representatives ------------------------------------------------------------------------------
def _import_representatives(parsed: Parsed, actor: User | None, result: ImportResult) -> None:
    groups, errors = formats.group_rows(parsed.rows, formats.REPRESENTATIVES.key)
    rows = firsts(groups, result)
    errors = parsed.errors + errors
    persons = people_for(rows, errors)
    fail_if(errors)
    ids = [p.id for p in persons.values()]
    existing = {(r.person_id, r.type, r.name): r
                for r in load_by(Representative, Representative.person_id, ids, many=True)}
    for row in rows:
        values = row.values
        person = persons[values["person_reference"]]
        fields = {name: values[name] for name in REPRESENTATIVE_FIELDS if name in values}
        fields.update(_address(values))
        rep, changed = add_or_update(
            existing.get((person.id, values["type"], values["name"])), fields,
            partial(Representative, person_id=person.id, type=values["type"],
                    name=values["name"], **fields))
        record(result, "imported_representative", actor, changed, person_id=person.id,
               summary={"person_id": person.id, "representative_id": rep.id})


# --- care packages and providers ------------------------------------------------------------------
def _import_care_packages(parsed: Parsed, actor: User | None, result: ImportResult) -> None:
    groups, errors = formats.group_rows(parsed.rows, formats.CARE_PACKAGES.key)
    rows = firsts(groups, result)
    _, provider_errors = formats.group_rows(rows, ("provider_reference",),
                                            same=("provider_name", "provider_cqc_id"))
    errors = parsed.errors + errors + provider_errors
    persons = people_for(rows, errors)
    existing = load_by(CarePackage, CarePackage.reference, [r.values["reference"] for r in rows])
    for row in rows:
        package, person = existing.get(row.values["reference"]), persons.get(
            row.values["person_reference"])
        if package and person and package.person_id != person.id:
            errors.append(problem(row.line, "person_reference", (
                f"care package {package.reference} belongs to another person")))
    fail_if(errors)
    providers = _providers(rows, actor, result)
    for row in rows:
        values = row.values
        fields = {name: values[name] for name in PACKAGE_FIELDS if name in values}
        fields["provider_id"] = providers[values["provider_reference"]].id
        person_id = persons[values["person_reference"]].id
        package, changed = add_or_update(
            existing.get(values["reference"]), fields,
            partial(CarePackage, reference=values["reference"], person_id=person_id, **fields))
        record(result, "imported_care_package", actor, changed, person_id=person_id,
               summary={"care_package_id": package.id, "person_id": person_id})


def _providers(rows: list[formats.Row], actor: User | None,
               result: ImportResult) -> dict[str, Provider]:
    """The file's providers by reference: new ones created, renamed ones updated."""
    wanted = {r.values["provider_reference"]: r.values for r in rows}
    providers = load_by(Provider, Provider.reference, wanted)
    for reference, values in wanted.items():
        fields = {"name": values["provider_name"]}
        if "provider_cqc_id" in values:
            fields["cqc_id"] = values["provider_cqc_id"]
        provider = providers.get(reference)
        if provider is None:
            provider = providers[reference] = Provider(reference=reference, **fields)
            db.session.add(provider)
            db.session.flush()
            result.related["providers_added"] = result.related.get("providers_added", 0) + 1
            audit.record("imported_provider", actor=actor, summary={
                "kind": result.kind, "change": "added", "provider_id": provider.id})
            continue
        changed = sorted(n for n, value in fields.items() if getattr(provider, n) != value)
        if changed:
            apply_changes(provider, fields, changed)
            audit.record("imported_provider", actor=actor, summary={
                "kind": result.kind, "change": "updated", "provider_id": provider.id,
                "fields": changed})
    return providers


IMPORTERS = {
    "people": _import_people,
    "representatives": _import_representatives,
    "care_packages": _import_care_packages,
    "invoices": money.import_invoices,
    "payments": money.import_payments,
    "direct_payments": direct_payments.import_direct_payments,
    "card_transactions": cards.import_card_transactions,
    "card_balances": cards.import_card_balances,
    "direct_payment_payments": dp_payments.import_direct_payment_payments,
}

__all__ = ["IMPORTERS", "ImportResult", "import_file", "importer_named", "suspense_payments"]
