"""Shared fixtures: a workspace made from the embedded master, built once per session, and the builders every
stage's tests use (a month run, a filled return, a ledger dump, LibreOffice). conftest is never imported: ask
for a fixture by naming it as an argument; a builder fixture returns the function."""

from __future__ import annotations

import datetime as dt
import html
import os
import random
import re
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import openpyxl
import pytest

from xlsx_tracker.base import layout
from xlsx_tracker.base.workspace import Workspace, init_workspace
from xlsx_tracker.calendar.workdays import load_calendar
from xlsx_tracker.demo import simulate
from xlsx_tracker.demo.cycle import stamp_saved
from xlsx_tracker.master.tasklist import load_master_or_fail
from xlsx_tracker.month.run import MonthRun

FIXTURES = Path(__file__).resolve().parent / "fixtures"  # data files kept in the repository


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    """The CLI's today, fixed in May 2024: the yearly calendar reminder (from November) stays out of exact outputs.
    Tests of the reminder set their own day."""
    from xlsx_tracker.cli import app as cli_app

    monkeypatch.setattr(cli_app, "today", lambda *_: dt.date(2024, 5, 21))


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """tests/fixtures: workbooks and notices kept as files."""
    return FIXTURES


@pytest.fixture(scope="session")
def base_workspace(tmp_path_factory) -> Workspace:
    return init_workspace(tmp_path_factory.mktemp("base") / "工作区 一")


@pytest.fixture
def workspace(tmp_path, base_workspace) -> Workspace:
    """A fresh copy per test, in a Chinese path with a space."""
    root = tmp_path / "司法局 工作区"
    shutil.copytree(base_workspace.root, root)
    return Workspace(root)


@pytest.fixture(scope="session")
def master(base_workspace):
    return load_master_or_fail(base_workspace)


@pytest.fixture(scope="session")
def calendar(base_workspace):
    return load_calendar(base_workspace.master_dir)[0]


# ---------------------------------------------------------------- a month, and what units send back

@pytest.fixture(scope="session")
def month_of() -> Callable[..., MonthRun]:
    """month_of(master, calendar, month, workspace=None): a month run; without a workspace it has no ledger (nothing carried)."""
    def build(master, calendar, month: str, workspace: Workspace | None = None) -> MonthRun:
        return MonthRun(workspace or Workspace(Path("/nonexistent/xlsx-tracker-test")), master, calendar, month, master.settings.policy)
    return build


def _per_task(given, task_id):
    """A per-task setting given as a mapping (task id -> value) or a function of the task id; None leaves the row as it is."""
    if given is None:
        return None
    return given(task_id) if callable(given) else given.get(task_id)


@pytest.fixture(scope="session")
def filled_return() -> Callable[..., Path]:
    """filled_return(issued, inbox, ...) -> Path: an issued workbook filled as a unit would, saved into inbox.

    issued is what split returned for the unit (a UnitSheet) or the issued file's path; the issued file is never
    changed. In this order:
      fill        fill every row with simulate's plausible values (random.Random(seed), month read from the workbook);
                  False leaves the issued rows empty but for what is set below
      statuses    task id -> 进展状态, or a function of the task id (None: leave the row)
      values      task id -> {column: value}, or a function of the task id
      evidence    rows for the 证明材料目录: (task id, name, kind, url)
      liaison     (姓名, 职务, 联系电话) of the 联络员 sheet
      defects     functions of the workbook, each one defect a real return carries (e.g. simulate.paste_invalid_status)
      name        file name in inbox (default: the issued file's name)
      saved       the document's own last-saved time (docProps/core.xml), as the saving client would set it
    """
    def fill_and_save(issued, inbox: Path, *, fill: bool = True, seed=0, done_share: float = 0.4, month: str | None = None,
                      statuses: Mapping | Callable | None = None, values: Mapping | Callable | None = None,
                      evidence: Iterable[tuple[str, str, str, str]] = (), liaison: tuple[str, str, str] | None = None,
                      defects: Iterable[Callable] = (), name: str | None = None, saved: dt.datetime | None = None) -> Path:
        source = Path(getattr(issued, "path", issued))
        book = simulate.open_form(source)
        if fill:
            simulate.fill_form(book, random.Random(seed), month or book[layout.META_SHEET]["B2"].value, done_share)
        rows = simulate.task_rows(book)
        for given in (statuses, values):
            unknown = set(given) - set(rows) if isinstance(given, Mapping) else set()
            assert not unknown, f"no such task in {source.name}: {sorted(unknown)}"
        for task_id in rows:
            status = _per_task(statuses, task_id)
            if status is not None:
                simulate.set_value(book, task_id, "进展状态", status)
            for column, value in (_per_task(values, task_id) or {}).items():
                simulate.set_value(book, task_id, column, value)
        for row in evidence:
            simulate.add_evidence(book, *row)
        if liaison:
            sheet = book[layout.LIAISON_SHEET]
            for col, value in enumerate(liaison, start=2):
                sheet.cell(layout.FIRST_DATA_ROW + 1, col).value = value
        for defect in defects:
            defect(book)
        path = simulate.save_as(book, Path(inbox) / (name or source.name))
        if saved:
            stamp_saved(path, saved)
        return path
    return fill_and_save


@pytest.fixture(scope="session")
def fill_roster() -> Callable[[Workspace, dict], None]:
    """fill_roster(workspace, {unit: [姓名, 职务, 联系电话, 电子邮箱]}): what the office does in Excel to the master's 联络员 sheet."""
    def fill(workspace: Workspace, rows: dict) -> None:
        book = openpyxl.load_workbook(workspace.master_file)
        sheet = book["联络员"]
        by_unit = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
        for unit, values in rows.items():
            for cell, value in zip(by_unit[unit][1:], values, strict=False):
                cell.value = value
        book.save(workspace.master_file)
    return fill


# ---------------------------------------------------------------- the ledger, compared across runs

def _mask_run(text: str) -> str:
    return re.sub(r"/[0-9-]+-[0-9a-f]{8}\.zip/", "/RUN.zip/", text)


@pytest.fixture(scope="session")
def mask_run() -> Callable[[str], str]:
    """mask_run(text): the text with the run's archive name (time and random token) masked, to compare two runs."""
    return _mask_run


@pytest.fixture(scope="session")
def ledger_dump() -> Callable[..., dict]:
    """ledger_dump(path, received=True): every ledger row, sorted; the run's random archive token is masked (and,
    unless received, the receipt time)."""
    def dump(path: Path, received: bool = True) -> dict:
        conn = sqlite3.connect(path)
        tables = ["submissions", "row_values", "evidence", "liaison", "problems"]
        rows = {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}
        conn.close()
        rows["submissions"] = [(*row[:4], _mask_run(row[4]), *row[5:10], row[10] if received else "", *row[11:])
                               for row in rows["submissions"]]
        return rows
    return dump


@pytest.fixture(scope="session")
def issued_like() -> Callable[[Workspace, Path], Workspace]:
    """issued_like(source, root): a new workspace that has issued what source issued (its snapshots), with nothing merged yet."""
    from xlsx_tracker.month import ledger

    def copy(source: Workspace, root: Path) -> Workspace:
        target = init_workspace(root)
        source_conn, target_conn = ledger.connect(source.ledger_file), ledger.connect(target.ledger_file)
        try:
            with ledger.transaction(target_conn):
                for row in source_conn.execute("SELECT * FROM issues"):
                    target_conn.execute("INSERT INTO issues VALUES (?,?,?,?,?,?)", row)
                for row in source_conn.execute("SELECT * FROM issue_rows"):  # the rows units share, by digest
                    target_conn.execute("INSERT INTO issue_rows VALUES (?,?)", row)
        finally:
            source_conn.close()
            target_conn.close()
        return target
    return copy


# ---------------------------------------------------------------- LibreOffice, the real second client

@pytest.fixture(scope="session")
def soffice() -> str:
    """The LibreOffice binary; CI installs it and sets XLSX_TRACKER_REQUIRE_SOFFICE=1, elsewhere its tests are skipped."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    if os.environ.get("XLSX_TRACKER_REQUIRE_SOFFICE"):
        pytest.fail("需要 LibreOffice(soffice)进行往返测试,但未安装。")
    pytest.skip("LibreOffice (soffice) is not installed: cross-client round trip not run")


@pytest.fixture(scope="session")
def libreoffice_convert(soffice) -> Callable[..., Path]:
    """libreoffice_convert(source, out_dir, target="xlsx"): open and re-save a workbook with LibreOffice, as a unit using it would."""
    def convert(source: Path, out_dir: Path, target: str = "xlsx") -> Path:
        out_dir.mkdir(parents=True, exist_ok=True)
        profile = out_dir / ".lo-profile"
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", target,
                        "--outdir", str(out_dir), str(source)], check=True, capture_output=True, timeout=180)
        return out_dir / f"{source.stem}.{target}"
    return convert


@pytest.fixture(scope="session")
def pdf_words(soffice) -> Callable[[Path], list[list[tuple[float, str]]]]:
    """pdf_words(pdf): each page's words as (printed height in points, text), read with poppler's pdftotext
    (CI installs poppler-utils beside LibreOffice; elsewhere the paper tests are skipped without it)."""
    found = shutil.which("pdftotext")
    if not found:
        if os.environ.get("XLSX_TRACKER_REQUIRE_SOFFICE"):
            pytest.fail("需要 pdftotext(poppler-utils)检查打印效果,但未安装。")
        pytest.skip("pdftotext (poppler-utils) is not installed: printed pages not measured")

    def words(pdf: Path) -> list[list[tuple[float, str]]]:
        xml = subprocess.run([found, "-bbox", str(pdf), "-"], check=True, capture_output=True, timeout=120).stdout.decode("utf-8")
        box = re.compile(r'yMin="([^"]+)" xMax="[^"]+" yMax="([^"]+)">([^<]*)<')
        return [[(float(y1) - float(y0), html.unescape(text)) for y0, y1, text in box.findall(page)] for page in xml.split("<page ")[1:]]
    return words


# ---------------------------------------------------------------- waiting on a condition, never on the clock alone

@pytest.fixture(scope="session")
def wait_until() -> Callable[..., bool]:
    """wait_until(condition, timeout=10.0): poll condition() until it holds or the deadline passes; its last answer.
    Assert on it: a slow machine waits longer, a fast one does not wait at all."""
    def wait(condition: Callable[[], bool], timeout: float = 10.0, interval: float = 0.05) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            if condition():
                return True
            if time.monotonic() >= deadline:
                return bool(condition())
            time.sleep(interval)
    return wait
