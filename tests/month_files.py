"""A month's documents and ledger tables as plain values, times masked: what two ways of running one month are
compared by (the page and the command line; a re-merge and a full merge)."""

from __future__ import annotations

import csv
import re
import sqlite3
from pathlib import Path

import openpyxl
from docx import Document

from xlsx_tracker.base.workspace import Workspace
from xlsx_tracker.outputs.bulletin import bulletin_name
from xlsx_tracker.outputs.report import details_name, report_name

MONTH = "2024-05"

TIMES = re.compile(r"\d{4}[-年]\d{2}[-月]\d{2}日?[ T]?\d{2}:\d{2}(:\d{2})?|\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d{2}-\d{2} \d{2}:\d{2}|"
                   r"\d{4}-\d{2}-\d{2}-\d{6}-[0-9a-f]{8}")


def masked(value) -> str:
    return TIMES.sub("TIME", "" if value is None else str(value))


def book_values(path: Path) -> dict:
    book = openpyxl.load_workbook(path)
    return {sheet.title: [[masked(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets}


def month_files(workspace: Workspace, month: str = MONTH) -> dict:
    folder = workspace.month_reports(month)
    receipts = sorted((folder / "回执").glob("*.txt"))
    reminders = sorted((folder / "催报").glob("*.txt"))
    return {
        "report": book_values(folder / report_name(month)),
        "details": book_values(folder / details_name(month)),
        "bulletin": [masked(p.text) for p in Document(str(folder / bulletin_name(month))).paragraphs],
        "problems": [[masked(c) for c in row] for row in csv.reader((folder / f"校验问题_{month}.csv").open(encoding="utf-8-sig"))],
        "receipts": {p.name: masked(p.read_text(encoding="utf-8")) for p in receipts},
        "reminders": {p.name: masked(p.read_text(encoding="utf-8")) for p in reminders},
    }


def table(workspace: Workspace, name: str) -> list:
    conn = sqlite3.connect(workspace.ledger_file)
    try:
        return sorted([masked(v) for v in row] for row in conn.execute(f"SELECT * FROM {name}"))
    finally:
        conn.close()
