"""Dotted paths into a merge context: "council.name" reads context["council"]["name"]."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MISSING = object()  # what lookup() returns for an absent path


def lookup(context: Mapping[str, Any], path: str) -> Any:
    """The value at dotted ``path`` in ``context``, or the ``MISSING`` sentinel."""
    node: Any = context
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return MISSING
        node = node[part]
    return node
