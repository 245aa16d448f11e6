"""审核销号 against hostile or careless files: a review workbook with one stray cell at XFD1048576 or a range declared
that far, or one that is no workbook at all, is an error naming it — nothing recorded, the process going on — and
the materials copied out for review keep names Windows can open: no device names, no name too long, and two
different files never under one name."""

import datetime as dt
import hashlib
import re
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner

from xlsx_tracker.base.filenames import NAME_BYTES
from xlsx_tracker.cli import main
from xlsx_tracker.master.tasklist import load_master_or_fail
from xlsx_tracker.month import ledger
from xlsx_tracker.month.merge import merge
from xlsx_tracker.month.split import split
from xlsx_tracker.outputs.review import MATERIAL_NAME_UNITS, review_sheet

MONTH, UNIT = "2024-06", "司法局"
LONG_CHINESE = "关于规章备案的通知" + "的补充说明" * 60 + ".pdf"  # 309 characters, 925 bytes of UTF-8
LONG_ASCII = "notice-" + "a" * 300 + ".pdf"
DEVICES = ["PRN.pdf", "prn.pdf", "nul.pdf", "com1.pdf", "aux.pdf"]
TITLES = ["关于规章备案的通知", "notice-", "PRN", "prn", "nul", "com1", "aux"]


def veto(task_id):
    return str(task_id).startswith("否决")


@pytest.fixture
def june(workspace, calendar, month_of, filled_return):
    """司法局 claims 21 done, its 证明材料目录 naming materials sent as device names and, in a zip, with long names."""
    run = month_of(load_master_or_fail(workspace), calendar, MONTH, workspace)
    [issued] = split(run, units=[UNIT], issued_at=dt.datetime(2024, 6, 3, 9))
    inbox = workspace.root / "inbox" / MONTH / f"{MONTH}-14"
    filled_return(issued, inbox, fill=False,
                  statuses=lambda t: "未发生" if veto(t) else "已完成" if t in ("21", "22") else "推进中",
                  values=lambda t: None if veto(t) else {"本月工作进展": f"{t} 本月进展"},
                  evidence=[("21", title, "正式文件(PDF)", "http://www.example.gov.cn/21.html") for title in TITLES],
                  saved=dt.datetime(2024, 6, 14, 9))
    for name in DEVICES:
        (inbox / name).write_bytes(f"%PDF-1.4 {name}".encode())
    with zipfile.ZipFile(inbox / "材料.zip", "w") as archive:
        for name in (LONG_CHINESE, LONG_ASCII):
            archive.writestr(name, f"%PDF-1.4 {name[:10]}".encode())
    state = merge(run, workspace.root / "inbox" / MONTH, now=dt.datetime(2024, 6, 14, 18)).state
    return run, state


def tree(root):
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def review(workspace, *args):
    return CliRunner().invoke(main, ["-w", str(workspace.root), "review", "--month", MONTH, *args])


def recorded(workspace):
    conn = ledger.connect(workspace.ledger_file)
    try:
        return conn.execute("SELECT unit, task_id, decision FROM reviews").fetchall()
    finally:
        conn.close()


# ---------------------------------------------------------------- the materials' names

def test_device_names_long_names_and_one_name_twice_are_copied_under_safe_distinct_names(june):
    run, state = june
    written = review_sheet(run, state)
    root = run.workspace.month_reports(MONTH) / "审核材料"
    copied = tree(root)
    names = [path.split("/", 1)[1] for path in copied]
    assert {path.split("/")[0] for path in copied} == {"21_司法局"}
    assert sorted(n for n in names if n.startswith("_")) == ["_PRN.pdf", "_aux.pdf", "_com1.pdf", "_nul.pdf", "_prn(2).pdf"]
    assert sorted(n for n in names if not n.startswith("_")) == [  # cut, the extension kept
        "notice-" + "a" * 109 + ".pdf", "关于规章备案的通知" + "的补充说明" * 13 + "的补充说.pdf"]
    assert all(len(n) <= MATERIAL_NAME_UNITS and len(n.encode("utf-8")) <= NAME_BYTES for n in names)
    sent = {f"%PDF-1.4 {name}".encode() for name in DEVICES} | {f"%PDF-1.4 {name[:10]}".encode() for name in (LONG_CHINESE, LONG_ASCII)}
    assert sorted(copied.values()) == sorted(hashlib.sha256(data).hexdigest() for data in sent)  # seven files, seven names
    assert (written.folders, written.files, written.missing) == (1, 7, [])
    row = next(r for r in openpyxl.load_workbook(written.path)["审核"].iter_rows(min_row=3) if r[1].value == "21")
    assert row[6].hyperlink.target == "审核材料\\21_司法局"
    assert LONG_CHINESE in row[6].value and "PRN.pdf" in row[6].value  # the sheet names the files as they were sent
    review_sheet(run, state)
    assert tree(root) == copied  # rebuilt: the same names for the same files


# ---------------------------------------------------------------- the review workbook fighting back

FAR = ("错误:无法读取审核文件“审核_2024-06.xlsx”:其中“审核”表的使用范围延伸到 XFD1048576(远超正常范围,多为误触键盘或被改动),"
       "为免耗尽内存没有读取。请在 Excel/WPS 中删除多余或远处单元格的内容(或把需要的内容复制到新工作簿)后另存,再重试。")


def decided_with_a_far_cell(run, state):
    written = review_sheet(run, state)
    book = openpyxl.load_workbook(written.path)
    for row in book["审核"].iter_rows(min_row=3):
        row[7].value, row[9].value = "通过", "张审核"
    book["审核"].cell(1048576, 16384).value = "x"  # one stray cell at XFD1048576
    book.save(written.path)
    return written.path


def test_a_review_file_with_a_stray_cell_at_xfd1048576_is_an_error_and_nothing_is_recorded(june):
    run, state = june
    path = decided_with_a_far_cell(run, state)
    result = review(run.workspace, "--apply", str(path))
    assert (result.exit_code, result.output) == (1, FAR + "\n")
    assert recorded(run.workspace) == []


def test_review_again_over_such_a_file_stops_unless_forced(june):
    run, state = june
    path = decided_with_a_far_cell(run, state)
    again = review(run.workspace)
    assert again.exit_code == 1
    assert again.output == (FAR + "该文件中可能有已填写的审核结果,审核表没有重新生成;"
                            "确定不要其中的审核结果时,加 --force 重新生成空白审核表。\n")
    forced = review(run.workspace, "--force")
    assert forced.exit_code == 0, forced.output
    assert openpyxl.load_workbook(path)["审核"].max_column == 10  # a fresh sheet


def test_a_review_sheet_whose_declared_range_reaches_far_is_refused(june):
    run, state = june
    path = review_sheet(run, state).path
    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    parts["xl/worksheets/sheet1.xml"] = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"',
                                               parts["xl/worksheets/sheet1.xml"])
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    result = review(run.workspace, "--apply", str(path))
    assert (result.exit_code, result.output) == (1, FAR + "\n")


def test_a_review_file_that_is_no_workbook_is_an_error_naming_it(june, tmp_path):
    run, _ = june
    path = tmp_path / "审核_2024-06.xlsx"
    path.write_bytes(b"PK\x03\x04 truncated")
    result = review(run.workspace, "--apply", str(path))
    assert result.exit_code == 1
    assert result.output.startswith("错误:无法读取审核文件“审核_2024-06.xlsx”:不是可读取的 Excel/WPS 表格(.xlsx/.xls/.ods),或文件已损坏(")
    assert result.output.endswith(")。请用 Excel/WPS 打开检查后另存为新文件,再重试。\n")
    assert recorded(run.workspace) == []
