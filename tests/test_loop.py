"""Closing the loop with every unit: roster, receipts, reminders, a dry run and the file list."""

import datetime as dt
import email
import hashlib
import random
import shutil
import zipfile

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner
from conftest import month_of

from xlsx_tracker.base.model import Problems
from xlsx_tracker.base.workspace import init_workspace
from xlsx_tracker.cli.main import main
from xlsx_tracker.demo.cycle import simulate, stamp_saved
from xlsx_tracker.master.roster import import_roster
from xlsx_tracker.master.tasklist import load_master, load_master_or_fail
from xlsx_tracker.month.merge import dry_run, merge
from xlsx_tracker.month.split import split
from xlsx_tracker.outputs.notices import notices_for, receipt, render_text

MONTH = "2024-05"


def fill_roster(workspace, rows):
    """What the office does in Excel: fill the master's 联络员 sheet."""
    book = openpyxl.load_workbook(workspace.master_file)
    sheet = book["联络员"]
    by_unit = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    for unit, values in rows.items():
        for cell, value in zip(by_unit[unit][1:], values, strict=False):
            cell.value = value
    book.save(workspace.master_file)


def test_the_roster_lives_in_the_master_and_is_checked(workspace):
    fill_roster(workspace, {"司法局": ["王海", "科员", "0471-6218033", "wanghai@example.com"],
                            "政府办": ["李娜", "副主任", "电话待定", "lina@"]})
    master = load_master(workspace)
    assert master.roster["司法局"] == {"姓名": "王海", "职务": "科员", "联系电话": "0471-6218033", "电子邮箱": "wanghai@example.com"}
    assert Problems([p for p in master.problems if p.code.startswith("roster")]).flatten(["code", "cell", "severity"]) == [
        ["roster-bad-phone", "D2", "warning"], ["roster-bad-email", "E2", "warning"]]  # 政府办 is the first unit
    assert len(master.roster) == 2  # units whose row is blank have no liaison yet


def test_roster_import_from_a_filled_feedback_form(workspace, tmp_path):
    form = tmp_path / "附件2 联络员名单反馈表.xlsx"
    book = xlsxwriter.Workbook(str(form))
    sheet = book.add_worksheet("Sheet1")
    for row, values in enumerate([["法治政府建设示范创建工作联络员名单反馈表"], [],
                                  ["单位", "姓名", "职务", "联系电话"],
                                  ["法院", "赵敏", "办公室主任", "0471-6300001"],
                                  ["市场局", "周强", "科长", "13800000000"],
                                  ["气象局", "陈静", "科员", "0471-6300002"]]):
        for col, value in enumerate(values):
            sheet.write_string(row, col, value)
    book.close()
    result = CliRunner().invoke(main, ["roster", "import", str(form), "-w", str(workspace.root)])
    assert result.exit_code == 0, result.output
    assert result.output.split("\n")[0] == ("[错误·联络员名单] 附件2 联络员名单反馈表.xlsx / Sheet1 / A6:未知单位“气象局”。"
                                            "全部单位及别名可用 xlsx-tracker units 查看。")
    assert "已导入 2 个单位的联络员,其中 2 个有变化:人民法院、市场监督管理局。" in result.output
    roster = load_master_or_fail(workspace).roster
    assert roster["人民法院"]["姓名"] == "赵敏" and roster["市场监督管理局"]["联系电话"] == "13800000000"
    assert import_roster(workspace, form).changed == []  # importing the same form again changes nothing


@pytest.fixture(scope="module")
def looped(tmp_path_factory, calendar):
    """司法局 on time and clean, 政府办 with an error, 区委办 late, 组织部 saves a file for nobody; the rest silent."""
    root = tmp_path_factory.mktemp("loop")
    workspace = init_workspace(root / "工作区")
    fill_roster(workspace, {"司法局": ["王海", "科员", "0471-6218033", "wanghai@example.com"],
                            "政府办": ["李娜", "副主任", "0471-6218034", "lina@example.com"]})
    master = load_master_or_fail(workspace)
    run = month_of(master, calendar, MONTH, workspace)
    issued = {s.unit: s for s in split(run, issued_at=dt.datetime(2024, 5, 6, 9))}
    inbox = root / "收件箱"
    for unit, folder, change in [("司法局", "2024-05-18", None), ("政府办", "2024-05-19", "基本完成"), ("区委办", "2024-05-23", None)]:
        book = simulate.open_form(issued[unit].path)
        simulate.fill_form(book, random.Random(1), MONTH)
        if change:
            simulate.paste_invalid_status(book, list(simulate.task_rows(book))[0], change)
        path = simulate.save_as(book, inbox / folder / issued[unit].path.name)
        stamp_saved(path, dt.datetime(2024, 5, 17, 9))
    (inbox / "~$司法局_2024-05.xlsx").write_bytes(b"lock")
    with zipfile.ZipFile(inbox / "材料.zip", "w") as archive:
        archive.writestr("通知.pdf", b"%PDF-1.4 notice")
    result = merge(run, inbox, now=dt.datetime(2024, 5, 24, 9))
    receipts, reminders = notices_for(run, result.state, generated=dt.datetime(2024, 5, 24, 9))
    return workspace, inbox, run, result, receipts, reminders


def test_a_receipt_for_each_unit_that_sent_anything(looped):
    workspace, _, _, result, receipts, _ = looped
    assert [w.unit for w in receipts] == sorted(["司法局", "政府办", "区委办"], key=[u.unit for u in result.state.units].index)
    folder = workspace.reports_dir / MONTH / "回执"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"回执_{u}_2024-05.{ext}" for u in ("司法局", "政府办", "区委办") for ext in ("xlsx", "txt"))
    text = (folder / "回执_政府办_2024-05.txt").read_text(encoding="utf-8")
    assert "1. 【错误】2024-05-19/政府办_2024-05.xlsx / 任务清单 / C3:进展状态“基本完成”无效" in text
    assert "司法局" not in text.replace("司法局)", "")  # nothing of another unit (the office's own name aside)
    assert "收件目录日期" in text and "按时" in text
    justice = (folder / "回执_司法局_2024-05.txt").read_text(encoding="utf-8")
    assert "三、需要改正的问题\n  未发现问题。" in justice


def test_receipt_workbook_reads_back_as_a_form(looped):
    workspace, *_ = looped
    book = openpyxl.load_workbook(workspace.reports_dir / MONTH / "回执" / "回执_政府办_2024-05.xlsx")
    sheet = book["回执"]
    assert sheet["A1"].value == "新城区法治政府建设示范创建工作报送回执"
    assert sheet["A1"].font.name == "宋体" and sheet["A1"].font.size == 18
    labels = {sheet.cell(r, 1).value: sheet.cell(r, 2).value for r in range(3, 7)}
    assert labels == {"报送单位": "政府办", "报送月份": "2024年5月", "报送截止": "2024-05-20(星期一)前", "回执时间": "2024-05-24 09:00"}
    cells = [[c.value for c in row] for row in sheet.iter_rows() if row[1].value == "进展状态无效"]
    assert cells[0][2] == "2024-05-19/政府办_2024-05.xlsx / 任务清单 / C3"
    assert sheet.page_setup.paperSize == 9 and sheet.page_setup.orientation == "portrait"


def test_a_reminder_for_each_missing_late_and_erroneous_unit(looped):
    workspace, _, _, result, _, reminders = looped
    units = {w.unit for w in reminders}
    assert units == set(result.not_returned) | {"政府办", "区委办"}
    assert "司法局" not in units
    folder = workspace.reports_dir / MONTH / "催报"
    late = (folder / "催报_区委办.txt").read_text(encoding="utf-8")
    assert "贵单位2024年5月的进展情况表于 2024-05-23 收到,晚于报送截止时间。" in late
    wrong = (folder / "催报_政府办.txt").read_text(encoding="utf-8")
    assert "1. 2024-05-19/政府办_2024-05.xlsx / 任务清单 / C3:进展状态“基本完成”无效" in wrong
    assert "请于 2024年05月29日 前改正后重新报送。" in wrong  # three working days after 2024-05-24
    draft = email.message_from_bytes((folder / "催报_政府办.eml").read_bytes(), policy=email.policy.default)
    assert draft["To"] == "lina@example.com" and draft["Subject"] == "关于报送2024年5月法治政府建设示范创建工作进展情况的催报通知"
    [attached] = [part.get_filename() for part in draft.iter_attachments()]
    assert attached == "回执_政府办_2024-05.xlsx"
    silent = email.message_from_bytes((folder / "催报_人民法院.eml").read_bytes(), policy=email.policy.default)
    assert silent["To"] is None  # no e-mail known: a draft to address by hand


def test_the_file_list_has_a_row_for_every_entry_of_the_inbox(looped):
    _, inbox, _, result, _, _ = looped
    entries = [p for p in inbox.rglob("*") if p.is_file()]
    assert len(result.manifest) == len(entries) + 1  # the zip's member counts too
    fates = {e.name: e.fate for e in result.manifest}
    assert fates["2024-05-18/司法局_2024-05.xlsx"] == "采用"
    assert fates["~$司法局_2024-05.xlsx"] == "忽略:临时或锁定文件"
    assert fates["材料.zip/通知.pdf"] == "收到的材料"
    rows = (result.problems_path.parent / "文件清单_2024-05.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == len(result.manifest) + 1


def test_a_dry_run_records_nothing(looped, tmp_path):
    workspace, inbox, run, *_ = looped
    def snapshot():
        files = [workspace.ledger_file, *sorted(workspace.archive_dir.rglob("*"))]
        return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.is_file()}
    before = snapshot()
    early = tmp_path / "早报" / "人大办_2024-05.xlsx"
    shutil.copy(workspace.sheets_dir(MONTH) / "人大办_2024-05.xlsx", early.parent.mkdir(parents=True) or early)
    result = dry_run(run, early, tmp_path / "预检")
    notices_for(run, result.state, folder=tmp_path / "预检")
    assert snapshot() == before
    assert list(result.accepted) != [] and "人大办" in result.accepted
    assert (tmp_path / "预检" / "回执" / "回执_人大办_2024-05.txt").exists()


def test_stale_and_slipping_rows_reach_the_receipt(looped):
    _, _, run, result, _, _ = looped
    state = result.state
    from dataclasses import replace
    flagged = replace(state, stale={"司法局": ["4/3"]}, slipped={"司法局": [("21", ["2024-05-31", "2024-06-30"])]})
    text = render_text(receipt(run.master, flagged, "司法局", dt.datetime(2024, 5, 24)))
    assert "本月进展未更新(与上月所填完全相同)的任务:4/3。请写明本月新的进展。" in text
    assert "任务 21 预计完成时间延后:2024-05-31 → 2024-06-30(延期)。" in text
