"""An office's task list as it comes: a Word table, an Excel sheet, an old .doc, or plain text, read into tables of text
(merged cells filled) and the lines of text around them.

Word: the document's XML is walked directly, so that a cell inside a content control (w:sdt), which python-docx's
table API drops, is read, and a vertically merged cell (w:vMerge) or a spanned one (w:gridSpan) gives its text to every
row and column it covers. Excel: python-calamine, with its merged ranges filled. .doc and .wps: converted to .docx by
LibreOffice (headless) first. Text: UTF-8 or GB18030, one line a paragraph.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..base.model import TrackerError
from ..base.tomlfile import decode

READABLE = (".xlsx", ".xlsm", ".xls", ".docx", ".doc", ".wps", ".txt")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CONVERT_SECONDS = 180
_KIND_OF = {".xlsx": "Excel 表格", ".xlsm": "Excel 表格", ".xls": "Excel 表格", ".docx": "Word 文档", ".txt": "文本文件"}


@dataclass
class Source:
    name: str
    tables: list[list[list[str]]] = field(default_factory=list)  # each table's rows of cell texts, merged cells filled
    lines: list[str] = field(default_factory=list)  # the text outside the tables, a paragraph a line
    table_names: list[str] = field(default_factory=list)  # where each table is (a sheet's name, 表1…)


def read_source(path: Path) -> Source:
    suffix = path.suffix.lower()
    if suffix not in READABLE:
        raise TrackerError(f"“{path.name}”的格式不能导入。请用 Excel 表格(.xlsx/.xls)、Word 文档(.docx/.doc/.wps)或文本文件(.txt)。")
    if not path.is_file():
        raise TrackerError(f"找不到文件“{path}”。")
    try:
        if suffix in (".xlsx", ".xlsm", ".xls"):
            return _read_sheets(path)
        if suffix in (".doc", ".wps"):
            return _read_converted(path)
        if suffix == ".docx":
            return read_docx(path, path.name)
        return Source(path.name, lines=_text_lines(path.read_bytes()))
    except TrackerError:
        raise
    except Exception:  # a file no reader makes sense of is said, never a traceback
        raise TrackerError(f"无法读取“{path.name}”:它不是完好的{_KIND_OF.get(suffix, '文件')},或已损坏。"
                           "请用 Word、Excel 或 WPS 打开检查后另存一份再导入。") from None


def _text_lines(data: bytes) -> list[str]:
    text = decode(data)  # as Notepad saves it: UTF-8, ANSI (GB18030) or "Unicode"
    if text is None:
        text = data.decode("utf-8", errors="replace")
    return [line.strip() for line in text.splitlines() if line.strip()]


# ---------------------------------------------------------------- Excel

def _read_sheets(path: Path) -> Source:
    from python_calamine import CalamineWorkbook

    source = Source(path.name)
    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        rows = [[_cell_text(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
        rows = fill_merged(rows, sheet.merged_cell_ranges or [])
        if any(any(row) for row in rows):
            source.tables.append(rows)
            source.table_names.append(f"工作表“{name}”")
    return source


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):  # a date cell: as an office writes a deadline
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def fill_merged(rows: list[list[str]], ranges) -> list[list[str]]:
    """Every cell of a merged range given the text of its top-left cell (calamine gives '' there)."""
    width = max([len(r) for r in rows] + [end[1] + 1 for _, end in ranges] + [0])
    height = max([len(rows)] + [end[0] + 1 for _, end in ranges])
    grid = [list(row) + [""] * (width - len(row)) for row in rows] + [[""] * width for _ in range(height - len(rows))]
    for (top, left), (bottom, right) in ranges:
        text = grid[top][left]
        for r in range(top, bottom + 1):
            for c in range(left, right + 1):
                grid[r][c] = text
    return grid


# ---------------------------------------------------------------- Word

def read_docx(path: Path, name: str) -> Source:
    from docx import Document

    source = Source(name)
    body = Document(str(path)).element.body
    for child in body.iterchildren():
        if child.tag == f"{W}tbl":
            source.tables.append(_table_rows(child))
            source.table_names.append(f"表{len(source.tables)}")
        elif child.tag in (f"{W}p", f"{W}sdt"):
            text = _text(child)
            if text:
                source.lines.append(text)
    return source


def _text(element) -> str:
    parts = []
    for node in element.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}p"):
        if node.tag == f"{W}t":
            parts.append(node.text or "")
        elif node.tag == f"{W}p" and parts:
            parts.append("\n")
        else:
            parts.append(" ")
    return "".join(parts).strip()


def _children(element, tag: str) -> list:
    """element's children of a tag, those wrapped in a content control (w:sdt) included: python-docx drops those."""
    found = []
    for child in element.iterchildren():
        if child.tag == f"{W}{tag}":
            found.append(child)
        elif child.tag == f"{W}sdt":
            content = child.find(f"{W}sdtContent")
            if content is not None:
                found.extend(_children(content, tag))
    return found


def _table_rows(table) -> list[list[str]]:
    rows: list[list[str]] = []
    for tr in _children(table, "tr"):  # a table nested in a cell is that cell's text
        row: list[str] = []
        for tc in _children(tr, "tc"):
            props = tc.find(f"{W}tcPr")
            span = _int_val(props, "gridSpan", 1)
            merge = props.find(f"{W}vMerge") if props is not None else None
            column = len(row)
            if merge is not None and merge.get(f"{W}val") in (None, "continue") and rows:
                above = rows[-1]
                text = above[column] if column < len(above) else ""
            else:
                text = _text(tc)
            row.extend([text] * span)
        rows.append(row)
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]


def _int_val(props, name: str, default: int) -> int:
    node = props.find(f"{W}{name}") if props is not None else None
    try:
        return int(node.get(f"{W}val")) if node is not None else default
    except (TypeError, ValueError):
        return default


# ---------------------------------------------------------------- old Word and WPS files

def _read_converted(path: Path) -> Source:
    """An old binary .doc (or a .wps) through LibreOffice, as the office would re-save it in Word."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if not office:
        raise TrackerError(f"“{path.name}”是旧版 Word/WPS 文件,需要 LibreOffice 才能读取,但本机没有安装。"
                           "请用 Word 或 WPS 打开它,另存为 .docx 后再导入。")
    with tempfile.TemporaryDirectory(prefix="xlsx-tracker-import-") as folder:
        profile = Path(folder) / "profile"
        try:
            subprocess.run([office, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "docx",
                            "--outdir", folder, str(path)], check=True, capture_output=True, timeout=CONVERT_SECONDS)
        except (subprocess.SubprocessError, OSError) as exc:
            raise TrackerError(f"用 LibreOffice 转换“{path.name}”失败({type(exc).__name__})。请用 Word 或 WPS 另存为 .docx 后再导入。") from None
        converted = Path(folder) / f"{path.stem}.docx"
        if not converted.is_file():
            raise TrackerError(f"LibreOffice 没能转换“{path.name}”。请用 Word 或 WPS 另存为 .docx 后再导入。")
        return read_docx(converted, path.name)
