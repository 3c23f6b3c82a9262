"""Demo data for `make run`: one user per role, a few people, running direct-payment chases.

Idempotent: running it again adds nothing that is already there.
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import NotRequired, TypedDict

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Account, Invoice, Person, ProcessInstance, User
from app.services import settings
from app.services.processes import instances
from app.services.records import people
from app.services.staff import users

DEMO_PASSWORD = "demo-password"  # demo data only; never used outside `make run`
DEMO_USERS = [
    ("alex", "Alex Assistant", ["finance_assistant"]),
    ("olu", "Olu Officer", ["finance_officer"]),
    ("mina", "Mina Manager", ["finance_manager"]),
    ("sam", "Sam Social-Worker", ["caseworker"]),
    ("carla", "Carla Care-Manager", ["care_manager"]),
    ("lee", "Lee Legal", ["legal"]),
    ("ada", "Ada Admin", ["admin"]),
]


class DemoAddress(TypedDict):
    lines: list[str]
    postcode: str


class DemoRepresentative(TypedDict):
    name: str
    type: str
    scope: str
    address: DemoAddress
    phone: NotRequired[str]
    contact_preference: NotRequired[str]


class DemoDirectPayment(TypedDict):
    variant: str
    amount: str
    frequency: str
    client_contribution: str


class DemoPerson(TypedDict):
    """A person as people.create_person takes one, plus whether their pack has come back."""
    reference: str
    name: str
    team: str
    caseworker: str
    address: DemoAddress
    representative: DemoRepresentative | None
    direct_payment: DemoDirectPayment
    returned: NotRequired[bool]
    monitored: NotRequired[bool]
    phone: NotRequired[str]
    email: NotRequired[str]
    contact_preference: NotRequired[str]
    accessible_format: NotRequired[str]
    language: NotRequired[str]


DEMO_PEOPLE: list[DemoPerson] = [
    {"reference": "100234", "name": "Margaret Ellis", "team": "Finance North", "caseworker": "sam",
     "address": {"lines": ["14 Orchard Close", "Tadley"], "postcode": "RG26 4AB"},
     "phone": "01632 960 418", "contact_preference": "phone", "accessible_format": "large_print",
     "representative": None,
     "direct_payment": {"variant": "standard", "amount": "350.00", "frequency": "weekly",
                        "client_contribution": "85.00"}},
    {"reference": "100871", "name": "Arthur Penrose", "team": "Finance North", "caseworker": "sam",
     "address": {"lines": ["Flat 2, 9 Mill Lane", "Basingstoke"], "postcode": "RG21 7QT"},
     "representative": {"name": "Jennifer Penrose", "type": "deputy",
                        "scope": "property_and_finance", "phone": "0118 496 0732",
                        "contact_preference": "phone",
                        "address": {"lines": ["3 Station Road", "Reading"],
                                    "postcode": "RG1 1AA"}},
     "direct_payment": {"variant": "nominated_authorised", "amount": "420.00",
                        "frequency": "four_weekly", "client_contribution": "0.00"},
     "returned": True},
    {"reference": "102310", "name": "Doris Whitfield", "team": "Finance North",
     "caseworker": "sam", "address": {"lines": ["22 Kingsclere Road", "Overton"],
                                      "postcode": "RG25 3JB"},
     "representative": None,
     "direct_payment": {"variant": "standard", "amount": "350.00", "frequency": "weekly",
                        "client_contribution": "0.00"},
     "monitored": True},
    {"reference": "101502", "name": "Priya Shah & Sons Ltd Trustee", "team": "Finance North",
     "caseworker": "sam", "address": {"lines": ["7 Elm Row", "Andover"], "postcode": "SP10 1HH"},
     "email": "accounts@example.org", "contact_preference": "email", "language": "Gujarati",
     "representative": None,
     "direct_payment": {"variant": "carer", "amount": "95.50", "frequency": "monthly",
                        "client_contribution": "0.00"}},
]


def seed() -> list[str]:
    lines = []
    for username, full_name, roles in DEMO_USERS:
        if db.session.scalar(select(User.id).where(User.username == username)) is None:
            users.add_user(username, DEMO_PASSWORD, roles, "Finance North", full_name)
        lines.append(f"  {username:<6} {', '.join(roles):<18} password: {DEMO_PASSWORD}")
    alex = db.session.scalar(select(User).where(User.username == "alex"))
    for person in DEMO_PEOPLE:
        row = db.session.scalar(select(Person).where(Person.reference == person["reference"]))
        if row is None:
            row = people.create_person(person, alex)
        running = db.session.scalar(select(ProcessInstance.id).where(
            ProcessInstance.person_id == row.id))
        if running is None and person.get("monitored"):
            _seed_monitored(row, alex)
        elif running is None:
            chase = instances.start_instance("direct_payment_agreement", person["reference"], {},
                                             alex)
            if person.get("returned"):
                # So the inbox has work on day one: this pack has come back signed.
                instances.deliver_message(chase.id, "paperwork_received", {"channel": "post"},
                                          alex)
    _seed_debts()
    # Demo data only: the Pre-Action Protocol enclosures hold placeholder text, not the official
    # Annex wording, so a real council's Letter of Claim would be refused until it is added.
    if not settings.get("allow_placeholder_enclosures"):
        settings.put("allow_placeholder_enclosures", True, None)
        db.session.commit()
    return ["Demo users (team Finance North):", *lines,
            f"Demo people: {', '.join(p['reference'] for p in DEMO_PEOPLE)}",
            "Demo debts: overdue contributions for 100234 and 100871; the scheduler's daily "
            "job opens their debt cases and sends what is due.",
            "Demo direct payment: 102310 is being monitored, with a card surplus under audit."]


# (person, account, invoice, days before today it was dated, amount): one debt well into the
# ladder, one just overdue, so the debt pages and the inbox have something on day one.
DEMO_INVOICES = [
    ("100234", "AC100234", "INV-D1001", 50, "412.50"),
    ("100234", "AC100234", "INV-D1002", 22, "340.00"),
    ("100871", "AC100871", "INV-D2001", 30, "238.00"),
]


def _seed_monitored(person: Person, actor: User | None) -> None:
    """A direct payment paid for almost six months: its first review is close, and the card
    provider's balance shows a surplus, so the returns report and an audit have something."""
    from app.models import AuditReason, CardBalance
    from app.services.direct_payments import card_sweep, monitoring
    from app.services.records.people import current_agreement

    agreement = current_agreement(person)
    assert agreement is not None
    agreement.card_id = f"CARD-{person.reference}"
    today = clock.today()
    monitoring.start_monitoring(agreement, today - timedelta(days=170), actor)
    db.session.add(CardBalance(agreement_id=agreement.id, as_of=today,
                               balance=Decimal("4150.00"), commitments=Decimal("0.00"),
                               imported_at=clock.now()))
    db.session.flush()
    found = card_sweep.sweep(agreement, today)
    if found is not None and found.findings:
        audit = monitoring.open_audit(agreement, AuditReason.SWEEP, actor, findings=found.findings)
        audit.balance, audit.commitments = found.balance, found.commitments
        audit.contingency, audit.surplus = found.contingency, found.surplus
    db.session.commit()


def _seed_debts() -> None:
    today = clock.today()
    due_days = settings.integer("debt_invoice_due_days")
    for reference, number, invoice_no, age, amount in DEMO_INVOICES:
        # Each demo invoice belongs to a demo person, seeded just before.
        person = db.session.scalars(select(Person).where(Person.reference == reference)).one()
        account = db.session.scalar(select(Account).where(Account.number == number))
        if account is None:
            account = Account(number=number, person_id=person.id)
            db.session.add(account)
            db.session.flush()
        if db.session.scalar(select(Invoice.id).where(Invoice.number == invoice_no)) is None:
            dated = today - timedelta(days=age)
            db.session.add(Invoice(number=invoice_no, account_id=account.id, invoice_date=dated,
                                   due_date=dated + timedelta(days=due_days),
                                   total=Decimal(amount)))
    db.session.commit()
