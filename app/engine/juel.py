"""Camunda writes conditions as JUEL (`${...}`): the simple comparison forms, translated to Python.

Anything else is refused with a clear message rather than guessed at. Pure module.
"""

from __future__ import annotations

import re

from .expression_limits import MAX_EXPRESSION_LENGTH, ExpressionError, too_long


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
    if len(stripped) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(too_long("expression", MAX_EXPRESSION_LENGTH))
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
