"""Restricted expressions and scripts for BPMN diagrams.

Diagrams are edited in a browser, so a gateway condition, timer or due-date expression or a script task
must never run arbitrary Python. Two independent layers: an AST whitelist (also used at save time, so
problems come back to the modeler) and RestrictedPython's compiler with guards that refuse attribute
access. Only plain values and our own whitelisted functions are ever put into the namespace.
Pure module: no Flask, no SpiffWorkflow.
"""

from __future__ import annotations

import ast
import builtins
import functools
import operator
import re
import types
from collections.abc import Collection, Mapping

from RestrictedPython import compile_restricted_eval, compile_restricted_exec


class ExpressionError(Exception):
    """An expression or script is not allowed, does not parse, or failed when evaluated."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


SAFE_BUILTINS: dict[str, object] = {
    name: getattr(builtins, name)
    for name in (
        "len",
        "min",
        "max",
        "abs",
        "round",
        "int",
        "float",
        "str",
        "bool",
        "sorted",
        "sum",
        "any",
        "all",
        "True",
        "False",
        "None",
    )
}
# `print` is listed because RestrictedPython rewrites it to a `_print_` collector that we do not provide.
FORBIDDEN_NAMES = frozenset(
    {
        "open",
        "exec",
        "eval",
        "compile",
        "__import__",
        "getattr",
        "setattr",
        "delattr",
        "globals",
        "locals",
        "vars",
        "input",
        "breakpoint",
        "type",
        "object",
        "print",
    }
)
# Builtins that must not be smuggled in as values either (`names={"g": getattr}` would reopen the door).
_FORBIDDEN_VALUES = frozenset(
    id(getattr(builtins, n)) for n in FORBIDDEN_NAMES if hasattr(builtins, n)
)

_OPS = (
    ast.And,
    ast.Or,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.FloorDiv,
    ast.Mod,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
    ast.Is,
    ast.IsNot,
)
_EXPR_NODES = frozenset(
    (
        ast.Expression,
        ast.BoolOp,
        ast.UnaryOp,
        ast.BinOp,
        ast.Compare,
        ast.Name,
        ast.Load,
        ast.Constant,
        ast.Call,
        ast.keyword,
        ast.List,
        ast.Tuple,
        ast.Dict,
        ast.Set,
        ast.Subscript,
        ast.Slice,
        ast.IfExp,
    )
    + _OPS
)
_SCRIPT_NODES = _EXPR_NODES | {
    ast.Module,
    ast.Assign,
    ast.AugAssign,
    ast.If,
    ast.Pass,
    ast.Expr,
    ast.Store,
}
# What may appear inside `x[...]`: a constant, a variable or simple arithmetic on them, or a slice of those.
_INDEX_NODES = (
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.UnaryOp,
    ast.BinOp,
    ast.Slice,
    ast.USub,
    ast.UAdd,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.FloorDiv,
    ast.Mod,
)
_CONSTANT_TYPES = (str, int, float, bool, type(None))
# Parts of nodes that are rejected anyway: reporting them too would only be noise.
_SILENT = frozenset(
    (
        ast.Store,
        ast.Del,
        ast.arguments,
        ast.arg,
        ast.alias,
        ast.comprehension,
        ast.ExceptHandler,
        ast.withitem,
    )
)
_FRIENDLY = {
    ast.Lambda: "lambda",
    ast.ListComp: "comprehension",
    ast.SetComp: "comprehension",
    ast.DictComp: "comprehension",
    ast.GeneratorExp: "generator expression",
    ast.JoinedStr: "f-string",
    ast.FormattedValue: "f-string",
    ast.Starred: "'*' unpacking",
    ast.NamedExpr: "':=' assignment",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Import: "import",
    ast.ImportFrom: "import",
    ast.For: "for loop",
    ast.While: "while loop",
    ast.FunctionDef: "function definition",
    ast.ClassDef: "class definition",
    ast.With: "with",
    ast.Try: "try",
    ast.Raise: "raise",
    ast.Global: "global",
    ast.Nonlocal: "nonlocal",
    ast.Delete: "del",
    ast.Pow: "'**' operator",
    ast.Invert: "'~' operator",
    ast.MatMult: "'@' operator",
}


# --- JUEL ---------------------------------------------------------------------------------------------
_JUEL_TOKEN = re.compile(
    r"""
    (?P<ws>\s+) | (?P<str>'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")
  | (?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?) | (?P<ident>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<op>&&|\|\||==|!=|<=|>=|[<>!()+\-*/%,]) | (?P<bad>.)""",
    re.VERBOSE | re.DOTALL,
)
_JUEL_WORDS = {
    "eq": "==",
    "ne": "!=",
    "lt": "<",
    "gt": ">",
    "le": "<=",
    "ge": ">=",
    "div": "/",
    "mod": "%",
    "and": "and",
    "or": "or",
    "not": "not",
    "true": "True",
    "false": "False",
    "null": "None",
    "&&": "and",
    "||": "or",
    "!": "not",
}
_WORD_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_'\"")
_WORD_END = _WORD_START | {")"}
_JUEL_UNSUPPORTED = {
    "empty": "'empty'",
    "instanceof": "'instanceof'",
    ".": "property or method access '.'",
    "?": "ternary '? :'",
    ":": "ternary '? :'",
    "[": "indexing '[...]'",
    "]": "indexing '[...]'",
}


def translate_juel(text: str) -> str:
    """Translate a simple JUEL `${...}`/`#{...}` condition to Python; other text is returned unchanged.

    Comparisons, `&& || !`, the keyword operators and `true/false/null` are translated token by token,
    so string literals are never touched. Anything else raises ExpressionError("unsupported JUEL: ...").
    """
    stripped = text.strip()
    if not (stripped[:2] in ("${", "#{") and stripped.endswith("}")):
        return text
    out: list[str] = []
    after_word_op = False
    for match in _JUEL_TOKEN.finditer(stripped[2:-1]):
        kind, tok = match.lastgroup, match.group()
        if kind == "bad" and tok in "'\"":
            raise ExpressionError(f"unsupported JUEL: unterminated string in {stripped!r}")
        if kind == "bad" or tok in _JUEL_UNSUPPORTED:
            what = _JUEL_UNSUPPORTED.get(tok, repr(tok))
            raise ExpressionError(f"unsupported JUEL: {what} in {stripped!r}")
        word_op = kind == "op" and tok in _JUEL_WORDS  # `&&`, `||`, `!` become `and`, `or`, `not`
        tok = _JUEL_WORDS.get(tok, tok) if kind in ("ident", "op") else tok
        prev = out[-1][-1] if out else " "
        # Keep words apart after translation: `!x` -> `not x`, `a&&b` -> `a and b`, `1or 2` -> `1 or 2`.
        if (
            kind != "ws"
            and not prev.isspace()
            and prev != "("
            and (word_op or after_word_op or (prev in _WORD_END and tok[0] in _WORD_START))
        ):
            out.append(" ")
        after_word_op = word_op
        out.append(tok)
    result = "".join(out).strip()
    if not result:
        raise ExpressionError(f"unsupported JUEL: empty expression {stripped!r}")
    return result


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
        kind = type(node)
        if kind is ast.Attribute:
            report(node, f"attribute access '.{node.attr}' is not allowed")
        elif kind not in whitelist:
            if kind not in _SILENT:
                report(node, f"{_FRIENDLY.get(kind, kind.__name__)} is not allowed")
        elif kind is ast.Name:
            bad_name(node, node.id)
        elif kind is ast.keyword:
            if node.arg is None:
                report(node, "'**' unpacking is not allowed")
            bad_name(node, node.arg)
        elif kind is ast.Constant and not isinstance(node.value, _CONSTANT_TYPES):
            report(node, f"constant {node.value!r} is not allowed")
        elif kind is ast.Call:
            if not isinstance(node.func, ast.Name):
                report(node, "only calls of plain function names are allowed")
            elif (
                callable_names is not None
                and node.func.id not in callable_names
                and not (node.func.id.startswith("_") or node.func.id in FORBIDDEN_NAMES)
            ):  # reported as a name
                report(node, f"unknown function '{node.func.id}'")
        elif kind is ast.Subscript:
            if not all(isinstance(sub, _INDEX_NODES) for sub in ast.walk(node.slice)):
                report(node, "an index must be a constant, a variable or simple arithmetic on them")
        elif kind is ast.Dict and None in node.keys:
            report(node, "'**' unpacking is not allowed")
        elif kind is ast.Compare:
            # `x is 1` is a bug and makes the compiler emit a SyntaxWarning; only `is None/True/False`.
            operands = [node.left, *node.comparators]
            for i, op in enumerate(node.ops):
                if isinstance(op, (ast.Is, ast.IsNot)) and any(
                    map(_is_literal, operands[i : i + 2])
                ):
                    report(node, "'is' only compares with None, True or False; use '=='")
        elif kind in (ast.Assign, ast.AugAssign):
            for target in node.targets if kind is ast.Assign else [node.target]:
                if not isinstance(target, ast.Name):
                    report(node, "only assignment to plain variable names is allowed")
    return [
        f"line {line}: {msg}" if line else msg for line, msg in sorted(found, key=lambda k: k[0])
    ]


def _is_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return not (node.value is None or node.value is True or node.value is False)
    return isinstance(node, (ast.List, ast.Tuple, ast.Dict, ast.Set))


def _parse_and_check(source: str, mode: str, allowed_names: Collection[str] | None) -> list[str]:
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as e:
        return [f"syntax error at line {e.lineno}, column {e.offset}: {e.msg}"]
    except ValueError as e:  # e.g. NUL bytes in the source
        return [f"syntax error: {e}"]
    whitelist = _EXPR_NODES if mode == "eval" else _SCRIPT_NODES
    return _check(tree, whitelist, allowed_names, script=(mode == "exec"))


def check_expression(source: str, allowed_names: Collection[str] | None = None) -> list[str]:
    """Return the problems of an expression (empty list = allowed). `${...}` JUEL is translated first.

    If `allowed_names` is given, calls of functions outside it (and outside SAFE_BUILTINS) are reported.
    """
    try:
        source = translate_juel(source)
    except ExpressionError as e:
        return [e.message]
    return _parse_and_check(source, "eval", allowed_names)


def check_script(source: str, allowed_names: Collection[str] | None = None) -> list[str]:
    """Return the problems of a script task's source (empty list = allowed); see check_expression."""
    return _parse_and_check(source, "exec", allowed_names)


# --- evaluation ---------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=2048)
def _compiled(source: str, mode: str) -> types.CodeType:
    # Exceptions are not cached, so a rejected source is re-checked each time (cheap, and rare).
    problems = _parse_and_check(source, mode, None)
    if problems:
        raise ExpressionError(f"{'; '.join(problems)} in {source!r}")
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compiler(source, filename="<expression>")
    if result.errors or result.code is None:
        raise ExpressionError(f"{'; '.join(result.errors)} in {source!r}")
    return result.code


def _refuse_getattr(obj, name, default=None):
    raise ExpressionError(f"attribute access '.{name}' is not allowed")


def _getitem(obj, index):
    if isinstance(obj, (dict, list, tuple, str)):
        return obj[index]
    raise ExpressionError(f"indexing {type(obj).__name__} values is not allowed")


def _write(obj):
    if isinstance(obj, (dict, list)):
        return obj
    raise ExpressionError(f"changing {type(obj).__name__} values is not allowed")


_INPLACE = {
    "+=": operator.add,
    "-=": operator.sub,
    "*=": operator.mul,
    "/=": operator.truediv,
    "//=": operator.floordiv,
    "%=": operator.mod,
}


def _inplacevar(op: str, left, right):
    if op not in _INPLACE:
        raise ExpressionError(f"operator {op!r} is not allowed")
    return _INPLACE[op](left, right)


_GUARDS = {
    "__builtins__": SAFE_BUILTINS,
    "_getattr_": _refuse_getattr,
    "_getitem_": _getitem,
    "_getiter_": iter,
    "_write_": _write,
    "_inplacevar_": _inplacevar,
}


def _refuse_unsafe(value, path: str, seen: set[int]) -> None:
    # A module or class is an escape hatch (`json.codecs.sys.modules`), even nested inside task data.
    if isinstance(value, (types.ModuleType, type)) or id(value) in _FORBIDDEN_VALUES:
        raise ExpressionError(
            f"'{path}' is a {type(value).__name__}; only plain values may be passed in"
        )
    if isinstance(value, (dict, list, tuple, set, frozenset)) and id(value) not in seen:
        seen.add(id(value))
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            _refuse_unsafe(item, f"{path}[{key!r}]", seen)


def _namespace(names: Mapping[str, object]) -> dict:
    env = {}
    for key, value in names.items():
        # `_` names are unreachable from checked source; skipping them also keeps guards unoverridable.
        if isinstance(key, str) and not key.startswith("_"):
            _refuse_unsafe(value, key, set())
            env[key] = value
    env.update(_GUARDS)
    return env


def _run(source: str, mode: str, env: dict):
    code = _compiled(source, mode)
    try:
        return eval(code, env) if mode == "eval" else exec(code, env)  # noqa: S307 - restricted code
    except ExpressionError as e:
        raise ExpressionError(f"{e.message} in {source!r}") from e
    except Exception as e:  # NameError, TypeError, ZeroDivisionError, errors of our functions...
        raise ExpressionError(f"{type(e).__name__}: {e} in {source!r}") from e


def evaluate(source: str, names: Mapping[str, object]) -> object:
    """Check, compile (cached) and evaluate an expression with `names` as its only variables.

    `${...}` JUEL is translated first. Raises ExpressionError if the expression is not allowed, if a
    value in `names` is a module or class, or if evaluation fails.
    """
    source = translate_juel(source)
    return _run(source, "eval", _namespace(names))


def execute(source: str, names: dict) -> dict:
    """Check, compile (cached) and run a script; return its variables afterwards.

    The result holds every variable (new, changed or unchanged) except the guards and the functions that
    were passed in, so callers can `data.update(result)`. `names` itself is not modified.
    """
    env = _namespace(names)
    _run(source, "exec", env)
    return {
        key: value
        for key, value in env.items()
        if not key.startswith("_") and not (callable(names.get(key)) and value is names[key])
    }
