"""What each unit was issued for a month: the locked text of its rows. split writes it, reconcile judges by it."""

from __future__ import annotations

from dataclasses import dataclass

from .master import Master
from .model import Assignment
from .workdays import Deadline

MAX_LISTED_LEADS = 40  # beyond this a list of co-lead units helps nobody (city- or province-wide masters)
WHOLE_GROUP = "全部申报材料"
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
        texts[task.task_id] = text + (f"\n备注:{task.notes}" if task.notes else "")
    return texts


def locked_values(assignment: Assignment, deadline: Deadline, leads: dict[str, str]) -> dict[str, object]:
    """The locked cells of one issued row, by column name."""
    task = assignment.task
    return {
        "编号": task.task_id,
        "一级指标": task.level1,
        "二级指标": task.level2,
        "三级指标": task.indicator_text,
        "本单位承担事项": task.part_text or WHOLE_GROUP,
        "申报材料要求": task.materials or VETO_MATERIALS,
        "情况说明题目": "\n".join(task.report_titles),
        "牵头单位": leads[task.task_id],
        "截止日期": deadline.deadline,
    }


class IssuedRows:
    """What each unit was given this month, built on first use of each unit.

    Lazy, so that worker processes only build the units of the files they read.
    """

    def __init__(self, master: Master, deadline: Deadline):
        self.master, self.deadline = master, deadline
        self.leads = lead_texts(master)
        self._cache: dict[str, Issued] = {}

    def __getitem__(self, unit: str) -> Issued:
        if unit not in self._cache:
            assignments = self.master.assignments_for(unit)
            self._cache[unit] = Issued(
                rows={a.task_id: locked_values(a, self.deadline, self.leads) for a in assignments},
                veto_ids={a.task_id for a in assignments if a.task.section == "veto"},
            )
        return self._cache[unit]
