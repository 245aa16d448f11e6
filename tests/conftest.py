"""Shared fixtures: a workspace made from the embedded master, built once per session."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from xlsx_tracker.base.workspace import Workspace, init_workspace
from xlsx_tracker.calendar.workdays import load_calendar
from xlsx_tracker.master.tasklist import load_master_or_fail
from xlsx_tracker.month.run import MonthRun


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    """The CLI's today, fixed in May 2024: the yearly calendar reminder (from November) stays out of exact outputs.
    Tests of the reminder set their own day."""
    import datetime as dt

    from xlsx_tracker.cli import main as cli

    monkeypatch.setattr(cli, "_today", lambda: dt.date(2024, 5, 21))


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


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def require_soffice() -> str:
    """LibreOffice is the real second client; CI installs it and sets XLSX_TRACKER_REQUIRE_SOFFICE=1."""
    found = soffice()
    if found:
        return found
    if os.environ.get("XLSX_TRACKER_REQUIRE_SOFFICE"):
        pytest.fail("需要 LibreOffice(soffice)进行往返测试,但未安装。")
    pytest.skip("LibreOffice (soffice) is not installed: cross-client round trip not run")


def libreoffice_convert(source: Path, out_dir: Path, target: str = "xlsx") -> Path:
    """Open and re-save a workbook with LibreOffice, as a unit using it would."""
    binary = require_soffice()
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = out_dir / ".lo-profile"
    subprocess.run([binary, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", target,
                    "--outdir", str(out_dir), str(source)], check=True, capture_output=True, timeout=180)
    return out_dir / f"{source.stem}.{target}"


def month_of(master, calendar, month: str, workspace: Workspace | None = None) -> MonthRun:
    """A month run on the session's master; without a workspace it has no ledger (nothing carried)."""
    return MonthRun(workspace or Workspace(Path("/nonexistent/xlsx-tracker-test")), master, calendar, month, master.settings.policy)


def ledger_dump(path: Path, received: bool = True) -> dict:
    """Every ledger row, sorted; the run's random archive token is masked (and, unless received, the receipt time)."""
    conn = sqlite3.connect(path)
    tables = ["submissions", "row_values", "evidence", "liaison", "problems"]
    dump = {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}
    conn.close()
    dump["submissions"] = [(*row[:4], mask_run(row[4]), *row[5:10], row[10] if received else "", *row[11:])
                           for row in dump["submissions"]]
    return dump


def mask_run(text: str) -> str:
    """A text with the run's archive name (time and random token) masked, to compare two runs."""
    return re.sub(r"/[0-9-]+-[0-9a-f]{8}\.zip/", "/RUN.zip/", text)


def issued_like(source: Workspace, root: Path) -> Workspace:
    """A new workspace that has issued what source issued (its snapshots), with nothing merged yet."""
    from xlsx_tracker.month import ledger

    target = init_workspace(root)
    source_conn, target_conn = ledger.connect(source.ledger_file), ledger.connect(target.ledger_file)
    try:
        with ledger.transaction(target_conn):
            for (month,) in source_conn.execute("SELECT DISTINCT month FROM issues"):
                for row in source_conn.execute("SELECT * FROM issues WHERE month=?", (month,)):
                    target_conn.execute("INSERT INTO issues VALUES (?,?,?,?,?,?)", row)
    finally:
        source_conn.close()
        target_conn.close()
    return target
