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


PACKAGE = ROOT / "xlsx_tracker"
STAGES = ["base", "calendar", "master", "intake", "month", "outputs", "mail", "demo", "web", "cli"]


def test_every_module_lives_in_the_room_of_its_stage():
    loose = sorted(p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert loose == []
    rooms = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    assert rooms == sorted(STAGES)


def test_the_layers_contract_names_the_stages_in_at_most_nine_levels():
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["type"] == "layers")["layers"]
    assert len(layers) <= 9
    named = sorted(name.strip() for level in layers for name in level.split("|"))
    assert named == sorted(STAGES)


def test_no_module_is_over_450_lines():
    sizes = {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.rglob("*.py")}
    assert {name: lines for name, lines in sizes.items() if lines > 450} == {}


# This office's facts (its district, its plan's 文号, the size of its checklist) come from the master workbook and
# settings.toml; another district uses the tool without editing code.
OFFICE_LITERALS = ["新城区", "新政办发", "〔2024〕", "100项", "100 项", "共100", "/100", "全区"]


def test_no_office_specific_literal_in_the_package():
    found = [f"{p.relative_to(ROOT)}:{n}: {literal}" for p in PACKAGE.rglob("*.py")
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
             for literal in OFFICE_LITERALS if literal in line]
    assert found == []


def test_importing_the_command_line_changes_nothing_in_click():
    code = ("import click.core, xlsx_tracker.cli; from xlsx_tracker.cli import app;"
            "print(click.core._('Usage:')); print(type(app.main).__name__)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["Usage:", "ChineseGroup"], done.stderr
