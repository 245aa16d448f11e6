"""审核销号: the office reviews each unit's claim of 已完成 / 无此情形 against its evidence, then closes or returns it.

`review_sheet` lists every claim waiting for review in a workbook where only the decision cells can be edited,
keeps the decisions already filled in an earlier sheet of the month, and copies each claim's received materials
out of the archive into a folder its row links to; `apply_review` reads that file back like any return — tampered
texts, invalid marks and unknown rows are reported with their cells — and records each valid decision in the
ledger: who, when, the claim and its evidence. A decision already recorded is not recorded again.
"""

from __future__ import annotations

import hashlib
import shutil
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter

from ..base.filenames import own_name, safe_name, unique
from ..base.layout import STATUS
from ..base.model import Problem, TrackerError
from ..base.problems import (
    REVIEW_CONFLICT,
    REVIEW_INVALID_MARK,
    REVIEW_NO_REASON,
    REVIEW_STALE,
    REVIEW_TAMPERED,
    REVIEW_UNKNOWN_ROW,
    problem,
)
from ..base.sheetio import Formats, atomic_path, cell_ref, cell_text, excel_text, header_index, read_outside, wrapped_height
from ..base.workspace import workspace_lock
from ..month import ledger
from ..month.ledger import Submission
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
MATERIALS = "审核材料"  # reports/<month>/审核材料/<编号>_<单位>/: the files received for each claim, by their real names
MATERIAL_NAME_UNITS = 120  # a material's name in 审核材料/: room left for the folders above it in a Windows path


@dataclass(frozen=True)
class Claim:
    unit: str
    task_id: str
    summary: str
    status: str
    text: str
    evidence: list[dict]
    files: tuple[str, ...] = ()  # material files received for the claim's group
    materials: tuple[Submission, ...] = field(default=(), compare=False)  # those files as the ledger keeps them

    def cells(self) -> list[str]:
        listed = ";".join(f"{e.get('材料名称', '')}({e.get('材料类型', '')}){' ' + e['网址'] if e.get('网址') else ''}" for e in self.evidence)
        return [self.unit, self.task_id, self.summary, self.status, self.text, listed or "(未登记)", ";".join(self.files) or "(无)"]

    @property
    def folder(self) -> str:
        """The claim's folder under 审核材料/."""
        return safe_name(f"{self.task_id}_{self.unit}")


def review_name(month: str) -> str:
    return f"审核_{month}.xlsx"


def claims(state: MonthState) -> list[Claim]:
    """Every claim of the month waiting for the office's review, with its evidence rows and the files received.

    A file is the claim's when it belongs to the claim's group and was sent by the claim's unit, or by no unit
    known (a material placed by the indicator number in its name)."""
    evidence: dict[tuple[str, str], list[dict]] = {}
    for entry in state.evidence:
        evidence.setdefault((entry["单位"], entry.get("编号", "")), []).append(entry)
    materials = [s for s in state.submissions if s.outcome == "material"]
    filed = file_materials(state, materials, list(dict.fromkeys(r.assignment.task.group_id for r in state.rows)))
    received: dict[str, list] = {}
    for item in filed:
        received.setdefault(item.group, []).append(item)
    found = []
    for r in state.rows:
        if r.review != PENDING:
            continue
        unit = r.assignment.unit
        subs = sorted((i.submission for i in received.get(r.assignment.task.group_id, []) if i.unit in ("", unit)),
                      key=lambda s: (_real_name(s), s.sha256))
        found.append(Claim(unit, r.assignment.task_id, " ".join(r.assignment.task.indicator_text.split())[:40], r.status,
                           r.values.get("本月工作进展", "") or "", evidence.get((unit, r.assignment.task_id), []),
                           tuple(sorted(_real_name(s) for s in subs)), tuple(subs)))
    return found


def _real_name(sub: Submission) -> str:
    return own_name(sub.file_name)


def recorded_decisions(run: MonthRun) -> dict[tuple[str, str], tuple[str, str]]:
    """(unit, task id) -> (通过/退回, reason) of the decisions the ledger holds for this month."""
    if not run.workspace.ledger_file.exists():
        return {}
    with run.ledger() as conn:
        decided = ledger.reviews_until(conn, run.month)
    return {key: (d[1], d[2]) for key, found in decided.items() for d in found if d[0] == run.month}


def _same(recorded: tuple[str, str] | None, decision: str, reason: str) -> bool:
    """A row repeats a recorded decision: the same mark, and for a return the same reason."""
    return recorded is not None and recorded[0] == decision and (decision != "退回" or recorded[1] == reason)


def _said(decision: str, reason: str) -> str:
    return f"{decision}(理由:{reason})" if decision == "退回" and reason else decision


# ---------------------------------------------------------------- the sheet

@dataclass
class Written:
    path: Path
    count: int  # claims listed
    kept: int = 0  # decisions of the earlier sheet carried into this one
    discarded: int = 0  # decisions of the earlier sheet left out on --force (none recorded in the ledger)
    folders: int = 0  # claims whose materials were copied to 审核材料/
    files: int = 0
    missing: list[str] = field(default_factory=list)  # materials the archive no longer holds


def write_review(run: MonthRun, state: MonthState, on_wait=None) -> tuple[Path, int]:
    written = review_sheet(run, state, on_wait)
    return written.path, written.count


def review_sheet(run: MonthRun, state: MonthState, on_wait=None, force: bool = False) -> Written:
    """Write reports/<month>/审核_<month>.xlsx and its 审核材料/ folder.

    Decisions filled in the sheet already there are carried to the claims still waiting, unchanged; a filled
    decision that cannot be carried (its claim changed or no longer waits) and is not in the ledger stops the
    run, unless force, which starts a blank sheet and counts what it left out.
    """
    found = claims(state)
    path = run.workspace.month_reports(run.month) / review_name(run.month)
    recorded = recorded_decisions(run)
    with workspace_lock(run.workspace, on_wait):
        carried, written = _carried(run, path, found, recorded, force)
        folders = _copy_materials(run, found, written)
        with atomic_path(path) as tmp:
            _write(tmp, run.month, found, carried, folders)
    return written


def _carried(run: MonthRun, path: Path, found: list[Claim], recorded: dict, force: bool) -> tuple[dict, Written]:
    """The decisions of the sheet already there that go into the new one (unit, task id) -> editable cells."""
    written = Written(path, len(found))
    if not path.exists():
        return {}, written
    try:
        filled = _filled_rows(path)
    except (TrackerError, ValueError) as exc:  # damaged, reaching far, or not a review sheet any more
        if force:
            return {}, written
        said = str(exc) if isinstance(exc, TrackerError) else f"已有的审核文件“{path.name}”中找不到“{SHEET}”表或表头。"
        raise TrackerError(f"{said}该文件中可能有已填写的审核结果,审核表没有重新生成;"
                           "确定不要其中的审核结果时,加 --force 重新生成空白审核表。") from exc
    pending = {(c.unit, c.task_id): c for c in found}
    carried, lost = {}, []
    for value in filled:
        key = (value["单位"], value["编号"])
        decided = bool(value["审核结果"] or value["退回理由"])
        claim = pending.get(key)
        if claim and all(value[c] == excel_text(e).strip() for c, e in zip(LOCKED, claim.cells(), strict=True)):
            carried[key] = [value[c] for c in EDITABLE]
            written.kept += decided
        elif decided and not _same(recorded.get(key), value["审核结果"], value["退回理由"]):
            lost.append(value)
    if force:
        written.kept = 0
        written.discarded = len(lost) + sum(1 for v in carried.values() if v[0] or v[1])
        return {}, written
    if lost:
        items = "、".join(f"{v['单位']} 编号 {v['编号']}“{_said(v['审核结果'], v['退回理由']) or v['退回理由']}”" for v in lost)
        raise TrackerError(
            f"“{path.name}”中已填写的 {len(lost)} 项审核结果无法带入新的审核表(填写后该事项有了变化,或已不再待审核):{items}。"
            f"为免丢失,审核表没有重新生成。可先运行 xlsx-tracker review --month {run.month} --apply {path.name} 记入其余的审核结果;"
            "确定不要这些审核结果时,加 --force 重新生成空白审核表。")
    return carried, written


def _filled_rows(path: Path) -> list[dict]:
    """The rows of a review sheet with anything written in its decision cells."""
    rows = read_outside(path, "审核文件", (SHEET,)).get(SHEET) or []
    columns = header_index(rows[1], COLUMNS) if len(rows) > 1 else {}
    if len(columns) < len(COLUMNS):
        raise ValueError("no review sheet")
    values = [{c: cell_text(row[i]) if i < len(row) else "" for c, i in columns.items()} for row in rows[2:]]
    return [v for v in values if any(v[c] for c in EDITABLE)]


def _write(tmp: Path, month: str, found: list[Claim], carried: dict, folders: dict[tuple[str, str], str]) -> None:
    book = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False})
    f = Formats(book, _FORMATS)
    sheet = book.add_worksheet(SHEET)
    sheet.merge_range(0, 0, 0, len(COLUMNS) - 1, f"{month} 审核销号(共 {len(found)} 项待审核:审核结果选“通过”或“退回”,退回须写理由;"
                      "点“收到的材料文件”打开该项的材料)", f["title"])
    for col, (name, width) in enumerate(zip(COLUMNS, WIDTHS, strict=True)):
        sheet.set_column(col, col, width)
        sheet.write_string(1, col, name, f["head_edit" if name in EDITABLE else "head"])
    linked = len(LOCKED) - 1
    for index, claim in enumerate(found, start=2):
        cells = claim.cells()
        for col, value in enumerate(cells):
            text = excel_text(value)
            folder = folders.get((claim.unit, claim.task_id))
            if col == linked and folder:  # relative: opens from wherever reports/<month>/ is copied
                sheet.write_url(index, col, f"external:{MATERIALS}/{folder}", f["link"], string=text, tip="打开收到的材料文件")
            else:
                sheet.write_string(index, col, text, f.text("locked", text))
        for col, value in enumerate(carried.get((claim.unit, claim.task_id), [""] * len(EDITABLE)), start=len(LOCKED)):
            if value:
                sheet.write_string(index, col, value, f.text("edit", value))
            else:
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
    meta.write_string(0, 1, month)
    meta.very_hidden()
    book.close()


# ---------------------------------------------------------------- the materials, out of the archive

def _copy_materials(run: MonthRun, found: list[Claim], written: Written) -> dict[tuple[str, str], str]:
    """Bring 审核材料/ to exactly the claims' received files, by their real names made safe (base.filenames: a device
    name or a name too long is changed, a second file of a name in one folder gets “(2)”, as does a second claim
    whose folder name would be the same): two different files never share a name.

    A file already there with the archived bytes is left alone and anything else there is removed, so a rebuild
    gives the same tree; the archive is only read. Returns the folder of each claim with files copied.
    """
    root = run.workspace.month_reports(run.month) / MATERIALS
    wanted: set[Path] = set()
    made: dict[tuple[str, str], str] = {}
    taken: set[str] = set()
    for claim in found:
        folder, used = unique(claim.folder, taken), set()
        for sub in claim.materials:
            target = root / folder / unique(_real_name(sub), used, MATERIAL_NAME_UNITS)
            if _copied(run, sub, target):
                wanted.add(target)
                made[(claim.unit, claim.task_id)] = folder
            else:
                written.missing.append(_real_name(sub))
    folders = set(made.values())
    written.folders, written.files = len(folders), len(wanted)
    _remove_stale(root, wanted, folders)
    return made


def _copied(run: MonthRun, sub: Submission, target: Path) -> bool:
    """target holds the archived file's bytes (copied unless already there); False when the archive lacks it."""
    if target.is_file() and target.stat().st_size == sub.size:
        with open(target, "rb") as stream:
            if hashlib.file_digest(stream, "sha256").hexdigest() == sub.sha256:
                return True
    return run.workspace.copy_archived(sub.archive_path, target)


def _remove_stale(root: Path, wanted: set[Path], folders: set[str]) -> None:
    """Files and folders of an earlier run no claim needs now (one held open elsewhere goes on a later run)."""
    if not root.is_dir():
        return
    stale = [p for p in root.iterdir() if p.name not in folders or not p.is_dir()] if folders else [root]
    stale += [p for folder in folders for p in (root / folder).iterdir() if p not in wanted]
    for path in stale:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            with suppress(OSError):  # Windows: open in a viewer
                path.unlink()


# ---------------------------------------------------------------- the decisions back

@dataclass
class Applied:
    passed: list[tuple[str, str]]
    returned: list[tuple[str, str]]
    problems: list[Problem]
    state: MonthState | None = None  # the month after the decisions (None when nothing was recorded)
    already: list[tuple[str, str]] = field(default_factory=list)  # rows repeating a decision the ledger holds


def apply_review(run: MonthRun, state: MonthState, path: Path, reviewer: str = "", on_wait=None) -> Applied:
    """Record the decisions of a filled review file; everything that cannot be taken is a problem with its cell.

    A row repeating a decision already recorded for the month is counted and skipped, so the same sheet can be
    applied again after a few rows were corrected; a row contradicting one is a problem. When any decision is
    recorded, the month's lights are kept again and the new month state is returned with the result (the caller
    rewrites the month's documents from it); otherwise the ledger is left as it was.
    """
    name = Path(path).name
    sheets = read_outside(Path(path), "审核文件", (SHEET, "_meta"))  # bounded, in a worker: a TrackerError naming it
    rows, meta = sheets.get(SHEET) or [], sheets.get("_meta") or []
    month = cell_text(meta[0][1]) if meta and len(meta[0]) > 1 else ""
    if month and month != run.month:
        raise TrackerError(f"“{name}”是 {month} 的审核文件,不是 {run.month} 的。")
    if len(rows) < 2:
        raise TrackerError(f"“{name}”中没有“{SHEET}”表或表头。请使用 xlsx-tracker review 生成的审核文件。")
    columns = header_index(rows[1], COLUMNS)
    missing = [c for c in COLUMNS if c not in columns]
    if missing:
        raise TrackerError(f"审核文件的表头缺少:{'、'.join(missing)}。请勿改动表头。")

    def place(index: int, column: str) -> dict:
        return {"file": name, "sheet": SHEET, "cell": cell_ref(index, columns[column])}

    values = [(index, {c: cell_text(row[i]) if i < len(row) else "" for c, i in columns.items()})
              for index, row in enumerate(rows[2:], start=2)]
    return record_decisions(run, state, values, place, reviewer, on_wait)


def seen_mark(claim: Claim) -> str:
    """A short fingerprint of a claim as the page shows it: the page sends it back with the decision."""
    return hashlib.sha256("\x1f".join(claim.cells()).encode("utf-8")).hexdigest()[:16]


def page_rows(state: MonthState, marks: dict[tuple[str, str], tuple[str, str, str]],
              reviewer: str) -> tuple[list[tuple[int, dict]], list[Problem]]:
    """The local page's choices ((unit, task id) -> (通过/退回, reason, seen_mark shown)) as rows of a review sheet, so
    they pass the same checks as a filled review file; a claim whose content changed after the page showed it is not
    decided on what the clerk never saw (a problem instead)."""
    rows, stale = [], []
    for index, claim in enumerate(claims(state)):
        decision, reason, seen = marks.get((claim.unit, claim.task_id), ("", "", ""))
        if not decision:
            continue
        if seen != seen_mark(claim):
            stale.append(problem(REVIEW_STALE, unit_name=claim.unit, task_id=claim.task_id))
            continue
        texts = [excel_text(text).strip() for text in claim.cells()]
        rows.append((index, {**dict(zip(LOCKED, texts, strict=True)), "审核结果": decision, "退回理由": reason, "审核人": reviewer}))
    return rows, stale


def record_decisions(run: MonthRun, state: MonthState, values: list[tuple[int, dict]], place, reviewer: str = "",
                     on_wait=None) -> Applied:
    """Check each row (index, {column: text}) as apply_review does and record the valid decisions in one transaction.

    place(index, column) -> the problem's file, sheet and cell for that row and column."""
    pending = {(c.unit, c.task_id): c for c in claims(state)}
    recorded = recorded_decisions(run)
    result = Applied([], [], [])
    decisions = []
    for index, value in values:
        if not any(value.values()):
            continue
        found = _check_row(lambda column, i=index, v=value: {**place(i, column), "unit": v["单位"]}, value, pending, recorded, result)
        if found:
            decisions.append((found, value["审核结果"], value["退回理由"], value["审核人"] or reviewer))
    decided_at = run.master.settings.now().isoformat(sep=" ")  # the office's time, whatever this computer's zone
    with workspace_lock(run.workspace, on_wait):
        with run.ledger() as conn, ledger.transaction(conn):
            for claim, decision, reason, who in decisions:
                ledger.record_review(conn, claim.unit, claim.task_id, run.month, decision, reason, who,
                                     {STATUS: claim.status, "本月工作进展": claim.text}, claim.evidence, decided_at)
                (result.passed if decision == "通过" else result.returned).append((claim.unit, claim.task_id))
        if decisions:  # the month changed: its lights are recorded again, as merge records them
            result.state = load_state(run)
            run.keep_lights(result.state.unit_lights, result.state.indicator_lights)
    return result


def _check_row(at, value: dict, pending: dict, recorded: dict, result: Applied) -> Claim | None:
    key = (value["单位"], value["编号"])
    decision, reason = value["审核结果"], value["退回理由"]
    claim = pending.get(key)
    if claim is None and key in recorded:  # decided already: by this sheet applied before, or another
        if decision and decision not in DECISIONS:
            result.problems.append(problem(REVIEW_INVALID_MARK, raw=decision, **at("审核结果")))
        elif _same(recorded[key], decision, reason):
            result.already.append(key)
        elif decision:
            result.problems.append(problem(REVIEW_CONFLICT, unit_name=key[0], task_id=key[1], recorded=_said(*recorded[key]),
                                           raw=_said(decision, reason), **at("审核结果")))
        return None
    if claim is None:
        result.problems.append(problem(REVIEW_UNKNOWN_ROW, unit_name=value["单位"], task_id=value["编号"], **at("编号")))
        return None
    for column, expected in zip(LOCKED, claim.cells(), strict=True):
        if value[column] != excel_text(expected).strip():
            result.problems.append(problem(REVIEW_TAMPERED, column=column, **at(column)))
            return None
    if not decision:
        return None  # not reviewed yet: it stays waiting
    if decision not in DECISIONS:
        result.problems.append(problem(REVIEW_INVALID_MARK, raw=decision, **at("审核结果")))
        return None
    if decision == "退回" and not reason:
        result.problems.append(problem(REVIEW_NO_REASON, **at("退回理由")))
        return None
    return claim


_BASE = {"font_name": "宋体", "font_size": 10, "valign": "top", "text_wrap": True, "border": 1}
_FORMATS = {
    "title": {"font_name": "黑体", "font_size": 13, "align": "center", "valign": "vcenter"},
    "head": {**_BASE, "bold": True, "bg_color": "#BFBFBF", "align": "center"},
    "head_edit": {**_BASE, "bold": True, "bg_color": "#FFE699", "align": "center"},
    "locked": {**_BASE, "bg_color": "#F2F2F2", "locked": True},
    "link": {**_BASE, "bg_color": "#F2F2F2", "locked": True, "font_color": "#0563C1", "underline": 1},
    "edit": {**_BASE, "locked": False},
}
