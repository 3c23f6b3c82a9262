"""When the database cannot be reached: 503 with Retry-After (the JSON envelope on the API, the
GOV.UK "service unavailable" page on pages), never a 500; once it is back, no 500 either (pooled
connections are pinged before use). The scheduler and the letter worker ride an outage out."""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from app import create_app
from app.extensions import db
from app.models import Team
from app.services.transaction import use_case
from tests.conftest import REPO, _config, _migrate, add_user
from tests.pg_cluster import PostgresCluster

UNAVAILABLE = "Sorry, the service is unavailable"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# ---- a database that is not there: the Flask test client -------------------------------------

@pytest.fixture
def down_app():
    """The app on a PostgreSQL port nothing listens on (connection refused at once)."""
    url = f"postgresql+psycopg://postgres@127.0.0.1:{_free_port()}/casework"
    app = create_app(_config(url) | {"CASEWORK_CLOCK": "real"})
    yield app
    with app.app_context():
        db.engine.dispose()


def _assert_unavailable_json(response) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)[:500]
    assert response.json["error"]["code"] == "unavailable"
    assert int(response.headers["Retry-After"]) > 0


def _assert_unavailable_page(response) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    assert int(response.headers["Retry-After"]) > 0
    page = response.get_data(as_text=True)
    assert f"<title>{UNAVAILABLE} – Care Finance Casework</title>" in page
    assert UNAVAILABLE in page and "may not have been saved" in page


def test_the_api_answers_503_json_with_retry_after(down_app):
    client = down_app.test_client()
    _assert_unavailable_json(client.get("/api/v1/tasks",
                                        headers={"Authorization": "Bearer some-token"}))
    _assert_unavailable_json(client.post("/api/v1/tokens",
                                         json={"username": "fa", "password": "whatever!!"}))


def test_pages_answer_the_service_unavailable_page(down_app):
    client = down_app.test_client()
    form = client.get("/sign-in")  # needs no database
    assert form.status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.get_data(as_text=True))[1]
    _assert_unavailable_page(client.post("/sign-in", data={
        "csrf_token": csrf, "username": "fa", "password": "correct horse battery"}))


def test_a_signed_in_page_whose_user_cannot_be_loaded_answers_the_page(down_app):
    from app.web.auth import login_manager

    client = down_app.test_client()
    form = client.get("/sign-in").get_data(as_text=True)  # a CSRF token, while anonymous
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]
    # The session is bound to the address and browser (session protection "strong").
    with down_app.test_request_context(environ_base=client.environ_base):
        identifier = login_manager._session_identifier_generator()
    with client.session_transaction() as session:
        session.update({"_user_id": "1", "_fresh": True, "_id": identifier,
                        "last_seen": time.time()})
    _assert_unavailable_page(client.get("/"))
    _assert_unavailable_page(client.get("/sign-in"))  # its header names who is signed in
    # The modeler's fetches read JSON whatever went wrong, a stale CSRF token included.
    _assert_unavailable_json(client.post("/processes/any/draft", data=b"<xml/>",
                                         headers={"X-CSRFToken": csrf}))
    _assert_unavailable_json(client.post("/processes/any/draft", data=b"<xml/>",
                                         headers={"X-CSRFToken": "stale"}))


# ---- a connection lost in the middle of a request ---------------------------------------------

@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_rollback_on_a_lost_connection_still_answers_503_and_keeps_nothing(
        backend, app, as_user, database_url):
    """The server ends the request's connection half way through a use case; the use case's
    rollback fails on the dead connection. The answer is 503, the half-done write is gone, and
    the next request on the same app works."""
    outside = create_engine(database_url)

    @use_case
    def half_done() -> None:
        db.session.add(Team(name="Half done"))
        db.session.flush()
        pid = db.session.execute(text("select pg_backend_pid()")).scalar_one()
        with outside.begin() as conn:
            conn.execute(text("select pg_terminate_backend(:pid)"), {"pid": pid})
        raise ValueError("any failure: the rollback that follows meets a dead connection")

    def view():
        half_done()
        return {}

    # A GET, as a route added here is outside the API blueprint that is exempt from CSRF.
    app.add_url_rule("/api/v1/test-half-done", "half_done", view)
    api = as_user("fa")
    _assert_unavailable_json(api.get("/test-half-done"))
    assert api.get("/tasks").status_code == 200
    with outside.connect() as conn:
        assert conn.execute(select(Team.name).where(Team.name == "Half done")).all() == []
    outside.dispose()


# ---- the scheduler and the letter worker --------------------------------------------------------

def _start_loop(command: str, url: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "test", "CASEWORK_CLOCK": "real",
           "CASEWORK_SCHEDULER_INTERVAL": "1", "PYTHONPATH": str(REPO)}
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", command],
                                cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _failed_passes(output: str) -> int:
    return sum(1 for line in output.splitlines()
               if "apscheduler.executors" in line and line.endswith(": OperationalError"))


def test_the_scheduler_and_letter_worker_log_the_type_only_and_carry_on(tmp_path):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{_free_port()}/casework"
    logs = {name: tmp_path / f"{name}.log" for name in ("scheduler", "letter-worker")}
    procs = [_start_loop(name, url, log) for name, log in logs.items()]
    try:
        deadline = time.monotonic() + 25
        while time.monotonic() < deadline and not all(
                _failed_passes(log.read_text()) >= 3 for log in logs.values()):
            time.sleep(0.2)
        assert all(proc.poll() is None for proc in procs), "a loop stopped on the outage"
    finally:
        for proc in procs:
            _stop(proc)
    for name, log in logs.items():
        output = log.read_text()
        assert _failed_passes(output) >= 3, f"{name}:\n{output[-3000:]}"  # it carried on
        # The message (which may hold the SQL and its parameters) never reaches the log.
        assert "Connection refused" not in output and "connection failed" not in output, output
        assert "Traceback" not in output and "[SQL" not in output, output


# ---- the must-show: PostgreSQL stops and starts under a running gunicorn -----------------------

class Http:
    """Plain HTTP to the server, answering (status, headers, body) for every status."""

    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self.browser = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def call(self, path: str, *, method: str = "GET", body: bytes | None = None,
             headers: dict | None = None, opener=None) -> tuple[int, dict, str]:
        request = urllib.request.Request(self.base + path, data=body, method=method,
                                         headers=headers or {})
        try:
            with (opener or urllib.request.build_opener()).open(request, timeout=20) as resp:
                return resp.status, dict(resp.headers), resp.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read().decode()

    def api(self, path: str, token: str) -> tuple[int, dict, str]:
        return self.call(f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"})

    def token(self, username: str, password: str) -> str:
        status, _, body = self.call("/api/v1/tokens", method="POST", body=json.dumps(
            {"username": username, "password": password}).encode(),
            headers={"Content-Type": "application/json"})
        assert status == 201, body
        return json.loads(body)["token"]

    def sign_in(self, username: str, password: str) -> None:
        _, _, form = self.call("/sign-in", opener=self.browser)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]
        status, _, page = self.call("/sign-in", method="POST", opener=self.browser,
                                    body=urllib.parse.urlencode({
                                        "csrf_token": csrf, "username": username,
                                        "password": password}).encode())
        assert status == 200 and "Sign out" in page, page[:500]

    def page(self, path: str) -> tuple[int, dict, str]:
        return self.call(path, opener=self.browser)


@pytest.fixture
def own_cluster(monkeypatch):
    """A cluster this test may stop: never the session's shared one, nor an external one."""
    monkeypatch.delenv("TEST_DATABASE_URL", raising=False)
    cluster = PostgresCluster.start(REPO / ".pgtest" / uuid.uuid4().hex[:8])
    try:
        _migrate(cluster.url)
        app = create_app(_config(cluster.url) | {"CASEWORK_CLOCK": "real"})
        with app.app_context():
            add_user("fa", "finance_assistant")
            db.session.remove()
            db.engine.dispose()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def gunicorn(own_cluster, tmp_path):
    """The production server (gunicorn.conf.py, two workers), its access log naming each
    answer's worker so the test can see that both workers were exercised."""
    port = _free_port()
    access = tmp_path / "access.log"
    env = {**os.environ, "DATABASE_URL": own_cluster.url, "SECRET_KEY": "test-secret",
           "CASEWORK_BIND": f"127.0.0.1:{port}", "CASEWORK_WEB_WORKERS": "2",
           "CASEWORK_CLOCK": "real", "CASEWORK_ACCESS_LOG": str(access)}
    with (tmp_path / "gunicorn.log").open("wb") as errors:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
             "--access-logformat", "%(p)s %(s)s %(U)s",
             "--no-control-socket"],  # its default path is shared by every gunicorn here
            cwd=REPO, env=env, stdout=errors, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        server = Http(port)
        deadline = time.monotonic() + 30
        while server_down(server):
            assert proc.poll() is None and time.monotonic() < deadline, (
                tmp_path / "gunicorn.log").read_text()[-3000:]
            time.sleep(0.1)
        yield server, access
    finally:
        _stop(proc, signal.SIGQUIT)  # gunicorn's quick shutdown


def server_down(server: Http) -> bool:
    try:
        return server.call("/sign-in")[0] != 200
    except OSError:
        return True


def _answers(access: Path, since: int) -> list[tuple[str, int, str]]:
    """(worker pid, status, path) of every answer logged after line `since`."""
    lines = access.read_text().splitlines()[since:]
    return [(pid, int(status), path) for pid, status, path in (line.split(" ", 2)
                                                               for line in lines)]


def _burst(server: Http, token: str, times: int) -> list[int]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda _: server.api("/tasks", token)[0], range(times)))


def _both_workers_answer(server: Http, token: str, access: Path, each: int) -> list[int]:
    """Bursts of API requests until both workers have answered `each` of them (at most 200)."""
    since = len(access.read_text().splitlines())
    statuses: list[int] = []
    while len(statuses) < 200:
        statuses += _burst(server, token, 16)
        time.sleep(0.05)  # the access log is written after the answer
        workers = Counter(pid for pid, _, path in _answers(access, since)
                          if path == "/api/v1/tasks")
        if len(workers) == 2 and min(workers.values()) >= each:
            return statuses
    raise AssertionError(f"the bursts never reached both workers: {workers}")


@pytest.mark.postgres
def test_postgres_stops_and_starts_under_gunicorn_503_while_down_no_500_after(
        own_cluster, gunicorn):
    server, access = gunicorn
    token = server.token("fa", "correct horse battery")
    server.sign_in("fa", "correct horse battery")
    # Both workers hold pooled connections (several each: their threads overlap).
    assert set(_both_workers_answer(server, token, access, each=4)) == {200}

    own_cluster.stop_server("fast")
    with ThreadPoolExecutor(max_workers=4) as pool:
        down = list(pool.map(lambda _: server.api("/tasks", token), range(8)))
    for status, headers, body in down:
        assert status == 503, body[:500]
        assert json.loads(body)["error"]["code"] == "unavailable"
        assert int(headers["Retry-After"]) > 0
    status, headers, page = server.page("/")
    assert status == 503 and UNAVAILABLE in page and int(headers["Retry-After"]) > 0

    own_cluster.start_server()  # on the same port
    after = _both_workers_answer(server, token, access, each=4)
    assert Counter(after) == {200: len(after)}, Counter(after)
    status, _, page = server.page("/")
    assert status == 200 and "Sign out" in page
