"""What one API request costs in statements, and the token cache that keeps the token check
cheap without letting a revoked token or a deactivated user through."""
from __future__ import annotations

import re
from collections import Counter
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import delete, event

from app.engine import diagrams
from app.extensions import db
from app.models import ApiToken
from app.services.staff import token_cache, users
from tests.dp_helpers import dp_person, returned_agreement
from tests.integration.api_helpers import fresh

VALID = {"signatures_complete": True, "dedicated_account": True, "contribution_set_up": True,
         "recipient_signed_on": date(2026, 3, 2).isoformat()}


@contextmanager
def statements():
    """Every SQL statement the app sends while the block runs, as (verb, table)."""
    seen: list[tuple[str, str]] = []

    def record(conn, cursor, statement, params, context, executemany):
        text = " ".join(statement.split())
        verb = text.split(" ", 1)[0].upper()
        if verb == "SELECT":
            match = re.search(r"\bFROM (\"?\w+\"?)", text)
        elif verb == "INSERT":
            match = re.search(r"\bINTO (\"?\w+\"?)", text)
        else:
            match = re.search(r"^(?:UPDATE|DELETE FROM) (\"?\w+\"?)", text)
        seen.append((verb, match.group(1).strip('"') if match else "?"))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _validation_tasks(count: int) -> list[int]:
    ids = []
    for i in range(count):
        dp_person(f"P10{i:04d}")
        ids.append(returned_agreement(f"P10{i:04d}")[1].id)
    return ids


def test_completing_a_task_reads_it_once_and_never_reads_the_diagram(as_user):
    fa = as_user("fa")
    first, second = _validation_tasks(2)
    assert fa.post(f"/tasks/{first}/complete", json={"data": VALID}).status_code == 200
    with statements() as sent:
        response = fa.post(f"/tasks/{second}/complete", json={"data": VALID})
    assert response.status_code == 200, response.json
    # The frozen test clock reads its instant from the settings table; production's does not.
    # SQLite's BEGIN IMMEDIATE (app/services/transaction.py) is transaction control, not work.
    counted = Counter(s for s in sent if s[1] != "setting" and s[0] != "BEGIN")
    assert counted[("SELECT", "human_task")] == 1  # the task, its instance and open siblings
    assert counted[("SELECT", "process_version")] == 0  # the model is cached by its hash
    assert counted[("SELECT", "process_instance")] == 0
    assert counted[("SELECT", "api_token")] == 1
    assert counted[("SELECT", "user")] == 0  # the token's user comes from the cache
    writes = {s for s in counted if s[0] != "SELECT"}
    assert writes == {("INSERT", "audit_event"), ("INSERT", "human_task"),
                      ("UPDATE", "human_task"), ("UPDATE", "process_instance")}
    # SQLite's driver may send the step's and the task's audit events one by one.
    assert sum(counted.values()) <= 8, sorted(counted.elements())


def test_a_version_s_diagram_is_read_once_per_process(as_user, monkeypatch):
    fa = as_user("fa")
    first, second = _validation_tasks(2)
    diagrams._BY_HASH.clear()
    built = []
    real = diagrams.load_model
    monkeypatch.setattr(diagrams, "load_model", lambda xml: built.append(1) or real(xml))
    for task_id in (first, second):
        assert fa.post(f"/tasks/{task_id}/complete", json={"data": VALID}).status_code == 200
    assert len(built) == 1


def test_a_revoked_token_stops_at_once_though_its_user_is_cached(as_user):
    fa = as_user("fa")
    assert fa.get("/tasks").status_code == 200  # the user is cached now
    response = fa.delete("/tokens/current")
    assert response.status_code == 204
    assert fa.get("/tasks").status_code == 401


def test_a_token_deleted_by_another_process_stops_at_once(as_user):
    fa = as_user("fa")
    assert fa.get("/tasks").status_code == 200
    # What another web worker's revocation leaves: the row gone, this process's cache untouched.
    db.session.execute(delete(ApiToken))
    db.session.commit()
    response = fa.get("/tasks")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthenticated"


def test_deactivating_a_user_ends_their_tokens_and_their_pages(as_user, client, app):
    fa = as_user("fa")
    assert fa.get("/tasks").status_code == 200
    runner = app.test_cli_runner()
    done = runner.invoke(args=["users", "deactivate", "fa"])
    assert done.exit_code == 0, done.output
    assert fa.get("/tasks").status_code == 401
    fresh()
    assert client.post("/api/v1/tokens", json={"username": "fa", "password": "correct horse battery"}
                       ).status_code == 401


def test_deactivating_an_unknown_user_says_so(app, staff):
    done = app.test_cli_runner().invoke(args=["users", "deactivate", "nobody"])
    assert done.exit_code != 0 and "no such user" in done.output


def test_an_expired_token_is_refused_though_cached(as_user, monkeypatch):
    fa = as_user("fa")
    assert fa.get("/tasks").status_code == 200
    later = users._token_now() + __import__("datetime").timedelta(days=2)
    monkeypatch.setattr(users, "_token_now", lambda: later)
    assert fa.get("/tasks").status_code == 401


def test_the_cache_forgets_after_its_time():
    now = [100.0]
    cache = token_cache.TokenCache(ttl=60, now=lambda: now[0])
    marker = object()
    cache.put("digest", marker)  # type: ignore[arg-type]
    assert cache.get("digest") is marker
    now[0] = 159.9
    assert cache.get("digest") is marker
    now[0] = 160.0
    assert cache.get("digest") is None


@pytest.mark.parametrize("roles_before, roles_after", [(("finance_assistant",), ())])
def test_a_cached_user_is_a_copy_no_request_can_change(as_user, roles_before, roles_after):
    fa = as_user("fa")
    assert fa.get("/tasks").status_code == 200
    cached = [e.user for e in token_cache.CACHE._entries.values() if e.user.username == "fa"]
    assert cached and all(sorted(u.roles) == list(roles_before) for u in cached)
    from sqlalchemy import inspect

    assert all(inspect(u).detached for u in cached)
