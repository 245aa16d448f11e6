"""The month state and its scores, computed from plain records: no ledger, no workbook."""

import dataclasses
import datetime as dt

import pytest

from xlsx_tracker.base.model import Indicator, Problem
from xlsx_tracker.calendar.workdays import Deadline
from xlsx_tracker.master.settings import Scoring
from xlsx_tracker.month.figures import key_figures
from xlsx_tracker.month.ledger import ESTIMATED, MonthRecords, Submission
from xlsx_tracker.month.rows import slipped_rows, stale_rows, stalled_rows
from xlsx_tracker.month.scoring import indicator_state, rank, unit_score
from xlsx_tracker.month.state import compute_state, roster_now, superseded_reason

from .rows import row

DEADLINE = Deadline("2024-05", dt.date(2024, 5, 20), dt.date(2024, 5, 20), "当日为工作日,不调整", False)
RULES = Scoring()
WEIGHTS = {k: float(v) for k, v in RULES.status_progress.items()}


def submission(unit, saved_at="2024-05-18 10:00:00", name=None, issued="2024-05-06 09:00:00", received=None, how=ESTIMATED):
    """A recorded return; unless told otherwise it was received when it was saved (an estimate, as without mail)."""
    return Submission("a" * 64 if name is None else name * 64, "2024-05", unit, name or f"{unit}.xlsx", "archive/x.zip/a",
                      100, issued, saved_at, "隐藏表", "v1", "2024-05-21 09:00:00", "applied", "", "",
                      saved_at if received is None else received, how)


def test_unit_score_on_time_with_problems():
    score = unit_score("司法局", [100, 50, 0, 100], submission("司法局"), 3, DEADLINE, RULES)
    # 62.5% -> 37.5 progress points, on time 20, quality 20 - 3 x 2 = 14
    assert (score.progress, score.progress_points, score.timeliness_points, score.quality_points, score.total) == (
        62.5, 37.5, 20, 14, 71.5)
    assert score.timeliness_text == "按时(推定)"


def test_unit_score_late_and_not_returned():
    late = unit_score("司法局", [100], submission("司法局", saved_at="2024-05-21 08:00:00"), 0, DEADLINE, RULES)
    assert (late.timeliness_points, late.total, late.timeliness_text) == (10, 90, "逾期(推定)")
    missing = unit_score("政府办", [100, 100], None, 0, DEADLINE, RULES)
    assert (missing.progress, missing.total, missing.timeliness_text) == (0, 0, "未报送")


def test_quality_never_below_zero():
    score = unit_score("司法局", [0], submission("司法局"), 50, DEADLINE, RULES)
    assert score.quality_points == 0


def test_competition_ranking():
    scores = [unit_score(u, [p], submission(u), 0, DEADLINE, RULES) for u, p in [("乙", 50), ("甲", 100), ("丙", 50), ("丁", 0)]]
    assert [(s.unit, s.rank) for s in rank(scores)] == [("甲", 1), ("丙", 2), ("乙", 2), ("丁", 4)]


def test_indicator_state_main():
    indicator = Indicator("main", 1, "一", "(一)", "原文", "1")
    state = indicator_state(indicator, [row("甲", "已完成"), row("乙", "推进中"), row("丙", "")], WEIGHTS)
    assert (state.assignments, state.done, round(state.percent_done, 1), state.progress, state.status) == (3, 1, 33.3, 50, "推进中")
    done = indicator_state(indicator, [row("甲", "已完成"), row("乙", "无此情形(已作说明)")], WEIGHTS)
    assert done.status == "已完成"


def test_indicator_state_veto_names_who_declared():
    indicator = Indicator("veto", 1, "十、附加项", "否决项", "发生重大违法行政案件", "否决1")
    rows = [row("甲", "已发生", "否决1", "veto"), row("乙", "未发生", "否决1", "veto"), row("丙", "", "否决1", "veto")]
    state = indicator_state(indicator, rows, WEIGHTS)
    assert (state.status, state.declared, state.done, state.undeclared) == ("已发生", ("甲",), 1, 1)
    assert state.veto_note == "已发生:甲;申报未发生 1 个单位;未申报 1 个单位"
    pending = indicator_state(indicator, rows[1:], WEIGHTS)
    assert (pending.status, pending.veto_note) == ("待申报", "申报未发生 1 个单位;未申报 1 个单位")
    clear = indicator_state(indicator, rows[1:2], WEIGHTS)
    assert clear.status == "未发生"


def test_stalled_rows_need_every_earlier_cycle():
    rows = [row("甲", "未启动", "1"), row("甲", "未启动", "2"), row("乙", "推进中", "1")]
    earlier = [{("甲", "1"): "未启动", ("甲", "2"): "推进中"}]
    assert stalled_rows(rows, earlier, 2) == {"甲": ["1"]}
    assert stalled_rows(rows, [], 2) == {}  # no history yet
    assert stalled_rows(rows, earlier, 3) == {}  # one earlier month is not two


@pytest.fixture
def records(master):
    """Two units returned (one superseded copy), one with a warning and an info problem."""
    justice, office = submission("司法局"), submission("政府办", saved_at="2024-05-22 10:00:00", name="b")
    values = {"司法局": {a.task_id: {"进展状态": "已完成", "预计完成时间": ""} for a in master.assignments_for("司法局")},
              "政府办": {a.task_id: {"进展状态": "推进中", "预计完成时间": "2024-05-01"} for a in master.assignments_for("政府办")}}
    for unit in values:
        for task_id in values[unit]:
            if task_id.startswith("否决"):
                values[unit][task_id] = {"进展状态": "未发生"}
    problems = [Problem("status-normalized", "进展状态不规范", "司法局.xlsx", "任务清单", "J3", "司法局", "warning"),
                Problem("rows-reordered", "顺序调整", "司法局.xlsx", "任务清单", "", "司法局", "info")]
    older = submission("司法局", saved_at="2024-05-10 10:00:00", name="c")
    return MonthRecords("2024-05", {"司法局": justice, "政府办": office}, [older], values,
                        {"司法局": [{"编号": "4/3", "材料名称": "文件"}]}, problems,
                        liaison_history=[("2024-05", "司法局", {"姓名": "王海"})])


def test_month_state_from_records(master, records):
    state = compute_state(master, DEADLINE, records)
    assert len(state.not_returned) == 30
    justice, office = state.unit("司法局"), state.unit("政府办")
    assert (justice.problem_count, justice.quality_points, justice.timeliness_text) == (1, 18, "按时(推定)")  # info is free
    assert (office.timeliness_text, office.progress) == ("逾期(推定)", 50)
    assert [p.code for p in state.problems] == ["status-normalized", "rows-reordered", "superseded"]
    assert state.problems[-1].message == ("同一单位重复报送,本文件未采用:采用保存时间较晚的“司法局.xlsx”"
                                          "(本文件 2024-05-10 10:00:00,采用文件 2024-05-18 10:00:00)(保留存档 archive/x.zip/a)。")
    figures = key_figures(state)
    assert (figures["on_time"], figures["late"], figures["not_returned"]) == (1, 1, 30)
    assert (figures["errors"], figures["warnings"], figures["infos"]) == (0, 1, 2)
    assert figures["veto_units"] == 0
    follow = {f.unit: f.reasons for f in state.follow_ups}
    assert "司法局" not in follow  # returned on time, nothing overdue
    assert follow["政府办"][0] == "逾期报送(2024-05-22收到)"
    assert follow["政府办"][1].startswith(f"{len(master.assignments_for('政府办')) - 2} 项超过预计完成时间仍未完成:")
    assert follow["人民法院"] == ["未报送"]



def test_per_unit_lookups_match_a_scan_of_every_row(master, records):
    state = compute_state(master, DEADLINE, records)
    for unit in ("司法局", "政府办", "人民法院"):
        assert state.rows_of(unit) == [r for r in state.rows if r.assignment.unit == unit]
        assert state.unit(unit) is next(u for u in state.units if u.unit == unit)
    assert [r.assignment.task_id for r in state.rows_of("司法局")] == [a.task_id for a in master.assignments_for("司法局")]
    assert (state.rows_of("不存在的单位"), state.unit("不存在的单位")) == ([], None)

def test_superseded_reasons_never_call_a_tie_newer():
    winner = submission("司法局", name="a")
    assert superseded_reason(submission("司法局", issued="2024-05-01 09:00:00", name="b"), winner)[0] == (
        "采用下发时间较新的“a”(本文件 2024-05-01 09:00:00,采用文件 2024-05-06 09:00:00)")
    assert superseded_reason(submission("司法局", saved_at="", name="b"), winner) == (  # no saved time: not “older”, a tie
        "与“a”无法判断先后,暂采用有保存时间的“a”,待人工确认", "")
    assert superseded_reason(submission("司法局", name="b"), winner) == (
        "两份文件下发、保存、收到时间都相同,按文件名顺序采用“a”", "文件名顺序")
    doubted = dataclasses.replace(submission("司法局", saved_at="2024-05-19 10:00:00", name="b"), doubt="文件名表明是政府办")
    assert superseded_reason(doubted, winner)[0] == "本文件文件名表明是政府办,采用该单位的“a”"


def test_a_tie_is_reported_for_the_office_to_decide(master, records):
    tied = dataclasses.replace(records, superseded=[submission("司法局", name="c")])
    state = compute_state(master, DEADLINE, tied)
    [tie] = [p for p in state.problems if p.code == "resubmission-tie"]
    assert tie.message == ("同一单位的“司法局.xlsx”与本文件下发时间、保存时间都相同,无法判断哪份在后;暂按文件名顺序采用“司法局.xlsx”。"
                           "请人工确认采用哪一份。")


def test_timeliness_is_judged_on_the_receipt_time_not_the_saved_time():
    """Saved on the 19th, received on the 25th: late. Saved on the 25th, received (by folder date) on the 20th: on time."""
    saved_early = submission("司法局", saved_at="2024-05-19 10:00:00", received="2024-05-25", how="收件目录日期")
    score = unit_score("司法局", [100], saved_early, 0, DEADLINE, RULES)
    assert (score.on_time, score.timeliness_text, score.received_at) == (False, "逾期", "2024-05-25")
    saved_late = submission("司法局", saved_at="2024-05-25 10:00:00", received="2024-05-20", how="汇总时指定")
    assert unit_score("司法局", [100], saved_late, 0, DEADLINE, RULES).timeliness_text == "按时"


def roster_records(history, month="2024-05"):
    return MonthRecords(month, {}, [], {}, {}, [], liaison_history=history)


def test_the_roster_is_updated_by_returns_and_changes_are_said():
    roster = {"司法局": {"姓名": "王海", "职务": "科员", "联系电话": "6218033", "电子邮箱": "wh@example.com"}}
    history = [("2024-04", "司法局", {"姓名": "王海", "联系电话": "6218034"}),
               ("2024-05", "司法局", {"姓名": "李娜", "职务": "副主任", "联系电话": "6218035"}),
               ("2024-05", "政府办", {"姓名": "张伟"})]
    now, changes = roster_now(roster, roster_records(history))
    assert now["司法局"] == {"姓名": "李娜", "职务": "副主任", "联系电话": "6218035", "电子邮箱": "wh@example.com"}
    assert now["政府办"] == {"姓名": "张伟"}
    assert [(p.unit, p.message) for p in changes] == [
        ("司法局", "联络员变更:王海(科员、6218034、wh@example.com) → 李娜(副主任、6218035、wh@example.com)(以本次报回的“联络员”表为准)。")]


def test_a_new_liaison_in_this_months_return_is_one_info_problem_of_the_unit():
    roster = {"司法局": {"姓名": "王海", "联系电话": "6218033"}, "区委办": {}}
    history = [("2024-05", "司法局", {"姓名": "张伟", "联系电话": "6218033"}),
               ("2024-05", "区委办", {"姓名": "刘芳"}),  # nobody known before: a first liaison is no change
               ("2024-05", "政府办", {"姓名": "李娜", "职务": ""})]  # nor is a unit the roster does not list
    _, changes = roster_now(roster, roster_records(history))
    assert [(p.code, p.file, p.sheet, p.cell, p.unit, p.severity, p.message) for p in changes] == [
        ("liaison-changed", "", "", "", "司法局", "info", "联络员变更:王海(6218033) → 张伟(6218033)(以本次报回的“联络员”表为准)。")]
    assert roster_now(roster, roster_records(history[:1], month="2024-06"))[1] == []  # a change of an earlier month is not said again


def test_stale_text_and_slipping_dates_against_earlier_months():
    rows = [row("甲", "推进中", "1"), row("甲", "推进中", "2"), row("甲", "已完成", "3")]
    rows[0].values.update({"本月工作进展": "正在梳理", "预计完成时间": "2024-08-31"})
    rows[1].values.update({"本月工作进展": "已起草", "预计完成时间": "2024-06-30"})
    rows[2].values.update({"本月工作进展": "已完成", "预计完成时间": "2024-09-30"})
    earlier = [("2024-03", {"甲": {"1": {"预计完成时间": "2024-06-30"}}}),
               ("2024-04", {"甲": {"1": {"本月工作进展": "正在梳理", "预计完成时间": "2024-07-31"},
                                  "2": {"本月工作进展": "已起草初稿", "预计完成时间": "2024-06-30"},
                                  "3": {"本月工作进展": "已完成", "预计完成时间": "2024-05-31"}}})]
    assert stale_rows(rows, earlier) == {"甲": ["1"]}  # row 3 is done: the same text is no news to ask for
    assert slipped_rows(rows, earlier) == {"甲": [("1", ["2024-06-30", "2024-07-31", "2024-08-31"])]}
