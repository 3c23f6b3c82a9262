"""Errors on the pages are pages: a 403, 404 or 409 explains itself in HTML, not JSON."""
from __future__ import annotations

from flask import Flask, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from app.errors import (
    AppError,
    answer_unexpected,
    end_failed_request,
    envelope,
    is_unreachable_database,
    retry_after,
    unavailable_envelope,
)

from . import bp

HEADINGS = {400: "The form could not be sent", 403: "You cannot open this page", 404: "Page not found",
            409: "This has changed since you opened it", 413: "The file is too large",
            422: "There is a problem"}
MESSAGES = {403: "Your role or team does not give you access to it.",
            404: "Check the address, or find the person or task again.",
            409: "Someone else may have done it already. Go back to your tasks.",
            413: "Go back and attach a file of 4 MB or less."}


def _page(status: int, message: str | None = None):
    try:
        return render_template("error.html", errors=None,
                               heading=HEADINGS.get(status, "Sorry, there is a problem"),
                               message=message or MESSAGES.get(status, "")), status
    except Exception as exc:  # the header names who is signed in, which needs the database
        if not is_unreachable_database(exc):
            raise
        return _unavailable(exc)


def _unavailable(exc: BaseException):
    """The GOV.UK "service unavailable" page, naming nobody: Flask-Login's context processor
    would load the signed-in user for the template from the database that is away. The session
    is left as it is, so they are still signed in when it is back."""
    from .auth import login_manager

    end_failed_request(exc)
    login_manager._update_request_context_with_user()  # no user given: the anonymous one
    return retry_after(make_response(render_template("unavailable.html"), 503))


def wants_json() -> bool:
    # The modeler's Save draft and Publish read JSON, whatever went wrong.
    return request.method == "POST" and request.path.startswith("/processes/")


@bp.errorhandler(AppError)
def _app_error(exc: AppError):
    if wants_json():
        return envelope(exc.status, exc.message, exc.details)
    # Another team's task is "not found" to the API; the page says so plainly.
    return _page(exc.status, exc.message if exc.status in (409, 422) else None)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    if wants_json():
        return envelope(exc.code or 500, exc.description or "")
    return _page(exc.code or 500)


@bp.errorhandler(Exception)
def _unexpected(exc: Exception):
    # Signed-in pages load their user from the database before anything else, so a database
    # that cannot be reached surfaces here first.
    if wants_json() or not is_unreachable_database(exc):
        return answer_unexpected(exc)
    return _unavailable(exc)


def register(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)  # the API is exempt: only pages post forms
    def _csrf(exc):
        if wants_json():  # the modeler: its session idled out (401) or its token is stale
            from flask_login import current_user

            try:
                signed_in = current_user.is_authenticated
            except Exception as error:  # the user is loaded from the database
                if not is_unreachable_database(error):
                    raise
                end_failed_request(error)
                return unavailable_envelope()
            if not signed_in:
                return envelope(401, "you were signed out; sign in again")
            return envelope(400, "the page expired: reload it and try again")
        return _page(400, "The form expired. Go back, reload the page and try again.")
