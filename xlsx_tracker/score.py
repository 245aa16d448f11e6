"""score: a month's state from the ledger — row progress, unit scores, indicator progress, follow-ups."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from . import ledger
from .master import Master
from .merge import month_problems
from .model import Assignment, Indicator, Problem
from .settings import STATUSES
from .workdays import Deadline

DONE = {"已完成", STATUSES[3]}
NOT_REPORTED = "未报送"


@dataclass(frozen=True)
class RowState:
    assignment: Assignment
    values: dict
    source: str  # file name, or "" when the unit did not report this row

    @property
    def status(self) -> str:
        return self.values.get("进展状态") or NOT_REPORTED


@dataclass
class UnitScore:
    unit: str
    returned: bool
    on_time: bool
    saved_at: str
    file_name: str
    rows: int
    progress: float  # mean row progress, 0-100
    progress_points: float
    timeliness_points: float
    quality_points: float
    problem_count: int
    total: float = 0.0
    rank: int = 0

    @property
    def timeliness_text(self) -> str:
        if not self.returned:
            return "未报送"
        return "按时" if self.on_time else "逾期"


@dataclass
class IndicatorState:
    indicator: Indicator
    assignments: int
    done: int
    progress: float

    @property
    def percent_done(self) -> float:
        return 100 * self.done / self.assignments if self.assignments else 0.0

    @property
    def status(self) -> str:
        if self.assignments and self.done == self.assignments:
            return "已完成"
        return "未启动" if self.progress == 0 else "推进中"


@dataclass
class FollowUp:
    unit: str
    reasons: list[str]
    liaison: dict


@dataclass
class MonthState:
    month: str
    deadline: Deadline
    rows: list[RowState]
    units: list[UnitScore]
    indicators: list[IndicatorState]
    level1: dict[str, float]
    vetoes: list[RowState]
    problems: list[Problem]
    evidence: list[dict]
    liaisons: dict[str, dict]
    follow_ups: list[FollowUp] = field(default_factory=list)
    weights: dict[str, float] = field(default_factory=dict)  # status -> progress, from the settings

    @property
    def overall_progress(self) -> float:
        scored = [r for r in self.rows if r.assignment.task.section != "veto"]
        return _mean([self.row_progress(r) for r in scored])

    def row_progress(self, row: RowState) -> float:
        return self.weights.get(row.status, 0.0)

    @property
    def indicators_done(self) -> int:
        return sum(1 for i in self.indicators if i.indicator.section == "main" and i.status == "已完成")

    def unit(self, name: str) -> UnitScore | None:
        return next((u for u in self.units if u.unit == name), None)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def month_state(master: Master, conn, month: str, deadline: Deadline, today: dt.date | None = None) -> MonthState:
    accepted = ledger.accepted(conn, month)
    weights = {k: float(v) for k, v in master.settings.scoring.status_progress.items()}
    rows, evidence = _rows_and_evidence(master, conn, month, accepted)
    problems = month_problems(conn, master, month)
    state = MonthState(month, deadline, rows, [], [], {}, [r for r in rows if r.assignment.task.section == "veto" and r.status == "已发生"],
                       problems, evidence, _liaisons(conn, month, accepted), weights=weights)
    state.units = _unit_scores(master, state, accepted)
    state.indicators = _indicator_states(master, state)
    state.level1 = _level1_progress(state)
    state.follow_ups = _follow_ups(master, conn, state, today or deadline.deadline)
    return state


def _rows_and_evidence(master: Master, conn, month: str, accepted) -> tuple[list[RowState], list[dict]]:
    rows, evidence = [], []
    values_by_unit = {unit: ledger.row_values(conn, sub.sha256, month) for unit, sub in accepted.items()}
    for assignment in master.assignments():
        values = values_by_unit.get(assignment.unit, {}).get(assignment.task_id)
        source = accepted[assignment.unit].file_name if values is not None else ""
        rows.append(RowState(assignment, values or {}, source))
    for unit, sub in accepted.items():
        evidence += [{**entry, "单位": unit, "来源文件": sub.file_name} for entry in ledger.evidence(conn, sub.sha256, month)]
    return rows, evidence


def _liaisons(conn, month: str, accepted) -> dict[str, dict]:
    """Each unit's latest liaison entry up to this month."""
    found: dict[str, dict] = {}
    for earlier in [m for m in ledger.months(conn) if m <= month]:
        for unit, sub in (accepted if earlier == month else ledger.accepted(conn, earlier)).items():
            entry = ledger.liaison(conn, sub.sha256, earlier)
            if entry:
                found[unit] = entry
    return found


def _unit_scores(master: Master, state: MonthState, accepted) -> list[UnitScore]:
    rules = master.settings.scoring
    by_unit: dict[str, list[RowState]] = defaultdict(list)
    for row in state.rows:
        if row.assignment.task.section != "veto":
            by_unit[row.assignment.unit].append(row)
    counted = defaultdict(int)
    for problem in state.problems:
        if problem.severity in ("error", "warning") and problem.unit and problem.code != "not-returned":
            counted[problem.unit] += 1
    scores = [_unit_score(unit, by_unit[unit], accepted.get(unit), counted[unit], state, rules)
              for unit in master.registry.units]
    _rank(scores)
    return scores


def _unit_score(unit, rows, submission, problem_count, state: MonthState, rules) -> UnitScore:
    progress = _mean([state.row_progress(r) for r in rows])
    returned = submission is not None
    saved = submission.saved_at if returned else ""
    on_time = returned and (not saved or dt.date.fromisoformat(saved[:10]) <= state.deadline.deadline)
    timeliness = rules.on_time_points if on_time else (rules.late_points if returned else 0.0)
    quality = max(0.0, rules.quality_points - rules.points_per_problem * problem_count) if returned else 0.0
    progress_points = rules.progress_points * progress / 100 if returned else 0.0
    score = UnitScore(unit, returned, bool(on_time), saved, submission.file_name if returned else "", len(rows),
                      progress if returned else 0.0, progress_points, timeliness, quality, problem_count)
    score.total = round(progress_points + timeliness + quality, 2)
    return score


def _rank(scores: list[UnitScore]) -> None:
    """Competition ranking (1, 2, 2, 4); ties keep the registry order."""
    ordered = sorted(scores, key=lambda s: -s.total)
    for index, score in enumerate(ordered):
        previous = ordered[index - 1] if index else None
        score.rank = previous.rank if previous and previous.total == score.total else index + 1
    scores.sort(key=lambda s: (s.rank, s.unit))


def _indicator_states(master: Master, state: MonthState) -> list[IndicatorState]:
    by_indicator: dict[tuple[str, int], list[RowState]] = defaultdict(list)
    for row in state.rows:
        for number in row.assignment.task.indicators:
            by_indicator[(row.assignment.task.section, number)].append(row)
    result = []
    for indicator in master.indicators:
        rows = by_indicator.get((indicator.section, indicator.number), [])
        done = sum(1 for r in rows if _is_done(r))
        result.append(IndicatorState(indicator, len(rows), done, _mean([_row_value(state, r) for r in rows])))
    return result


def _is_done(row: RowState) -> bool:
    if row.assignment.task.section == "veto":
        return row.status == "未发生"
    return row.status in DONE


def _row_value(state: MonthState, row: RowState) -> float:
    if row.assignment.task.section == "veto":
        return 100.0 if row.status == "未发生" else 0.0
    return state.row_progress(row)


def _level1_progress(state: MonthState) -> dict[str, float]:
    groups: dict[str, list[float]] = defaultdict(list)
    for row in state.rows:
        if row.assignment.task.section == "main":
            groups[row.assignment.task.level1].append(state.row_progress(row))
    return {level1: _mean(values) for level1, values in groups.items()}


def _follow_ups(master: Master, conn, state: MonthState, today: dt.date) -> list[FollowUp]:
    stalled = _stalled_rows(master, conn, state)
    overdue_by_unit: dict[str, list[str]] = defaultdict(list)
    for row in state.rows:
        if _overdue(row, today):
            overdue_by_unit[row.assignment.unit].append(row.assignment.task_id)
    result = []
    for score in state.units:
        reasons = []
        if not score.returned:
            reasons.append("未报送")
        elif not score.on_time:
            reasons.append(f"逾期报送({score.saved_at[:10]})")
        overdue = overdue_by_unit.get(score.unit, [])
        if overdue:
            reasons.append(f"{len(overdue)} 项超过预计完成时间仍未完成:{'、'.join(overdue)}")
        if stalled.get(score.unit):
            reasons.append(f"{len(stalled[score.unit])} 项连续{master.settings.scoring.stalled_cycles}期未启动:{'、'.join(stalled[score.unit])}")
        if reasons:
            result.append(FollowUp(score.unit, reasons, state.liaisons.get(score.unit, {})))
    return result


def _overdue(row: RowState, today: dt.date) -> bool:
    planned = row.values.get("预计完成时间")
    return bool(planned) and row.status not in DONE and row.assignment.task.section != "veto" \
        and dt.date.fromisoformat(planned) < today


def _stalled_rows(master: Master, conn, state: MonthState) -> dict[str, list[str]]:
    cycles = master.settings.scoring.stalled_cycles
    history = [m for m in ledger.months(conn) if m < state.month][-(cycles - 1):] if cycles > 1 else []
    if len(history) < cycles - 1:
        return {}
    earlier = [_statuses(conn, m) for m in history]
    stalled: dict[str, list[str]] = defaultdict(list)
    for row in state.rows:
        key = (row.assignment.unit, row.assignment.task_id)
        if row.status == "未启动" and all(e.get(key) == "未启动" for e in earlier):
            stalled[row.assignment.unit].append(row.assignment.task_id)
    return stalled


def _statuses(conn, month: str) -> dict[tuple[str, str], str]:
    result = {}
    for unit, sub in ledger.accepted(conn, month).items():
        for task_id, values in ledger.row_values(conn, sub.sha256, month).items():
            result[(unit, task_id)] = values.get("进展状态") or ""
    return result
