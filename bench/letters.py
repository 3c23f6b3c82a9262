"""Letter rendering benchmark: every template in the catalogue through `render_letter`.

Each template is rendered once (the first render in the process, which fills any cache) and then
N more times with the sample context its unit tests use (tests/unit/test_letters.py,
test_debt_letters.py, test_legal_letters.py). Prints for each template the first render, the
median and p95 of the others, PASS/FAIL against the goal and the cost in raw engine cycles
measured in the same run; then the median of the medians and the slowest template.

Usage: python bench/letters.py [renders-per-template]     (default 30)
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from app.letters import TEMPLATES, render_letter  # noqa: E402
from bench.raw_engine import against_goal, raw_cycle_ms  # noqa: E402
from tests.unit import (  # noqa: E402
    test_debt_letters,
    test_legal_letters,
    test_letters,
    test_monitoring_letters,
    test_query_letters,
)

# A letter renders inside a request (issue, preview, the print batch): under 15 ms at the median.
GOAL_MS = 15


def sample_contexts() -> dict[str, dict]:
    """The unit tests' sample context for every template; refuses a template without one."""
    contexts = {}
    for module in (test_letters, test_debt_letters, test_legal_letters, test_query_letters,
                   test_monitoring_letters):
        for template in module.FIELDS:
            contexts[template] = module.context_for(template)
    missing = sorted(set(TEMPLATES) - set(contexts))
    if missing:
        raise SystemExit(f"bench/letters.py: no sample context for {', '.join(missing)}; "
                         "add one to the unit tests' FIELDS (README, 'Recipe: add a letter')")
    return contexts


def timings(template: str, context: dict, n: int) -> tuple[float, list[float]]:
    """Milliseconds for the first render, then for each of `n` more."""
    began = time.perf_counter()
    render_letter(template, context)
    first = 1000 * (time.perf_counter() - began)
    ms = []
    for _ in range(n):
        began = time.perf_counter()
        render_letter(template, context)
        ms.append(1000 * (time.perf_counter() - began))
    return first, ms


def p95(ms: list[float]) -> float:
    return statistics.quantiles(ms, n=20)[-1] if len(ms) > 1 else ms[0]


def main(n: int) -> None:
    contexts = sample_contexts()
    raw_ms = raw_cycle_ms()
    print(f"render_letter: ms per letter, the first render then the median and p95 of {n} more "
          f"(goal: median under {GOAL_MS} ms)")
    print(f"{'template':<26}{'first':>8}{'p50':>8}{'p95':>8}{'raw cycles':>12}  goal")
    medians = {}
    for template in sorted(TEMPLATES):
        first, ms = timings(template, contexts[template], n)
        medians[template] = median = statistics.median(ms)
        verdict = "PASS" if median < GOAL_MS else "FAIL"
        print(f"{template:<26}{first:8.1f}{median:8.1f}{p95(ms):8.1f}{median / raw_ms:12.1f}  "
              f"{verdict}")
    slowest = max(medians, key=medians.__getitem__)
    failed = sorted(t for t, median in medians.items() if median >= GOAL_MS)
    print(f"{len(medians) - len(failed)} of {len(medians)} templates meet the goal"
          + (f"; over it: {', '.join(failed)}" if failed else ""))
    print(against_goal("median of the template medians", statistics.median(medians.values()),
                       GOAL_MS, raw_ms))
    print(against_goal(f"slowest template ({slowest}), median", medians[slowest], GOAL_MS,
                       raw_ms))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
