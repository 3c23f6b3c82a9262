"""The error family and the one envelope every error answers with."""
from __future__ import annotations

import traceback
from typing import Any

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

CODES = {400: "malformed", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "malformed",
         422: "validation_failed", 500: "internal"}


class AppError(Exception):
    status = 500

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []


class Malformed(AppError):
    status = 400


class Unauthenticated(AppError):
    status = 401


class Forbidden(AppError):
    status = 403


class NotFound(AppError):
    status = 404


class Conflict(AppError):
    status = 409


class ValidationFailed(AppError):
    status = 422


def envelope(status: int, message: str, details: list | None = None):
    body = {"error": {"code": CODES.get(status, "internal"), "message": message,
                      "details": details or []}}
    return jsonify(body), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(AppError)
    def _app_error(exc: AppError):
        return envelope(exc.status, exc.message, exc.details)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        return envelope(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        # The type and the frames only: request bodies and exception messages may hold
        # personal data, and logs must not.
        frames = "".join(traceback.format_tb(exc.__traceback__))
        app.logger.error("unhandled %s\n%s", type(exc).__name__, frames)
        return envelope(500, "something went wrong on our side")
