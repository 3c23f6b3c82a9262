"""Demo data for `make run`: one user per role, a few people, running direct-payment chases.

Idempotent: running it again adds nothing that is already there.
"""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Person, ProcessInstance, User
from app.services import instances, people, users

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
DEMO_PEOPLE = [
    {"reference": "100234", "name": "Margaret Ellis", "team": "Finance North", "caseworker": "sam",
     "address": {"lines": ["14 Orchard Close", "Tadley"], "postcode": "RG26 4AB"},
     "representative": None,
     "direct_payment": {"variant": "standard", "amount": "350.00", "frequency": "weekly",
                        "client_contribution": "85.00"}},
    {"reference": "100871", "name": "Arthur Penrose", "team": "Finance North", "caseworker": "sam",
     "address": {"lines": ["Flat 2, 9 Mill Lane", "Basingstoke"], "postcode": "RG21 7QT"},
     "representative": {"name": "Jennifer Penrose", "type": "deputy",
                        "scope": "property_and_finance",
                        "address": {"lines": ["3 Station Road", "Reading"],
                                    "postcode": "RG1 1AA"}},
     "direct_payment": {"variant": "nominated_authorised", "amount": "420.00",
                        "frequency": "four_weekly", "client_contribution": "0.00"},
     "returned": True},
    {"reference": "101502", "name": "Priya Shah & Sons Ltd Trustee", "team": "Finance North",
     "caseworker": "sam", "address": {"lines": ["7 Elm Row", "Andover"], "postcode": "SP10 1HH"},
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
        if running is None:
            chase = instances.start_instance("direct_payment_agreement", person["reference"], {},
                                             alex)
            if person.get("returned"):
                # So the inbox has work on day one: this pack has come back signed.
                instances.deliver_message(chase.id, "paperwork_received", {"channel": "post"},
                                          alex)
    return ["Demo users (team Finance North):", *lines,
            f"Demo people: {', '.join(p['reference'] for p in DEMO_PEOPLE)}"]
