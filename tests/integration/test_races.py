"""Races on one task over HTTP, on the production server (gunicorn, gunicorn.conf.py, two
workers) and both databases: two users fire at the same task at the same moment, 100 times.
Exactly one wins (200); the other answers 409 with the error envelope; the task row and the
audit trail tell the winner's story only (no claim after a completion, one completion each).

Half the tasks are a diagram's (a direct-payment agreement's validation, whose instance has its
own lock_version), half have no process at all (ending a care package after a death), so only
the task's own lock_version can catch the second change."""
from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Callable

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, HumanTask, Person, TaskStatus, User
from app.services.estates import deaths
from app.services.imports import import_files
from app.services.inbox import task_actions
from app.services.processes import instances
from app.services.records import care_packages, people
from tests.conftest import PASSWORD, REPO, add_user
from tests.integration.api_helpers import PROCESS, person_body

PAIRS = 100
PACKAGES_HEADER = ("reference,person_reference,provider_reference,provider_name,provider_cqc_id,"
                   "service,weekly_cost,purchase_order,start_date,end_date\n")
VALID_PACK = {"signatures_complete": True, "dedicated_account": True,
              "contribution_set_up": True, "recipient_signed_on": "2026-03-02"}
CARE_ENDED = {"end_date": "2026-02-27"}
# What a completion leaves in the audit after the task's own event, by the task's name.
AFTER_COMPLETION = {"validate_agreement": [], care_packages.END_TASK: [("care_package_ended", None)]}
Move = Callable[[int, dict], tuple[str, dict]]


def claim(task_id: int, answers: dict) -> tuple[str, dict]:
    return f"/api/v1/tasks/{task_id}/claim", {}


def complete(task_id: int, answers: dict) -> tuple[str, dict]:
    return f"/api/v1/tasks/{task_id}/complete", {"data": answers}


def unclaim(task_id: int, answers: dict) -> tuple[str, dict]:
    return f"/api/v1/tasks/{task_id}/unclaim", {}


def assign_to_fa1(task_id: int, answers: dict) -> tuple[str, dict]:
    return f"/api/v1/tasks/{task_id}/assign", {"username": "fa1"}


def racers() -> None:
    add_user("fa1", "finance_assistant")
    add_user("fa2", "finance_assistant")
    add_user("fm1", "finance_manager")


def validation_tasks(count: int) -> list[int]:
    """`count` direct-payment agreements returned, each waiting at its validation task (a task
    of a diagram), made by the app's own use cases."""
    for n in range(count):
        people.create_person(person_body(f"R{n:03d}", representative=None, caseworker=None),
                             None)
        chase = instances.start_instance(PROCESS, f"R{n:03d}", {}, None)
        instances.deliver_message(chase.id, "paperwork_received", {}, None)
    return open_tasks("validate_agreement")


def care_end_tasks(count: int) -> list[int]:
    """A person with `count` care packages has died: a task to end each, with no process."""
    people.create_person(person_body("S001", representative=None, caseworker=None), None)
    rows = "".join(f"CP-{n:04d},S001,PRV-1,Kind Care Ltd,,Home care,100.00,PO-{n},2025-06-02,\n"
                   for n in range(count))
    import_files.import_file("care_packages", PACKAGES_HEADER + rows, None)
    fa1 = db.session.scalar(select(User).where(User.username == "fa1"))
    deaths.record_death(db.session.scalar(select(Person).where(Person.reference == "S001")),
                        date(2026, 2, 27), fa1)
    db.session.commit()
    return open_tasks(care_packages.END_TASK)


def open_tasks(name: str) -> list[int]:
    return list(db.session.scalars(select(HumanTask.id).where(
        HumanTask.name == name, HumanTask.status == TaskStatus.OPEN).order_by(HumanTask.id)))


def tasks_to_race(count: int = PAIRS) -> dict[int, tuple[str, dict]]:
    """`count` open tasks, half of each kind, interleaved: task id -> (name, valid answers)."""
    diagram = [(t, ("validate_agreement", VALID_PACK)) for t in validation_tasks(count // 2)]
    alone = [(t, (care_packages.END_TASK, CARE_ENDED)) for t in care_end_tasks(count // 2)]
    return dict(pair for pairs in zip(diagram, alone, strict=True) for pair in pairs)


class Server:
    """gunicorn with the repository's gunicorn.conf.py, two workers, on a free port."""

    def __init__(self, database_url: str, log: Path):
        with closing(socket.socket()) as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": uuid.uuid4().hex,
               "CASEWORK_BIND": f"127.0.0.1:{self.port}", "CASEWORK_WEB_WORKERS": "2",
               "CASEWORK_CLOCK": "frozen", "CASEWORK_ACCESS_LOG": "/dev/null",
               "CASEWORK_LOG_LEVEL": "warning"}
        self.log = log
        with log.open("wb") as err:
            self.process = subprocess.Popen(
                [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py"],
                cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with closing(socket.create_connection(("127.0.0.1", self.port), timeout=1)):
                    return
            except OSError:
                assert self.process.poll() is None, log.read_text()
                time.sleep(0.1)
        self.stop()
        raise AssertionError("gunicorn did not listen within 30 s")

    def stop(self) -> str:
        self.process.terminate()
        self.process.wait(timeout=30)
        return self.log.read_text(errors="replace")

    def post(self, conn: http.client.HTTPConnection, path: str, body: dict,
             token: str | None = None) -> tuple[int, dict]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        conn.request("POST", path, body=json.dumps(body), headers=headers)
        response = conn.getresponse()
        raw = response.read()
        try:
            return response.status, json.loads(raw)
        except ValueError:
            return response.status, {"raw": raw[:200].decode(errors="replace")}

    def token(self, username: str) -> str:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        status, body = self.post(conn, "/api/v1/tokens",
                                 {"username": username, "password": PASSWORD})
        conn.close()
        assert status == 201, body
        return body["token"]


def race(server: Server, tasks: dict[int, tuple[str, dict]], moves: dict[str, Move]
         ) -> dict[int, dict[str, tuple[int, dict]]]:
    """For each task, each user's move fired at the same moment (one client thread a user,
    each on its own keep-alive connection); the answers by task and user."""
    tokens = {user: server.token(user) for user in moves}
    barrier = threading.Barrier(len(moves), timeout=60)
    answers: dict[int, dict[str, tuple[int, dict]]] = {t: {} for t in tasks}

    def client(user: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        try:
            for task_id, (_, form) in tasks.items():
                path, body = moves[user](task_id, form)
                barrier.wait()
                answers[task_id][user] = server.post(conn, path, body, tokens[user])
        except BaseException:
            barrier.abort()
            raise
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(user,)) for user in moves]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert all(len(a) == len(moves) for a in answers.values()), "a client thread failed"
    return answers


def is_conflict(answer: tuple[int, dict]) -> bool:
    status, body = answer
    error = body.get("error") or {}
    return (status == 409 and error.get("code") == "conflict"
            and isinstance(error.get("message"), str) and bool(error["message"])
            and isinstance(error.get("details"), list))


def what_happened(task_ids: list[int]) -> dict[int, tuple[tuple, list[tuple[str, str]]]]:
    """Each task's row (status, holder, completer) and its audit trail (action, actor)."""
    db.session.rollback()
    db.session.expire_all()
    names = dict(db.session.execute(select(User.id, User.username)).all())
    rows = {t.id: (t.status, names.get(t.claimed_by_id), names.get(t.completed_by_id))
            for t in db.session.scalars(select(HumanTask).where(HumanTask.id.in_(task_ids)))}
    trails: dict[int, list[tuple[str, str]]] = {t: [] for t in task_ids}
    for event in db.session.scalars(select(AuditEvent).where(
            AuditEvent.task_id.in_(task_ids), AuditEvent.action != "care_end_task_raised")
            .order_by(AuditEvent.id)):
        trails[event.task_id].append((event.action, names.get(event.actor_id)))
    return {t: (rows[t], trails[t]) for t in task_ids}


def tally(answers: dict[int, dict[str, tuple[int, dict]]]) -> Counter:
    return Counter(tuple(sorted(status for status, _ in by_user.values()))
                   for by_user in answers.values())


@pytest.fixture
def serve(app, database_url, tmp_path):
    """Start the server on the test's database, once the test has seeded it; stopped after,
    and its log must show no unhandled error."""
    racers()
    started: list[Server] = []

    def start() -> Server:
        started.append(Server(database_url, tmp_path / "gunicorn.log"))
        return started[-1]

    yield start
    for running in started:
        log = running.stop()
        assert "unhandled" not in log and "Traceback" not in log, log[-3000:]


def test_a_claim_and_a_completion_of_one_task_have_one_winner(serve):
    tasks = tasks_to_race()
    answers = race(serve(), tasks, {"fa1": claim, "fa2": complete})
    story = what_happened(list(tasks))
    wrong = []
    for task_id, (name, _) in tasks.items():
        claimed, completed = answers[task_id]["fa1"], answers[task_id]["fa2"]
        if claimed[0] == 200 and is_conflict(completed):
            expected = (("open", "fa1", None), [("task_claimed", "fa1")])
        elif completed[0] == 200 and is_conflict(claimed):
            expected = (("completed", "fa2", "fa2"),
                        [("task_completed", "fa2"), *AFTER_COMPLETION[name]])
        else:
            expected = None
        if story[task_id] != expected:
            wrong.append((task_id, name, claimed[0], completed[0], story[task_id]))
    assert wrong == [], (f"{len(wrong)} of {PAIRS} races went wrong; answers {tally(answers)}",
                         wrong[:5])


def test_two_completions_of_one_task_have_one_winner(serve):
    tasks = tasks_to_race()
    answers = race(serve(), tasks, {"fa1": complete, "fa2": complete})
    story = what_happened(list(tasks))
    wrong = []
    for task_id, (name, _) in tasks.items():
        won = [user for user, answer in answers[task_id].items() if answer[0] == 200]
        lost = [user for user, answer in answers[task_id].items() if is_conflict(answer)]
        winner = won[0] if len(won) == 1 and len(lost) == 1 else None
        expected = (("completed", winner, winner),
                    [("task_completed", winner), *AFTER_COMPLETION[name]])
        if winner is None or story[task_id] != expected:
            wrong.append((task_id, name, {u: a[0] for u, a in answers[task_id].items()},
                          story[task_id]))
    assert wrong == [], (f"{len(wrong)} of {PAIRS} races went wrong; answers {tally(answers)}",
                         wrong[:5])


def test_a_release_or_an_assignment_never_lands_after_a_completion(serve):
    """A manager releases a task while its holder completes it; a manager assigns a task while
    another user completes it. Each answer, row and audit trail follows one serial order."""
    tasks = tasks_to_race(40)
    held = dict(list(tasks.items())[:20])
    free = dict(list(tasks.items())[20:])
    fa1 = db.session.scalar(select(User).where(User.username == "fa1"))
    for task_id in held:
        task_actions.claim(task_id, fa1)
    gunicorn = serve()
    released = race(gunicorn, held, {"fm1": unclaim, "fa1": complete})
    assigned = race(gunicorn, free, {"fm1": assign_to_fa1, "fa2": complete})
    story = what_happened(list(tasks))
    wrong = []
    for task_id, (name, _) in held.items():
        took, done = released[task_id]["fm1"], released[task_id]["fa1"]
        completion = [("task_completed", "fa1"), *AFTER_COMPLETION[name]]
        allowed = []
        if took[0] == 200 and is_conflict(done):
            allowed = [(("open", None, None), [("task_claimed", "fa1"), ("task_unclaimed", "fm1")])]
        elif done[0] == 200 and is_conflict(took):
            allowed = [(("completed", "fa1", "fa1"), [("task_claimed", "fa1"), *completion])]
        elif took[0] == done[0] == 200:  # released first, then completed by its former holder
            allowed = [(("completed", "fa1", "fa1"),
                        [("task_claimed", "fa1"), ("task_unclaimed", "fm1"), *completion])]
        if story[task_id] not in allowed:
            wrong.append((task_id, name, "release", took[0], done[0], story[task_id]))
    for task_id, (name, _) in free.items():
        took, done = assigned[task_id]["fm1"], assigned[task_id]["fa2"]
        if took[0] == 200 and is_conflict(done):
            expected = (("open", "fa1", None), [("task_assigned", "fm1")])
        elif done[0] == 200 and is_conflict(took):
            expected = (("completed", "fa2", "fa2"),
                        [("task_completed", "fa2"), *AFTER_COMPLETION[name]])
        else:
            expected = None
        if story[task_id] != expected:
            wrong.append((task_id, name, "assign", took[0], done[0], story[task_id]))
    assert wrong == [], (f"{len(wrong)} of 40 races went wrong", wrong[:5])
