"""Follow-ups (催办): which units the office chases this month and why, and the words that state the rule.

`follow_up_rule` is printed on the report's 说明 and in the definition of 需催办单位数; every reason
`follow_ups` gives is one of the conditions it lists.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from ..master.settings import Scoring
from .rows import RETURNED, past_due, stalled_and_overdue
from .scoring import UnitScore


@dataclass(frozen=True)
class FollowUp:
    unit: str
    reasons: list[str]
    liaison: dict
    light: str = ""
    kinds: tuple[str, ...] = ()  # the reasons as keys, in the same order (see FOLLOW_UP_KINDS)
    tasks: dict[str, tuple[str, ...]] = field(default_factory=dict)  # kind -> the task ids it names (task-level kinds)


# every reason a unit is chased for, as a key (what notices and the page branch on) and its condition in words
FOLLOW_UP_KINDS = ("not-returned", "blank", "late", "errors", "overdue", "stalled", "stale", "returned", "slipped")


def follow_up_conditions(rules: Scoring) -> list[str]:
    """Each condition that puts a unit on the 催办名单, in the order of FOLLOW_UP_KINDS."""
    return ["未报送", "报送空表", "逾期报送", "报送的表格有“错误”级问题", "有任务超过预计完成时间或完成时限仍未完成",
            f"有任务连续{rules.stalled_cycles}期“未启动”", "有任务本月进展与上月一字不差(未更新)", "有任务审核退回",
            "有任务预计完成时间延后"]


def follow_up_rule(rules: Scoring) -> str:
    """The conditions, any one of which puts a unit on the list (the sentence around it says 符合下列情形之一)."""
    return ";".join(follow_up_conditions(rules))


def follow_ups(rows, units: list[UnitScore], records, rules: Scoring, today: dt.date,
               liaisons: dict[str, dict], stale: dict, slipped: dict, lights: dict[str, str], problems=(),
               overdue: dict | None = None) -> list[FollowUp]:
    """The one set of units the office chases this month: the 催办名单, the 催报 notices and the 通报's counts.
    overdue: rows.overdue_rows, when the caller has them."""
    stalled, overdue_by_unit = stalled_and_overdue(rows, records, rules.stalled_cycles, today, overdue)
    returned_by_unit = defaultdict(list)  # grouped once: a scan of all rows per unit is quadratic at province scale
    for row in rows:
        if row.review == RETURNED:
            returned_by_unit[row.assignment.unit].append(row.assignment.task_id)
    due_words = {row.assignment.unit for row in rows if past_due(row, today)}  # the units whose words name 完成时限
    errors = defaultdict(int)
    for found in problems:
        if found.severity == "error" and found.unit:
            errors[found.unit] += 1
    result = []
    for score in units:
        found = _reasons(score, rules, errors.get(score.unit, 0), overdue_by_unit.get(score.unit, []), stalled.get(score.unit, []),
                         stale.get(score.unit, []), returned_by_unit.get(score.unit, []), slipped.get(score.unit, []),
                         score.unit in due_words)
        if found:
            kinds, reasons, ids = zip(*found, strict=True)
            tasks = {kind: named for kind, named in zip(kinds, ids, strict=True) if named}
            result.append(FollowUp(score.unit, list(reasons), liaisons.get(score.unit, {}), lights.get(score.unit, ""), kinds, tasks))
    return result


def _reasons(score: UnitScore, rules: Scoring, errors: int, overdue, stalled, stale, returned,
             slipped, past_due: bool = False) -> list[tuple[str, str, tuple[str, ...]]]:
    """(kind, the reason in words, the task ids it names) for each reason the unit is chased."""
    reasons = []
    if score.blank:
        reasons.append(("blank", "报送空表(报回的工作簿未填写)", ()))
    elif not score.returned:
        reasons.append(("not-returned", "未报送", ()))
    elif not score.on_time:
        reasons.append(("late", f"逾期报送({score.received_at[:10]}收到)", ()))
    if errors:
        reasons.append(("errors", f"报送的表格有 {errors} 处错误须改正", ()))
    if overdue:
        when = "预计完成时间或完成时限" if past_due else "预计完成时间"
        reasons.append(("overdue", f"{len(overdue)} 项超过{when}仍未完成:{'、'.join(overdue)}", tuple(overdue)))
    if stalled:
        reasons.append(("stalled", f"{len(stalled)} 项连续{rules.stalled_cycles}期未启动:{'、'.join(stalled)}", tuple(stalled)))
    if stale:
        reasons.append(("stale", f"{len(stale)} 项本月进展未更新:{'、'.join(stale)}", tuple(stale)))
    if returned:
        reasons.append(("returned", f"{len(returned)} 项审核退回:{'、'.join(returned)}", tuple(returned)))
    if slipped:
        moved = "、".join(f"{task_id}({' → '.join(dates)})" for task_id, dates in slipped)
        reasons.append(("slipped", f"{len(slipped)} 项延期:{moved}", tuple(task_id for task_id, _ in slipped)))
    return reasons
