"""Configuration from the environment."""
from __future__ import annotations

import os
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


class Config:
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'casework.sqlite'}"
    )
    # Every process (web, scheduler, letter worker) builds its engine from this. A pooled
    # connection is tested with a cheap round trip before use, so one left dead by a database
    # restart is replaced instead of failing the request or sweep that draws it.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Seconds a client is asked to wait (Retry-After) while the database cannot be reached: a
    # restart or a fail-over is over by then, so a client that honours it with a small retry
    # budget rides the outage out in one or two tries without hammering a recovering server.
    RETRY_AFTER_SECONDS = int(os.environ.get("CASEWORK_RETRY_AFTER_SECONDS", "30"))
    SECRET_KEY = os.environ.get("SECRET_KEY")  # unset: a random key kept in instance/ (app)
    CASEWORK_CLOCK = os.environ.get("CASEWORK_CLOCK", "real")
    TOKEN_TTL_HOURS = int(os.environ.get("CASEWORK_TOKEN_TTL_HOURS", "12"))
    # Unset (None): the scheduler_interval_seconds setting, which a manager may change, decides.
    SCHEDULER_INTERVAL_SECONDS = (float(os.environ["CASEWORK_SCHEDULER_INTERVAL"])
                                  if os.environ.get("CASEWORK_SCHEDULER_INTERVAL") else None)
    WORKFLOWS_DIR = Path(__file__).resolve().parent.parent / "workflows"
    PASSWORD_HASH_METHOD = "scrypt"
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    JSON_SORT_KEYS = False
    # Browser sessions: HTTPS-only cookies wherever the service is not on a developer's machine.
    SESSION_COOKIE_SECURE = os.environ.get("CASEWORK_SECURE_COOKIES", "0") == "1"
    SESSION_IDLE_MINUTES = int(os.environ.get("CASEWORK_SESSION_IDLE_MINUTES", "30"))
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session, which idles out


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    CASEWORK_CLOCK = "frozen"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast fixtures; production keeps scrypt
