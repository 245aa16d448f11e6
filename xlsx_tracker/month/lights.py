"""Lights (亮灯): each unit's and each indicator's grade for the month, and the words that state the rules.

Each rule is one entry of `UNIT_RULES`: when it is on, what it says on the report's 说明, and the reason it
gives a unit. `unit_lights` applies exactly the rules `light_rules` prints, so the two cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

from ..calendar.workdays import previous_month
from ..master.settings import Lights
from .rows import RETURNED, past_due, stalled_and_overdue
from .scoring import IndicatorState, UnitScore

GREEN, YELLOW, RED = "绿灯", "黄灯", "红灯"


@dataclass(frozen=True)
class Light:
    """A unit's or an indicator's grade for the month, why, and how many months running it has been red."""

    key: str  # unit name, or indicator label
    light: str
    reasons: tuple[str, ...]
    reds_running: int = 0  # consecutive red months up to this one
    watch: bool = False  # on the 约谈/挂牌督办 list
    behind: float = 0.0  # an indicator's points behind the pace (what its band is read from)


@dataclass(frozen=True)
class UnitFacts:
    """What the light rules look at for one unit."""

    score: UnitScore
    behind: float  # points behind the time-elapsed pace
    overdue: int  # unfinished items past their planned date or the task's own deadline
    stalled: int  # items 未启动 for red_stalled_cycles months running
    stale: bool
    slipped: bool
    errors: bool
    vetoes: tuple[str, ...] = ()  # veto items the unit declared 已发生
    returned: int = 0  # claims the office returned (已退回) this month
    past_due: bool = False  # some of the overdue items are past the task's own deadline (an imported list's 完成时限)


@dataclass(frozen=True)
class LightRule:
    light: str  # RED or YELLOW
    on: Callable[[Lights], bool]
    describe: Callable[[Lights], str]  # the rule as 说明 prints it
    reason: Callable[[Lights, UnitFacts], str]  # why this unit meets it ("" = it does not)


UNIT_RULES = [
    LightRule(RED, lambda r: r.red_veto_declared, lambda r: "自查申报否决项情形“已发生”",
              lambda r, f: f"申报否决项情形已发生({'、'.join(f.vetoes)})" if f.vetoes else ""),
    LightRule(RED, lambda r: r.red_not_returned, lambda r: "未报送(含报送空表)",
              lambda r, f: "" if f.score.returned else "报送空表" if f.score.blank else "未报送"),
    LightRule(RED, lambda r: r.red_overdue, lambda r: "有任务超过预计完成时间或完成时限仍未完成",
              lambda r, f: f"{f.overdue} 项超过预计完成时间{'或完成时限' if f.past_due else ''}仍未完成" if f.overdue else ""),
    LightRule(RED, lambda r: True, lambda r: f"同一任务连续 {r.red_stalled_cycles} 个月“未启动”",
              lambda r, f: f"{f.stalled} 项连续{r.red_stalled_cycles}个月未启动" if f.stalled else ""),
    LightRule(RED, lambda r: True, lambda r: f"平均进度落后序时进度 {r.red_behind_points:g} 个百分点及以上",
              lambda r, f: f"落后序时进度 {math.floor(f.behind)} 个百分点" if f.score.returned and f.behind >= r.red_behind_points else ""),
    LightRule(YELLOW, lambda r: r.yellow_late, lambda r: "逾期报送",
              lambda r, f: "逾期报送" if f.score.returned and not f.score.on_time else ""),
    LightRule(YELLOW, lambda r: r.yellow_stale, lambda r: "本月进展未更新",
              lambda r, f: "本月进展未更新" if f.stale else ""),
    LightRule(YELLOW, lambda r: r.yellow_slipped, lambda r: "预计完成时间延后",
              lambda r, f: "预计完成时间延后" if f.slipped else ""),
    LightRule(YELLOW, lambda r: r.yellow_errors, lambda r: "报送文件有“错误”级问题",
              lambda r, f: "报送文件有错误" if f.errors else ""),
    LightRule(YELLOW, lambda r: r.yellow_returned, lambda r: "有任务审核退回",
              lambda r, f: f"{f.returned} 项审核退回" if f.returned else ""),
    LightRule(YELLOW, lambda r: True, lambda r: f"落后序时进度 {r.yellow_behind_points:g} 个百分点及以上",
              lambda r, f: f"落后序时进度 {math.floor(f.behind)} 个百分点"
              if f.score.returned and r.yellow_behind_points <= f.behind < r.red_behind_points else ""),
]


def time_pace(rules: Lights, day: dt.date) -> float:
    """序时进度: the share of the campaign elapsed at day, 0-100."""
    total = (rules.pace_end - rules.pace_start).days
    if total <= 0:
        return 100.0
    return round(min(max((day - rules.pace_start).days / total, 0.0), 1.0) * 100, 1)


def unit_lights(rules: Lights, rows, units: list[UnitScore], problems, stale, slipped, records,
                today: dt.date, pace: float, previous=previous_month, overdue: dict | None = None) -> list[Light]:
    """previous(month): the report period before (the month before; the quarter before for a quarterly office).
    overdue: rows.overdue_rows, when the caller has them."""
    stalled, overdue = stalled_and_overdue(rows, records, rules.red_stalled_cycles, today, overdue)
    due_units = {row.assignment.unit for row in rows if past_due(row, today)}
    errors = {p.unit for p in problems if p.severity == "error" and p.unit}
    vetoes: dict[str, list[str]] = {}
    returned: dict[str, int] = {}
    for row in rows:
        if row.section == "veto" and row.status == "已发生":
            vetoes.setdefault(row.assignment.unit, []).append(row.assignment.task_id)
        if row.review == RETURNED:
            returned[row.assignment.unit] = returned.get(row.assignment.unit, 0) + 1
    active = [rule for rule in UNIT_RULES if rule.on(rules)]
    lights = []
    for score in units:
        unit = score.unit
        facts = UnitFacts(score, pace - score.progress, len(overdue.get(unit, [])), len(stalled.get(unit, [])),
                          bool(stale.get(unit)), bool(slipped.get(unit)), unit in errors, tuple(vetoes.get(unit, ())),
                          returned.get(unit, 0), unit in due_units)
        met = [(rule.light, reason) for rule in active if (reason := rule.reason(rules, facts))]
        red = [reason for light, reason in met if light == RED]
        light = RED if red else YELLOW if met else GREEN
        running = _reds_running(unit, records.month, records.earlier_lights, previous) + 1 if light == RED else 0
        lights.append(Light(unit, light, tuple(red or [reason for _, reason in met]), running, running >= rules.watch_reds))
    return lights


def _reds_running(unit: str, month: str, earlier: list[tuple[str, dict[str, str]]], previous=previous_month) -> int:
    """Consecutive red periods just before this one, from the grades the ledger kept (a period without grades breaks the run)."""
    kept, count, expected = dict(earlier), 0, previous(month)
    while kept.get(expected, {}).get(unit) == RED:
        count, expected = count + 1, previous(expected)
    return count


def indicator_lights(rules: Lights, indicators: list[IndicatorState], pace: float) -> list[Light]:
    lights = []
    for item in indicators:
        if item.is_veto:
            if item.declared:
                lights.append(Light(item.indicator.label, RED, (f"{'、'.join(item.declared)}申报已发生",)))
            continue
        if item.indicator.section != "main" or item.status == "已完成":
            lights.append(Light(item.indicator.label, GREEN, ()))
            continue
        behind = pace - item.progress
        light = RED if behind >= rules.red_behind_points else YELLOW if behind >= rules.yellow_behind_points else GREEN
        lights.append(Light(item.indicator.label, light, (f"落后序时进度 {math.floor(behind)} 个百分点",) if light != GREEN else (), behind=behind))
    return lights


BAND_STEP = 10  # points: the width of each yellow band a report groups indicators in


def indicator_bands(rules: Lights, lights: list[Light]) -> list[tuple[str, str, list[str]]]:
    """The indicators that are not green, grouped: (light, the reason in words, indicator labels), worst first.

    Behind the pace, indicators fall into bands (red from red_behind_points; yellow in steps of BAND_STEP from
    yellow_behind_points), so a page says "落后序时进度 20 个百分点以上(不足 30):指标 3、7…" once instead of a row
    per indicator. A declared veto keeps its own line, first: it names the units.
    """
    groups: dict[tuple[str, str], tuple[float, list[str]]] = {}
    for light in lights:
        if light.light == GREEN:
            continue
        start, words = _band(rules, light) if light.behind else (float("inf"), ";".join(light.reasons))
        groups.setdefault((light.light, words), (start, []))[1].append(light.key)
    order = {RED: 0, YELLOW: 1}
    ranked = sorted(groups.items(), key=lambda item: (order[item[0][0]], -item[1][0]))
    return [(light, words, keys) for (light, words), (_, keys) in ranked]


def _band(rules: Lights, light: Light) -> tuple[float, str]:
    """(where the band starts, its words) of an indicator behind the pace."""
    if light.light == RED:
        return rules.red_behind_points, f"落后序时进度 {rules.red_behind_points:g} 个百分点及以上"
    low = rules.yellow_behind_points + BAND_STEP * int((light.behind - rules.yellow_behind_points) // BAND_STEP)
    high = min(low + BAND_STEP, rules.red_behind_points)
    return low, f"落后序时进度 {low:g} 个百分点以上(不足 {high:g})"


def light_rules(rules: Lights) -> list[str]:
    """The light rules in force, in the office's words: the report's 说明 prints these lines."""
    red = [rule.describe(rules) for rule in UNIT_RULES if rule.light == RED and rule.on(rules)]
    yellow = [rule.describe(rules) for rule in UNIT_RULES if rule.light == YELLOW and rule.on(rules)]
    return [f"1. 红灯:{';'.join(red)}。", f"2. 黄灯:{';'.join(yellow)}。", "3. 绿灯:其余单位。",
            f"4. 序时进度 = 自 {rules.pace_start} 至 {rules.pace_end} 已过时间的比例(按报送截止日计);"
            "指标按同样的落后幅度亮灯,否决项有单位申报“已发生”即红灯。",
            f"5. 连续 {rules.watch_reds} 个月红灯的单位列入约谈/挂牌督办名单;各月亮灯结果在汇总和审核时记入台账,"
            "连续红灯按记入的结果计算(之后改动规则不影响已记入的月份)。"]
