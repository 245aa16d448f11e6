"""工作台账: the proof of every indicator, filed by reporting group (附件1: 逐一分类建档).

Rebuilt whole from the ledger and the archive: one folder per group `<编号>_<三级指标摘要>/` holding that group's
证明材料目录.xlsx and the evidence files the units sent, named as 附件1 asks (by their original names), and a
top-level 总目录.xlsx with each indicator's status, what is missing and links to its folder. A material is filed
by the 证明材料目录 row that names it, else by the indicator number in its name; the rest are listed for the office
to assign. Originals are read from the archive and never changed; a second build gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from ..base.model import TrackerError
from ..base.sheetio import Formats, excel_text
from ..base.workspace import workspace_lock
from ..master.units import safe_filename
from ..month import ledger
from ..month.materials import Filed, file_materials
from ..month.rows import REVIEWED
from ..month.run import MonthRun
from ..month.state import MonthState, load_state

FOLDER = "工作台账"
EVIDENCE_COLUMNS = ["单位", "编号", "材料名称", "材料类型", "网址", "备注"]


@dataclass(frozen=True)
class Built:
    root: Path
    groups: int
    files: int
    unmatched: list[str]


def build(run: MonthRun, on_wait=None) -> Built:
    """Write <workspace>/工作台账/ afresh from the ledger and the archive (up to run.month)."""
    state = load_state(run)
    with run.ledger() as conn:
        materials = [s for m in ledger.months(conn) if m <= run.month
                     for s in ledger.submissions(conn, m) if s.outcome == "material"]
    tasks = [t for t in run.master.tasks if t.section != "veto"]
    groups = list(dict.fromkeys(t.group_id for t in tasks))
    filed = file_materials(state, materials, groups)
    created = dt.datetime.combine(state.deadline.deadline, dt.time())  # fixed: a rebuild gives the same bytes
    final = run.workspace.root / FOLDER
    with workspace_lock(run.workspace, on_wait):
        staging = Path(tempfile.mkdtemp(prefix=f".tmp-{FOLDER}-", dir=run.workspace.root))
        try:
            folders = {g: _group_folder(run, g) for g in groups}
            count = 0
            for group, name in folders.items():
                folder = staging / name
                folder.mkdir()
                entries = [e for e in state.evidence if e.get("编号", "").split("/")[0] == group]
                _evidence_book(folder / "证明材料目录.xlsx", entries, created)
                count += _copy_files(run, folder, [f for f in filed if f.group == group])
            _index(run, staging / "总目录.xlsx", state, groups, folders, filed, created)
            _swap(staging, final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return Built(final, len(groups), count, [f.submission.file_name for f in filed if not f.group])


def _group_folder(run: MonthRun, group: str) -> str:
    task = next(t for t in run.master.tasks if t.group_id == group)
    summary = " ".join(task.indicator_text.split())[:16]
    return safe_filename(f"{group}_{summary}")


def _copy_files(run: MonthRun, folder: Path, filed: list[Filed]) -> int:
    used: set[str] = set()
    for item in sorted(filed, key=lambda f: (f.submission.file_name, f.submission.sha256)):
        name = safe_filename(item.submission.file_name.rsplit("/", 1)[-1])  # 按原文件名命名
        if name in used:
            name = safe_filename(f"{item.unit or '未知单位'}_{name}")
        used.add(name)
        if not run.workspace.copy_archived(item.submission.archive_path, folder / name):
            raise TrackerError(f"存档中找不到“{name}”({item.submission.archive_path}),工作台账没有重建。请检查 archive 文件夹是否完整。")
    return len(filed)


def _swap(staging: Path, final: Path) -> None:
    """Replace the old 台账 with the new one: the old is moved aside first, so a failure leaves one of them whole."""
    old = final.with_name(f".tmp-{FOLDER}-old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.replace(final, old)
    os.replace(staging, final)
    shutil.rmtree(old, ignore_errors=True)


def _book(path: Path, created: dt.datetime):
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False})
    book.set_properties({"created": created})
    return book, Formats(book, _FORMATS)


def _evidence_book(path: Path, entries: list[dict], created: dt.datetime) -> None:
    book, f = _book(path, created)
    sheet = book.add_worksheet("证明材料目录")
    for col, (name, width) in enumerate(zip(EVIDENCE_COLUMNS, [14, 8, 40, 14, 44, 20], strict=True)):
        sheet.set_column(col, col, width)
        sheet.write_string(0, col, name, f["head"])
    for row, entry in enumerate(sorted(entries, key=lambda e: (e.get("编号", ""), e["单位"], e.get("材料名称", ""))), start=1):
        for col, name in enumerate(EVIDENCE_COLUMNS):
            text = excel_text(str(entry.get(name, "")))
            sheet.write_string(row, col, text, f.text("cell", text))
    book.close()


def _index(run: MonthRun, path: Path, state: MonthState, groups, folders, filed: list[Filed], created) -> None:
    book, f = _book(path, created)
    sheet = book.add_worksheet("总目录")
    headers = ["板块", "序号", "报送组", "三级指标(摘要)", "状态", "已销号/任务数", "缺少", "文件夹", "材料文件"]
    for col, (name, width) in enumerate(zip(headers, [7, 5, 8, 36, 8, 12, 28, 28, 40], strict=True)):
        sheet.set_column(col, col, width)
        sheet.write_string(0, col, name, f["head"])
    rows_by_group: dict[str, list] = {}
    for row in state.rows:
        rows_by_group.setdefault(row.assignment.task.group_id, []).append(row)
    evidence_groups = {e.get("编号", "").split("/")[0] for e in state.evidence}
    line = 1
    for item in state.indicators:
        group = item.indicator.group_id or next((t.group_id for t in run.master.tasks if item.indicator.number in t.indicators
                                                  and t.section == item.indicator.section), "")
        if group not in folders:
            continue
        files = sorted(x.submission.file_name.rsplit("/", 1)[-1] for x in filed if x.group == group)
        rows = rows_by_group.get(group, [])
        missing = [text for ok, text in [(item.status == "已完成", "任务未全部完成"), (group in evidence_groups, "无证明材料目录条目"),
                                         (any("情况说明" in name for name in files), "无情况说明文件")] if not ok]
        values = [item.indicator.label if item.indicator.section != "main" else "指标", str(item.indicator.number), group,
                  " ".join(item.indicator.text.split())[:40], item.status,
                  f"{sum(1 for r in rows if r.review == REVIEWED)}/{len(rows)}", "、".join(missing) or "齐全", "", "\n".join(files)]
        for col, value in enumerate(values):
            if col == 7:
                sheet.write_url(line, col, f"external:{folders[group]}", f["link"], string=folders[group])  # relative: the tree moves whole
            else:
                sheet.write_string(line, col, value, f.text("cell", value))
        line += 1
    loose = book.add_worksheet("未归类材料")
    for col, (name, width) in enumerate(zip(["文件", "单位", "月份", "说明"], [50, 16, 10, 50], strict=True)):
        loose.set_column(col, col, width)
        loose.write_string(0, col, name, f["head"])
    for row, item in enumerate(sorted((x for x in filed if not x.group), key=lambda x: x.submission.file_name), start=1):
        for col, value in enumerate([item.submission.file_name, item.unit, item.submission.month,
                                     "无法判断属于哪项指标:请在证明材料目录中登记该文件名,或在文件名前加指标序号(如“21_”)"]):
            loose.write_string(row, col, value, f.text("cell", value))
    book.close()


_BASE = {"font_name": "宋体", "font_size": 10, "valign": "top", "text_wrap": True, "border": 1}
_FORMATS = {
    "head": {**_BASE, "bold": True, "bg_color": "#D9D9D9", "align": "center"},
    "cell": _BASE,
    "link": {**_BASE, "font_color": "#0563C1", "underline": 1},
}
