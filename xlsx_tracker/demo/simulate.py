"""Simulated returns: fill issued workbooks as a unit would, with optional realistic defects.

Used by `demo`, the benchmark and the tests. It writes new files; issued files are never changed.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import openpyxl

from ..base import layout
from ..base.layout import STATUS
from ..master.settings import STATUSES

PROGRESS_TEXTS = ["已完成情况说明初稿,正在收集印证材料。", "已召开专题会议部署,材料整理中。", "已完成全部材料并报送审核。",
                  "正在对照指标要求梳理2023年以来台账。", "已形成制度文件1份,网址已登记。"]
ISSUE_TEXTS = ["", "", "部分材料需其他单位提供,正在协调。", "涉及跨部门数据,需依法治区办协调。"]
NAMES = ["王海", "李娜", "张伟", "刘芳", "陈静", "杨磊", "赵敏", "周强"]


def open_form(path: Path):
    return openpyxl.load_workbook(path)


def task_rows(book) -> dict[str, int]:
    """编号 -> 1-based Excel row in the task sheet."""
    sheet = book[layout.TASK_SHEET]
    return {sheet.cell(r, 1).value: r for r in range(layout.FIRST_DATA_ROW + 1, sheet.max_row + 1)
            if sheet.cell(r, 1).value}


def column(name: str) -> int:
    return layout.TASK_COLUMNS.index(name) + 1


def fill_form(book, rng: random.Random, month: str, done_share: float = 0.4) -> None:
    """Fill every row with plausible values, the liaison and a few evidence entries."""
    year, number = (int(x) for x in month.split("-"))
    sheet = book[layout.TASK_SHEET]
    ids = list(task_rows(book).items())
    for task_id, row in ids:
        veto = str(task_id).startswith("否决")
        status = "未发生" if veto else _status(rng, done_share)
        sheet.cell(row, column(STATUS)).value = status
        sheet.cell(row, column("本月工作进展")).value = rng.choice(PROGRESS_TEXTS)
        sheet.cell(row, column("已形成材料")).value = "情况说明初稿" if status != "未启动" else ""
        sheet.cell(row, column("存在问题及需协调事项")).value = rng.choice(ISSUE_TEXTS)
        sheet.cell(row, column("预计完成时间")).value = dt.datetime(year, number, 1) + dt.timedelta(days=rng.randint(20, 80))
        sheet.cell(row, column("责任人")).value = rng.choice(NAMES)
        sheet.cell(row, column("联系电话")).value = f"139{rng.randint(10000000, 99999999)}"
    _fill_evidence(book, rng, [t for t, _ in ids if not str(t).startswith("否决")])
    liaison = book[layout.LIAISON_SHEET]
    row = layout.FIRST_DATA_ROW + 1
    liaison.cell(row, 2).value = rng.choice(NAMES)
    liaison.cell(row, 3).value = "科员"
    liaison.cell(row, 4).value = f"0471-{rng.randint(6000000, 6999999)}"


def _status(rng: random.Random, done_share: float) -> str:
    roll = rng.random()
    if roll < done_share:
        return "已完成"
    if roll < done_share + 0.4:
        return "推进中"
    if roll < done_share + 0.45:
        return STATUSES[3]
    return "未启动"


def _fill_evidence(book, rng: random.Random, ids: list[str]) -> None:
    sheet = book[layout.EVIDENCE_SHEET]
    for index, task_id in enumerate(ids[: max(1, len(ids) // 2)]):
        row = layout.FIRST_DATA_ROW + 1 + index
        sheet.cell(row, 1).value = task_id
        sheet.cell(row, 2).value = f"关于{task_id}项工作的情况说明"
        sheet.cell(row, 3).value = rng.choice(["正式文件(PDF)", "情况说明", "网址"])
        sheet.cell(row, 4).value = f"http://www.xinchengqu.gov.cn/zwgk/{rng.randint(1000, 9999)}.html"


def set_value(book, task_id: str, name: str, value) -> None:
    book[layout.TASK_SHEET].cell(task_rows(book)[task_id], column(name)).value = value


def save_as(book, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


# ---------------------------------------------------------------- defects a real return carries

def paste_invalid_status(book, task_id: str, text: str = "基本完成") -> None:
    set_value(book, task_id, STATUS, text)


def tamper_locked(book, task_id: str, name: str = "三级指标", text: str = "(已删减)") -> None:
    """Overwrite an issued text: on the task sheet where it is (earlier layout), else on the reference sheet."""
    if name in layout.TASK_COLUMNS or layout.REFERENCE_SHEET not in book.sheetnames:
        set_value(book, task_id, name, text)
        return
    sheet = book[layout.REFERENCE_SHEET]
    row = next(r for r in range(layout.FIRST_DATA_ROW + 1, sheet.max_row + 1) if sheet.cell(r, 1).value == task_id)
    sheet.cell(row, layout.REFERENCE_COLUMNS.index(name) + 1).value = text


def delete_row(book, task_id: str) -> None:
    book[layout.TASK_SHEET].delete_rows(task_rows(book)[task_id])


def duplicate_row(book, task_id: str) -> None:
    sheet = book[layout.TASK_SHEET]
    source = task_rows(book)[task_id]
    target = sheet.max_row + 1
    for col in range(1, len(layout.TASK_COLUMNS) + 1):
        sheet.cell(target, col).value = sheet.cell(source, col).value


def insert_blank_row(book, task_id: str, text: str = "补充说明:本单位另有一项工作") -> None:
    sheet = book[layout.TASK_SHEET]
    row = task_rows(book)[task_id]
    sheet.insert_rows(row)
    sheet.cell(row, column("本月工作进展")).value = text


def swap_rows(book, first: str, second: str) -> None:
    sheet = book[layout.TASK_SHEET]
    rows = task_rows(book)
    a, b = rows[first], rows[second]
    for col in range(1, len(layout.TASK_COLUMNS) + 1):
        top, bottom = sheet.cell(a, col), sheet.cell(b, col)
        top.value, bottom.value = bottom.value, top.value


def rename_sheet(book, new_name: str = "Sheet1") -> None:
    book[layout.TASK_SHEET].title = new_name


def drop_identity(book) -> None:
    """What a careless copy-paste into a fresh workbook loses: the hidden sheet and properties."""
    del book[layout.META_SHEET]
    book.custom_doc_props.props.clear()


def add_evidence(book, task_id: str, name: str, kind: str, url: str) -> int:
    sheet = book[layout.EVIDENCE_SHEET]
    row = layout.FIRST_DATA_ROW + 1
    while sheet.cell(row, 1).value or sheet.cell(row, 2).value:
        row += 1
    for col, value in enumerate([task_id, name, kind, url], start=1):
        sheet.cell(row, col).value = value
    return row
