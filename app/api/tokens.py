from datetime import timedelta

from flask import current_app

from app.services.staff import users

from . import bp
from .auth import bearer_token, requires
from .schemas import TokenIn, TokenOut, load_json


@bp.post("/tokens")
def create_token():
    """Exchange a username and password for a bearer token."""
    body = load_json(TokenIn())
    ttl = timedelta(hours=current_app.config["TOKEN_TTL_HOURS"])
    token, expires_at = users.issue_token(body["username"], body["password"], ttl)
    return TokenOut().dump({"token": token, "expires_at": expires_at}), 201


@bp.delete("/tokens/current")
@requires()
def revoke_token():
    """Sign out: the bearer token sent with this request stops working at once."""
    users.revoke_token(bearer_token())
    return "", 204


# Read by the OpenAPI document. mypy knows no attributes of a function beyond its own; the
# other routes pass through @requires, whose untyped Callable lets theirs through unseen.
create_token.openapi = {  # type: ignore[attr-defined]
    "body": TokenIn, "response": TokenOut, "public": True}
revoke_token.openapi = {"status": 204}
