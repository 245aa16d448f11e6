"""The page adds no rules: a month run through the page (split, upload, merge, review) and the same month run through
the command line on the same files give the same ledger and the same documents (times of writing masked)."""

from __future__ import annotations

import shutil

import openpyxl
from click.testing import CliRunner

from xlsx_tracker.base.workspace import Workspace
from xlsx_tracker.cli import main
from xlsx_tracker.month.run import month_run
from xlsx_tracker.month.state import load_state
from xlsx_tracker.outputs.review import claims, review_name

from ..month_files import masked, month_files, table
from .conftest import MONTH, decision


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
