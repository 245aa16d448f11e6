"""The code's own rules, checked with the tests: stages layered (import-linter) and style (ruff)."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def tool(name: str) -> str:
    """A console script of the test extras, from the interpreter's own environment first."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else (shutil.which(name) or name)


def test_stages_import_only_the_stages_below_them():
    done = subprocess.run([tool("lint-imports")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 2 kept, 0 broken." in done.stdout


def test_ruff_is_clean():
    done = subprocess.run([tool("ruff"), "check", "xlsx_tracker", "tests", "benchmarks"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
