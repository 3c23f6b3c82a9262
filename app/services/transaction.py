"""One use case = one database transaction."""
from __future__ import annotations

import functools
from typing import Callable, ParamSpec, TypeVar

from sqlalchemy.orm.exc import StaleDataError

from app.errors import Conflict
from app.extensions import db

P = ParamSpec("P")
R = TypeVar("R")


def use_case(func: Callable[P, R]) -> Callable[P, R]:
    """Commit when the use case returns, roll everything back when it raises.

    A lost optimistic-lock race (another request changed the instance first) becomes a 409.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            result = func(*args, **kwargs)
            db.session.commit()
            return result
        except StaleDataError as exc:
            db.session.rollback()
            raise Conflict("someone else changed this process instance first; reload and retry"
                           ) from exc
        except BaseException:
            db.session.rollback()
            raise

    return wrapper
