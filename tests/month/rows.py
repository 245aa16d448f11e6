"""Plain-data builders of the month's rows, shared by the state and lights tests (a helper module, not a test module)."""

from xlsx_tracker.base.model import Assignment, Task
from xlsx_tracker.month.rows import RowState


def task(group_id, section="main", numbers=(1,)):
    return Task(group_id, None, section, numbers, "一、政府职能依法全面履行", "(一)", "原文", "材料", "", (), "", ("各部门",), "", 0)


def row(unit, status, group_id="1", section="main", planned=""):
    """One unit's row of a task: returned with status (and planned date), or not returned when status is empty."""
    values = {"进展状态": status, "预计完成时间": planned} if status else {}
    return RowState(Assignment(task(group_id, section), unit), values, f"{unit}.xlsx" if status else "")
