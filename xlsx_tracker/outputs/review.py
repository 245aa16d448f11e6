"""审核销号: the office reviews each unit's claim of 已完成 / 无此情形 against its evidence, then closes or returns it.

`write_review` lists every claim waiting for review in a workbook where only the decision cells can be edited;
`apply_review` reads that file back like any return — tampered texts, invalid marks and unknown rows are
reported with their cells — and records each valid decision in the ledger: who, when, the claim and its evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from ..base.layout import STATUS
from ..base.model import Problem, TrackerError
from ..base.problems import REVIEW_INVALID_MARK, REVIEW_NO_REASON, REVIEW_TAMPERED, REVIEW_UNKNOWN_ROW, problem
from ..base.sheetio import Formats, LazyWorkbook, atomic_path, cell_ref, cell_text, excel_text, header_index, wrapped_height
from ..base.workspace import workspace_lock
from ..month import ledger
from ..month.materials import file_materials
from ..month.rows import PENDING
from ..month.run import MonthRun
from ..month.state import MonthState, load_state

SHEET = "审核"
DECISIONS = ("通过", "退回")
LOCKED = ["单位", "编号", "三级指标(摘要)", STATUS, "本月工作进展", "登记的证明材料", "收到的材料文件"]
EDITABLE = ["审核结果", "退回理由", "审核人"]
COLUMNS = LOCKED + EDITABLE
WIDTHS = [12, 7, 22, 9, 30, 32, 24, 9, 22, 8]


@dataclass(frozen=True)
class Claim:
    unit: str
    task_id: str
    summary: str
    status: str
    text: str
    evidence: list[dict]
    files: tuple[str, ...] = ()  # material files received for the claim's group

    def cells(self) -> list[str]:
        listed = ";".join(f"{e.get('材料名称', '')}({e.get('材料类型', '')}){' ' + e['网址'] if e.get('网址') else ''}" for e in self.evidence)
        return [self.unit, self.task_id, self.summary, self.status, self.text, listed or "(未登记)", ";".join(self.files) or "(无)"]


def review_name(month: str) -> str:
    return f"审核_{month}.xlsx"


def claims(state: MonthState) -> list[Claim]:
    """Every claim of the month waiting for the office's review, with its evidence rows and the files received."""
    evidence: dict[tuple[str, str], list[dict]] = {}
    for entry in state.evidence:
        evidence.setdefault((entry["单位"], entry.get("编号", "")), []).append(entry)
    materials = [s for s in state.submissions if s.outcome == "material"]
    filed = file_materials(state, materials, list(dict.fromkeys(r.assignment.task.group_id for r in state.rows)))
    files: dict[str, list[str]] = {}
    for item in filed:
        files.setdefault(item.group, []).append(item.submission.file_name.rsplit("/", 1)[-1])
    return [Claim(r.assignment.unit, r.assignment.task_id, " ".join(r.assignment.task.indicator_text.split())[:40], r.status,
                  r.values.get("本月工作进展", "") or "", evidence.get((r.assignment.unit, r.assignment.task_id), []),
                  tuple(sorted(files.get(r.assignment.task.group_id, []))))
            for r in state.rows if r.review == PENDING]


def write_review(run: MonthRun, state: MonthState, on_wait=None) -> tuple[Path, int]:
    found = claims(state)
    path = run.workspace.reports_dir / run.month / review_name(run.month)
    with workspace_lock(run.workspace, on_wait), atomic_path(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False})
        f = Formats(book, _FORMATS)
        sheet = book.add_worksheet(SHEET)
        sheet.merge_range(0, 0, 0, len(COLUMNS) - 1, f"{run.month} 审核销号(共 {len(found)} 项待审核:审核结果选“通过”或“退回”,退回须写理由)", f["title"])
        for col, (name, width) in enumerate(zip(COLUMNS, WIDTHS, strict=True)):
            sheet.set_column(col, col, width)
            sheet.write_string(1, col, name, f["head_edit" if name in EDITABLE else "head"])
        for index, claim in enumerate(found, start=2):
            cells = claim.cells()
            for col, value in enumerate(cells):
                text = excel_text(value)
                sheet.write_string(index, col, text, f.text("locked", text))
            for col in range(len(LOCKED), len(COLUMNS)):
                sheet.write_blank(index, col, None, f["edit"])
            sheet.set_row(index, max(wrapped_height(v, w) for v, w in zip(cells, WIDTHS, strict=False)))
        if found:
            decision = len(LOCKED)
            sheet.data_validation(2, decision, len(found) + 1, decision, {
                "validate": "list", "source": list(DECISIONS), "error_title": "审核结果无效", "error_message": "请选择“通过”或“退回”。"})
        sheet.freeze_panes(2, 2)
        sheet.protect("", {"autofilter": True, "format_rows": True, "format_columns": True})
        sheet.autofilter(1, 0, max(len(found) + 1, 1), len(COLUMNS) - 1)
        sheet.set_landscape()
        sheet.set_paper(9)
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(0, 1)
        meta = book.add_worksheet("_meta")
        meta.write_string(0, 0, "月份")
        meta.write_string(0, 1, run.month)
        meta.very_hidden()
        book.close()
    return path, len(found)


@dataclass
class Applied:
    passed: list[tuple[str, str]]
    returned: list[tuple[str, str]]
    problems: list[Problem]
    state: MonthState | None = None  # the month after the decisions (None when nothing was recorded)


def apply_review(run: MonthRun, state: MonthState, path: Path, reviewer: str = "", on_wait=None) -> Applied:
    """Record the decisions of a filled review file; everything that cannot be taken is a problem with its cell.

    When any decision is recorded, the month's lights are kept again and the new month state is returned with the
    result (the caller rewrites the month's documents from it); otherwise the ledger is left as it was.
    """
    name = Path(path).name
    try:
        book = LazyWorkbook(Path(path))
        rows = book.get(SHEET) or []
        meta = book.get("_meta") or []
        book.close()
    except Exception as exc:  # calamine raises many types for damaged files
        raise TrackerError(f"无法读取审核文件“{name}”({type(exc).__name__})。请用 Excel 打开检查后另存。") from exc
    month = cell_text(meta[0][1]) if meta and len(meta[0]) > 1 else ""
    if month and month != run.month:
        raise TrackerError(f"“{name}”是 {month} 的审核文件,不是 {run.month} 的。")
    if len(rows) < 2:
        raise TrackerError(f"“{name}”中没有“{SHEET}”表或表头。请使用 xlsx-tracker review 生成的审核文件。")
    columns = header_index(rows[1], COLUMNS)
    missing = [c for c in COLUMNS if c not in columns]
    if missing:
        raise TrackerError(f"审核文件的表头缺少:{'、'.join(missing)}。请勿改动表头。")
    pending = {(c.unit, c.task_id): c for c in claims(state)}
    result = Applied([], [], [])
    decisions = []
    for index, row in enumerate(rows[2:], start=2):
        value = {c: cell_text(row[i]) if i < len(row) else "" for c, i in columns.items()}
        if not any(value.values()):
            continue
        found = _check_row(name, index, columns, value, pending, result.problems)
        if found:
            decisions.append((found, value["审核结果"], value["退回理由"], value["审核人"] or reviewer))
    with workspace_lock(run.workspace, on_wait):
        with run.ledger() as conn, ledger.transaction(conn):
            for claim, decision, reason, who in decisions:
                ledger.record_review(conn, claim.unit, claim.task_id, run.month, decision, reason, who,
                                     {STATUS: claim.status, "本月工作进展": claim.text}, claim.evidence)
                (result.passed if decision == "通过" else result.returned).append((claim.unit, claim.task_id))
        if decisions:  # the month changed: its lights are recorded again, as merge records them
            result.state = load_state(run)
            run.keep_lights(result.state.unit_lights, result.state.indicator_lights)
    return result


def _check_row(name: str, index: int, columns: dict, value: dict, pending: dict, problems: list[Problem]) -> Claim | None:
    def at(column: str) -> dict:
        return {"file": name, "sheet": SHEET, "cell": cell_ref(index, columns[column]), "unit": value["单位"]}

    claim = pending.get((value["单位"], value["编号"]))
    if claim is None:
        problems.append(problem(REVIEW_UNKNOWN_ROW, unit_name=value["单位"], task_id=value["编号"], **at("编号")))
        return None
    for column, expected in zip(LOCKED, claim.cells(), strict=True):
        if value[column] != excel_text(expected).strip():
            problems.append(problem(REVIEW_TAMPERED, column=column, **at(column)))
            return None
    decision = value["审核结果"]
    if not decision:
        return None  # not reviewed yet: it stays waiting
    if decision not in DECISIONS:
        problems.append(problem(REVIEW_INVALID_MARK, raw=decision, **at("审核结果")))
        return None
    if decision == "退回" and not value["退回理由"]:
        problems.append(problem(REVIEW_NO_REASON, **at("退回理由")))
        return None
    return claim


_BASE = {"font_name": "宋体", "font_size": 10, "valign": "top", "text_wrap": True, "border": 1}
_FORMATS = {
    "title": {"font_name": "黑体", "font_size": 13, "align": "center", "valign": "vcenter"},
    "head": {**_BASE, "bold": True, "bg_color": "#BFBFBF", "align": "center"},
    "head_edit": {**_BASE, "bold": True, "bg_color": "#FFE699", "align": "center"},
    "locked": {**_BASE, "bg_color": "#F2F2F2", "locked": True},
    "edit": {**_BASE, "locked": False},
}
