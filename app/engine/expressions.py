"""Restricted expressions and scripts for BPMN diagrams.

Diagrams are edited in a browser, so a gateway condition, timer or due-date expression or a script task
must never run arbitrary Python. Two independent layers: an AST whitelist (also used at save time, so
problems come back to the modeler) and RestrictedPython's compiler with guards that refuse attribute
access. Only plain values and our own whitelisted functions are ever put into the namespace.

A diagram must not be able to take the server down either: the limits and the guards that enforce
them when a run grows a value are in expression_limits.py; JUEL translation is in juel.py.
Pure module: no Flask, no SpiffWorkflow.
"""

from __future__ import annotations

import ast
import builtins
import functools
import types
from collections.abc import Collection, Mapping

from RestrictedPython import compile_restricted_eval, compile_restricted_exec

from .expression_limits import (
    BINARY, FORMATTING, MAX_DEPTH, MAX_EXPRESSION_LENGTH, MAX_INT_BITS, MAX_SCRIPT_LENGTH, MAX_SIZE,
    SYMBOLS, TIME_LIMIT_SECONDS, TOO_BIG_NUMBER, TOO_LARGE, ExpressionError, GuardingTransformer,
    Guards, bounded_round, bounded_sum, int_result_bits, time_limit, too_long,
)
from .juel import translate_juel

# ExpressionError, time_limit and TIME_LIMIT_SECONDS are also imported from here by callers.
__all__ = ["FORBIDDEN_NAMES", "SAFE_BUILTINS", "TIME_LIMIT_SECONDS", "ExpressionError",
           "check_expression", "check_script", "evaluate", "execute", "time_limit"]


SAFE_BUILTINS: dict[str, object] = {
    **{
        name: getattr(builtins, name)
        for name in ("len", "min", "max", "abs", "int", "float", "str", "bool", "sorted", "any",
                     "all", "True", "False", "None")
    },
    "round": bounded_round,
    "sum": bounded_sum,
}
# `print` is listed because RestrictedPython rewrites it to a `_print_` collector that we do not provide.
FORBIDDEN_NAMES = frozenset({
    "open", "exec", "eval", "compile", "__import__", "getattr", "setattr", "delattr", "globals",
    "locals", "vars", "input", "breakpoint", "type", "object", "print",
})
# Builtins that must not be smuggled in as values either (`names={"g": getattr}` would reopen the door).
_FORBIDDEN_VALUES = frozenset(
    id(getattr(builtins, n)) for n in FORBIDDEN_NAMES if hasattr(builtins, n)
)

_OPS = (
    ast.And, ast.Or, ast.Not, ast.USub, ast.UAdd, ast.Add, ast.Sub, ast.Mult, ast.Div,
    ast.FloorDiv, ast.Mod, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn,
    ast.Is, ast.IsNot,
)
_EXPR_NODES = frozenset((
    ast.Expression, ast.BoolOp, ast.UnaryOp, ast.BinOp, ast.Compare, ast.Name, ast.Load,
    ast.Constant, ast.Call, ast.keyword, ast.List, ast.Tuple, ast.Dict, ast.Set, ast.Subscript,
    ast.Slice, ast.IfExp,
) + _OPS)
_SCRIPT_NODES = _EXPR_NODES | {
    ast.Module, ast.Assign, ast.AugAssign, ast.If, ast.Pass, ast.Expr, ast.Store,
}
# What may appear inside `x[...]`: a constant, a variable or simple arithmetic on them, or a slice of those.
_INDEX_NODES = (
    ast.Constant, ast.Name, ast.Load, ast.UnaryOp, ast.BinOp, ast.Slice, ast.USub, ast.UAdd,
    ast.Add, ast.Sub, ast.Mult, ast.FloorDiv, ast.Mod,
)
_CONSTANT_TYPES = (str, int, float, bool, type(None))
# Parts of nodes that are rejected anyway: reporting them too would only be noise.
_SILENT = frozenset((
    ast.Store, ast.Del, ast.arguments, ast.arg, ast.alias, ast.comprehension, ast.ExceptHandler,
    ast.withitem,
))
_FRIENDLY = {
    ast.Lambda: "lambda",
    ast.ListComp: "comprehension", ast.SetComp: "comprehension", ast.DictComp: "comprehension",
    ast.GeneratorExp: "generator expression",
    ast.JoinedStr: "f-string", ast.FormattedValue: "f-string",
    ast.Starred: "'*' unpacking",
    ast.NamedExpr: "':=' assignment",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield",
    ast.Import: "import", ast.ImportFrom: "import",
    ast.For: "for loop", ast.While: "while loop",
    ast.FunctionDef: "function definition", ast.ClassDef: "class definition",
    ast.With: "with", ast.Try: "try", ast.Raise: "raise",
    ast.Global: "global", ast.Nonlocal: "nonlocal", ast.Delete: "del",
    ast.Pow: "'**' operator", ast.Invert: "'~' operator", ast.MatMult: "'@' operator",
}


# --- static check -------------------------------------------------------------------------------------
def _check(
    tree: ast.AST, whitelist: frozenset, allowed_names: Collection[str] | None, script: bool
) -> list[str]:
    found: dict[tuple[int, str], None] = {}  # ordered and deduplicated
    callable_names = None if allowed_names is None else set(allowed_names) | set(SAFE_BUILTINS)

    def report(node: ast.AST, message: str) -> None:
        found[(getattr(node, "lineno", 0) if script else 0, message)] = None

    def bad_name(node: ast.AST, name: str | None) -> None:
        if name and name.startswith("_"):
            report(node, f"name '{name}' is not allowed (names must not start with '_')")
        elif name in FORBIDDEN_NAMES:
            report(node, f"name '{name}' is not allowed")

    for node in ast.walk(tree):
        # `type(node) is` rather than a variable: mypy narrows the node's type only this way.
        kind = type(node)
        if type(node) is ast.Attribute:
            report(node, f"attribute access '.{node.attr}' is not allowed")
        elif kind not in whitelist:
            if kind not in _SILENT:
                report(node, f"{_FRIENDLY.get(kind, kind.__name__)} is not allowed")
        elif type(node) is ast.Name:
            bad_name(node, node.id)
        elif type(node) is ast.keyword:
            if node.arg is None:
                report(node, "'**' unpacking is not allowed")
            bad_name(node, node.arg)
        elif type(node) is ast.Constant and not isinstance(node.value, _CONSTANT_TYPES):
            report(node, f"constant {node.value!r} is not allowed")
        elif type(node) is ast.Constant and isinstance(node.value, int):
            if node.value.bit_length() > MAX_INT_BITS:
                report(node, f"numbers larger than {MAX_INT_BITS} bits are not allowed")
        elif type(node) is ast.BinOp:
            problem = _literal_binop_problem(node)
            if problem:
                report(node, problem)
        elif type(node) is ast.Call:
            if not isinstance(node.func, ast.Name):
                report(node, "only calls of plain function names are allowed")
            elif (
                callable_names is not None
                and node.func.id not in callable_names
                and not (node.func.id.startswith("_") or node.func.id in FORBIDDEN_NAMES)
            ):  # reported as a name
                report(node, f"unknown function '{node.func.id}'")
        elif type(node) is ast.Subscript:
            if not all(isinstance(sub, _INDEX_NODES) for sub in ast.walk(node.slice)):
                report(node, "an index must be a constant, a variable or simple arithmetic on them")
        elif type(node) is ast.Dict and None in node.keys:
            report(node, "'**' unpacking is not allowed")
        elif type(node) is ast.Compare:
            # `x is 1` is a bug and makes the compiler emit a SyntaxWarning; only `is None/True/False`.
            operands = [node.left, *node.comparators]
            for i, op in enumerate(node.ops):
                if isinstance(op, (ast.Is, ast.IsNot)) and any(
                    map(_is_literal, operands[i : i + 2])
                ):
                    report(node, "'is' only compares with None, True or False; use '=='")
        elif type(node) is ast.Assign or type(node) is ast.AugAssign:
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if not isinstance(target, ast.Name):
                    report(node, "only assignment to plain variable names is allowed")
    return [
        f"line {line}: {msg}" if line else msg for line, msg in sorted(found, key=lambda k: k[0])
    ]


def _is_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return not (node.value is None or node.value is True or node.value is False)
    return isinstance(node, (ast.List, ast.Tuple, ast.Dict, ast.Set))


def _literal_int(node: ast.AST) -> int | None:
    """The value of a whole number written with literals (`5`, `-5`, `1000 * 1000`), else None."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, int) else None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _literal_int(node.operand)
        return None if value is None else -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in (ast.Add, ast.Sub, ast.Mult):
        left, right = _literal_int(node.left), _literal_int(node.right)
        symbol = SYMBOLS[type(node.op)]
        if left is None or right is None or int_result_bits(symbol, left, right) > MAX_INT_BITS:
            return None
        return BINARY[symbol](left, right)
    return None


def _literal_size(node: ast.AST) -> int | None:
    """At least how large a string, list or tuple written with literals is (characters and items,
    as the run-time guards count them), else None."""
    if isinstance(node, ast.Constant):
        return len(node.value) if isinstance(node.value, str) else None
    if isinstance(node, (ast.List, ast.Tuple)):
        return len(node.elts) + sum(_literal_size(elt) or 0 for elt in node.elts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        for seq, count in ((node.left, node.right), (node.right, node.left)):
            size, times = _literal_size(seq), _literal_int(count)
            if size is not None and times is not None:
                return size * max(times, 0)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal_size(node.left), _literal_size(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def _literal_binop_problem(node: ast.BinOp) -> str | None:
    """An operation on literals that would be refused when run (`'a' * 10000000000`), said at save."""
    if isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant):
        return FORMATTING if isinstance(node.left.value, str) else None
    symbol = SYMBOLS.get(type(node.op))
    left, right = _literal_int(node.left), _literal_int(node.right)
    if symbol and left is not None and right is not None:
        return TOO_BIG_NUMBER if int_result_bits(symbol, left, right) > MAX_INT_BITS else None
    size = _literal_size(node)
    return TOO_LARGE if size is not None and size > MAX_SIZE else None


def _depth(tree: ast.AST) -> int:
    """How many levels deep the tree goes, counted without recursion (stops past MAX_DEPTH)."""
    deepest, stack = 0, [(tree, 1)]
    while stack and deepest <= MAX_DEPTH:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _too_deep(what: str) -> str:
    return f"the {what} is nested more than {MAX_DEPTH} levels deep"


def _parse_and_check(source: str, mode: str, allowed_names: Collection[str] | None) -> list[str]:
    what, limit = ("expression", MAX_EXPRESSION_LENGTH) if mode == "eval" else (
        "script", MAX_SCRIPT_LENGTH)
    if not isinstance(source, str):
        return [f"the {what} must be text"]
    if len(source) > limit:  # also keeps parsing and checking cheap
        return [too_long(what, limit)]
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as e:
        if e.lineno is None:  # e.g. NUL bytes in the source
            return [f"syntax error: {e.msg}"]
        return [f"syntax error at line {e.lineno}, column {e.offset}: {e.msg}"]
    except ValueError as e:  # NUL bytes, in older Pythons
        return [f"syntax error: {e}"]
    except (RecursionError, MemoryError):  # how the parser says "too deeply nested"
        return [_too_deep(what)]
    if _depth(tree) > MAX_DEPTH:
        return [_too_deep(what)]
    whitelist = _EXPR_NODES if mode == "eval" else _SCRIPT_NODES
    return _check(tree, whitelist, allowed_names, script=(mode == "exec"))


def check_expression(source: str, allowed_names: Collection[str] | None = None) -> list[str]:
    """Return the problems of an expression (empty list = allowed). `${...}` JUEL is translated first.

    If `allowed_names` is given, calls of functions outside it (and outside SAFE_BUILTINS) are reported.
    Never raises: any text gets a list of problems.
    """
    if not isinstance(source, str):
        return ["the expression must be text"]
    try:
        source = translate_juel(source)
    except ExpressionError as e:
        return [e.message]
    return _parse_and_check(source, "eval", allowed_names)


def check_script(source: str, allowed_names: Collection[str] | None = None) -> list[str]:
    """Return the problems of a script task's source (empty list = allowed); see check_expression."""
    return _parse_and_check(source, "exec", allowed_names)


# --- evaluation ---------------------------------------------------------------------------------------
def _quote(source: str, limit: int = 200) -> str:
    # Messages name the source; a 20,000-character script is named by its start.
    return repr(source) if len(source) <= limit else f"{source[:limit]!r}..."


@functools.lru_cache(maxsize=2048)
def _compiled(source: str, mode: str) -> types.CodeType:
    # Exceptions are not cached, so a rejected source is re-checked each time (cheap, and rare).
    problems = _parse_and_check(source, mode, None)
    if problems:
        raise ExpressionError(f"{'; '.join(problems)} in {_quote(source)}")
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    try:
        result = compiler(source, filename="<expression>", policy=GuardingTransformer)
    except (RecursionError, MemoryError) as e:  # MAX_DEPTH was checked; a deep caller stack adds up
        what = "expression" if mode == "eval" else "script"
        raise ExpressionError(f"the {what} is nested too deeply to compile in {_quote(source)}") from e
    if result.errors or result.code is None:
        raise ExpressionError(f"{'; '.join(result.errors)} in {_quote(source)}")
    return result.code


def _refuse_getattr(obj, name, default=None):
    raise ExpressionError(f"attribute access '.{name}' is not allowed")


def _write(obj):
    if isinstance(obj, (dict, list)):
        return obj
    raise ExpressionError(f"changing {type(obj).__name__} values is not allowed")


_GUARDS = {
    "__builtins__": SAFE_BUILTINS,
    "_getattr_": _refuse_getattr,
    "_getiter_": iter,
    "_write_": _write,
}


def _refuse_unsafe(value: object, path: str) -> None:
    # A module or class is an escape hatch (`json.codecs.sys.modules`), even nested inside task data.
    # Walked without recursion, so deeply nested data cannot crash the check.
    seen: set[int] = set()
    stack = [(value, path)]
    while stack:
        value, path = stack.pop()
        if isinstance(value, (types.ModuleType, type)) or id(value) in _FORBIDDEN_VALUES:
            raise ExpressionError(
                f"'{path}' is a {type(value).__name__}; only plain values may be passed in"
            )
        if isinstance(value, (dict, list, tuple, set, frozenset)) and id(value) not in seen:
            seen.add(id(value))
            items = value.items() if isinstance(value, dict) else enumerate(value)
            stack.extend((item, f"{path}[{key!r}]") for key, item in items)


def _namespace(names: Mapping[str, object]) -> dict:
    env = {}
    for key, value in names.items():
        # `_` names are unreachable from checked source; skipping them also keeps guards unoverridable.
        if isinstance(key, str) and not key.startswith("_"):
            _refuse_unsafe(value, key)
            env[key] = value
    env.update(_GUARDS)
    return env


def _run(source: str, mode: str, env: dict):
    code = _compiled(source, mode)
    env.update(Guards("expression" if mode == "eval" else "script").names())
    try:
        return eval(code, env) if mode == "eval" else exec(code, env)  # noqa: S307 - restricted code
    except ExpressionError as e:
        raise ExpressionError(f"{e.message} in {_quote(source)}") from e
    except Exception as e:  # NameError, TypeError, ZeroDivisionError, errors of our functions...
        detail = str(e) if len(str(e)) <= 300 else f"{str(e)[:300]}..."  # e.g. a KeyError's key
        raise ExpressionError(f"{type(e).__name__}: {detail} in {_quote(source)}") from e


def evaluate(source: str, names: Mapping[str, object]) -> object:
    """Check, compile (cached) and evaluate an expression with `names` as its only variables.

    `${...}` JUEL is translated first. Raises ExpressionError if the expression is not allowed, if a
    value in `names` is a module or class, if evaluation fails, or if it goes over a limit (a result
    too large, or longer than TIME_LIMIT_SECONDS).
    """
    source = translate_juel(source)
    return _run(source, "eval", _namespace(names))


def execute(source: str, names: dict) -> dict:
    """Check, compile (cached) and run a script; return its variables afterwards.

    The result holds every variable (new, changed or unchanged) except the guards and the functions that
    were passed in, so callers can `data.update(result)`. `names` itself is not modified. Errors and
    limits as for evaluate().
    """
    env = _namespace(names)
    _run(source, "exec", env)
    return {
        key: value
        for key, value in env.items()
        if not key.startswith("_") and not (callable(names.get(key)) and value is names[key])
    }
