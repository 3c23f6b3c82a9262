"""The production server as gunicorn.conf.py configures it: it serves, and its access log keeps
query strings (which carry people's names) out."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import closing
from pathlib import Path

from tests.conftest import REPO


def _free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_gunicorn_serves_and_logs_no_query_strings(sqlite_template, tmp_path: Path):
    database = tmp_path / "casework.sqlite"
    database.write_bytes(sqlite_template.read_bytes())
    port, log = _free_port(), tmp_path / "access.log"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "test",
           "CASEWORK_BIND": f"127.0.0.1:{port}", "CASEWORK_WEB_WORKERS": "1",
           "CASEWORK_ACCESS_LOG": str(log)}
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c",
                               "gunicorn.conf.py"], cwd=REPO, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while _get_or_none(f"http://127.0.0.1:{port}/sign-in") is None:
            assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        assert _get(f"http://127.0.0.1:{port}/sign-in") == 200
        assert _get(f"http://127.0.0.1:{port}/api/v1/tasks?person_reference=Margaret+Ellis") == 401
    finally:
        server.terminate()
        server.wait(timeout=30)
    written = log.read_text()
    assert "/api/v1/tasks" in written and " 401 " in written
    assert "Margaret" not in written and "person_reference" not in written


def _get_or_none(url: str) -> int | None:
    try:
        return _get(url)
    except OSError:
        return None
