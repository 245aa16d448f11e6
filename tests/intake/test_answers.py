"""No credit for empty answers: each rule of settings [answers] on plain returned rows, and its words on 说明."""

import pytest

from xlsx_tracker.intake.reconcile import answer_rules, reconcile
from xlsx_tracker.master.settings import Answers

from ..fields import fields
from .returned_rows import ISSUED, returned, task_row

NOTHING_REQUIRED = Answers(explain_not_applicable=False, progress_for_done=False, account_for_veto=False)


def check(*rows, answers=None):
    result = reconcile(returned(*rows), ISSUED, "司法局", "2024-05", answers or Answers())
    return result, fields(result.problems, ["code", "cell", "severity", "message"])


def test_not_applicable_without_a_reason_is_not_adopted():
    result, problems = check(task_row("1", 进展状态="无此情形(已作说明)"), task_row("2", 进展状态="推进中", 本月工作进展="起草中"),
                             task_row("否决1", 进展状态="未发生"))
    assert problems == [["not-applicable-unexplained", "K3", "error",
                         "进展状态为“无此情形(已作说明)”,但“本月工作进展”中没有写明理由,本项未采用、不计进度。请写明本单位为何不涉及此项任务。"]]
    assert result.rows["1"]["进展状态"] is None  # the row counts as not reported


def test_not_applicable_with_a_reason_counts():
    result, problems = check(task_row("1", 进展状态="无此情形(已作说明)", 本月工作进展="本单位无行政许可事项"))
    assert [p[0] for p in problems if p[0] != "missing-row"] == []
    assert result.rows["1"]["进展状态"] == "无此情形(已作说明)"


def test_done_without_progress_counts_as_in_progress_until_explained():
    result, problems = check(task_row("1", 进展状态="已完成", 本月工作进展="  "))
    assert [p for p in problems if p[0] != "missing-row"] == [[
        "done-without-progress", "K3", "warning",
        "进展状态为“已完成”,但“本月工作进展”为空,本月暂按“推进中”计。请写明完成情况(如印发文件的名称、文号和日期)。"]]
    assert result.rows["1"]["进展状态"] == "推进中"


def test_a_declared_veto_without_an_account_is_an_error_but_stays_declared():
    result, problems = check(task_row("否决1", 进展状态="已发生"))
    assert [p for p in problems if p[0] != "missing-row"] == [[
        "veto-without-account", "K3", "error",
        "否决项申报为“已发生”,但“本月工作进展”中没有写明具体情况。已按“已发生”记录;请写明发生的时间、事由和处置情况。"]]
    assert result.rows["否决1"]["进展状态"] == "已发生"


@pytest.mark.parametrize(("status", "veto"), [("无此情形(已作说明)", False), ("已完成", False), ("已发生", True)])
def test_each_rule_can_be_turned_off(status, veto):
    task_id = "否决1" if veto else "1"
    result, problems = check(task_row(task_id, 进展状态=status), answers=NOTHING_REQUIRED)
    assert [p[0] for p in problems if p[0] != "missing-row"] == []
    assert result.rows[task_id]["进展状态"] == status


def test_an_unfinished_status_needs_no_text():
    _, problems = check(task_row("1", 进展状态="推进中"), task_row("2", 进展状态="未启动"), task_row("否决1", 进展状态="未发生"))
    assert problems == []


def test_the_rules_in_force_are_printed_in_words():
    assert answer_rules(Answers()) == [
        "报“无此情形(已作说明)”须在“本月工作进展”中写明理由,否则不采用、不计进度(错误)。",
        "报“已完成”须写明“本月工作进展”,否则暂按“推进中”计、不进入审核销号(提醒)。",
        "否决项报“已发生”须在“本月工作进展”中写明具体情况,否则列为错误(仍按已发生处理)。",
    ]
    assert answer_rules(Answers(progress_for_done=False, account_for_veto=False)) == [answer_rules(Answers())[0]]
    assert answer_rules(NOTHING_REQUIRED) == []
