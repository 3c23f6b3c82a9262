"""Shared set-up for the debt-ladder workflow tests: people, accounts, invoices and sweeps."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from docx import Document
from sqlalchemy import select

from app.extensions import db
from app.models import Account, DebtCase, HumanTask, Invoice, Letter, TaskStatus, User
from app.services.correspondence import letter_worker
from app.services.debts import daily_jobs
from app.services.imports import import_files
from app.services.processes import instances
from app.services.records import people
from tests.conftest import set_clock

LONDON = ZoneInfo("Europe/London")


def at(day: str, time: str = "07:30") -> datetime:
    """A London wall-clock time, as an aware UTC instant."""
    local = datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=LONDON)
    return local.astimezone(timezone.utc)


def sweep(day: str, time: str = "07:30"):
    """What the scheduler does on `day`: the daily jobs, then every due timer; and its letter
    worker makes the letters they recorded."""
    set_clock(at(day, time))
    outcome = daily_jobs.run_due()
    letter_worker.render_all_pending()
    return outcome


def person_account(reference: str = "P1001", name: str = "Alice Example",
                   representative: dict | None = None, team: str = "North") -> Account:
    person = people.create_person({
        "reference": reference, "name": name, "team": team, "caseworker": None,
        "address": {"lines": ["1 High Street", "Example Town"], "postcode": "EX1 2AB"},
        "representative": representative}, None)
    account = Account(number=f"AC-{reference}", person_id=person.id)
    db.session.add(account)
    db.session.commit()
    return account


def add_invoice(account: Account, number: str, invoice_date: date, total: str,
                due_days: int = 21) -> Invoice:
    row = Invoice(number=number, account_id=account.id, invoice_date=invoice_date,
                  due_date=invoice_date + timedelta(days=due_days), total=Decimal(total))
    db.session.add(row)
    db.session.commit()
    return row


def pay(account: Account, amount: str, on: str, reference: str = "PAY") -> None:
    csv = ("bank_reference,payment_date,amount,account_number\n"
           f"{reference}-{on},{on},{amount},{account.number}\n")
    import_files.import_file("payments", csv, None)


def debt_of(account: Account) -> DebtCase | None:
    return db.session.scalar(select(DebtCase).where(DebtCase.account_id == account.id)
                             .order_by(DebtCase.id.desc()))


def letters(person_id: int) -> list[tuple[str, date]]:
    rows = db.session.scalars(select(Letter).where(Letter.person_id == person_id)
                              .order_by(Letter.id))
    return [(r.template, r.letter_date) for r in rows]


def letter_text(person_id: int, template: str) -> str:
    letter_worker.render_all_pending()  # a letter recorded outside a sweep is made on demand
    row = db.session.scalar(select(Letter).where(Letter.person_id == person_id,
                                                 Letter.template == template)
                            .order_by(Letter.id.desc()))
    doc = Document(io.BytesIO(row.content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts.extend(cell.text for r in table.rows for cell in r.cells)
    return "\n".join(parts)


def open_tasks(debt: DebtCase) -> dict[str, HumanTask]:
    instance = instances.get_instance(debt.instance_id)
    return {t.name: t for t in instances.open_tasks(instance)}


def user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def complete(task: HumanTask, username: str, **data):
    from app.services.inbox import task_actions

    return task_actions.complete(task.id, data, user(username))


def task_status(task_id: int) -> str:
    return db.session.get(HumanTask, task_id).status


__all__ = ["TaskStatus"]
