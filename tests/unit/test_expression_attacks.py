"""A diagram cannot take the server down: hostile expressions and scripts are refused at save or stopped
by a limit when run, with an ExpressionError that says which limit. Never a hang, a MemoryError or any
other exception."""
from __future__ import annotations

import ast
import json
import signal
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from app import calendar
from app.engine import diagrams
from app.engine.expression_limits import MAX_DEPTH, MAX_VALUE_DEPTH, time_limit
from app.engine.expressions import (
    ExpressionError,
    check_expression,
    check_script,
    evaluate,
    execute,
)
from app.engine.scripting import is_iso_literal, to_python

from .bpmn_snippets import diagram, user_then_service

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
CAMUNDA = "{http://camunda.org/schema/1.0/bpmn}"


def functions() -> dict:
    fns = calendar.diagram_functions(lambda name: 10)
    fns["today"] = lambda: "2026-03-02"
    return fns


def _nested(levels: int) -> list:
    value: list = []
    for _ in range(levels - 1):
        value = [value]
    return value


NAMES = {"x": 10, "s": "%s", "d": "2026-03-02", "items": [3, 1, 2], "big": 10**9,
         "data": {"k": "v"}, "deep": _nested(MAX_VALUE_DEPTH + 5)}

# What the refusals say (substrings of the messages).
TOO_LARGE = "larger than the limit of 100,000 characters or items"
TOO_BIG_NUMBER = "number larger than the limit of 128 bits"
BIG_LITERAL = "numbers larger than 128 bits are not allowed"
IN_ALL = "characters or items in all"
FORMATTING = "string formatting with '%' is not allowed"
TOO_LONG = "longer than the limit of"
TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep"
VALUE_TOO_DEEP = f"a value nested more than {MAX_VALUE_DEPTH} levels deep"


@dataclass(frozen=True)
class Attack:
    source: str
    message: str
    static: bool  # refused by check_expression/check_script, not only when run
    script: bool = False

    def __str__(self) -> str:  # a readable test id
        text = self.source if len(self.source) <= 40 else f"{self.source[:40]}...({len(self.source)})"
        return ("script: " if self.script else "") + text.encode("unicode_escape").decode()


def script(source: str, message: str, static: bool) -> Attack:
    return Attack(source, message, static, script=True)


ATTACKS = [
    # --- size bombs ---
    Attack("'a' * 10000000000", TOO_LARGE, static=True),
    Attack("${'a' * 10000000000}", TOO_LARGE, static=True),
    Attack("#{'a' * 10000000000}", TOO_LARGE, static=True),
    Attack("10000000000 * 'a'", TOO_LARGE, static=True),
    Attack("[0] * 1000000000", TOO_LARGE, static=True),
    Attack("(0,) * 1000000000", TOO_LARGE, static=True),
    Attack("'a' * 1000 * 1000", TOO_LARGE, static=True),
    Attack("[[0] * 1000] * 1000", TOO_LARGE, static=True),
    Attack("'a' * 60000 + 'b' * 60000", TOO_LARGE, static=True),
    Attack("sorted([x] * 200000)", TOO_LARGE, static=True),
    Attack("s * big", TOO_LARGE, static=False),
    Attack("sorted(items * big)", TOO_LARGE, static=False),
    Attack("str([0] * 99999)", TOO_LARGE, static=False),  # short list, long text
    Attack("sum([[1]] * 1000, [])", "sum() only adds numbers", static=False),
    script("a = 'ab' * 40000\nb = a + a", TOO_LARGE, static=False),
    # Shared parts count each time they appear: printing or comparing `b` would visit `a` twice.
    script("a = [0] * 60000\nb = [a, a]", TOO_LARGE, static=False),
    script("a = [0] * 30000\nb = (a, a, a)\nc = {1: b, 2: b}", TOO_LARGE, static=False),
    script("a = 'x' * 99999\nb = str([a])", TOO_LARGE, static=False),
    script("".join(f"a{i} = [0] * 99999\n" for i in range(11)), IN_ALL, static=False),
    # --- numbers that grow ---
    script("x = 10\n" + "x *= x\n" * 40, TOO_BIG_NUMBER, static=False),
    script("y = big\n" + "y = y * y\n" * 10, TOO_BIG_NUMBER, static=False),
    Attack("big * big * big * big * big", TOO_BIG_NUMBER, static=False),
    Attack("99999999999999999999 * 99999999999999999999 * 99999999999999999999", TOO_BIG_NUMBER,
           static=True),
    Attack("str(" + " * ".join(["10000000000"] * 5) + ")", TOO_BIG_NUMBER, static=True),
    Attack("1" + "0" * 60, BIG_LITERAL, static=True),
    Attack("int('9' * 1000)", TOO_BIG_NUMBER, static=False),
    Attack("int(float('1e300'))", TOO_BIG_NUMBER, static=False),
    Attack("round(1e300)", TOO_BIG_NUMBER, static=False),
    Attack("round(5, -1000000000)", "round() takes at most 100 digits", static=False),
    Attack("x ** 99999999", "'**' operator is not allowed", static=True),
    # --- formatting widths ---
    Attack("'%999999999s' % 'a'", FORMATTING, static=True),
    Attack("s % x", FORMATTING, static=False),
    script("s %= 1", FORMATTING, static=False),
    Attack("'{:>999999999}'.format(1)", "attribute access '.format' is not allowed", static=True),
    Attack("f'{x:>999999999}'", "f-string is not allowed", static=True),
    # --- deep nesting and long sources ---
    Attack("(" * 5000 + "x" + ")" * 5000, TOO_LONG, static=True),
    Attack("not " * 100000 + "x", TOO_LONG, static=True),
    Attack("x" + "+x" * 200000, TOO_LONG, static=True),
    Attack("${" + "!" * 5000 + "x}", TOO_LONG, static=True),
    Attack("-" * 1500 + "x", TOO_DEEP, static=True),
    Attack("not " * 400 + "x", TOO_DEEP, static=True),
    Attack("x if x else " * 150 + "x", TOO_DEEP, static=True),
    Attack("len(" * 150 + "x" + ")" * 150, TOO_DEEP, static=True),
    Attack("[" * 500 + "]" * 500, "too many nested parentheses", static=True),
    script("y = " + "-" * 19990 + "x", TOO_DEEP, static=True),
    script("y = x" + "+x" * 9990, TOO_DEEP, static=True),
    Attack("'" + "a" * 5000 + "'", TOO_LONG, static=True),
    script("s = '" + "a" * 30000 + "'", TOO_LONG, static=True),
    # --- deeply nested values: storing one as JSON would recurse past Python's limit ---
    script("x = []\n" + "x = [x]\n" * 1300, VALUE_TOO_DEEP, static=False),
    script("x = {}\n" + "x = {'k': x}\n" * 30, VALUE_TOO_DEEP, static=False),
    script("x = ()\n" + "x = (x, 1)\n" * 30, VALUE_TOO_DEEP, static=False),
    script("x = 1\n" + "x = {'k': [x]}\n" * 15, VALUE_TOO_DEEP, static=False),
    Attack("[" * 30 + "]" * 30, VALUE_TOO_DEEP, static=False),
    Attack("deep + [1]", VALUE_TOO_DEEP, static=False),
    Attack("sorted(deep)", VALUE_TOO_DEEP, static=False),
    # --- escapes ---
    Attack("().__class__.__bases__[0].__subclasses__()", "attribute access", static=True),
    Attack("__import__('os').system('true')", "name '__import__' is not allowed", static=True),
    Attack("_secret", "names must not start with '_'", static=True),
    Attack("x['__class__']", "indexing int values is not allowed", static=False),
    Attack("data['__class__']", "KeyError", static=False),
    Attack("getattr(x, '__class__')", "name 'getattr' is not allowed", static=True),
    Attack("min(items, key=getattr)", "name 'getattr' is not allowed", static=True),
    Attack("'{0.__class__}'.format(x)", "attribute access", static=True),
    Attack("vars()", "name 'vars' is not allowed", static=True),
    Attack("type(x)", "name 'type' is not allowed", static=True),
    Attack("eval('1')", "name 'eval' is not allowed", static=True),
    Attack("[c for c in items]", "comprehension is not allowed", static=True),
    Attack("lambda: 0", "lambda is not allowed", static=True),
    Attack("{**data}", "'**' unpacking is not allowed", static=True),
    script("while True:\n    pass", "while loop is not allowed", static=True),
    script("def f():\n    return f()\nf()", "function definition is not allowed", static=True),
    # --- unicode and bytes tricks ---
    # Python reads identifiers in NFKC form: fullwidth letters are the plain ones.
    Attack("__\uff49\uff4d\uff50\uff4f\uff52\uff54__('os')", "name '__import__' is not allowed",
           static=True),
    Attack("\uff45\uff56\uff41\uff4c('1')", "name 'eval' is not allowed", static=True),
    Attack("\uff58.__class__", "attribute access '.__class__' is not allowed", static=True),
    Attack("x\u200b + 1", "syntax error", static=True),
    Attack("x\x00", "null bytes", static=True),
    Attack("b'\\x00' * 10000000000", "is not allowed", static=True),
    # --- calendar functions with a huge count ---
    Attack("add_working_days(d, 2000000)", "n must be at most 3660 working days", static=False),
    Attack("add_working_days(d, big)", "n must be at most 3660 working days", static=False),
    Attack("add_working_days(d, '9' * 4000)", "n must be at most 3660", static=False),
    Attack("add_calendar_days(d, 10000000000)", "n must be at most 36600 days", static=False),
    Attack("next_working_day(add_calendar_days(d, 99999999))", "at most 36600", static=False),
    Attack("add_months(d, 100000)", "n must be at most 1200 months", static=False),
    Attack("deemed_service_cpr_6_14('9999-12-31')", "out of range", static=False),
]


class Hang(Exception):
    pass


@pytest.fixture(autouse=True)
def no_hang():
    """A hang fails the test instead of holding the run (the limits should make this unreachable)."""
    def on_alarm(signum, frame):
        raise Hang("still running after 20 s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def run(attack: Attack):
    names = {**NAMES, **functions()}
    return execute(attack.source, names) if attack.script else evaluate(attack.source, names)


def test_the_corpus_is_large_enough():
    assert len(ATTACKS) >= 40


@pytest.mark.parametrize("attack", ATTACKS, ids=str)
def test_attack_is_refused_at_save_when_it_can_be(attack):
    check = check_script if attack.script else check_expression
    problems = check(attack.source, allowed_names=set(functions()))
    if attack.static:
        assert any(attack.message in p for p in problems), problems
    else:
        assert problems == []  # only running it shows the problem; see the next test


@pytest.mark.parametrize("attack", ATTACKS, ids=str)
def test_attack_is_stopped_by_a_limit_when_run(attack):
    with pytest.raises(ExpressionError) as info:
        run(attack)
    assert attack.message in info.value.message


def test_a_value_at_the_nesting_limit_is_kept_and_stored():
    source = "x = []\n" + "x = [x]\n" * (MAX_VALUE_DEPTH - 1)
    result = execute(source, {})
    assert result["x"] == _nested(MAX_VALUE_DEPTH)
    assert json.loads(json.dumps(result)) == result
    with pytest.raises(ExpressionError, match=VALUE_TOO_DEEP):
        execute(source + "x = [x]\n", {})


def test_problem_messages_stay_short_for_long_sources():
    with pytest.raises(ExpressionError) as info:
        execute("s = '" + "a" * 30000 + "'", {})
    assert len(info.value.message) < 500


# --- the time limit -----------------------------------------------------------------------------------
def test_a_run_over_the_time_limit_is_stopped():
    with time_limit(0):
        with pytest.raises(ExpressionError, match="expression took longer than the limit of 0 s"):
            evaluate("x + 1 + 2", {"x": 1})
        with pytest.raises(ExpressionError, match="script took longer than the limit of 0 s"):
            execute("y = 1\ny += 1", {})
    assert evaluate("x + 1 + 2", {"x": 1}) == 4  # the block's limit ends with the block


def _busy(value, seconds=0.01):
    """Spends `seconds` of this thread's CPU time, as a slow computation would."""
    until = time.thread_time() + seconds
    while time.thread_time() < until:
        pass
    return value


def test_each_call_of_our_functions_checks_the_deadline():
    names = {"slow": _busy}
    with time_limit(0.05), pytest.raises(ExpressionError, match="took longer than the limit"):
        execute("".join(f"y{i} = slow({i})\n" for i in range(50)), names)


def test_time_waiting_for_the_processor_does_not_count():
    # On a loaded machine the evaluating thread waits its turn; only the time it computes counts,
    # or a busy server would refuse a correct due date. A sleep stands in for the waiting.
    names = {"waits": lambda v: time.sleep(0.05) or v}
    with time_limit(0.1):
        assert execute("".join(f"y{i} = waits({i})\n" for i in range(4)), names)["y3"] == 3


def test_a_key_function_is_checked_once_per_item():
    # sorted() calls its key inside one C call; the deadline is still checked at every item.
    names = {"slow": _busy, "values": list(range(50))}
    with time_limit(0.05), pytest.raises(ExpressionError, match="took longer than the limit"):
        evaluate("sorted(values, key=slow)", names)
    assert evaluate("sorted(values, key=str)[:3]", names) == [0, 1, 10]


# --- ordinary expressions still work ------------------------------------------------------------------
def _shipped_expressions() -> list[str]:
    found = []
    for path in sorted(WORKFLOWS.glob("*.bpmn")):
        root = etree.parse(str(path)).getroot()
        for tag in ("conditionExpression", "timeDate", "timeDuration", "timeCycle"):
            found += [(n.text or "").strip() for n in root.iter(f"{BPMN}{tag}")]
        found += [n.get(f"{CAMUNDA}dueDate") for n in root.iter() if n.get(f"{CAMUNDA}dueDate")]
        found += [(n.text or "").strip() for n in root.iter(f"{CAMUNDA}inputParameter")
                  if (n.text or "").strip().startswith(("${", "#{"))]
    return [text for text in found if text]


def test_every_expression_of_the_shipped_diagrams_still_checks_and_evaluates():
    expressions = _shipped_expressions()
    assert len(expressions) > 20
    for text in expressions:
        if is_iso_literal(text):
            continue
        source = to_python(text)
        assert check_expression(source, allowed_names=set(functions())) == [], text
        # Any variable the expression reads gets a date: enough for every call to run.
        variables = {n.id: "2026-03-02" for n in ast.walk(ast.parse(source, mode="eval"))
                     if isinstance(n, ast.Name)}
        evaluate(source, {**variables, **functions()})


@pytest.mark.parametrize("source, names, expected", [
    ("next_working_day(add_calendar_days(invoice_date, setting('debt_reminder_1_days')))",
     {"invoice_date": "2026-03-02"}, "2026-03-12T07:00:00+00:00"),
    ("add_working_days(sent_date, setting('dp_reminder_1_working_days'))",
     {"sent_date": "2026-03-02"}, "2026-03-16T07:00:00+00:00"),
    ("add_months(d, 1200)", {}, "2126-03-02T07:00:00+00:00"),
    ("${amount > 100 && status == 'open'}", {"amount": 150, "status": "open"}, True),
    ("not (safeguarding_concern or not charge_correct)",
     {"safeguarding_concern": False, "charge_correct": True}, True),
    ("total * 100 // 3 + len(label) - 1", {"total": 12345, "label": "abc"}, 411502),
    ("'Ref ' + str(n) + '/' + 'x' * 3", {"n": 42}, "Ref 42/xxx"),
    ("[a, b] + [c] * 3", {"a": 1, "b": 2, "c": 0}, [1, 2, 0, 0, 0]),
    ("{'k': [1, 2]} == {'k': [1, 2]} and 1 < 2 < 3", {}, True),
    ("round(1234.5678, 2) + sum([1, 2.5]) + max(items) + min(3, 4)", {"items": [1, 9]},
     1234.57 + 3.5 + 9 + 3),
    ("sorted(items, key=str)", {"items": [10, 9]}, [10, 9]),
    ("1234567890123456789 * 9876543210987654321", {}, 1234567890123456789 * 9876543210987654321),
])
def test_ordinary_expressions_evaluate(source, names, expected):
    assert evaluate(source, {**functions(), "d": "2026-03-02", **names}) == expected


def test_ordinary_script_runs():
    result = execute("total = a + b\ntotal *= 2\nlabel = 'Ref ' + str(total)\n"
                     "if total > 5:\n    big = True\nelse:\n    big = False\n"
                     "due = add_working_days(d, 10)", {"a": 2, "b": 3, "d": "2026-03-02",
                                                       **functions()})
    assert (result["total"], result["label"], result["big"]) == (10, "Ref 10", True)
    assert result["due"] == "2026-03-16T07:00:00+00:00"


# --- the calendar's own bounds ------------------------------------------------------------------------
@pytest.mark.parametrize("call, words", [
    (lambda: calendar.add_working_days(date(2026, 3, 2), calendar.MAX_WORKING_DAYS + 1),
     "n must be at most 3660 working days"),
    (lambda: calendar.add_calendar_days(date(2026, 3, 2), 10**30), "got a larger number"),
    (lambda: calendar.add_months(date(2026, 3, 2), calendar.MAX_MONTHS + 1), "at most 1200 months"),
    (lambda: calendar.working_days_between(date(1, 1, 1), date(9999, 12, 31)), "end must be at most"),
    (lambda: functions()["add_working_days"]("2026-03-02", "9999"), "at most 3660"),
])
def test_calendar_functions_refuse_an_unreasonable_count(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def test_calendar_functions_accept_their_bounds():
    start = date(2026, 3, 2)
    assert calendar.add_working_days(start, calendar.MAX_WORKING_DAYS).year == 2040
    assert calendar.add_calendar_days(start, calendar.MAX_CALENDAR_DAYS).year == 2126
    assert calendar.add_months(start, calendar.MAX_MONTHS) == date(2126, 3, 2)


# --- lint answers with problems, never an exception ---------------------------------------------------
class Signature:
    def __init__(self, required=(), optional=()):
        self.required, self.optional = frozenset(required), frozenset(optional)


def lint(xml: bytes):
    return diagrams.lint(xml, roles={"finance_assistant", "finance_officer"},
                         handlers={"send_letter": Signature({"template"}, {"date_var"})},
                         functions=set(functions()))


def _problems_on(xml: bytes, element_id: str, words: str) -> None:
    problems = [p for p in lint(xml) if p.element_id == element_id]
    assert problems and any(words in p.message for p in problems), problems


@pytest.mark.parametrize("condition", [
    "(" * 5000 + "amount" + ")" * 5000,
    "not " * 100000 + "True",
    "amount" + "+amount" * 200000,
    "-" * 1500 + "amount",
    "${" + "!" * 100000 + "true}",
])
def test_a_pathologically_nested_condition_is_a_problem_on_its_flow(condition):
    problems = lint(user_then_service(condition=condition))
    assert problems and {p.element_id for p in problems} == {"f_cond"}


@pytest.mark.parametrize("parameter, words", [
    ("#{'a' * 10000000000}", TOO_LARGE),
    ("${'a' * 10000000000}", TOO_LARGE),
    ("#{__import__('os')}", "not allowed"),
    ("#{x.__class__}", "unsupported JUEL"),
])
def test_service_task_parameters_are_checked_in_both_juel_forms(parameter, words):
    xml = user_then_service().replace(b">dp_reminder_1<", f">{parameter}<".encode())
    _problems_on(xml, "act", words)


@pytest.mark.parametrize("timer, words", [  # said to a manager in words (timer_check.py)
    ("add_working_days(today(), 2000000)", "Write a number of working days no more than 3,660"),
    ("next_working_day(add_calendar_days(today(), 99999999))", "no more than 36,600"),
    ("add_months(today(), n=5000)", "Write a number of months no more than 1,200"),
    ("add_working_days(today(), " + "1" * 3000 + ")", "too long or complicated to check"),
])
def test_a_literal_count_above_the_calendar_bound_is_refused_at_save(timer, words):
    _problems_on(user_then_service(timer=timer), "waited", words)


def test_a_due_date_with_a_huge_count_is_refused_at_save():
    xml = user_then_service().replace(
        b'<bpmn:userTask id="ask" name="Ask"',
        b'<bpmn:userTask id="ask" name="Ask" camunda:dueDate="add_working_days(today(), 9999)"')
    _problems_on(xml, "ask", "at most 3660")


def test_a_reasonable_literal_count_is_accepted():
    assert lint(user_then_service(timer="add_working_days(today(), 3660)")) == []


@pytest.mark.parametrize("source, words", [
    ("x = 10\n" + "x *= x\n" * 40, None),  # only running it shows it: stopped by the number limit
    ("y = " + "-" * 19990 + "x", TOO_DEEP),
    ("y = '" + "a" * 30000 + "'", TOO_LONG),
    ("y = 'a' * 10000000000", TOO_LARGE),
    ("y = add_working_days(today(), 2000000)", "at most 3660"),
])
def test_a_hostile_script_task_is_a_problem_on_its_task_or_runs_into_a_limit(source, words):
    xml = diagram(
        '<bpmn:startEvent id="start" />'
        f'<bpmn:scriptTask id="calc" scriptFormat="python"><bpmn:script>{source}</bpmn:script>'
        '</bpmn:scriptTask><bpmn:endEvent id="end" />'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="calc" />'
        '<bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="end" />')
    if words is None:
        assert lint(xml) == []
        with pytest.raises(ExpressionError, match=TOO_BIG_NUMBER):
            execute(source, {})
    else:
        _problems_on(xml, "calc", words)
