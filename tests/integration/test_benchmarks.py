"""Every benchmark in bench/ runs at a tiny size, so none can rot unnoticed (`make bench` runs them
at full size). Only that they run and print their figures is checked here, never a speed."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO

TINY = {
    "engine_cycle.py": (["3"], "engine adapter / raw"),
    "http_completion.py": (["20"], "HTTP completion, gunicorn"),
    "inbox.py": (["300", "2"], "manager: all open tasks"),
    "search.py": (["300", "2"], "postcode"),
    "print_batch.py": (["1"], "1 letters"),
    "letters.py": (["2"], "slowest template"),
    "timers.py": (["50"], "every letter made"),
    "dp_monitoring.py": (["20", "5"], "direct payments waiting"),
}


def test_every_benchmark_has_a_tiny_run():
    scripts = [p.name for p in (REPO / "bench").glob("*.py")
               if 'if __name__ == "__main__":' in p.read_text()]
    assert sorted(scripts) == sorted(TINY)


@pytest.mark.parametrize("script", sorted(TINY))
def test_benchmark_runs_at_a_tiny_size(script):
    args, expected = TINY[script]
    done = subprocess.run([sys.executable, str(REPO / "bench" / script), *args], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert expected in done.stdout
    assert "goal: at " in done.stdout and "raw" in done.stdout  # figures against both
