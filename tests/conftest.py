"""Shared fixtures: an app on SQLite and on a real PostgreSQL, users, tokens and a frozen clock.

Databases are migrated once per session (Alembic, the same migrations production runs); each test
then gets a fresh copy of the SQLite file, or truncated PostgreSQL tables.
"""
from __future__ import annotations

import shutil
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from app import clock, create_app
from app.config import TestConfig
from app.extensions import db
from app.services.staff import users
from tests.pg_cluster import PostgresCluster

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app({**_config(url)})
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _config(url: str) -> dict:
    return {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()} | {
        "SQLALCHEMY_DATABASE_URI": url}


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.sqlite"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_url():
    cluster = PostgresCluster.start(REPO / ".pgtest" / uuid.uuid4().hex[:8])
    _migrate(cluster.url)
    yield cluster.url
    cluster.stop()


def _truncate_pg(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = [r[0] for r in conn.execute(text(
            "select tablename from pg_tables where schemaname = 'public' "
            "and tablename <> 'alembic_version'"))]
        conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                          + " RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request) -> str:
    return request.param


@pytest.fixture
def database_url(backend, request, tmp_path) -> str:
    if backend == "postgres":
        url = request.getfixturevalue("pg_url")
        _truncate_pg(url)
        return url
    path = tmp_path / "casework.sqlite"
    shutil.copy(request.getfixturevalue("sqlite_template"), path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(database_url):
    app = create_app(_config(database_url))
    with app.app_context():
        from app.services.processes import definitions

        assert not definitions.sync_workflows(app.config["WORKFLOWS_DIR"]).refused
        set_clock(datetime.fromisoformat("2026-03-02T09:00:00+00:00"))
        yield app
        db.session.remove()
        db.engine.dispose()
    clock.install(clock.RealClock())


@pytest.fixture
def client(app):
    return app.test_client()


def set_clock(instant: datetime) -> None:
    from app.services import settings

    settings.put(settings.CLOCK_KEY, instant.isoformat(), None)
    db.session.commit()


def add_user(username: str, *roles: str, team: str = "North") -> None:
    users.add_user(username, PASSWORD, list(roles), team, full_name=username.title())


@pytest.fixture
def staff(app):
    """The seven roles, one user each, in team North; plus an outsider in team South."""
    for name, role in [("fa", "finance_assistant"), ("fo", "finance_officer"),
                       ("fm", "finance_manager"), ("cw", "caseworker"), ("cm", "care_manager"),
                       ("legal", "legal"), ("admin", "admin")]:
        add_user(name, role)
    add_user("fa_south", "finance_assistant", team="South")
    return app


@pytest.fixture
def no_placeholders(staff):
    """Demo switch: Letter of Claim enclosures still hold placeholder text (the official wording
    is not in this repository)."""
    from app.models import User
    from app.services import settings

    admin = db.session.scalar(select(User).where(User.username == "admin"))
    settings.change("allow_placeholder_enclosures", True, admin)
    db.session.commit()


class Api:
    """A small JSON client that signs in as a user."""

    def __init__(self, client, username: str):
        self.client = client
        response = client.post("/api/v1/tokens", json={"username": username,
                                                       "password": PASSWORD})
        assert response.status_code == 201, response.json
        self.headers = {"Authorization": f"Bearer {response.json['token']}"}

    def __getattr__(self, method):
        def call(path, **kwargs):
            headers = {**self.headers, **kwargs.pop("headers", {})}
            return getattr(self.client, method)(f"/api/v1{path}", headers=headers, **kwargs)
        return call


@pytest.fixture
def as_user(client, staff):
    return lambda username: Api(client, username)


