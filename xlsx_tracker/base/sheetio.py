"""Low-level file helpers: reading sheets as rows, atomic writes, cell references."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import tempfile
import unicodedata
from contextlib import contextmanager
from pathlib import Path

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


def wrapped_height(text: str, width: float, font_size: float = 10) -> float:
    """Points needed for text wrapped in a column of the given width (capped at Excel's 409): Excel does not
    autofit the rows xlsxwriter writes, so a cell of long text would print cut."""
    per_line = max(width * 1.15 * 11 / font_size, 4)
    lines = sum(max(1, -(-display_width(part) // per_line)) for part in str(text).split("\n"))
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
    try:
        yield Path(tmp)
        try:
            os.replace(tmp, target)
        except PermissionError:  # Windows: the target is open in Excel or WPS
            raise FileInUse(target) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
