"""Low-level file helpers: reading sheets as rows, atomic writes, cell references."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import unicodedata
from contextlib import contextmanager
from pathlib import Path

from python_calamine import CalamineWorkbook


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


def display_width(text: str) -> int:
    """Columns a text takes on screen: CJK characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


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

    def __init__(self, path: Path):
        super().__init__()
        self._book = CalamineWorkbook.from_path(str(path))
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
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(target: Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
