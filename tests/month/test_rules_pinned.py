"""The month's rules pinned on plain data: boundaries, switches and the exact words of each judgment.

Each expected value is worked out by hand from the settings' defaults (pace 50, yellow 10 points behind, red 30;
progress weights 0 / 50 / 100; 20 + 10 timeliness points; 20 quality points less 2 per problem)."""

import dataclasses
import datetime as dt

import pytest

from xlsx_tracker.base.model import Assignment, Indicator, Problem
from xlsx_tracker.calendar.workdays import Deadline
from xlsx_tracker.master.settings import Lights, Scoring
from xlsx_tracker.month.followups import FOLLOW_UP_KINDS, follow_up_conditions, follow_up_rule, follow_ups
from xlsx_tracker.month.ledger import ESTIMATED, MonthRecords, Submission
from xlsx_tracker.month.lights import GREEN, RED, YELLOW, indicator_bands, indicator_lights, light_rules, time_pace, unit_lights
from xlsx_tracker.month.rows import (
    PENDING,
    RETURNED,
    REVIEWED,
    RowState,
    _counted,
    _resent_unchanged,
    blank_units,
    group,
    is_overdue,
    mean,
    review_status,
    row_states,
    slipped_rows,
    stale_rows,
    stalled_and_overdue,
    stalled_rows,
)
from xlsx_tracker.month.scoring import IndicatorState, indicator_state, indicator_states, level1_progress, rank, scoring_rules, unit_score, unit_scores

from .rows import row, task

DEADLINE = Deadline("2024-08", dt.date(2024, 8, 20), dt.date(2024, 8, 20), "", False)
WEIGHTS = {"未启动": 0.0, "推进中": 50.0, "已完成": 100.0, "无此情形(已作说明)": 100.0}
MAIN1, BONUS1, VETO1 = Indicator("main", 1, "一", "(一)", "指标", "1"), Indicator("bonus", 1, "一", "(一)", "加分", "加1"), \
    Indicator("veto", 1, "一", "(一)", "否决", "否决1")


def sub(unit="甲", received="2024-08-19 10:00:00", how="收件目录日期"):
    return Submission(unit * 8, "2024-08", unit, f"{unit}.xlsx", "", 1, "", "", "", "", "", "applied", "", "", received, how)


ON_TIME, LIGHTS, SCORING = sub(), Lights(), Scoring()


def records(**given):
    return MonthRecords("2024-08", given.pop("accepted", {}), [], given.pop("values", {}), given.pop("evidence", {}), [], **given)


def grade(progress, submission=ON_TIME, rows=(), rules=LIGHTS, pace=50.0, problems=(), stale=None, slipped=None, blank=False,
          earlier_values=()):
    score = unit_score("甲", progress, submission, 0, DEADLINE, Scoring(), blank)
    rows = list(rows) or [row("甲", "推进中", "1", planned="2024-12-31")]
    [light] = unit_lights(rules, rows, [score], list(problems), stale or {}, slipped or {}, records(earlier_values=list(earlier_values)),
                          dt.date(2024, 8, 20), pace)
    return light.light, light.reasons


# ---------------------------------------------------------------- unit lights

@pytest.mark.parametrize(("progress", "expected"), [
    (41.0, (GREEN, ())),  # 9 points behind
    (40.0, (YELLOW, ("落后序时进度 10 个百分点",))),  # exactly 10: yellow
    (21.0, (YELLOW, ("落后序时进度 29 个百分点",))),
    (20.0, (RED, ("落后序时进度 30 个百分点",))),  # exactly 30: red, and not yellow too
    (60.0, (GREEN, ())),  # ahead of the pace
])
def test_the_behind_boundaries(progress, expected):
    assert grade([progress]) == expected


def test_a_unit_not_returned_is_never_judged_on_its_progress():
    assert grade([0.0], submission=None, rules=Lights(red_not_returned=False)) == (GREEN, ())


def test_a_blank_form_is_red_with_its_own_reason():
    assert grade([0.0], submission=None, blank=True) == (RED, ("报送空表",))


def test_a_declared_veto_is_red_and_names_the_items():
    rows = [row("甲", "推进中", "1", planned="2024-12-31"), row("甲", "已发生", "否决2", section="veto"), row("甲", "未发生", "否决3", section="veto")]
    assert grade([50.0], rows=rows) == (RED, ("申报否决项情形已发生(否决2)",))
    assert grade([50.0], rows=rows, rules=Lights(red_veto_declared=False)) == (GREEN, ())


def test_red_reasons_only_when_red_and_every_yellow_reason_when_yellow():
    late = sub(received="2024-08-21 09:00:00")
    assert grade([50.0], submission=late, stale={"甲": ["1"]}) == (YELLOW, ("逾期报送", "本月进展未更新"))
    overdue = [row("甲", "推进中", "1", planned="2024-08-19")]
    assert grade([50.0], submission=late, rows=overdue) == (RED, ("1 项超过预计完成时间仍未完成",))


@pytest.mark.parametrize("switch", ["red_not_returned", "red_overdue", "yellow_late", "yellow_stale", "yellow_slipped", "yellow_errors",
                                    "yellow_returned"])
def test_each_switch_turns_its_rule_off(switch):
    rules = Lights(**{switch: False})
    given = {"red_not_returned": {"submission": None, "progress": [60.0]},
             "red_overdue": {"rows": [row("甲", "推进中", "1", planned="2024-08-01")]},
             "yellow_late": {"submission": sub(received="2024-08-21 09:00:00")},
             "yellow_stale": {"stale": {"甲": ["1"]}},
             "yellow_slipped": {"slipped": {"甲": [("1", ["2024-09-30", "2024-12-31"])]}},
             "yellow_errors": {"problems": [Problem("invalid-status", "", unit="甲", severity="error")]},
             "yellow_returned": {"rows": [dataclasses.replace(row("甲", "已完成", "1"), review=RETURNED, counted="推进中")]}}[switch]
    progress = given.pop("progress", [50.0])
    assert grade(progress, rules=Lights(), **given)[0] != GREEN
    assert grade(progress, rules=rules, **given) == (GREEN, ())


def test_a_returned_claim_makes_a_unit_yellow_the_claim_still_waiting_does_not():
    claim = row("甲", "已完成", "1")
    returned = [dataclasses.replace(claim, review=RETURNED, counted="推进中"), row("甲", "推进中", "2", planned="2024-12-31"),
                dataclasses.replace(row("甲", "已完成", "3"), review=RETURNED, counted="推进中")]
    assert grade([50.0], rows=returned) == (YELLOW, ("2 项审核退回",))
    assert grade([50.0], rows=[dataclasses.replace(claim, review=PENDING)]) == (GREEN, ())
    assert grade([50.0], rows=[dataclasses.replace(claim, review=REVIEWED)]) == (GREEN, ())
    other = [dataclasses.replace(RowState(claim.assignment.__class__(claim.assignment.task, "乙"), claim.values, "乙.xlsx"), review=RETURNED)]
    assert grade([50.0], rows=[claim, *other]) == (GREEN, ())  # another unit's return is not this unit's


def test_warnings_and_other_units_errors_do_not_make_a_unit_yellow():
    problems = [Problem("x", "", unit="甲", severity="warning"), Problem("x", "", unit="乙", severity="error"), Problem("x", "", severity="error")]
    assert grade([50.0], problems=problems) == (GREEN, ())


def test_a_task_not_started_two_months_running_is_red():
    earlier = [("2024-07", {"甲": {"1": {"进展状态": "未启动"}}})]
    assert grade([50.0], rows=[row("甲", "未启动", "1")], earlier_values=earlier) == (RED, ("1 项连续2个月未启动",))
    assert grade([50.0], rows=[row("甲", "未启动", "1")], earlier_values=[("2024-07", {"甲": {"1": {"进展状态": "推进中"}}})]) == (GREEN, ())


def test_red_months_running_and_the_watch_list():
    score = unit_score("甲", [0.0], None, 0, DEADLINE, Scoring())
    earlier = [("2024-07", {"甲": RED})]
    [light] = unit_lights(Lights(watch_reds=2), [row("甲", "", "1")], [score], [], {}, {}, records(earlier_lights=earlier), dt.date(2024, 8, 20), 50.0)
    assert (light.reds_running, light.watch) == (2, True)
    [green] = unit_lights(Lights(), [row("甲", "推进中", "1")], [unit_score("甲", [50.0], sub(), 0, DEADLINE, Scoring())], [], {}, {},
                          records(earlier_lights=earlier), dt.date(2024, 8, 20), 50.0)
    assert (green.light, green.reds_running, green.watch) == (GREEN, 0, False)


def test_time_pace():
    assert time_pace(Lights(), dt.date(2024, 4, 2)) == 0.4  # 1 day of 274
    assert time_pace(Lights(), dt.date(2024, 3, 1)) == 0.0
    assert time_pace(Lights(), dt.date(2025, 1, 31)) == 100.0
    assert time_pace(Lights(pace_start=dt.date(2024, 5, 1), pace_end=dt.date(2024, 5, 1)), dt.date(2024, 4, 1)) == 100.0
    assert time_pace(Lights(pace_start=dt.date(2024, 5, 1), pace_end=dt.date(2024, 5, 2)), dt.date(2024, 5, 1)) == 0.0  # one day long


def test_the_light_rules_in_words():
    assert light_rules(Lights()) == [
        "1. 红灯:自查申报否决项情形“已发生”;未报送(含报送空表);有任务超过预计完成时间或完成时限仍未完成;同一任务连续 2 个月“未启动”;"
        "平均进度落后序时进度 30 个百分点及以上。",
        "2. 黄灯:逾期报送;本月进展未更新;预计完成时间延后;报送文件有“错误”级问题;有任务审核退回;落后序时进度 10 个百分点及以上。",
        "3. 绿灯:其余单位。",
        "4. 序时进度 = 自 2024-04-01 至 2024-12-31 已过时间的比例(按报送截止日计);指标按同样的落后幅度亮灯,否决项有单位申报“已发生”即红灯。",
        "5. 连续 3 个月红灯的单位列入约谈/挂牌督办名单;各月亮灯结果在汇总和审核时记入台账,连续红灯按记入的结果计算(之后改动规则不影响已记入的月份)。"]
    off = light_rules(Lights(red_veto_declared=False, red_not_returned=False, red_overdue=False, yellow_late=False, yellow_stale=False,
                             yellow_slipped=False, yellow_errors=False, yellow_returned=False))
    assert off[:2] == ["1. 红灯:同一任务连续 2 个月“未启动”;平均进度落后序时进度 30 个百分点及以上。", "2. 黄灯:落后序时进度 10 个百分点及以上。"]


# ---------------------------------------------------------------- indicator lights

def state(indicator, assignments, done, progress, declared=(), undeclared=0):
    return IndicatorState(indicator, assignments, done, progress, tuple(declared), undeclared)


def test_indicator_lights():
    found = indicator_lights(Lights(), [
        state(MAIN1, 4, 0, 41.0), state(MAIN1, 4, 0, 40.0), state(MAIN1, 4, 1, 20.0), state(MAIN1, 4, 4, 0.0),
        state(BONUS1, 4, 0, 0.0), state(VETO1, 3, 1, 0.0, declared=("甲", "乙")), state(VETO1, 3, 3, 0.0)], 50.0)
    assert [(x.key, x.light, x.reasons) for x in found] == [
        ("1", GREEN, ()),
        ("1", YELLOW, ("落后序时进度 10 个百分点",)),
        ("1", RED, ("落后序时进度 30 个百分点",)),
        ("1", GREEN, ()),  # every assignment done (已完成), whatever the pace
        ("加分项1", GREEN, ()),  # 加分项 are not graded on the pace
        ("否决项1", RED, ("甲、乙申报已发生",)),
    ]  # a veto nobody declared gets no light
    assert all((x.reds_running, x.watch) == (0, False) for x in found)  # an indicator has no run of red months


def test_the_lights_in_words():
    assert (GREEN, YELLOW, RED) == ("绿灯", "黄灯", "红灯")  # what the report, the 通报 and the ledger print and keep


# ---------------------------------------------------------------- scores and indicator states

def test_indicator_status_and_percent():
    assert state(MAIN1, 2, 2, 100.0).status == "已完成"
    assert state(MAIN1, 2, 1, 75.0).status == "推进中"
    assert state(MAIN1, 2, 0, 0.0).status == "未启动"
    assert state(MAIN1, 0, 0, 0.0).status == "未启动"  # no assignment is not a completed indicator
    assert (state(MAIN1, 4, 1, 0.0).percent_done, state(MAIN1, 0, 0, 0.0).percent_done) == (25.0, 0.0)
    assert (state(VETO1, 4, 2, 0.0, ("甲",), 1).status, state(VETO1, 4, 3, 0.0, (), 1).status, state(VETO1, 4, 4, 0.0).status) == (
        "已发生", "待申报", "未发生")
    assert state(VETO1, 4, 2, 0.0, ("甲",), 1).is_veto and not state(BONUS1, 1, 0, 0.0).is_veto
    assert state(VETO1, 6, 3, 0.0, ("甲", "乙"), 1).veto_note == "已发生:甲、乙;申报未发生 3 个单位;未申报 1 个单位"
    assert state(VETO1, 3, 3, 0.0).veto_note == "申报未发生 3 个单位"


def test_indicator_states_group_rows_by_section_and_number():
    rows = [row("甲", "已完成", "1"), row("乙", "推进中", "1"), row("丙", "未启动", "加1", section="bonus"),
            row("甲", "已发生", "否决1", section="veto"), row("乙", "已发生", "否决1", section="veto"), row("丙", "未发生", "否决1", section="veto"),
            row("丁", "", "否决1", section="veto")]
    main, bonus, veto = indicator_states([MAIN1, BONUS1, VETO1], rows, WEIGHTS)
    assert (main.assignments, main.done, main.progress) == (2, 1, 75.0)
    assert (bonus.assignments, bonus.done, bonus.progress, bonus.status) == (1, 0, 0.0, "未启动")
    assert (veto.assignments, veto.done, veto.declared, veto.undeclared, veto.progress) == (4, 1, ("乙", "甲"), 1, 0.0)  # no progress on vetoes
    assert indicator_state(MAIN1, [], WEIGHTS).progress == 0.0


def test_unit_score_timeliness_edges():
    on_the_day = unit_score("甲", [100.0], sub(received="2024-08-20 23:59:00"), 0, DEADLINE, Scoring())
    late = unit_score("甲", [100.0], sub(received="2024-08-21 00:00:00", how=ESTIMATED), 0, DEADLINE, Scoring())
    unknown = unit_score("甲", [100.0], sub(received=""), 0, DEADLINE, Scoring())
    assert (on_the_day.on_time, on_the_day.timeliness_points, on_the_day.timeliness_text, on_the_day.total) == (True, 20, "按时", 100.0)
    assert (late.on_time, late.timeliness_points, late.timeliness_text, late.total) == (False, 10, "逾期(推定)", 90.0)
    assert (unknown.on_time, unknown.timeliness_points) == (True, 20)  # no receipt time: not held against the unit
    missing = unit_score("甲", [100.0], None, 3, DEADLINE, Scoring())
    assert (missing.returned, missing.on_time, missing.progress, missing.total, missing.received_how, missing.file_name, missing.rows,
            missing.timeliness_text) == (False, False, 0.0, 0, "", "", 1, "未报送")
    assert (on_the_day.received_how, on_the_day.file_name, on_the_day.received_at) == ("收件目录日期", "甲.xlsx", "2024-08-20 23:59:00")


def test_unit_scores_leave_out_veto_rows_and_count_only_errors_and_warnings():
    rows = [row("甲", "已完成", "1"), row("甲", "未启动", "2"), row("甲", "已发生", "否决1", section="veto"), row("乙", "推进中", "1")]
    problems = [Problem("x", "", unit="甲", severity="error"), Problem("x", "", unit="甲", severity="warning"),
                Problem("x", "", unit="甲", severity="info"), Problem("x", "", severity="error")]
    scores = unit_scores(["甲", "乙", "丙"], rows, {"甲": sub("甲"), "乙": sub("乙"), "丙": sub("丙")}, problems, DEADLINE, WEIGHTS, Scoring(),
                         blank={"丙"})
    by = {s.unit: s for s in scores}
    # 甲: (100 + 0) / 2 = 50 % -> 30 + 20 + (20 - 2 x 2) = 66; 乙: 50 % -> 30 + 20 + 20 = 70; 丙: a blank form scores nothing
    assert [(s.unit, s.rank, s.total, s.rows, s.problem_count) for s in scores] == [("乙", 1, 70.0, 1, 0), ("甲", 2, 66.0, 2, 2), ("丙", 3, 0, 0, 0)]
    assert (by["丙"].returned, by["丙"].blank, by["丙"].timeliness_text) == (False, True, "报送空表")


def test_a_total_is_rounded_to_two_decimals():
    # 50 / 7 = 7.142857 % -> 60 x 7.142857 / 100 = 4.285714 progress points; + 20 on time + 20 quality = 44.285714 -> 44.29
    assert unit_score("甲", [50.0, 0, 0, 0, 0, 0, 0], sub(), 0, DEADLINE, Scoring()).total == 44.29


def test_a_row_not_reported_counts_zero_everywhere():
    rows = [row("甲", "已完成", "1"), row("甲", "", "2"), row("乙", "", "1")]
    [first, second] = unit_scores(["甲", "乙"], rows, {"甲": sub("甲"), "乙": sub("乙")}, [], DEADLINE, WEIGHTS, Scoring())
    assert [(s.unit, s.progress) for s in (first, second)] == [("甲", 50.0), ("乙", 0.0)]
    assert indicator_state(MAIN1, rows, WEIGHTS).progress == 100 / 3  # (100 + 0 + 0) / 3
    assert level1_progress(rows, WEIGHTS) == {"一、政府职能依法全面履行": 100 / 3}


def test_rank_ties_share_a_place_and_are_listed_by_name():
    scores = [unit_score(u, [p], sub(u), 0, DEADLINE, Scoring()) for u, p in [("丁", 50.0), ("乙", 100.0), ("甲", 100.0), ("丙", 0.0)]]
    assert [(s.unit, s.rank) for s in rank(scores)] == [("乙", 1), ("甲", 1), ("丁", 3), ("丙", 4)]


def test_level1_progress_counts_main_rows_only():
    other = Assignment(dataclasses.replace(task("3"), level1="二、依法行政制度体系"), "甲")
    rows = [row("甲", "已完成", "1"), row("乙", "未启动", "2"), row("甲", "已完成", "加1", section="bonus"),
            RowState(other, {"进展状态": "推进中"}, "甲.xlsx")]
    assert level1_progress(rows, WEIGHTS) == {"一、政府职能依法全面履行": 50.0, "二、依法行政制度体系": 50.0}


def test_the_scoring_rules_say_how_unreviewed_claims_count():
    counted, strict = scoring_rules(Scoring()), scoring_rules(Scoring(count_unreviewed_as_done=False))
    assert "待审核的“已完成”暂计为完成(" in counted[0]
    assert "待审核的“已完成”按“推进中”计,审核通过后才计为完成(" in strict[0]
    assert counted[0].startswith("1. 单项进度:未启动 = 0;推进中 = 50;已完成 = 100;无此情形(已作说明) = 100;")
    assert counted[1].startswith("2. 单位得分(满分100)= 进度分 + 及时分 + 质量分;进度分 = 60 × 平均进度(%)÷ 100,")
    assert counted[2].startswith("3. 及时分:按时报送 20 分,逾期报送 10 分,未报送 0 分。")
    assert counted[3].startswith("4. 质量分:满分 20 分,该单位文件每有一条“错误”或“提醒”级校验问题扣 2 分,")


# ---------------------------------------------------------------- rows: what counts as done

@pytest.mark.parametrize(("status", "review", "count_claims", "expected"), [
    ("已完成", REVIEWED, False, ""), ("推进中", REVIEWED, False, "已完成"),  # closed: done for good
    ("已完成", RETURNED, True, "推进中"), ("无此情形(已作说明)", RETURNED, True, "推进中"),  # returned: never done
    ("已完成", PENDING, True, ""), ("已完成", PENDING, False, "推进中"),  # awaiting review: as the setting says
    ("推进中", "", False, ""), ("未启动", RETURNED, False, ""),
])
def test_the_counted_status(status, review, count_claims, expected):
    assert _counted(status, review, count_claims) == expected


def test_review_status_from_the_decisions():
    passed = [("2024-06", "退回", "材料不足", "x"), ("2024-07", "通过", "", "y")]
    returned_now = [("2024-08", "退回", "缺文号", "x")]
    returned_before = [("2024-07", "退回", "缺文号", "x")]
    assert review_status("推进中", passed, "2024-08") == (REVIEWED, "")
    assert review_status("已完成", returned_now, "2024-08") == (RETURNED, "缺文号")
    assert review_status("已完成", returned_before, "2024-08") == (PENDING, "缺文号")
    assert review_status("推进中", returned_before, "2024-08") == ("", "缺文号")
    assert review_status("已完成", [], "2024-08") == (PENDING, "")
    assert review_status("推进中", [], "2024-08") == ("", "")


def test_a_returned_claim_resent_unchanged():
    decisions = [("2024-07", "退回", "缺文号", " 已印发 ")]
    assert _resent_unchanged({"本月工作进展": "已印发"}, decisions, "2024-08") is True
    assert _resent_unchanged({"本月工作进展": "已印发,文号见附件"}, decisions, "2024-08") is False
    assert _resent_unchanged({"本月工作进展": "已印发"}, decisions, "2024-07") is False  # returned this month: not a resend
    assert _resent_unchanged({"本月工作进展": "已印发"}, [("2024-07", "通过", "", "已印发")], "2024-08") is False
    assert _resent_unchanged({"本月工作进展": "已印发"}, [("2024-07", "退回", "缺文号")], "2024-08") is False  # no claim text kept


def test_overdue_is_strictly_before_today_and_only_for_unfinished_main_rows():
    today = dt.date(2024, 8, 20)
    assert is_overdue(row("甲", "推进中", planned="2024-08-19"), today)
    assert not is_overdue(row("甲", "推进中", planned="2024-08-20"), today)
    assert not is_overdue(row("甲", "已完成", planned="2024-08-01"), today)
    assert not is_overdue(row("甲", "未发生", "否决1", section="veto", planned="2024-08-01"), today)
    assert not is_overdue(row("甲", "推进中"), today)


def test_stalled_rows_need_cycles_months():
    key = ("甲", "1")
    assert stalled_rows([row("甲", "未启动")], [{key: "未启动"}], 2) == {"甲": ["1"]}
    assert stalled_rows([row("甲", "未启动")], [{key: "未启动"}], 1) == {}  # fewer than 2 cycles: never stalled
    assert stalled_rows([row("甲", "未启动")], [{key: "未启动"}], 3) == {}  # not enough months yet
    assert stalled_rows([row("甲", "未启动")], [{key: "推进中"}, {key: "未启动"}, {key: "未启动"}], 3) == {"甲": ["1"]}
    assert stalled_rows([row("甲", "未启动")], [{key: "未启动"}, {key: "推进中"}, {key: "未启动"}], 3) == {}
    assert stalled_rows([row("甲", "推进中")], [{key: "未启动"}], 2) == {}


@pytest.mark.parametrize("cycles, stalled", [(2, True), (3, True), (4, False), (5, False)])  # 推进中 in May ends the run
def test_stalled_and_overdue_looks_at_the_last_cycles_months_of_a_long_year(cycles, stalled):
    earlier = [(f"2024-0{m}", {"甲": {"1": {"进展状态": status}}})
               for m, status in zip(range(1, 8), ["推进中", "未启动", "未启动", "未启动", "推进中", "未启动", "未启动"], strict=True)]
    found, overdue = stalled_and_overdue([row("甲", "未启动", planned="2024-08-01")], records(earlier_values=earlier), cycles,
                                         dt.date(2024, 8, 20))
    assert found == ({"甲": ["1"]} if stalled else {})
    assert overdue == {"甲": ["1"]}
    assert stalled_and_overdue([row("甲", "未启动")], records(earlier_values=earlier), cycles, dt.date(2024, 8, 20),
                               overdue={"乙": ["9"]})[1] == {"乙": ["9"]}  # given by the caller: not worked out again


def progress_row(unit, status, text, task_id="1", section="main", planned=""):
    return RowState(Assignment(task(task_id, section), unit), {"进展状态": status, "本月工作进展": text, "预计完成时间": planned}, f"{unit}.xlsx")


def test_stale_rows_are_unfinished_main_rows_with_the_same_text():
    earlier = [("2024-06", {"甲": {"1": {"本月工作进展": "旧"}}}),
               ("2024-07", {"甲": {"1": {"本月工作进展": "起草中 "}, "2": {"本月工作进展": "已印发"}, "否决1": {"本月工作进展": "无"}},
                            "乙": {"1": {"本月工作进展": ""}}})]
    rows = [progress_row("甲", "推进中", " 起草中"), progress_row("甲", "已完成", "已印发", "2"), progress_row("甲", "未发生", "无", "否决1", "veto"),
            progress_row("乙", "推进中", "")]
    assert stale_rows(rows, earlier) == {"甲": ["1"]}
    assert stale_rows(rows, []) == {}


def test_slipped_rows_list_each_date_once():
    earlier = [("2024-06", {"甲": {"1": {"预计完成时间": "2024-09-30"}, "2": {"预计完成时间": "2024-09-30"}}}),
               ("2024-07", {"甲": {"1": {"预计完成时间": "2024-09-30"}, "2": {"预计完成时间": "2024-10-31"}}})]
    rows = [progress_row("甲", "推进中", "x", "1", planned="2024-10-31"), progress_row("甲", "推进中", "x", "2", planned="2024-10-31"),
            progress_row("乙", "推进中", "x", "1", planned="2024-12-31")]
    assert slipped_rows(rows, earlier) == {"甲": [("1", ["2024-09-30", "2024-10-31"])]}  # 2 did not move this month; 乙 has no history
    done = [progress_row("甲", "已完成", "x", "1", planned="2024-12-31")]
    assert slipped_rows(done, earlier) == {}
    assert slipped_rows([progress_row("甲", "推进中", "x", "1", planned="2024-12-31")], earlier) == {
        "甲": [("1", ["2024-09-30", "2024-12-31"])]}


def test_blank_units_compare_with_what_was_carried():
    filled = {"1": {"进展状态": "推进中", "本月工作进展": "起草中"}}
    carried = {"1": {"进展状态": "推进中", "本月工作进展": "起草中"}}
    got = blank_units(records(accepted={"甲": sub("甲"), "乙": sub("乙"), "丙": sub("丙"), "丁": sub("丁")},
                              values={"甲": {"1": {"进展状态": None, "本月工作进展": ""}}, "乙": filled, "丙": carried,
                                      "丁": {"1": {"本月工作进展": "【审核退回】缺文号"}}},
                              earlier_values=[("2024-06", {"丙": {"1": {}}}), ("2024-07", {"丙": carried})]))
    assert got == {"甲", "丙", "丁"}  # 乙 wrote something new; 丙 sent back what it was given; 丁 only the return mark
    with_evidence = records(accepted={"甲": sub("甲")}, values={"甲": {}}, evidence={"甲": [{"编号": "1", "材料名称": "通知"}]})
    assert blank_units(with_evidence) == set()


def test_blank_units_compare_evidence_with_what_was_carried():
    carried = [{"编号": "1", "材料名称": "通知", "材料类型": "其他", "网址": "", "备注": ""}]
    same = records(accepted={"甲": sub("甲")}, values={"甲": {}}, evidence={"甲": [*carried, {"编号": "", "材料名称": ""}]},
                   carried_evidence={"甲": carried})
    assert blank_units(same) == {"甲"}  # the carried list sent back as it was (an empty row is no entry)
    changed = records(accepted={"甲": sub("甲")}, values={"甲": {}}, evidence={"甲": [{**carried[0], "备注": "新增"}]},
                      carried_evidence={"甲": carried})
    assert blank_units(changed) == set()


def test_a_row_not_returned_reads_as_not_reported():
    assert (row("甲", "").status, row("甲", "").counted_status) == ("未报送", "未报送")
    assert RowState(row("甲", "").assignment, {"进展状态": "已完成"}, "甲.xlsx", counted="推进中").counted_status == "推进中"


def test_mean_and_group():
    assert mean([]) == 0.0
    assert mean([50.0, 100.0]) == 75.0
    assert group(["a1", "b1", "a2"], lambda s: s[0]) == {"a": ["a1", "a2"], "b": ["b1"]}


# ---------------------------------------------------------------- follow-ups (催办)

def chase(score, rows=(), problems=(), stale=None, slipped=None, returned_rows=(), rules=SCORING, earlier_values=()):
    rows = list(rows) + list(returned_rows)
    return follow_ups(rows, [score], records(earlier_values=list(earlier_values)), rules, dt.date(2024, 8, 20), {"甲": {"姓名": "王海"}},
                      stale or {}, slipped or {}, {"甲": YELLOW}, problems)


def test_every_reason_for_a_follow_up_in_order():
    late = unit_score("甲", [50.0], sub(received="2024-08-23 10:00:00"), 0, DEADLINE, Scoring())
    rows = [row("甲", "推进中", "1", planned="2024-08-01"), row("甲", "未启动", "2")]
    returned = RowState(Assignment(task("3"), "甲"), {"进展状态": "已完成"}, "甲.xlsx", review=RETURNED)
    problems = [Problem("x", "", unit="甲", severity="error"), Problem("x", "", unit="甲", severity="error"),
                Problem("x", "", unit="甲", severity="warning")]
    [found] = chase(late, rows, problems, stale={"甲": ["4", "5"]}, slipped={"甲": [("6", ["2024-09-30", "2024-12-31"])]},
                    returned_rows=[returned], earlier_values=[("2024-07", {"甲": {"2": {"进展状态": "未启动"}}})])
    assert (found.unit, found.liaison, found.light) == ("甲", {"姓名": "王海"}, YELLOW)
    assert found.kinds == ("late", "errors", "overdue", "stalled", "stale", "returned", "slipped")
    assert found.reasons == ["逾期报送(2024-08-23收到)", "报送的表格有 2 处错误须改正", "1 项超过预计完成时间仍未完成:1",
                             "1 项连续2期未启动:2", "2 项本月进展未更新:4、5", "1 项审核退回:3", "1 项延期:6(2024-09-30 → 2024-12-31)"]


def test_not_returned_and_blank_are_chased_and_a_unit_in_order_is_not():
    missing = unit_score("甲", [0.0], None, 0, DEADLINE, Scoring())
    blank = unit_score("甲", [0.0], None, 0, DEADLINE, Scoring(), blank=True)
    fine = unit_score("甲", [50.0], sub(), 0, DEADLINE, Scoring())
    assert [(f.kinds, f.reasons) for f in chase(missing)] == [(("not-returned",), ["未报送"])]
    assert [(f.kinds, f.reasons) for f in chase(blank)] == [(("blank",), ["报送空表(报回的工作簿未填写)"])]
    assert chase(fine, [row("甲", "推进中", "1", planned="2024-12-31")], [Problem("x", "", unit="甲", severity="warning")]) == []


def test_several_tasks_of_a_reason_are_listed_together():
    fine = unit_score("甲", [50.0], sub(), 0, DEADLINE, Scoring())
    rows = [row("甲", "推进中", "1", planned="2024-08-01"), row("甲", "推进中", "2", planned="2024-08-02"), row("甲", "未启动", "3"),
            row("甲", "未启动", "4")]
    returned = [RowState(Assignment(task(t), "甲"), {"进展状态": "已完成"}, "甲.xlsx", review=RETURNED) for t in ("5", "6")]
    [found] = chase(fine, rows, returned_rows=returned, earlier_values=[("2024-07", {"甲": {"3": {"进展状态": "未启动"}, "4": {"进展状态": "未启动"}}})])
    assert found.reasons == ["2 项超过预计完成时间仍未完成:1、2", "2 项连续2期未启动:3、4", "2 项审核退回:5、6"]


def test_several_slipped_tasks_are_listed_together():
    fine = unit_score("甲", [50.0], sub(), 0, DEADLINE, Scoring())
    [found] = chase(fine, [row("甲", "推进中", "1", planned="2024-12-31")],
                    slipped={"甲": [("1", ["2024-09-30", "2024-12-31"]), ("2", ["2024-10-31", "2024-11-30", "2024-12-31"])]})
    assert found.reasons == ["2 项延期:1(2024-09-30 → 2024-12-31)、2(2024-10-31 → 2024-11-30 → 2024-12-31)"]


def test_the_follow_up_kinds_in_order():
    assert FOLLOW_UP_KINDS == ("not-returned", "blank", "late", "errors", "overdue", "stalled", "stale", "returned", "slipped")
    assert len(follow_up_conditions(Scoring())) == len(FOLLOW_UP_KINDS)  # one condition in words per kind


def test_the_follow_up_rule_in_words():
    assert follow_up_rule(Scoring(stalled_cycles=3)) == (
        "未报送;报送空表;逾期报送;报送的表格有“错误”级问题;有任务超过预计完成时间或完成时限仍未完成;有任务连续3期“未启动”;"
        "有任务本月进展与上月一字不差(未更新);有任务审核退回;有任务预计完成时间延后")


def test_indicators_not_green_are_grouped_by_band_worst_first():
    def main(n):
        return Indicator("main", n, "一", "(一)", f"指标{n}", str(n))
    states = [
        state(main(3), 4, 0, 41.0),  # 9 behind: green, not listed
        state(main(4), 4, 0, 40.0),  # 10 behind: the first yellow band
        state(main(5), 4, 0, 31.0),  # 19 behind: the first yellow band
        state(main(6), 4, 0, 30.0),  # 20 behind: the second
        state(main(7), 4, 0, 21.0),  # 29 behind: the second
        state(main(8), 4, 0, 20.0),  # 30 behind: red
        state(main(9), 4, 0, 0.0),  # 50 behind: red
        state(VETO1, 3, 1, 0.0, declared=("甲",))]
    assert indicator_bands(Lights(), indicator_lights(Lights(), states, 50.0)) == [
        (RED, "甲申报已发生", ["否决项1"]),
        (RED, "落后序时进度 30 个百分点及以上", ["8", "9"]),
        (YELLOW, "落后序时进度 20 个百分点以上(不足 30)", ["6", "7"]),
        (YELLOW, "落后序时进度 10 个百分点以上(不足 20)", ["4", "5"]),
    ]
    narrower = Lights(yellow_behind_points=15)
    assert indicator_bands(narrower, indicator_lights(narrower, states, 50.0))[2:] == [
        (YELLOW, "落后序时进度 25 个百分点以上(不足 30)", ["7"]),
        (YELLOW, "落后序时进度 15 个百分点以上(不足 25)", ["5", "6"]),
    ]


# ---------------------------------------------------------------- a row's review and the values it carries

def test_review_words_and_the_latest_return_decides():
    assert review_status("已完成", [], "2024-08") == ("待审核", "")
    assert review_status("推进中", [], "2024-08") == ("", "")
    twice = [("2024-06", "退回", "缺文号", "文一"), ("2024-07", "退回", "缺印发日期", "文二")]
    assert review_status("已完成", twice, "2024-07") == ("已退回", "缺印发日期")
    assert review_status("已完成", twice, "2024-08") == ("待审核", "缺印发日期")  # claimed again: waits anew, last reason kept
    assert review_status("推进中", twice, "2024-08") == ("", "缺印发日期")
    assert _resent_unchanged({"本月工作进展": "文二"}, twice, "2024-08") is True  # the latest return's text
    assert _resent_unchanged({"本月工作进展": "文一"}, twice, "2024-08") is False
    older_first = [("2024-06", "退回", "缺文号"), ("2024-07", "退回", "缺印发日期", "文二")]  # a return kept before claims were
    assert _resent_unchanged({"本月工作进展": "文二"}, older_first, "2024-08") is True  # the latest return decides


def test_rows_of_a_blank_form_carry_nothing_and_a_return_names_its_file(master):
    unit = "司法局"
    first, second = (a.task_id for a in master.assignments_for(unit)[:2])
    values = {unit: {first: {"进展状态": "已完成", "本月工作进展": "已印发"}, second: {"进展状态": "推进中", "本月工作进展": "已印发"}}}
    returned = records(accepted={unit: sub(unit)}, values=values,
                       reviews={(unit, first): [("2024-07", "退回", "缺文号", "已印发")], (unit, second): [("2024-07", "退回", "缺文号", "已印发")]})

    def of(rows, task_id):
        return next(r for r in rows if r.assignment.unit == unit and r.assignment.task_id == task_id)
    claim, other = of(row_states(master, returned), first), of(row_states(master, returned), second)
    assert (claim.status, claim.source, claim.review, claim.returned_unchanged) == ("已完成", f"{unit}.xlsx", "待审核", True)
    assert (other.review, other.returned_unchanged) == ("", False)  # not a claim now: nothing to say about a resend
    fresh = of(row_states(master, records(accepted={unit: sub(unit)}, values=values)), first)
    assert (fresh.review, fresh.returned_unchanged) == ("待审核", False)  # never returned: not a resend
    blank = of(row_states(master, returned, blank={unit}), first)
    assert (blank.status, blank.values, blank.source) == ("未报送", {}, "")  # a blank form's carried values count for nothing


def test_a_date_moved_back_to_where_it_started_is_listed_each_time():
    history = [("2024-06", {"甲": {"1": {"预计完成时间": "2024-12-31"}}}), ("2024-07", {"甲": {"1": {"预计完成时间": "2024-09-30"}}})]
    now = [row("甲", "推进中", "1", planned="2024-12-31")]
    assert slipped_rows(now, history) == {"甲": [("1", ["2024-12-31", "2024-09-30", "2024-12-31"])]}
