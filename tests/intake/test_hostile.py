"""One hostile month: every file that fights back, in one inbox, merged in one batch.

Each fixture holds one defect and is named by it (see hostile.py). The batch must end normally, keep
every valid value, name every defect with its cell, and archive what it received, and nothing else.
"""

import csv
import datetime as dt
import os
import shutil
import subprocess
import sys
import zipfile

import openpyxl
import pytest

from xlsx_tracker.base import layout
from xlsx_tracker.base.workspace import init_workspace
from xlsx_tracker.demo import simulate
from xlsx_tracker.demo.cycle import stamp_saved
from xlsx_tracker.intake import reader as intake
from xlsx_tracker.month import ledger
from xlsx_tracker.month.merge import merge
from xlsx_tracker.month.split import split
from xlsx_tracker.outputs.report import build_details

from ..fields import fields
from . import hostile

MONTH = "2024-05"
NOW = dt.datetime(2024, 5, 21, 9, 0)
GIB = 1024 ** 3


def statuses_of(path):
    """The statuses a saved workbook holds: task id -> 进展状态."""
    book = openpyxl.load_workbook(path)
    sheet = book[layout.TASK_SHEET]
    return {tid: sheet.cell(row, simulate.column("进展状态")).value for tid, row in simulate.task_rows(book).items()}


def filling(filled_return, issued):
    """filled(unit, folder, seed=0): a unit's workbook filled by simulate, and the statuses it holds (task id -> status)."""
    def filled(unit, folder, seed=0):
        path = filled_return(issued[unit], folder, name=f"{unit}_{seed}.xlsx", seed=seed)
        return path, statuses_of(path)
    return filled


@pytest.fixture(scope="module")
def hostile_month(tmp_path_factory, master, calendar, month_of, filled_return):
    root = tmp_path_factory.mktemp("hostile")
    workspace = init_workspace(root / "工作区")
    run = month_of(master, calendar, MONTH, workspace)
    filled = filling(filled_return, {s.unit: s for s in split(run, issued_at=dt.datetime(2024, 5, 6, 9))})
    inbox, src = root / "收件箱", root / "src"
    inbox.mkdir()
    expected = {}  # inbox name -> statuses every row must have in the ledger

    def make(name, unit, build=None, seed=0):
        path, statuses = filled(unit, src, seed)
        target = inbox / name
        build(path, target) if build else shutil.copy(path, target)
        expected[name] = statuses
        return target

    make("far_cell.xlsx", "政府办", hostile.far_cell)
    make("far_cell_lying_dimension.xlsx", "区委办", hostile.far_cell_lying_dimension)
    make("sheet_inflates_to_1gib.xlsx", "组织部", lambda s, d: hostile.inflating_part(s, d, hostile.task_sheet_part(s), GIB))
    make("shared_strings_inflate.xlsx", "宣传部", lambda s, d: hostile.inflating_part(s, d, "xl/sharedStrings.xml", 300 << 20))
    make("properties_inflate.xlsx", "政法委", lambda s, d: hostile.inflating_part(s, d, "docProps/custom.xml", 300 << 20))
    make("properties_2mb.xlsx", "纪委监委", lambda s, d: hostile.inflating_part(s, d, "docProps/custom.xml", 2 << 20))
    make("million_empty_rows.xlsx", "人大办", lambda s, d: hostile.many_empty_rows(s, d, 1_048_000))
    make("formula_cells.xlsx", "编办", hostile.formula_cells)
    make("header_retyped.xlsx", "党校", hostile.header_retyped)
    make("long_text.xlsx", "司法局", hostile.long_text)
    make("saved_year_9999.xlsx", "行政审批局", lambda s, d: hostile.saved_time(s, d, "9999-12-31T23:59:59Z"))
    make("saved_before_issue.xlsx", "大数据中心", lambda s, d: hostile.saved_time(s, d, "2001-01-01T00:00:00Z"))
    make("xlsx_renamed.xls", "发展和改革委员会")
    path, expected["gbk"] = filled("财政局", src)
    hostile.gbk_bytes_name(inbox, "财政局报表", path)
    _zip_attachment(filled, src, inbox, expected)
    hostile.zip_bomb(inbox / "压缩炸弹.zip", "数据.xlsx", GIB)
    unique(hostile.fake_pdf(inbox / "通知.pdf"))
    hostile.fake_docx(inbox / "情况说明.docx")
    unique(hostile.fake_jpg(inbox / "现场照片.jpg"))
    outside, _ = filled("民政局", root / "收件箱以外")
    hostile.inbox_links(inbox, outside)
    hostile.directory_named_like_file(inbox)
    make("unreadable.xlsx", "信访局")
    make("reader_dies.xlsx", "卫生健康委员会")
    _identity_conflict_and_tie(filled, src, inbox, expected)
    make("=1+1.xlsx", "住房和城乡建设局")
    unique(hostile.fake_pdf(inbox / "@SUM(1).pdf"))
    make("task_sheet_named_formula.xlsx", "城市管理局", lambda s, d: hostile.rename_sheet(s, d, layout.TASK_SHEET, "=1+1"))
    (inbox / "~$far_cell.xlsx").write_bytes(b"lock")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(intake, "read_bytes", _no_permission_for("unreadable.xlsx", intake.read_bytes))
        patch.setattr(intake, "read_data", _native_crash_for("reader_dies.xlsx", intake.read_data))
        result = merge(run, inbox, now=NOW, workers=2)
    return workspace, inbox, result, expected


def unique(path):
    """Different bytes for each material: identical bytes are one file to the ledger, whatever their names."""
    path.write_bytes(path.read_bytes() + path.name.encode())
    return path


def _native_crash_for(name, real):
    """The reader aborts the process on one file, as calamine does on a grid it cannot allocate."""
    def read(data, item_name, modified=None):
        if item_name == name:
            os.abort()
        return real(data, item_name, modified)
    return read


def _no_permission_for(name, real):
    """Permission denied on one file, as for a user without rights (tests run as root, who has them all)."""
    def read(item, cap):
        if item.name == name:
            raise PermissionError(13, "Permission denied")
        return real(item, cap)
    return read if os.geteuid() == 0 else real


def _zip_attachment(filled, src, inbox, expected):
    audit, expected["审计局材料.zip/审计局/审计局_2024-05.xlsx"] = filled("审计局", src)
    stats, expected["审计局材料.zip/../逃逸.xlsx"] = filled("统计局", src)
    hostile.gbk_zip(inbox / "审计局材料.zip", {
        "审计局/审计局_2024-05.xlsx": audit.read_bytes(),
        "审计局/通知.pdf": hostile.fake_pdf(src / "p.pdf").read_bytes(),
        "材料/深层/照片.jpg": hostile.fake_jpg(src / "j.jpg").read_bytes(),
        "../逃逸.xlsx": stats.read_bytes(),
    })


def _identity_conflict_and_tie(filled, src, inbox, expected):
    genuine, expected["公安分局_2024-05.xlsx"] = filled("公安分局", src, seed=1)
    shutil.copy(genuine, inbox / "公安分局_2024-05.xlsx")
    stamp_saved(inbox / "公安分局_2024-05.xlsx", dt.datetime(2024, 5, 18, 9))
    other, _ = filled("公安分局", src, seed=2)
    shutil.copy(other, inbox / "教育局_2024-05.xlsx")  # 公安分局's workbook, sent under 教育局's name, saved later
    stamp_saved(inbox / "教育局_2024-05.xlsx", dt.datetime(2024, 5, 19, 9))
    for seed, name in ((3, "民政局_2024-05.xlsx"), (4, "民政局_2024-05 (2).xlsx")):
        path, _ = filled("民政局", src, seed=seed)
        shutil.copy(path, inbox / name)
        stamp_saved(inbox / name, dt.datetime(2024, 5, 17, 15, 30))


def problems_of(result, name):
    return fields([p for p in result.problems if p.file == name], ["code", "sheet", "cell"])


EXPECTED_PROBLEMS = {
    "far_cell.xlsx": [["far-content", "任务清单", "XFD1048576"]],
    "far_cell_lying_dimension.xlsx": [["far-content", "任务清单", "XFD1048576"]],  # the XML is scanned, not the declared range trusted
    "reader_dies.xlsx": [["reader-crashed", "", ""]],
    "sheet_inflates_to_1gib.xlsx": [["content-too-large", "", ""]],
    "shared_strings_inflate.xlsx": [["content-too-large", "", ""]],
    "properties_inflate.xlsx": [["content-too-large", "", ""]],
    "properties_2mb.xlsx": [["oversized-properties", "", ""]],
    "million_empty_rows.xlsx": [["bloated-sheet", "任务清单", ""]],
    "formula_cells.xlsx": [["formula-cell", "任务清单", "C3"], ["formula-no-value", "任务清单", "D4"]],
    "header_retyped.xlsx": [["header-renamed", "任务清单", "C2"]],
    "long_text.xlsx": [["text-too-long", "任务清单", "D3"]],
    "saved_year_9999.xlsx": [["saved-time-untrusted", "", ""]],
    "saved_before_issue.xlsx": [["saved-time-untrusted", "", ""]],
    "xlsx_renamed.xls": [["extension-mismatch", "", ""]],
    "财政局报表.xlsx": [],
    "审计局材料.zip": [],
    "审计局材料.zip/审计局/审计局_2024-05.xlsx": [],
    "审计局材料.zip/审计局/通知.pdf": [["material-received", "", ""]],
    "审计局材料.zip/材料/深层/照片.jpg": [["material-received", "", ""]],
    "审计局材料.zip/../逃逸.xlsx": [],
    "压缩炸弹.zip": [["zip-too-large", "", ""]],
    "通知.pdf": [["material-received", "", ""]],
    "情况说明.docx": [["material-received", "", ""]],
    "现场照片.jpg": [["material-received", "", ""]],
    "链接到外部.xlsx": [["link-outside-inbox", "", ""]],
    "失效链接.xlsx": [["dangling-link", "", ""]],
    "unreadable.xlsx": [["unreadable-file", "", ""]],
    "公安分局_2024-05.xlsx": [],
    "教育局_2024-05.xlsx": [["identity-conflict", "", ""], ["superseded", "", ""]],
    "民政局_2024-05 (2).xlsx": [["superseded", "", ""], ["resubmission-tie", "", ""]],
    "民政局_2024-05.xlsx": [],
    "=1+1.xlsx": [],
    "@SUM(1).pdf": [["material-received", "", ""]],
    "task_sheet_named_formula.xlsx": [["sheet-renamed", "=1+1", ""]],
}


def test_the_batch_ends_normally_and_names_every_defect(hostile_month):
    _, _, result, _ = hostile_month
    found = {name: problems_of(result, name) for name in EXPECTED_PROBLEMS}
    assert found == EXPECTED_PROBLEMS
    assert {p.file for p in result.problems} <= set(EXPECTED_PROBLEMS)
    assert result.ignored == ["~$far_cell.xlsx"]
    assert result.files_read == len(EXPECTED_PROBLEMS)  # every entry of the inbox, the zip's members included


def test_every_valid_value_is_in_the_ledger(hostile_month):
    workspace, _, result, expected = hostile_month
    applied = {s.file_name: s for s in _submissions(workspace) if s.outcome == "applied"}
    checked = 0
    for name, statuses in expected.items():
        if name not in applied:
            continue
        stored = _stored(workspace, applied[name])
        if name == "formula_cells.xlsx":
            statuses = {**statuses, next(iter(statuses)): "已完成"}  # J3's formula gives 已完成
        assert {tid: v["进展状态"] for tid, v in stored.items()} == statuses, name
        checked += 1
    assert checked == 15
    gbk = next(s for s in applied.values() if s.unit == "财政局")
    assert gbk.file_name == "财政局报表.xlsx"  # raw GBK bytes in the name, shown readably
    assert {tid: v["进展状态"] for tid, v in _stored(workspace, gbk).items()} == expected["gbk"]


def test_formula_without_value_is_kept_as_text_and_long_text_whole(hostile_month, master):
    workspace, _, result, _ = hostile_month
    row4 = master.assignments_for("编办")[1].task_id  # Excel row 4: the second task
    assert _stored(workspace, result.accepted["编办"])[row4]["本月工作进展"] == '=A4&"项进展"'
    row3 = master.assignments_for("司法局")[0].task_id
    assert _stored(workspace, result.accepted["司法局"])[row3]["本月工作进展"] == hostile.long_text_value()


def test_long_text_is_cut_in_the_report_and_says_so(hostile_month, master, calendar, month_of):
    workspace, _, result, _ = hostile_month
    path = build_details(month_of(master, calendar, MONTH, workspace), result.state)
    sheet = openpyxl.load_workbook(path)["任务明细"]
    [cell] = [r[5] for r in sheet.iter_rows(min_row=3) if r[2].value == "司法局" and r[5].value and len(r[5].value) > 30000]
    assert len(cell.value) == 32_767
    assert cell.value.endswith("……(全文 40,000 字,超过 Excel 单元格上限,此处已截断;全文见台账)")


def test_resubmissions_decided_as_said(hostile_month):
    _, _, result, _ = hostile_month
    assert result.accepted["公安分局"].file_name == "公安分局_2024-05.xlsx"  # the conflicting later file did not replace it
    assert "教育局" in result.not_returned  # a file named for 教育局 holding 公安分局's workbook is not 教育局's return
    assert result.accepted["民政局"].file_name == "民政局_2024-05.xlsx"  # a tie: decided by file name order, and said so
    [tie] = [p for p in result.problems if p.code == "resubmission-tie"]
    assert tie.message.startswith(f"同一单位的“{result.accepted['民政局'].file_name}”与本文件下发时间、保存时间都相同,无法判断哪份在后")
    assert "较新" not in tie.message


def test_nothing_unreadable_is_archived_and_nothing_written_outside(hostile_month):
    workspace, inbox, _, _ = hostile_month
    subs = {s.file_name: s for s in _submissions(workspace)}
    for name in ("链接到外部.xlsx", "失效链接.xlsx", "unreadable.xlsx"):
        assert subs[name].archive_path == "", name
    [archive] = (workspace.archive_dir / MONTH).iterdir()
    with zipfile.ZipFile(archive) as stored:
        entries = set(stored.namelist())
    for sub in subs.values():
        if sub.archive_path:
            assert sub.archive_path.rpartition("/")[2] in entries
    assert subs["审计局材料.zip"].outcome == "container" and subs["审计局材料.zip"].archive_path
    assert not list(inbox.parent.rglob("逃逸.xlsx"))


def test_injection_is_neutralised_in_the_csv_and_the_report(hostile_month, master, calendar, month_of):
    workspace, _, result, _ = hostile_month
    with open(result.problems_path, encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    files, sheets = {r[3] for r in rows[1:]}, {r[4] for r in rows[1:]}
    assert "'@SUM(1).pdf" in files and "@SUM(1).pdf" not in files
    assert "'=1+1" in sheets and "=1+1" not in sheets
    path = build_details(month_of(master, calendar, MONTH, workspace), result.state)
    problems = openpyxl.load_workbook(path)["校验问题"]
    [cell] = [r[4] for r in problems.iter_rows(min_row=3) if r[4].value == "=1+1"]
    assert cell.data_type == "s" and cell.quotePrefix is True  # shown as typed, stays text when edited


def test_peak_memory_of_a_month_with_bombs(hostile_month, tmp_path, issued_like):
    """The whole merge command, workers included, stays under 500 MB on an inbox holding every bomb."""
    source, inbox, _, _ = hostile_month
    workspace = issued_like(source, tmp_path / "ws")
    bombs = tmp_path / "bombs"
    bombs.mkdir()
    for name in ("far_cell.xlsx", "far_cell_lying_dimension.xlsx", "sheet_inflates_to_1gib.xlsx", "shared_strings_inflate.xlsx",
                 "properties_inflate.xlsx", "million_empty_rows.xlsx", "压缩炸弹.zip"):
        shutil.copy(inbox / name, bombs / name)
    process = subprocess.Popen([sys.executable, "-m", "xlsx_tracker", "-w", str(workspace.root), "merge", "--month", MONTH,
                                "--no-report", str(bombs)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    output = process.stdout.read().decode()
    peak = usage.ru_maxrss / 1024  # KiB -> MiB; the largest process of the tree
    print(f"peak memory of a merge of {len(os.listdir(bombs))} bomb files: {peak:.0f} MiB")
    assert os.waitstatus_to_exitcode(status) == 0, output + process.stderr.read().decode()
    assert peak < 500
    assert "收件目录共 7 个文件" in output


def _submissions(workspace):
    conn = ledger.connect(workspace.ledger_file)
    try:
        return ledger.submissions(conn, MONTH)
    finally:
        conn.close()


def _stored(workspace, submission):
    conn = ledger.connect(workspace.ledger_file)
    try:
        return ledger.row_values(conn, submission.sha256, MONTH)
    finally:
        conn.close()
