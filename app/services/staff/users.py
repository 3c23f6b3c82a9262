"""Users, teams, passwords and API tokens."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from app import clock
from app.errors import Unauthenticated, ValidationFailed
from app.extensions import db
from app.models import ApiToken, Team, User, UserRole
from app.roles import ROLES
from app.services import audit
from app.services.transaction import use_case

MIN_PASSWORD_LENGTH = 10


@dataclass
class _Hashing:
    method: str = "scrypt"
    dummy: str | None = None  # a hash made with `method`, once needed


_hashing = _Hashing()


def configure_password_hashing(method: str) -> None:
    """scrypt in production; tests choose a cheap method so a fixture user costs microseconds."""
    _hashing.method = method
    _hashing.dummy = None


def _hash(password: str) -> str:
    return generate_password_hash(password, method=_hashing.method)


def _dummy_hash() -> str:
    # Checked against when the username is unknown, so both paths cost one hash check.
    if _hashing.dummy is None:
        _hashing.dummy = _hash("not-a-real-password")
    return _hashing.dummy


def team_named(name: str) -> Team:
    """The team called `name`, created if new (inside the caller's transaction)."""
    team = db.session.scalar(select(Team).where(Team.name == name))
    if team is None:
        team = Team(name=name)
        db.session.add(team)
        db.session.flush()
    return team


@use_case
def add_user(username: str, password: str, roles: list[str], team: str,
             full_name: str = "") -> User:
    problems = []
    if not username or db.session.scalar(select(User).where(User.username == username)):
        problems.append({"field": "username", "message": "missing or already taken"})
    if len(password or "") < MIN_PASSWORD_LENGTH:
        problems.append({"field": "password",
                         "message": f"at least {MIN_PASSWORD_LENGTH} characters"})
    unknown = sorted(set(roles) - ROLES)
    if not roles or unknown:
        problems.append({"field": "role", "message": f"give roles from {sorted(ROLES)}"})
    if not team:
        problems.append({"field": "team", "message": "required"})
    if problems:
        raise ValidationFailed("the user cannot be added", problems)
    user = User(username=username, full_name=full_name or username,
                password_hash=_hash(password), team=team_named(team))
    user.role_rows = [UserRole(role=r) for r in sorted(set(roles))]
    db.session.add(user)
    db.session.flush()
    audit.record("user_added", actor=None, summary={"user_id": user.id, "roles": sorted(roles)})
    return user


def active_user(user_id: int) -> User | None:
    """The user a browser session names, or None once they have been made inactive."""
    user = db.session.get(User, user_id)
    return user if user is not None and user.active else None


def authenticate(username: str, password: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        check_password_hash(_dummy_hash(), password or "")
        raise Unauthenticated("wrong username or password")
    if not check_password_hash(user.password_hash, password or ""):
        raise Unauthenticated("wrong username or password")
    return user


def _token_now() -> datetime:
    """Token expiry is judged by real time (a frozen demo clock set in the past must not expire
    tokens the moment they are issued), or by the clock when it has been moved ahead of it."""
    return max(datetime.now(timezone.utc), clock.now())


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@use_case
def issue_token(username: str, password: str, ttl: timedelta) -> tuple[str, datetime]:
    user = authenticate(username, password)
    token = secrets.token_urlsafe(32)
    expires_at = _token_now() + ttl
    db.session.add(ApiToken(user_id=user.id, token_hash=_digest(token), expires_at=expires_at))
    return token, expires_at


def user_for_token(token: str) -> User:
    # Expiry is judged by real time: a frozen demo clock must not keep tokens alive forever.
    # One query for token, user and roles: every API request pays for this lookup.
    row = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == _digest(token))
        .options(joinedload(ApiToken.user).joinedload(User.role_rows))
    ).unique().scalar_one_or_none()
    if row is None or row.expires_at <= _token_now() or not row.user.active:
        raise Unauthenticated("the token is unknown or has expired")
    return row.user
