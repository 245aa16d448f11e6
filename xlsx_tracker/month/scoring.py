"""Scores: each unit's points and rank, each indicator's progress, and the words that state the scoring rules.

The rules' description (`scoring_rules`) sits beside the code that applies them and is what the report's 说明 prints.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace

from ..base.model import Indicator
from ..base.problems import counted
from ..calendar.workdays import Deadline
from ..master.settings import Scoring
from . import ledger
from .ledger import Submission
from .rows import DONE, VETO_CLEAR, VETO_DECLARED, VETO_PENDING, RowState, mean


@dataclass(frozen=True)
class UnitScore:
    unit: str
    returned: bool
    on_time: bool
    received_at: str  # when the office received the accepted file
    received_how: str  # how that is known (mail server, inbox folder date, --received, or estimated)
    file_name: str
    rows: int
    progress: float  # mean row progress, 0-100
    progress_points: float
    timeliness_points: float
    quality_points: float
    problem_count: int
    total: float
    rank: int = 0
    blank: bool = False  # the accepted workbook came back untouched (报送空表): not a return

    @property
    def timeliness_text(self) -> str:
        if self.blank:
            return "报送空表"
        if not self.returned:
            return "未报送"
        return ("按时" if self.on_time else "逾期") + ("(推定)" if self.received_how == ledger.ESTIMATED else "")


@dataclass(frozen=True)
class IndicatorState:
    indicator: Indicator
    assignments: int
    done: int
    progress: float
    declared: tuple[str, ...] = ()  # veto only: the units that declared the veto condition
    undeclared: int = 0  # veto only: rows no unit has answered yet

    @property
    def is_veto(self) -> bool:
        return self.indicator.section == "veto"

    @property
    def percent_done(self) -> float:
        return 100 * self.done / self.assignments if self.assignments else 0.0

    @property
    def status(self) -> str:
        if self.is_veto:
            if self.declared:
                return VETO_DECLARED
            return VETO_PENDING if self.undeclared else VETO_CLEAR
        if self.assignments and self.done == self.assignments:
            return "已完成"
        return "未启动" if self.progress == 0 else "推进中"

    @property
    def veto_note(self) -> str:
        """Who declared, who declared nothing happened, who has not answered."""
        parts = [f"已发生:{'、'.join(self.declared)}"] if self.declared else []
        parts.append(f"申报未发生 {self.done} 个单位")
        if self.undeclared:
            parts.append(f"未申报 {self.undeclared} 个单位")
        return ";".join(parts)



def unit_scores(units: list[str], rows, accepted, problems, deadline, weights, rules: Scoring,
                blank: set[str] = frozenset()) -> list[UnitScore]:
    """Every unit's score, in rank order."""
    by_unit: dict[str, list[RowState]] = defaultdict(list)
    for row in rows:
        if row.section != "veto":
            by_unit[row.assignment.unit].append(row)
    problem_counts: dict[str, int] = defaultdict(int)
    for found in counted(problems):
        if found.unit:
            problem_counts[found.unit] += 1
    scores = [unit_score(unit, [weights.get(r.counted_status, 0.0) for r in by_unit[unit]],
                         None if unit in blank else accepted.get(unit), problem_counts[unit], deadline, rules, unit in blank)
              for unit in units]
    return rank(scores)


def unit_score(unit: str, progresses: list[float], submission: Submission | None, problem_count: int,
               deadline: Deadline, rules: Scoring, blank: bool = False) -> UnitScore:
    """One unit's score: progress points + timeliness points + quality points (see the report's 说明)."""
    returned = submission is not None
    received = submission.receipt_time if returned else ""
    on_time = returned and (not received or dt.date.fromisoformat(received[:10]) <= deadline.deadline)
    progress = mean(progresses) if returned else 0.0
    progress_points = rules.progress_points * progress / 100
    timeliness = rules.on_time_points if on_time else (rules.late_points if returned else 0.0)
    quality = max(0.0, rules.quality_points - rules.points_per_problem * problem_count) if returned else 0.0
    return UnitScore(unit, returned, bool(on_time), received, submission.receipt_source if returned else "",
                     submission.file_name if returned else "", len(progresses),
                     progress, progress_points, timeliness, quality, problem_count,
                     round(progress_points + timeliness + quality, 2), blank=blank)


def rank(scores: list[UnitScore]) -> list[UnitScore]:
    """Competition ranking (1, 2, 2, 4); tied units are listed by name."""
    ordered = sorted(scores, key=lambda s: -s.total)
    ranked: list[UnitScore] = []
    for index, score in enumerate(ordered):
        previous = ranked[-1] if ranked else None
        place = previous.rank if previous and previous.total == score.total else index + 1
        ranked.append(replace(score, rank=place))
    return sorted(ranked, key=lambda s: (s.rank, s.unit))


def indicator_states(indicators: list[Indicator], rows: list[RowState], weights: dict[str, float]) -> list[IndicatorState]:
    by_indicator: dict[tuple[str, int], list[RowState]] = defaultdict(list)
    for row in rows:
        for number in row.assignment.task.indicators:
            by_indicator[(row.section, number)].append(row)
    return [indicator_state(i, by_indicator.get((i.section, i.number), []), weights) for i in indicators]


def indicator_state(indicator: Indicator, rows: list[RowState], weights: dict[str, float]) -> IndicatorState:
    if indicator.section == "veto":
        declared = tuple(sorted({r.assignment.unit for r in rows if r.status == VETO_DECLARED}))
        clear = sum(1 for r in rows if r.status == VETO_CLEAR)
        pending = sum(1 for r in rows if r.status not in (VETO_DECLARED, VETO_CLEAR))
        return IndicatorState(indicator, len(rows), clear, 0.0, declared, pending)
    done = sum(1 for r in rows if r.counted_status in DONE)
    return IndicatorState(indicator, len(rows), done, mean([weights.get(r.counted_status, 0.0) for r in rows]))


def level1_progress(rows: list[RowState], weights: dict[str, float]) -> dict[str, float]:
    groups: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        if row.section == "main":
            groups[row.assignment.task.level1].append(weights.get(row.counted_status, 0.0))
    return {level1: mean(values) for level1, values in groups.items()}



def scoring_rules(rules: Scoring) -> list[str]:
    """The scoring rules in the office's words, from the settings in force: printed on the report's 说明."""
    weights = ";".join(f"{k} = {v:g}" for k, v in rules.status_progress.items())
    return [
        f"1. 单项进度:{weights};本月未报送的任务记为“未报送”,进度为0。否决项不计入进度。"
        f"审核销号:已销号的任务始终按“已完成”计,之后的报送不影响;审核退回的不计为完成(按“推进中”计);"
        f"待审核的“已完成”{'暂计为完成' if rules.count_unreviewed_as_done else '按“推进中”计,审核通过后才计为完成'}"
        "(settings.toml 中的 count_unreviewed_as_done 只管待审核的)。",
        f"2. 单位得分(满分100)= 进度分 + 及时分 + 质量分;进度分 = {rules.progress_points:g} × 平均进度(%)÷ 100,"
        "平均进度为该单位全部任务(不含否决项)单项进度的平均值。",
        f"3. 及时分:按时报送 {rules.on_time_points:g} 分,逾期报送 {rules.late_points:g} 分,未报送 0 分。"
        "是否按时以收到时间判断(见第二部分第1项),不晚于截止日即为按时;以保存时间推定的标注“推定”。",
        f"4. 质量分:满分 {rules.quality_points:g} 分,该单位文件每有一条“错误”或“提醒”级校验问题扣 {rules.points_per_problem:g} 分,"
        "扣完为止;“提示”级不扣分。未报送单位质量分为0。",
        "5. 指标进度:一项指标的全部任务(含各分项、各责任单位)均为“已完成”或“无此情形(已作说明)”时,该指标计为完成;同时列出完成任务的百分比。"
        "否决项为各单位自查申报,只在有单位申报“已发生”时标为“已发生”并列出单位;尚有单位未申报的标为“待申报”。",
    ]
