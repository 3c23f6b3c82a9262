"""Bearer-token authentication and the role check every endpoint declares."""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Callable

from flask import g, request

from app.errors import Forbidden, Unauthenticated
from app.services.staff.users import user_for_token

if TYPE_CHECKING:  # the type only: the API never touches a model itself
    from app.models import User

ANY_ROLE: tuple[str, ...] = ()


def current_user() -> User:
    return g.user


def bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("send a bearer token (POST /api/v1/tokens)")
    return token.strip()


def requires(*roles: str) -> Callable:
    """Authenticate the bearer token; with roles, the user must hold at least one of them."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = user_for_token(bearer_token())
            if roles and not user.has_role(*roles):
                raise Forbidden(f"this needs one of the roles: {', '.join(roles)}")
            g.user = user
            return view(*args, **kwargs)

        # Read by the OpenAPI document. functools.wraps's return type (typeshed's _Wrapped)
        # declares no room for an attribute of our own, though a function has it at run time.
        wrapper.required_roles = roles  # type: ignore[attr-defined]
        return wrapper

    return decorate
