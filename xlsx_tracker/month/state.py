"""The month state: rows, unit scores, indicators, lights, follow-ups and problems, as plain data.

`compute_state` is a pure function of the master, the deadline and the ledger's records of the month;
`load_state` reads those records once and writes nothing. Every view (console, report, receipts, the 通报)
renders this one state, so a figure is computed in one place. The rules live by job in
`rows`, `scoring`, `lights`, `followups` and `figures`, each beside the words that describe it.
"""

from __future__ import annotations

import datetime as dt
import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

from ..base.model import Problem
from ..base.problems import LIAISON_CHANGED, MASTER_EDITED_AFTER_ISSUE, RESUBMISSION_TIE, RESUBMISSION_UNTIMED, SUPERSEDED, problem
from ..calendar.workdays import Deadline
from ..master.issued import changed_since_issue, issue_source
from ..master.tasklist import Master
from . import ledger, resubmission
from .followups import FollowUp, follow_up_rule, follow_ups
from .ledger import MonthRecords, Submission
from .lights import Light, indicator_lights, time_pace, unit_lights
from .rows import VETO_DECLARED, RowState, blank_units, group, mean, overdue_rows, row_states, slipped_rows, stale_rows
from .run import MonthRun
from .scoring import IndicatorState, UnitScore, indicator_states, level1_progress, unit_scores
from .values_cache import ValuesCache


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
    follow_up_rule: str = ""  # what puts a unit on the 催办名单, in the office's words (settings in force)

    def row_progress(self, row: RowState) -> float:
        return self.weights.get(row.counted_status, 0.0)

    @property
    def overall_progress(self) -> float:
        return mean([self.row_progress(r) for r in self.rows if r.section != "veto"])

    @property
    def main_indicators(self) -> int:
        """How many indicators the master's checklist has (its 指标 section, without 加分项 and 否决项)."""
        return sum(1 for i in self.indicators if i.indicator.section == "main")

    @property
    def indicators_done(self) -> int:
        return sum(1 for i in self.indicators if i.indicator.section == "main" and i.status == "已完成")

    @property
    def not_returned(self) -> list[str]:
        """Units without a usable return this month (报送空表 included)."""
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

    def follow_up_of(self, unit: str) -> FollowUp | None:
        """The unit's place in the one set of units chased this month (None: not chased)."""
        return self._follow_ups_by_unit.get(unit)

    @cached_property
    def _follow_ups_by_unit(self) -> dict[str, FollowUp]:
        return {f.unit: f for f in self.follow_ups}

    # indexes built once: per-unit lookups by scanning every row are quadratic at province scale
    @cached_property
    def _scores_by_unit(self) -> dict[str, UnitScore]:
        return {u.unit: u for u in self.units}

    @cached_property
    def _rows_by_unit(self) -> dict[str, list[RowState]]:
        return group(self.rows, lambda row: row.assignment.unit)

    @cached_property
    def _problems_by_unit(self) -> dict[str, list[Problem]]:
        return group(self.problems, lambda p: p.unit)

    @cached_property
    def _submissions_by_unit(self) -> dict[str, list[Submission]]:
        return group(self.submissions, lambda s: s.unit)

    @cached_property
    def _lights_by_unit(self) -> dict[str, Light]:
        return {light.key: light for light in reversed(self.unit_lights)}  # the first, as a scan would find


# ---------------------------------------------------------------- reading


def load_state(run: MonthRun, today: dt.date | None = None) -> MonthState:
    """The month's state from the ledger, read in one pass."""
    with no_cycle_collection():
        with run.ledger() as conn:
            records = ledger.load_month(conn, run.month, ValuesCache(run.workspace.cache_dir).contents)
            sources = ledger.issue_sources(conn, run.month)
            current = issue_source(run.master, run.deadline)
            # the snapshots (tens of MB at province scale) are read only when some unit was issued from another master
            snapshots = ledger.issues(conn, run.month) if any(made != current for made in sources.values()) else {}
        return compute_state(run.master, run.deadline, records, today, month_notices(run, snapshots, sources))


@contextmanager
def no_cycle_collection():
    """A province's month state is a few hundred thousand new objects and no garbage cycles: the cyclic collector,
    woken every 700 allocations to scan them again, took a tenth of the time of building it. Only around work that
    makes no cycles: parsing mail, for one, makes a new class per header (a cycle) and must keep its collector."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def month_notices(run: MonthRun, snapshots: dict, sources: dict | None = None) -> list[Problem]:
    """What the office should know about the month as a whole: a master edited after the workbooks went out."""
    changed = changed_since_issue(run.master, run.deadline, snapshots, sources)
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
    blank = blank_units(records) if master.settings.answers.blank_form_is_missing else set()
    rows = row_states(master, records, blank)
    liaisons, changes = roster_now(master.roster, records)
    problems = [*notices, *records.problems, *_superseded_problems(records), *changes]
    units = unit_scores(master.registry.units, rows, records.accepted, problems, deadline, weights, rules, blank)
    stale, slipped = stale_rows(rows, records.earlier_values), slipped_rows(rows, records.earlier_values)
    today = today or deadline.deadline
    indicators = indicator_states(master.indicators, rows, weights)
    pace = time_pace(master.settings.lights, deadline.deadline)
    overdue = overdue_rows(rows, today)  # the lights and the follow-ups ask the same question
    lights = unit_lights(master.settings.lights, rows, units, problems, stale, slipped, records, today, pace,
                         master.settings.report_day.previous, overdue)
    return MonthState(
        unit_lights=lights, indicator_lights=indicator_lights(master.settings.lights, indicators, pace), pace=pace,
        month=records.month, deadline=deadline, rows=rows, units=units,
        indicators=indicators, level1=level1_progress(rows, weights),
        vetoes=[r for r in rows if r.section == "veto" and r.status == VETO_DECLARED],
        problems=problems, evidence=_evidence(records), liaisons=liaisons,
        follow_ups=follow_ups(rows, units, records, rules, today, liaisons, stale, slipped, {x.key: x.light for x in lights},
                              problems, overdue),
        weights=weights, accepted=records.accepted, superseded=records.superseded, submissions=list(records.submissions),
        stale=stale, slipped=slipped, follow_up_rule=follow_up_rule(rules),
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
        elif resubmission.compare(winner, lost)[1] == "untimed":  # no clock both have: the office decides
            why, kept = untimed_words(lost, winner)
            found.append(problem(RESUBMISSION_UNTIMED, file=lost.file_name, unit=lost.unit, winner=winner.file_name, why=why, kept=kept))
    return found


def superseded_reason(lost: Submission, winner: Submission) -> tuple[str, str]:
    """(why lost did not win, the rule that broke a tie of equal times or '') — never calling a file newer when it is
    not, and comparing only times of one kind (month.resubmission)."""
    name = f"“{winner.file_name}”"
    if lost.doubt and not winner.doubt:
        return f"本文件{lost.doubt},采用该单位的{name}", ""
    if (lost.issued or "") != (winner.issued or ""):
        return f"采用下发时间较新的{name}(本文件 {lost.issued or '未知'},采用文件 {winner.issued or '未知'})", ""
    both = resubmission.receipts(lost, winner)  # the mail server or a dated folder says which came later
    if both and both[1] > both[0]:
        width = 10 if both[0][:10] != both[1][:10] else 16
        return f"采用较晚收到的{name}(本文件 {both[0][:width]} 收到,采用文件 {both[1][:width]} 收到)", ""
    if lost.saved_at and winner.saved_at and winner.saved_at > lost.saved_at:
        return f"采用保存时间较晚的{name}(本文件 {lost.saved_at},采用文件 {winner.saved_at})", ""
    if resubmission.untimed(lost, winner):
        return f"与{name}无法判断先后,暂采用{untimed_words(lost, winner)[1]}{name},待人工确认", ""
    if (lost.saved_at or "") != (winner.saved_at or ""):  # a ledger that still ranks the saved time before the receipt
        return f"采用保存时间较晚的{name}(本文件 {lost.saved_at or '未知或不可信'},采用文件 {winner.saved_at or '未知或不可信'})", ""
    if lost.received_at != winner.received_at:
        return f"两份文件下发、保存时间相同,采用较晚收到的{name}", "收到时间"
    return f"两份文件下发、保存、收到时间都相同,按文件名顺序采用{name}", "文件名顺序"


def untimed_words(lost: Submission, winner: Submission) -> tuple[str, str]:
    """(why two copies cannot be ordered, what the one kept has that the other lacks) for resubmission-untimed."""
    if bool(lost.saved_at) != bool(winner.saved_at):
        who = "本文件" if not lost.saved_at else "采用的文件"
        why = f"{who}没有可信的保存时间(文档属性缺失、损坏或不可信),收到时间也分不出先后"
    elif resubmission.receipt_of(lost) or resubmission.receipt_of(winner):
        why = "两份文件都没有可信的保存时间,又不是都有收到时间(邮件或日期文件夹)"
    else:
        why = "两份文件都没有可信的保存时间和收到时间"
    if winner.saved_at and not lost.saved_at:
        kept = "有保存时间的"
    elif resubmission.receipt_of(winner) and not resubmission.receipt_of(lost):
        kept = "有收到时间的"
    else:
        kept = "先入账的" if winner.received_at < lost.received_at else ""
    return why, kept


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

