"""Routine letters off the engine's path (issue 16 item 1): a step records its letter with the
merge data and the letter's date; the letter worker makes it afterwards, never twice; a letter
that cannot be made is an incident on the letter while the case goes on; legal letters are still
made in their step."""
from __future__ import annotations

import threading
from datetime import date, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.letters import LetterError
from app.models import AuditEvent, InstanceStatus, Letter, RenderStatus, User
from app.services.correspondence import letter_worker, print_batch
from app.services.processes import instances, timers
from tests.conftest import set_clock
from tests.dp_helpers import dp_person

from .api_helpers import PROCESS
from .test_web_pages import csrf, signed_in


def user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def letter_of(instance_id: int, template: str) -> Letter:
    db.session.expire_all()
    return db.session.scalars(select(Letter).where(Letter.instance_id == instance_id,
                                                   Letter.template == template)).one()


def chase_to_reminder() -> int:
    """A direct-payment chase whose first reminder has just fired (its letter recorded)."""
    dp_person()
    chase = instances.start_instance(PROCESS, "P100234", {}, user("fa"))
    db.session.commit()
    letter_worker.render_all_pending()  # the agreement pack
    instance = instances.get_instance(chase.id)
    assert instance.next_timer_due is not None
    set_clock(instance.next_timer_due + timedelta(hours=1))
    fired = timers.fire_due_timers()
    assert [f.instance_id for f in fired] == [chase.id]
    return chase.id


def test_a_timers_routine_letter_is_recorded_in_its_step_and_made_by_the_worker(staff):
    chase_id = chase_to_reminder()

    reminder = letter_of(chase_id, "dp_reminder_1")
    assert (reminder.render_status, reminder.content, reminder.sha256) == (
        RenderStatus.PENDING, None, None)
    assert reminder.merge_context is not None and reminder.merge_data_hash
    instance = instances.get_instance(chase_id)
    assert instance.status == InstanceStatus.ACTIVE
    # Later timers count from the letter's own date, recorded with it in the step.
    assert instance.state and reminder.letter_date.isoformat() in instance.state

    assert letter_worker.render_pending().rendered == 1
    reminder = letter_of(chase_id, "dp_reminder_1")
    assert reminder.render_status == RenderStatus.RENDERED and reminder.content.startswith(b"PK")
    assert reminder.merge_context is None and len(reminder.sha256) == 64
    assert reminder in print_batch.letters_for(reminder.letter_date)


def test_a_letter_that_cannot_be_made_leaves_the_case_going_on_and_is_retried(staff, client,
                                                                              monkeypatch):
    chase_id = chase_to_reminder()
    real = letter_worker.render_letter

    def broken(template, context):
        raise LetterError(f"{template}: required placeholder 'agreement.sent_date' is empty")

    monkeypatch.setattr(letter_worker, "render_letter", broken)
    assert letter_worker.render_pending().failed == 1

    reminder = letter_of(chase_id, "dp_reminder_1")
    assert reminder.render_status == RenderStatus.FAILED and reminder.content is None
    assert "agreement.sent_date" in reminder.render_error
    instance = instances.get_instance(chase_id)
    assert instance.status == InstanceStatus.ACTIVE and instance.next_timer_due is not None
    assert reminder not in print_batch.letters_for(reminder.letter_date)
    assert letter_worker.render_pending().failed == 0  # not tried again on every pass
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "letter_render_failed")) == 1

    signed_in(client, "fm")
    page = client.get("/operations").text
    assert "Letters that could not be made (1)" in page and "agreement.sent_date" in page
    monkeypatch.setattr(letter_worker, "render_letter", real)  # the template is fixed
    response = client.post(f"/operations/letters/{reminder.id}/retry",
                           data={"csrf_token": csrf(client, "/operations")})
    assert response.status_code == 302
    assert letter_worker.render_pending().rendered == 1
    assert letter_of(chase_id, "dp_reminder_1").render_status == RenderStatus.RENDERED
    assert "Letters that could not be made" not in client.get("/operations").text


def test_two_letter_workers_never_make_one_letter_twice(staff, monkeypatch):
    for n in range(12):
        dp_person(f"P2000{n:02d}", f"Person {n}")
        instances.start_instance(PROCESS, f"P2000{n:02d}", {}, user("fa"))
    db.session.commit()
    app = staff
    made: list[int] = []
    lock = threading.Lock()
    real = letter_worker.render_letter

    def counting(template, context):
        with lock:
            made.append(id(context))
        return real(template, context)

    monkeypatch.setattr(letter_worker, "render_letter", counting)
    start = threading.Barrier(2)

    def worker():
        with app.app_context():
            start.wait()
            letter_worker.render_all_pending()
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    db.session.expire_all()
    statuses = list(db.session.scalars(select(Letter.render_status)))
    assert statuses == [RenderStatus.RENDERED] * 12
    assert len(made) == 12  # each letter made once, by one worker or the other


def test_a_worker_that_died_mid_letter_leaves_it_to_another(staff):
    chase_id = chase_to_reminder()
    reminder = letter_of(chase_id, "dp_reminder_1")
    reminder.render_status, reminder.render_claimed_at = RenderStatus.RENDERING, (
        instances.get_instance(chase_id).updated_at)
    db.session.commit()
    assert letter_worker.render_pending().rendered == 0  # its claim has not lapsed yet
    set_clock(reminder.render_claimed_at + letter_worker.CLAIM_LEASE * 2)
    assert letter_worker.render_pending().rendered == 1


def test_the_letter_of_claim_is_still_made_in_its_step(no_placeholders):
    from tests.workflows.legal_helpers import decide_letter_of_claim, ladder_to_decision
    from tests.workflows.debt_helpers import person_account

    debt = ladder_to_decision(person_account(), "3250.00", "2026-04-01")
    before = db.session.scalar(select(func.max(Letter.id)))
    decide_letter_of_claim(debt)  # a task completed: no sweep, no worker
    loc = db.session.scalars(select(Letter).where(Letter.id > before,
                                                  Letter.template == "letter_of_claim")).one()
    assert loc.render_status == RenderStatus.RENDERED and loc.content.startswith(b"PK")
    assert loc.letter_date == date(2026, 4, 1)


def test_the_schedulers_letter_worker_makes_what_is_waiting(staff):
    from app.tasks.scheduler import make_letters

    dp_person()
    instances.start_instance(PROCESS, "P100234", {}, user("fa"))
    db.session.commit()
    assert make_letters(staff) == 1
    db.session.expire_all()
    assert list(db.session.scalars(select(Letter.render_status))) == [RenderStatus.RENDERED]
