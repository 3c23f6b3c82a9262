"""Notes and documents staff add to a case: each one transaction, each in the timeline.

A document is checked by what its bytes are (not by its name or the browser's word for it)
and by size, then kept in the database with its SHA-256."""
from __future__ import annotations

import hashlib

import filetype
from sqlalchemy import select

from app import clock
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.letters import DOCX
from app.models import CaseDocument, CaseNote, Person, User
from app.services import audit
from app.services.transaction import use_case

NOTE_MAX_CHARS = 5000
DOCUMENT_MAX_BYTES = 4 * 1024 * 1024
DOCUMENT_TYPES = {
    "application/pdf": "PDF",
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    DOCX: "Word document",
}


@use_case
def add_note(person: Person, text: str, actor: User) -> CaseNote:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("the note is empty", [{"field": "note", "message": "Enter a note"}])
    if len(text) > NOTE_MAX_CHARS:
        raise ValidationFailed("the note is too long", [
            {"field": "note", "message": f"A note must be {NOTE_MAX_CHARS:,} characters or "
                                         "fewer"}])
    note = CaseNote(person_id=person.id, author_id=actor.id, created_at=clock.now(), text=text)
    db.session.add(note)
    db.session.flush()
    audit.record("note_added", actor=actor, person_id=person.id, summary={"note_id": note.id})
    return note


@use_case
def attach_document(person: Person, filename: str, content: bytes, description: str,
                    actor: User) -> CaseDocument:
    problems = []
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]
    if not content:
        problems.append({"field": "document", "message": "Choose a file to attach"})
    elif len(content) > DOCUMENT_MAX_BYTES:
        problems.append({"field": "document",
                         "message": f"The file must be {_size(DOCUMENT_MAX_BYTES)} or smaller"})
    kind = filetype.guess_mime(content) if content else None
    if content and kind not in DOCUMENT_TYPES:
        problems.append({"field": "document", "message": "The file must be a PDF, a Word "
                                                         "document, or a PNG or JPEG image"})
    description = (description or "").strip()
    if not description:
        problems.append({"field": "description", "message": "Say what the document is"})
    elif len(description) > 200:
        problems.append({"field": "description", "message":
                         "The description must be 200 characters or fewer"})
    if problems:
        raise ValidationFailed("the document cannot be attached", problems)
    assert kind is not None  # no problems: there is content, of one of DOCUMENT_TYPES
    document = CaseDocument(
        person_id=person.id, uploaded_by_id=actor.id, uploaded_at=clock.now(),
        filename=name or "document", description=description, content_type=kind,
        size=len(content), sha256=hashlib.sha256(content).hexdigest(), content=content)
    db.session.add(document)
    db.session.flush()
    audit.record("document_attached", actor=actor, person_id=person.id,
                 summary={"document_id": document.id, "type": DOCUMENT_TYPES[kind],
                          "size": len(content)})
    return document


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg", DOCX: "docx"}


def download_name(document: CaseDocument) -> str:
    """A safe name for the download: the id and the extension of what the bytes are."""
    return f"document-{document.id}.{EXTENSIONS.get(document.content_type, 'bin')}"


def notes_of(person: Person) -> list[CaseNote]:
    return list(db.session.scalars(select(CaseNote).where(CaseNote.person_id == person.id)
                                   .order_by(CaseNote.created_at.desc(), CaseNote.id.desc())))


def documents_of(person: Person) -> list[CaseDocument]:
    return list(db.session.scalars(select(CaseDocument).where(
        CaseDocument.person_id == person.id).order_by(CaseDocument.uploaded_at.desc(),
                                                      CaseDocument.id.desc())))


def get_document(document_id: int) -> CaseDocument:
    document = db.session.get(CaseDocument, document_id)
    if document is None:
        raise NotFound(f"no document {document_id}")
    return document
