"""The letter worker: makes the routine letters steps have recorded, outside their transactions.

Runs with the scheduler, in batches. Several workers may run at once: a letter is claimed by a
compare-and-set on its render status (one UPDATE, atomic on SQLite and PostgreSQL), so two workers
never make the same letter; a claim lapses after CLAIM_LEASE, so a worker killed mid-letter
leaves it to another. A letter that fails to render is an incident on the letter only: the case
goes on, the letter stays out of every print batch, and an operator can retry it.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from app import clock
from app.errors import Conflict, NotFound
from app.extensions import db
from app.letters import LetterError, merge_codec, render_letter
from app.models import Letter, RenderStatus, User
from app.services import audit
from app.services.correspondence.letters import store_document
from app.services.transaction import use_case

log = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=5)  # far longer than any letter takes to render
BATCH = 50


@dataclass(frozen=True)
class WorkerReport:
    rendered: int = 0
    failed: int = 0


def render_pending(limit: int = BATCH) -> WorkerReport:
    """Make up to `limit` waiting letters, oldest first, each in its own short transactions."""
    rendered = failed = 0
    for letter_id in _waiting_ids(limit):
        outcome = _render_one(letter_id)
        rendered += outcome == RenderStatus.RENDERED
        failed += outcome == RenderStatus.FAILED
    return WorkerReport(rendered, failed)


def render_all_pending() -> WorkerReport:
    """Every letter waiting now (tests, demos and the benchmark)."""
    total = WorkerReport()
    while True:
        report = render_pending()
        if not report.rendered and not report.failed:
            return total
        total = WorkerReport(total.rendered + report.rendered, total.failed + report.failed)


def _waiting_ids(limit: int) -> list[int]:
    try:
        return list(db.session.scalars(select(Letter.id).where(_claimable(clock.now()))
                                       .order_by(Letter.id).limit(limit)))
    finally:
        db.session.rollback()  # a read: end it, so no transaction spans the batch


def _claimable(now: datetime):
    return or_(Letter.render_status == RenderStatus.PENDING,
               (Letter.render_status == RenderStatus.RENDERING)
               & (Letter.render_claimed_at < now - CLAIM_LEASE))


def _render_one(letter_id: int) -> RenderStatus | None:
    claimed_at = clock.now()
    claim = db.session.execute(
        update(Letter).where(Letter.id == letter_id, _claimable(claimed_at))
        .values(render_status=RenderStatus.RENDERING, render_claimed_at=claimed_at)
        .execution_options(synchronize_session=False))
    db.session.commit()
    if claim.rowcount != 1:  # type: ignore[attr-defined]
        return None  # another worker has it
    letter = db.session.get_one(Letter, letter_id)
    template, context = letter.template, merge_codec.decode(letter.merge_context)
    db.session.rollback()  # no transaction is held while the document is made
    try:
        content = render_letter(template, context)
    except Exception as exc:  # noqa: BLE001 - one letter must not stop the others
        return _fail(letter_id, claimed_at, exc)
    letter = db.session.get_one(Letter, letter_id)
    if letter.render_claimed_at != claimed_at:
        db.session.rollback()
        return None  # our lease ran out and another worker took it over
    store_document(letter, content)
    db.session.commit()
    return RenderStatus.RENDERED


def _fail(letter_id: int, claimed_at: datetime, exc: Exception) -> RenderStatus | None:
    db.session.rollback()
    letter = db.session.get_one(Letter, letter_id)
    if letter.render_claimed_at != claimed_at:
        db.session.rollback()
        return None
    # A template's error names its placeholders, never the person's data; others: the type only.
    reason = str(exc) if isinstance(exc, LetterError) else f"an unexpected error ({type(exc).__name__})"
    letter.render_status, letter.render_error = RenderStatus.FAILED, reason
    audit.record("letter_render_failed", actor=None, person_id=letter.person_id,
                 instance_id=letter.instance_id,
                 summary={"letter_id": letter.id, "template": letter.template})
    db.session.commit()
    log.error("letter %s (%s) could not be made: %s", letter_id, letter.template,
              type(exc).__name__)
    return RenderStatus.FAILED


def failed_letters() -> list[Letter]:
    return list(db.session.scalars(select(Letter).where(
        Letter.render_status == RenderStatus.FAILED).order_by(Letter.id)))


@use_case
def retry(letter_id: int, actor: User) -> Letter:
    """An operator sends a failed letter back to the worker (e.g. once its template is fixed)."""
    letter = db.session.get(Letter, letter_id)
    if letter is None:
        raise NotFound(f"no letter {letter_id}")
    if letter.render_status != RenderStatus.FAILED:
        raise Conflict("only a letter that could not be made can be tried again")
    letter.render_status, letter.render_claimed_at = RenderStatus.PENDING, None
    audit.record("letter_render_retried", actor=actor, person_id=letter.person_id,
                 instance_id=letter.instance_id, summary={"letter_id": letter.id})
    return letter
