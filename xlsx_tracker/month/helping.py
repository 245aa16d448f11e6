"""What a unit reads but does not fill: the tasks it only cooperates on ([tasks] cooperating_report = false).

A unit that also reports on tasks finds them on a locked 配合任务 sheet of its form. A unit the list names only as
配合 gets a notice workbook of its own (配合任务告知): no form, nothing to return, and merge sets it aside if it comes
back.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

from ..base import layout
from ..base.model import Task
from ..base.sheetio import Formats, atomic_path, wrapped_height
from ..calendar.workdays import month_label
from ..master.deadlines import task_deadline
from ..master.tasklist import Master
from ..master.units import safe_filename
from . import form_parts as parts

HELPING_NOTE = "以下任务由牵头单位(和责任单位)报送进展,本单位为配合单位:请按职责配合做好相关工作,无需在“任务清单”中填报。"
NOTICE_NOTE = "以下任务由牵头单位(和责任单位)报送进展,本单位为配合单位:请按职责配合做好相关工作。本表无需填写,也无需报回。"


def notice_name(unit: str, month: str) -> str:
    return f"{safe_filename(unit)}_{month}_{layout.NOTICE_KIND}.xlsx"


def remove_stale_notices(folder: Path, month: str, kept: set[Path]) -> None:
    """Notices this tool wrote for the month that the current master no longer gives: only files by its own names."""
    kept = {k.resolve() for k in kept}
    for path in Path(folder).glob(f"*_{month}_{layout.NOTICE_KIND}.xlsx"):
        if path.resolve() not in kept:
            path.unlink(missing_ok=True)


def write_helping_sheet(sheet, formats: Formats, unit: str, month: str, tasks: list[Task], note: str = HELPING_NOTE) -> None:
    """The locked list of the tasks a unit cooperates on: number, task, who reports it, its deadline."""
    f, columns = formats, layout.HELPING_COLUMNS
    sheet.merge_range(0, 0, 0, len(columns) - 1, f"{unit} 配合任务(只供了解,无需填报)", f["title"])
    for col, (name, width) in enumerate(columns.items()):
        sheet.set_column(col, col, width)
        sheet.write_string(layout.HEADER_ROW, col, name, f["head"])
    for index, task in enumerate(tasks):
        row = layout.FIRST_DATA_ROW + index
        values = [task.task_id, task.indicator_text + (f"\n{task.part_text}" if task.part_text else ""),
                  task.lead_text or "、".join(task.units), task_deadline(task).describe() if task.deadline else ""]
        for col, value in enumerate(values):
            sheet.write_string(row, col, value, f.text("locked", value))
        sheet.set_row(row, max(15.0, *(wrapped_height(v, w, parts.TABLE_FONT_SIZE) for v, w in zip(values, columns.values()))))
    note_row = layout.FIRST_DATA_ROW + len(tasks) + 1
    sheet.merge_range(note_row, 0, note_row, len(columns) - 1, note, f["wrap"])
    sheet.set_row(note_row, wrapped_height(note, sum(columns.values()), 11))
    sheet.freeze_panes(layout.FIRST_DATA_ROW, 0)
    parts.protect_and_print(sheet, layout.HEADER_ROW, month, unit)


def write_notice(master: Master, unit: str, month: str, tasks: list[Task], issued: dt.datetime, path: Path) -> None:
    """The notice of a unit that only cooperates: what it is and why nothing comes back, then its tasks."""
    settings = master.settings
    with atomic_path(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
                                              "in_memory": True, "default_format_properties": dict(parts.FONT)})
        formats = parts.form_formats(book)
        book.set_properties({"title": f"{unit}{month_label(month)}{settings.work}{layout.NOTICE_KIND}",
                             "author": settings.office, "company": settings.office, "created": issued})
        for key, value in {layout.KIND_PROPERTY: layout.NOTICE_KIND, "unit": unit, "month": month}.items():
            book.set_custom_property(layout.PROPERTY_PREFIX + key, value)
        guide, helping = book.add_worksheet(layout.NOTICE_SHEET), book.add_worksheet(layout.HELPING_SHEET)
        guide.set_column(0, 0, 16, formats["label"])
        guide.set_column(1, 1, 92, formats["wrap"])
        guide.merge_range(0, 0, 0, 1, f"{settings.district}{settings.work}{layout.NOTICE_KIND}", formats["title"])
        facts = [("单位", unit), ("月份", month_label(month)), ("配合任务", f"{len(tasks)} 项,见“{layout.HELPING_SHEET}”表"),
                 ("说明", f"本单位在“{layout.HELPING_SHEET}”表所列任务中为配合单位,进展由牵头单位报送。本表只供了解,"
                        "无需填写,也无需报回;请按职责配合牵头单位做好相关工作。"),
                 ("联系人", f"{settings.office} {settings.contact_name} 电话 {settings.contact_phone} 邮箱 {settings.contact_email}")]
        for row, (label, value) in enumerate(facts, start=2):
            guide.write_string(row, 0, label, formats["label"])
            guide.write_string(row, 1, value, formats["wrap"])
            guide.set_row(row, wrapped_height(value, 92, 11))
        guide.protect("", {"select_locked_cells": True})
        guide.set_landscape()
        guide.set_paper(9)
        guide.fit_to_pages(1, 1)
        write_helping_sheet(helping, formats, unit, month, tasks, NOTICE_NOTE)
        guide.activate()
        book.close()
