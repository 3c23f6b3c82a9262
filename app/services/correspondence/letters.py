"""Issuing letters: gather the case's facts, render with app.letters, store and batch them."""
from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any, Mapping

from app import calendar, clock
from app.errors import Conflict, NotFound
from app.extensions import db
from app.letters import (
    RepresentationNeeded,
    build_context,
    merge_codec,
    render_letter,
    template_info,
)
from app.models import Letter, LetterStatus, Person, ProcessInstance, RenderStatus
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
    """Issue `template` for the instance's person, dated on a working day.

    `fields` are the template's own figures, worked out by the capability the letter belongs to
    (the shared header, addressing and formatting come from app/letters). The addressing rule and
    the merge context are settled here, in the step's transaction, with the letter's date, which
    later timers count from. A routine letter is then made by the letter worker
    (letter_worker.py), outside this transaction; one that starts a legal period or waits for
    approval is made here, so no period starts from a letter that was never made.
    """
    info = template_info(template)
    person = instance.person
    letter_date = letter_date or next_letter_date()
    context = build_context(template, letter_date=letter_date, council=settings.get("council"),
                            person=person_facts(person), officer=None, fields=fields)
    if isinstance(context, RepresentationNeeded):
        raise RepresentationRequired(context.reason)
    approval = needs_approval(template)
    letter = Letter(person_id=person.id, instance_id=instance.id, template=template,
                    template_ref=info.ref_and_version, letter_date=letter_date,
                    recipient_name=context["recipient"]["full_name"],
                    merge_data_hash=merge_data_hash(context),
                    status=(LetterStatus.AWAITING_APPROVAL if approval
                            else LetterStatus.PRINT_BATCH),
                    created_at=clock.now())
    if approval or not is_routine(template):
        store_document(letter, render_letter(template, context))
    else:
        letter.render_status, letter.merge_context = RenderStatus.PENDING, merge_codec.encode(
            context)
    db.session.add(letter)
    db.session.flush()
    audit.record("letter_issued", actor=None, person_id=person.id, instance_id=instance.id,
                 summary={"letter_id": letter.id, "template": template,
                          "letter_date": letter_date.isoformat()})
    return letter


def is_routine(template: str) -> bool:
    """A routine letter (reminders, demands, acknowledgements, the agreement pack) is made by
    the letter worker. Letters about capital or property (the Letter of Claim and its
    enclosures, court and enforcement letters, the deferred payment offer) and internal memos
    start or serve a legal step and are made in that step."""
    return template_info(template).matter not in ("capital_or_property", "internal")


def store_document(letter: Letter, content: bytes) -> None:
    letter.content, letter.sha256 = content, hashlib.sha256(content).hexdigest()
    letter.render_status, letter.rendered_at = RenderStatus.RENDERED, clock.now()
    letter.merge_context = letter.render_error = letter.render_claimed_at = None


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
    assert letter.sha256 is not None  # document_of refused a letter not yet made
    return {"Content-Disposition":
            f'attachment; filename="letter-{letter.id}-{letter.template}.docx"',
            "X-Content-SHA256": letter.sha256, "X-Content-Type-Options": "nosniff"}


def document_of(letter: Letter) -> bytes:
    """The letter's document; a letter the worker has not made yet is a 409, not an error."""
    if letter.content is None:
        if letter.render_status == RenderStatus.FAILED:
            raise Conflict("this letter could not be made; an operator can try again from the "
                           "operations page")
        raise Conflict("this letter is still being made; try again in a minute")
    return letter.content


def get_letter(letter_id: int) -> Letter:
    letter = db.session.get(Letter, letter_id)
    if letter is None:
        raise NotFound(f"no letter {letter_id}")
    return letter
