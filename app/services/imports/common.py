"""What every importer shares: the result counts, bulk look-ups, the stop-before-writing check
and the audit event each created or changed record writes."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from sqlalchemy import select

from app.errors import ValidationFailed
from app.extensions import db
from app.imports.formats import Row, problem
from app.models import Person, User
from app.roles import Role
from app.services import audit

# Keys per IN (...) query: well under SQLite's and PostgreSQL's bound-parameter limits, and one
# query per chunk instead of one per row.
CHUNK = 500


@dataclass
class ImportResult:
    kind: str
    rows: int = 0  # data rows in the file (for invoices, lines)
    added: int = 0  # records created: people, representatives, packages, invoices, payments
    updated: int = 0  # records that existed and changed
    unchanged: int = 0  # rows matching a record exactly, or repeating an earlier row
    suspense: int = 0  # new payments held in suspense (no account with their number)
    related: dict[str, int] = field(default_factory=dict)  # providers or accounts made alongside


def fail_if(errors: list[dict[str, Any]]) -> None:
    """Stop before the first write when any row has a problem; report them all, in file order
    (a stable sort: within a row they stay in the order of its columns)."""
    if errors:
        errors.sort(key=lambda e: e["line"])
        raise ValidationFailed(f"the file has {len(errors)} problem(s); nothing was imported",
                               errors)


def firsts(groups: list[list[Row]], result: ImportResult) -> list[Row]:
    """One row per natural key; exact repeats within the file count as unchanged."""
    result.unchanged += sum(len(group) - 1 for group in groups)
    return [group[0] for group in groups]


def load_by(model: type, column: Any, keys: Iterable[Any], many: bool = False,
            options: tuple = ()) -> Any:
    """Rows of `model` whose `column` is one of `keys`: a dict by that value, or with `many`
    a list (when the column is not unique). `options` are loader options (selectinload...)."""
    keys = sorted(set(keys))
    found: list = []
    for start in range(0, len(keys), CHUNK):
        found.extend(db.session.scalars(select(model).options(*options).where(
            column.in_(keys[start:start + CHUNK]))))
    return found if many else {getattr(obj, column.key): obj for obj in found}


def people_for(rows: list[Row], errors: list[dict[str, Any]],
               column: str = "person_reference") -> dict[str, Person]:
    """The people the rows name; a row naming nobody we hold is an error."""
    people = load_by(Person, Person.reference, [r.values[column] for r in rows])
    errors.extend(problem(row.line, column, f"no person with reference '{row.values[column]}'; "
                                            "import people first")
                  for row in rows if row.values[column] not in people)
    return people


def caseworkers_for(rows: list[Row], errors: list[dict[str, Any]],
                    column: str = "caseworker") -> dict[str, User]:
    """The active caseworkers the rows name, by username; naming anyone else is an error."""
    names = {r.values[column] for r in rows if r.values.get(column)}
    users = {name: user for name, user in load_by(User, User.username, names).items()
             if user.active and user.has_role(Role.CASEWORKER)}
    errors.extend(problem(row.line, column, f"no active caseworker with username "
                                            f"'{row.values[column]}'")
                  for row in rows if row.values.get(column) not in (None, *users))
    return users


def apply_changes(obj: Any, fields: dict[str, Any], changed: list[str]) -> None:
    for name in changed:
        setattr(obj, name, fields[name])


def add_or_update(held: Any, fields: dict[str, Any], make: Callable[[], Any]
                  ) -> tuple[Any, list[str] | None]:
    """A row's record and what changed, as `record` counts it: a new one from `make` (None),
    else the held one with the differing `fields` set (their names; [] when none differ)."""
    if held is None:
        made = make()
        db.session.add(made)
        db.session.flush()  # its id, for the audit event
        return made, None
    changed = sorted(name for name, value in fields.items() if getattr(held, name) != value)
    apply_changes(held, fields, changed)
    return held, changed


def record(result: ImportResult, action: str, actor: User | None, changed: list[str] | None,
           person_id: int | None, summary: dict[str, Any]) -> None:
    """Count a row and audit it: `changed` None means added, [] unchanged, else the fields.

    Summaries carry ids and field names only, never the values (they are personal data).
    """
    if changed == []:
        result.unchanged += 1
        return
    if changed is None:
        result.added += 1
        summary = {**summary, "change": "added"}
    else:
        result.updated += 1
        summary = {**summary, "change": "updated", "fields": changed}
    audit.record(action, actor=actor, person_id=person_id, summary={"kind": result.kind,
                                                                    **summary})
