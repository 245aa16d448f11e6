"""Task rows of the month: each unit's status per task as the office counts it, and the row-level rules.

A row's counted status (what progress is computed on) is decided here and nowhere else: review decisions,
claims awaiting review, tasks the office closed. The rules that find stale, slipped, stalled and overdue rows
live here too, beside the words that describe them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from ..base.layout import EDITABLE_COLUMNS, EVIDENCE_COLUMNS, STATUS
from ..base.model import Assignment
from ..master.settings import STATUSES
from ..master.tasklist import Master
from .ledger import MonthRecords

DONE = {"已完成", STATUSES[3]}
NOT_REPORTED = "未报送"
VETO_DECLARED, VETO_CLEAR, VETO_PENDING = "已发生", "未发生", "待申报"
REVIEWED, PENDING, RETURNED = "已销号", "待审核", "已退回"


# Tens of thousands at province scale, made anew by every command: not frozen, because a frozen dataclass sets each
# field through object.__setattr__ and made 48,100 rows five times slower (65 ms against 13). Nothing changes a row
# once made; dataclasses.replace makes another.
@dataclass(slots=True)
class RowState:
    assignment: Assignment
    values: dict
    source: str  # file name, or "" when the unit did not report this row
    review: str = ""  # 已销号 / 待审核 / 已退回 for a claim of 已完成 or 无此情形; "" otherwise
    review_reason: str = ""  # why the office returned the claim
    counted: str = ""  # the status progress is counted on ("" = the status itself)
    returned_unchanged: bool = False  # a claim returned in an earlier month, sent again with the same 本月工作进展
    # worked out once when the row is made: every rule asks them, hundreds of thousands of times at province scale
    status: str = field(init=False, default="")  # the reported status, 未报送 when the unit gave none
    counted_status: str = field(init=False, default="")  # what progress counts: counted, else the status
    section: str = field(init=False, default="")  # the task's section: main, bonus or veto

    def __post_init__(self):
        self.status = self.values.get(STATUS) or NOT_REPORTED
        self.counted_status = self.counted or self.status
        self.section = self.assignment.task.section


def row_states(master: Master, records: MonthRecords, blank: set[str] = frozenset()) -> list[RowState]:
    """Every assignment of the master with the values its unit's accepted file gave it this month.

    A unit in blank (报送空表) reported nothing: its rows carry no values.
    """
    rows = []
    count_claims = master.settings.scoring.count_unreviewed_as_done
    reviews, month = records.reviews, records.month
    for assignment in master.assignments():
        unit, task_id = assignment.unit, assignment.task_id
        values = None if unit in blank else records.values.get(unit, {}).get(task_id)
        source = records.accepted[unit].file_name if values is not None else ""
        status = (values or {}).get(STATUS) or NOT_REPORTED
        decisions = reviews.get((unit, task_id), ())
        review, reason = review_status(status, decisions, month)
        unchanged = review == PENDING and _resent_unchanged(values or {}, decisions, month)
        rows.append(RowState(assignment, values or {}, source, review, reason, _counted(status, review, count_claims), unchanged))
    return rows


def _resent_unchanged(values: dict, decisions: list[tuple], month: str) -> bool:
    """Whether a claim returned in an earlier month came back with the very 本月工作进展 that was returned."""
    returned = [d for d in decisions if d[1] == "退回" and d[0] < month]
    if not returned or len(returned[-1]) < 4:
        return False
    return (values.get("本月工作进展") or "").strip() == (returned[-1][3] or "").strip()


def _counted(status: str, review: str, count_claims: bool) -> str:
    """The status progress counts on, when it is not the reported one ("" = the reported one).

    A task the office closed (已销号) stays done whatever a later return says; a claim the office returned (已退回)
    never counts as done; a claim waiting for review (待审核) counts as done only when the settings say so.
    """
    if review == REVIEWED:
        return "" if status in DONE else "已完成"
    if status in DONE and (review == RETURNED or not count_claims):
        return "推进中"
    return ""


def review_status(status: str, decisions: list[tuple[str, str, str]], month: str) -> tuple[str, str]:
    """(已销号 / 待审核 / 已退回 / "", the return reason) of a row from the office's decisions up to this month.

    A pass closes the task for good; a return stands for the month it was made, and a claim made again in a
    later month waits for review anew.
    """
    if not decisions:  # most rows: a claim waits for review, anything else is as reported
        return (PENDING if status in DONE else ""), ""
    passed = [d for d in decisions if d[1] == "通过"]
    if passed:
        return REVIEWED, ""
    returned = [d for d in decisions if d[1] == "退回"]
    if returned and returned[-1][0] == month:
        return RETURNED, returned[-1][2]
    if status in DONE:
        return PENDING, returned[-1][2] if returned else ""
    return "", returned[-1][2] if returned else ""



# the words of the 报送空表 rule, printed on the report's 说明 beside the other answer rules
BLANK_FORM_RULE = "报回的工作簿未填写任何内容(与下发时相同)的,视为“报送空表”:不算报送、不算按时,列入催办名单并发催报。"
RETURN_MARK = "【审核退回】"  # how split wrote a return reason into the unit's own cell before the 审核意见 column: such a return is untouched too


def blank_units(records: MonthRecords) -> set[str]:
    """Units whose accepted workbook came back as issued: nothing filled in (the first month), or nothing changed
    from what split carried over from the last accepted return (later months), its evidence list included."""
    last: dict[str, dict] = {}  # each unit's values as its latest earlier return gave them: what split carried
    for _, values in reversed(records.earlier_values):
        for unit, rows in values.items():
            last.setdefault(unit, rows)
    return {unit for unit in records.accepted
            if _same_evidence(records.evidence.get(unit, []), records.carried_evidence.get(unit, []))
            and _untouched(records.values.get(unit, {}), last.get(unit, {}))}


def _same_evidence(now: list[dict], carried: list[dict]) -> bool:
    def entries(rows):
        return [tuple((k, str(row.get(k) or "")) for k in EVIDENCE_COLUMNS) for row in rows if any(row.get(k) for k in EVIDENCE_COLUMNS)]
    return entries(now) == entries(carried)


def _untouched(values: dict[str, dict], carried: dict[str, dict]) -> bool:
    for task_id, row in values.items():
        before = carried.get(task_id, {})
        for name in EDITABLE_COLUMNS:
            value = row.get(name) or ""
            if value and value != (before.get(name) or "") and not str(value).startswith(RETURN_MARK):
                return False
    return True


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
    if not earlier:
        return {}
    slipped: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    for row in rows:
        planned = row.values.get("预计完成时间") or ""
        if not planned or row.status in DONE or row.section == "veto":
            continue
        unit, task_id = row.assignment.unit, row.assignment.task_id
        history = [v for _, values in earlier if (v := values.get(unit, {}).get(task_id, {}).get("预计完成时间"))]
        if history and planned > history[-1]:
            dates = [d for i, d in enumerate([*history, planned]) if i == 0 or d != [*history, planned][i - 1]]
            slipped[unit].append((task_id, dates))
    return dict(slipped)





def stalled_and_overdue(rows, records: MonthRecords, cycles: int, today: dt.date,
                        overdue: dict[str, list[str]] | None = None) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Per unit: the task ids 未启动 for `cycles` months running, and those past their planned date unfinished
    (overdue_rows; given when the caller has them already: they do not depend on cycles)."""
    # only the months the rule looks at, not every month of the year (stalled_rows says whether there are enough)
    recent = records.earlier_values[-(cycles - 1):] if cycles >= 2 else []
    statuses = [{(u, t): v.get(STATUS) or "" for u, tasks in values.items() for t, v in tasks.items()} for _, values in recent]
    return stalled_rows(rows, statuses, cycles), overdue_rows(rows, today) if overdue is None else overdue


def overdue_rows(rows, today: dt.date) -> dict[str, list[str]]:
    overdue: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if is_overdue(row, today):
            overdue[row.assignment.unit].append(row.assignment.task_id)
    return overdue


def is_overdue(row: RowState, today: dt.date) -> bool:
    """Unfinished past the date the unit planned, or past the task's own deadline (完成时限 of an imported list)."""
    if row.status in DONE or row.section == "veto":
        return False
    return any(day and iso_day(day) < today for day in (row.values.get("预计完成时间"), row.assignment.task.due))


iso_day = lru_cache(maxsize=4096)(dt.date.fromisoformat)  # a month's rows share a few hundred dates


def past_due(row: RowState, today: dt.date) -> bool:
    """Overdue by the task's own deadline (what the words of a reason name), whatever the unit planned."""
    due = row.assignment.task.due
    return bool(due) and row.status not in DONE and row.section != "veto" and iso_day(due) < today


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



def group(items, key) -> dict[str, list]:
    """Items grouped by key, each group in the items' order."""
    grouped = defaultdict(list)
    for item in items:
        grouped[key(item)].append(item)
    return grouped


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0
