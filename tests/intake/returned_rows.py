"""Returned task rows as plain Python data, for reconcile's tests: no workbook involved."""

import datetime as dt
from pathlib import Path

from xlsx_tracker.base import layout
from xlsx_tracker.intake.reader import Returned, SheetTable
from xlsx_tracker.master.issued import Issued

LOCKED = {"编号": "", "一级指标": "一、政府职能", "二级指标": "(一)", "三级指标": "指标原文", "本单位承担事项": "全部申报材料",
          "申报材料要求": "请提供文件", "情况说明题目": "", "牵头单位": "司法局", "截止日期": dt.date(2024, 5, 20)}
ISSUED = Issued(rows={tid: {**LOCKED, "编号": tid} for tid in ("1", "2", "否决1")}, veto_ids={"否决1"})
COLUMNS = {name: col for col, name in enumerate(layout.LEGACY_TASK_COLUMNS)}


def task_row(task_id, **editable):
    """One returned task row: the issued locked text, then the editable values given (by column name)."""
    values = {**ISSUED.rows.get(task_id, LOCKED), "编号": task_id, **editable}
    return [values.get(name) for name in layout.LEGACY_TASK_COLUMNS]


def returned(*rows, evidence=(), liaison=(), columns=layout.LEGACY_TASK_COLUMNS, reference=()):
    """rows are task rows from Excel row 3 down; evidence and liaison rows likewise from row 3."""
    def table(sheet, columns, body):
        return SheetTable(sheet, layout.HEADER_ROW, {n: c for c, n in enumerate(columns)},
                     [(layout.FIRST_DATA_ROW + i, list(r)) for i, r in enumerate(body)])
    return Returned(Path("司法局_2024-05.xlsx"), "0" * 64, 1,
                    tasks=table(layout.TASK_SHEET, columns, rows),
                    reference=table(layout.REFERENCE_SHEET, layout.REFERENCE_COLUMNS, reference) if reference else SheetTable(),
                    evidence=table(layout.EVIDENCE_SHEET, layout.EVIDENCE_COLUMNS, evidence),
                    liaison=table(layout.LIAISON_SHEET, layout.LIAISON_COLUMNS, liaison))
