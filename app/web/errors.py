"""Errors on the pages are pages: a 403, 404 or 409 explains itself in HTML, not JSON."""
from __future__ import annotations

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

from app.errors import AppError, envelope

from . import bp

HEADINGS = {400: "The form could not be sent", 403: "You cannot open this page", 404: "Page not found",
            409: "This has changed since you opened it", 413: "The file is too large",
            422: "There is a problem"}
MESSAGES = {403: "Your role or team does not give you access to it.",
            404: "Check the address, or find the person or task again.",
            409: "Someone else may have done it already. Go back to your tasks.",
            413: "Go back and attach a file of 4 MB or less."}


def _page(status: int, message: str | None = None):
    return render_template("error.html", heading=HEADINGS.get(status, "Sorry, there is a problem"),
                           message=message or MESSAGES.get(status, ""), errors=None), status


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


def register(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)  # the API is exempt: only pages post forms
    def _csrf(exc):
        if wants_json():  # the modeler: its session idled out (401) or its token is stale
            from flask_login import current_user

            if not current_user.is_authenticated:
                return envelope(401, "you were signed out; sign in again")
            return envelope(400, "the page expired: reload it and try again")
        return _page(400, "The form expired. Go back, reload the page and try again.")
