"""Who an API token belongs to, remembered for a short while in each web process.

Every API request names its user by a bearer token. Loading the token, the user, their team and
their roles costs more than the rest of a small request; this keeps a detached copy of the user
for TTL_SECONDS and puts a session-local copy of it in the request's session without a query.

What it does not remember is whether the token still stands: each request still asks the
database that the token exists and has not expired (one indexed lookup), so revoking a token or
deactivating a user (which deletes their tokens) takes effect at once in every process. What a
cached copy may show out of date for up to TTL_SECONDS is the user's name, team and roles:
whatever changes those must delete the user's tokens too (users.deactivate_user does).
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable

from app.models import User

TTL_SECONDS = 60.0
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class _Entry:
    user: User  # detached: never attached to any request's session
    kept_until: float


class TokenCache:
    def __init__(self, ttl: float = TTL_SECONDS, now: Callable[[], float] = time.monotonic):
        self._ttl = ttl
        self._now = now
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()  # gunicorn's threads share one cache per process

    def get(self, digest: str) -> User | None:
        entry = self._entries.get(digest)
        if entry is None:
            return None
        if entry.kept_until <= self._now():
            self.forget(digest)
            return None
        return entry.user

    def put(self, digest: str, user: User) -> None:
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()  # tokens are few; a flood of them must not grow memory
            self._entries[digest] = _Entry(user, self._now() + self._ttl)

    def forget(self, digest: str) -> None:
        with self._lock:
            self._entries.pop(digest, None)

    def forget_user(self, user_id: int) -> None:
        with self._lock:
            for digest in [d for d, e in self._entries.items() if e.user.id == user_id]:
                del self._entries[digest]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


CACHE = TokenCache()
