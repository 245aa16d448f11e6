"""merge on a realistic inbox: one named fixture per defect, each problem asserted in one line."""

import datetime as dt
import re
import shutil
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner

from xlsx_tracker.base import layout
from xlsx_tracker.base.problems import problem_line
from xlsx_tracker.cli import main
from xlsx_tracker.demo.cycle import simulate
from xlsx_tracker.month import ledger
from xlsx_tracker.month.merge import merge
from xlsx_tracker.month.split import split

from ..fields import fields

MONTH = "2024-05"
NOW = dt.datetime(2024, 5, 21, 9, 0)


def first_id(book, index=0):
    return list(simulate.task_rows(book))[index]


def set_meta_unit(book, unit):
    book[layout.META_SHEET]["B1"].value = unit


DEFECTS = {
    # file name: (unit, change)
    "clean_filled.xlsx": ("司法局", None),
    "status_near_miss.xlsx": ("政府办", lambda b: simulate.set_value(b, first_id(b), "进展状态", " 完成 ")),
    "status_pasted_invalid.xlsx": ("区委办", lambda b: simulate.paste_invalid_status(b, first_id(b))),
    "locked_text_edited.xlsx": ("组织部", lambda b: simulate.tamper_locked(b, first_id(b))),
    "row_deleted.xlsx": ("宣传部", lambda b: simulate.delete_row(b, first_id(b))),
    "row_duplicated.xlsx": ("政法委", lambda b: simulate.duplicate_row(b, first_id(b))),
    "row_inserted_without_id.xlsx": ("纪委监委", lambda b: simulate.insert_blank_row(b, first_id(b))),
    "rows_reordered.xlsx": ("人大办", lambda b: simulate.swap_rows(b, first_id(b), first_id(b, 1))),
    "date_typed_as_text.xlsx": ("编办", lambda b: simulate.set_value(b, first_id(b), "预计完成时间", "2024.6.30")),
    "date_not_a_date.xlsx": ("党校", lambda b: simulate.set_value(b, first_id(b), "预计完成时间", "下个月")),
    "phone_stored_as_number.xlsx": ("行政审批局", lambda b: simulate.set_value(b, first_id(b), "联系电话", 13912345678)),
    "phone_with_letters.xlsx": ("大数据中心", lambda b: simulate.set_value(b, first_id(b), "联系电话", "电话待定")),
    "evidence_url_not_a_url.xlsx": ("财政局", lambda b: simulate.add_evidence(b, first_id(b), "新闻", "网页", "见政府网站")),
    "sheet_renamed.xlsx": ("审计局", lambda b: simulate.rename_sheet(b, "Sheet1")),
    "identity_stripped.xlsx": ("统计局", simulate.drop_identity),
    "unit_not_in_registry.xlsx": ("民政局", lambda b: set_meta_unit(b, "气象局")),
    "resubmitted_first.xlsx": ("信访局", None),
    "副本 (2) 信访局_2024-05.xlsx": ("信访局", lambda b: simulate.set_value(b, first_id(b), "进展状态", "已完成")),
    "task_sheet_deleted.xlsx": ("农牧局", lambda b: b.remove(b[layout.TASK_SHEET])),
}


@pytest.fixture(scope="module")
def inbox_case(tmp_path_factory, master, calendar, month_of, filled_return):
    root = tmp_path_factory.mktemp("merge")
    from xlsx_tracker.base.workspace import init_workspace
    workspace = init_workspace(root / "工作区")
    issued = {s.unit: s for s in split(month_of(master, calendar, MONTH, workspace),
                                        issued_at=dt.datetime(2024, 5, 6, 9, 0))}
    april = {s.unit: s for s in split(month_of(master, calendar, "2024-04"), out_dir=root / "april", issued_at=dt.datetime(2024, 4, 8))}
    inbox = root / "收件箱 五月"
    for index, (name, (unit, change)) in enumerate(DEFECTS.items()):  # each unit's workbook filled, then changed by one defect
        filled_return(issued[unit], inbox, name=name, seed=index, defects=[change] if change else [],
                      saved=dt.datetime(2024, 5, 10, 9, 0) if name.startswith("resubmitted_first") else None)
    _rejected_files(inbox, april, filled_return)
    return workspace, inbox, issued


def _rejected_files(inbox, april, filled_return):
    filled_return(april["教育局"], inbox, name="last_month_copy.xlsx", seed=1)
    (inbox / "empty_attachment.xlsx").write_bytes(b"")
    (inbox / "corrupt_download.xlsx").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)
    (inbox / "password_protected.xlsx").write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 200)
    (inbox / "scanned_letter.pdf").write_bytes(b"%PDF-1.4\n%fake\n")
    (inbox / "wps_native.et").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x01" * 600)
    (inbox / "~$clean_filled.xlsx").write_bytes(b"lock")


@pytest.fixture(scope="module")
def merged(inbox_case, master, calendar, month_of):
    workspace, inbox, issued = inbox_case
    result = merge(month_of(master, calendar, MONTH, workspace), inbox, now=NOW)
    return workspace, inbox, result


def problems_of(result, file_name):
    return fields([p for p in result.problems if p.file == file_name], ["code", "sheet", "cell"])


def test_applied_rejected_and_ignored(merged):
    _, _, result = merged
    assert result.ignored == ["~$clean_filled.xlsx"]
    assert result.files_read == 25
    assert len(result.accepted) == 16  # 17 applied defect files for 16 units
    assert result.accepted["信访局"].file_name == "副本 (2) 信访局_2024-05.xlsx"
    assert [s.file_name for s in result.superseded] == ["resubmitted_first.xlsx"]


def test_clean_file_has_no_problems(merged):
    assert problems_of(merged[2], "clean_filled.xlsx") == []


def test_one_line_per_defect(merged):
    r = merged[2]
    assert problems_of(r, "status_near_miss.xlsx") == [["status-normalized", "任务清单", "C3"]]
    assert problems_of(r, "status_pasted_invalid.xlsx") == [["invalid-status", "任务清单", "C3"]]
    assert problems_of(r, "locked_text_edited.xlsx") == [["locked-cell-changed", "任务说明", "D3"]]  # the issued texts are on the reference sheet
    assert problems_of(r, "row_deleted.xlsx") == [["missing-row", "任务清单", ""]]
    assert problems_of(r, "row_duplicated.xlsx") == [["duplicate-row", "任务清单", "A8"]]
    assert problems_of(r, "row_inserted_without_id.xlsx") == [["extra-row", "任务清单", "A3"]]
    assert problems_of(r, "rows_reordered.xlsx") == [["rows-reordered", "任务清单", ""]]
    assert problems_of(r, "date_typed_as_text.xlsx") == [["date-normalized", "任务清单", "G3"]]
    assert problems_of(r, "date_not_a_date.xlsx") == [["invalid-date", "任务清单", "G3"]]
    assert problems_of(r, "phone_stored_as_number.xlsx") == [["phone-as-number", "任务清单", "I3"]]
    assert problems_of(r, "phone_with_letters.xlsx") == [["invalid-phone", "任务清单", "I3"]]
    assert problems_of(r, "evidence_url_not_a_url.xlsx") == [["invalid-url", "证明材料目录", "D9"], ["type-normalized", "证明材料目录", "C9"]]
    assert problems_of(r, "sheet_renamed.xlsx") == [["sheet-renamed", "Sheet1", ""]]
    assert problems_of(r, "identity_stripped.xlsx") == [["identity-fallback", "", ""]]
    assert problems_of(r, "unit_not_in_registry.xlsx") == [["unknown-unit-file", "", ""]]
    assert problems_of(r, "last_month_copy.xlsx") == [["wrong-month", "", ""]]
    assert problems_of(r, "empty_attachment.xlsx") == [["empty-file", "", ""]]
    assert problems_of(r, "corrupt_download.xlsx") == [["corrupt-file", "", ""]]
    assert problems_of(r, "password_protected.xlsx") == [["password-protected", "", ""]]
    assert problems_of(r, "scanned_letter.pdf") == [["material-received", "", ""]]  # a material sent beside, not an error
    assert problems_of(r, "wps_native.et") == [["wps-et-unsupported", "", ""]]
    assert problems_of(r, "resubmitted_first.xlsx") == [["superseded", "", ""]]
    assert problems_of(r, "task_sheet_deleted.xlsx") == [["missing-task-sheet", "", ""]]  # once, not twice


def test_messages_say_what_to_fix(merged):
    r = merged[2]
    [wrong] = [p for p in r.problems if p.code == "wrong-month"]
    assert wrong.message == "这是 2024-04 的表(教育局),不是 2024-05 的,未计入本月。可能是上月文件被重复发送。"
    [invalid] = [p for p in r.problems if p.code == "invalid-status"]
    assert problem_line(invalid) == ("[错误·进展状态无效] status_pasted_invalid.xlsx / 任务清单 / C3:进展状态“基本完成”无效(可能是粘贴绕过了下拉列表),"
                                     "未采用。应为:未启动 / 推进中 / 已完成 / 无此情形(已作说明)。")


def test_not_returned_units(merged):
    not_returned = merged[2].not_returned
    assert len(not_returned) == 16
    # 民政局's only file named an unknown unit, 教育局's was last month's copy, 农牧局's had no task sheet
    assert {"民政局", "教育局", "农牧局", "人民法院"} <= set(not_returned)
    assert "信访局" not in not_returned
    # not returning is the unit's status, not a problem of any file
    assert merged[2].state.unit("人民法院").timeliness_text == "未报送"
    assert [p for p in merged[2].problems if p.unit == "人民法院"] == []


def test_every_valid_value_is_in_the_ledger(merged):
    workspace, inbox, result = merged
    conn = ledger.connect(workspace.ledger_file)
    checked = 0
    for unit, submission in result.accepted.items():
        stored = ledger.row_values(conn, submission.sha256, MONTH)
        path = inbox / submission.file_name
        if path.suffix != ".xlsx":
            continue
        book = openpyxl.load_workbook(path)
        sheet = next(ws for ws in book.worksheets if ws.cell(2, 3).value == "进展状态")
        for row in range(3, sheet.max_row + 1):
            task_id = sheet.cell(row, 1).value
            if task_id not in stored:
                continue
            assert stored[task_id]["本月工作进展"] == sheet.cell(row, simulate.column("本月工作进展")).value, (unit, task_id)
            assert stored[task_id]["责任人"] == sheet.cell(row, simulate.column("责任人")).value
            checked += 1
    assert checked > 150
    def first_row_values(unit):
        submission = result.accepted[unit]
        first = first_id(openpyxl.load_workbook(inbox / submission.file_name))
        return ledger.row_values(conn, submission.sha256, MONTH)[first]
    assert first_row_values("政府办")["进展状态"] == "已完成"  # " 完成 " normalised
    assert first_row_values("编办")["预计完成时间"] == "2024-06-30"  # "2024.6.30" read as a date
    assert first_row_values("区委办")["进展状态"] is None  # the pasted invalid value is not taken
    conn.close()


def test_returned_files_archived_untouched(merged):
    workspace, inbox, result = merged
    conn = ledger.connect(workspace.ledger_file)
    everything = ledger.submissions(conn, MONTH)
    conn.close()
    assert len(everything) == 25  # accepted, superseded and rejected files alike
    [run_zip] = (workspace.archive_dir / MONTH).iterdir()
    assert re.fullmatch(r"20240521-090000-[0-9a-f]{8}\.zip", run_zip.name)  # the run's time and a unique token
    for submission in everything:
        if submission.size == 0:  # an empty attachment has nothing to keep
            assert submission.archive_path == ""
            continue
        zip_path, _, entry = submission.archive_path.rpartition("/")
        assert zip_path == f"archive/2024-05/{run_zip.name}"
        assert entry.startswith(submission.sha256)
        with zipfile.ZipFile(workspace.root / zip_path) as archive:
            assert archive.getinfo(entry).compress_type == zipfile.ZIP_STORED
            assert archive.read(entry) == (inbox / submission.file_name).read_bytes()


def test_rerun_is_idempotent(merged, master, calendar, ledger_dump, month_of):
    workspace, inbox, first = merged
    before = ledger_dump(workspace.ledger_file)
    again = merge(month_of(master, calendar, MONTH, workspace), inbox, now=NOW + dt.timedelta(days=3))
    assert again.new_files == 0
    assert ledger_dump(workspace.ledger_file) == before
    assert [problem_line(p) for p in again.problems] == [problem_line(p) for p in first.problems]


def test_kill_mid_run_leaves_ledger_consistent(tmp_path, inbox_case, master, calendar, monkeypatch, issued_like, ledger_dump, month_of):
    source_ws, inbox, _ = inbox_case
    workspace = issued_like(source_ws, tmp_path / "ws")
    part = tmp_path / "part"
    part.mkdir()
    shutil.copy(inbox / "clean_filled.xlsx", part)
    merge(month_of(master, calendar, MONTH, workspace), part, now=NOW)
    before = ledger_dump(workspace.ledger_file)
    calls = {"n": 0}
    real_record = ledger.record

    def dying_record(conn, item):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("power cut")
        real_record(conn, item)

    monkeypatch.setattr(ledger, "record", dying_record)
    with pytest.raises(KeyboardInterrupt):
        merge(month_of(master, calendar, MONTH, workspace), inbox, now=NOW)
    assert ledger_dump(workspace.ledger_file) == before
    assert len(list((workspace.archive_dir / MONTH).iterdir())) == 1  # the first run's archive only, no temporary file
    monkeypatch.setattr(ledger, "record", real_record)
    finished = merge(month_of(master, calendar, MONTH, workspace), inbox, now=NOW)
    assert len(finished.accepted) == 16


def test_cli_merge_summary_and_exit_codes(inbox_case, tmp_path, issued_like):
    source_ws, inbox, _ = inbox_case
    workspace = issued_like(source_ws, tmp_path / "cli ws")
    runner = CliRunner()
    result = runner.invoke(main, ["-w", str(workspace.root), "merge", "--month", MONTH, str(inbox)])
    assert result.exit_code == 0, result.output
    lines = result.output.split("\n")
    assert lines[0] == "2024-05 汇总完成:收件目录共 26 个文件(含压缩包内的文件),其中新收 25 个,已入账过 0 个,临时文件 1 个(忽略)。"
    assert lines[1].startswith("已采用单位 16 个;未报送单位 16 个:")
    assert lines[2] == "问题:错误 15 条,提醒 3 条,提示 6 条。"
    assert ("  [错误·进展状态无效] status_pasted_invalid.xlsx / 任务清单 / C3:进展状态“基本完成”无效(可能是粘贴绕过了下拉列表),"
            "未采用。应为:未启动 / 推进中 / 已完成 / 无此情形(已作说明)。") in lines
    assert "调度报告:" in result.output
    empty = tmp_path / "empty inbox"
    empty.mkdir()
    nothing = runner.invoke(main, ["-w", str(workspace.root), "merge", "--month", MONTH, str(empty)])
    assert nothing.exit_code == 1
    assert runner.invoke(main, ["-w", str(workspace.root), "merge", str(inbox)]).exit_code == 2


def test_parallel_intake_equals_serial(tmp_path, merged, master, calendar, issued_like, ledger_dump, mask_run, month_of):
    """The worker-process path (used from 64 files on) records exactly what the serial path records."""
    serial_ws, inbox, serial = merged
    workspace = issued_like(serial_ws, tmp_path / "parallel ws")
    parallel = merge(month_of(master, calendar, MONTH, workspace), inbox, now=NOW, workers=2, parallel_threshold=1)
    assert parallel.new_files == serial.new_files == 25
    assert ledger_dump(workspace.ledger_file) == ledger_dump(serial_ws.ledger_file)
    assert [mask_run(problem_line(p)) for p in parallel.problems] == [mask_run(problem_line(p)) for p in serial.problems]


def test_workers_started_the_windows_way(tmp_path, inbox_case, master, calendar, monkeypatch, issued_like, ledger_dump, month_of):
    """Windows has no fork: workers are spawned and get the month's context by pickling. Same records."""
    source_ws, inbox, _ = inbox_case
    part = tmp_path / "part"
    part.mkdir()
    for name in ("clean_filled.xlsx", "status_near_miss.xlsx", "corrupt_download.xlsx"):
        shutil.copy(inbox / name, part)
    forked, spawned = issued_like(source_ws, tmp_path / "forked"), issued_like(source_ws, tmp_path / "spawned")
    merge(month_of(master, calendar, MONTH, forked), part, now=NOW, workers=2, parallel_threshold=1)
    monkeypatch.setenv("XLSX_TRACKER_START_METHOD", "spawn")
    merge(month_of(master, calendar, MONTH, spawned), part, now=NOW, workers=2, parallel_threshold=1)
    assert ledger_dump(spawned.ledger_file) == ledger_dump(forked.ledger_file)


# ---------------------------------------------------------------- which unit and month a file is: when that fails


@pytest.fixture
def fresh_month(tmp_path, inbox_case, issued_like, month_of, master, calendar):
    """The month as issued, nothing merged: (run, issued workbooks, an empty inbox)."""
    source_ws, _, issued = inbox_case
    workspace = issued_like(source_ws, tmp_path / "ws")
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    return month_of(master, calendar, MONTH, workspace), issued, inbox


def remove_guide(book):
    book.remove(book[layout.GUIDE_SHEET])


def set_checksum(book, text):
    book[layout.META_SHEET]["B5"].value = text  # the 标识校验 row of the hidden identity sheet


def test_a_file_that_says_nowhere_whose_it_is(fresh_month, filled_return):
    run, issued, inbox = fresh_month
    filled_return(issued["司法局"], inbox, name="附件1.xlsx", defects=[simulate.drop_identity, remove_guide])
    result = merge(run, inbox, now=NOW)
    assert result.accepted == {}
    assert [(p.code, p.file, p.sheet, p.cell, p.severity, p.message) for p in result.problems if p.file == "附件1.xlsx"] == [
        ("unidentified-file", "附件1.xlsx", "", "", "error",
         "无法识别是哪个单位、哪个月的表(隐藏标识、文档属性、填报说明和文件名都不可用)。请让报送单位使用下发的工作簿。")]


def test_an_identity_that_does_not_match_its_checksum(fresh_month, filled_return):
    run, issued, inbox = fresh_month
    filled_return(issued["司法局"], inbox, defects=[lambda book: set_checksum(book, "0" * 16)])
    result = merge(run, inbox, now=NOW)
    assert list(result.accepted) == ["司法局"]  # said, not refused: the office checks where it came from
    assert [(p.code, p.file, p.sheet, p.cell, p.unit, p.severity, p.message) for p in result.problems] == [
        ("identity-tampered", "司法局_2024-05.xlsx", "_meta", "", "司法局", "error", "隐藏标识表的内容与校验值不符,可能被改动过。请核实该文件来源。")]
