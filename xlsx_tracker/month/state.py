"""The month state: rows, unit scores, indicators, follow-ups and problems, as plain data.

`compute_state` is a pure function of the master, the deadline and the ledger's records of the month;
`load_state` reads those records once. Every view (console, report, and later receipts and the 通报)
renders this one state, so a figure is computed here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from ..base.model import Assignment, Indicator, Problem
from ..base.problems import LIAISON_CHANGED, MASTER_EDITED_AFTER_ISSUE, RESUBMISSION_TIE, SUPERSEDED, counted, problem, severity_counts
from ..calendar.workdays import Deadline, previous_month
from ..intake.explanation import group_in_name
from ..master.issued import changed_since_issue
from ..master.settings import STATUSES, Lights, Scoring
from ..master.tasklist import Master
from . import ledger
from .ledger import MonthRecords, Submission
from .run import MonthRun

DONE = {"已完成", STATUSES[3]}
NOT_REPORTED = "未报送"
VETO_DECLARED, VETO_CLEAR, VETO_PENDING = "已发生", "未发生", "待申报"


@dataclass(frozen=True, slots=True)  # tens of thousands at province scale
class RowState:
    assignment: Assignment
    values: dict
    source: str  # file name, or "" when the unit did not report this row
    review: str = ""  # 已销号 / 待审核 / 已退回 for a claim of 已完成 or 无此情形; "" otherwise
    review_reason: str = ""  # why the office returned the claim
    counted: str = ""  # the status progress is counted on ("" = the status itself)

    @property
    def status(self) -> str:
        return self.values.get("进展状态") or NOT_REPORTED

    @property
    def counted_status(self) -> str:
        """The status progress counts: an unreviewed claim counts as 推进中 when the settings say claims need review."""
        return self.counted or self.status

    @property
    def section(self) -> str:
        return self.assignment.task.section


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

    @property
    def timeliness_text(self) -> str:
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


@dataclass(frozen=True)
class FollowUp:
    unit: str
    reasons: list[str]
    liaison: dict
    light: str = ""


GREEN, YELLOW, RED = "绿灯", "黄灯", "红灯"


@dataclass(frozen=True)
class Light:
    """A unit's or an indicator's grade for the month, why, and how many months running it has been red."""

    key: str  # unit name, or indicator label
    light: str
    reasons: tuple[str, ...]
    reds_running: int = 0  # consecutive red months up to this one
    watch: bool = False  # on the 约谈/挂牌督办 list


@dataclass(frozen=True)
class MonthState:
    month: str
    deadline: Deadline
    rows: list[RowState]
    units: list[UnitScore]  # in rank order
    indicators: list[IndicatorState]
    level1: dict[str, float]
    vetoes: list[RowState]  # rows where a unit declared a veto condition
    problems: list[Problem]
    evidence: list[dict]
    liaisons: dict[str, dict]
    follow_ups: list[FollowUp]
    weights: dict[str, float]  # status -> progress, from the settings
    accepted: dict[str, Submission]
    superseded: list[Submission]
    submissions: list[Submission] = field(default_factory=list)  # every file recorded for the month
    stale: dict[str, list[str]] = field(default_factory=dict)  # unit -> task ids whose progress text was not updated
    unit_lights: list[Light] = field(default_factory=list)  # in the order of units
    indicator_lights: list[Light] = field(default_factory=list)
    pace: float = 0.0  # time-elapsed pace (序时进度) at the deadline, 0-100
    slipped: dict[str, list[tuple[str, list[str]]]] = field(default_factory=dict)  # unit -> (task id, planned dates)

    def row_progress(self, row: RowState) -> float:
        return self.weights.get(row.counted_status, 0.0)

    @property
    def overall_progress(self) -> float:
        return _mean([self.row_progress(r) for r in self.rows if r.section != "veto"])

    @property
    def indicators_done(self) -> int:
        return sum(1 for i in self.indicators if i.indicator.section == "main" and i.status == "已完成")

    @property
    def not_returned(self) -> list[str]:
        return [u.unit for u in self.units if not u.returned]

    def unit(self, name: str) -> UnitScore | None:
        return self._scores_by_unit.get(name)

    def rows_of(self, unit: str) -> list[RowState]:
        """The unit's task rows, in master order."""
        return self._rows_by_unit.get(unit, [])

    def problems_of(self, unit: str) -> list[Problem]:
        return self._problems_by_unit.get(unit, [])

    def submissions_of(self, unit: str) -> list[Submission]:
        return self._submissions_by_unit.get(unit, [])

    def light_of(self, unit: str) -> Light | None:
        return self._lights_by_unit.get(unit)

    # indexes built once: per-unit lookups by scanning every row are quadratic at province scale
    @cached_property
    def _scores_by_unit(self) -> dict[str, UnitScore]:
        return {u.unit: u for u in self.units}

    @cached_property
    def _rows_by_unit(self) -> dict[str, list[RowState]]:
        return _group(self.rows, lambda row: row.assignment.unit)

    @cached_property
    def _problems_by_unit(self) -> dict[str, list[Problem]]:
        return _group(self.problems, lambda p: p.unit)

    @cached_property
    def _submissions_by_unit(self) -> dict[str, list[Submission]]:
        return _group(self.submissions, lambda s: s.unit)

    @cached_property
    def _lights_by_unit(self) -> dict[str, Light]:
        return {light.key: light for light in reversed(self.unit_lights)}  # the first, as a scan would find


def _group(items, key) -> dict[str, list]:
    """Items grouped by key, each group in the items' order."""
    grouped = defaultdict(list)
    for item in items:
        grouped[key(item)].append(item)
    return grouped


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


# ---------------------------------------------------------------- reading


def load_state(run: MonthRun, today: dt.date | None = None) -> MonthState:
    """The month's state from the ledger, read in one pass."""
    with run.ledger() as conn:
        records = ledger.load_month(conn, run.month)
        snapshots = ledger.issues(conn, run.month)
    return compute_state(run.master, run.deadline, records, today, month_notices(run, snapshots))


def month_notices(run: MonthRun, snapshots: dict) -> list[Problem]:
    """What the office should know about the month as a whole: a master edited after the workbooks went out."""
    changed = changed_since_issue(run.master, run.deadline, snapshots)
    if not changed:
        return []
    shown = "、".join(changed[:20]) + (f" 等 {len(changed)} 项" if len(changed) > 20 else "")
    return [problem(MASTER_EDITED_AFTER_ISSUE, ids=shown)]


def has_returns(run: MonthRun) -> bool:
    if not run.has_ledger():
        return False
    with run.ledger() as conn:
        return bool(ledger.accepted(conn, run.month))


# ---------------------------------------------------------------- computing (pure)


def compute_state(master: Master, deadline: Deadline, records: MonthRecords, today: dt.date | None = None,
                  notices: list[Problem] = ()) -> MonthState:
    rules = master.settings.scoring
    weights = {k: float(v) for k, v in rules.status_progress.items()}
    rows = _rows(master, records)
    liaisons, changes = roster_now(master.roster, records)
    problems = [*notices, *records.problems, *_superseded_problems(records), *changes]
    units = _unit_scores(master, rows, records.accepted, problems, deadline, weights, rules)
    stale, slipped = stale_rows(rows, records.earlier_values), slipped_rows(rows, records.earlier_values)
    today = today or deadline.deadline
    indicators = _indicator_states(master, rows, weights)
    pace = time_pace(master.settings.lights, deadline.deadline)
    lights = unit_lights(master.settings.lights, rows, units, problems, stale, slipped, records, today, pace)
    return MonthState(
        unit_lights=lights, indicator_lights=indicator_lights(master.settings.lights, indicators, pace), pace=pace,
        month=records.month, deadline=deadline, rows=rows, units=units,
        indicators=indicators, level1=_level1_progress(rows, weights),
        vetoes=[r for r in rows if r.section == "veto" and r.status == VETO_DECLARED],
        problems=problems, evidence=_evidence(records), liaisons=liaisons,
        follow_ups=_follow_ups(rows, units, records, rules, today, liaisons, stale, slipped, {x.key: x.light for x in lights}),
        weights=weights, accepted=records.accepted, superseded=records.superseded, submissions=list(records.submissions),
        stale=stale, slipped=slipped,
    )


def roster_now(roster: dict[str, dict], records: MonthRecords) -> tuple[dict[str, dict], list[Problem]]:
    """Each unit's liaison: the office's roster, updated by every accepted return in month order; this month's changes said."""
    current = {unit: dict(entry) for unit, entry in roster.items()}
    changes = []
    for month, unit, entry in records.liaison_history:
        update = {k: v for k, v in entry.items() if k in LIAISON_FIELDS and v}
        before = current.get(unit, {})
        merged = {**before, **update}
        if month == records.month and any(before.values()) and _person(merged) != _person(before):
            changes.append(problem(LIAISON_CHANGED, unit=unit, before=_person(before), after=_person(merged)))
        current[unit] = merged
    return current, changes


LIAISON_FIELDS = ("姓名", "职务", "联系电话", "电子邮箱")


def _person(entry: dict) -> str:
    details = "、".join(entry[k] for k in LIAISON_FIELDS[1:] if entry.get(k))
    return f"{entry.get('姓名') or '(未填姓名)'}({details})" if details else entry.get("姓名") or "(未填)"


def stale_rows(rows: list[RowState], earlier: list[tuple[str, dict]]) -> dict[str, list[str]]:
    """Unfinished rows whose 本月工作进展 is word for word last month's: 本月进展未更新."""
    if not earlier:
        return {}
    last = earlier[-1][1]
    stale: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        text = (row.values.get("本月工作进展") or "").strip()
        before = (last.get(row.assignment.unit, {}).get(row.assignment.task_id, {}).get("本月工作进展") or "").strip()
        if text and text == before and row.status not in DONE and row.section != "veto":
            stale[row.assignment.unit].append(row.assignment.task_id)
    return dict(stale)


def slipped_rows(rows: list[RowState], earlier: list[tuple[str, dict]]) -> dict[str, list[tuple[str, list[str]]]]:
    """Rows whose 预计完成时间 moved later than last month's: unit -> [(task id, the dates month by month)]."""
    slipped: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    for row in rows:
        planned = row.values.get("预计完成时间") or ""
        unit, task_id = row.assignment.unit, row.assignment.task_id
        history = [v for _, values in earlier if (v := values.get(unit, {}).get(task_id, {}).get("预计完成时间"))]
        if planned and history and planned > history[-1] and row.status not in DONE and row.section != "veto":
            dates = [d for i, d in enumerate([*history, planned]) if i == 0 or d != [*history, planned][i - 1]]
            slipped[unit].append((task_id, dates))
    return dict(slipped)


REVIEWED, PENDING, RETURNED = "已销号", "待审核", "已退回"


def _rows(master: Master, records: MonthRecords) -> list[RowState]:
    rows = []
    count_claims = master.settings.scoring.count_unreviewed_as_done
    for assignment in master.assignments():
        values = records.values.get(assignment.unit, {}).get(assignment.task_id)
        source = records.accepted[assignment.unit].file_name if values is not None else ""
        status = (values or {}).get("进展状态") or NOT_REPORTED
        review, reason = review_status(status, records.reviews.get((assignment.unit, assignment.task_id), []), records.month)
        counted = _counted(status, review, count_claims)
        rows.append(RowState(assignment, values or {}, source, review, reason, counted))
    return rows


def _counted(status: str, review: str, count_claims: bool) -> str:
    """The status progress counts on, when it is not the reported one ("" = the reported one).

    A task the office closed (已销号) stays done whatever a later return says; an unreviewed claim counts as
    推进中 when the settings count only reviewed work.
    """
    if review == REVIEWED:
        return "" if status in DONE else "已完成"
    return "推进中" if status in DONE and not count_claims else ""


def review_status(status: str, decisions: list[tuple[str, str, str]], month: str) -> tuple[str, str]:
    """(已销号 / 待审核 / 已退回 / "", the return reason) of a row from the office's decisions up to this month.

    A pass closes the task for good; a return stands for the month it was made, and a claim made again in a
    later month waits for review anew.
    """
    passed = [d for d in decisions if d[1] == "通过"]
    if passed:
        return REVIEWED, ""
    returned = [d for d in decisions if d[1] == "退回"]
    if returned and returned[-1][0] == month:
        return RETURNED, returned[-1][2]
    if status in DONE:
        return PENDING, returned[-1][2] if returned else ""
    return "", returned[-1][2] if returned else ""


def _evidence(records: MonthRecords) -> list[dict]:
    return [{**entry, "单位": unit, "来源文件": records.accepted[unit].file_name}
            for unit, entries in records.evidence.items() for entry in entries]


def _superseded_problems(records: MonthRecords) -> list[Problem]:
    """Why each resubmitted file lost, by the rule that decided it; a tie is said to be one."""
    found = []
    for lost in records.superseded:
        winner = records.accepted[lost.unit]
        reason, tie_rule = superseded_reason(lost, winner)
        found.append(problem(SUPERSEDED, file=lost.file_name, unit=lost.unit, reason=reason, archive=lost.archive_path))
        if tie_rule:
            found.append(problem(RESUBMISSION_TIE, file=lost.file_name, unit=lost.unit, winner=winner.file_name, rule=tie_rule))
    return found


def superseded_reason(lost: Submission, winner: Submission) -> tuple[str, str]:
    """(why lost did not win, the rule that broke a tie or '') — never calling a file newer when it is not."""
    name = f"“{winner.file_name}”"
    if lost.doubt and not winner.doubt:
        return f"本文件{lost.doubt},采用该单位的{name}", ""
    if (lost.issued or "") != (winner.issued or ""):
        return f"采用下发时间较新的{name}(本文件 {lost.issued or '未知'},采用文件 {winner.issued or '未知'})", ""
    if (lost.saved_at or "") != (winner.saved_at or ""):
        mine = lost.saved_at or "未知或不可信"
        return f"采用保存时间较晚的{name}(本文件 {mine},采用文件 {winner.saved_at})", ""
    if lost.received_at != winner.received_at:
        return f"两份文件下发、保存时间相同,采用较晚收到的{name}", "收到时间"
    return f"两份文件下发、保存、收到时间都相同,按文件名顺序采用{name}", "文件名顺序"


def _unit_scores(master, rows, accepted, problems, deadline, weights, rules: Scoring) -> list[UnitScore]:
    by_unit: dict[str, list[RowState]] = defaultdict(list)
    for row in rows:
        if row.section != "veto":
            by_unit[row.assignment.unit].append(row)
    problem_counts: dict[str, int] = defaultdict(int)
    for found in counted(problems):
        if found.unit:
            problem_counts[found.unit] += 1
    scores = [unit_score(unit, [weights.get(r.counted_status, 0.0) for r in by_unit[unit]], accepted.get(unit),
                         problem_counts[unit], deadline, rules) for unit in master.registry.units]
    return rank(scores)


def unit_score(unit: str, progresses: list[float], submission: Submission | None, problem_count: int,
               deadline: Deadline, rules: Scoring) -> UnitScore:
    """One unit's score: progress points + timeliness points + quality points (see the report's 说明)."""
    returned = submission is not None
    received = submission.receipt_time if returned else ""
    on_time = returned and (not received or dt.date.fromisoformat(received[:10]) <= deadline.deadline)
    progress = _mean(progresses) if returned else 0.0
    progress_points = rules.progress_points * progress / 100
    timeliness = rules.on_time_points if on_time else (rules.late_points if returned else 0.0)
    quality = max(0.0, rules.quality_points - rules.points_per_problem * problem_count) if returned else 0.0
    return UnitScore(unit, returned, bool(on_time), received, submission.receipt_source if returned else "",
                     submission.file_name if returned else "", len(progresses),
                     progress, progress_points, timeliness, quality, problem_count,
                     round(progress_points + timeliness + quality, 2))


def rank(scores: list[UnitScore]) -> list[UnitScore]:
    """Competition ranking (1, 2, 2, 4); tied units are listed by name."""
    ordered = sorted(scores, key=lambda s: -s.total)
    ranked: list[UnitScore] = []
    for index, score in enumerate(ordered):
        previous = ranked[-1] if ranked else None
        place = previous.rank if previous and previous.total == score.total else index + 1
        ranked.append(replace(score, rank=place))
    return sorted(ranked, key=lambda s: (s.rank, s.unit))


def _indicator_states(master: Master, rows: list[RowState], weights: dict[str, float]) -> list[IndicatorState]:
    by_indicator: dict[tuple[str, int], list[RowState]] = defaultdict(list)
    for row in rows:
        for number in row.assignment.task.indicators:
            by_indicator[(row.section, number)].append(row)
    return [indicator_state(i, by_indicator.get((i.section, i.number), []), weights) for i in master.indicators]


def indicator_state(indicator: Indicator, rows: list[RowState], weights: dict[str, float]) -> IndicatorState:
    if indicator.section == "veto":
        declared = tuple(sorted({r.assignment.unit for r in rows if r.status == VETO_DECLARED}))
        clear = sum(1 for r in rows if r.status == VETO_CLEAR)
        pending = sum(1 for r in rows if r.status not in (VETO_DECLARED, VETO_CLEAR))
        return IndicatorState(indicator, len(rows), clear, 0.0, declared, pending)
    done = sum(1 for r in rows if r.counted_status in DONE)
    return IndicatorState(indicator, len(rows), done, _mean([weights.get(r.counted_status, 0.0) for r in rows]))


def _level1_progress(rows: list[RowState], weights: dict[str, float]) -> dict[str, float]:
    groups: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        if row.section == "main":
            groups[row.assignment.task.level1].append(weights.get(row.counted_status, 0.0))
    return {level1: _mean(values) for level1, values in groups.items()}


def _follow_ups(rows, units: list[UnitScore], records: MonthRecords, rules: Scoring, today: dt.date,
                liaisons: dict[str, dict], stale: dict, slipped: dict, lights: dict[str, str]) -> list[FollowUp]:
    stalled, overdue_by_unit = stalled_and_overdue(rows, records, rules.stalled_cycles, today)
    returned_by_unit = defaultdict(list)  # grouped once: a scan of all rows per unit is quadratic at province scale
    for row in rows:
        if row.review == RETURNED:
            returned_by_unit[row.assignment.unit].append(row.assignment.task_id)
    result = []
    for score in units:
        reasons = []
        if not score.returned:
            reasons.append("未报送")
        elif not score.on_time:
            reasons.append(f"逾期报送({score.received_at[:10]}收到)")
        overdue = overdue_by_unit.get(score.unit, [])
        if overdue:
            reasons.append(f"{len(overdue)} 项超过预计完成时间仍未完成:{'、'.join(overdue)}")
        if stalled.get(score.unit):
            reasons.append(f"{len(stalled[score.unit])} 项连续{rules.stalled_cycles}期未启动:{'、'.join(stalled[score.unit])}")
        if stale.get(score.unit):
            reasons.append(f"{len(stale[score.unit])} 项本月进展未更新:{'、'.join(stale[score.unit])}")
        returned = returned_by_unit.get(score.unit, [])
        if returned:
            reasons.append(f"{len(returned)} 项审核退回:{'、'.join(returned)}")
        if slipped.get(score.unit):
            moved = "、".join(f"{task_id}({' → '.join(dates)})" for task_id, dates in slipped[score.unit])
            reasons.append(f"{len(slipped[score.unit])} 项延期:{moved}")
        if reasons:
            result.append(FollowUp(score.unit, reasons, liaisons.get(score.unit, {}), lights.get(score.unit, "")))
    return result


def stalled_and_overdue(rows, records: MonthRecords, cycles: int, today: dt.date) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Per unit: the task ids 未启动 for `cycles` months running, and those past their planned date unfinished."""
    statuses = [{(u, t): v.get("进展状态") or "" for u, tasks in values.items() for t, v in tasks.items()}
                for _, values in records.earlier_values]
    overdue: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if is_overdue(row, today):
            overdue[row.assignment.unit].append(row.assignment.task_id)
    return stalled_rows(rows, statuses, cycles), overdue


def is_overdue(row: RowState, today: dt.date) -> bool:
    planned = row.values.get("预计完成时间")
    return bool(planned) and row.status not in DONE and row.section != "veto" and dt.date.fromisoformat(planned) < today


def stalled_rows(rows: list[RowState], earlier: list[dict[tuple[str, str], str]], cycles: int) -> dict[str, list[str]]:
    """Rows 未启动 this month and in each of the previous cycles - 1 months."""
    if cycles < 2 or len(earlier) < cycles - 1:
        return {}
    recent = earlier[len(earlier) - (cycles - 1):]
    stalled: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        key = (row.assignment.unit, row.assignment.task_id)
        if row.status == "未启动" and all(e.get(key) == "未启动" for e in recent):
            stalled[row.assignment.unit].append(row.assignment.task_id)
    return stalled


# ---------------------------------------------------------------- figures every view shows


@dataclass(frozen=True)
class Figure:
    name: str
    definition: str  # printed on the report's 说明, so that every figure on 总览 says how it is computed
    higher_is_better: bool  # colours the month-on-month change


FIGURES = [
    Figure("按时报送单位数", "收到时间不晚于报送截止日的单位数。收到时间依次以邮件服务器收件时间、收件目录的日期文件夹、"
           "汇总时指定的日期为准;都没有时以文件自身的保存时间推定,并标注“推定”。", True),
    Figure("逾期报送单位数", "已报送、但收到时间晚于报送截止日的单位数。", False),
    Figure("未报送单位数", "本月没有任何可采用文件的单位数。", False),
    Figure("总体平均进度(%)", "全部单位全部任务(不含否决项)单项进度的平均值;单项进度按评分规则第1条折算,未报送的任务计0。", True),
    Figure("已完成指标数(共100项)", "100项指标中,全部任务(含各分项、各责任单位)均为“已完成”或“无此情形(已作说明)”的指标数。", True),
    Figure("已完成任务数", "进展状态为“已完成”或“无此情形(已作说明)”的任务数(每个单位的每项任务计一次,不含否决项)。", True),
    Figure("已销号任务数", "办公室审核材料后“通过”、已销号的任务数(累计)。", True),
    Figure("待审核任务数", "单位报“已完成”或“无此情形”、尚待办公室审核的任务数。", False),
    Figure("已退回任务数", "本月审核“退回”、须单位补充后重新报送的任务数。", False),
    Figure("校验问题:错误(条)", "回收文件中“错误”级问题的条数:内容未被采用或文件未被采用,须改正。", False),
    Figure("校验问题:提醒(条)", "“提醒”级问题的条数:内容已按规则处理后采用,请单位下次注意。错误和提醒都扣质量分。", False),
    Figure("校验问题:提示(条)", "“提示”级问题的条数:仅供了解(如收到的材料、格式自动转换),不扣分。", False),
    Figure("否决项情形(单位数)", "自查申报否决项情形“已发生”的单位数。", False),
    Figure("需催办单位数(见“催办名单”)", "未报送、逾期报送、有超过预计完成时间仍未完成或连续未启动任务的单位数。", False),
]
LEVEL1_DEFINITION = "一级指标平均进度(%):该一级指标下全部任务(不含否决项、加分项)单项进度的平均值。"


def key_figures(state: MonthState) -> dict[str, float]:
    """The figures of 总览, in the order and with the names of FIGURES."""
    returned = [u for u in state.units if u.returned]
    by_severity = severity_counts(state.problems)
    values = [
        sum(1 for u in returned if u.on_time),
        sum(1 for u in returned if not u.on_time),
        len(state.units) - len(returned),
        round(state.overall_progress, 1),
        state.indicators_done,
        sum(1 for r in state.rows if r.counted_status in DONE),
        sum(1 for r in state.rows if r.review == REVIEWED),
        sum(1 for r in state.rows if r.review == PENDING),
        sum(1 for r in state.rows if r.review == RETURNED),
        by_severity["error"], by_severity["warning"], by_severity["info"],
        len({r.assignment.unit for r in state.vetoes}),
        len(state.follow_ups),
    ]
    return {figure.name: value for figure, value in zip(FIGURES, values, strict=True)}


def veto_names(state: MonthState) -> str:
    """Units that declared a veto situation, with the item: 司法局(否决1)、…"""
    return "、".join(sorted({f"{r.assignment.unit}({r.assignment.task_id})" for r in state.vetoes}))


def done_without_evidence(state: MonthState) -> list[tuple[str, str]]:
    """(task id, unit) of rows reported 已完成 with no evidence entry for that task."""
    listed = {(e["单位"], e.get("编号", "")) for e in state.evidence}
    return [(r.assignment.task_id, r.assignment.unit) for r in state.rows
            if r.status == "已完成" and (r.assignment.unit, r.assignment.task_id) not in listed]


FATES = {"applied": "采用", "rejected": "未采用", "material": "收到的材料", "container": "压缩包(其中文件逐个处理)"}


def fate(state: MonthState, sub: Submission) -> str:
    """What became of a recorded file, in the words of the file list and the receipts."""
    if sub.outcome == "applied":
        winner = state.accepted.get(sub.unit)
        if winner is not None and winner.sha256 != sub.sha256:
            return "被取代:" + superseded_reason(sub, winner)[0]
        return "采用"
    if sub.outcome == "rejected":
        return f"未采用:{sub.reason}"
    return FATES.get(sub.outcome, sub.outcome)


# ---------------------------------------------------------------- lights (亮灯)


def time_pace(rules: Lights, day: dt.date) -> float:
    """序时进度: the share of the campaign elapsed at day, 0-100."""
    total = (rules.pace_end - rules.pace_start).days
    if total <= 0:
        return 100.0
    return round(min(max((day - rules.pace_start).days / total, 0.0), 1.0) * 100, 1)


def unit_lights(rules: Lights, rows, units: list[UnitScore], problems, stale, slipped, records: MonthRecords,
                today: dt.date, pace: float) -> list[Light]:
    stalled, overdue = stalled_and_overdue(rows, records, rules.red_stalled_cycles, today)
    errors = {p.unit for p in problems if p.severity == "error" and p.unit}
    lights = []
    for score in units:
        unit, behind = score.unit, pace - score.progress
        red = [
            *(["未报送"] if rules.red_not_returned and not score.returned else []),
            *([f"{len(overdue[unit])} 项超过预计完成时间仍未完成"] if rules.red_overdue and overdue.get(unit) else []),
            *([f"{len(stalled[unit])} 项连续{rules.red_stalled_cycles}个月未启动"] if stalled.get(unit) else []),
            *([f"落后序时进度 {behind:.0f} 个百分点"] if score.returned and behind >= rules.red_behind_points else []),
        ]
        yellow = [
            *(["逾期报送"] if rules.yellow_late and score.returned and not score.on_time else []),
            *(["本月进展未更新"] if rules.yellow_stale and stale.get(unit) else []),
            *(["预计完成时间延后"] if rules.yellow_slipped and slipped.get(unit) else []),
            *(["报送文件有错误"] if rules.yellow_errors and unit in errors else []),
            *([f"落后序时进度 {behind:.0f} 个百分点"] if score.returned and rules.yellow_behind_points <= behind < rules.red_behind_points else []),
        ]
        light = RED if red else YELLOW if yellow else GREEN
        running = _reds_running(unit, records.month, records.earlier_lights) + 1 if light == RED else 0
        lights.append(Light(unit, light, tuple(red or yellow), running, running >= rules.watch_reds))
    return lights


def _reds_running(unit: str, month: str, earlier: list[tuple[str, dict[str, str]]]) -> int:
    """Consecutive red months just before this one, from the grades the ledger kept (a month without grades breaks the run)."""
    kept, count, expected = dict(earlier), 0, previous_month(month)
    while kept.get(expected, {}).get(unit) == RED:
        count, expected = count + 1, previous_month(expected)
    return count


def keep_lights(run: MonthRun, state: MonthState) -> None:
    """Record the month's grades in the ledger: later months count red months from them, not from a recomputation."""
    with run.ledger() as conn, ledger.transaction(conn):
        ledger.keep_lights(conn, state.month, "unit", [(x.key, x.light, list(x.reasons)) for x in state.unit_lights])
        ledger.keep_lights(conn, state.month, "indicator", [(x.key, x.light, list(x.reasons)) for x in state.indicator_lights])


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
        lights.append(Light(item.indicator.label, light, (f"落后序时进度 {behind:.0f} 个百分点",) if light != GREEN else ()))
    return lights


# ---------------------------------------------------------------- materials by indicator


@dataclass(frozen=True)
class Filed:
    submission: Submission
    group: str  # "" when it could not be placed
    unit: str
    how: str  # 证明材料目录 / 文件名中的指标序号


def file_materials(state: MonthState, materials: list[Submission], groups: list[str]) -> list[Filed]:
    """Each material with the group it belongs to: by the evidence row naming it, else by the number in its name."""
    named = []
    for entry in state.evidence:
        title = str(entry.get("材料名称", "")).strip()
        if len(title) >= 2 and entry.get("编号"):
            named.append((title, entry["编号"].split("/")[0], entry["单位"]))
    filed = []
    for sub in materials:
        stem = Path(sub.file_name.rsplit("/", 1)[-1]).stem
        match = next(((g, u) for title, g, u in named if title == stem or title in stem), None)
        if match:
            filed.append(Filed(sub, match[0], match[1], "证明材料目录"))
        else:
            filed.append(Filed(sub, group_in_name(sub.file_name, groups), sub.unit, "文件名中的指标序号"))
    return filed
