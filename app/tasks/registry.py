"""The shape of a service-task handler entry: the function and the parameters it takes."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Handler:
    func: Callable[..., dict | None]
    required: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()

    def __call__(self, case, **params: Any) -> dict | None:
        return self.func(case, **params)
