"""The page adds no rules: a month run through the page (split, upload, merge, review) and the same month run through
the command line on the same files give the same ledger and the same documents (times of writing masked)."""

from __future__ import annotations

import csv
import re
import shutil
import sqlite3
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from docx import Document

from xlsx_tracker.base.workspace import Workspace
from xlsx_tracker.cli import main
from xlsx_tracker.month.run import month_run
from xlsx_tracker.month.state import load_state
from xlsx_tracker.outputs.bulletin import bulletin_name
from xlsx_tracker.outputs.report import details_name, report_name
from xlsx_tracker.outputs.review import claims, review_name

from .conftest import MONTH, decision

TIMES = re.compile(r"\d{4}[-年]\d{2}[-月]\d{2}日?[ T]?\d{2}:\d{2}(:\d{2})?|\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d{2}-\d{2} \d{2}:\d{2}|"
                   r"\d{4}-\d{2}-\d{2}-\d{6}-[0-9a-f]{8}")


def masked(value) -> str:
    return TIMES.sub("TIME", "" if value is None else str(value))


def book_values(path: Path) -> dict:
    book = openpyxl.load_workbook(path)
    return {sheet.title: [[masked(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets}


def month_files(workspace: Workspace) -> dict:
    folder = workspace.month_reports(MONTH)
    receipts = sorted((folder / "回执").glob("*.txt"))
    reminders = sorted((folder / "催报").glob("*.txt"))
    return {
        "report": book_values(folder / report_name(MONTH)),
        "details": book_values(folder / details_name(MONTH)),
        "bulletin": [masked(p.text) for p in Document(str(folder / bulletin_name(MONTH))).paragraphs],
        "problems": [[masked(c) for c in row] for row in csv.reader((folder / f"校验问题_{MONTH}.csv").open(encoding="utf-8-sig"))],
        "receipts": {p.name: masked(p.read_text(encoding="utf-8")) for p in receipts},
        "reminders": {p.name: masked(p.read_text(encoding="utf-8")) for p in reminders},
    }


def table(workspace: Workspace, name: str) -> list:
    conn = sqlite3.connect(workspace.ledger_file)
    try:
        return sorted([masked(v) for v in row] for row in conn.execute(f"SELECT * FROM {name}"))
    finally:
        conn.close()


def cli(workspace: Workspace, *args):
    result = CliRunner().invoke(main, ["-w", str(workspace.root), *args])
    assert result.exit_code == 0, result.output
    return result


def test_a_month_through_the_page_equals_the_same_month_through_the_command_line(returned, base_workspace, tmp_path, ledger_dump):
    page = returned
    state = load_state(month_run(page.workspace, MONTH))
    claim = claims(state)[0]
    page.post("/review", {**decision(claim, "退回", "未附会议纪要"), "reviewer": "张三"})

    terminal = Workspace(tmp_path / "命令行")
    shutil.copytree(base_workspace.root, terminal.root)
    cli(terminal, "split", "--month", MONTH)
    shutil.copytree(page.workspace.inbox_dir(MONTH), terminal.inbox_dir(MONTH))
    cli(terminal, "merge", "--month", MONTH)
    cli(terminal, "review", "--month", MONTH)
    sheet_path = terminal.month_reports(MONTH) / review_name(MONTH)
    book = openpyxl.load_workbook(sheet_path)
    sheet = book["审核"]
    for row in sheet.iter_rows(min_row=3):
        if (row[0].value, row[1].value) == (claim.unit, claim.task_id):
            row[7].value, row[8].value = "退回", "未附会议纪要"
    book.save(sheet_path)
    cli(terminal, "review", "--month", MONTH, "--apply", str(sheet_path), "--reviewer", "张三")

    through_page, through_cli = ledger_dump(page.workspace.ledger_file), ledger_dump(terminal.ledger_file)
    assert {t: [[masked(v) for v in row] for row in rows] for t, rows in through_page.items()} == \
           {t: [[masked(v) for v in row] for row in rows] for t, rows in through_cli.items()}
    assert table(page.workspace, "reviews") == table(terminal, "reviews") and len(table(terminal, "reviews")) == 1
    assert table(page.workspace, "lights") == table(terminal, "lights")
    assert table(page.workspace, "issues") == table(terminal, "issues")
    page_files, cli_files = month_files(page.workspace), month_files(terminal)
    assert page_files.keys() == cli_files.keys()
    for kind in page_files:
        assert page_files[kind] == cli_files[kind], kind
    assert len(page_files["receipts"]) == 3 and page_files["report"]
