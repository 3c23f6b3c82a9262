"""Task completion over HTTP on the production server: gunicorn (gunicorn.conf.py, 2 workers)
in front of PostgreSQL with fsync on, driven by 4 client threads on keep-alive connections.

Prints, from one run:
  raw      the raw SpiffWorkflow cycle (bench/raw_engine.py), on one core
  limit    the raw cycle plus storing its state with one UPDATE and COMMIT through psycopg: the
           most a single core could do if the service added nothing but durability
  http     POST /api/v1/tasks/<id>/complete through gunicorn: completions a second and p95
and each figure against its goal. Usage: python bench/http_completion.py [completions]
"""
from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from contextlib import closing
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from app import clock  # noqa: E402
from app.engine import diagrams  # noqa: E402
from bench.raw_engine import VALID_PACK, XML, raw_cycle, state_at_validation  # noqa: E402

RATE_GOAL = 320.0        # completions a second: 10x spiff-arena's 32 in the same set-up
LIMIT_SHARE_GOAL = 0.50  # of the limit measured in this run
WORKERS = 2
CLIENT_THREADS = 4
PASSWORD = "bench-password"


def _free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def durable(url: str) -> None:
    """The test cluster starts without fsync; production runs with it, so this bench does."""
    import psycopg

    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            conn.execute(f"ALTER SYSTEM SET {setting} = on")
        conn.execute("SELECT pg_reload_conf()")


def per_second(n: int, one, warm: int = 20) -> float:
    for i in range(warm):
        one(-1 - i)
    began = time.perf_counter()
    for i in range(n):
        one(i)
    return n / (time.perf_counter() - began)


def limit_rate(url: str, n: int) -> float:
    """The raw cycle, then its state stored with one UPDATE and a COMMIT through psycopg."""
    import psycopg

    model = diagrams.load_model(XML)
    state = state_at_validation()
    cycle = raw_cycle(model, state)
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        conn.execute("CREATE TABLE bench_limit (id int PRIMARY KEY, state text)")
        conn.execute("INSERT INTO bench_limit VALUES (1, %s)", (state,))
        conn.commit()

        def one(i):
            cycle(i)
            conn.execute("UPDATE bench_limit SET state = %s WHERE id = 1", (state,))
            conn.commit()

        rate = per_second(n, one)
        conn.execute("DROP TABLE bench_limit")
        conn.commit()
    return rate


def seed(url: str, tasks: int) -> list[int]:
    """A finance assistant and `tasks` direct-payment agreements waiting at validation."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from app.models import HumanTask, TaskStatus
    from app.services.processes import definitions, instances
    from app.services.records import people
    from app.services.staff import users

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "CASEWORK_CLOCK": "real"})
    with app.app_context():
        upgrade()
        definitions.sync_workflows(app.config["WORKFLOWS_DIR"])
        users.add_user("bench", PASSWORD, ["finance_assistant"], "North")
        fa = users.authenticate("bench", PASSWORD)
        for i in range(tasks):
            people.create_person({
                "reference": f"H{i}", "name": "Bench Person", "team": "North",
                "caseworker": None, "representative": None,
                "address": {"lines": ["1 Road"], "postcode": "EX1 1AA"},
                "direct_payment": {"variant": "standard", "amount": "100.00",
                                   "frequency": "weekly", "client_contribution": "0"}}, fa)
            instance = instances.start_instance("direct_payment_agreement", f"H{i}", {}, fa)
            instances.deliver_message(instance.id, "paperwork_received", {}, fa)
        ids = list(db.session.scalars(select(HumanTask.id).where(
            HumanTask.status == TaskStatus.OPEN, HumanTask.name == "validate_agreement")
            .order_by(HumanTask.id)))
        db.session.remove()
        db.engine.dispose()
    return ids


class Server:
    """gunicorn with the repository's configuration, as production runs it."""

    def __init__(self, url: str):
        self.port = _free_port()
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-" + uuid.uuid4().hex,
               "CASEWORK_BIND": f"127.0.0.1:{self.port}",
               "CASEWORK_WEB_WORKERS": str(WORKERS), "CASEWORK_CLOCK": "real",
               "CASEWORK_ACCESS_LOG": "/dev/null", "CASEWORK_LOG_LEVEL": "warning"}
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py"],
            cwd=REPO, env=env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with closing(socket.create_connection(("127.0.0.1", self.port), timeout=1)):
                    return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("gunicorn did not start")
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not listen within 30 s")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _post(conn: http.client.HTTPConnection, path: str, body: dict,
          headers: dict[str, str]) -> tuple[int, bytes]:
    conn.request("POST", path, body=json.dumps(body), headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def complete_all(port: int, task_ids: list[int]) -> tuple[float, list[float]]:
    """Complete every task, CLIENT_THREADS at a time; completions a second and latencies (ms)."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    status, body = _post(conn, "/api/v1/tokens", {"username": "bench", "password": PASSWORD},
                         {"Content-Type": "application/json"})
    assert status == 201, body
    headers = {"Content-Type": "application/json",
               "Authorization": "Bearer " + json.loads(body)["token"]}
    payload = {"data": VALID_PACK}
    latencies: list[float] = []
    failures: list[str] = []
    queue = iter(task_ids)
    lock = threading.Lock()

    def client() -> None:
        own = http.client.HTTPConnection("127.0.0.1", port)
        while True:
            with lock:
                task_id = next(queue, None)
            if task_id is None:
                return
            began = time.perf_counter()
            status, body = _post(own, f"/api/v1/tasks/{task_id}/complete", payload, headers)
            took = 1000 * (time.perf_counter() - began)
            with lock:
                latencies.append(took)
                if status != 200:
                    failures.append(f"{status} {body[:200]!r}")

    threads = [threading.Thread(target=client) for _ in range(CLIENT_THREADS)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    if failures:
        raise SystemExit(f"{len(failures)} completions failed, e.g. {failures[0]}")
    return len(task_ids) / elapsed, latencies


def _children_cpu(parent: int) -> float:
    """CPU seconds used so far by the live children of `parent` (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == parent:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def cpu_split(server_pid: int, postmaster_pid: int) -> dict[str, float]:
    """Where the machine's CPU goes: the web workers, PostgreSQL, and these client threads."""
    return {"web workers": _children_cpu(server_pid),
            "PostgreSQL": _children_cpu(postmaster_pid), "client": time.process_time()}


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    from tests.pg_cluster import PostgresCluster

    clock.install(clock.FixedClock(datetime.fromisoformat("2026-03-02T09:00:00+00:00")))
    raw = per_second(max(n, 200), raw_cycle(diagrams.load_model(XML), state_at_validation()))
    cluster = PostgresCluster.start(REPO / ".pgtest" / f"http{uuid.uuid4().hex[:6]}")
    try:
        durable(cluster.url)
        limit = limit_rate(cluster.url, max(n, 200))
        clock.install(clock.RealClock())
        began = time.perf_counter()
        task_ids = seed(cluster.url, n + 20)
        print(f"seeded {len(task_ids)} tasks in {time.perf_counter() - began:.0f} s")
        server = Server(cluster.url)
        try:
            complete_all(server.port, task_ids[:20])  # both workers warm
            postmaster = int((cluster._dir / "data" / "postmaster.pid").read_text().split()[0])
            before = cpu_split(server.process.pid, postmaster)
            rate, latencies = complete_all(server.port, task_ids[20:])
            after = cpu_split(server.process.pid, postmaster)
        finally:
            server.stop()
    finally:
        cluster.stop()
    share = rate / limit
    print(f"raw SpiffWorkflow cycle, one core:        {raw:7.1f} a second")
    print(f"limit (raw + UPDATE + COMMIT, psycopg):   {limit:7.1f} a second")
    print(f"HTTP completion, gunicorn {WORKERS} workers, {CLIENT_THREADS} client threads, "
          f"{len(latencies)} tasks:")
    print(f"  rate: {rate:7.1f} a second (goal: at least {RATE_GOAL:.0f}, "
          f"{'met' if rate >= RATE_GOAL else 'MISSED'})")
    print(f"  share of the limit: {100 * share:5.1f}% (goal: at least "
          f"{100 * LIMIT_SHARE_GOAL:.0f}%, {'met' if share >= LIMIT_SHARE_GOAL else 'MISSED'}); "
          f"{100 * rate / raw:5.1f}% of the raw cycle")
    print(f"  p95: {p95(latencies):6.1f} ms, median {statistics.median(latencies):6.1f} ms")
    print("  CPU per completion: " + ", ".join(
        f"{name} {1000 * (after[name] - before[name]) / len(latencies):.2f} ms"
        for name in before) + f" (of {2000 / rate:.2f} ms the 2 cores have per completion)")


if __name__ == "__main__":
    main()
