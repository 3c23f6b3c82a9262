"""What an officer must see to approve a Letter of Claim (issue 18, part 3), and afterwards
whether it went to the print batch or is held, and why.

The approval task is found by its process key and element id from the legal contract; the
letter is the one prepared in that task's process (the Letter row the step made, rendered at
once because it waits for approval), so the page shows exactly the document that will be posted.
Holds are decided as the posting step decides them (app/services/legal/letter_of_claim.py:
the recovery guards on a letter about capital or property, then the Care Act s69(2) test).
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph
from sqlalchemy import select

from app import clock
from app.domain import guards
from app.engine.contract import Kind, ProcessContract
from app.letters.formatting import format_date
from app.extensions import db
from app.letters import (
    RepresentationNeeded,
    choose_recipient,
    placeholder_enclosures,
    template_info,
)
from app.models import (
    DebtCase,
    HumanTask,
    InstanceStatus,
    Invoice,
    Letter,
    LetterOfClaim,
    LetterOfClaimStatus,
    LetterStatus,
    Person,
    ProcessInstance,
    TaskStatus,
)
from app.services.correspondence.letters import person_facts
from app.services.debts import recovery_guards
from app.services.debts.cases import active_breathing_space
from app.services.legal.deferred_payment_test import dpa_block
from app.services.legal.legal_contract import LEGAL, LEGAL_KEY
from app.services.legal.letter_of_claim import ENCLOSURES


def _contract_user_task(contract: ProcessContract, element_id: str) -> str:
    """The id of a user task the contract names; fails at import if the contract drops it."""
    if not any(e.id == element_id and e.kind == Kind.USER_TASK for e in contract.elements):
        raise LookupError(f"{contract.key} has no user task {element_id}")
    return element_id


APPROVE_LETTER_OF_CLAIM = _contract_user_task(LEGAL, "approve_letter_of_claim")
# (process key, task name) -> the letter template the task approves.
LETTER_APPROVALS = {(LEGAL_KEY, APPROVE_LETTER_OF_CLAIM): "letter_of_claim"}

# How each recorded hold reads after "This letter will not be sent while ...".
HOLD_WORDS = {
    "breathing_space": "a Breathing Space is in force",
    "deceased": "the person has died: recovery goes to their estate",
    "instalment_plan": "an instalment plan is in force (kept, or within the grace days of a "
                       "missed instalment)",
    "deferred_payment": "the person could still enter a deferred payment agreement: an offer "
                        "must be made and answered first (Care Act 2014 s69(2))",
}
ROLE_WORDS = {"deputy": "deputy", "attorney": "attorney",
              "personal_representative": "personal representative",
              "litigation_friend": "litigation friend", "appointee": "appointee"}
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


@dataclass(frozen=True)
class RecipientView:
    name: str
    acting_as: str | None  # "deputy for Alice Example"; None when written to the person
    address_lines: tuple[str, ...]


@dataclass(frozen=True)
class InvoiceLine:
    number: str
    invoice_date: date
    total: Decimal
    outstanding: Decimal


@dataclass(frozen=True)
class Enclosure:
    title: str
    placeholder: bool


@dataclass(frozen=True)
class TextBlock:
    """A paragraph (`text`) or a table (`rows`) of the letter, in the letter's order."""
    kind: str  # "paragraph" | "table"
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Outcome:
    state: str  # "sent" | "held" | "not_approved" | "not_sent"
    message: str
    sent_on: date | None = None
    reasons: tuple[str, ...] = ()
    notes: str | None = None


@dataclass(frozen=True)
class LetterApproval:
    task_id: int
    is_open: bool
    letter_name: str
    letter_date: date | None
    recipient: RecipientView | None
    recipient_problem: str | None
    amount: Decimal | None
    invoices: tuple[InvoiceLine, ...]
    enclosures: tuple[Enclosure, ...]
    placeholder_warning: str | None
    text: tuple[TextBlock, ...]
    holds: tuple[str, ...]  # what would stop it being posted now, in words
    hold_warning: str | None
    decision_field: str | None  # the form's yes/no field (approve = yes)
    reason_field: str | None  # the form's note field, asked for when not approving
    outcome: Outcome | None  # for a completed task


def is_letter_approval(task: HumanTask) -> bool:
    return (task.process_key, task.name) in LETTER_APPROVALS


def approval_of(task: HumanTask) -> LetterApproval | None:
    """What the approver sees on `task`, or None when it approves no letter."""
    if not is_letter_approval(task) or task.instance_id is None:
        return None
    template = LETTER_APPROVALS[(task.process_key, task.name)]
    loc = _letter_of_claim(task.instance_id)
    letter = db.session.get(Letter, loc.letter_id) if loc and loc.letter_id else None
    debt = db.session.get(DebtCase, loc.debt_case_id) if loc else None
    person = db.session.get_one(Person, task.person_id)
    recipient, problem = _recipient(person)
    is_open = task.status == TaskStatus.OPEN
    holds = _holds_now(debt, task.instance_id) if debt is not None and is_open else ()
    return LetterApproval(
        task_id=task.id, is_open=is_open, letter_name=template_info(template).title,
        letter_date=letter.letter_date if letter else None,
        recipient=recipient, recipient_problem=problem,
        amount=loc.amount if loc else None,
        invoices=_invoices(loc.invoice_ids) if loc else (),
        enclosures=_enclosures(), placeholder_warning=_placeholder_warning(),
        text=letter_text(letter.content) if letter and letter.content else (),
        holds=holds, hold_warning=hold_warning(holds),
        decision_field=_field_of(task, "boolean"), reason_field=_field_of(task, "note"),
        outcome=None if is_open else _outcome(task, loc, debt))


# --- the letter and its parts ---------------------------------------------------------------------
def _letter_of_claim(instance_id: int) -> LetterOfClaim | None:
    """The Letter of Claim prepared in this process (a new legal stage is a new process)."""
    return db.session.scalar(
        select(LetterOfClaim).join(Letter, Letter.id == LetterOfClaim.letter_id)
        .where(Letter.instance_id == instance_id)
        .order_by(LetterOfClaim.id.desc()).limit(1))


def _recipient(person: Person) -> tuple[RecipientView | None, str | None]:
    """Who the letter goes to by the addressing rule the letter itself used."""
    chosen = choose_recipient(person_facts(person), recovery_guards.PROPERTY)
    if isinstance(chosen, RepresentationNeeded):
        return None, chosen.reason
    acting = None
    if chosen.on_behalf_of:
        role = ROLE_WORDS.get(chosen.role, chosen.role.replace("_", " "))
        acting = f"{role} for {chosen.on_behalf_of}"
    lines = tuple(line for line in (*chosen.address_lines, chosen.postcode) if line)
    return RecipientView(chosen.full_name, acting, lines), None


def _invoices(invoice_ids: list) -> tuple[InvoiceLine, ...]:
    ids = [i for i in invoice_ids if i is not None]
    rows: list[Invoice] = list(db.session.scalars(
        select(Invoice).where(Invoice.id.in_(ids)).order_by(Invoice.invoice_date, Invoice.id)
    )) if ids else []
    return tuple(InvoiceLine(i.number, i.invoice_date, i.total, i.outstanding) for i in rows)


def _enclosures() -> tuple[Enclosure, ...]:
    still = set(placeholder_enclosures(ENCLOSURES))
    return (Enclosure("Statement of account (in the letter)", False),
            *(Enclosure(template_info(n).title, n in still) for n in ENCLOSURES))


def _placeholder_warning() -> str | None:
    """The legal module's own check, whether or not the demo setting lets the letter go."""
    still = [template_info(n).title for n in placeholder_enclosures(ENCLOSURES)]
    if not still:
        return None
    return (f"The {_and(still)} still hold placeholder text instead of the official "
            "Pre-Action Protocol wording.")


def letter_text(content: bytes) -> tuple[TextBlock, ...]:
    """The document's paragraphs and tables in order, as plain text (no formatting)."""
    doc = Document(io.BytesIO(content))
    blocks: list[TextBlock] = []
    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(child, doc).text.strip()
            if text:
                blocks.append(TextBlock("paragraph", text=text))
        elif tag == "tbl":
            rows = tuple(_row_text(row.cells) for row in Table(child, doc).rows)
            if any(any(cells) for cells in rows):
                blocks.append(TextBlock("table", rows=rows))
    return tuple(blocks)


def _row_text(cells) -> tuple[str, ...]:
    texts: list[str] = []
    previous = None
    for cell in cells:
        if cell._tc is not previous:  # a merged cell repeats itself across the row
            texts.append(cell.text.strip())
        previous = cell._tc
    return tuple(texts)


def _field_of(task: HumanTask, field_type: str) -> str | None:
    return next((f["id"] for f in task.form if f.get("type") == field_type), None)


# --- holds ----------------------------------------------------------------------------------------
def _holds_now(debt: DebtCase, instance_id: int) -> tuple[str, ...]:
    """What would stop the posting step today: a hold recorded on the held process, the
    guards on a letter about capital or property, and the s69(2) test."""
    found = dict(_recorded_holds(debt, instance_id))
    decision = recovery_guards.decide(debt, guards.LETTER, matter=recovery_guards.PROPERTY)
    found.update(decision.holds)
    block = dpa_block(debt)
    if block:
        found["deferred_payment"] = block
    return tuple(_in_words(name, reason, debt) for name, reason in found.items())


def _recorded_holds(debt: DebtCase, instance_id: int) -> dict[str, str]:
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None or instance.status != InstanceStatus.HELD or \
            debt.instance_id != instance_id:
        return {}
    return {name: hold.get("reason", "") for name, hold in (debt.guards or {}).items()}


def _in_words(name: str, reason: str, debt: DebtCase) -> str:
    if name == "breathing_space":
        return _breathing_space(debt) or HOLD_WORDS[name]
    return HOLD_WORDS.get(name) or dates_in_words(reason)


def _breathing_space(debt: DebtCase) -> str | None:
    bs = active_breathing_space(debt.account.person_id, clock.today())
    if bs is None:
        return None
    kind = "mental health crisis " if bs.kind == "mental_health" else ""
    until = f" until {format_date(bs.ends_on)}" if bs.ends_on else " with no end date yet"
    return f"a {kind}Breathing Space is in force from {format_date(bs.starts_on)}{until}"


def hold_warning(holds: tuple[str, ...]) -> str | None:
    return f"This letter will not be sent while {_and(list(holds))}." if holds else None


# --- after the task -------------------------------------------------------------------------------
def _outcome(task: HumanTask, loc: LetterOfClaim | None, debt: DebtCase | None) -> Outcome:
    answers = task.outcome or {}
    decision, reason = _field_of(task, "boolean"), _field_of(task, "note")
    notes = answers.get(reason) if reason else None
    if decision and not answers.get(decision):
        return Outcome("not_approved", "Not approved: the letter was not posted.", notes=notes)
    if loc is not None and loc.status == LetterOfClaimStatus.POSTED:
        letter = db.session.get(Letter, loc.letter_id) if loc.letter_id else None
        if letter is not None and letter.status == LetterStatus.PRINT_BATCH:
            return Outcome("sent", f"Sent to the print batch on {format_date(letter.letter_date)}.",
                           sent_on=letter.letter_date, notes=notes)
    held = _recorded_holds(debt, task.instance_id) if debt and task.instance_id else {}
    if debt is not None and held:
        reasons = tuple(_in_words(name, reason, debt) for name, reason in held.items())
        return Outcome("held", f"Approved, but held: {_and(list(reasons))} — it will be sent "
                               "when the hold lifts.", reasons=reasons, notes=notes)
    return Outcome("not_sent", "Approved, but not sent: the legal stage ended before the "
                               "letter was posted.", notes=notes)


# --- words ----------------------------------------------------------------------------------------
def dates_in_words(text: str) -> str:
    """2026-04-01 -> 1 April 2026, in a reason recorded with ISO dates."""
    return ISO_DATE.sub(lambda m: format_date(date(int(m[1]), int(m[2]), int(m[3]))), text)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
