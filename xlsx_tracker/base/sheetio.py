"""Low-level file helpers: reading sheets as rows (a workbook from outside bounded and in a worker process), atomic
writes, cell references, and text written so that a cell keeps it as text."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree

from python_calamine import CalamineWorkbook

from .model import TrackerError


def column_letter(col: int) -> str:
    """Excel column letters of a zero-based column index: 0 -> 'A', 26 -> 'AA'."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_ref(row: int, col: int) -> str:
    """Excel reference of a zero-based (row, col), e.g. (6, 10) -> 'K7'.

    Written here rather than taken from xlsxwriter so that reading a return never imports a writer.
    """
    return f"{column_letter(col)}{row + 1}"


def parse_ref(ref: str) -> tuple[int, int]:
    """Zero-based (row, col) of an Excel reference: 'K7' -> (6, 10)."""
    letters = ref.rstrip("0123456789")
    col = 0
    for letter in letters.upper():
        col = col * 26 + ord(letter) - 64
    return int(ref[len(letters):]) - 1, col - 1


def display_width(text: str) -> int:
    """Columns a text takes on screen: CJK characters count two."""
    if text.isascii():  # most cells: numbers, dates, codes
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@lru_cache(maxsize=4096)  # a province's report repeats each task's text for every unit: measured once
def wrapped_height(text: str, width: float, font_size: float = 10) -> float:
    """Points needed for text wrapped in a column of the given width (capped at Excel's 409): Excel does not
    autofit the rows xlsxwriter writes, so a cell of long text would print cut."""
    per_line = max(width * 1.15 * 11 / font_size, 4)
    text = str(text)
    if 2 * len(text) <= per_line and "\n" not in text:  # one line whatever its characters: not measured
        lines = 1
    else:
        lines = sum(max(1, -(-display_width(part) // per_line)) for part in text.split("\n"))
    return min(lines * font_size * 1.35 + 4, 409)


def read_workbook(path: Path) -> dict[str, list[list]]:
    """Every sheet of a workbook (xlsx, xlsm, xls, ods) as rows of Python values.

    Positions are kept (no trimming of leading empty rows or columns) so that a
    value's index is its Excel cell.
    """
    book = CalamineWorkbook.from_path(str(path))
    try:
        return {
            name: book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in book.sheet_names
        }
    finally:
        book.close()


class LazyWorkbook(dict):
    """Sheets of an open workbook, each read into rows only when first asked for.

    Reading only the sheets merge needs skips the dropdown lists and the instructions.
    """

    def __init__(self, source):
        super().__init__()
        # by content, not by name: an .xlsx renamed .xls is still read
        self._book = CalamineWorkbook.from_filelike(source) if hasattr(source, "read") else CalamineWorkbook.from_path(str(source))
        self.names = list(self._book.sheet_names)

    def __missing__(self, name: str) -> list[list]:
        if name not in self.names:
            raise KeyError(name)
        rows = self._book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        self[name] = rows
        return rows

    def get(self, name, default=None):
        return self[name] if name in self.names else default

    def __contains__(self, name) -> bool:
        return name in self.names

    def __iter__(self):
        return iter(self.names)

    def close(self) -> None:
        self._book.close()


def cell_text(value) -> str:
    """A cell value as stripped text; whole numbers print without '.0', dates as ISO."""
    if type(value) is str:  # the common case, first: this runs for every cell merge reads
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def header_index(row: list, wanted: list[str]) -> dict[str, int]:
    """Column index of each wanted header text found in a header row."""
    found = {}
    for col, value in enumerate(row):
        text = cell_text(value)
        if text in wanted and text not in found:
            found[text] = col
    return found


class FileInUse(TrackerError):
    """The file to replace is open in another program (on Windows, Excel locks the files it has open)."""

    def __init__(self, path: Path):
        super().__init__(f"无法写入“{path}”:该文件可能正在 Excel 或 WPS 中打开。请关闭该文件后重新运行本命令(台账已保存,不受影响)。")
        self.path = path


@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path beside target; on success move it over target.

    A crash or error leaves target as it was, so readers never see half a file.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    os.chmod(tmp, NEW_FILE_MODE)  # mkstemp's 0600 would keep a report from the rest of the office on a shared folder
    try:
        yield Path(tmp)
        try:
            os.replace(tmp, target)
        except PermissionError:  # Windows: the target is open in Excel or WPS
            raise FileInUse(target) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _new_file_mode() -> int:
    umask = os.umask(0o022)  # read once, when the package loads (before any thread): os.umask can only be read by setting it
    os.umask(umask)
    return 0o666 & ~umask


NEW_FILE_MODE = _new_file_mode()  # what open() gives a new file here


def flush_to_disk(path: Path) -> None:
    """Force a written file's bytes, and on POSIX its folder's entry, to the disk: what the ledger is about to point at
    must survive a power cut that the ledger's own commit survives."""
    with open(path, "r+b") as stream:  # Windows flushes only through a handle that may write
        os.fsync(stream.fileno())
    if os.name == "posix":
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def write_text_atomic(target: Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_CELL_LIMIT = 32_767


def is_formula_like(text: str) -> bool:
    """Text a spreadsheet program would run as a formula when typed or opened from CSV (OWASP CSV injection)."""
    return isinstance(text, str) and text.startswith(FORMULA_TRIGGERS)


def csv_safe(value):
    """A CSV cell that Excel opens as text: formula-like text gets a leading apostrophe."""
    return f"'{value}" if is_formula_like(value) else value


def write_excel_csv(target: Path, header: list[str], rows) -> None:
    """A CSV that Excel on Chinese Windows opens as it is: UTF-8 with a BOM, CRLF, formula-like cells as text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([csv_safe(v) for v in row] for row in rows)
    write_text_atomic(target, "\ufeff" + buffer.getvalue())


def excel_text(text: str) -> str:
    """Text fit for one Excel cell: past Excel's limit it is cut, and the cell says so."""
    if len(text) <= EXCEL_CELL_LIMIT:
        return text
    note = f"……(全文 {len(text):,} 字,超过 Excel 单元格上限,此处已截断;全文见台账)"
    return text[: EXCEL_CELL_LIMIT - len(note)] + note


class Formats:
    """Named formats of one xlsxwriter workbook, each with a quote-prefixed twin made on demand.

    Text that starts like a formula is written with the twin: Excel shows it as it is and keeps it text
    even when someone edits the cell and presses Enter.
    """

    def __init__(self, book, props: dict[str, dict]):
        self.book, self.props = book, props
        self._made: dict[tuple[str, bool], object] = {}

    def __getitem__(self, name: str):
        return self._get(name, False)

    def __contains__(self, name: str) -> bool:
        return name in self.props

    def text(self, name: str, text: str):
        return self._get(name, is_formula_like(text))

    def _get(self, name: str, quoted: bool):
        if (name, quoted) not in self._made:
            props = {**self.props[name], "quote_prefix": True} if quoted else self.props[name]
            self._made[(name, quoted)] = self.book.add_format(props)
        return self._made[(name, quoted)]


# ---------------------------------------------------------------- text into a cell, kept as text

_EXCEL_ESCAPE = re.compile(r"_x000[dD]_")  # how a CR is stored in the file; openpyxl gives it back unread
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # a cell cannot hold these (openpyxl refuses them)


def cell_value_text(text) -> str:
    """Text as it is to be written to a cell: line breaks as "\\n" (a CR is stored as "_x000D_" and comes back as that
    literal text in some programs), Excel's CR escape read back, characters a cell cannot hold dropped, at most
    Excel's 32,767 characters."""
    text = _EXCEL_ESCAPE.sub("\r", str(text))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_IN_XML.sub("", text)[:EXCEL_CELL_LIMIT]


def put_text(cell, text) -> None:
    """Write text to an openpyxl cell so that it stays text: line breaks kept, text that starts like a formula stored
    as a string with the quote prefix (shown as typed, never run; still text after the cell is edited). xlsxwriter's
    twin is Formats.text."""
    value = cell_value_text(text)
    cell.value = value or None  # an empty text is an empty cell
    if value:
        cell.data_type = "s"
    quoted = is_formula_like(value)
    if cell.quotePrefix != quoted:
        cell.quotePrefix = quoted


# ---------------------------------------------------------------- a workbook from outside, read within bounds

OUTSIDE_BYTES = 20 * 1024 * 1024  # a roster form or a review sheet is well under 1 MB
OUTSIDE_ROWS, OUTSIDE_COLS = 10_000, 64  # as merge bounds a return: beyond them a reader would build a huge grid
OUTSIDE_SHEET_XML = 64 * 1024 * 1024  # one sheet's XML, inflated
OUTSIDE_TIMEOUT = 60.0
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DECLARED = re.compile(rb"<(?:\w+:)?dimension\s[^>]*?ref\s*=\s*[\"']([^\"']{1,40})[\"']")
_REF = re.compile(rb"\sr\s*=\s*[\"']\$?([A-Za-z]{0,3})\$?(\d{1,9})[\"']")  # of a row (r="7") or a cell (r="K7")
_CELL = re.compile(rb"\$?([A-Za-z]{0,3})\$?(\d{1,9})$")


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> worksheet part, from the workbook and its relationships (each read within a small bound):
    merge's sniffing and the bounded reader of other files both find sheets so."""
    def xml(name: str):
        with archive.open(name) as stream:
            return ElementTree.fromstring(stream.read(1024 * 1024))

    try:
        book, rels = xml("xl/workbook.xml"), xml("xl/_rels/workbook.xml.rels")
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError, ValueError, RuntimeError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_NS_PKG}Relationship")}
    parts = {}
    for sheet in book.iter(f"{_NS}sheet"):
        target = targets.get(sheet.get(f"{_NS_R}id"), "")
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        if part in archive.NameToInfo:
            parts[sheet.get("name", "")] = part
    return parts


def sheet_reach(archive: zipfile.ZipFile, part: str, rows: int = OUTSIDE_ROWS, cols: int = OUTSIDE_COLS) -> str:
    """How far a worksheet reaches beyond rows x cols ('' when within them): the farthest cell it declares or holds
    (a cell such as XFD1048576), or its size when its XML alone is too large. Streamed, before any reader builds
    a grid from it; a declared range may lie either way, so every row and cell reference is looked at."""
    size = archive.getinfo(part).file_size
    if size > OUTSIDE_SHEET_XML:
        return f"{size / 1024 / 1024:,.1f} MB"
    refs: list[tuple[bytes, bytes]] = []
    last_row = last_col = read = 0
    tail = b""
    with archive.open(part) as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            if not read:
                declared = _DECLARED.search(chunk, 0, 8192)
                cell = _CELL.match(declared.group(1).split(b":")[-1]) if declared else None
                refs += [cell.groups()] if cell else []
            read += len(chunk)
            if read > OUTSIDE_SHEET_XML:  # the declared size lied
                return f"{read / 1024 / 1024:,.1f} MB"
            refs += _REF.findall(tail + chunk)
            tail = chunk[-64:]
            for letters, number in refs:
                last_row = max(last_row, int(number))
                last_col = max(last_col, parse_ref(letters.decode().upper() + "1")[1] + 1 if letters else 0)
            refs = []
    if last_row > rows or last_col > cols:
        return f"{column_letter(max(last_col, 1) - 1)}{max(last_row, 1)}"
    return ""


def _read_outside(job: tuple[str, tuple[str, ...] | None]) -> tuple[str, object]:
    """In a worker: ('sheets', {name: rows}) of a workbook, or ('refused', why in Chinese) before any reader saw it."""
    path, wanted = job
    size = os.path.getsize(path)
    if size > OUTSIDE_BYTES:
        return "refused", f"文件有 {size / 1024 / 1024:,.1f} MB,超过 {OUTSIDE_BYTES // 1024 // 1024} MB 的上限"
    with open(path, "rb") as stream:
        data = stream.read(OUTSIDE_BYTES + 1)
    if data[:4] == b"PK\x03\x04":
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
            archive = None  # calamine says what it is
        if archive is not None:
            with archive:
                for name, part in sheet_parts(archive).items():
                    reach = sheet_reach(archive, part) if wanted is None or name in wanted else ""
                    if reach.endswith("MB"):
                        return "refused", f"其中“{name}”表内容过大(解压后 {reach}),像是含有大量空行或格式"
                    if reach:
                        return "refused", f"其中“{name}”表的使用范围延伸到 {reach}(远超正常范围,多为误触键盘或被改动)"
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        return "sheets", {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False)
                          for name in book.sheet_names if wanted is None or name in wanted}
    finally:
        book.close()


def read_outside(path: Path, what: str, sheets: tuple[str, ...] | None = None,
                 timeout: float | None = None) -> dict[str, list[list]]:
    """Every sheet (or the sheets named) of a workbook the office was given or filled in, read as merge reads a
    return: within bounds and in a worker process with a memory limit and a deadline. A file too large, one whose
    sheet reaches far, and one that crashes the reader or takes too long is a TrackerError naming the file and
    saying why, in Chinese; the process goes on. what names the file for the message: 联络员名单, 审核文件, ..."""
    from . import isolate  # here: most callers of this module never start a worker

    name, timeout = Path(path).name, timeout or OUTSIDE_TIMEOUT
    [(_, result)] = list(isolate.run_isolated(_read_outside, [(str(path), sheets)], timeout=timeout))
    if isinstance(result, isolate.Failed):
        raise TrackerError(f"无法读取{what}“{name}”:{_failure(result, timeout)}。请用 Excel/WPS 打开检查后另存为新文件,再重试。")
    kind, value = result
    if kind == "refused":
        raise TrackerError(f"无法读取{what}“{name}”:{value},为免耗尽内存没有读取。"
                           "请在 Excel/WPS 中删除多余或远处单元格的内容(或把需要的内容复制到新工作簿)后另存,再重试。")
    return value


def _failure(failed, timeout: float) -> str:
    if failed.reason == "timeout":
        return f"读取超过 {timeout:g} 秒仍未完成,已停止"
    if failed.reason == "error":  # the reader's own refusal: not a workbook, or a damaged one
        return f"不是可读取的 Excel/WPS 表格(.xlsx/.xls/.ods),或文件已损坏({failed.detail.split(':')[0]})"
    if failed.reason == "memory":
        return "读取所需的内存超过上限,已停止;文件可能含有超大范围的内容"
    return f"读取程序异常退出({failed.detail or failed.reason}),文件可能已损坏或含有超大范围的内容"
