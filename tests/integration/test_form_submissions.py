"""An action page's form acts once: the single-use key is stored with the change it made, so a
second post changes nothing; a failed action gives the key back with everything else."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models import CaseNote, FormSubmission, User
from app.services import submissions
from app.services.records import notes_and_documents
from tests.integration.api_helpers import person_body


def _user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


@pytest.fixture
def person(as_user):
    reference = as_user("fa").post("/people", json=person_body()).json["reference"]
    from app.services.records import people

    return people.get_person(reference)


def notes() -> int:
    return db.session.scalar(select(func.count()).select_from(CaseNote))


def test_the_same_key_acts_once(person):
    key, fa = submissions.new_key(), _user("fa")
    submissions.once(key, fa, lambda: notes_and_documents.add_note(person, "first", fa))
    with pytest.raises(Conflict, match="already submitted"):
        submissions.once(key, fa, lambda: notes_and_documents.add_note(person, "again", fa))
    assert notes() == 1 and submissions.was_used(key)


def test_a_failed_action_gives_the_key_back(person):
    key, fa = submissions.new_key(), _user("fa")
    with pytest.raises(ValidationFailed):
        submissions.once(key, fa, lambda: notes_and_documents.add_note(person, "  ", fa))
    assert not submissions.was_used(key) and notes() == 0
    submissions.once(key, fa, lambda: notes_and_documents.add_note(person, "corrected", fa))
    assert notes() == 1


@pytest.mark.parametrize("key", ["", "x" * 65])
def test_a_key_this_service_could_not_have_made_is_refused(person, key):
    fa = _user("fa")
    with pytest.raises(Conflict):
        submissions.once(key, fa, lambda: notes_and_documents.add_note(person, "note", fa))
    assert notes() == 0


def test_old_keys_are_forgotten(person):
    from datetime import timedelta

    from app import clock
    from tests.conftest import set_clock

    fa = _user("fa")
    submissions.once("old-key", fa, lambda: notes_and_documents.add_note(person, "n", fa))
    set_clock(clock.now() + submissions.KEEP_FOR + timedelta(days=1))
    submissions.once("new-key", fa, lambda: notes_and_documents.add_note(person, "m", fa))
    assert submissions.forget_old_keys() == 1
    assert db.session.scalars(select(FormSubmission.key)).all() == ["new-key"]
