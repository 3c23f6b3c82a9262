"""Limits on what one expression or script may build, and the guards that enforce them when it runs.

A diagram must not be able to take the server down: every operation that can grow a value is
rewritten (GuardingTransformer) into a call of a guard (Guards) that refuses too large a result
before computing it, and checks a deadline. There are no loops, so bounded operations and a deadline
bound a whole run. The static check in expressions.py uses the same limits to say so at save.
Pure module: no Flask, no SpiffWorkflow.
"""

from __future__ import annotations

import ast
import contextlib
import contextvars
import numbers
import operator
import time
from collections.abc import Callable, Iterator
from typing import Any

from RestrictedPython.transformer import RestrictingNodeTransformer


class ExpressionError(Exception):
    """An expression or script is not allowed, does not parse, or failed when evaluated."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- limits -------------------------------------------------------------------------------------------
# Conditions, dates and small scripts about money in pence and counts of days need neither big numbers
# nor long text; these bounds are far above what the shipped diagrams use and far below what hurts.
MAX_EXPRESSION_LENGTH = 2_000  # characters (the longest shipped condition has about 200)
MAX_SCRIPT_LENGTH = 20_000
MAX_DEPTH = 100  # levels of the syntax tree: RestrictedPython and compile() recurse once per level
MAX_INT_BITS = 128  # about 3.4e38; a sum of money in pence needs under 64
MAX_SIZE = 100_000  # characters and items in one value, nested values counted each time they appear
MAX_TOTAL_SIZE = 1_000_000  # all values one run builds: many values each under MAX_SIZE add up
MAX_ROUND_DIGITS = 100  # round(5, -10**9) would compute 10**(10**9) first
# Lists, tuples, sets and dictionaries inside each other. Task data is flat, and storing an
# instance's data as JSON recurses once per level: 1,000 levels would crash the save.
MAX_VALUE_DEPTH = 20
# Per evaluation, in the evaluating thread's CPU time: on a loaded server the thread waits for the
# processor, and that wait must not refuse a correct due date. See time_limit() to change it.
TIME_LIMIT_SECONDS = 1.0

_TIME_LIMIT: contextvars.ContextVar[float | None] = contextvars.ContextVar("time_limit", default=None)
TOO_BIG_NUMBER = f"the result would be a number larger than the limit of {MAX_INT_BITS} bits"
TOO_LARGE = f"the result would be larger than the limit of {MAX_SIZE:,} characters or items"
FORMATTING = "string formatting with '%' is not allowed"
TOO_DEEP_VALUE = f"the result would be a value nested more than {MAX_VALUE_DEPTH} levels deep"


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Evaluations started inside the block get `seconds` instead of TIME_LIMIT_SECONDS."""
    token = _TIME_LIMIT.set(seconds)
    try:
        yield
    finally:
        _TIME_LIMIT.reset(token)


def bounded_round(number: Any, ndigits: Any = None) -> Any:
    # round(5, -10**9) computes 10**(10**9) before it rounds anything.
    if isinstance(ndigits, int) and abs(ndigits) > MAX_ROUND_DIGITS:
        raise ExpressionError(f"round() takes at most {MAX_ROUND_DIGITS} digits")
    return round(number, ndigits)


def bounded_sum(values: Any, /, start: Any = 0) -> Any:
    # sum(lists, []) copies the growing list at every step, all inside one C call.
    if not isinstance(start, numbers.Number):
        raise ExpressionError("sum() only adds numbers")
    # typeshed's numbers.Number declares no arithmetic, and narrowing to Complex instead would
    # refuse Decimal (registered only as a Number), so mypy finds no sum() for the narrowed start.
    return sum(values, start)  # type: ignore[call-overload]


# --- sizes --------------------------------------------------------------------------------------------
BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
}
SYMBOLS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
}
_SEQUENCES = (str, list, tuple)
_CONTAINERS = (list, tuple, set, frozenset, dict)


def _size(value: object) -> int:
    """Characters and items in `value`, nested values counted each time they appear (as printing,
    comparing or hashing it would visit them). Counting stops past MAX_SIZE, so it stays cheap.
    ExpressionError if it nests containers more than MAX_VALUE_DEPTH levels deep."""
    total, stack = 0, [(value, 1)]
    while stack and total <= MAX_SIZE:
        item, level = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, _CONTAINERS):
            if level > MAX_VALUE_DEPTH:
                raise ExpressionError(TOO_DEEP_VALUE)
            total += len(item)
            if total <= MAX_SIZE:
                children = [*item, *item.values()] if isinstance(item, dict) else item
                stack.extend((child, level + 1) for child in children)
    return total


def int_result_bits(op: str, left: int, right: int) -> int:
    """At most how many bits `left op right` has, known without computing it."""
    if op == "*":
        return left.bit_length() + right.bit_length()
    bits = max(left.bit_length(), right.bit_length())
    return bits + 1 if op in ("+", "-") else bits  # `/`, `//` and `%` never grow


def _result_size(op: str, left: object, right: object) -> int:
    """The size of `left op right` (see _size), known before computing it; ExpressionError if the
    result would be above the limits."""
    size = 0
    if op == "%" and isinstance(left, str):
        raise ExpressionError(FORMATTING)  # a width such as '%999999999s' is unbounded
    if isinstance(left, int) and isinstance(right, int):
        if int_result_bits(op, left, right) > MAX_INT_BITS:
            raise ExpressionError(TOO_BIG_NUMBER)
    elif op == "*":
        seq, times = (left, right) if isinstance(right, int) else (right, left)
        if isinstance(seq, _SEQUENCES) and isinstance(times, int) and times > 0:
            size = _size(seq) * times
    elif op == "+" and isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
        size = _size(left) + _size(right)
    if size > MAX_SIZE:
        raise ExpressionError(TOO_LARGE)
    return size


def _value_size(value: object) -> int:
    """The size of a value just made (a function's result, a list just built); ExpressionError if
    it is above the limits, or nested too deeply."""
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise ExpressionError(TOO_BIG_NUMBER)
    size = _size(value)
    if size > MAX_SIZE:
        raise ExpressionError(TOO_LARGE)
    return size


def too_long(what: str, limit: int) -> str:
    return f"the {what} is longer than the limit of {limit:,} characters"


# --- guards -------------------------------------------------------------------------------------------
_Visited = Any  # what an ast.NodeTransformer's visit returns: a node, several, or None


def _name(name: str) -> ast.Name:
    return ast.Name(name, ast.Load())


def _guarded(guard: str, node: _Visited) -> _Visited:
    """`node` passed through the guard called `guard`."""
    return ast.Call(_name(guard), [node], []) if isinstance(node, ast.expr) else node


class GuardingTransformer(RestrictingNodeTransformer):
    """RestrictedPython's policy, and every operation that can grow a value or take time made a call
    of a guard (see Guards): `a * b` -> `_binop_('*', a, b)`, `f(x)` -> `_call_(f, x)`,
    `[a, b]` -> `_built_([a, b])`, `a < b` -> `_compared_(a < b)`."""

    def visit_BinOp(self, node: ast.BinOp) -> _Visited:
        visited = super().visit_BinOp(node)
        symbol = SYMBOLS.get(type(node.op))  # any other operator is refused by the whitelist
        if not isinstance(visited, ast.BinOp) or symbol is None:
            return visited
        return ast.Call(_name("_binop_"), [ast.Constant(symbol), visited.left, visited.right], [])

    def visit_Call(self, node: ast.Call) -> _Visited:
        visited = super().visit_Call(node)
        if not isinstance(visited, ast.Call):
            return visited
        return ast.Call(_name("_call_"), [visited.func, *visited.args], visited.keywords)

    def visit_Compare(self, node: ast.Compare) -> _Visited:
        return _guarded("_compared_", super().visit_Compare(node))

    def visit_List(self, node: ast.List) -> _Visited:
        visited = super().visit_List(node)
        return _guarded("_built_", visited) if isinstance(node.ctx, ast.Load) else visited

    def visit_Tuple(self, node: ast.Tuple) -> _Visited:
        visited = super().visit_Tuple(node)
        return _guarded("_built_", visited) if isinstance(node.ctx, ast.Load) else visited

    def visit_Set(self, node: ast.Set) -> _Visited:
        return _guarded("_built_", super().visit_Set(node))

    def visit_Dict(self, node: ast.Dict) -> _Visited:
        return _guarded("_built_", super().visit_Dict(node))

    # The new nodes take the position of the node they wrap. RestrictedPython types every
    # visit_ as any visit's result (a node, several, or None); these two return their node.
    def visit_Expression(self, node: ast.Expression) -> _Visited:
        visited = super().visit_Expression(node)
        assert isinstance(visited, ast.Expression)
        return ast.fix_missing_locations(visited)

    def visit_Module(self, node: ast.Module) -> _Visited:
        visited = super().visit_Module(node)
        assert isinstance(visited, ast.Module)
        return ast.fix_missing_locations(visited)


def _getitem(obj, index):
    if isinstance(obj, (dict, list, tuple, str)):
        return obj[index]
    raise ExpressionError(f"indexing {type(obj).__name__} values is not allowed")


class Guards:
    """The guards of one run: each refuses a too large result and checks the run's deadline."""

    def __init__(self, what: str) -> None:
        limit = _TIME_LIMIT.get()
        self.seconds = TIME_LIMIT_SECONDS if limit is None else limit
        self.deadline = time.thread_time() + self.seconds
        self.what = what
        self.built_size = 0  # of all values made so far

    def names(self) -> dict[str, object]:
        return {
            "_binop_": self.binop,
            "_inplacevar_": self.inplacevar,
            "_call_": self.call,
            "_built_": self.built,
            "_compared_": self.compared,
            "_getitem_": self.getitem,
        }

    def tick(self) -> None:
        if time.thread_time() >= self.deadline:
            raise ExpressionError(
                f"the {self.what} took longer than the limit of {self.seconds:g} s"
            )

    def count(self, size: int) -> None:
        self.built_size += size
        if self.built_size > MAX_TOTAL_SIZE:
            raise ExpressionError(
                f"the {self.what} built more than the limit of {MAX_TOTAL_SIZE:,} characters or "
                "items in all"
            )

    def binop(self, op: str, left: Any, right: Any) -> Any:
        self.tick()
        self.count(_result_size(op, left, right))
        return BINARY[op](left, right)

    def inplacevar(self, op: str, left: Any, right: Any) -> Any:
        if op[:-1] not in BINARY:  # `x += 1` arrives as ("+=", x, 1)
            raise ExpressionError(f"operator {op!r} is not allowed")
        return self.binop(op[:-1], left, right)

    def call(self, func: Any, /, *args: Any, **kwargs: Any) -> Any:
        self.tick()
        key = kwargs.get("key")
        if callable(key):  # sorted/min/max call it once per item, out of our sight otherwise
            kwargs["key"] = lambda item: self.call(key, item)
        result = func(*args, **kwargs)
        self.count(_value_size(result))
        return result

    def built(self, value: Any) -> Any:
        self.tick()
        self.count(_value_size(value))
        return value

    def compared(self, value: Any) -> Any:
        self.tick()
        return value

    def getitem(self, obj: Any, index: Any) -> Any:
        self.tick()
        return _getitem(obj, index)
