"""Receipts and reminders: for every unit of a real merged month (the `looped` month of conftest), then on plain data.

Also the file list and a dry run of that month, whose notices go to a scratch folder."""

import dataclasses
import datetime as dt
import email
import hashlib
import shutil
from types import SimpleNamespace

import openpyxl
import pytest

from xlsx_tracker.base.model import Problem
from xlsx_tracker.base.sheetio import excel_text
from xlsx_tracker.calendar.workdays import Deadline
from xlsx_tracker.master.settings import Settings
from xlsx_tracker.month.ledger import Submission
from xlsx_tracker.month.merge import dry_run
from xlsx_tracker.outputs.notices import (
    Notice,
    Section,
    eml_draft,
    needs_reminder,
    notices_for,
    receipt,
    receipt_stem,
    reminder,
    reminder_stem,
    render_text,
    write_receipt_workbook,
)

from ..month.rows import row

MONTH = "2024-05"


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


# ---------------------------------------------------------------- on plain data: what to say, and how it is written

OFFICE = Settings(contact_name="张敏", contact_phone="0471-6218000", contact_email="fzb@example.gov.cn", office="区委依法治区办",
                  district="新城区", plan_title="新城区法治政府建设示范创建实施方案", plan_number="新法办发〔2024〕1号")
DEADLINE = Deadline("2024-05", dt.date(2024, 5, 20), dt.date(2024, 5, 20), "当日为工作日,不调整", False)
TODAY = dt.date(2024, 5, 24)


class MonthOf:
    """A month state as the notices read it: per-unit scores, problems, files and rows, given as plain data."""

    def __init__(self, scores=(), problems=(), submissions=(), rows=(), stale=None, slipped=None, liaisons=None, lights=None):
        self.month, self.deadline = "2024-05", DEADLINE
        self.units = list(scores)
        self.problems = list(problems)
        self.submissions = list(submissions)
        self.accepted = {s.unit: s for s in self.submissions if s.outcome == "applied"}
        self.rows = list(rows)
        self.stale, self.slipped, self.liaisons, self.lights = stale or {}, slipped or {}, liaisons or {}, lights or {}

    def unit(self, name):
        return next((u for u in self.units if u.unit == name), None)

    def problems_of(self, unit):
        return [p for p in self.problems if p.unit == unit]

    def submissions_of(self, unit):
        return [s for s in self.submissions if s.unit == unit]

    def rows_of(self, unit):
        return [r for r in self.rows if r.assignment.unit == unit]

    def light_of(self, unit):
        return self.lights.get(unit)


def score(unit, returned=True, on_time=True, received_at="2024-05-19 09:00:00", received_how="收件目录日期", file_name=None):
    text = "未报送" if not returned else ("按时" if on_time else "逾期")
    return SimpleNamespace(unit=unit, returned=returned, on_time=on_time, received_at=received_at, received_how=received_how,
                           file_name=file_name or f"{unit}_2024-05.xlsx", timeliness_text=text)


def error_in(unit, cell="C3", message="进展状态“基本完成”无效"):
    return Problem("invalid-status", message, f"{unit}_2024-05.xlsx", "任务清单", cell, unit, "error")


def warning_in(unit):
    return Problem("status-normalized", "进展状态“完成”不是下拉选项,已按“已完成”处理。", f"{unit}_2024-05.xlsx", "任务清单", "C4", unit, "warning")


@pytest.mark.parametrize(("case", "reasons"), [
    ("silent", ["not-returned"]),
    ("nothing usable", ["not-returned", "errors"]),  # its only file rejected, with an error
    ("late", ["late"]),
    ("on time with errors", ["errors"]),
    ("late with errors", ["late", "errors"]),
    ("on time with a warning", []),
    ("on time and clean", []),
])
def test_who_gets_a_reminder_and_why(case, reasons):
    month = {
        "silent": MonthOf(),
        "nothing usable": MonthOf([score("甲", returned=False)], [error_in("甲")]),
        "late": MonthOf([score("甲", on_time=False)]),
        "on time with errors": MonthOf([score("甲")], [error_in("甲")]),
        "late with errors": MonthOf([score("甲", on_time=False)], [error_in("甲")]),
        "on time with a warning": MonthOf([score("甲")], [warning_in("甲")]),
        "on time and clean": MonthOf([score("甲")], [error_in("乙")]),  # another unit's error is not this unit's
    }[case]
    assert needs_reminder(month, "甲") == reasons


def test_a_reminder_to_a_unit_that_sent_nothing():
    notice = reminder(SimpleNamespace(settings=OFFICE), MonthOf(), "人民法院", TODAY, "2024年05月29日")
    assert (notice.unit, notice.title, notice.facts) == ("人民法院", "关于报送2024年5月法治政府建设示范创建工作进展情况的催报通知", [])
    [section] = notice.sections
    assert section.heading == "人民法院:"
    assert section.lines == [
        "根据《新城区法治政府建设示范创建实施方案》(新法办发〔2024〕1号)要求,各单位应于每月20日前报送工作进展情况。"
        "2024年5月的报送截止时间为 2024-05-20(星期一)。",
        "截至 2024年05月24日,我办尚未收到贵单位2024年5月的工作进展情况表(或所报文件无法采用)。",
        "请于 2024年05月29日 前报送。",
    ]
    assert notice.closing == ["联系人:区委依法治区办 张敏,电话 0471-6218000,邮箱 fzb@example.gov.cn", "", "区委依法治区办", "2024年05月24日"]


def test_a_reminder_to_a_late_unit_asks_for_time_next_month():
    notice = reminder(SimpleNamespace(settings=OFFICE), MonthOf([score("区委办", on_time=False, received_at="2024-05-23 10:00:00")]),
                      "区委办", TODAY, "2024年05月29日")
    assert notice.sections[0].lines[1:] == ["贵单位2024年5月的进展情况表于 2024-05-23 收到,晚于报送截止时间。", "请今后按时报送。"]


def test_a_reminder_lists_every_error_and_only_errors():
    month = MonthOf([score("政府办")], [error_in("政府办"), warning_in("政府办"), error_in("政府办", "E7", "预计完成时间“下个月”不是有效日期,未采用。")])
    notice = reminder(SimpleNamespace(settings=OFFICE), month, "政府办", TODAY, "2024年05月29日")
    assert notice.sections[0].lines[1:] == [
        "贵单位报送的表格有 2 处需要改正的问题(详见回执):",
        "1. 政府办_2024-05.xlsx / 任务清单 / C3:进展状态“基本完成”无效",
        "2. 政府办_2024-05.xlsx / 任务清单 / E7:预计完成时间“下个月”不是有效日期,未采用。",
        "请于 2024年05月29日 前改正后重新报送。",
    ]


def test_without_a_plan_the_reminder_opens_with_the_rule():
    notice = reminder(SimpleNamespace(settings=Settings(office="依法治区办")), MonthOf(), "人民法院", TODAY, "收到本通知后3个工作日内")
    assert notice.sections[0].lines[0] == "各单位应于每月20日前报送工作进展情况。2024年5月的报送截止时间为 2024-05-20(星期一)。"
    assert notice.sections[0].lines[-1] == "请于 收到本通知后3个工作日内 前报送。"


def justice_month():
    """司法局 sent its workbook twice and a PDF; the second workbook won, with one error, one warning and one note."""
    first = Submission("1" * 64, "2024-05", "司法局", "司法局_2024-05.xlsx", "a", 1, "2024-05-06 09:00:00", "2024-05-10 09:00:00", "隐藏表",
                       "v1", "2024-05-21 09:00:00", "applied", "", "", "2024-05-10 09:00:00", "收件目录日期")
    second = dataclasses.replace(first, sha256="2" * 64, file_name="司法局_2024-05 (2).xlsx", saved_at="2024-05-18 09:00:00",
                                 receipt_time="2024-05-18 09:00:00")
    pdf = dataclasses.replace(first, sha256="3" * 64, file_name="通知.pdf", outcome="material", receipt_time="")
    rows = [row("司法局", "已完成", "21"), row("司法局", "推进中", "22"), row("司法局", "", "23"), row("政府办", "已完成", "21")]
    note = Problem("rows-reordered", "任务行的顺序被调整过,已按编号对应,不影响采用。", "司法局_2024-05 (2).xlsx", "任务清单", "", "司法局", "info")
    whole_file = Problem("liaison-changed", "联络员变更:王海 → 张伟(以本次报回的“联络员”表为准)。", unit="司法局", severity="info")
    return MonthOf([score("司法局", received_at="2024-05-18 09:00:00", file_name=second.file_name)],
                   [error_in("司法局"), warning_in("司法局"), note, whole_file], [first, second, pdf], rows,
                   stale={"司法局": ["22"]}, slipped={"司法局": [("22", ["2024-05-31", "2024-06-30"])]},
                   liaisons={"司法局": {"姓名": "张伟"}},
                   lights={"司法局": SimpleNamespace(light="黄灯", reasons=["报送文件有错误"])})


def test_a_receipt_says_what_arrived_what_was_taken_and_what_to_fix():
    notice = receipt(SimpleNamespace(settings=OFFICE), justice_month(), "司法局", dt.datetime(2024, 5, 24, 9))
    assert notice.title == "新城区法治政府建设示范创建工作报送回执"
    assert notice.facts == [("报送单位", "司法局"), ("报送月份", "2024年5月"), ("报送截止", "2024-05-20(星期一)前"), ("回执时间", "2024-05-24 09:00")]
    files, adoption, to_fix, missing, notes = notice.sections
    assert [s.heading for s in notice.sections] == ["一、收到的文件", "二、采用情况", "三、需要改正的问题", "四、尚缺或需关注的内容", "五、其他提示(无需改正)"]
    assert files.table[0] == ["文件", "收到时间", "依据", "处理结果"]
    assert [r[:3] for r in files.table[1:]] == [["司法局_2024-05.xlsx", "2024-05-10 09:00", "收件目录日期"],
                                                ["司法局_2024-05 (2).xlsx", "2024-05-18 09:00", "收件目录日期"],
                                                ["通知.pdf", "不详", "收件目录日期"]]
    assert files.table[1][3].startswith("被取代:") and files.table[2][3] == "采用"
    assert adoption.lines == ["已采用“司法局_2024-05 (2).xlsx”:本单位 3 项任务中 2 项填报了有效的进展状态,其中已完成 1 项;"
                              "收到时间 2024-05-18 09:00(收件目录日期),按时;本月亮灯:黄灯(报送文件有错误)。"]
    assert to_fix.lines == [] and to_fix.items == ["【错误】司法局_2024-05.xlsx / 任务清单 / C3:进展状态“基本完成”无效",
                                                   "【提醒】司法局_2024-05.xlsx / 任务清单 / C4:进展状态“完成”不是下拉选项,已按“已完成”处理。"]
    assert to_fix.table[1] == ["错误", "进展状态无效", "司法局_2024-05.xlsx / 任务清单 / C3", "进展状态“基本完成”无效"]
    assert missing.lines == ["进展状态未填写或无效的任务 1 项:23。",
                             "本月进展未更新(与上月所填完全相同)的任务:22。请写明本月新的进展。",
                             "任务 22 预计完成时间延后:2024-05-31 → 2024-06-30(延期)。请在“存在问题及需协调事项”中说明原因。",
                             "联络员信息不全,请在“联络员”表中填写姓名、职务、联系电话和电子邮箱。"]
    assert notes.lines == ["司法局_2024-05 (2).xlsx / 任务清单:任务行的顺序被调整过,已按编号对应,不影响采用。",
                           "联络员变更:王海 → 张伟(以本次报回的“联络员”表为准)。"]  # no place: the message alone
    assert notice.closing == ["如对本回执有疑问,请联系区委依法治区办 张敏,电话 0471-6218000,邮箱 fzb@example.gov.cn。",
                              "重新报送时请使用原工作簿修改后发送,文件名可不改;以最后一次报送为准。"]


def test_a_receipt_for_a_unit_whose_file_was_not_taken():
    rejected = Submission("4" * 64, "2024-05", "政府办", "政府办_2024-04.xlsx", "a", 1, "", "", "隐藏表", "v1", "2024-05-21 09:00:00",
                          "rejected", "这是 2024-04 的表", "", "2024-05-19 09:00:00", "收件目录日期")
    month = MonthOf([score("政府办", returned=False)], submissions=[rejected], liaisons={"政府办": {"姓名": "李娜", "联系电话": "0471-6218034"}})
    files, adoption, to_fix, missing, notes = receipt(SimpleNamespace(settings=OFFICE), month, "政府办", dt.datetime(2024, 5, 24, 9)).sections
    assert files.table[1] == ["政府办_2024-04.xlsx", "2024-05-19 09:00", "收件目录日期", "未采用:这是 2024-04 的表"]
    assert adoption.lines == ["本月尚无可采用的文件(见上表“处理结果”),视为未报送。"]
    assert (to_fix.lines, to_fix.table, to_fix.items) == (["未发现问题。"], [], [])
    assert (missing.lines, notes.lines) == (["无。"], ["无。"])


def test_render_text_numbers_items_or_table_rows():
    notice = Notice("回执", "标题", [("报送单位", "司法局"), ("报送月份", "2024年5月")], [
        Section("一、文件", table=[["文件", "收到时间", "处理结果"], ["a.xlsx", "", "采用"], ["b.pdf", "2024-05-19", "收到的材料"]]),
        Section("二、问题", lines=["共 2 处。"], table=[["级别", "说明"], ["错误", "不用表格"]], items=["第一处", "第二处"]),
        Section("三、其他"),
    ], ["联系人:张敏", "", "依法治区办"])
    assert render_text(notice) == (
        "标题\n\n报送单位:司法局\n报送月份:2024年5月\n\n"
        "一、文件\n  1. 文件:a.xlsx;处理结果:采用\n  2. 文件:b.pdf;收到时间:2024-05-19;处理结果:收到的材料\n\n"
        "二、问题\n  共 2 处。\n  1. 第一处\n  2. 第二处\n\n"
        "三、其他\n\n"
        "联系人:张敏\n\n依法治区办\n")


def test_the_receipt_workbook_prints_as_a_form(tmp_path):
    long_text = "长" * 40_000
    notice = Notice("政府办", "新城区法治政府建设示范创建工作报送回执", [("报送单位", "政府办"), ("备注", "=1+1")], [
        Section("一、收到的文件", table=[["文件", "收到时间", "依据", "处理结果"], ["=SUM(1).xlsx", "2024-05-19 09:00", "收件目录日期", long_text]]),
        Section("二、采用情况", lines=["本月尚无可采用的文件。"]),
    ], ["如有疑问请联系。", "", "依法治区办"])
    path = tmp_path / "回执" / "回执_政府办_2024-05.xlsx"
    write_receipt_workbook(notice, path)
    assert [p.name for p in path.parent.iterdir()] == ["回执_政府办_2024-05.xlsx"]  # no temporary left beside it
    sheet = openpyxl.load_workbook(path)["回执"]
    assert [[c.value for c in row] for row in sheet.iter_rows(max_col=4)] == [
        ["新城区法治政府建设示范创建工作报送回执", None, None, None],
        [None, None, None, None],
        ["报送单位", "政府办", None, None],
        ["备注", "=1+1", None, None],
        [None, None, None, None],
        ["一、收到的文件", None, None, None],
        ["文件", "收到时间", "依据", "处理结果"],
        ["=SUM(1).xlsx", "2024-05-19 09:00", "收件目录日期", excel_text(long_text)],
        [None, None, None, None],
        ["二、采用情况", None, None, None],
        ["本月尚无可采用的文件。", None, None, None],
        [None, None, None, None],
        ["如有疑问请联系。", None, None, None],
        [None, None, None, None],
        ["依法治区办", None, None, None],
    ]
    assert sheet["B4"].data_type == "s" and sheet["B4"].quotePrefix and sheet["A8"].quotePrefix  # formula-like text stays text
    assert len(sheet["D8"].value) == 32_767
    assert sheet.row_dimensions[8].height == 408.75  # the long cell at Excel's tallest row (409 pt, in whole pixels)
    assert [sheet.column_dimensions[c].width for c in "ABCD"] == [20.7109375, 16.7109375, 14.7109375, 38.7109375]
    assert sheet.page_setup.paperSize == 9 and sheet.page_setup.orientation == "portrait" and sheet.page_setup.fitToHeight == 0
    assert sheet.oddFooter.center.text == "第 &P 页,共 &N 页"


def test_a_reminder_draft_is_addressed_when_the_email_is_known(tmp_path):
    notice = reminder(SimpleNamespace(settings=OFFICE), MonthOf(), "人民法院", TODAY, "2024年05月29日")
    attached = tmp_path / "回执_人民法院_2024-05.xlsx"
    attached.write_bytes(b"PK receipt")
    draft = email.message_from_bytes(eml_draft(SimpleNamespace(settings=OFFICE), notice, "court@example.com", attached),
                                      policy=email.policy.default)
    assert (draft["Subject"], draft["From"], draft["To"], draft["X-Unsent"]) == (
        "关于报送2024年5月法治政府建设示范创建工作进展情况的催报通知", "fzb@example.gov.cn", "court@example.com", "1")
    assert draft.get_body().get_content() == render_text(notice)
    [part] = draft.iter_attachments()
    assert (part.get_filename(), part.get_content()) == ("回执_人民法院_2024-05.xlsx", b"PK receipt")


def test_a_draft_without_an_address_or_a_receipt_to_attach(tmp_path):
    notice = reminder(SimpleNamespace(settings=OFFICE), MonthOf(), "人民法院", TODAY, "2024年05月29日")
    draft = email.message_from_bytes(eml_draft(SimpleNamespace(settings=OFFICE), notice, "", tmp_path / "没有回执.xlsx"),
                                      policy=email.policy.default)
    assert draft["To"] is None and list(draft.iter_attachments()) == []


def test_notice_files_are_named_by_a_safe_unit_name(tmp_path):
    assert receipt_stem(tmp_path, "区委办", "2024-05") == tmp_path / "回执" / "回执_区委办_2024-05"
    assert receipt_stem(tmp_path, "../外部/单位", "2024-05") == tmp_path / "回执" / "回执__外部_单位_2024-05"  # never a path out of the folder
    assert reminder_stem(tmp_path, "公安分局:交警") == tmp_path / "催报" / "催报_公安分局_交警"


def test_a_notice_rewritten_with_the_same_content_has_the_same_digest(tmp_path):
    from xlsx_tracker.outputs.notices import content_digest

    first, second, other = (tmp_path / f"{name}" for name in ("一", "二", "三"))
    for folder, stamp, line in ((first, "2024-05-24 09:00", "已采用"), (second, "2024-05-25 16:41", "已采用"), (other, "2024-05-24 09:00", "未采用")):
        folder.mkdir()
        (folder / "回执_司法局_2024-05.txt").write_text(f"回执\n\n单位:司法局\n回执时间:{stamp}\n\n结果\n  {line}\n", encoding="utf-8")
        (folder / "回执_司法局_2024-05.eml").write_bytes(f"Date: {stamp}\nboundary={folder.name}\n".encode())
    digests = [content_digest(folder / "回执_司法局_2024-05.eml") for folder in (first, second, other)]
    assert digests[0] == digests[1]  # only the time of writing and the draft's headers differ: sent once
    assert digests[0] != digests[2]  # what the unit is told differs: a new notice
