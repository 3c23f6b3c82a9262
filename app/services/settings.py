"""Settings: policy intervals, thresholds, fee tables and the letter header, changed and audited.

What exists, its DOMAIN.md default and what a valid value is: app/domain/settings_catalogue.py.
This module stores changes and reads the value in force. A diagram's `setting("name")` is read
when a timer starts waiting, so a change applies to timers set after it and never moves one
already set (moving one is the explicit, audited `instances.reschedule_timer`).
"""
from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NoReturn

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.domain import settings_catalogue as catalogue
from app.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.models import Setting, User
from app.services import audit
from app.services.transaction import use_case

# Kept for callers that read the defaults directly; the catalogue is the source.
DEFAULTS: dict[str, Any] = catalogue.defaults()
# The frozen demo clock shares the table but is no policy: never listed, read or changed here
# through the public functions (list_settings, describe, change, reset).
CLOCK_KEY = "clock.frozen_at"
INTERNAL_KEYS = frozenset({CLOCK_KEY})


@dataclass(frozen=True)
class SettingView:
    """A setting as the API shows it: the value in force, the default and who changed it last."""
    key: str
    value: Any
    default: Any
    type: str
    description: str
    source: str
    design_assumption: bool
    minimum: int | None
    maximum: int | None
    is_default: bool
    updated_at: datetime | None
    updated_by: str | None


def get(key: str) -> Any:
    """The value in force: the stored one, else the catalogue default."""
    row = db.session.get(Setting, key)
    if row is not None:
        return row.value
    if key in INTERNAL_KEYS:
        _missing(key)
    # A copy: a caller that edits what it read must not edit the catalogue's default.
    return copy.deepcopy(catalogue.spec(key).default)


def integer(key: str) -> int:
    """A whole-number setting, for diagrams' `setting(name)` in working-day arithmetic."""
    value = get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(f"setting '{key}' is not a whole number")
    return value


def put(key: str, value: Any, actor: User | None) -> Any:
    """Store a value inside the caller's transaction, audited with the old and the new value.

    Catalogue keys are validated (ValidationFailed) and stored as cleaned; internal keys (the
    frozen clock) are stored as given. Returns what was stored.
    """
    internal = key in INTERNAL_KEYS
    clean = value if internal else catalogue.clean(key, value)
    row = db.session.get(Setting, key)
    old = row.value if row is not None else (None if internal else catalogue.spec(key).default)
    if row is None:
        row = Setting(key=key)
        db.session.add(row)
    row.value = clean
    row.updated_at = clock.now()
    row.updated_by_id = actor.id if actor else None
    # Settings are policy, not personal data, so the audit keeps both values.
    audit.record("setting_changed", actor=actor, summary={
        "key": key, "old": _for_audit(key, old), "new": _for_audit(key, clean)})
    return clean


@use_case
def change(key: str, value: Any, actor: User) -> SettingView:
    """A manager's change of one setting: validated against its kind and its related settings."""
    _public(key)
    clean = catalogue.clean(key, value)
    problems = catalogue.order_problems(key, clean, get)
    if problems:
        raise ValidationFailed(f"'{key}' cannot take that value", problems)
    put(key, clean, actor)
    _flush()
    return describe(key)


@use_case
def reset(key: str, actor: User) -> SettingView:
    """Go back to the catalogue default (a later release's default then applies too), audited."""
    entry = _public(key)
    row = db.session.get(Setting, key)
    if row is not None:
        problems = catalogue.order_problems(key, entry.default, get)
        if problems:
            raise ValidationFailed(f"'{key}' cannot go back to its default", problems)
        audit.record("setting_reset", actor=actor, summary={
            "key": key, "old": _for_audit(key, row.value), "new": _for_audit(key, entry.default)})
        db.session.delete(row)
        _flush()
    return describe(key)


def list_settings() -> list[SettingView]:
    """Every public setting in catalogue order, with its value in force."""
    rows = {r.key: r for r in db.session.scalars(
        select(Setting).where(Setting.key.in_(catalogue.keys())))}
    names = _usernames({r.updated_by_id for r in rows.values() if r.updated_by_id})
    return [_view(key, rows.get(key), names) for key in catalogue.keys()]


def describe(key: str) -> SettingView:
    """One public setting; NotFound for an unknown or internal key."""
    _public(key)
    row = db.session.get(Setting, key)
    names = _usernames({row.updated_by_id} if row and row.updated_by_id else set())
    return _view(key, row, names)


def court_fee(amount: Decimal, on: date) -> Decimal:
    """The County Court issue fee under the configured, effective-dated tables (DOMAIN.md §2.4)."""
    return catalogue.court_fee(amount, on, get("court_fee_tables"))


def write_off_approver(amount: Decimal) -> str:
    """The role that approves writing off `amount` under the configured levels (A.3-WO)."""
    return catalogue.write_off_approver(amount, get("write_off_approval_levels"))


def _public(key: str) -> catalogue.SettingSpec:
    if key in INTERNAL_KEYS:
        _missing(key)
    return catalogue.spec(key)


def _missing(key: str) -> NoReturn:
    raise NotFound(f"no setting named '{key}'")


def _flush() -> None:
    # Two managers saving the same never-changed key at once both insert it; the second is told.
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise Conflict("someone else changed this setting at the same time; reload and retry"
                       ) from exc


def _view(key: str, row: Setting | None, names: dict[int, str]) -> SettingView:
    entry = catalogue.spec(key)
    return SettingView(
        key=key, value=row.value if row is not None else entry.default, default=entry.default,
        type=entry.type, description=entry.description, source=entry.source,
        design_assumption=entry.design_assumption, minimum=entry.minimum, maximum=entry.maximum,
        is_default=row is None, updated_at=row.updated_at if row is not None else None,
        updated_by=names.get(row.updated_by_id) if row is not None and row.updated_by_id else None)


def _usernames(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())


def _for_audit(key: str, value: Any) -> Any:
    # A logo is a data: URI of up to 100 KB; the audit keeps its fingerprint, not the image.
    if isinstance(value, dict) and value.get("logo"):
        digest = hashlib.sha256(value["logo"].encode()).hexdigest()[:16]
        return {**value, "logo": f"image sha256:{digest}"}
    return value
