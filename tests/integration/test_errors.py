"""An unexpected error answers the envelope and logs no personal data."""
from __future__ import annotations

import logging

from flask import request

from app.api import bp


def test_unhandled_error_is_a_500_envelope_and_the_log_has_no_message(client, caplog):
    app = client.application

    def explode():
        raise RuntimeError(request.args["who"])  # data from the request, as in real errors

    app.add_url_rule("/boom", "boom", explode)
    with caplog.at_level(logging.ERROR):
        response = client.get("/boom?who=Margaret+Ellis,+14+Orchard+Close")
    assert response.status_code == 500
    assert response.json["error"]["code"] == "internal"
    assert "RuntimeError" in caplog.text
    assert "Margaret" not in caplog.text and "Orchard" not in caplog.text
    assert bp.url_prefix == "/api/v1"
