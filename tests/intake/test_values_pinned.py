"""What units type, pinned: every near-miss status, the date and phone limits, e-mail addresses, and how reconcile
treats empty, duplicated, ISO-dated and closed rows. Plain data only; each expected value is written out by hand."""

import datetime as dt

import pytest

from xlsx_tracker.base import layout
from xlsx_tracker.intake.reconcile import reconcile
from xlsx_tracker.master.values import fold, is_email, is_url, normalize_date, normalize_phone, normalize_status

from ..fields import fields
from .returned_rows import ISSUED, returned, task_row

# ---------------------------------------------------------------- values

@pytest.mark.parametrize(("raw", "expected"), [
    ("完成", "已完成"), ("已办结", "已完成"), ("办结", "已完成"), ("已完成。", "已完成"),
    ("进行中", "推进中"), ("正在推进", "推进中"), ("推进", "推进中"), ("正在进行", "推进中"), ("在推进", "推进中"),
    ("未开始", "未启动"), ("尚未启动", "未启动"), ("没有启动", "未启动"),
    ("无此情形", "无此情形(已作说明)"), ("无此情形(已说明)", "无此情形(已作说明)"), ("不涉及", "无此情形(已作说明)"),
])
def test_every_status_near_miss(raw, expected):
    assert normalize_status(raw) == (expected, "near")


@pytest.mark.parametrize(("raw", "expected"), [
    ("无", "未发生"), ("否", "未发生"), ("没有", "未发生"), ("未出现", "未发生"),
    ("有", "已发生"), ("是", "已发生"), ("发生", "已发生"), ("存在", "已发生"),
])
def test_every_veto_near_miss(raw, expected):
    assert normalize_status(raw, veto=True) == (expected, "near")
    assert normalize_status(raw) == (None, "invalid")  # a veto word is no status of an ordinary task


def test_exact_statuses_and_their_sets():
    assert normalize_status("无此情形(已作说明)") == ("无此情形(已作说明)", "exact")
    assert normalize_status("已发生", veto=True) == ("已发生", "exact")
    assert normalize_status("已发生") == (None, "invalid")
    assert normalize_status("   ") == (None, "empty")
    assert normalize_status("未 发 生", veto=True) == ("未发生", "near")


@pytest.mark.parametrize("value", ["2024-05-20T00:00:00", "2024-05-20T09:30", "2024-05-20 9:30", "45432.0", "45432.7"])
def test_stamps_and_text_serials(value):
    assert normalize_date(value, year_hint=2024) == dt.date(2024, 5, 20)


def test_serials_only_in_the_plausible_range():
    assert normalize_date(20000) is None
    assert normalize_date(20001) == dt.date(1954, 10, 4)
    assert normalize_date(79999) == dt.date(2119, 1, 10)
    assert normalize_date(80000) is None
    assert normalize_date(True) is None  # a tick box is not a date


def test_a_month_and_day_need_the_year():
    assert normalize_date("5/20") is None
    assert normalize_date("5月20日", year_hint=2025) == dt.date(2025, 5, 20)
    assert normalize_date("2024-02-30") is None


@pytest.mark.parametrize(("raw", "expected"), [
    ("", (None, "empty")), ("   ", (None, "empty")),
    ("1234567", ("1234567", "exact")), ("123456", (None, "invalid")),  # 7 digits at least
    ("1" * 20, ("1" * 20, "exact")), ("1" * 21, (None, "invalid")),  # 20 at most
    ("+86 (0471) 621-8033", ("+86 (0471) 621-8033", "exact")),
    (1234567, ("1234567", "number")), (123456, (None, "invalid")),
    (10 ** 19, ("1" + "0" * 19, "number")), (10 ** 20, (None, "invalid")),
    (6218033.5, (None, "invalid")), (True, (None, "invalid")),
])
def test_phone_limits(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(("raw", "ok"), [
    ("wanghai@sfj.gov.cn", True), ("Wang.Hai+1@example.com", True), ("ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", True),
    ("wanghai@", False), ("wanghai@example", False), ("@example.com", False), ("wang@hai@example.com", False),
])
def test_email_addresses(raw, ok):
    assert is_email(raw) is ok


def test_fold_and_urls():
    assert fold(" 无此情形（已作说明） ") == "无此情形(已作说明)"
    assert fold("a\tb\nc") == "abc"
    assert is_url("ＨＴＴＰ://www.gov.cn/a") is True
    assert is_url("www.gov") is False
    assert is_url("www.gov.") is False


# ---------------------------------------------------------------- reconcile

def check(*rows, **tables):
    result = reconcile(returned(*rows, **tables), ISSUED, "司法局", "2024-05")
    return result, fields(result.problems, ["code", "cell", "severity", "message"])


def test_an_empty_status_is_a_reminder_naming_the_cell():
    result, problems = check(task_row("1", 进展状态="推进中"), task_row("2", 本月工作进展="起草中"), task_row("否决1", 进展状态="未发生"))
    assert problems == [["empty-status", "J4", "warning", "进展状态未填写。请从下拉列表选择。"]]
    assert result.rows["2"]["进展状态"] is None
    assert result.rows["2"]["本月工作进展"] == "起草中"


def test_the_first_of_duplicated_rows_counts():
    result, problems = check(task_row("1", 进展状态="推进中", 本月工作进展="第一行"), task_row("1", 进展状态="已完成", 本月工作进展="第二行"),
                             task_row("2", 进展状态="推进中"), task_row("否决1", 进展状态="未发生"))
    assert problems == [["duplicate-row", "A4", "error", "编号“1”重复出现(首次在 A3),已采用第一行,本行未采用。"]]
    assert (result.rows["1"]["进展状态"], result.rows["1"]["本月工作进展"]) == ("推进中", "第一行")


def test_an_iso_stamp_is_read_as_its_date_and_said():
    result, problems = check(task_row("1", 进展状态="推进中", 预计完成时间="2024-06-30T00:00:00"),
                             task_row("2", 进展状态="推进中", 预计完成时间="2024-07-31"), task_row("否决1", 进展状态="未发生"))
    assert (result.rows["1"]["预计完成时间"], result.rows["2"]["预计完成时间"]) == ("2024-06-30", "2024-07-31")
    assert problems == [["date-normalized", "N3", "info", "预计完成时间“2024-06-30T00:00:00”以文字填写,已识别为 2024-06-30。"]]


def test_dates_as_cells_and_empty_dates_say_nothing():
    result, problems = check(task_row("1", 进展状态="推进中", 预计完成时间=dt.date(2024, 6, 30)), task_row("2", 进展状态="推进中", 预计完成时间=""),
                             task_row("否决1", 进展状态="未发生"))
    assert (result.rows["1"]["预计完成时间"], result.rows["2"]["预计完成时间"], problems) == ("2024-06-30", "", [])


def test_an_empty_phone_is_no_phone_and_no_problem():
    result, problems = check(task_row("1", 进展状态="推进中", 联系电话=""), task_row("2", 进展状态="推进中", 联系电话="   "),
                             task_row("否决1", 进展状态="未发生", 联系电话="1" * 21))
    assert (result.rows["1"]["联系电话"], result.rows["2"]["联系电话"], result.rows["否决1"]["联系电话"]) == ("", "", "")
    assert problems == [["invalid-phone", "P5", "error", f"联系电话“{'1' * 21}”无效,未采用。请填写7–20位数字(可含“-”)。"]]


def test_a_closed_task_counts_as_done_without_any_text():
    result, problems = check(task_row("1", 进展状态=layout.CLOSED), task_row("2", 进展状态="推进中"), task_row("否决1", 进展状态="未发生"))
    assert (result.rows["1"]["进展状态"], problems) == ("已完成", [])


def test_an_unknown_status_on_a_veto_row_lists_the_veto_answers():
    _, problems = check(task_row("1", 进展状态="推进中"), task_row("2", 进展状态="推进中"), task_row("否决1", 进展状态="已完成"))
    assert [p[:3] for p in problems] == [["invalid-status", "J5", "error"]]
    assert "未发生 / 已发生" in problems[0][3]
    _, ordinary = check(task_row("1", 进展状态="基本完成"), task_row("2", 进展状态="推进中"), task_row("否决1", 进展状态="未发生"))
    assert "未启动 / 推进中 / 已完成 / 无此情形(已作说明)" in ordinary[0][3]


def test_liaison_email_kept_when_valid_refused_when_not():
    liaison = [["司法局", "王海", "主任", "", "wanghai@sfj.gov.cn"]]
    result, problems = check(task_row("1", 进展状态="推进中"), task_row("2", 进展状态="推进中"), task_row("否决1", 进展状态="未发生"), liaison=liaison)
    assert (result.liaison, problems) == ({"姓名": "王海", "职务": "主任", "联系电话": "", "电子邮箱": "wanghai@sfj.gov.cn", "行号": 3}, [])
    bad = [["司法局", "", "", "", "wanghai@sfj"]]
    result, problems = check(task_row("1", 进展状态="推进中"), task_row("2", 进展状态="推进中"), task_row("否决1", 进展状态="未发生"), liaison=bad)
    assert problems == [["invalid-email", "E3", "error", "电子邮箱“wanghai@sfj”无效(域名“sfj”不完整或有误(应如 example.com)),"
                                                        "未采用。请填写一个如 name@example.com 的邮箱地址。"]]
    assert result.liaison == {}  # nothing left to adopt


def test_evidence_types_near_and_exact():
    evidence = [["1", "通知", "正式文件(PDF)", "", ""], ["1", "网页截屏", "截屏", "", ""], ["2", "纪要", "", "", ""]]
    result, problems = check(task_row("1", 进展状态="推进中"), task_row("2", 进展状态="推进中"), task_row("否决1", 进展状态="未发生"), evidence=evidence)
    assert [p[:3] for p in problems] == [["type-normalized", "C4", "info"]]
    assert [e["材料类型"] for e in result.evidence] == ["正式文件(PDF)", "截图", ""]


def test_a_renamed_sheet_and_header_are_said_once_each():
    data = returned(task_row("1", 进展状态="推进中"), task_row("2", 进展状态="推进中"), task_row("否决1", 进展状态="未发生"))
    data.tasks.sheet = "Sheet1"
    data.tasks.renamed = [("本月工作进展", "本月进展", 10)]
    result = reconcile(data, ISSUED, "司法局", "2024-05")
    assert fields(result.problems, ["code", "sheet", "cell", "severity"]) == [
        ["header-renamed", "Sheet1", "K2", "warning"], ["sheet-renamed", "Sheet1", "", "warning"]]


def test_formulas_and_over_long_text_are_kept_and_said():
    long_text = "长" * 32_768
    data = returned(task_row("1", 进展状态="推进中", 本月工作进展=long_text, 责任人="王海"), task_row("2", 进展状态="推进中"),
                    task_row("否决1", 进展状态="未发生"))
    data.tasks.formulas = {(2, 14): ("A1", True), (3, 14): ("B1", False), (2, 0): ("C1", True)}  # 编号 is not a cell units fill
    result = reconcile(data, ISSUED, "司法局", "2024-05")
    assert fields(result.problems, ["code", "cell", "severity", "message"]) == [
        ["text-too-long", "K3", "info", "“本月工作进展”共 32,768 字,超过 Excel 单元格 32,767 字的上限:台账保存全文,报表中该单元格只显示前一部分。"],
        ["formula-cell", "O3", "info", "单元格是公式“=A1”,已取其计算结果。请直接填写内容,不要用公式。"],
        ["formula-no-value", "O4", "warning",
         "单元格是公式“=B1”,但没有计算结果(可能由程序生成),已按公式文字保存。请在 Excel/WPS 中打开、确认内容后保存,或直接填写文字。"]]
    assert result.rows["1"]["本月工作进展"] == long_text


def test_a_text_at_the_limit_is_not_too_long():
    _, problems = check(task_row("1", 进展状态="推进中", 本月工作进展="长" * 32_767), task_row("2", 进展状态="推进中"), task_row("否决1", 进展状态="未发生"))
    assert problems == []


def test_missing_and_reordered_rows():
    _, problems = check(task_row("否决1", 进展状态="未发生"), task_row("1", 进展状态="推进中"))
    assert problems == [["missing-row", "", "error", "编号“2”的任务行被删除,本月该项视为未报送。请勿删除行。"],
                        ["rows-reordered", "", "info", "任务行的顺序被调整过,已按编号对应,不影响采用。"]]
    _, in_order = check(task_row("1", 进展状态="推进中"), task_row("否决1", 进展状态="未发生"))
    assert [p[0] for p in in_order] == ["missing-row"]  # a row left out is not a reordering


def test_the_first_liaison_row_of_the_unit_is_the_one_read():
    liaison = [["司法局", "", "", "", ""], ["司法局", "李四", "科长", "", ""]]
    result, _ = check(task_row("1", 进展状态="推进中"), task_row("2", 进展状态="推进中"), task_row("否决1", 进展状态="未发生"), liaison=liaison)
    assert result.liaison == {}  # the unit's row is empty: nothing adopted, the next row is not another unit's answer
    only_phone = [["司法局", "", "", "0471-6218033", ""]]
    result, _ = check(task_row("1", 进展状态="推进中"), task_row("2", 进展状态="推进中"), task_row("否决1", 进展状态="未发生"), liaison=only_phone)
    assert result.liaison == {"姓名": "", "职务": "", "联系电话": "0471-6218033", "电子邮箱": "", "行号": 3}


def test_an_evidence_row_without_a_task_number_is_kept_without_a_problem():
    evidence = [["", "汇总材料", "其他", "https://www.example.gov.cn/a", ""]]
    result, problems = check(task_row("1", 进展状态="推进中"), task_row("2", 进展状态="推进中"), task_row("否决1", 进展状态="未发生"), evidence=evidence)
    assert problems == []
    assert [(e["编号"], e["网址"], e["行号"]) for e in result.evidence] == [("", "https://www.example.gov.cn/a", 3)]


@pytest.mark.parametrize(("raw", "kind"), [
    ("pdf", "正式文件(PDF)"), ("正式文件", "正式文件(PDF)"), ("文件", "正式文件(PDF)"), ("链接", "网址"), ("网页", "网址"),
    ("URL", "网址"), ("照片", "图片"), ("截屏", "截图"), ("正式文件(pdf)", "正式文件(PDF)")])
def test_every_near_evidence_type(raw, kind):
    evidence = [["1", "材料", raw, "", ""]]
    result, problems = check(task_row("1", 进展状态="推进中"), task_row("2", 进展状态="推进中"), task_row("否决1", 进展状态="未发生"), evidence=evidence)
    assert [e["材料类型"] for e in result.evidence] == [kind]
    assert problems == [["type-normalized", "C3", "info", f"材料类型“{raw}”已按“{kind}”处理。"]]


def test_a_row_without_a_task_number_is_an_extra_row_at_its_number_cell():
    _, problems = check(task_row("1", 进展状态="推进中"), task_row("", 进展状态="推进中", 本月工作进展="补充"), task_row("2", 进展状态="推进中"),
                        task_row("否决1", 进展状态="未发生"))
    assert problems == [["extra-row", "A4", "error", "新增了一行(没有编号)。本行内容未采用;如需补充情况,请写在对应编号行的“本月工作进展”中。"]]


def test_a_locked_text_differing_only_in_width_or_spaces_is_as_issued():
    rows = [task_row("1", 进展状态="推进中"), task_row("2", 进展状态="推进中"), task_row("否决1", 进展状态="未发生")]
    rows[0][layout.LEGACY_TASK_COLUMNS.index("三级指标")] = "指标 原文"  # a space typed inside: folded away
    _, problems = check(*rows)
    assert problems == []
    rows[0][layout.LEGACY_TASK_COLUMNS.index("三级指标")] = "改过的原文"
    _, changed = check(*rows)
    assert changed == [["locked-cell-changed", "D3", "error", "锁定的“三级指标”内容被改动,已按下发原文处理。请勿修改灰色单元格。"]]


def test_formulas_in_the_evidence_and_liaison_sheets_are_said_at_their_cells():
    data = returned(task_row("1", 进展状态="推进中"), task_row("2", 进展状态="推进中"), task_row("否决1", 进展状态="未发生"),
                    evidence=[["1", "通知", "", "", ""]], liaison=[["司法局", "王海", "主任", "0471-6218033", ""]])
    data.evidence.formulas = {(2, 1): ("A1", True)}
    data.liaison.formulas = {(2, 1): ("B1", True)}
    result = reconcile(data, ISSUED, "司法局", "2024-05")
    assert fields(result.problems, ["code", "sheet", "cell"]) == [["formula-cell", layout.EVIDENCE_SHEET, "B3"],
                                                                  ["formula-cell", layout.LIAISON_SHEET, "B3"]]
    assert result.liaison == {"姓名": "王海", "职务": "主任", "联系电话": "0471-6218033", "电子邮箱": "", "行号": 3}


def test_the_spellings_a_form_marks_are_the_ones_merge_reads():
    from xlsx_tracker.master.answer_rules import spellings

    veto = spellings("已发生", veto=True)
    assert {"已发生", "有", "是", "发生", "存在"} <= set(veto) and all(normalize_status(t, veto=True)[0] == "已发生" for t in veto)
    done = spellings("已完成")
    assert {"已完成", "完成", "已办结", "办结"} <= set(done) and "有" not in done
    assert all(normalize_status(t)[0] == "已完成" for t in done)
    assert spellings("无此情形(已作说明)")[:2] == ["无此情形(已作说明)", "无此情形"]
