"""sheetio on plain data: cell references both ways, cell values as text, widths and heights for Chinese text,
sheets read with their positions kept, atomic writes, and CSV and cell text safe for Excel."""

import datetime as dt
import os

import openpyxl
import pytest

from xlsx_tracker.base import sheetio
from xlsx_tracker.base.sheetio import (
    EXCEL_CELL_LIMIT,
    FileInUse,
    Formats,
    LazyWorkbook,
    atomic_path,
    cell_ref,
    cell_text,
    column_letter,
    csv_safe,
    display_width,
    excel_text,
    header_index,
    is_formula_like,
    parse_ref,
    read_workbook,
    wrapped_height,
    write_excel_csv,
    write_text_atomic,
)

# ---------------------------------------------------------------- references


@pytest.mark.parametrize(("col", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"), (52, "BA"), (701, "ZZ"), (702, "AAA"),
                                              (16383, "XFD")])
def test_column_letters(col, letters):
    assert column_letter(col) == letters


@pytest.mark.parametrize(("row", "col", "ref"), [(0, 0, "A1"), (6, 10, "K7"), (1048575, 16383, "XFD1048576")])
def test_references_both_ways(row, col, ref):
    assert cell_ref(row, col) == ref
    assert parse_ref(ref) == (row, col)


def test_a_reference_in_lower_case_is_read():
    assert parse_ref("xfd1048576") == (1048575, 16383)


# ---------------------------------------------------------------- values as text


@pytest.mark.parametrize(("value", "text"), [
    ("  推进中 \n", "推进中"),
    (None, ""),
    (21.0, "21"),  # a whole number stored as float prints as typed
    (21.5, "21.5"),
    (-0.0, "0"),
    (13912345678, "13912345678"),
    (dt.datetime(2024, 6, 30), "2024-06-30"),  # a date at midnight is a date
    (dt.datetime(2024, 6, 30, 8, 5), "2024-06-30 08:05:00"),
    (dt.date(2024, 6, 30), "2024-06-30"),
    (True, "True"),
])
def test_cell_text(value, text):
    assert cell_text(value) == text


def test_header_index_takes_the_first_of_each_wanted_header():
    row = [None, " 编号 ", "进展状态", "备注", "编号", 5.0]
    assert header_index(row, ["编号", "进展状态", "预计完成时间"]) == {"编号": 1, "进展状态": 2}


# ---------------------------------------------------------------- widths and heights


@pytest.mark.parametrize(("text", "width"), [("", 0), ("abc", 3), ("司法局", 6), ("司法局ab", 8), ("\uff08一\uff09", 6), ("ｗ", 2)])
def test_display_width_counts_wide_characters_twice(text, width):
    assert display_width(text) == width


def test_wrapped_height_by_lines():
    # a column 10 wide holds 12.65 wide units at 10 pt: 40 characters of 2 units take 7 lines of 13.5 pt, plus 4
    assert wrapped_height("法" * 40, 10) == 98.5
    assert wrapped_height("甲\n乙", 10) == 31.0  # each line of the text starts a new one
    assert wrapped_height("", 10) == 17.5  # an empty cell is still one line


def test_wrapped_height_is_capped_at_excels_limit():
    assert wrapped_height("法" * 10_000, 10) == 409


# ---------------------------------------------------------------- sheets as rows


@pytest.fixture
def workbook_with_gaps(tmp_path):
    """A workbook whose first row and column are empty, a number stored as float and a date: positions must hold."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "任务清单"
    sheet["B2"], sheet["C2"], sheet["A3"], sheet["D3"] = "编号", 21, 3.5, dt.datetime(2024, 6, 30)
    book.create_sheet("填报说明")["A1"] = "请从下拉列表选择"
    path = tmp_path / "有空行空列.xlsx"
    book.save(path)
    return path


def test_read_workbook_keeps_positions(workbook_with_gaps):
    assert read_workbook(workbook_with_gaps) == {
        "任务清单": [["", "", "", ""], ["", "编号", 21.0, ""], [3.5, "", "", dt.date(2024, 6, 30)]],
        "填报说明": [["请从下拉列表选择"]],
    }


def test_a_lazy_workbook_reads_a_sheet_only_when_asked(workbook_with_gaps):
    book = LazyWorkbook(workbook_with_gaps)
    try:
        assert book.names == ["任务清单", "填报说明"] and list(book) == ["任务清单", "填报说明"]
        assert dict(book.items()) == {}  # nothing read yet
        assert book["填报说明"] == [["请从下拉列表选择"]]
        assert list(dict(book.items())) == ["填报说明"]  # only the sheet asked for
        assert "任务清单" in book and "联络员" not in book
        assert book.get("联络员", "无此表") == "无此表"
        with pytest.raises(KeyError):
            book["联络员"]
    finally:
        book.close()


def test_a_lazy_workbook_reads_from_an_open_file(workbook_with_gaps):
    with open(workbook_with_gaps, "rb") as stream:
        book = LazyWorkbook(stream)
        try:
            assert book.get("任务清单")[1] == ["", "编号", 21.0, ""]
        finally:
            book.close()


# ---------------------------------------------------------------- atomic writes


def test_atomic_path_replaces_the_target_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "报表" / "调度报告.xlsx"  # the folder is made
    with atomic_path(target) as tmp:
        assert tmp.parent == target.parent and tmp.name.startswith(".tmp-") and tmp.suffix == ".xlsx"
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["调度报告.xlsx"]


def test_a_failed_write_leaves_the_target_as_it_was(tmp_path):
    target = tmp_path / "台账.csv"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="disk full"), atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("disk full")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["台账.csv"]


def test_a_target_open_in_excel_is_named_in_chinese(tmp_path, monkeypatch):
    target = tmp_path / "调度报告.xlsx"
    target.write_bytes(b"old")

    def locked(source, destination):
        raise PermissionError(13, "The process cannot access the file because it is being used by another process")
    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(FileInUse) as refused:
        write_text_atomic(target, "new")
    assert str(refused.value) == f"无法写入“{target}”:该文件可能正在 Excel 或 WPS 中打开。请关闭该文件后重新运行本命令(台账已保存,不受影响)。"
    assert refused.value.path == target
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["调度报告.xlsx"]


# ---------------------------------------------------------------- safe for Excel


@pytest.mark.parametrize(("text", "formula"), [("=1+1", True), ("+86 471", True), ("-", True), ("@SUM(1)", True), ("\t缩进", True),
                                               ("\r", True), ("进展 = 50%", False), ("", False), (13, False), (None, False)])
def test_formula_like_text(text, formula):
    assert is_formula_like(text) is formula


def test_csv_safe_quotes_only_formula_like_text():
    assert [csv_safe(v) for v in ["=HYPERLINK(\"http://evil.example/\")", "司法局", 3, None]] == [
        "'=HYPERLINK(\"http://evil.example/\")", "司法局", 3, None]


def test_an_excel_csv_has_a_bom_crlf_and_neutralised_formulas(tmp_path):
    path = tmp_path / "问题清单.csv"
    write_excel_csv(path, ["单位", "说明"], [["司法局", "=1+1"], ["政府办", "含,逗号与\"引号\""]])
    assert path.read_bytes() == "\ufeff单位,说明\r\n司法局,'=1+1\r\n政府办,\"含,逗号与\"\"引号\"\"\"\r\n".encode()


def test_excel_text_is_whole_up_to_the_limit():
    assert excel_text("字" * EXCEL_CELL_LIMIT) == "字" * EXCEL_CELL_LIMIT


def test_excel_text_past_the_limit_is_cut_and_says_so():
    cut = excel_text("字" * 40_000)
    note = "……(全文 40,000 字,超过 Excel 单元格上限,此处已截断;全文见台账)"
    assert len(cut) == EXCEL_CELL_LIMIT
    assert cut == "字" * (EXCEL_CELL_LIMIT - len(note)) + note


class RecordingBook:
    """Stands in for an xlsxwriter workbook: records the formats asked for."""

    def __init__(self):
        self.made = []

    def add_format(self, props):
        self.made.append(props)
        return f"format {len(self.made)}"


def test_formats_are_made_once_and_formula_like_text_gets_a_quoted_twin():
    book = RecordingBook()
    formats = Formats(book, {"cell": {"border": 1}})
    assert (formats["cell"], formats["cell"], formats.text("cell", "推进中")) == ("format 1", "format 1", "format 1")
    assert formats.text("cell", "=1+1") == "format 2"
    assert formats.text("cell", "@SUM(1)") == "format 2"
    assert book.made == [{"border": 1}, {"border": 1, "quote_prefix": True}]
    assert "cell" in formats and "title" not in formats


def test_the_limit_is_excels():
    assert sheetio.EXCEL_CELL_LIMIT == 32_767
