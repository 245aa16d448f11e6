"""split: the master task list becomes one fillable workbook per unit."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_range, xl_rowcol_to_cell

from .. import __version__
from ..base import isolate, layout
from ..base.layout import STATUS
from ..base.model import Assignment, Carried, TrackerError
from ..base.sheetio import atomic_path, wrapped_height
from ..base.workspace import workspace_lock
from ..calendar.workdays import Deadline, make_deadline, month_label
from ..master.issued import helping_only_units, helping_tasks, issued_for, lead_texts, snapshot_rows
from ..master.settings import STATUSES, VETO_STATUSES
from ..master.tasklist import Master
from ..master.units import safe_filename
from . import form_parts as parts
from . import form_text as words
from . import helping
from .run import MonthRun

# The task sheet adds up to about 141 characters: A4 landscape prints it near full size (at least 9 pt).
TASK_WIDTHS = {"编号": 7, "任务": 26, STATUS: 15, "本月工作进展": 27, "已形成材料": 14, "存在问题及需协调事项": 18,
               "预计完成时间": 11, "责任人": 7, "联系电话": 12, layout.REVIEW_COLUMN: 15}  # 160 wide: A4 landscape at 9 pt
REFERENCE_WIDTHS = {"编号": 6, "一级指标": 9, "二级指标": 9, "三级指标": 26, "本单位承担事项": 24,
                    "申报材料要求": 38, "情况说明题目": 14, "牵头单位": 10, "截止日期": 10}  # 146: prints at 9 pt or more
TOP_CARRIED, TOP_COUNTER = 3, 6  # the task sheet's top row: title A:C, what was carried D:F, the counter G:J


@dataclass(frozen=True)
class UnitSheet:
    unit: str
    path: Path
    rows: int
    snapshot: list = field(default_factory=list, repr=False, compare=False)  # what was issued, as recorded in the ledger
    notice: bool = False  # a 配合任务告知 of a unit that only cooperates: nothing to fill, nothing issued


def workbook_name(unit: str, month: str) -> str:
    return f"{safe_filename(unit)}_{month}.xlsx"


def plan_split(master: Master, month: str, out_dir: Path, units: list[str] | None = None,
               name=workbook_name) -> list[tuple[str, Path]]:
    """(unit, path) of each workbook to write: every unit's form, or only the units named; name(unit, month) its file."""
    chosen = master.registry.units if units is None else units
    out_dir = Path(out_dir).resolve()
    plan = []
    for unit in chosen:
        path = (out_dir / name(unit, month)).resolve()
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
    folder = out_dir or run.workspace.sheets_dir(month)
    plan = plan_split(master, month, folder, units)
    # the units that only cooperate get a notice beside the forms, in a full split
    notices = [] if units else plan_split(master, month, folder, helping_only_units(master), name=helping.notice_name)
    existing = [path for _, path in plan + notices if path.exists()]
    if existing and not force:
        names = "\n".join(f"  {p.name}" for p in existing)
        raise TrackerError(f"{month} 的以下工作簿已下发过,未覆盖(确需重新生成请加 --force):\n{names}")
    with workspace_lock(run.workspace, on_wait):
        carried = run.carried() if carried is None else carried
        liaison = _liaison_deadline(run)
        issued = (issued_at or master.settings.now()).replace(microsecond=0)  # the office's clock, whatever the PC's
        written: list[UnitSheet] = []
        context = _Job(master, month, run.deadline, liaison, issued, carried, lead_texts(master))
        workers = min(os.cpu_count() or 1, 8) if len(plan) >= PARALLEL_UNITS else 1
        try:
            for sheet in _write_all(context, plan, workers):
                written.append(sheet)
                if progress:
                    progress(sheet.unit)
            for unit, path in notices:
                tasks = helping_tasks(master, unit)
                helping.write_notice(master, unit, month, tasks, issued, path)
                written.append(UnitSheet(unit, path, 0, notice=True))
            if not units:  # a notice of an earlier split whose unit now reports (or is gone): never sent by mistake
                helping.remove_stale_notices(folder, month, {p for _, p in notices})
        finally:  # every workbook that went out has its snapshot, even when a later one failed
            run.record_issues(issued.isoformat(sep=" "), [(w.unit, w.snapshot) for w in written if not w.notice])
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
        self.helping = helping_tasks(master, unit)  # read, not filled
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
                                                  "strings_to_numbers": False, "in_memory": True,
                                                  "default_format_properties": dict(parts.FONT)})
            self._book, self.formats = book, parts.form_formats(book)
            self._refused, self._reminded, self._all_done = (book.add_format(f) for f in (parts.REFUSED, parts.REMINDED, parts.ALL_DONE))  # marks
            self._set_properties(book)
            names = [layout.GUIDE_SHEET, layout.TASK_SHEET, layout.REFERENCE_SHEET, layout.HELPING_SHEET, layout.EVIDENCE_SHEET,
                     layout.LIAISON_SHEET, layout.LISTS_SHEET, layout.META_SHEET]
            guide, tasks, reference, helps, evidence, liaison, lists, meta = (
                book.add_worksheet(n) if n != layout.HELPING_SHEET or self.helping else None for n in names)
            self._lists = parts.ListSheet(lists)
            self._write_guide(guide)
            self._write_tasks(tasks)
            self._write_reference(reference)
            if helps is not None:
                helping.write_helping_sheet(helps, self.formats, self.unit, self.month, self.helping)
            self._write_evidence(evidence)
            self._write_liaison(liaison)
            self._write_meta(meta)
            lists.hide()
            guide.activate()
            book.close()

    # -------------------------------------------------------------- sheets

    def _set_properties(self, book) -> None:
        book.set_properties({
            "title": f"{self.unit}{month_label(self.month)}{self.master.settings.work}任务进展填报表",
            "author": self.master.settings.office, "company": self.master.settings.office,
            "created": self.issued,
        })
        identity = {"unit": self.unit, "month": self.month, "version": self.master.version,
                    "issued": self.issued_text, "checksum": self.checksum}
        for key, value in identity.items():
            book.set_custom_property(layout.PROPERTY_PREFIX + key, value)

    def _write_guide(self, sheet) -> None:
        f = self.formats
        sheet.set_column(0, 0, 16, f["label"])
        sheet.set_column(1, 1, 92, f["wrap"])
        settings = self.master.settings
        sheet.merge_range(0, 0, 0, 1, f"{settings.district}{settings.work}工作任务进展填报表", f["title"])
        facts = [
            ("填报单位", self.unit),
            ("填报月份", month_label(self.month)),
            ("任务数量", f"本单位承担 {len(self.rows)} 项" + (f";另配合 {len(self.helping)} 项,见“{layout.HELPING_SHEET}”表,无需填报"
                                                          if self.helping else "")),
            ("报送截止", f"{self.deadline.describe()}前"),
            ("截止日规则", f"规定为{settings.report_day.describe()}前;{self.deadline.rule}"),
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
        for offset, line in enumerate(words.guide_lines(self.master.settings, self.issued.date(), self.master.is_checklist)):
            sheet.write_string(start + offset, 1, line, f["wrap"])
            sheet.set_row(start + offset, wrapped_height(line, 92, 11))
        sheet.protect("", {"select_locked_cells": True})
        sheet.set_landscape()
        sheet.set_paper(9)
        sheet.fit_to_pages(1, 1)  # one page: what a liaison pins beside the screen

    def _write_tasks(self, sheet) -> None:
        """编号 and a short task text, then the inputs: the clerk never loses sight of the task while typing. The top
        row says what was carried from last month and counts what is still missing; red marks what merge will report,
        as the liaison types."""
        f = self.formats
        columns = layout.TASK_COLUMNS
        for col, name in enumerate(columns):
            editable = name in layout.EDITABLE_COLUMNS
            sheet.set_column(col, col, TASK_WIDTHS[name])
            sheet.write_string(layout.HEADER_ROW, col, name, f["head_edit" if editable else "head"])
        written = {}
        for index, (assignment, locked) in enumerate(zip(self.assignments, self.rows, strict=True)):
            row = layout.FIRST_DATA_ROW + index
            written[row] = self._write_task_row(sheet, row, assignment, locked)
        sections = [(layout.FIRST_DATA_ROW + i, a.task.section == "veto") for i, a in enumerate(self.assignments)]
        checks = parts.FormChecks(sections, self.master.settings.answers, self.issued.date())
        self._write_top(sheet, checks, written)
        self._task_validations(sheet)
        self._task_marks(sheet, checks)
        last = layout.FIRST_DATA_ROW + len(self.rows) - 1
        sheet.freeze_panes(layout.FIRST_DATA_ROW, 2)  # 编号 and 任务 stay in view
        sheet.autofilter(layout.HEADER_ROW, 0, max(last, layout.HEADER_ROW), len(columns) - 1)
        parts.protect_and_print(sheet, layout.HEADER_ROW, self.month, self.unit)

    def _write_top(self, sheet, checks: parts.FormChecks, written: dict[int, dict]) -> None:
        """The title row: the title and deadline | what was carried from last month | what is still missing."""
        f, top = self.formats, layout.TITLE_ROW
        title = f"{self.unit} {month_label(self.month)}任务进展\n截止 {self.deadline.describe()}前报送"
        sheet.merge_range(top, 0, top, TOP_CARRIED - 1, title, f["top_title"])
        carried = words.carried_line(self.assignments, self.carried)
        sheet.merge_range(top, TOP_CARRIED, top, TOP_COUNTER - 1, carried, f["top_note"])
        for name, formula in checks.counts().items():  # the counts, each a workbook name the counter reads
            self._book.define_name(name, formula)
        counted = checks.counter_value(written)
        last = len(layout.TASK_COLUMNS) - 1
        sheet.merge_range(top, TOP_COUNTER, top, last, "", f["top_counter"])
        sheet.write_formula(top, TOP_COUNTER, checks.counter_formula(), f["top_counter"], counted)
        sheet.conditional_format(top, TOP_COUNTER, top, TOP_COUNTER, {
            "type": "formula", "criteria": f'={xl_rowcol_to_cell(top, TOP_COUNTER, True, True)}="{parts.ALL_FILLED}"',
            "format": self._all_done})
        widths = [sum(TASK_WIDTHS[c] for c in layout.TASK_COLUMNS[a:b]) for a, b in
                  ((0, TOP_CARRIED), (TOP_CARRIED, TOP_COUNTER), (TOP_COUNTER, last + 1))]
        longest = parts.counter_text(*[len(self.rows)] * len(parts.COUNT_NAMES))  # room for the counter as filling goes on
        heights = [parts.row_height(title, widths[0], parts.TITLE_SIZE), parts.row_height(carried, widths[1]), parts.row_height(longest, widths[2])]
        sheet.set_row(top, max(heights))

    def _write_task_row(self, sheet, row: int, assignment: Assignment, locked: dict) -> dict:
        """One task's row; what its editable cells hold, by column (the counter's cached value reads it)."""
        f = self.formats
        carried = self.carried.rows.get(assignment.task_id, {})
        decision = self.carried.reviews.get(assignment.task_id)
        summary = words.task_summary(locked)
        sheet.write_string(row, 0, locked["编号"], f.text("locked", locked["编号"]))
        # One click to the full text: a link on the locked summary, followed in a protected sheet too. A HYPERLINK
        # formula, not a cell hyperlink: LibreOffice shows a cell hyperlink on one line, cutting the summary.
        sheet.write_formula(row, 1, words.summary_link(row, summary), f["link"], summary)
        written: dict = {}
        for col, name in enumerate(layout.EDITABLE_COLUMNS, start=2):
            if name == STATUS and parts.closed(decision):  # closed by the office: shown, locked, never asked again
                sheet.write_string(row, col, layout.CLOSED, f.text("locked", layout.CLOSED))
                written[name] = layout.CLOSED
                continue
            written[name] = parts.write_editable(sheet, row, col, carried.get(name), f, date=name == parts.DATE_COLUMN)
        note = parts.review_note(decision)
        sheet.write_string(row, layout.TASK_COLUMNS.index(layout.REVIEW_COLUMN), note, f.text("locked", note))
        texts = {"任务": summary, layout.REVIEW_COLUMN: note, **{k: str(v) for k, v in carried.items() if k in TASK_WIDTHS and v}}
        sheet.set_row(row, min(max([18.0, *(parts.row_height(v, TASK_WIDTHS[k]) for k, v in texts.items())]), 80))
        return written

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
            sheet.set_row(row, max([15.0, *(wrapped_height(v, REFERENCE_WIDTHS[k], parts.TABLE_FONT_SIZE)
                                           for k, v in locked.items() if isinstance(v, str))]))
        sheet.freeze_panes(layout.FIRST_DATA_ROW, 1)
        parts.protect_and_print(sheet, layout.HEADER_ROW, self.month, self.unit)

    def _task_validations(self, sheet) -> None:
        """A rule or at least an input message on every cell the unit fills: what it expects, as it is chosen."""
        columns, answers = layout.TASK_COLUMNS, self.master.settings.answers
        status_col = columns.index(STATUS)
        for index, assignment in enumerate(self.assignments):
            row = layout.FIRST_DATA_ROW + index
            if parts.closed(self.carried.reviews.get(assignment.task_id)):
                continue  # a locked 已销号: no list to choose from
            veto = assignment.task.section == "veto"
            sheet.data_validation(row, status_col, row, status_col, self._lists.validation(
                VETO_STATUSES if veto else STATUSES, STATUS, "请从下拉列表中选择进展状态。", words.status_prompt(answers, veto)))
        first, last = layout.FIRST_DATA_ROW, layout.FIRST_DATA_ROW + max(len(self.rows), 1) - 1
        progress_col = columns.index(parts.PROGRESS)
        for veto in (False, True):
            rows = [layout.FIRST_DATA_ROW + i for i, a in enumerate(self.assignments) if (a.task.section == "veto") == veto]
            for top, bottom in parts.runs(rows):
                sheet.data_validation(top, progress_col, bottom, progress_col, words.prompt(parts.PROGRESS, words.progress_prompt(answers, veto)))
        for name in ("已形成材料", "存在问题及需协调事项", "责任人"):
            col = columns.index(name)
            sheet.data_validation(first, col, last, col, words.prompt(name, words.PROMPTS[name]))
        date_col = columns.index(parts.DATE_COLUMN)
        sheet.data_validation(first, date_col, last, date_col, parts.date_validation(self.issued.date()))
        phone_col = columns.index("联系电话")
        sheet.data_validation(first, phone_col, last, phone_col, parts.phone_validation())

    def _task_marks(self, sheet, checks: parts.FormChecks) -> None:
        """Red on what merge will report (the same rules, from the same table), yellow on a task past its date:
        conditional formats the client evaluates as the liaison types."""
        for mark in checks.marks():
            col = layout.TASK_COLUMNS.index(mark.column)
            ranges = mark.ranges()
            options = {"type": "formula", "criteria": "=" + mark.formula, "format": self._refused if mark.refused else self._reminded}
            if len(ranges) > 1:
                options["multi_range"] = " ".join(xl_range(a, col, b, col) for a, b in ranges)
            sheet.conditional_format(ranges[0][0], col, ranges[0][1], col, options)

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
                parts.write_editable(sheet, layout.FIRST_DATA_ROW + index, col, entry.get(name), f)
        last = layout.FIRST_DATA_ROW + rows - 1
        ids = [r["编号"] for r in self.rows]
        sheet.data_validation(layout.FIRST_DATA_ROW, 0, last, 0, self._lists.validation(ids, "编号", "请选择本材料对应的任务编号。"))
        sheet.data_validation(layout.FIRST_DATA_ROW, 2, last, 2, self._lists.validation(
            layout.EVIDENCE_TYPES, "材料类型", "请从下拉列表中选择材料类型。"))
        for col, name in ((1, "材料名称"), (3, "网址"), (4, "备注")):
            sheet.data_validation(layout.FIRST_DATA_ROW, col, last, col, words.prompt(name, words.PROMPTS[name]))
        sheet.freeze_panes(layout.FIRST_DATA_ROW, 0)
        parts.protect_and_print(sheet, layout.HEADER_ROW, self.month, self.unit)

    def _write_liaison(self, sheet) -> None:
        f = self.formats
        sheet.merge_range(0, 0, 0, len(layout.LIAISON_COLUMNS) - 1, f"{self.master.settings.work}工作联络员名单反馈表", f["title"])
        for col, (name, width) in enumerate(zip(layout.LIAISON_COLUMNS, [30, 14, 20, 18, 28], strict=True)):
            sheet.set_column(col, col, width)
            sheet.write_string(layout.HEADER_ROW, col, name, f["head" if col == 0 else "head_edit"])
        row = layout.FIRST_DATA_ROW
        sheet.write_string(row, 0, self.unit, f["locked"])
        known = self.carried.liaison or self.master.roster.get(self.unit, {})  # last return, else the office's roster
        for col, name in enumerate(layout.LIAISON_COLUMNS[1:], start=1):
            parts.write_editable(sheet, row, col, known.get(name), f)
        sheet.data_validation(row, 3, row, 3, parts.phone_validation())
        for col, name in ((1, "姓名"), (2, "职务"), (4, "电子邮箱")):
            sheet.data_validation(row, col, row, col, words.prompt(name, words.PROMPTS[name]))
        note = "联络员有变动时请更新本表。"
        if self.liaison:
            note = f"联络员名单请于 {self.liaison.describe()}前报送({self.liaison.rule})。" + note
        sheet.write_string(row + 2, 0, note)
        parts.protect_and_print(sheet, layout.HEADER_ROW, self.month, self.unit)

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
