"""亮灯: each rule on plain data, and the memory of red months across three months of real merges."""

import datetime as dt

import openpyxl
import pytest

from xlsx_tracker.base.model import Problem
from xlsx_tracker.base.workspace import init_workspace
from xlsx_tracker.calendar.workdays import Deadline, ReportDay, previous_month
from xlsx_tracker.master.settings import Lights, Scoring
from xlsx_tracker.month.ledger import MonthRecords, Submission
from xlsx_tracker.month.lights import GREEN, RED, YELLOW, time_pace, unit_lights
from xlsx_tracker.month.merge import merge
from xlsx_tracker.month.scoring import unit_score
from xlsx_tracker.month.split import split
from xlsx_tracker.outputs.report import build_report

from .rows import row

DEADLINE = Deadline("2024-08", dt.date(2024, 8, 20), dt.date(2024, 8, 20), "", False)
RULES = Lights()


def sub(unit, received="2024-08-19", how="收件目录日期"):
    return Submission(unit * 8, "2024-08", unit, f"{unit}.xlsx", "", 1, "", "", "", "", "", "applied", "", "", received, how)


def grade(rows, submission, progress, problems=(), stale=None, slipped=None, earlier_lights=(), today=dt.date(2024, 8, 20), pace=50.0,
          month="2024-08", previous=previous_month):
    score = unit_score("甲", progress, submission, 0, DEADLINE, Scoring())
    records = MonthRecords(month, {}, [], {}, {}, [], earlier_lights=list(earlier_lights))
    [light] = unit_lights(RULES, rows, [score], list(problems), stale or {}, slipped or {}, records, today, pace, previous)
    return light


def test_time_pace_from_the_campaign_dates():
    assert time_pace(RULES, dt.date(2024, 4, 1)) == 0
    assert time_pace(RULES, dt.date(2024, 8, 16)) == 50.0
    assert time_pace(RULES, dt.date(2025, 3, 1)) == 100


@pytest.mark.parametrize(("case", "expected"), [
    ("not returned", (RED, ("未报送",))),
    ("overdue", (RED, ("1 项超过预计完成时间仍未完成",))),
    ("far behind", (RED, ("落后序时进度 40 个百分点",))),
    ("late", (YELLOW, ("逾期报送",))),
    ("stale", (YELLOW, ("本月进展未更新",))),
    ("slipped", (YELLOW, ("预计完成时间延后",))),
    ("errors", (YELLOW, ("报送文件有错误",))),
    ("behind", (YELLOW, ("落后序时进度 20 个百分点",))),
    ("fine", (GREEN, ())),
])
def test_each_rule(case, expected):
    rows = [row("甲", "推进中", "1", planned="2024-12-31")]
    submission, progress, extra = sub("甲"), [50.0], {}
    if case == "not returned":
        submission = None
    elif case == "overdue":
        rows = [row("甲", "推进中", "1", planned="2024-07-31")]
    elif case == "far behind":
        progress = [10.0]
    elif case == "late":
        submission = sub("甲", received="2024-08-22")
    elif case == "stale":
        extra["stale"] = {"甲": ["1"]}
    elif case == "slipped":
        extra["slipped"] = {"甲": [("1", ["2024-09-30", "2024-12-31"])]}
    elif case == "errors":
        extra["problems"] = [Problem("invalid-status", "", unit="甲", severity="error")]
    elif case == "behind":
        progress = [30.0]
    light = grade(rows, submission, progress, **extra)
    assert (light.light, light.reasons) == expected


def test_red_months_are_counted_from_kept_grades():
    earlier = [("2024-06", {"甲": RED}), ("2024-07", {"甲": RED})]
    light = grade([row("甲", "", "1")], None, [0.0], earlier_lights=earlier)
    assert (light.light, light.reds_running, light.watch) == (RED, 3, True)
    broken = grade([row("甲", "", "1")], None, [0.0], earlier_lights=[("2024-05", {"甲": RED}), ("2024-07", {"甲": RED})])
    assert (broken.reds_running, broken.watch) == (2, False)  # June was not red: the run starts in July


def test_a_quarterly_office_counts_red_quarters():
    earlier = [("2024-03", {"甲": RED}), ("2024-06", {"甲": RED})]
    light = grade([row("甲", "", "1")], None, [0.0], earlier_lights=earlier, month="2024-09",
                  previous=ReportDay(25, quarterly=True).previous)
    assert (light.light, light.reds_running, light.watch) == (RED, 3, True)


@pytest.fixture(scope="module")
def three_months(tmp_path_factory, master, calendar, month_of, filled_return):
    """司法局 returns on time each month; 人大办 never returns."""
    workspace = init_workspace(tmp_path_factory.mktemp("lights") / "工作区")
    books = {}
    for month in ("2024-04", "2024-05", "2024-06"):
        run = month_of(master, calendar, month, workspace)
        issued = {s.unit: s for s in split(run, issued_at=dt.datetime.fromisoformat(f"{month}-02 09:00"))}
        steady = {"进展状态": "推进中", "本月工作进展": f"{month} 完成了新的工作", "预计完成时间": dt.datetime(2024, 12, 31)}
        filled_return(issued["司法局"], workspace.root / "inbox" / month / f"{month}-10", seed=month,
                      values=lambda t, steady=steady: None if str(t).startswith("否决") else steady,  # under way, news each month, one target date
                      saved=dt.datetime.fromisoformat(f"{month}-10 09:00"))
        merge(run, workspace.root / "inbox" / month, now=dt.datetime.fromisoformat(f"{month}-21 09:00"))
        report, _ = build_report(run, generated=dt.datetime(2024, 7, 1))
        books[month] = openpyxl.load_workbook(report)
    return workspace, books


def lights_of(book):
    return {r[1].value: [c.value for c in r] for r in book["亮灯"].iter_rows(min_row=3) if r[0].value == "单位"}


def test_memory_across_three_months(three_months, master, calendar, month_of):
    workspace, books = three_months
    assert [lights_of(books[m])["人大办"][2:] for m in ("2024-04", "2024-05", "2024-06")] == [
        ["红灯", "未报送", 1, None], ["红灯", "未报送", 2, None], ["红灯", "未报送", 3, "列入约谈/挂牌督办"]]
    assert lights_of(books["2024-06"])["司法局"][2:5] == [GREEN, None, None]
    again, _ = build_report(month_of(master, calendar, "2024-05", workspace), generated=dt.datetime(2024, 7, 1))
    assert lights_of(openpyxl.load_workbook(again)) == lights_of(books["2024-05"])  # an old month re-run: the same lights
