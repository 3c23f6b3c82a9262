"""Sign-in, sign-out, sessions that end after inactivity, and the role check on every page."""
from __future__ import annotations

import functools
import time
from typing import TYPE_CHECKING, Callable
from urllib.parse import urlsplit

from flask import Flask, abort, flash, g, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired

from app.errors import Unauthenticated, envelope
from app.services.staff import users

from . import bp

if TYPE_CHECKING:  # the type only: pages never touch a model themselves
    from app.models import User

login_manager = LoginManager()
login_manager.login_view = "web.sign_in"
login_manager.login_message = "Sign in to continue."
login_manager.session_protection = "strong"


def init_login(app: Flask) -> None:
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    login_manager.init_app(app)
    app.before_request(_end_idle_session)


@login_manager.unauthorized_handler
def _sign_in_first():
    from .errors import wants_json

    if wants_json():  # the modeler's fetch: a JSON 401 it can explain, not a sign-in page
        return envelope(401, "you were signed out; sign in again")
    # After signing in, go back to the page, not to a form's POST address (the answers of a
    # POST after the session idled out cannot be kept; the page they came from can).
    back = request.full_path if request.method == "GET" else urlsplit(
        request.referrer or "").path or None
    flash("Sign in to continue.")
    return redirect(url_for("web.sign_in", next=back))


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    return users.active_user(int(user_id))


def _end_idle_session() -> None:
    """Sign out after SESSION_IDLE_MINUTES without a request (real time, not the case clock)."""
    from flask import current_app

    if "_user_id" not in session:
        return
    now = time.time()
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    last = session.get("last_seen", now)
    if now - last > idle:
        logout_user()
        session.clear()
        flash("You were signed out after a period of inactivity.")
        return
    session["last_seen"] = now


def page_requires(*roles: str) -> Callable:
    """Signed in; with roles, holding at least one of them (else 403)."""
    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if roles and not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)
        return wrapper
    return decorate


class SignInForm(FlaskForm):
    username = StringField("Username", validators=[InputRequired("Enter your username")])
    password = PasswordField("Password", validators=[InputRequired("Enter your password")])


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    form = SignInForm()
    failed = None
    if form.validate_on_submit():
        try:
            user = users.authenticate(form.username.data.strip(), form.password.data)
        except Unauthenticated:
            failed = "The username or password is not right"
        else:
            _fresh_session()
            login_user(user)
            session["last_seen"] = time.time()
            return redirect(safe_path(request.args.get("next")))
    return render_template("sign_in.html", form=form, failed=failed), 200 if not (
        failed or form.errors) else 422


@bp.post("/sign-out")
@login_required
def sign_out():
    logout_user()
    _fresh_session()
    return redirect(url_for("web.sign_in"))


def _fresh_session() -> None:
    # A new session on sign-in and sign-out, and with it a new CSRF token.
    session.clear()
    g.pop("csrf_token", None)


def safe_path(target: str | None) -> str:
    """A path on this service to go back to, or the inbox: never another site."""
    if target:
        parts = urlsplit(target.replace("\\", "/"))
        if (not parts.scheme and not parts.netloc and target.startswith("/")
                and not target.startswith("//") and target.isprintable()):
            return target
    return url_for("web.inbox")
