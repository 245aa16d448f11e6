"""How the notices speak to a unit about its problems: which task a problem's cell is on, and a message shared with
the office's views said in the unit's words.

The office's problem list and report keep the technical messages (archive paths, how a tie between files was
broken); a unit's receipt and 催报 name the task by its 编号 and short text before the cell, and the file by its own
name. The merge summary uses `TaskCells` to list the 编号 of grouped reminders.
"""

from __future__ import annotations

import re

from ..base.filenames import own_name
from ..base.layout import FIRST_DATA_ROW, LISTS_SHEET, META_SHEET, REFERENCE_SHEET, STATUS, TASK_SHEET
from ..base.model import Problem
from ..base.problems import (
    DATE_NORMALIZED,
    DUPLICATE_ROW,
    EMPTY_STATUS,
    EXTRA_ROW,
    IDENTITY_CONFLICT,
    IDENTITY_FALLBACK,
    IDENTITY_TAMPERED,
    INVALID_DATE,
    INVALID_STATUS,
    MASTER_CHANGED,
    MASTER_EDITED_AFTER_ISSUE,
    MISSING_ROW,
    NOT_APPLICABLE_UNEXPLAINED,
    READER_CRASHED,
    READER_TIMEOUT,
    RESUBMISSION_TIE,
    RESUBMISSION_UNTIMED,
    ROWS_REORDERED,
    SHEET_RENAMED,
    STATUS_NORMALIZED,
    SUPERSEDED,
    UNREADABLE_FILE,
)
from ..base.words import clip
from ..month import resubmission
from ..month.ledger import Submission
from ..month.rows import RowState
from ..month.state import FATES, MonthState

# ---------------------------------------------------------------- which task a cell is on

# A problem of a task row carries its cell ("C7"), not its 编号: reconcile made it from the returned sheet, and the
# ledger keeps no row numbers. Split writes a unit's tasks one a row from layout.FIRST_DATA_ROW on, in master order --
# the order of state.rows_of(unit) -- on the task sheet and on the reference sheet alike, so sheet row r holds the
# (r - FIRST_DATA_ROW - 1)-th task when the unit kept the rows as issued. That is trusted only when nothing says
# otherwise: the problem is of the unit's adopted file; that file has no row-structure problem (rows reordered, added,
# duplicated or deleted, an older issue of the master); the master was not edited after the workbooks went out; every
# task came back; and every problem that says what a row holds (a blank or invalid status, a normalised status or
# date) falls on a row whose stored value agrees. The last check catches rows shifted without any problem (a blank row
# inserted by hand, which the reader skips). When any check fails the cell alone is named: never a wrong 编号.
_ROW_STRUCTURE = {ROWS_REORDERED.code, EXTRA_ROW.code, DUPLICATE_ROW.code, MISSING_ROW.code, MASTER_CHANGED.code}
_STORED_EMPTY = {EMPTY_STATUS.code: STATUS, INVALID_STATUS.code: STATUS, NOT_APPLICABLE_UNEXPLAINED.code: STATUS,
                 INVALID_DATE.code: "预计完成时间"}
_STORED_FILLED = {STATUS_NORMALIZED.code: STATUS, DATE_NORMALIZED.code: "预计完成时间"}
_CELL = re.compile(r"[A-Z]{1,3}([0-9]+)")


class TaskCells:
    """The task row a problem's cell is on, for every unit of the month, when that is certain (see above)."""

    def __init__(self, state: MonthState):
        self.state = state
        self.edited = any(p.code == MASTER_EDITED_AFTER_ISSUE for p in state.problems_of(""))
        self._by_unit: dict[str, dict[tuple[str, str, str], RowState]] = {}

    def row(self, p: Problem) -> RowState | None:
        if p.unit not in self._by_unit:
            self._by_unit[p.unit] = {} if self.edited or not p.unit else _task_cells(self.state, p.unit)
        return self._by_unit[p.unit].get((p.file, p.sheet, p.cell))


def _task_cells(state: MonthState, unit: str) -> dict[tuple[str, str, str], RowState]:
    accepted, rows = state.accepted.get(unit), state.rows_of(unit)
    if accepted is None or not rows or not all(r.values for r in rows):
        return {}
    problems = [p for p in state.problems_of(unit) if p.file == accepted.file_name]
    if any(p.code in _ROW_STRUCTURE for p in problems):
        return {}
    sheets = {TASK_SHEET, REFERENCE_SHEET} | {p.sheet for p in problems if p.code == SHEET_RENAMED}
    found = {}
    for p in problems:
        match = _CELL.fullmatch(p.cell) if p.sheet in sheets else None
        if match is None:
            continue
        index = int(match[1]) - FIRST_DATA_ROW - 1
        if not 0 <= index < len(rows) or not _agrees(p, rows[index]):
            return {}
        found[(p.file, p.sheet, p.cell)] = rows[index]
    return found


def _agrees(p: Problem, row: RowState) -> bool:
    if p.code in _STORED_EMPTY:
        return not row.values.get(_STORED_EMPTY[p.code])
    if p.code in _STORED_FILLED:
        return bool(row.values.get(_STORED_FILLED[p.code]))
    return True


SHORT_TEXT = 18  # characters at most of a task's text shown after its 编号, cut at a phrase boundary


def short_text(row: RowState) -> str:
    """The task in a few words: this unit's part when the task is split, else the indicator (as split's 任务 column)."""
    task = row.assignment.task
    return clip(task.part_text or task.indicator_text or "", SHORT_TEXT, "…")


def task_label(row: RowState) -> str:
    """编号 21(推进政务公开标准化规范化…): how every line about a task names it."""
    text = short_text(row)
    return f"编号 {row.assignment.task_id}" + (f"({text})" if text else "")


def ids_label(rows: list[RowState]) -> str:
    """编号 1、2、3 -- with each task's short text when there are only a few."""
    if len(rows) <= 3:
        return "、".join(task_label(r) if i == 0 else task_label(r).removeprefix("编号 ") for i, r in enumerate(rows))
    return "编号 " + "、".join(r.assignment.task_id for r in rows)


# ---------------------------------------------------------------- speaking to the unit

HIDDEN_SHEETS = {META_SHEET, LISTS_SHEET}
# Codes whose shared message speaks to the office (the CSV and the report keep it): what the unit is told instead.
UNIT_WORDING = {
    READER_CRASHED.code: "文件无法读取,可能已损坏或含有超大范围的内容。请在 Excel 或 WPS 中打开、检查后另存为新文件重新发送。",
    READER_TIMEOUT.code: "文件长时间无法读完,可能已损坏或含有超大范围的内容。请在 Excel 或 WPS 中打开、检查后另存为新文件重新发送。",
    UNREADABLE_FILE.code: "文件无法读取。请重新发送。",
    IDENTITY_TAMPERED.code: "工作簿中用于识别单位和月份的隐藏内容被改动过,无法确认是下发给本单位的表格。请使用下发的工作簿填写后重新报送。",
    IDENTITY_FALLBACK.code: "工作簿中用于识别单位和月份的隐藏内容缺失(可能把内容复制到了新文件中),已根据文件的其他信息识别为本单位本月的表。"
                            "下次请直接在下发的工作簿中填写。",
    MASTER_CHANGED.code: "本单位使用的是较早下发的表格,已按现行任务核对。下次请使用最新下发的表格。",
}
# Words of the office's own machinery in shared messages, and what the unit reads instead.
UNIT_PHRASES = [("请让该单位", "请"), ("请让报送单位", "请"), ("台账保存全文,报表中", "我办已保存全文,汇总表中")]


def for_unit(state: MonthState, p: Problem) -> str:
    """A problem's message as the unit is told it: no archive paths, hashes or words of how the office decides."""
    if p.code in UNIT_WORDING:
        return UNIT_WORDING[p.code]
    if p.code == SUPERSEDED:
        lost = next((s for s in state.submissions_of(p.unit) if s.file_name == p.file), None)
        return superseded_for_unit(lost, state.accepted.get(p.unit))
    if p.code == RESUBMISSION_TIE:
        winner = state.accepted.get(p.unit)
        name = f"“{base_name(winner.file_name)}”" if winner else "其中一份"
        return f"本单位同月报送了多份,无法判断哪份在后,暂以{name}为准。如应以另一份为准,请告知我办。"
    if p.code == RESUBMISSION_UNTIMED:
        winner = state.accepted.get(p.unit)
        name = f"“{base_name(winner.file_name)}”" if winner else "其中一份"
        return f"本单位同月报送了多份,因文件缺少保存时间等信息,无法判断哪份在后,暂以{name}为准。如应以另一份为准,请告知我办。"
    if p.code == IDENTITY_CONFLICT:
        named = re.search(r"文件名表明是“(.+?)”", p.message)
        other = named[1] if named else "其他单位"
        return f"文件名写的是“{other}”,但该工作簿是下发给本单位的,可能是{other}误用了本单位的工作簿。请核实该文件是否由本单位报送。"
    return unit_words(p.message)


def unit_words(text: str) -> str:
    for office, unit in UNIT_PHRASES:
        text = text.replace(office, unit)
    return text


def superseded_for_unit(lost: Submission | None, winner: Submission | None) -> str:
    """Why a unit's other file was not taken, in its words: which file counts, never how a tie was broken."""
    if winner is None:
        return "本单位同月报送了多份,本文件未采用。"
    name = f"“{base_name(winner.file_name)}”"
    if lost is not None and base_name(lost.file_name) == base_name(winner.file_name) and winner.receipt_time:
        name += f"({winner.receipt_time[:10]} 收到)"  # the same name twice: say which
    if lost is not None and lost.doubt and not winner.doubt:
        return f"本单位同月报送了多份,本文件的文件名与本单位不符,以{name}为准。"
    if lost is not None and (lost.issued or "") != (winner.issued or ""):
        return f"本单位同月报送了多份,以按最新下发的表格填写的{name}为准。"
    later = lost is not None and resubmission.later_by_clock(lost, winner)  # only a clock both have says “later”
    return f"本单位同月报送了多份,以较晚的{name}为准。" if later else f"本单位同月报送了多份,以{name}为准。"


def base_name(file_name: str) -> str:
    """The file's own name, without the office's inbox folders (2024-05-19/…) or the zip it came in."""
    return own_name(file_name)


def unit_fate(state: MonthState, sub: Submission) -> str:
    """What became of a file the unit sent, in its words (the file list keeps the office's fate)."""
    winner = state.accepted.get(sub.unit)
    if sub.outcome == "applied":
        if winner is not None and winner.sha256 != sub.sha256:
            return "未采用:" + superseded_for_unit(sub, winner)
        return "采用"
    if sub.outcome == "rejected":
        # the refusal leads the reason; a note on a wrong extension may follow it
        found = next((p for p in state.problems_of(sub.unit) if p.file == sub.file_name and sub.reason.startswith(p.message)), None)
        return "未采用:" + (for_unit(state, found) if found else unit_words(sub.reason))
    return FATES.get(sub.outcome, sub.outcome)


class Spots:
    """Where a unit's problems are, in its words: the task (编号 and short text) and the sheet and cell."""

    def __init__(self, state: MonthState, unit: str):
        self.state = state
        self.cells = TaskCells(state)
        accepted = state.accepted.get(unit)
        self.adopted = accepted.file_name if accepted else ""

    def row(self, p: Problem) -> RowState | None:
        return self.cells.row(p)

    def place(self, p: Problem) -> str:
        """“另一个文件.xlsx” 任务清单 C3: the file only when it is not the adopted one (or the problem is the file's)."""
        parts = [f"“{base_name(p.file)}”"] if p.file and (p.file != self.adopted or not p.sheet) else []
        if p.sheet and p.sheet not in HIDDEN_SHEETS:
            whole_row = re.fullmatch(r"(\d+):\1", p.cell)
            parts += [p.sheet] + ([f"第{whole_row[1]}行" if whole_row else p.cell] if p.cell else [])
        return " ".join(parts)

    def task(self, p: Problem) -> str:
        row = self.row(p)
        return task_label(row) if row is not None else ""

    def line(self, p: Problem) -> str:
        """编号 21(推进…),任务清单 C3:message."""
        head = ",".join(x for x in (self.task(p), self.place(p)) if x)
        return f"{head}:{for_unit(self.state, p)}" if head else for_unit(self.state, p)

    def grouped(self, problems: list[Problem]) -> list[str]:
        """One line per message: the tasks (or cells) that share it, then the message once."""
        groups: dict[tuple[str, str, str], list[Problem]] = {}
        for p in problems:
            outside = p.file if p.file != self.adopted else ""
            groups.setdefault((outside, p.code, for_unit(self.state, p)), []).append(p)
        lines = []
        for (_, _, message), found in groups.items():
            if len(found) == 1:
                lines.append(self.line(found[0]))
                continue
            rows = [self.row(p) for p in found]
            if all(r is not None for r in rows):  # (a task is found only for the adopted file's cells)
                head = ids_label(rows)
            else:
                head = "、".join(dict.fromkeys(self.place(p) or "本文件" for p in found))
            lines.append(f"{head}:{message}")
        return lines
