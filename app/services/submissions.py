"""Each action page's form acts once: a double click, or the back button and a second submit,
changes nothing the second time.

The page puts a random key in its form; the action stores the key in the same transaction as the
change it makes. A second post of that key finds it stored (the primary key refuses it, even from
a request running at the same moment), so the second change never happens. A failed action rolls
back its key with everything else, so the user can correct the form and submit it again.
"""
from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Callable, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.errors import Conflict
from app.extensions import db
from app.models import FormSubmission, User
from app.services.transaction import use_case

R = TypeVar("R")
ALREADY_DONE = "You have already submitted this form. Check the case to see what was recorded."
KEEP_FOR = timedelta(days=30)  # long past any page left open in a browser tab


def new_key() -> str:
    return secrets.token_urlsafe(32)


@use_case
def once(key: str, actor: User, action: Callable[[], R]) -> R:
    """Run `action` (itself a use case) in one transaction with the storing of `key`;
    Conflict if the key was used before, or is not one this service could have made."""
    if not key or len(key) > 64:
        raise Conflict(ALREADY_DONE)
    if db.session.get(FormSubmission, key) is not None:
        raise Conflict(ALREADY_DONE)
    db.session.add(FormSubmission(key=key, user_id=actor.id, used_at=clock.now()))
    try:
        db.session.flush()
    except IntegrityError as exc:  # the same form posted by another request at the same moment
        db.session.rollback()
        raise Conflict(ALREADY_DONE) from exc
    # The action's own use_case commits the key with its change, or rolls both back.
    return action()


def was_used(key: str) -> bool:
    return db.session.scalar(select(FormSubmission.key).where(FormSubmission.key == key)) is not None


@use_case
def forget_old_keys() -> int:
    """Drop keys older than KEEP_FOR; a form that old would be refused as stale anyway."""
    result = db.session.execute(delete(FormSubmission).where(
        FormSubmission.used_at < clock.now() - KEEP_FOR))
    return int(getattr(result, "rowcount", 0) or 0)
