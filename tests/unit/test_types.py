"""mypy on app/ (the files and settings are in pyproject.toml [tool.mypy]), so a type error fails
`make test` like any other broken rule, with mypy's own report as the failure message.

Fast after the first run: mypy keeps its cache in .mypy_cache (git-ignored) and rechecks only
the modules that changed, well under a second on an unchanged tree; a cold run takes ~10 s.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_app_type_checks() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True,
                            text=True, check=False)
    if result.returncode != 0:
        pytest.fail(f"mypy found type errors:\n{result.stdout}{result.stderr}", pytrace=False)
