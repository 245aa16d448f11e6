"""reconcile: the rows a unit returned, checked against the rows it was issued."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..base import layout
from ..base.layout import STATUS
from ..base.model import Problem
from ..base.problems import (
    DATE_NORMALIZED,
    DUPLICATE_ROW,
    EMPTY_STATUS,
    EVIDENCE_UNKNOWN_ID,
    EXTRA_ROW,
    FORMULA_CELL,
    FORMULA_NO_VALUE,
    HEADER_RENAMED,
    INVALID_DATE,
    INVALID_EMAIL,
    INVALID_PHONE,
    INVALID_STATUS,
    INVALID_TYPE,
    INVALID_URL,
    LOCKED_CELL_CHANGED,
    MISSING_COLUMN,
    MISSING_LOCKED_COLUMN,
    MISSING_ROW,
    PHONE_AS_NUMBER,
    ROWS_REORDERED,
    SHEET_RENAMED,
    STATUS_NORMALIZED,
    TEXT_TOO_LONG,
    TYPE_NORMALIZED,
    problem,
)
from ..base.sheetio import EXCEL_CELL_LIMIT, cell_ref, cell_text
from ..base.words import BRACKETS
from ..master.answer_rules import PROGRESS, broken_rule
from ..master.answer_rules import answer_rules as answer_rules  # the report's 说明 reads the rules' words here
from ..master.issued import WHOLE_GROUP, Issued
from ..master.settings import Answers
from ..master.values import email_problem, fold, is_url, normalize_date, normalize_phone, normalize_status, parse_email
from .reader import Returned

EVIDENCE_TYPE_NEAR = {"pdf": "正式文件(PDF)", "正式文件": "正式文件(PDF)", "文件": "正式文件(PDF)",
                      "链接": "网址", "网页": "网址", "url": "网址", "照片": "图片", "截屏": "截图"}


@dataclass
class Reconciled:
    unit: str
    month: str
    rows: dict[str, dict] = field(default_factory=dict)
    evidence: list[dict] = field(default_factory=list)
    liaison: dict = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


DEFAULT_ANSWERS = Answers()  # frozen: one shared default


class _Checker:
    def __init__(self, returned: Returned, unit: str, month: str, answers: Answers = DEFAULT_ANSWERS):
        self.returned, self.unit, self.answers = returned, unit, answers
        self.year = int(month[:4])
        self.result = Reconciled(unit, month)

    def problem(self, code: str, sheet: str, row: int | None = None, col: int | None = None, **fields) -> None:
        cell = cell_ref(row, col) if row is not None and col is not None else (f"{row + 1}:{row + 1}" if row is not None else "")
        self.result.problems.append(problem(code, file=self.returned.name, sheet=sheet, cell=cell, unit=self.unit, **fields))


def reconcile(returned: Returned, issued: Issued, unit: str, month: str, answers: Answers = DEFAULT_ANSWERS) -> Reconciled:
    checker = _Checker(returned, unit, month, answers)
    for table in (returned.tasks, returned.evidence, returned.liaison):
        for name, found, col in table.renamed:
            checker.problem(HEADER_RENAMED, table.sheet, table.header_row, col, found=found, column=name)
    _check_task_rows(checker, issued)
    _check_evidence(checker, set(issued.rows))
    _check_liaison(checker)
    return checker.result


def _value(row: list, columns: dict[str, int], name: str):
    col = columns.get(name)
    return row[col] if col is not None and col < len(row) else None


def _check_task_rows(checker: _Checker, issued: Issued) -> None:
    returned, sheet = checker.returned, checker.returned.tasks.sheet
    if sheet and sheet != layout.TASK_SHEET:
        checker.problem(SHEET_RENAMED, sheet)
    for name in layout.EDITABLE_COLUMNS:
        if name not in returned.tasks.columns:
            checker.problem(MISSING_COLUMN, sheet, returned.tasks.header_row, column=name)
    for name in layout.HASHED_COLUMNS:  # on the task sheet (earlier layout) or the reference sheet
        if name not in returned.tasks.columns and name not in returned.reference.columns:
            checker.problem(MISSING_LOCKED_COLUMN, sheet, returned.tasks.header_row, column=name)
    reference = _by_id(returned.reference)
    seen: dict[str, int] = {}
    for row_index, row in returned.tasks.rows:
        task_id = cell_text(_value(row, returned.tasks.columns, "编号"))
        if _reject_row(checker, issued, seen, task_id, row_index, row):
            continue
        seen[task_id] = row_index
        _check_locked(checker, issued.rows[task_id], returned.tasks, row, row_index)
        _check_summary(checker, issued.rows[task_id], returned.tasks, row, row_index)
        if task_id in reference:
            _check_locked(checker, issued.rows[task_id], returned.reference, *reference[task_id])
        _cell_notes(checker, returned.tasks, row_index, row, layout.EDITABLE_COLUMNS)
        checker.result.rows[task_id] = _editable_values(checker, row, row_index, task_id in issued.veto_ids)
    _check_missing_and_order(checker, issued, seen)


def _reject_row(checker, issued: Issued, seen: dict, task_id: str, row_index: int, row: list) -> bool:
    sheet, id_col = checker.returned.tasks.sheet, checker.returned.tasks.columns.get("编号", 0)
    if not task_id:
        checker.problem(EXTRA_ROW, sheet, row_index, id_col,
                        detail="新增了一行(没有编号)。本行内容未采用;如需补充情况,请写在对应编号行的“本月工作进展”中。")
        return True
    if task_id not in issued.rows:
        checker.problem(EXTRA_ROW, sheet, row_index, id_col, detail=f"编号“{task_id}”不是下发给本单位的任务,本行未采用。请勿增加或复制行。")
        return True
    if task_id in seen:
        first = cell_ref(seen[task_id], id_col)
        checker.problem(DUPLICATE_ROW, sheet, row_index, id_col, task_id=task_id, first=first)
        return True
    return False


def _by_id(table) -> dict[str, tuple[list, int]]:
    """Rows of a table by 编号: (cells, row index); the first row of an id wins."""
    found: dict[str, tuple[list, int]] = {}
    for row_index, row in table.rows:
        found.setdefault(cell_text(_value(row, table.columns, "编号")), (row, row_index))
    return found


def _check_locked(checker: _Checker, expected: dict, table, row: list, row_index: int) -> None:
    """The issued texts found in this table's row (the task sheet or the reference sheet) must be as issued."""
    columns = table.columns
    for name in layout.HASHED_COLUMNS:
        if name not in columns or name == "编号":
            continue
        got, want = cell_text(_value(row, columns, name)), str(expected.get(name, "")).strip()
        if got != want and fold(got) != fold(want):  # fold only when needed: it is the slow path
            checker.problem(LOCKED_CELL_CHANGED, table.sheet, row_index, columns[name], column=name)


def _check_summary(checker: _Checker, expected: dict, table, row: list, row_index: int) -> None:
    """The locked short task text (a link showing the task's summary) must be as issued. A link whose value was never
    computed (a file saved by a program that does not compute formulas: empty, or the formula's text) shows nothing
    to compare, and is not a change."""
    col = table.columns.get(layout.SUMMARY_COLUMN)
    if col is None:  # a workbook of the layout before the summary
        return
    got = cell_text(_value(row, table.columns, layout.SUMMARY_COLUMN))
    formula = table.formulas.get((row_index, col))
    if not got or (formula and not formula[1]) or got.startswith("="):
        return
    if not issued_summary(got, expected):
        checker.problem(LOCKED_CELL_CHANGED, table.sheet, row_index, col, column=layout.SUMMARY_COLUMN)


_CLOSING = fold("".join(BRACKETS.values()))  # as fold writes them
_ELLIPSES = re.compile(r"[.…⋯]+$")  # any ellipsis a summary ended with, whatever split cut it with


def issued_summary(text: str, expected: dict) -> bool:
    """Whether text is the summary split writes for the row: the unit's part of the task (else the indicator), whole,
    or its beginning cut with an ellipsis and closed brackets (base.words.clip) — whatever length split cuts it to."""
    part = str(expected.get("本单位承担事项", "") or "")
    full, got = fold(part if part and part != WHOLE_GROUP else str(expected.get("三级指标", "") or "")), fold(text)
    if got == full:
        return True
    stem = got.rstrip(_CLOSING)
    cut = _ELLIPSES.sub("", stem)  # "……" now, "…" in forms issued before (fold makes each "...")
    return cut != stem and bool(cut) and full.startswith(cut)


def _cell_notes(checker: _Checker, table, row_index: int, row: list, names: list[str]) -> None:
    """Formulas and over-long texts in the cells a unit fills: kept, and said."""
    for name in names:
        col = table.columns.get(name)
        if col is None:
            continue
        formula = table.formulas.get((row_index, col))
        if formula:
            code = FORMULA_CELL if formula[1] else FORMULA_NO_VALUE
            checker.problem(code, table.sheet, row_index, col, formula=formula[0])
        value = _value(row, table.columns, name)
        if type(value) is str and len(value) > EXCEL_CELL_LIMIT:
            checker.problem(TEXT_TOO_LONG, table.sheet, row_index, col, column=name, length=f"{len(value):,}")


def _editable_values(checker: _Checker, row: list, row_index: int, veto: bool) -> dict:
    columns, sheet = checker.returned.tasks.columns, checker.returned.tasks.sheet
    values = {name: cell_text(_value(row, columns, name)) for name in layout.EDITABLE_COLUMNS}
    closed = values[STATUS] == layout.CLOSED  # the locked status of a task the office closed: nothing to judge
    values[STATUS] = "已完成" if closed else _status(checker, _value(row, columns, STATUS), veto, row_index, columns.get(STATUS))
    values["预计完成时间"] = _date(checker, _value(row, columns, "预计完成时间"), row_index, columns.get("预计完成时间"))
    values["联系电话"] = _phone(checker, _value(row, columns, "联系电话"), sheet, row_index, columns.get("联系电话"))
    if not closed:
        _substance(checker, values, row_index, veto)
    return values


def _substance(checker: _Checker, values: dict, row_index: int, veto: bool) -> None:
    """An answer counts only with its substance: the rules of settings [answers], from the table the form reads too."""
    col = checker.returned.tasks.columns.get(PROGRESS)
    if col is None:
        return  # the column is gone, which missing-column already says
    rule = broken_rule(checker.answers, values[STATUS], values.get(PROGRESS), veto)
    if rule:
        checker.problem(rule.code, checker.returned.tasks.sheet, row_index, col)
        values[STATUS] = rule.counts_as(values[STATUS])  # not adopted, counted lower until explained, or still declared


def _status(checker, raw, veto: bool, row_index: int, col) -> str | None:
    status, how = normalize_status(raw, veto)
    sheet = checker.returned.tasks.sheet
    allowed = "未发生 / 已发生" if veto else "未启动 / 推进中 / 已完成 / 无此情形(已作说明)"
    if how == "near":
        checker.problem(STATUS_NORMALIZED, sheet, row_index, col, raw=cell_text(raw), status=status)
    elif how == "invalid":
        checker.problem(INVALID_STATUS, sheet, row_index, col, raw=cell_text(raw), allowed=allowed)
    elif how == "empty":
        checker.problem(EMPTY_STATUS, sheet, row_index, col)
    return status


def _date(checker, raw, row_index: int, col) -> str:
    if raw is None or cell_text(raw) == "":
        return ""
    day = normalize_date(raw, checker.year)
    if day is None:
        checker.problem(INVALID_DATE, checker.returned.tasks.sheet, row_index, col, raw=cell_text(raw), year=checker.year)
        return ""
    if not isinstance(raw, (str,)) or cell_text(raw) == day.isoformat():
        return day.isoformat()
    checker.problem(DATE_NORMALIZED, checker.returned.tasks.sheet, row_index, col, raw=cell_text(raw), day=day.isoformat())
    return day.isoformat()


def _phone(checker, raw, sheet: str, row_index: int, col) -> str:
    phone, how = normalize_phone(raw)
    if how == "invalid":
        checker.problem(INVALID_PHONE, sheet, row_index, col, raw=cell_text(raw))
    elif how == "number":
        checker.problem(PHONE_AS_NUMBER, sheet, row_index, col, phone=phone)
    return phone or ""


def _check_missing_and_order(checker: _Checker, issued: Issued, seen: dict[str, int]) -> None:
    sheet = checker.returned.tasks.sheet
    for task_id in issued.rows:
        if task_id not in seen:
            checker.problem(MISSING_ROW, sheet, task_id=task_id)
    expected_order = [t for t in issued.rows if t in seen]
    if list(seen) != expected_order:
        checker.problem(ROWS_REORDERED, sheet)


def _check_evidence(checker: _Checker, ids: set[str]) -> None:
    returned, sheet = checker.returned, checker.returned.evidence.sheet
    columns = returned.evidence.columns
    for row_index, row in returned.evidence.rows:
        _cell_notes(checker, returned.evidence, row_index, row, layout.EVIDENCE_COLUMNS)
        entry = {name: cell_text(_value(row, columns, name)) for name in layout.EVIDENCE_COLUMNS}
        if entry["编号"] and entry["编号"] not in ids:
            checker.problem(EVIDENCE_UNKNOWN_ID, sheet, row_index, columns.get("编号"), task_id=entry["编号"])
        if entry["网址"] and not is_url(entry["网址"]):
            checker.problem(INVALID_URL, sheet, row_index, columns.get("网址"), url=entry["网址"])
            entry["网址"] = ""
        entry["材料类型"] = _evidence_type(checker, entry["材料类型"], row_index, columns.get("材料类型"))
        entry["行号"] = row_index + 1
        checker.result.evidence.append(entry)


def _evidence_type(checker, raw: str, row_index: int, col) -> str:
    if not raw or raw in layout.EVIDENCE_TYPES:
        return raw
    by_fold = {fold(t).lower(): t for t in layout.EVIDENCE_TYPES}
    found = by_fold.get(fold(raw).lower()) or EVIDENCE_TYPE_NEAR.get(fold(raw).lower())
    if found:
        checker.problem(TYPE_NORMALIZED, checker.returned.evidence.sheet, row_index, col, raw=raw, kind=found)
        return found
    checker.problem(INVALID_TYPE, checker.returned.evidence.sheet, row_index, col, raw=raw)
    return "其他"


def _check_liaison(checker: _Checker) -> None:
    returned, sheet = checker.returned, checker.returned.liaison.sheet
    columns = returned.liaison.columns
    for row_index, row in returned.liaison.rows:
        if cell_text(_value(row, columns, "单位")) != checker.unit:
            continue
        _cell_notes(checker, returned.liaison, row_index, row, layout.LIAISON_COLUMNS[1:])
        entry = {name: cell_text(_value(row, columns, name)) for name in layout.LIAISON_COLUMNS[1:3]}
        entry["联系电话"] = _phone(checker, _value(row, columns, "联系电话"), sheet, row_index, columns.get("联系电话"))
        entry["电子邮箱"] = _email(checker, _value(row, columns, "电子邮箱"), sheet, row_index, columns.get("电子邮箱"))
        entry["行号"] = row_index + 1
        if any(entry[k] for k in ("姓名", "职务", "联系电话", "电子邮箱")):
            checker.result.liaison = entry
        return


def _email(checker, raw, sheet: str, row_index: int, col) -> str:
    """The one address the cell holds, as it is to be used (parse_email); a cell that is not one is refused, saying why."""
    text = cell_text(raw)
    if not text:
        return ""
    address = parse_email(text)
    if address is None:
        checker.problem(INVALID_EMAIL, sheet, row_index, col, raw=text, reason=email_problem(text))
        return ""
    return address
