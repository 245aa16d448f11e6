"""工作台账: the proof of every indicator, filed by reporting group (附件1: 逐一分类建档).

Rebuilt whole from the ledger and the archive: one folder per group `<编号>_<三级指标摘要>/` holding that group's
证明材料目录.xlsx and the evidence files the units sent, named as 附件1 asks (by their original names, made Windows
names, told apart and shortened where needed: file_names), and a
top-level 总目录.xlsx with each indicator's status, what is missing and links to its folder. A material is filed
by the 证明材料目录 row that names it, else by the indicator number in its name; the rest are listed for the office
to assign. Originals are read from the archive and never changed; a second build gives the same bytes.

The tree is copied to Windows PCs, USB sticks and WPS: every name is a valid Windows name (no \\/:*?"<>|, no
trailing dot or space, no device name such as CON), and every path inside the tree (folder + file name) is at most
PATH_BUDGET characters, so that the tree placed under an office path of up to 80 characters (e.g.
D:\\法治办\\工作区\\工作台账\\) stays within 240, under Windows' 260 (MAX_PATH). The 总目录 prints on landscape
A4 one page wide at full size, its header on every page, each row as tall as its wrapped text.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from itertools import chain, count
from pathlib import Path

import xlsxwriter

from ..base.filenames import fit, shorten, units, windows_name
from ..base.model import TrackerError
from ..base.sheetio import Formats, excel_text
from ..base.words import SEPARATORS, cut_phrase
from ..base.workspace import workspace_lock
from ..calendar.workdays import month_label
from ..month import ledger
from ..month.materials import Filed, file_materials
from ..month.rows import REVIEWED
from ..month.run import MonthRun
from ..month.state import MonthState, load_state

FOLDER = "工作台账"
EVIDENCE_BOOK = "证明材料目录.xlsx"
INDEX_BOOK = "总目录.xlsx"
EVIDENCE_COLUMNS = ["单位", "编号", "材料名称", "材料类型", "网址", "备注"]
INDEX_COLUMNS = ["板块", "序号", "报送组", "三级指标(摘要)", "状态", "已销号/任务数", "缺少", "文件夹", "材料文件"]
# 123 characters in all, so that the print stays at full size (10 pt): landscape A4 less its margins is 1,065 pixels,
# and a character of column width is 8 pixels (see _book)
INDEX_WIDTHS = [6, 5, 7, 29, 7, 8, 17, 22, 22]
INDEX_SUMMARY = 30  # characters of the indicator's text in the 总目录: two lines of its column (16 a line)

# Windows' limits (counted in UTF-16 units, as Windows counts): 260 for a whole path. The tree's own paths stay
# within PATH_BUDGET so that a workspace prefix of up to 80 characters still leaves the full path under 240.
PATH_BUDGET = 160
FOLDER_NAME_LIMIT = 40  # a group folder's name
FOLDER_SUMMARY = 20  # characters of the indicator's text in a group folder's name, cut at a phrase boundary
FILE_NAME_LIMIT = PATH_BUDGET - FOLDER_NAME_LIMIT - 1  # a file's name: what the longest folder name leaves (119)

_NUMBER = re.compile(r"^\d+\s*[.．、]\s*")  # "26. " opening a group's text: the folder name has the number already


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
    folders = _group_folders(run, groups)
    placed = {g: _placed(folders[g], [f for f in filed if f.group == g]) for g in groups}
    with workspace_lock(run.workspace, on_wait):
        staging = Path(tempfile.mkdtemp(prefix=f".tmp-{FOLDER}-", dir=run.workspace.root))
        try:
            copied = 0
            for group, name in folders.items():
                folder = staging / name
                folder.mkdir()
                entries = [e for e in state.evidence if e.get("编号", "").split("/")[0] == group]
                _evidence_book(folder / EVIDENCE_BOOK, entries, created)
                copied += _copy_files(run, folder, placed[group])
            _index(run, staging / INDEX_BOOK, state, folders, placed, filed, created)
            _swap(staging, final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return Built(final, len(groups), copied, [f.submission.file_name for f in filed if not f.group])


# ---------------------------------------------------------------- names that Windows takes


def folder_name(group: str, text: str) -> str:
    """A group's folder: `<编号>_<the indicator's text cut at a phrase boundary>`, within FOLDER_NAME_LIMIT."""
    summary = cut_phrase(_NUMBER.sub("", " ".join(text.split())), FOLDER_SUMMARY)
    # '#' would end the 总目录's link to the folder (it starts a location in a hyperlink)
    return shorten(windows_name(f"{group}_{summary}".replace("#", "_")), FOLDER_NAME_LIMIT)


def file_names(folder: str, wanted: list[tuple[str, str]]) -> list[str]:
    """The names under which files are put into `folder`, for (original name, sending unit) in order: the original
    name (附件1: 按原文件名命名), made a Windows name; a second file of that name takes its unit's name before it, a
    third a number “(2)”; told apart as Windows tells names (case does not count); and shortened, extension kept,
    so that `folder/name` stays within PATH_BUDGET."""
    limit = min(FILE_NAME_LIMIT, PATH_BUDGET - units(folder) - 1)
    used = {EVIDENCE_BOOK.casefold()}  # the folder's own catalogue is never overwritten
    names = []
    for original, unit in wanted:
        base = original.replace("\\", "/").rsplit("/", 1)[-1]
        tries = [base, *([f"{unit}_{base}"] if unit else [])]
        candidates = chain((fit(name, limit) for name in tries), (fit(base, limit, f"({n})") for n in count(2)))
        name = next(c for c in candidates if c.casefold() not in used)
        used.add(name.casefold())
        names.append(name)
    return names


def _group_folders(run: MonthRun, groups: list[str]) -> dict[str, str]:
    folders: dict[str, str] = {}
    used: set[str] = set()
    for group in groups:
        task = next(t for t in run.master.tasks if t.group_id == group)
        name = folder_name(group, task.indicator_text)
        base, n = name, 2
        while name.casefold() in used:  # two groups' ids that clean to the same name
            name, n = shorten(base, FOLDER_NAME_LIMIT - len(f"({n})")) + f"({n})", n + 1
        used.add(name.casefold())
        folders[group] = name
    return folders


def _placed(folder: str, filed: list[Filed]) -> list[tuple[Filed, str]]:
    ordered = sorted(filed, key=lambda f: (f.submission.file_name, f.submission.sha256))
    names = file_names(folder, [(f.submission.file_name, f.unit or "未知单位") for f in ordered])
    return list(zip(ordered, names, strict=True))


def _copy_files(run: MonthRun, folder: Path, placed: list[tuple[Filed, str]]) -> int:
    for item, name in placed:
        if not run.workspace.copy_archived(item.submission.archive_path, folder / name):
            raise TrackerError(f"存档中找不到“{name}”({item.submission.archive_path}),工作台账没有重建。请检查 archive 文件夹是否完整。")
    return len(placed)


def _swap(staging: Path, final: Path) -> None:
    """Replace the old 台账 with the new one: the old is moved aside first, so a failure leaves one of them whole."""
    old = final.with_name(f".tmp-{FOLDER}-old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.replace(final, old)
    os.replace(staging, final)
    shutil.rmtree(old, ignore_errors=True)


# ---------------------------------------------------------------- the workbooks, printed


def _book(path: Path, created: dt.datetime):
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
                                          # The default font only sets the unit of column widths (its digit's width);
                                          # every cell is set in 宋体. Arial 11 measures 8 pixels in Excel and WPS and,
                                          # as its metric twin Liberation Sans, in LibreOffice on Linux (Calibri, or
                                          # 宋体, falls back to DejaVu Sans there, 9.5 pixels: the print shrank to 76 %)
                                          "default_format_properties": {"font_name": "Arial", "font_size": 11},
                                          "default_column_width": 72, "default_row_height": 19})
    book.set_properties({"created": created})
    return book, Formats(book, _FORMATS)


def _evidence_book(path: Path, entries: list[dict], created: dt.datetime) -> None:
    book, f = _book(path, created)
    sheet = book.add_worksheet("证明材料目录")
    widths = [14, 8, 40, 14, 44, 20]
    _head(sheet, f, 0, EVIDENCE_COLUMNS, widths)
    rows = sorted(entries, key=lambda e: (e.get("编号", ""), e["单位"], e.get("材料名称", "")))
    for row, entry in enumerate(rows, start=1):
        _row(sheet, f, row, [excel_text(str(entry.get(name, ""))) for name in EVIDENCE_COLUMNS], widths)
    _print_setup(sheet, 0, len(rows), widths, "证明材料目录", "")
    book.close()


def _index(run: MonthRun, path: Path, state: MonthState, folders: dict[str, str],
           placed: dict[str, list[tuple[Filed, str]]], filed: list[Filed], created) -> None:
    book, f = _book(path, created)
    settings = run.master.settings
    title = f"{settings.district}{settings.work}工作台账总目录"
    book.set_properties({"title": title, "author": settings.office, "created": created})
    sheet = book.add_worksheet("总目录")
    sheet.merge_range(0, 0, 0, len(INDEX_COLUMNS) - 1, title, f["title"])
    sheet.set_row(0, 36)
    _head(sheet, f, 1, INDEX_COLUMNS, INDEX_WIDTHS)
    rows_by_group: dict[str, list] = {}
    for row in state.rows:
        rows_by_group.setdefault(row.assignment.task.group_id, []).append(row)
    evidence_groups = {e.get("编号", "").split("/")[0] for e in state.evidence}
    line = 2
    for item in state.indicators:
        group = item.indicator.group_id or next((t.group_id for t in run.master.tasks if item.indicator.number in t.indicators
                                                  and t.section == item.indicator.section), "")
        if group not in folders:
            continue
        files = [name for _, name in placed[group]]
        rows = rows_by_group.get(group, [])
        missing = [text for ok, text in [(item.status == "已完成", "任务未全部完成"), (group in evidence_groups, "无证明材料目录条目"),
                                         (any("情况说明" in name for name in files), "无情况说明文件")] if not ok]
        text = " ".join(item.indicator.text.split())
        summary = cut_phrase(text, INDEX_SUMMARY, shortest=INDEX_SUMMARY // 2)  # a summary at least half its room
        values = [item.indicator.label if item.indicator.section != "main" else "指标", str(item.indicator.number), group,
                  summary + ("…" if summary != text.rstrip("".join(SEPARATORS)) else ""), item.status,
                  f"{sum(1 for r in rows if r.review == REVIEWED)}/{len(rows)}", "\n".join(missing) or "齐全",  # a line each
                  folders[group], "\n".join(files)]
        _row(sheet, f, line, values, INDEX_WIDTHS, links={7: folders[group]})
        line += 1
    _print_setup(sheet, 1, line - 1, INDEX_WIDTHS, f"{settings.district}{settings.work}工作台账",
                 f"截至{month_label(run.month)}")
    loose = book.add_worksheet("未归类材料")
    widths = [50, 16, 10, 50]
    _head(loose, f, 0, ["文件", "单位", "月份", "说明"], widths)
    unplaced = sorted((x for x in filed if not x.group), key=lambda x: x.submission.file_name)
    for row, item in enumerate(unplaced, start=1):
        _row(loose, f, row, [item.submission.file_name, item.unit or "", item.submission.month,
                             "无法判断属于哪项指标:请在证明材料目录中登记该文件名,或在文件名前加指标序号(如“21_”)"], widths)
    _print_setup(loose, 0, len(unplaced), widths, "工作台账未归类材料", f"截至{month_label(run.month)}")
    book.close()


def _head(sheet, f, row: int, names: list[str], widths: list[float]) -> None:
    for col, (name, width) in enumerate(zip(names, widths, strict=True)):
        sheet.set_column(col, col, width)
        sheet.write_string(row, col, name, f["head"])
    sheet.set_row(row, row_height(names, widths))


def _row(sheet, f, row: int, values: list[str], widths: list[float], links: dict[int, str] | None = None) -> None:
    for col, value in enumerate(values):
        if links and col in links:
            # a HYPERLINK formula, not a cell hyperlink: LibreOffice does not wrap a cell hyperlink's text, so a long
            # folder name printed cut; the target is relative, the tree moves whole (names hold no '"', see windows_name)
            sheet.write_formula(row, col, f'=HYPERLINK("{links[col]}","{value}")', f["link"], value)
        else:
            sheet.write_string(row, col, value, f.text("cell", value))
    sheet.set_row(row, row_height(values, widths))


def _print_setup(sheet, header_row: int, last_row: int, widths: list[float], left: str, right: str) -> None:
    """Landscape A4, one page wide at full size, the header row on every page, page numbers in the footer."""
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=MARGIN, right=MARGIN, top=0.75, bottom=0.6)
    sheet.center_horizontally()
    sheet.repeat_rows(header_row)
    sheet.print_area(0, 0, max(last_row, header_row), len(widths) - 1)
    font = '&"宋体,常规"&10'
    sheet.set_header(f"&L{font}{_header_text(left)}&R{font}{_header_text(right)}", margin=0.3)
    sheet.set_footer(f"&C{font}第 &P 页 共 &N 页", margin=0.3)
    sheet.freeze_panes(header_row + 1, 0)


def _header_text(text: str) -> str:
    """text for a page header: '&' doubled, and a space before a leading digit, which would read as the font size."""
    text = text.replace("&", "&&")
    return f" {text}" if text[:1].isdigit() else text


# ---------------------------------------------------------------- how tall a row of wrapped text is

FONT_SIZE = 10
LINE_HEIGHT = 1.45  # of the font size: 宋体 needs ~1.3, the CJK fonts standing in for it (WPS, LibreOffice) ~1.45
MIN_ROW_HEIGHT = 20.0  # points: at most ~24 rows on a landscape page, so a row stays easy to follow across it
MARGIN = 0.3  # inches, left and right
DIGIT_PIXELS = 8  # a character of column width with Arial 11 as the default font (see _book)
PAGE_WIDTH = 11.69  # inches: A4 landscape


def text_lines(text: str, width: float, font_size: float = FONT_SIZE) -> int:
    """Lines text takes wrapped in a column `width` characters wide, counted on the safe side.

    Neither openpyxl nor xlsxwriter sizes rows, and a row given no height prints one line high in LibreOffice and
    WPS, so every row is given the height of its text. A column of width w is 8w + 5 pixels less the cell's padding;
    a CJK character is one em (font_size × 4/3 pixels), an ASCII character counted at 0.6 em; an ASCII word wraps
    whole unless it is longer than a line. 5 % is kept back for the marks that may not begin a line (,。、).
    """
    capacity = (DIGIT_PIXELS * width + 5 - 6) / (font_size * 4 / 3) * 0.95  # ems a line holds
    total = 0
    for paragraph in str(text).split("\n"):
        lines, used = 1, 0.0
        for token in re.findall(r"[!-~]+|.", paragraph):
            pieces = list(token) if _ems(token) > capacity else [token]
            for piece in pieces:
                size = _ems(piece)
                if used and used + size > capacity:
                    lines, used = lines + 1, 0.0
                    if piece.isspace():
                        continue
                used += size
        total += lines
    return total


def row_height(values: list[str], widths: list[float], font_size: float = FONT_SIZE) -> float:
    """Points a row needs so that each of its cells shows all its wrapped text (Excel's limit is 409)."""
    lines = max((text_lines(v, w, font_size) for v, w in zip(values, widths, strict=False)), default=1)
    return min(max(lines * font_size * LINE_HEIGHT + 4, MIN_ROW_HEIGHT), 409)


def _ems(text: str) -> float:
    return sum(0.6 if ch.isascii() else 1.0 for ch in text)


_BASE = {"font_name": "宋体", "font_size": FONT_SIZE, "valign": "top", "text_wrap": True, "border": 1}
_FORMATS = {
    "title": {"font_name": "宋体", "font_size": 16, "bold": True, "align": "center", "valign": "vcenter"},
    "head": {**_BASE, "bold": True, "bg_color": "#D9D9D9", "align": "center", "valign": "vcenter"},
    "cell": _BASE,
    "link": {**_BASE, "font_color": "#0563C1", "underline": 1},
}
