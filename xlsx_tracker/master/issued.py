"""What each unit was issued for a month: the locked text of its rows. split writes it, reconcile judges by it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from ..base.layout import HASHED_COLUMNS
from ..base.model import Assignment, Task
from ..calendar.workdays import Deadline
from .deadlines import task_deadline
from .tasklist import Master
from .units import ALL_UNITS

MAX_LISTED_LEADS = 40  # beyond this a list of co-lead units helps nobody (city- or province-wide masters)
WHOLE_GROUP = "全部申报材料"
COOPERATING_MARK = "【配合】"  # a row the unit reports on as a 配合 unit
VETO_MATERIALS = "各单位自查申报:如本单位存在所列情形,进展状态选“已发生”并在“本月工作进展”中说明;否则选“未发生”。"


@dataclass
class Issued:
    """What one unit was given: its rows' locked text by id, in issued order, and which are veto rows."""

    rows: dict[str, dict]
    veto_ids: set[str]


def lead_texts(master: Master) -> dict[str, str]:
    """The 牵头单位 cell of every task, computed once: a unit sees whom it coordinates with."""
    texts = {}
    for task in master.tasks:
        units = master.units_of(task)
        if task.section != "main":
            text = "各部门(全部单位)"
        elif len(units) > MAX_LISTED_LEADS:
            text = f"共 {len(units)} 个单位(名单见总任务清单)"
        else:
            text = "、".join(units)
        if task.deadline or task.cooperating:  # an imported list's roles and deadline, as the office wrote them
            text = "\n".join(filter(None, [task.lead_text, f"完成时限:{task_deadline(task).describe()}" if task.deadline else ""]))
        texts[task.task_id] = text + (f"\n备注:{task.notes}" if task.notes else "")
    return texts


def helping_tasks(master: Master, unit: str) -> list[Task]:
    """The tasks a unit only cooperates on: it reads them in its workbook and reports on them only when the settings
    make it a reporting unit of the task too ([tasks] cooperating_report)."""
    return [t for t in master.tasks if (unit in t.cooperating or ALL_UNITS in t.cooperating) and unit not in master.units_of(t)]


def helping_only_units(master: Master) -> list[str]:
    """Units the list names only as 配合 and never as reporting units: each gets a notice instead of a form."""
    reporting = set(master.registry.units)
    return [u for u in dict.fromkeys(u for t in master.tasks for u in t.cooperating) if u not in reporting and u != ALL_UNITS]


def locked_values(assignment: Assignment, deadline: Deadline, leads: dict[str, str]) -> dict[str, object]:
    """The locked cells of one issued row, by column name."""
    task = assignment.task
    return {
        "编号": task.task_id,
        "一级指标": task.level1,
        "二级指标": task.level2,
        "三级指标": task.indicator_text,
        "本单位承担事项": (COOPERATING_MARK if assignment.unit in task.cooperating else "")
        + (task.part_text or (WHOLE_GROUP if task.materials or task.section != "main" else "")),
        "申报材料要求": task.materials or (VETO_MATERIALS if task.section != "main" else ""),
        "情况说明题目": "\n".join(task.report_titles),
        "牵头单位": leads[task.task_id],
        "截止日期": deadline.deadline,
    }


def issued_for(master: Master, unit: str, deadline: Deadline, leads: dict[str, str]) -> Issued:
    """What the current master gives a unit: the rows split writes into its workbook."""
    assignments = master.assignments_for(unit)
    return Issued(rows={a.task_id: locked_values(a, deadline, leads) for a in assignments},
                  veto_ids={a.task_id for a in assignments if a.task.section == "veto"})


def snapshot_rows(issued: Issued) -> list[list]:
    """An Issued as plain JSON-ready rows: [task id, locked values, is veto] in issued order."""
    return [[task_id, {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}, task_id in issued.veto_ids]
            for task_id, values in issued.rows.items()]


@lru_cache(maxsize=256)
def from_snapshot(text: str) -> Issued:
    """A recorded snapshot (JSON text of `snapshot_rows`), decoded once per distinct text. Read-only: shared."""
    rows = json.loads(text)
    return Issued(rows={task_id: values for task_id, values, _ in rows}, veto_ids={task_id for task_id, _, veto in rows if veto})


class IssuedRows:
    """What each unit was given this month: the snapshot split recorded, else what the master gives today.

    Lazy, so that worker processes only build the units of the files they read.
    """

    def __init__(self, master: Master, deadline: Deadline, snapshots: dict[str, dict[str, str]] | None = None):
        self.master, self.deadline = master, deadline
        self.snapshots = snapshots or {}  # unit -> issued time -> snapshot rows as JSON text
        self._leads: dict[str, str] | None = None
        self._cache: dict[str, Issued] = {}

    def __getitem__(self, unit: str) -> Issued:
        return self.for_return(unit, "")[0]

    def for_return(self, unit: str, issued_at: str) -> tuple[Issued, bool]:
        """(what the workbook of that issue held, whether it comes from the recorded snapshot)."""
        rows = self.snapshots.get(unit, {}).get(issued_at)
        if rows is not None:
            return from_snapshot(rows), True
        if unit not in self._cache:
            self._leads = self._leads or lead_texts(self.master)
            self._cache[unit] = issued_for(self.master, unit, self.deadline, self._leads)
        return self._cache[unit], False


def issue_source(master: Master, deadline: Deadline) -> tuple[str, str]:
    """What a unit's issued rows are made from, as the ledger records it with each issue: the master and the deadline."""
    return master.version, deadline.deadline.isoformat()


def changed_since_issue(master: Master, deadline: Deadline, snapshots: dict[str, dict[str, str]],
                        made_from: dict[str, tuple[str, str]] | None = None) -> list[str]:
    """Task ids whose issued text differs from what the master gives today (latest issue of each unit).

    made_from: unit -> (master version, deadline) its latest issue was written from. A unit issued from this very
    master and deadline is given the same rows today (they are made from nothing else) and is not compared again:
    at province scale the comparison cost a second per command.
    """
    leads, changed = None, set()
    current = issue_source(master, deadline)
    for unit, issues in snapshots.items():
        if made_from and made_from.get(unit) == current:
            continue
        leads = leads or lead_texts(master)
        then = from_snapshot(issues[max(issues)])
        now = issued_for(master, unit, deadline, leads)
        for task_id in set(then.rows) | set(now.rows):
            before, after = then.rows.get(task_id), now.rows.get(task_id)
            if before is None or after is None or any(str(before.get(c, "")) != str(after.get(c, "")) for c in HASHED_COLUMNS):
                changed.add(task_id)
    return sorted(changed, key=task_id_order)


def task_id_order(task_id: str) -> tuple:
    """Task ids in checklist order: 2 before 10, a number's parts (10/1, 10-2) after it, named items last."""
    head = task_id.split("/")[0].split("-")[0]
    return (0, int(head), task_id) if head.isdigit() else (1, 0, task_id)
