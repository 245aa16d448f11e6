"""split: the master task list becomes one fillable workbook per unit."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import xlsxwriter

from .. import __version__
from ..base import layout
from ..base.layout import STATUS
from ..base.model import Assignment, Carried, TrackerError
from ..base.sheetio import Formats, atomic_path, excel_text, wrapped_height
from ..base.workspace import workspace_lock
from ..calendar.workdays import Deadline, make_deadline, month_label
from ..intake import isolate
from ..master.issued import WHOLE_GROUP, issued_for, lead_texts, snapshot_rows
from ..master.settings import STATUSES, VETO_STATUSES
from ..master.tasklist import Master
from ..master.units import safe_filename
from .form_parts import ListSheet, closed, date_validation, phone_validation, review_note
from .run import MonthRun

# The task sheet adds up to about 141 characters: A4 landscape prints it near full size (at least 9 pt).
TASK_WIDTHS = {"编号": 7, "任务": 26, STATUS: 15, "本月工作进展": 27, "已形成材料": 14, "存在问题及需协调事项": 18,
               "预计完成时间": 11, "责任人": 7, "联系电话": 12, layout.REVIEW_COLUMN: 15}  # 160 wide: A4 landscape at 9 pt
REFERENCE_WIDTHS = {"编号": 6, "一级指标": 9, "二级指标": 9, "三级指标": 26, "本单位承担事项": 24,
                    "申报材料要求": 38, "情况说明题目": 14, "牵头单位": 10, "截止日期": 10}  # 146: prints at 9 pt or more
SUMMARY_LENGTH = 36  # characters of the task shown beside the inputs


@dataclass(frozen=True)
class UnitSheet:
    unit: str
    path: Path
    rows: int
    snapshot: list = field(default_factory=list, repr=False, compare=False)  # what was issued, as recorded in the ledger


def workbook_name(unit: str, month: str) -> str:
    return f"{safe_filename(unit)}_{month}.xlsx"


def plan_split(master: Master, month: str, out_dir: Path, units: list[str] | None = None) -> list[tuple[str, Path]]:
    chosen = units or master.registry.units
    out_dir = Path(out_dir).resolve()
    plan = []
    for unit in chosen:
        path = (out_dir / workbook_name(unit, month)).resolve()
        if path.parent != out_dir:
            raise TrackerError(f"单位名称“{unit}”生成的文件名不安全,已拒绝。请在单位名录中修改该名称。")
        plan.append((unit, path))
    return plan


def split(run: MonthRun, *, out_dir: Path | None = None, carried: dict[str, Carried] | None = None,
          force: bool = False, units: list[str] | None = None, issued_at: dt.datetime | None = None,
          progress=None, on_wait=None) -> list[UnitSheet]:
    """Write one workbook per unit. Refuses to overwrite issued workbooks unless force.

    carried defaults to each unit's last accepted values in the ledger.
    """
    master, month = run.master, run.month
    plan = plan_split(master, month, out_dir or run.workspace.sheets_dir(month), units)
    existing = [path for _, path in plan if path.exists()]
    if existing and not force:
        names = "\n".join(f"  {p.name}" for p in existing)
        raise TrackerError(f"{month} 的以下工作簿已下发过,未覆盖(确需重新生成请加 --force):\n{names}")
    with workspace_lock(run.workspace, on_wait):
        carried = run.carried() if carried is None else carried
        liaison = _liaison_deadline(run)
        issued = (issued_at or dt.datetime.now()).replace(microsecond=0)
        written: list[UnitSheet] = []
        context = _Job(master, month, run.deadline, liaison, issued, carried, lead_texts(master))
        workers = min(os.cpu_count() or 1, 8) if len(plan) >= PARALLEL_UNITS else 1
        try:
            for sheet in _write_all(context, plan, workers):
                written.append(sheet)
                if progress:
                    progress(sheet.unit)
        finally:  # every workbook that went out has its snapshot, even when a later one failed
            run.record_issues(issued.isoformat(sep=" "), [(w.unit, w.snapshot) for w in written])
    return written


PARALLEL_UNITS = 64  # below this one process writes every workbook; above, one per core (a province-wide master)


@dataclass(frozen=True)
class _Job:
    master: Master
    month: str
    deadline: Deadline
    liaison: Deadline | None
    issued: dt.datetime
    carried: dict[str, Carried]
    leads: dict[str, str]


def _write_one(job: _Job, target: tuple[str, Path]) -> UnitSheet:
    """Write one unit's workbook (in a worker process when many): it reads nothing, so the order does not matter."""
    unit, path = target
    form = UnitForm(job.master, unit, job.month, job.deadline, job.liaison, job.issued, job.carried.get(unit, Carried()), job.leads)
    form.write(path)
    return UnitSheet(unit, path, len(form.assignments), form.snapshot())


def _write_all(job: _Job, plan: list[tuple[str, Path]], workers: int):
    if workers <= 1:
        for target in plan:
            yield _write_one(job, target)
        return
    # the job goes to each worker once; no deadline and no memory limit: writing is the tool's own work, not a unit's file
    texts: dict[str, str] = {}
    for target, result in isolate.run_with_context(_write_one, job, plan, workers=workers, timeout=None, memory_limit=None):
        # a worker that failed: the unit is written here, so that its error is raised as one process raises it
        yield _write_one(job, target) if isinstance(result, isolate.Failed) else _shared_texts(result, texts)


def _shared_texts(sheet: UnitSheet, texts: dict[str, str]) -> UnitSheet:
    """The snapshot with each text kept once: every worker's result arrives as new strings, and many units share the
    same task texts (1,600 units: 22 MiB in the parent otherwise)."""
    def shared(value):
        return texts.setdefault(value, value) if isinstance(value, str) else value
    rows = [[task_id, {shared(k): shared(v) for k, v in values.items()}, veto] for task_id, values, veto in sheet.snapshot]
    return replace(sheet, snapshot=rows)


def _liaison_deadline(run: MonthRun) -> Deadline | None:
    nominal = run.master.settings.liaison_deadline
    if nominal and nominal.strftime("%Y-%m") == run.month:
        return make_deadline(run.calendar, "联络员名单", nominal, run.policy)
    return None


class UnitForm:
    """One unit's workbook for one month."""

    def __init__(self, master: Master, unit: str, month: str, deadline: Deadline,
                 liaison: Deadline | None, issued: dt.datetime, carried: Carried, leads: dict[str, str]):
        self.master, self.unit, self.month = master, unit, month
        self.deadline, self.liaison, self.issued, self.carried = deadline, liaison, issued, carried
        self.assignments = master.assignments_for(unit)
        self.issued_rows = issued_for(master, unit, deadline, leads)
        self.rows = list(self.issued_rows.rows.values())
        self.hashes = [layout.row_hash(r) for r in self.rows]
        self.checksum = layout.identity_checksum(unit, month, master.version, self.issued_text, self.hashes)

    def snapshot(self) -> list[list]:
        return snapshot_rows(self.issued_rows)

    @property
    def issued_text(self) -> str:
        return self.issued.isoformat(sep=" ")

    def write(self, path: Path) -> None:
        with atomic_path(path) as tmp:
            # in_memory: a unit's workbook is small; its XML parts need no temporary files (17 per workbook otherwise)
            book = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False,
                                                  "strings_to_numbers": False, "in_memory": True})
            self.formats = _formats(book)
            self._set_properties(book)
            names = [layout.GUIDE_SHEET, layout.TASK_SHEET, layout.REFERENCE_SHEET, layout.EVIDENCE_SHEET, layout.LIAISON_SHEET,
                     layout.LISTS_SHEET, layout.META_SHEET]
            guide, tasks, reference, evidence, liaison, lists, meta = (book.add_worksheet(n) for n in names)
            self._lists = ListSheet(lists)
            self._write_guide(guide)
            self._write_tasks(tasks)
            self._write_reference(reference)
            self._write_evidence(evidence)
            self._write_liaison(liaison)
            self._write_meta(meta)
            lists.hide()
            guide.activate()
            book.close()

    # -------------------------------------------------------------- sheets

    def _set_properties(self, book) -> None:
        book.set_properties({
            "title": f"{self.unit}{month_label(self.month)}法治政府建设示范创建任务进展填报表",
            "author": self.master.settings.office, "company": self.master.settings.office,
            "created": self.issued,
        })
        identity = {"unit": self.unit, "month": self.month, "version": self.master.version,
                    "issued": self.issued_text, "checksum": self.checksum}
        for key, value in identity.items():
            book.set_custom_property(layout.PROPERTY_PREFIX + key, value)

    def _write_guide(self, sheet) -> None:
        f = self.formats
        sheet.set_column(0, 0, 16)
        sheet.set_column(1, 1, 92, f["wrap"])
        settings = self.master.settings
        sheet.merge_range(0, 0, 0, 1, f"{settings.district}法治政府建设示范创建工作任务进展填报表", f["title"])
        facts = [
            ("填报单位", self.unit),
            ("填报月份", month_label(self.month)),
            ("任务数量", f"本单位承担 {len(self.rows)} 项"),
            ("报送截止", f"{self.deadline.describe()}前"),
            ("截止日规则", f"规定为每月{settings.monthly_day}日前;{self.deadline.rule}"),
            ("联系人", f"{settings.office} {settings.contact_name} 电话 {settings.contact_phone} 邮箱 {settings.contact_email}"),
        ]
        if self.liaison:
            facts.insert(4, ("联络员名单", f"请于 {self.liaison.describe()}前填好“联络员”表一并报送;{self.liaison.rule}"))
        for row, (label, value) in enumerate(facts, start=2):
            sheet.write_string(row, 0, label, f["label"])
            sheet.write_string(row, 1, value, f["wrap"])
            sheet.set_row(row, wrapped_height(value, 92, 11))
        start = len(facts) + 3
        sheet.write_string(start, 0, "填报要求", f["label"])
        for offset, line in enumerate(self._instructions()):
            sheet.write_string(start + offset, 1, line, f["wrap"])
            sheet.set_row(start + offset, wrapped_height(line, 92, 11))
        sheet.protect("", {"select_locked_cells": True})
        sheet.set_landscape()
        sheet.set_paper(9)
        sheet.fit_to_pages(1, 0)

    def _instructions(self) -> list[str]:
        email = self.master.settings.contact_email
        return [
            "1. “任务清单”表只列本单位承担的任务:左侧灰色的编号和任务摘要已锁定,右侧白色列请逐项填写。"
            "每项任务的全文(三级指标、申报材料要求、情况说明题目、牵头单位等)在“任务说明”表中,按编号对应。",
            "2. 进展状态请从下拉列表中选择:" + " / ".join(STATUSES) + "。选“无此情形(已作说明)”的,请在“本月工作进展”中写明理由。",
            "3. 每项指标提供一份情况说明,包含主要举措、重要成效和突出亮点,简明扼要,一般不超过500字,最多不超过1000字;"
            "“情况说明题目”列有指定题目的,请按该题目撰写。",
            "4. 证明材料登记在“证明材料目录”表:每条写明编号、材料名称、类型和网址。正式文件扫描为PDF,以原文件名命名;涉密材料可提供纸质件。",
            "5. 预计完成时间请填日期(如 2024-06-30);联系电话请填数字。",
            "6. 否决项为各单位自查申报:如存在所列情形,进展状态选“已发生”并说明。",
            "7. 联络员信息填在“联络员”表。",
            "8. 请勿增删行、改动表名或灰色内容。可直接在 Excel 或 WPS 中填写并保存(.xlsx),文件名可不改;",
            f"   于截止日前以邮件附件发送至 {email}。重复报送的,以最后一次为准。",
        ]

    def _write_tasks(self, sheet) -> None:
        """编号 and a short task text, then the inputs: the clerk never loses sight of the task while typing."""
        f = self.formats
        columns = layout.TASK_COLUMNS
        title = f"{self.unit} {month_label(self.month)} 任务进展(截止 {self.deadline.describe()};任务全文见“{layout.REFERENCE_SHEET}”表)"
        sheet.merge_range(0, 0, 0, len(columns) - 1, title, f["title"])
        sheet.set_row(0, 24)
        for col, name in enumerate(columns):
            editable = name in layout.EDITABLE_COLUMNS
            sheet.set_column(col, col, TASK_WIDTHS[name])
            sheet.write_string(layout.HEADER_ROW, col, name, f["head_edit" if editable else "head"])
        for index, (assignment, locked) in enumerate(zip(self.assignments, self.rows, strict=True)):
            self._write_task_row(sheet, layout.FIRST_DATA_ROW + index, assignment, locked)
        self._task_validations(sheet)
        last = layout.FIRST_DATA_ROW + len(self.rows) - 1
        sheet.freeze_panes(layout.FIRST_DATA_ROW, 2)  # 编号 and 任务 stay in view
        sheet.autofilter(layout.HEADER_ROW, 0, max(last, layout.HEADER_ROW), len(columns) - 1)
        _protect_and_print(sheet, layout.HEADER_ROW, self.month, self.unit)

    def _write_task_row(self, sheet, row: int, assignment: Assignment, locked: dict) -> None:
        f = self.formats
        carried = self.carried.rows.get(assignment.task_id, {})
        decision = self.carried.reviews.get(assignment.task_id)
        summary = task_summary(locked)
        sheet.write_string(row, 0, locked["编号"], f.text("locked", locked["编号"]))
        sheet.write_string(row, 1, summary, f.text("locked", summary))
        for col, name in enumerate(layout.EDITABLE_COLUMNS, start=2):
            if name == STATUS and closed(decision):  # closed by the office: shown, locked, never asked again
                sheet.write_string(row, col, layout.CLOSED, f.text("locked", layout.CLOSED))
                continue
            _write_editable(sheet, row, col, carried.get(name), f, date=name == "预计完成时间")
        note = review_note(decision)
        sheet.write_string(row, layout.TASK_COLUMNS.index(layout.REVIEW_COLUMN), note, f.text("locked", note))
        texts = {"任务": summary, layout.REVIEW_COLUMN: note, **{k: str(v) for k, v in carried.items() if k in TASK_WIDTHS and v}}
        sheet.set_row(row, min(max([18.0, *(wrapped_height(v, TASK_WIDTHS[k]) for k, v in texts.items())]), 80))

    def _write_reference(self, sheet) -> None:
        """Every issued text in full, one row per task, locked: what the task sheet's 编号 refers to."""
        f = self.formats
        columns = layout.REFERENCE_COLUMNS
        sheet.merge_range(0, 0, 0, len(columns) - 1, f"{self.unit} 任务说明(下发原文,按编号与“任务清单”表对应)", f["title"])
        for col, name in enumerate(columns):
            sheet.set_column(col, col, REFERENCE_WIDTHS[name])
            sheet.write_string(layout.HEADER_ROW, col, name, f["head"])
        for index, locked in enumerate(self.rows):
            row = layout.FIRST_DATA_ROW + index
            for col, name in enumerate(columns):
                value = locked[name]
                if isinstance(value, dt.date):
                    sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), f["locked_date"])
                else:
                    sheet.write_string(row, col, value, f.text("locked", value))
            sheet.set_row(row, max([15.0, *(wrapped_height(v, REFERENCE_WIDTHS[k]) for k, v in locked.items() if isinstance(v, str))]))
        sheet.freeze_panes(layout.FIRST_DATA_ROW, 1)
        _protect_and_print(sheet, layout.HEADER_ROW, self.month, self.unit)

    def _task_validations(self, sheet) -> None:
        columns = layout.TASK_COLUMNS
        status_col = columns.index(STATUS)
        for index, assignment in enumerate(self.assignments):
            row = layout.FIRST_DATA_ROW + index
            if closed(self.carried.reviews.get(assignment.task_id)):
                continue  # a locked 已销号: no list to choose from
            choices = VETO_STATUSES if assignment.task.section == "veto" else STATUSES
            sheet.data_validation(row, status_col, row, status_col, self._lists.validation(
                choices, STATUS, "请从下拉列表中选择进展状态。"))
        last = layout.FIRST_DATA_ROW + max(len(self.rows), 1) - 1
        date_col = columns.index("预计完成时间")
        sheet.data_validation(layout.FIRST_DATA_ROW, date_col, last, date_col, date_validation())
        phone_col = columns.index("联系电话")
        sheet.data_validation(layout.FIRST_DATA_ROW, phone_col, last, phone_col, phone_validation())

    def _write_evidence(self, sheet) -> None:
        f = self.formats
        columns = layout.EVIDENCE_COLUMNS
        sheet.merge_range(0, 0, 0, len(columns) - 1, f"{self.unit} 证明材料目录({month_label(self.month)})", f["title"])
        for col, (name, width) in enumerate(zip(columns, [10, 44, 16, 44, 28])):
            sheet.set_column(col, col, width)
            sheet.write_string(layout.HEADER_ROW, col, name, f["head_edit"])
        rows = max(layout.EVIDENCE_ROWS, len(self.carried.evidence) + 50)
        for index in range(rows):
            entry = self.carried.evidence[index] if index < len(self.carried.evidence) else {}
            for col, name in enumerate(columns):
                _write_editable(sheet, layout.FIRST_DATA_ROW + index, col, entry.get(name), f)
        last = layout.FIRST_DATA_ROW + rows - 1
        ids = [r["编号"] for r in self.rows]
        sheet.data_validation(layout.FIRST_DATA_ROW, 0, last, 0, self._lists.validation(ids, "编号", "请选择本材料对应的任务编号。"))
        sheet.data_validation(layout.FIRST_DATA_ROW, 2, last, 2, self._lists.validation(
            layout.EVIDENCE_TYPES, "材料类型", "请从下拉列表中选择材料类型。"))
        sheet.freeze_panes(layout.FIRST_DATA_ROW, 0)
        _protect_and_print(sheet, layout.HEADER_ROW, self.month, self.unit)

    def _write_liaison(self, sheet) -> None:
        f = self.formats
        sheet.merge_range(0, 0, 0, len(layout.LIAISON_COLUMNS) - 1, "法治政府建设示范创建工作联络员名单反馈表(附件2)", f["title"])
        for col, (name, width) in enumerate(zip(layout.LIAISON_COLUMNS, [30, 14, 20, 18, 28], strict=True)):
            sheet.set_column(col, col, width)
            sheet.write_string(layout.HEADER_ROW, col, name, f["head" if col == 0 else "head_edit"])
        row = layout.FIRST_DATA_ROW
        sheet.write_string(row, 0, self.unit, f["locked"])
        known = self.carried.liaison or self.master.roster.get(self.unit, {})  # last return, else the office's roster
        for col, name in enumerate(layout.LIAISON_COLUMNS[1:], start=1):
            _write_editable(sheet, row, col, known.get(name), f)
        sheet.data_validation(row, 3, row, 3, phone_validation())
        note = "联络员有变动时请更新本表。"
        if self.liaison:
            note = f"联络员名单请于 {self.liaison.describe()}前报送({self.liaison.rule})。" + note
        sheet.write_string(row + 2, 0, note)
        _protect_and_print(sheet, layout.HEADER_ROW, self.month, self.unit)

    def _write_meta(self, sheet) -> None:
        identity = [self.unit, self.month, self.master.version, self.issued_text, self.checksum]
        for row, (label, value) in enumerate(zip(layout.META_KEYS.values(), identity)):
            sheet.write_string(row, 0, label)
            sheet.write_string(row, 1, value)
        sheet.write_string(5, 0, "工具版本")
        sheet.write_string(5, 1, __version__)
        start = 7
        for col, name in enumerate(layout.META_ROWS_HEADER):
            sheet.write_string(start, col, name)
        for index, (locked, digest) in enumerate(zip(self.rows, self.hashes), start=1):
            sheet.write_string(start + index, 0, locked["编号"])
            sheet.write_number(start + index, 1, layout.FIRST_DATA_ROW + index)
            sheet.write_string(start + index, 2, digest)
        sheet.protect("")
        sheet.very_hidden()


def _write_editable(sheet, row, col, value, f, date=False) -> None:
    if isinstance(value, (dt.date, dt.datetime)):
        value = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
        sheet.write_datetime(row, col, value, f["edit_date"])
    elif value not in (None, ""):
        text = excel_text(str(value))  # last month's text, as the unit wrote it: never a formula
        sheet.write_string(row, col, text, f.text("edit", text))
    else:
        sheet.write_blank(row, col, None, f["edit_date" if date else "edit"])


def _protect_and_print(sheet, header_row: int, month: str, unit: str) -> None:
    sheet.protect("", {"autofilter": True, "sort": False, "format_columns": True, "format_rows": True,
                       "select_locked_cells": True, "select_unlocked_cells": True})
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.repeat_rows(0, header_row)
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.set_header(f"&L{unit}&R{month_label(month)}")
    sheet.set_footer("&C第 &P 页,共 &N 页")


def task_summary(locked: dict) -> str:
    """The short task text beside the inputs: this unit's part when the task is split, else the indicator."""
    text = " ".join(str(locked["本单位承担事项"] if locked["本单位承担事项"] != WHOLE_GROUP else locked["三级指标"]).split())
    return text if len(text) <= SUMMARY_LENGTH else text[: SUMMARY_LENGTH - 1] + "…"


def _formats(book) -> Formats:
    base = {"valign": "top", "border": 1, "font_size": 10}
    grey = {**base, "bg_color": "#F2F2F2", "text_wrap": True, "locked": True}
    edit = {**base, "bg_color": "#FFFFFF", "text_wrap": True, "locked": False, "num_format": "@"}
    return Formats(book, {
        "title": {"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"},
        "head": {**base, "bold": True, "bg_color": "#BFBFBF", "text_wrap": True, "align": "center"},
        "head_edit": {**base, "bold": True, "bg_color": "#FFE699", "text_wrap": True, "align": "center"},
        "locked": grey,
        "locked_date": {**grey, "num_format": "yyyy-mm-dd"},
        "edit": edit,
        "edit_date": {**edit, "num_format": "yyyy-mm-dd"},
        "label": {"bold": True, "valign": "top"},
        "wrap": {"text_wrap": True, "valign": "top"},
    })
