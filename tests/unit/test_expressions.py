"""The restricted expression evaluator: JUEL translation, AST whitelist, RestrictedPython evaluation."""

import json
import os

import pytest

from app.engine.expressions import (
    ExpressionError,
    check_expression,
    check_script,
    evaluate,
    execute,
)
from app.engine.juel import translate_juel


# --- JUEL translation ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "juel, python",
    [
        ("${amount > 100 && status == 'open'}", "amount > 100 and status == 'open'"),
        ("${!approved}", "not approved"),
        ("${a != b}", "a != b"),
        ('${x eq "a&&b"}', 'x == "a&&b"'),
        ("${x ne 'it\\'s || !'}", "x != 'it\\'s || !'"),
        ("${a lt 1 || b gt 2 or c le 3 and d ge 4}", "a < 1 or b > 2 or c <= 3 and d >= 4"),
        ("${x == null && y == true && z != false}", "x == None and y == True and z != False"),
        ("#{!(a&&b)}", "not (a and b)"),
        ("  ${ not done }  ", "not done"),
        ("${total div 2 mod 3}", "total / 2 % 3"),
    ],
)
def test_translate_juel(juel, python):
    assert translate_juel(juel) == python


@pytest.mark.parametrize("text", ["amount > 100", "x == '${a}'", "{'a': 1}", ""])
def test_text_not_wrapped_in_juel_is_unchanged(text):
    assert translate_juel(text) == text


@pytest.mark.parametrize(
    "juel, what",
    [
        ("${customer.name == 'x'}", "'.'"),
        ("${execution.getVariable('x')}", "'.'"),
        ("${empty list}", "empty"),
        ("${a ? b : c}", "ternary"),
        ("${bean['key']}", "indexing"),
        ("${'unterminated}", "unterminated"),
        ("${}", "empty expression"),
        ("${a} and ${b}", "'}'"),
    ],
)
def test_unsupported_juel_is_rejected(juel, what):
    with pytest.raises(ExpressionError, match="unsupported JUEL") as info:
        translate_juel(juel)
    assert what in info.value.message
    assert str(info.value) == info.value.message


def test_juel_is_evaluated_and_checked():
    assert (
        evaluate("${amount > 100 && status == 'open'}", {"amount": 150, "status": "open"}) is True
    )
    assert evaluate("${!approved}", {"approved": False}) is True
    assert check_expression("${amount gt 1}") == []
    assert "unsupported JUEL" in check_expression("${a.b}")[0]


# --- allowed expressions ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "source, names, expected",
    [
        ("amount > 100 and status == 'open'", {"amount": 101, "status": "open"}, True),
        ("not approved or amount <= 0", {"approved": True, "amount": 5}, False),
        ("status in ('open', 'pending')", {"status": "closed"}, False),
        ("x is None", {"x": None}, True),
        (
            "-a + b * 2 - c / 4 + d // 3 + e % 2",
            {"a": 1, "b": 2, "c": 8, "d": 7, "e": 3},
            -1 + 4 - 2 + 2 + 1,
        ),
        ("add(1, 2)", {"add": lambda a, b: a + b}, 3),
        ("add(a=1, b=2)", {"add": lambda a, b: a + b}, 3),
        ("len(items) + max(items) + sum([1, 2]) + abs(-1)", {"items": [1, 5]}, 2 + 5 + 3 + 1),
        ("round(float('2.5') + int('1')) + bool(0)", {}, 4),
        ("sorted(items)[0] + items[-1]", {"items": [3, 1]}, 2),
        ("d['k'] + s[1:] + str(n)", {"d": {"k": "a"}, "s": "xb", "n": 1}, "ab1"),
        ("'yes' if flag else 'no'", {"flag": True}, "yes"),
        ("{'a': [1, 2], 'b': {3}}", {}, {"a": [1, 2], "b": {3}}),
        ("any([a, b]) and not all([a, b])", {"a": True, "b": False}, True),
    ],
)
def test_allowed_expressions_evaluate(source, names, expected):
    assert check_expression(source) == []
    assert evaluate(source, names) == expected


def test_allowed_names_restrict_calls_but_not_safe_builtins():
    assert check_expression("add(1, len(x))", allowed_names={"add"}) == []
    assert check_expression("foo(1)", allowed_names={"add"}) == ["unknown function 'foo'"]
    assert check_expression("foo(1)") == []  # without a list, any plain name may be called


def test_evaluation_errors_are_wrapped_with_source():
    for source, names, kind in [
        ("1 / 0", {}, "ZeroDivisionError"),
        ("missing + 1", {}, "NameError"),
        ("len(1)", {}, "TypeError"),
        ("range(3)", {}, "NameError"),
        ("fail()", {"fail": lambda: {}["x"]}, "KeyError"),
    ]:
        with pytest.raises(ExpressionError, match=kind) as info:
            evaluate(source, names)
        assert repr(source) in info.value.message


def test_syntax_error_is_a_problem_with_position():
    problems = check_expression("amount >")
    assert len(problems) == 1 and problems[0].startswith("syntax error at line 1")
    with pytest.raises(ExpressionError, match="syntax error"):
        evaluate("amount >", {"amount": 1})


def test_compiled_code_is_cached():
    from app.engine import expressions

    expressions._compiled.cache_clear()
    for value in range(3):
        assert evaluate("x + 1", {"x": value}) == value + 1
    assert expressions._compiled.cache_info().hits == 2


# --- escapes ------------------------------------------------------------------------------------------
ESCAPES = [
    "__import__('os').system('x')",
    "().__class__.__bases__[0].__subclasses__()",
    "open('/etc/passwd').read()",
    "x.__class__",
    "x.upper()",
    "getattr(x, 'y')",
    "[c for c in ()]",
    "{c: 1 for c in ()}",
    "(c for c in ())",
    "lambda: 1",
    "f'{x}'",
    "exec('1')",
    "eval('1')",
    "compile('1', 'f', 'eval')",
    "globals()",
    "vars()",
    "type(x)",
    "object",
    "_secret",
    "f(*x)",
    "f(**x)",
    "{**x}",
    "(y := 1)",
    "b'bytes'",
    "x ** 99999999",
    "x[f(1)]",
    "x is 1",
]


@pytest.mark.parametrize("source", ESCAPES)
def test_escapes_are_rejected_by_check(source):
    assert check_expression(source) != []


@pytest.mark.parametrize("source", ESCAPES)
def test_escapes_are_rejected_by_evaluate(source):
    with pytest.raises(ExpressionError):
        evaluate(source, {"x": "abc", "f": lambda *a, **k: 1})


@pytest.mark.parametrize(
    "names",
    [
        {"json": json},
        {"os": os},
        {"cls": dict},
        {"data": {"nested": [json]}},
        {"g": getattr},
        {"o": open},
    ],
)
def test_modules_classes_and_dangerous_builtins_in_names_are_refused(names):
    with pytest.raises(ExpressionError, match="only plain values"):
        evaluate("1", names)
    with pytest.raises(ExpressionError, match="only plain values"):
        execute("y = 1", names)


def test_names_cannot_override_guards_or_builtins():
    names = {"__builtins__": {"__import__": __import__}, "_getattr_": getattr, "x": 1}
    assert evaluate("x + 1", names) == 2
    with pytest.raises(ExpressionError):
        evaluate("__import__('os')", names)


def test_problem_messages_are_readable():
    assert check_expression("x.__class__") == ["attribute access '.__class__' is not allowed"]
    assert check_expression("lambda: 1") == ["lambda is not allowed"]
    assert check_expression("[c for c in ()]") == ["comprehension is not allowed"]
    assert "name '__import__' is not allowed" in check_expression("__import__('os')")[0]


# --- scripts ------------------------------------------------------------------------------------------
def test_script_returns_variables():
    names = {"x": 1, "double": lambda v: v * 2}
    result = execute("y = x + 1\ny += 10\nif y > 5:\n    z = double(y)\nelse:\n    pass", names)
    assert result == {"x": 1, "y": 12, "z": 24}
    assert names == {"x": 1, "double": names["double"]}  # the caller's dict is not changed


def test_script_can_build_and_replace_values():
    result = execute("items = [a, b]\nsummary = {'total': a + b}\nflag = a > b", {"a": 2, "b": 1})
    assert result == {"a": 2, "b": 1, "items": [2, 1], "summary": {"total": 3}, "flag": True}


@pytest.mark.parametrize(
    "source, problem",
    [
        ("import os", "import"),
        ("from os import path", "import"),
        ("for i in x:\n    pass", "for loop"),
        ("while True:\n    pass", "while loop"),
        ("_x = 1", "'_x'"),
        ("x.y = 1", "attribute"),
        ("d['k'] = 1", "plain variable names"),
        ("a, b = 1, 2", "plain variable names"),
        ("def f():\n    pass", "function definition"),
        ("class C:\n    pass", "class definition"),
        ("with x:\n    pass", "with"),
        ("try:\n    pass\nexcept Exception:\n    pass", "try"),
        ("raise ValueError", "raise"),
        ("global x", "global"),
        ("del x", "del"),
        ("x = 1\nprint(x)", "'print'"),
        ("x **= 2", "'**' operator"),
    ],
)
def test_forbidden_script_constructs(source, problem):
    problems = check_script(source)
    assert any(problem in p for p in problems), problems
    with pytest.raises(ExpressionError):
        execute(source, {"x": [1], "d": {}})


def test_script_problems_carry_line_numbers():
    assert check_script("y = 1\nimport os") == ["line 2: import is not allowed"]
    assert check_script("y = foo(1)", allowed_names={"add"}) == ["line 1: unknown function 'foo'"]


def test_script_runtime_errors_are_wrapped():
    with pytest.raises(ExpressionError, match="ZeroDivisionError"):
        execute("y = x / 0", {"x": 1})
