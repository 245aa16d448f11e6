"""reconcile on plain data: returned rows as Python lists against issued rows, no workbook involved.

Most tests use the earlier layout (every issued text on the task sheet), which merge still reads;
the last test uses today's: a short task sheet and the texts on the reference sheet."""

import datetime as dt

from xlsx_tracker.base import layout
from xlsx_tracker.intake.reconcile import reconcile
from xlsx_tracker.month.form_text import task_summary

from ..fields import fields
from .returned_rows import COLUMNS, ISSUED, LOCKED, returned, task_row  # noqa: F401


def check(*rows, **tables):
    result = reconcile(returned(*rows, **tables), ISSUED, "司法局", "2024-05")
    return result, fields(result.problems, ["code", "sheet", "cell", "severity"])


def test_clean_rows_give_values_and_no_problems():
    result, problems = check(task_row("1", 进展状态="已完成", 本月工作进展="已印发", 预计完成时间=dt.datetime(2024, 6, 30), 联系电话="0471-6218033"),
                             task_row("2", 进展状态="推进中"), task_row("否决1", 进展状态="未发生"))
    assert problems == []
    assert result.rows["1"]["进展状态"] == "已完成"
    assert result.rows["1"]["预计完成时间"] == "2024-06-30"
    assert result.rows["1"]["联系电话"] == "0471-6218033"
    assert result.rows["否决1"]["进展状态"] == "未发生"


def test_each_editable_defect_gives_one_problem_at_its_cell():
    _, problems = check(task_row("1", 进展状态="完成", 本月工作进展="已印发", 预计完成时间="6月30日", 联系电话=13912345678.0),
                        task_row("2", 进展状态="基本完成", 预计完成时间="下个月", 联系电话="待定"),
                        task_row("否决1", 进展状态="是", 本月工作进展="5月发生一起,已处置"))
    assert problems == [
        ["status-normalized", "任务清单", "J3", "warning"],
        ["date-normalized", "任务清单", "N3", "info"],
        ["phone-as-number", "任务清单", "P3", "info"],
        ["invalid-status", "任务清单", "J4", "error"],
        ["invalid-date", "任务清单", "N4", "error"],
        ["invalid-phone", "任务清单", "P4", "error"],
        ["status-normalized", "任务清单", "J5", "warning"],  # 是 -> 已发生 on a veto row
    ]


def test_values_taken_and_refused():
    result, _ = check(task_row("1", 进展状态="完成", 本月工作进展="已印发", 预计完成时间="6月30日"), task_row("2", 进展状态="基本完成"),
                      task_row("否决1", 进展状态="是", 本月工作进展="5月发生一起,已处置"))
    assert (result.rows["1"]["进展状态"], result.rows["1"]["预计完成时间"]) == ("已完成", "2024-06-30")
    assert result.rows["2"]["进展状态"] is None
    assert result.rows["否决1"]["进展状态"] == "已发生"


def test_rows_added_deleted_duplicated_and_reordered():
    _, problems = check(task_row("2", 进展状态="推进中"), task_row("1", 进展状态="推进中"), task_row("1", 进展状态="已完成", 本月工作进展="已印发"),
                        task_row("", 本月工作进展="另加一行"), task_row("99", 进展状态="推进中"))
    assert problems == [
        ["duplicate-row", "任务清单", "A5", "error"],
        ["extra-row", "任务清单", "A6", "error"],
        ["extra-row", "任务清单", "A7", "error"],
        ["missing-row", "任务清单", "", "error"],
        ["rows-reordered", "任务清单", "", "info"],
    ]


def test_locked_text_changed_but_not_for_width_or_spacing():
    _, problems = check(task_row("1", 三级指标="(已删减)", 进展状态="推进中"),
                        task_row("2", 牵头单位="司法局 ", 进展状态="推进中"),  # a stray space is not tampering
                        task_row("否决1", 进展状态="未发生"))
    assert problems == [["locked-cell-changed", "任务清单", "D3", "error"]]


def test_missing_columns_editable_is_an_error_locked_a_warning():
    data = returned(task_row("1", 进展状态="推进中"), task_row("2"), task_row("否决1"))
    del data.tasks.columns["进展状态"], data.tasks.columns["三级指标"]
    result = reconcile(data, ISSUED, "司法局", "2024-05")
    found = fields([p for p in result.problems if p.code.startswith("missing")], ["code", "cell", "severity"])
    assert found == [["missing-column", "2:2", "error"], ["missing-locked-column", "2:2", "warning"]]


def test_evidence_rows():
    evidence = [["1", "关于印发的通知", "PDF", "http://www.example.gov.cn/a.html", ""],
                ["7", "会议纪要", "照相", "见网站", ""]]
    result, problems = check(task_row("1"), task_row("2"), task_row("否决1"), evidence=evidence)
    evidence_problems = [p for p in problems if p[1] == "证明材料目录"]
    assert evidence_problems == [
        ["type-normalized", "证明材料目录", "C3", "info"],
        ["evidence-unknown-id", "证明材料目录", "A4", "error"],
        ["invalid-url", "证明材料目录", "D4", "error"],
        ["invalid-type", "证明材料目录", "C4", "warning"],
    ]
    assert [(e["材料类型"], e["网址"], e["行号"]) for e in result.evidence] == [
        ("正式文件(PDF)", "http://www.example.gov.cn/a.html", 3), ("其他", "", 4)]


def test_liaison_row_of_this_unit_only():
    liaison = [["政府办", "张三", "科员", "6218000"], ["司法局", "王海", "主任", 4716218033]]
    result, problems = check(task_row("1"), task_row("2"), task_row("否决1"), liaison=liaison)
    assert result.liaison == {"姓名": "王海", "职务": "主任", "联系电话": "4716218033", "电子邮箱": "", "行号": 4}
    assert ["phone-as-number", "联络员", "D4", "info"] in problems


def test_todays_layout_checks_the_texts_on_the_reference_sheet():
    def short(task_id, **editable):
        return [{"编号": task_id, "任务": task_summary(ISSUED.rows[task_id]), **editable}.get(name) for name in layout.TASK_COLUMNS]

    def full(task_id, **changed):
        return [{**ISSUED.rows[task_id], **changed}.get(name) for name in layout.REFERENCE_COLUMNS]

    data = returned(short("1", 进展状态="已完成", 本月工作进展="已印发"), short("2", 进展状态="推进中"), short("否决1", 进展状态="未发生"),
                    columns=layout.TASK_COLUMNS, reference=[full("1"), full("2", 三级指标="(已删减)"), full("否决1")])
    result = reconcile(data, ISSUED, "司法局", "2024-05")
    assert fields(result.problems, ["code", "sheet", "cell"]) == [["locked-cell-changed", "任务说明", "D4"]]
    assert result.rows["1"]["进展状态"] == "已完成"


def test_a_liaison_email_that_is_not_an_address_is_refused_at_its_cell():
    liaison = [["司法局", "王海", "主任", "0471-6218033", "wanghai@"]]
    result, _ = check(task_row("1"), task_row("2"), task_row("否决1"), liaison=liaison)
    [refused] = [p for p in result.problems if p.sheet == "联络员"]
    assert (refused.code, str(refused.file), refused.sheet, refused.cell, refused.severity) == (
        "invalid-email", "司法局_2024-05.xlsx", "联络员", "E3", "error")
    assert refused.message == "电子邮箱“wanghai@”无效(“@”后缺少域名),未采用。请填写一个如 name@example.com 的邮箱地址。"
    assert result.liaison == {"姓名": "王海", "职务": "主任", "联系电话": "0471-6218033", "电子邮箱": "", "行号": 3}
