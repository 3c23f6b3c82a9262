"""Issuing letters: gather the case's facts, render with app.letters, store and batch them."""
from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any, Mapping

from app import calendar, clock
from app.errors import NotFound
from app.extensions import db
from app.letters import RepresentationNeeded, build_context, render_letter, template_info
from app.models import Letter, LetterStatus, Person, ProcessInstance
from app.services import audit, settings


class RepresentationRequired(Exception):
    """The addressing rule allows no letter: someone must be found who can act for the person."""


def person_facts(person: Person) -> dict[str, Any]:
    rep = person.representative
    return {
        "reference": person.reference, "name": person.name,
        "address_lines": list(person.address_lines), "postcode": person.postcode,
        "deceased": person.deceased,
        "representative": None if rep is None else {
            "name": rep.name, "type": rep.type, "scope": rep.scope,
            "address_lines": list(rep.address_lines), "postcode": rep.postcode},
    }


def next_letter_date() -> date:
    """The date a letter made now is dated: today, or the next working day."""
    return calendar.next_working_day(clock.today())


def issue_letter(instance: ProcessInstance, template: str, fields: Mapping[str, Any],
                 letter_date: date | None = None) -> Letter:
    """Render `template` for the instance's person, dated on a working day, and store it.

    `fields` are the template's own figures, worked out by the capability the letter belongs to
    (the shared header, addressing and formatting come from app/letters).
    """
    info = template_info(template)
    person = instance.person
    letter_date = letter_date or next_letter_date()
    context = build_context(template, letter_date=letter_date, council=settings.get("council"),
                            person=person_facts(person), officer=None, fields=fields)
    if isinstance(context, RepresentationNeeded):
        raise RepresentationRequired(context.reason)
    content = render_letter(template, context)
    letter = Letter(person_id=person.id, instance_id=instance.id, template=template,
                    template_ref=info.ref_and_version, letter_date=letter_date,
                    recipient_name=context["recipient"]["full_name"], content=content,
                    sha256=hashlib.sha256(content).hexdigest(),
                    merge_data_hash=merge_data_hash(context),
                    status=(LetterStatus.AWAITING_APPROVAL if needs_approval(template)
                            else LetterStatus.PRINT_BATCH),
                    created_at=clock.now())
    db.session.add(letter)
    db.session.flush()
    audit.record("letter_issued", actor=None, person_id=person.id, instance_id=instance.id,
                 summary={"letter_id": letter.id, "template": template,
                          "letter_date": letter_date.isoformat()})
    return letter


def needs_approval(template: str) -> bool:
    """Legal letters always wait for approval; a manager may make any other one wait too."""
    return template_info(template).needs_approval or template in settings.get(
        "letters_needing_approval")


def merge_data_hash(context: Mapping[str, Any]) -> str:
    """A fingerprint of exactly what was merged, to show later what a letter said and why."""
    canonical = json.dumps(context, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def download_headers(letter: Letter) -> dict[str, str]:
    """How a letter goes to a browser or an API client: a .docx attachment with its hash."""
    return {"Content-Disposition":
            f'attachment; filename="letter-{letter.id}-{letter.template}.docx"',
            "X-Content-SHA256": letter.sha256, "X-Content-Type-Options": "nosniff"}


def get_letter(letter_id: int) -> Letter:
    letter = db.session.get(Letter, letter_id)
    if letter is None:
        raise NotFound(f"no letter {letter_id}")
    return letter
