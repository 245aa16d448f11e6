"""Receipts and reminders: for every unit of a real merged month (the `looped` month of conftest), then on plain data.

Also the file list and a dry run of that month, whose notices go to a scratch folder. Every expected text is written out
here by hand, from what the unit's workbook shows (its 编号 and 任务 columns) and what the office decided."""

import dataclasses
import datetime as dt
import email
import hashlib
import re
import shutil
from types import SimpleNamespace

import openpyxl
import pytest

from xlsx_tracker.base.problems import (
    CORRUPT_FILE,
    DATE_NORMALIZED,
    EMPTY_STATUS,
    FORMULA_CELL,
    IDENTITY_CONFLICT,
    INVALID_DATE,
    INVALID_STATUS,
    LIAISON_CHANGED,
    MASTER_EDITED_AFTER_ISSUE,
    READER_CRASHED,
    RESUBMISSION_TIE,
    ROWS_REORDERED,
    STATUS_NORMALIZED,
    SUPERSEDED,
    problem,
)
from xlsx_tracker.base.sheetio import excel_text
from xlsx_tracker.master.settings import Settings
from xlsx_tracker.month.merge import dry_run
from xlsx_tracker.outputs.notice_files import notices_for
from xlsx_tracker.outputs.notices import (
    Notice,
    Section,
    eml_draft,
    receipt,
    receipt_stem,
    reminder,
    reminder_kinds,
    reminder_stem,
    render_text,
    write_receipt_workbook,
)

from .months import OFFICE, TODAY, MonthOf, chased, returned_row, score, sent

MONTH = "2024-05"


def test_a_receipt_for_each_unit_that_sent_anything(looped):
    workspace, _, _, result, receipts, _ = looped
    assert [w.unit for w in receipts] == sorted(["司法局", "政府办", "区委办"], key=[u.unit for u in result.state.units].index)
    folder = workspace.reports_dir / MONTH / "回执"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"回执_{u}_2024-05.{ext}" for u in ("司法局", "政府办", "区委办") for ext in ("xlsx", "txt"))
    # the row the defect was pasted into, as the unit's workbook shows it: 编号 22, its 任务 text
    issued = openpyxl.load_workbook(workspace.sheets_dir(MONTH) / "政府办_2024-05.xlsx", data_only=True)["任务清单"]  # the link shows its text
    assert (issued["A3"].value, issued["B3"].value[:16]) == ("22", "制度建设紧密结合地方发展需要和实")
    text = (folder / "回执_政府办_2024-05.txt").read_text(encoding="utf-8")
    assert ("三、需要改正的问题\n  1. 编号 22(制度建设紧密结合地方发展需要和实际…),任务清单 C3:进展状态“基本完成”无效"
            "(可能是粘贴绕过了下拉列表),未采用。应为:未启动 / 推进中 / 已完成 / 无此情形(已作说明)。\n\n四、请补充\n  无。\n") in text
    assert "司法局" not in text.replace("司法局)", "")  # nothing of another unit (the office's own name aside)
    assert "2024-05-19/" not in text  # the office's inbox folders are not the unit's business
    assert "  1. 文件:政府办_2024-05.xlsx;收到时间:2024-05-19;依据:收件目录日期;处理结果:采用\n" in text
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
    cells = [[c.value for c in row][:4] for row in sheet.iter_rows() if row[1].value == "进展状态无效"]
    assert cells == [["编号 22(制度建设紧密结合地方发展需要和实际…)", "进展状态无效", "任务清单 C3",
                      "进展状态“基本完成”无效(可能是粘贴绕过了下拉列表),未采用。应为:未启动 / 推进中 / 已完成 / 无此情形(已作说明)。"]]
    assert sheet.page_setup.paperSize == 9 and sheet.page_setup.orientation == "portrait"
    # signed at the foot: the office and the day, right-aligned, inside the print area
    values = [row[0] for row in sheet.iter_rows() if row[0].value]
    assert [c.value for c in values[-2:]] == ["区委依法治区办(司法局)", "2024年05月24日"]  # [contact] office of the template
    assert all(c.alignment.horizontal == "right" for c in values[-2:])
    assert sheet.print_area == f"'回执'!$A$1:$D${values[-1].row + 1}"


def test_reminders_go_to_exactly_the_units_on_the_follow_up_list(looped):
    workspace, _, _, result, _, reminders = looped
    units = {w.unit for w in reminders}
    assert units == {f.unit for f in result.state.follow_ups}  # the one set: the 催办名单 is the same list
    assert units == set(result.not_returned) | {"政府办", "区委办"}  # 政府办 with an error, 区委办 late; 司法局 clean
    folder = workspace.reports_dir / MONTH / "催报"
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"催报_{u}.{ext}" for u in units for ext in ("txt", "eml"))
    late = (folder / "催报_区委办.txt").read_text(encoding="utf-8")
    assert "  贵单位2024年5月的进展情况表于 2024-05-23 收到,晚于报送截止时间。\n  请今后按时报送。\n" in late
    wrong = (folder / "催报_政府办.txt").read_text(encoding="utf-8")
    assert ("  贵单位报送的表格有 1 处需要改正的问题(详见回执):\n"
            "  1. 编号 22(制度建设紧密结合地方发展需要和实际…),任务清单 C3:进展状态“基本完成”无效") in wrong
    assert "请于 2024年05月29日 前改正后重新报送。" in wrong  # three working days after 2024-05-24
    silent = (folder / "催报_人民法院.txt").read_text(encoding="utf-8")
    assert "  截至 2024年05月24日,我办尚未收到贵单位2024年5月的工作进展情况表。\n  请于 2024年05月29日 前报送。\n" in silent
    draft = email.message_from_bytes((folder / "催报_政府办.eml").read_bytes(), policy=email.policy.default)
    assert draft["To"] == "lina@example.com" and draft["Subject"] == "关于报送2024年5月法治政府建设示范创建工作进展情况的催报通知"
    [attached] = [part.get_filename() for part in draft.iter_attachments()]
    assert attached == "回执_政府办_2024-05.xlsx"
    silent_draft = email.message_from_bytes((folder / "催报_人民法院.eml").read_bytes(), policy=email.policy.default)
    assert silent_draft["To"] is None  # no e-mail known: a draft to address by hand


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


def test_a_dry_run_records_nothing_and_writes_only_its_units_receipts(looped, tmp_path):
    workspace, inbox, run, *_ = looped
    def snapshot():
        files = [workspace.ledger_file, *sorted(workspace.archive_dir.rglob("*"))]
        return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.is_file()}
    before = snapshot()
    early = tmp_path / "早报" / "人大办_2024-05.xlsx"
    shutil.copy(workspace.sheets_dir(MONTH) / "人大办_2024-05.xlsx", early.parent.mkdir(parents=True) or early)
    result = dry_run(run, early, tmp_path / "预检")
    receipts, reminders = notices_for(run, result.state, folder=tmp_path / "预检", units={"人大办"})
    assert snapshot() == before
    assert list(result.accepted) != [] and "人大办" in result.accepted
    assert ([w.unit for w in receipts], reminders) == (["人大办"], [])
    assert sorted(p.name for p in (tmp_path / "预检" / "回执").iterdir()) == ["回执_人大办_2024-05.txt", "回执_人大办_2024-05.xlsx"]
    assert not (tmp_path / "预检" / "催报").exists()  # a dry run of one file chases no one


def test_notices_for_some_units_leave_the_others_as_they_were(looped, tmp_path):
    _, _, run, result, _, _ = looped
    folder = tmp_path / "通知"
    notices_for(run, result.state, dt.datetime(2024, 5, 24, 9), folder=folder)
    kept = {p.name: p.read_bytes() for p in folder.rglob("*.txt")}
    receipts, reminders = notices_for(run, result.state, dt.datetime(2024, 5, 25, 9), folder=folder, units={"政府办"})
    assert ([w.unit for w in receipts], reminders) == (["政府办"], [])
    again = {p.name: p.read_bytes() for p in folder.rglob("*.txt")}
    assert set(again) == set(kept)  # nothing removed
    assert again == kept  # 政府办's receipt says what it said: left as it was, with its first 回执时间


def test_stale_and_slipping_rows_reach_the_receipt(looped):
    _, _, run, result, _, _ = looped
    state = result.state
    flagged = dataclasses.replace(state, stale={"司法局": ["4/3", "21"]}, slipped={"司法局": [("21", ["2024-05-31", "2024-06-30"])]})
    text = render_text(receipt(run.master, flagged, "司法局", dt.datetime(2024, 5, 24)))
    assert ("四、请补充\n"
            "  本月进展未更新(与上月所填完全相同)的任务 2 项:编号 4/3(3.情况说明(包括清理证明事项的…))、21(坚持党对地方政府规章或者行政规范性…)。"
            "请写明本月新的进展。\n"
            "  预计完成时间延后的任务 1 项:编号 21(坚持党对地方政府规章或者行政规范性…,2024-05-31 → 2024-06-30)。"
            "请在“存在问题及需协调事项”中说明原因。\n") in text


# ---------------------------------------------------------------- on plain data: what to say, and how it is written

JUSTICE_TASKS = {"21": "推进政务公开标准化规范化建设全面落实各项要求", "22": "健全行政决策制度体系", "23": "严格执行重大行政决策法定程序"}
SHORT = {"21": "推进政务公开标准化规范化建设全面落…", "22": "健全行政决策制度体系", "23": "严格执行重大行政决策法定程序",
         "24": "1.请提供本级政府重大行政决策事项…"}


def unit_rows(unit, statuses, **fields):
    """The unit's four task rows as its adopted file returned them (sheet rows 3-6): 21, 22, 23 and 24 (a split task)."""
    texts = [("21", JUSTICE_TASKS["21"], ""), ("22", JUSTICE_TASKS["22"], ""), ("23", JUSTICE_TASKS["23"], ""),
             ("24", "严格落实重大行政决策程序制度,决策事项目录向社会公布", "1.请提供本级政府重大行政决策事项目录")]
    return [returned_row(unit, group_id, text, status, part_text, **fields.get(group_id, {}))
            for (group_id, text, part_text), status in zip(texts, statuses, strict=True)]


ADOPTED = "2024-05-18/司法局_2024-05 (2).xlsx"


def justice_month(extra_problems=(), rows=None, follow_ups=()):
    """司法局 sent its workbook twice and a PDF; the second won: an error (22), a normalised status (21), two blank
    statuses (23, 24), a formula (22), a new liaison; 22 is stale and slipped."""
    first = sent("司法局", "2024-05-10/司法局_2024-05.xlsx", sha256="1" * 64, saved_at="2024-05-10 09:00:00",
                 receipt_time="2024-05-10 09:00:00")
    second = sent("司法局", ADOPTED, sha256="2" * 64, receipt_time="2024-05-18 09:00:00")
    pdf = sent("司法局", "通知.pdf", sha256="3" * 64, outcome="material", receipt_time="")
    rows = rows or [*unit_rows("司法局", ["已完成", "推进中", "", ""]), *unit_rows("政府办", ["已完成", "", "", ""])]
    problems = [
        problem(SUPERSEDED, file=first.file_name, unit="司法局", reason="采用保存时间较晚的…", archive=first.archive_path),
        problem(INVALID_DATE, file=ADOPTED, sheet="任务清单", cell="E4", unit="司法局", raw="下个月", year=2024),
        problem(STATUS_NORMALIZED, file=ADOPTED, sheet="任务清单", cell="C3", unit="司法局", raw="完成", status="已完成"),
        problem(EMPTY_STATUS, file=ADOPTED, sheet="任务清单", cell="C5", unit="司法局"),
        problem(EMPTY_STATUS, file=ADOPTED, sheet="任务清单", cell="C6", unit="司法局"),
        problem(FORMULA_CELL, file=ADOPTED, sheet="任务清单", cell="D4", unit="司法局", formula="1+1"),
        problem(LIAISON_CHANGED, unit="司法局", before="王海", after="张伟"),
        problem(EMPTY_STATUS, file="政府办_2024-05.xlsx", sheet="任务清单", cell="C4", unit="政府办"),
        *extra_problems,
    ]
    return MonthOf([score("司法局", received_at="2024-05-18 09:00:00", file_name=ADOPTED)], problems, [first, second, pdf], rows,
                   stale={"司法局": ["22"]}, slipped={"司法局": [("22", ["2024-05-31", "2024-06-30"])]},
                   liaisons={"司法局": {"姓名": "张伟"}}, lights={"司法局": SimpleNamespace(light="黄灯", reasons=["报送文件有错误"])},
                   follow_ups=follow_ups)


def test_a_receipt_says_errors_first_then_what_to_fill_each_task_by_its_number_and_words():
    notice = receipt(SimpleNamespace(settings=OFFICE), justice_month(), "司法局", dt.datetime(2024, 5, 24, 9))
    assert notice.title == "新城区法治政府建设示范创建工作报送回执"
    assert notice.facts == [("报送单位", "司法局"), ("报送月份", "2024年5月"), ("报送截止", "2024-05-20(星期一)前"), ("回执时间", "2024-05-24 09:00")]
    assert [s.heading for s in notice.sections] == ["一、收到的文件", "二、采用情况", "三、需要改正的问题", "四、请补充",
                                                    "五、请注意(已按说明处理,下次请避免)", "六、其他提示(无需改正)"]
    files, adoption, to_fix, to_fill, mind, notes = notice.sections
    assert files.table == [["文件", "收到时间", "依据", "处理结果"],
                           ["司法局_2024-05.xlsx", "2024-05-10 09:00", "收件目录日期",
                            "未采用:本单位同月报送了多份,以较晚的“司法局_2024-05 (2).xlsx”为准。"],
                           ["司法局_2024-05 (2).xlsx", "2024-05-18 09:00", "收件目录日期", "采用"],
                           ["通知.pdf", "不详", "收件目录日期", "收到的材料"]]
    assert adoption.lines == ["已采用“司法局_2024-05 (2).xlsx”:本单位 4 项任务中 2 项填报了有效的进展状态,其中已完成 1 项;"
                              "收到时间 2024-05-18 09:00(收件目录日期),按时;本月亮灯:黄灯(报送文件有错误)。"]
    assert to_fix.lines == [] and to_fix.items == [
        "编号 22(健全行政决策制度体系),任务清单 E4:预计完成时间“下个月”不是有效日期,未采用。请填写如 2024-12-31 的日期。"]
    assert to_fix.table == [["任务", "类别", "位置", "问题及改正方法"],
                            ["编号 22(健全行政决策制度体系)", "日期无效", "任务清单 E4",
                             "预计完成时间“下个月”不是有效日期,未采用。请填写如 2024-12-31 的日期。"]]
    assert to_fill.lines == [
        f"进展状态未填写的任务 2 项:编号 23({SHORT['23']})、24({SHORT['24']})。请从下拉列表选择。",
        "本月进展未更新(与上月所填完全相同)的任务 1 项:编号 22(健全行政决策制度体系)。请写明本月新的进展。",
        "预计完成时间延后的任务 1 项:编号 22(健全行政决策制度体系,2024-05-31 → 2024-06-30)。请在“存在问题及需协调事项”中说明原因。",
        "联络员信息不全,请在“联络员”表中填写姓名、职务、联系电话和电子邮箱。"]
    assert mind.lines == [f"编号 21({SHORT['21']}),任务清单 C3:进展状态“完成”不是下拉选项,已按“已完成”处理。请从下拉列表选择。"]
    assert notes.lines == ["编号 22(健全行政决策制度体系),任务清单 D4:单元格是公式“=1+1”,已取其计算结果。请直接填写内容,不要用公式。",
                           "联络员变更:王海 → 张伟(以本次报回的“联络员”表为准)。"]  # no place: the message alone
    assert notice.closing == ["如对本回执有疑问,请联系区委依法治区办 张敏,电话 0471-6218000,邮箱 fzb@example.gov.cn。",
                              "重新报送时请使用原工作簿修改后发送,文件名可不改;以最后一次报送为准。"]


def test_many_blank_statuses_are_one_line_of_numbers():
    rows = [returned_row("财政局", str(n), f"第{n}项任务的内容", "" if n <= 17 else "推进中") for n in range(1, 21)]
    blanks = [problem(EMPTY_STATUS, file="财政局_2024-05.xlsx", sheet="任务清单", cell=f"C{n + 2}", unit="财政局") for n in range(1, 18)]
    month = MonthOf([score("财政局")], blanks, [sent("财政局")], rows, liaisons={"财政局": {"姓名": "周强", "联系电话": "0471-6225930"}})
    notice = receipt(SimpleNamespace(settings=OFFICE), month, "财政局", dt.datetime(2024, 5, 24, 9))
    assert notice.sections[2].lines == ["未发现问题。"]  # a blank is not an error
    assert notice.sections[3].lines == ["进展状态未填写的任务 17 项:编号 1、2、3、4、5、6、7、8、9、10、11、12、13、14、15、16、17。请从下拉列表选择。"]
    assert notice.sections[4].lines == ["无。"]


def test_reminders_that_share_a_message_are_one_line():
    rows = [returned_row("财政局", str(n), f"第{n}项任务的内容", "已完成") for n in range(1, 6)]
    same = [problem(STATUS_NORMALIZED, file="财政局_2024-05.xlsx", sheet="任务清单", cell=f"C{n + 2}", unit="财政局", raw="完成",
                    status="已完成") for n in range(1, 6)]
    other = problem(STATUS_NORMALIZED, file="财政局_2024-05.xlsx", sheet="任务清单", cell="C3", unit="财政局", raw="办结", status="已完成")
    month = MonthOf([score("财政局")], [*same, other], [sent("财政局")], rows, liaisons={"财政局": {"姓名": "周强", "联系电话": "0471-6225930"}})
    notice = receipt(SimpleNamespace(settings=OFFICE), month, "财政局", dt.datetime(2024, 5, 24, 9))
    assert notice.sections[4].lines == ["编号 1、2、3、4、5:进展状态“完成”不是下拉选项,已按“已完成”处理。请从下拉列表选择。",
                                        "编号 1(第1项任务的内容),任务清单 C3:进展状态“办结”不是下拉选项,已按“已完成”处理。请从下拉列表选择。"]
    moved = MonthOf([score("财政局")], [*same[:2], problem(ROWS_REORDERED, file="财政局_2024-05.xlsx", sheet="任务清单", unit="财政局")],
                    [sent("财政局")], rows, liaisons={"财政局": {"姓名": "周强", "联系电话": "0471-6225930"}})
    notice = receipt(SimpleNamespace(settings=OFFICE), moved, "财政局", dt.datetime(2024, 5, 24, 9))
    assert notice.sections[4].lines == ["任务清单 C3、任务清单 C4:进展状态“完成”不是下拉选项,已按“已完成”处理。请从下拉列表选择。"]


SAME_ERROR = "编号 22(健全行政决策制度体系),任务清单 E4:"


@pytest.mark.parametrize(("case", "extra", "rows", "said"), [
    ("as issued", [], None, SAME_ERROR),
    ("rows reordered", [problem(ROWS_REORDERED, file=ADOPTED, sheet="任务清单", unit="司法局")], None, "任务清单 E4:"),
    # a blank status said of a row that was stored with one: the rows moved (a blank row inserted by hand)
    ("rows shifted", [problem(EMPTY_STATUS, file=ADOPTED, sheet="任务清单", cell="C4", unit="司法局")], None, "任务清单 E4:"),
    ("a date said normalised on a row stored without one",
     [problem(DATE_NORMALIZED, file=ADOPTED, sheet="任务清单", cell="E5", unit="司法局", raw="6月底", day="2024-06-30")], None, "任务清单 E4:"),
    ("a cell below the issued rows", [problem(INVALID_STATUS, file=ADOPTED, sheet="任务清单", cell="C9", unit="司法局", raw="x",
                                              allowed="…")], None, "任务清单 E4:"),
    ("master edited after issue", [problem(MASTER_EDITED_AFTER_ISSUE, ids="21")], None, "任务清单 E4:"),
    ("a task not returned", [], [*unit_rows("司法局", ["已完成", "推进中", "", ""])[:3],
                                 dataclasses.replace(unit_rows("司法局", ["", "", "", ""])[3], values={})], "任务清单 E4:"),
])
def test_a_cell_is_named_alone_when_its_task_is_not_certain(case, extra, rows, said):
    notice = receipt(SimpleNamespace(settings=OFFICE), justice_month(extra, rows), "司法局", dt.datetime(2024, 5, 24, 9))
    assert notice.sections[2].items[0] == said + "预计完成时间“下个月”不是有效日期,未采用。请填写如 2024-12-31 的日期。"


def test_a_problem_of_another_file_names_that_file():
    other = problem(INVALID_DATE, file="2024-05-10/司法局_2024-05.xlsx", sheet="任务清单", cell="E3", unit="司法局", raw="月底", year=2024)
    notice = receipt(SimpleNamespace(settings=OFFICE), justice_month([other]), "司法局", dt.datetime(2024, 5, 24, 9))
    assert notice.sections[2].items[1] == "“司法局_2024-05.xlsx” 任务清单 E3:预计完成时间“月底”不是有效日期,未采用。请填写如 2024-12-31 的日期。"


def test_returned_claims_and_a_claim_sent_back_unchanged():
    rows = unit_rows("司法局", ["已完成", "已完成", "", ""], **{
        "21": {"review": "已退回", "review_reason": "缺少印发文件"},
        "22": {"review": "待审核", "review_reason": "未附会议纪要", "returned_unchanged": True}})
    notice = receipt(SimpleNamespace(settings=OFFICE), justice_month(rows=rows), "司法局", dt.datetime(2024, 5, 24, 9))
    assert notice.sections[3].lines[:2] == [
        "退回事项未修改:编号 22(健全行政决策制度体系)上月审核退回(理由:未附会议纪要),本月报送的内容与退回时相同,请按退回理由补充后重新报送。",
        f"编号 21({SHORT['21']})报“已完成”经审核退回(理由:缺少印发文件)。请按退回理由补充材料后在下月报送中重新申报。"]


def test_a_receipt_for_a_unit_whose_file_was_not_taken():
    rejected = sent("政府办", "2024-05-19/政府办_2024-04.xlsx", outcome="rejected", reason="这是 2024-04 的表(政府办),不是 2024-05 的,未计入本月。")
    month = MonthOf([score("政府办", returned=False)], submissions=[rejected], liaisons={"政府办": {"姓名": "李娜", "联系电话": "0471-6218034"}})
    files, adoption, to_fix, to_fill, mind, notes = receipt(SimpleNamespace(settings=OFFICE), month, "政府办", dt.datetime(2024, 5, 24, 9)).sections
    assert files.table[1] == ["政府办_2024-04.xlsx", "2024-05-19 09:00", "收件目录日期", "未采用:这是 2024-04 的表(政府办),不是 2024-05 的,未计入本月。"]
    assert adoption.lines == ["本月尚无可采用的文件(见上表“处理结果”),视为未报送。"]
    assert (to_fix.lines, to_fix.table, to_fix.items) == (["未发现问题。"], [], [])
    assert (to_fill.lines, mind.lines, notes.lines) == (["无。"], ["无。"], ["无。"])


def test_a_blank_form_is_not_a_return_and_is_said_once():
    rows = unit_rows("卫健委", ["", "", "", ""])
    blanks = [problem(EMPTY_STATUS, file="卫健委_2024-05.xlsx", sheet="任务清单", cell=f"C{n}", unit="卫健委") for n in range(3, 7)]
    month = MonthOf([score("卫健委", blank=True)], blanks, [sent("卫健委")], rows, liaisons={"卫健委": {"姓名": "赵敏", "联系电话": "0471-6000000"}},
                    follow_ups=[chased("卫健委", ("blank", "报送空表(报回的工作簿未填写)"))])
    notice = receipt(SimpleNamespace(settings=OFFICE), month, "卫健委", dt.datetime(2024, 5, 24, 9))
    assert notice.sections[1].lines == ["收到“卫健委_2024-05.xlsx”,但报回的是未填写的空表,视为未报送。请填写后重新报送。"]
    assert notice.sections[3].lines == ["无。"]  # not 4 blank statuses besides
    chase = reminder(SimpleNamespace(settings=OFFICE), month, "卫健委", TODAY, "2024年05月29日")
    assert chase.sections[0].lines[1:] == ["贵单位报回的是未填写的空表,视为未报送。请填写后重新报送。", "请于 2024年05月29日 前报送。"]


INTERNAL = re.compile(r"archive|[0-9a-f]{64}|取代|按文件名顺序|请让该单位|汇总|隐藏标识")


def test_receipts_and_reminders_speak_to_the_unit_not_of_the_office_machinery():
    """The office's messages keep their detail (the CSV, the report); the unit reads its own words."""
    first = sent("教育局", "2024-06-18/教育局_2024-06.xlsx", sha256="a" * 64, receipt_time="2024-06-18 00:00:00")
    second = sent("教育局", "2024-06-19/教育局_2024-06.xlsx", sha256="b" * 64, receipt_time="2024-06-18 00:00:00")
    broken = sent("教育局", "2024-06-19/教育局_报表.xlsx", sha256="c" * 64, outcome="rejected", reason="")
    damaged = sent("教育局", "2024-06-19/教育局(修改).xlsx", sha256="d" * 64, outcome="rejected", reason="")
    crashed = problem(READER_CRASHED, file=broken.file_name, unit="教育局", detail="signal 9")
    corrupt = problem(CORRUPT_FILE, file=damaged.file_name, unit="教育局", error="Bad magic number")
    broken, damaged = dataclasses.replace(broken, reason=crashed.message), dataclasses.replace(damaged, reason=corrupt.message)
    problems = [
        problem(SUPERSEDED, file=first.file_name, unit="教育局", reason="两份文件下发、保存、收到时间都相同,按文件名顺序采用“2024-06-19/教育局_2024-06.xlsx”",
                archive="archive/2024-06/20240619-1.zip/" + "a" * 64 + ".xlsx"),
        problem(RESUBMISSION_TIE, file=first.file_name, unit="教育局", winner=second.file_name, rule="文件名顺序"),
        problem(IDENTITY_CONFLICT, file=second.file_name, unit="教育局", named="民政局"),
        crashed, corrupt,
    ]
    month = MonthOf([score("教育局", file_name=second.file_name)], problems, [first, second, broken, damaged],
                    follow_ups=[chased("教育局", ("errors", "报送的表格有 3 处错误须改正"))])
    assert all(INTERNAL.search(p.message) for p in problems)  # what the office's problem list says
    notice = receipt(SimpleNamespace(settings=OFFICE), month, "教育局", dt.datetime(2024, 6, 24, 9))
    chase = reminder(SimpleNamespace(settings=OFFICE), month, "教育局", TODAY, "2024年05月29日")
    for text in (render_text(notice), render_text(chase)):
        assert INTERNAL.search(text) is None, INTERNAL.search(text)
    assert [row[3] for row in notice.sections[0].table[1:]] == [
        "未采用:本单位同月报送了多份,以“教育局_2024-06.xlsx”(2024-06-18 收到)为准。", "采用",
        "未采用:文件无法读取,可能已损坏或含有超大范围的内容。请在 Excel 或 WPS 中打开、检查后另存为新文件重新发送。",
        "未采用:文件已损坏,无法打开(Bad magic number)。请用 Excel 或 WPS 打开确认后重新保存发送。"]
    assert notice.sections[2].items == [
        "“教育局_2024-06.xlsx”:文件名写的是“民政局”,但该工作簿是下发给本单位的,可能是民政局误用了本单位的工作簿。请核实该文件是否由本单位报送。",
        "“教育局_报表.xlsx”:文件无法读取,可能已损坏或含有超大范围的内容。请在 Excel 或 WPS 中打开、检查后另存为新文件重新发送。",
        "“教育局(修改).xlsx”:文件已损坏,无法打开(Bad magic number)。请用 Excel 或 WPS 打开确认后重新保存发送。"]
    assert notice.sections[4].lines == [
        "“教育局_2024-06.xlsx”:本单位同月报送了多份,无法判断哪份在后,暂以“教育局_2024-06.xlsx”为准。如应以另一份为准,请告知我办。"]
    assert notice.sections[5].lines == ["无。"]  # which file counts is said once, in the file table


# ---------------------------------------------------------------- the 催报: one sentence per reason, in the unit's words

def chase_lines(*kinds_and_reasons, **month):
    rows = unit_rows("甲", ["推进中", "已完成", "未启动", "推进中"], **month.pop("row_fields", {}))
    state = MonthOf([month.pop("score", score("甲"))], month.pop("problems", []), month.pop("submissions", [sent("甲")]), rows,
                    follow_ups=[chased("甲", *kinds_and_reasons)], **month)
    notice = reminder(SimpleNamespace(settings=OFFICE), state, "甲", TODAY, "2024年05月29日")
    assert notice.sections[0].lines[0].startswith("根据《新城区法治政府建设示范创建实施方案》")
    return notice.sections[0].lines[1:]


def test_a_reminder_says_each_reason_once_in_the_units_words():
    assert chase_lines(("overdue", "2 项超过预计完成时间仍未完成:21、23")) == [
        "编号 21、23 已超过贵单位填报的预计完成时间,仍未完成。请抓紧推进,并在“存在问题及需协调事项”中说明原因。"]
    assert chase_lines(("stalled", "1 项连续2期未启动:23")) == [
        "编号 23 已连续2期报“未启动”。请尽快启动,并在“存在问题及需协调事项”中说明原因。"]
    assert chase_lines(("stale", "2 项本月进展未更新:21、24"), stale={"甲": ["21", "24"]}) == [
        "编号 21、24 本月的工作进展与上月所填完全相同。请写明本月新的进展。"]
    assert chase_lines(("returned", "1 项审核退回:22"), row_fields={"22": {"review": "已退回", "review_reason": "缺少印发文件"}}) == [
        "编号 22 申报的完成事项经审核退回(理由:缺少印发文件)。请按退回理由补充材料后重新申报。"]
    assert chase_lines(("returned", "2 项审核退回:21、22"), row_fields={"21": {"review": "已退回", "review_reason": "缺少文号"},
                                                                     "22": {"review": "已退回", "review_reason": "缺少印发文件"}}) == [
        "编号 21、22 申报的完成事项经审核退回(21:缺少文号;22:缺少印发文件)。请按退回理由补充材料后重新申报。"]
    assert chase_lines(("slipped", "1 项延期:24(2024-05-31 → 2024-06-30)"), slipped={"甲": [("24", ["2024-05-31", "2024-06-30"])]}) == [
        "编号 24(2024-05-31 → 2024-06-30) 的预计完成时间比上月推迟。请在“存在问题及需协调事项”中说明原因。"]
    # a reason naming no task of the unit still says what is wrong, without a wrong number
    assert chase_lines(("overdue", "1 项超过预计完成时间仍未完成:99")) == [
        "贵单位有任务已超过贵单位填报的预计完成时间,仍未完成。请抓紧推进,并在“存在问题及需协调事项”中说明原因。"]


def test_a_reminder_names_every_reason_in_order_and_asks_once():
    late = score("甲", on_time=False, received_at="2024-05-23 10:00:00")
    assert chase_lines(("late", "逾期报送(2024-05-23收到)"), ("stale", "1 项本月进展未更新:21"), score=late, stale={"甲": ["21"]}) == [
        "贵单位2024年5月的进展情况表于 2024-05-23 收到,晚于报送截止时间。",
        "编号 21 本月的工作进展与上月所填完全相同。请写明本月新的进展。",
        "请今后按时报送。"]
    error = problem(INVALID_DATE, file="甲_2024-05.xlsx", sheet="任务清单", cell="E4", unit="甲", raw="下月", year=2024)
    assert chase_lines(("errors", "报送的表格有 1 处错误须改正"), ("overdue", "1 项超过预计完成时间仍未完成:23"), problems=[error]) == [
        "贵单位报送的表格有 1 处需要改正的问题(详见回执):",
        "1. 编号 22(健全行政决策制度体系),任务清单 E4:预计完成时间“下月”不是有效日期,未采用。请填写如 2024-12-31 的日期。",
        "编号 23 已超过贵单位填报的预计完成时间,仍未完成。请抓紧推进,并在“存在问题及需协调事项”中说明原因。",
        "请于 2024年05月29日 前改正后重新报送。"]
    rejected = sent("甲", "甲_2024-04.xlsx", outcome="rejected", reason="这是 2024-04 的表(甲),不是 2024-05 的,未计入本月。")
    assert chase_lines(("not-returned", "未报送"), score=score("甲", returned=False), submissions=[rejected]) == [
        "贵单位报送的2024年5月工作进展情况表未能采用(原因详见回执),视为未报送。", "请于 2024年05月29日 前报送。"]


def test_who_gets_a_reminder_is_the_follow_up_list():
    month = MonthOf([score("甲"), score("乙"), score("丙", on_time=False)],
                    follow_ups=[chased("丙", ("late", "逾期报送"), ("stale", "1 项本月进展未更新:1")), chased("甲", ("errors", "…"))])
    assert [reminder_kinds(month, u) for u in ("甲", "乙", "丙")] == [["errors"], [], ["late", "stale"]]


def test_a_reminder_to_a_unit_that_sent_nothing():
    month = MonthOf(follow_ups=[chased("人民法院", ("not-returned", "未报送"))])
    notice = reminder(SimpleNamespace(settings=OFFICE), month, "人民法院", TODAY, "2024年05月29日")
    assert (notice.unit, notice.title, notice.facts) == ("人民法院", "关于报送2024年5月法治政府建设示范创建工作进展情况的催报通知", [])
    [section] = notice.sections
    assert section.heading == "人民法院:"
    assert section.lines == [
        "根据《新城区法治政府建设示范创建实施方案》(新法办发〔2024〕1号)要求,各单位应于每月20日前报送工作进展情况。"
        "2024年5月的报送截止时间为 2024-05-20(星期一)。",
        "截至 2024年05月24日,我办尚未收到贵单位2024年5月的工作进展情况表。",
        "请于 2024年05月29日 前报送。",
    ]
    assert notice.closing == ["联系人:区委依法治区办 张敏,电话 0471-6218000,邮箱 fzb@example.gov.cn"]
    assert notice.sign_off == ["区委依法治区办", "2024年05月24日"]
    assert render_text(notice).endswith("fzb@example.gov.cn\n\n区委依法治区办\n2024年05月24日\n")


def test_without_a_plan_the_reminder_opens_with_the_rule():
    month = MonthOf(follow_ups=[chased("人民法院", ("not-returned", "未报送"))])
    notice = reminder(SimpleNamespace(settings=Settings(office="依法治区办")), month, "人民法院", TODAY, "收到本通知后3个工作日内")
    assert notice.sections[0].lines[0] == "各单位应于每月20日前报送工作进展情况。2024年5月的报送截止时间为 2024-05-20(星期一)。"
    assert notice.sections[0].lines[-1] == "请于 收到本通知后3个工作日内 前报送。"


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
    from xlsx_tracker.outputs.unchanged import content_digest

    first, second, other = (tmp_path / f"{name}" for name in ("一", "二", "三"))
    for folder, stamp, line in ((first, "2024-05-24 09:00", "已采用"), (second, "2024-05-25 16:41", "已采用"), (other, "2024-05-24 09:00", "未采用")):
        folder.mkdir()
        (folder / "回执_司法局_2024-05.txt").write_text(f"回执\n\n单位:司法局\n回执时间:{stamp}\n\n结果\n  {line}\n", encoding="utf-8")
        (folder / "回执_司法局_2024-05.eml").write_bytes(f"Date: {stamp}\nboundary={folder.name}\n".encode())
    digests = [content_digest(folder / "回执_司法局_2024-05.eml") for folder in (first, second, other)]
    assert digests[0] == digests[1]  # only the time of writing and the draft's headers differ: sent once
    assert digests[0] != digests[2]  # what the unit is told differs: a new notice


def test_a_draft_to_an_address_with_a_line_break_is_written_unaddressed():
    from xlsx_tracker.outputs.notices import eml_draft

    master = SimpleNamespace(settings=SimpleNamespace(contact_email="fzb@example.gov.cn\r\nBcc: x@attacker.example"))
    notice = Notice("政府办", "催报通知", [], [Section("政府办:", ["请报送。"])], ["联系人:张敏"], ["区委依法治区办", "2024年05月24日"])
    draft = email.message_from_bytes(eml_draft(master, notice, "lina@example.com\r\nBcc: x@attacker.example", None),
                                      policy=email.policy.default)
    assert (draft["To"], draft["From"], draft["Bcc"]) == (None, None, None)  # never a header injected, never a crash
    good = email.message_from_bytes(eml_draft(SimpleNamespace(settings=SimpleNamespace(contact_email="fzb@example.gov.cn")),
                                              notice, "lina@example.com", None), policy=email.policy.default)
    assert (good["To"], good["From"]) == ("lina@example.com", "fzb@example.gov.cn")


def test_a_receipt_written_again_on_another_day_is_the_same_notice(tmp_path):
    from xlsx_tracker.outputs.unchanged import content_digest

    def written(name, moment, day):
        notice = Notice("政府办", "报送回执", [("报送单位", "政府办"), ("回执时间", moment)], [Section("二、采用情况", ["已采用。"])],
                        ["如对本回执有疑问,请联系办公室。"], ["区委依法治区办", day])
        path = tmp_path / f"{name}.txt"
        path.write_text(render_text(notice), encoding="utf-8")
        return content_digest(path)
    assert written("a", "2024-05-24 09:00", "2024年05月24日") == written("b", "2024-05-25 16:41", "2024年05月25日")
    changed = Notice("政府办", "报送回执", [], [Section("二、采用情况", ["未采用。"])], [], ["区委依法治区办", "2024年05月25日"])
    (tmp_path / "c.txt").write_text(render_text(changed), encoding="utf-8")
    assert content_digest(tmp_path / "c.txt") != written("d", "2024-05-24 09:00", "2024年05月24日")
