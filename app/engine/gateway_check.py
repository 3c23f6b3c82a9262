"""Whether the conditions leaving an exclusive gateway can be shown to exclude each other.

At run time two true conditions stop the step (an incident), so a diagram whose conditions
overlap works until the day a case answers both. The check warns while the diagram is edited.
It recognises exclusion by construction only, which is how managers are asked to write them:
- one condition has `not X` among its `and` parts, where X is the other condition or one of
  its `and` parts (`deceased` / `concern and not deceased`);
- both compare one variable with different values (`decision == 'stop'` /
  `decision == 'more_time'`, or `in` lists that share no value);
- the other condition is an `or` whose every part is excluded.
Pure: the lxml tree and Python's ast.
"""
from __future__ import annotations

import ast
from itertools import combinations

from .bpmn import BPMN
from .expressions import check_expression
from .juel import translate_juel
from .types import Problem


def exclusivity_warnings(root) -> list[Problem]:
    """A warning on each exclusive gateway with two conditions that could both be true.

    Never raises: a gateway the analysis cannot follow gets no warning, and a condition the
    expression check refuses is left out (that check reports it on its flow)."""
    flows = list(root.iter(f"{BPMN}sequenceFlow"))
    names = {n.get("id"): n.get("name") or n.get("id") for n in root.iter() if n.get("id")}
    warnings = []
    for gateway in root.iter(f"{BPMN}exclusiveGateway"):
        try:
            warnings.extend(_gateway_warnings(gateway, flows, names))
        except Exception:  # noqa: BLE001 - advice only: saving a diagram must never answer 500
            continue
    return warnings


def _gateway_warnings(gateway, flows, names) -> list[Problem]:
    conditions = []
    for flow in flows:
        if flow.get("sourceRef") != gateway.get("id") or flow.get("id") == gateway.get("default"):
            continue
        text = (flow.findtext(f"{BPMN}conditionExpression") or "").strip()
        parsed = _parse(text)
        if parsed is not None:
            conditions.append((names.get(flow.get("targetRef")), _shortened(text), parsed))
    warnings = []
    for (first, first_text, a), (second, second_text, b) in combinations(conditions, 2):
        if not exclusive(a, b):
            warnings.append(Problem(
                f"The routes to '{first}' ({first_text}) and to '{second}' ({second_text}) "
                "could both be taken: a case that meets both would stop here. Add "
                "'and not (…)' of one condition to the other",
                gateway.get("id"), warning=True))
    return warnings


def _shortened(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _parse(text: str) -> ast.expr | None:
    """The condition's tree, or None when it is empty or the expression check refuses it: the
    analysis walks trees recursively, and only a checked one is known to be shallow enough."""
    if not text or check_expression(text):
        return None
    return ast.parse(translate_juel(text), mode="eval").body


def exclusive(a: ast.expr, b: ast.expr) -> bool:
    """True when `a` and `b` cannot both hold, by one of the constructions above."""
    for left, right in ((a, b), (b, a)):
        if isinstance(right, ast.BoolOp) and isinstance(right.op, ast.Or):
            if all(exclusive(left, part) for part in right.values):
                return True
        right_parts = {_key(p) for p in _conjuncts(right)} | {_key(right)}
        for part in _conjuncts(left):
            if (isinstance(part, ast.UnaryOp) and isinstance(part.op, ast.Not)
                    and _key(part.operand) in right_parts):
                return True
    return any(_disjoint_values(x, y) for x in _conjuncts(a) for y in _conjuncts(b))


def _conjuncts(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        return [part for value in node.values for part in _conjuncts(value)]
    return [node]


def _key(node: ast.expr) -> str:
    return ast.dump(node)  # positions are left out, so equal expressions give equal keys


def _disjoint_values(x: ast.expr, y: ast.expr) -> bool:
    left, right = _values_of(x), _values_of(y)
    if left is None or right is None or left[0] != right[0]:
        return False
    (_, wanted_left, negated_left), (_, wanted_right, negated_right) = left, right
    if negated_left and negated_right:
        return False
    if negated_left or negated_right:  # `v != c` against `v == c`: the same values, one negated
        return wanted_left == wanted_right
    return not (wanted_left & wanted_right)


def _values_of(node: ast.expr) -> tuple[str, frozenset, bool] | None:
    """`v == c`, `v != c`, `v in (c1, c2)` -> (variable, the constants, negated?)."""
    if not (isinstance(node, ast.Compare) and len(node.ops) == 1
            and isinstance(node.left, ast.Name)):
        return None
    op, other = node.ops[0], node.comparators[0]
    if isinstance(op, (ast.Eq, ast.NotEq)) and isinstance(other, ast.Constant):
        return node.left.id, frozenset([other.value]), isinstance(op, ast.NotEq)
    if isinstance(op, ast.In) and isinstance(other, (ast.Tuple, ast.List, ast.Set)) and all(
            isinstance(e, ast.Constant) for e in other.elts):
        return node.left.id, frozenset(e.value for e in other.elts), False  # type: ignore[attr-defined]
    return None
