"""Users, teams, passwords and API tokens."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, joinedload, selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from app import clock
from app.errors import Unauthenticated, ValidationFailed
from app.extensions import db
from app.models import ApiToken, Team, User, UserRole
from app.roles import ROLES
from app.services import audit
from app.services.staff import token_cache
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
    """The user a bearer token names, in this request's session.

    One indexed lookup says the token stands (not revoked, not expired: judged by real time, so
    a frozen demo clock cannot keep tokens alive forever); the user, their team and roles come
    from token_cache when a request of this process has loaded them in the last minute."""
    digest = _digest(token)
    row = db.session.execute(select(ApiToken.user_id, ApiToken.expires_at).where(
        ApiToken.token_hash == digest)).one_or_none()
    if row is None or row.expires_at <= _token_now():
        token_cache.CACHE.forget(digest)
        raise Unauthenticated("the token is unknown or has expired")
    user = token_cache.CACHE.get(digest)
    if user is None or user.id != row.user_id:
        user = _detached_user(row.user_id)
        if user is None or not user.active:
            raise Unauthenticated("the token is unknown or has expired")
        token_cache.CACHE.put(digest, user)
    # A copy bound to this request's session, made from the cached one without a query.
    return db.session.merge(user, load=False)


def _detached_user(user_id: int) -> User | None:
    """The user with team and roles loaded, in a session of its own that is closed at once: the
    copy the cache keeps is never attached to, nor expired by, any request's session."""
    with Session(db.engine) as own:
        return own.scalar(select(User).where(User.id == user_id)
                          .options(joinedload(User.team), selectinload(User.role_rows)))


@use_case
def revoke_token(token: str) -> None:
    """Sign an API client out: the token stops working in every process at once."""
    digest = _digest(token)
    db.session.execute(delete(ApiToken).where(ApiToken.token_hash == digest))
    token_cache.CACHE.forget(digest)


@use_case
def deactivate_user(username: str, actor: User | None) -> User:
    """Stop a user signing in or using the API: their tokens are deleted with it, and pages
    check that the user is active on every request."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise ValidationFailed("no such user", [{"field": "username", "message": "unknown user"}])
    user.active = False
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    token_cache.CACHE.forget_user(user.id)
    audit.record("user_deactivated", actor=actor, summary={"user_id": user.id})
    return user
