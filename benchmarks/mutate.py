"""Mutation run over the modules that hold the judgments: do the tests pin the rules down?

Not a test. A small mutator of our own (ast only, no dependency): each mutant changes one thing in one module
(a comparison, and/or, a `not`, a number, a status or key string, a returned value, an if-condition, a statement),
is written over a COPY of the package in a scratch directory, and the module's fast tests run against that copy.
A mutant the tests fail on (or that times out) is killed; one they pass is a survivor, printed with its line.
The repository's own files are never written.

    python benchmarks/mutate.py                                   # every module, its default tests
    python benchmarks/mutate.py --module lights --limit 20        # the first 20 mutants of one module
    python benchmarks/mutate.py --module values --tests tests/master/test_values.py
    python benchmarks/mutate.py --list --module scoring           # the mutants only, nothing run
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = "xlsx_tracker"

# the modules that hold the judgments, and the fast tests that exercise each (a few seconds a run)
# the pinned-rules tests first: they are the fastest (no workspace), so most mutants die within a second or two
PINNED_MONTH, PINNED_INTAKE = "tests/month/test_rules_pinned.py", "tests/intake/test_values_pinned.py"
MONTH_TESTS = ["tests/month/test_state.py", "tests/month/test_judgments.py", "tests/month/test_lights.py"]
MODULES: dict[str, tuple[str, list[str]]] = {
    "scoring": ("xlsx_tracker/month/scoring.py", [PINNED_MONTH, *MONTH_TESTS]),
    "lights": ("xlsx_tracker/month/lights.py", [PINNED_MONTH, "tests/month/test_lights.py", "tests/month/test_judgments.py"]),
    "followups": ("xlsx_tracker/month/followups.py", [PINNED_MONTH, "tests/month/test_judgments.py", "tests/month/test_state.py"]),
    "rows": ("xlsx_tracker/month/rows.py", [PINNED_MONTH, *MONTH_TESTS]),
    "reconcile": ("xlsx_tracker/intake/reconcile.py", [PINNED_INTAKE, "tests/intake/test_reconcile.py", "tests/intake/test_answers.py"]),
    "values": ("xlsx_tracker/master/values.py", [PINNED_INTAKE, "tests/master/test_values.py", "tests/intake/test_reconcile.py"]),
    "answer_rules": ("xlsx_tracker/master/answer_rules.py", [PINNED_INTAKE, "tests/intake/test_answers.py", "tests/month/test_form.py"]),
}

COMPARE_SWAPS: dict[type, list[type]] = {
    ast.Lt: [ast.LtE, ast.GtE], ast.LtE: [ast.Lt, ast.Gt], ast.Gt: [ast.GtE, ast.LtE], ast.GtE: [ast.Gt, ast.Lt],
    ast.Eq: [ast.NotEq], ast.NotEq: [ast.Eq], ast.In: [ast.NotIn], ast.NotIn: [ast.In], ast.Is: [ast.IsNot], ast.IsNot: [ast.Is],
}
OP_TEXT = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=", ast.In: "in", ast.NotIn: "not in",
           ast.Is: "is", ast.IsNot: "is not"}
KEY_LENGTH = 20  # strings up to this long are statuses, keys, codes: replaced by ""; longer ones are messages


@dataclass(frozen=True)
class Mutant:
    index: int  # the node's position in ast.walk order
    variant: int  # which change of that node
    line: int
    kind: str
    before: str
    after: str

    def label(self) -> str:
        return f"L{self.line} [{self.kind}] {self.before} → {self.after}"


def _short(node: ast.AST | str) -> str:
    text = node if isinstance(node, str) else ast.unparse(node)
    text = " ".join(text.split())
    return text if len(text) <= 70 else text[:67] + "..."


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string constants that are docstrings (never mutated)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                found.add(id(first.value))
    return found


def _in_fstring(tree: ast.AST) -> set[int]:
    return {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values}


def _function_blocks(tree: ast.AST) -> set[int]:
    """ids of the statements inside function bodies (at any depth): the ones statement removal may drop."""
    found = set()
    for func in ast.walk(tree):
        if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(func):
                for name in ("body", "orelse", "finalbody"):
                    block = getattr(node, name, None)
                    if isinstance(block, list):
                        found.update(id(s) for s in block if isinstance(s, ast.stmt))
    return found


def _empty_of(value: ast.expr) -> ast.expr | None:
    """The obvious empty value of an expression's type, or None when it is not obvious."""
    if isinstance(value, (ast.List, ast.ListComp)):
        return ast.List(elts=[], ctx=ast.Load())
    if isinstance(value, (ast.Dict, ast.DictComp)):
        return ast.Dict(keys=[], values=[])
    if isinstance(value, ast.Tuple):
        return ast.Tuple(elts=[], ctx=ast.Load())
    if isinstance(value, (ast.Set, ast.SetComp)):
        return ast.Call(func=ast.Name(id="set", ctx=ast.Load()), args=[], keywords=[])
    if isinstance(value, ast.JoinedStr) or (isinstance(value, ast.Constant) and isinstance(value.value, str)):
        return ast.Constant(value="")
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "bool":
        return ast.Constant(value=False)
    return None


def _changes(node: ast.AST, skip_strings: set[int], statements: set[int]) -> list[tuple[str, str, str]]:
    """(kind, before, after) of each change this node allows, in a fixed order (the variant number)."""
    found = []
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            for new in COMPARE_SWAPS.get(type(op), []):
                found.append(("compare", f"#{i} {OP_TEXT[type(op)]}", OP_TEXT[new]))
    elif isinstance(node, ast.BoolOp):
        found.append(("boolop", "and" if isinstance(node.op, ast.And) else "or", "or" if isinstance(node.op, ast.And) else "and"))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        found.append(("not", _short(node), _short(node.operand)))
    elif isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            found.append(("bool", repr(value), repr(not value)))
        elif isinstance(value, (int, float)):
            found.append(("number", repr(value), repr(value + 1)))
            found.append(("number", repr(value), repr(value - 1)))
        elif isinstance(value, str) and value and len(value) <= KEY_LENGTH and id(node) not in skip_strings:
            found.append(("string", repr(value), '""'))
    elif isinstance(node, ast.Return) and node.value is not None:
        if not (isinstance(node.value, ast.Constant) and node.value.value is None):
            found.append(("return", _short(node.value), "None"))
        empty = _empty_of(node.value)
        if empty is not None and ast.unparse(empty) != ast.unparse(node.value):
            found.append(("return", _short(node.value), ast.unparse(empty)))
    elif isinstance(node, (ast.If, ast.IfExp)):
        for forced in (True, False):
            found.append(("condition", _short(node.test), repr(forced)))
    docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    if isinstance(node, ast.stmt) and id(node) in statements and not isinstance(node, ast.Pass) and not docstring:
        found.append(("statement", _short(ast.unparse(node).splitlines()[0]), "(removed)"))
    return found


def _apply(node: ast.AST, variant: int, parents: dict[int, tuple[ast.AST, str]], skip_strings, statements) -> None:
    kind, before, after = _changes(node, skip_strings, statements)[variant]
    if kind == "compare":
        i = int(before.split()[0][1:])
        node.ops[i] = next(t for t, text in OP_TEXT.items() if text == after)()
    elif kind == "boolop":
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif kind == "not":
        _replace(node, node.operand, parents)
    elif kind == "bool":
        node.value = not node.value
    elif kind == "number":
        node.value = node.value + (1 if variant == 0 else -1)
    elif kind == "string":
        node.value = ""
    elif kind == "return":
        node.value = ast.Constant(value=None) if after == "None" else _empty_of(node.value)
    elif kind == "condition":
        node.test = ast.Constant(value=after == "True")
    elif kind == "statement":
        parent, field = parents[id(node)]
        block = getattr(parent, field)
        block.remove(node)
        if not block:
            block.append(ast.Pass())


def _replace(old: ast.AST, new: ast.AST, parents: dict[int, tuple[ast.AST, str]]) -> None:
    parent, field = parents[id(old)]
    value = getattr(parent, field)
    if isinstance(value, list):
        value[value.index(old)] = new
    else:
        setattr(parent, field, new)


def _parents(tree: ast.AST) -> dict[int, tuple[ast.AST, str]]:
    found = {}
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, ast.AST):
                    found[id(child)] = (parent, field)
    return found


def _context(tree: ast.AST) -> tuple[list[ast.AST], dict, set[int], set[int]]:
    nodes = list(ast.walk(tree))
    return nodes, _parents(tree), _docstrings(tree) | _in_fstring(tree), _function_blocks(tree)


def mutants(source: str) -> Iterator[tuple[Mutant, str]]:
    """Every mutant of a module's source: (what changed, the mutated source); no-op changes are left out."""
    tree = ast.parse(source)
    original = ast.unparse(tree)
    nodes, _, skip, statements = _context(tree)
    seen = {original}
    for index, node in enumerate(nodes):
        if isinstance(node, ast.Constant) and isinstance(getattr(node, "kind", None), str):
            continue
        for variant, (kind, before, after) in enumerate(_changes(node, skip, statements)):
            mutated = copy.deepcopy(tree)
            m_nodes, m_parents, m_skip, m_statements = _context(mutated)
            _apply(m_nodes[index], variant, m_parents, m_skip, m_statements)
            text = ast.unparse(ast.fix_missing_locations(mutated))
            if text in seen:
                continue  # the same program as the original or as an earlier mutant
            seen.add(text)
            yield Mutant(index, variant, getattr(node, "lineno", 0), kind, before, after), text


# ---------------------------------------------------------------- running

class Workspace:
    """One scratch copy of the package; mutants are written into it and the original put back after each."""

    def __init__(self, root: Path):
        self.src = root / "src"
        root.mkdir(parents=True, exist_ok=True)
        if self.src.exists():
            shutil.rmtree(self.src)
        shutil.copytree(REPO / PACKAGE, self.src / PACKAGE, ignore=shutil.ignore_patterns("__pycache__"))
        # the package finds its default master beside itself when run from source (base.workspace.packaged_master_dir)
        (self.src / "master_template").symlink_to(REPO / "master_template", target_is_directory=True)
        self.hypothesis = root / "hypothesis"

    def run(self, rel: str, source: str | None, tests: list[str], timeout: float) -> tuple[str, float]:
        """Write source (None = the original) over the copy of rel, run tests: ('killed'|'survived'|'timeout', seconds)."""
        target = self.src / rel
        original = (REPO / rel).read_text(encoding="utf-8")
        target.write_text(original if source is None else source, encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(self.src), "PYTHONDONTWRITEBYTECODE": "1",
               "HYPOTHESIS_STORAGE_DIRECTORY": str(self.hypothesis)}
        # -P: no current directory first on sys.path; --import-mode=append: pytest puts the repository root after
        # PYTHONPATH, so the tests import the copy (checked by sanity_check)
        command = [sys.executable, "-P", "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--import-mode=append",
                   "-o", "addopts=", *tests]
        start = time.monotonic()
        try:
            done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, timeout=timeout)
            outcome = "survived" if done.returncode == 0 else "killed"
        except subprocess.TimeoutExpired:
            outcome = "timeout"
        finally:
            target.write_text(original, encoding="utf-8")
        return outcome, time.monotonic() - start


def sanity_check(work: Workspace, rel: str, tests: list[str], timeout: float) -> None:
    """The tests pass on the unmutated copy and fail on a deliberately broken one: the copy is what runs."""
    outcome, seconds = work.run(rel, None, tests, timeout)
    if outcome != "survived":
        sys.exit(f"the tests fail on the unmutated copy of {rel} ({outcome}); fix that first: {' '.join(tests)}")
    broken = (REPO / rel).read_text(encoding="utf-8") + "\nraise RuntimeError('mutate.py: deliberately broken copy')\n"
    if work.run(rel, broken, tests, timeout)[0] == "survived":
        sys.exit(f"a deliberately broken copy of {rel} passed the tests: they do not import the copy")
    print(f"  baseline passes in {seconds:.1f} s; a broken copy fails: the copy is what runs", flush=True)


def run_module(name: str, rel: str, tests: list[str], limit: int | None, timeout: float, jobs: int, scratch: Path,
               only_survivors: bool = False) -> tuple[int, int, list[Mutant]]:
    tests = [t for t in tests if (REPO / t).exists()]
    every = list(mutants((REPO / rel).read_text(encoding="utf-8")))[:limit]
    found, known_killed = every, 0
    saved = scratch / f"survivors_{name}.json"
    if only_survivors and saved.exists():  # tests were only added since: a killed mutant stays killed
        before = {tuple(m) for m in json.loads(saved.read_text(encoding="utf-8"))["survivors"]}
        found = [(m, text) for m, text in every if (m.line, m.kind, m.before, m.after) in before]
        known_killed = len(every) - len(found)
    print(f"\n== {name}: {rel} — {len(every)} mutants, {len(found)} to run; tests: {' '.join(tests)}", flush=True)
    works = [Workspace(scratch / f"w{i}") for i in range(jobs)]
    sanity_check(works[0], rel, tests, timeout)
    free = list(works)
    survivors: list[Mutant] = []
    killed = 0
    start = time.monotonic()

    def one(item: tuple[Mutant, str]) -> tuple[Mutant, str, float]:
        work = free.pop()
        try:
            outcome, seconds = work.run(rel, item[1], tests, timeout)
        finally:
            free.append(work)
        return item[0], outcome, seconds

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for mutant, outcome, _ in pool.map(one, found):
            if outcome == "survived":
                survivors.append(mutant)
                print(f"  survived  {mutant.label()}", flush=True)
            else:
                killed += 1
            done = killed + len(survivors)
            if done % 25 == 0:
                print(f"  … {done}/{len(found)} run, {len(survivors)} survived so far ({time.monotonic() - start:.0f} s)", flush=True)
    survivors.sort(key=lambda m: (m.line, m.index, m.variant))
    elapsed = time.monotonic() - start
    killed += known_killed
    rate = 100 * killed / len(every) if every else 100.0
    print(f"-- {name}: mutants {len(every)}, killed {killed}, survived {len(survivors)} ({rate:.1f} % killed) in {elapsed:.0f} s", flush=True)
    saved.write_text(json.dumps({"module": rel, "mutants": len(every), "killed": killed,
                                 "survivors": [(m.line, m.kind, m.before, m.after) for m in survivors]},
                                ensure_ascii=False, indent=1), encoding="utf-8")
    return len(every), killed, survivors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", action="append", choices=sorted(MODULES), help="a module to mutate (repeatable; default all)")
    parser.add_argument("--tests", nargs="+", help="the test files to run instead of the module's defaults")
    parser.add_argument("--exclude", action="append", default=[],
                        help="leave out the default test files whose path contains this (e.g. pinned: the run before they existed)")
    parser.add_argument("--limit", type=int, help="run only the first N mutants of each module")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per mutant; a timeout counts as killed (default 60)")
    parser.add_argument("--jobs", type=int, default=1, help="mutants run at once, each in its own copy (default 1)")
    parser.add_argument("--scratch", type=Path, default=Path(tempfile.gettempdir()) / "mutate", help="where the copies go")
    parser.add_argument("--list", action="store_true", help="print the mutants and run nothing")
    parser.add_argument("--only-survivors", action="store_true",
                        help="run only the mutants that survived the last run of the module (kept in the scratch directory)")
    args = parser.parse_args(argv)
    names = args.module or list(MODULES)
    if args.list:
        for name in names:
            rel = MODULES[name][0]
            for mutant, _ in list(mutants((REPO / rel).read_text(encoding="utf-8")))[:args.limit]:
                print(f"{name}: {mutant.label()}")
        return 0
    totals = []
    start = time.monotonic()
    for name in names:
        rel, tests = MODULES[name]
        tests = [t for t in tests if not any(word in t for word in args.exclude)]
        totals.append((name, *run_module(name, rel, args.tests or tests, args.limit, args.timeout, max(1, args.jobs), args.scratch,
                                               args.only_survivors)))
    print("\n== summary")
    for name, count, killed, survivors in totals:
        print(f"{name:10} mutants {count:4}  killed {killed:4}  survived {len(survivors):3}  ({100 * killed / count if count else 100:.1f} %)")
        for mutant in survivors:
            print(f"    {mutant.label()}")
    print(f"total time {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
