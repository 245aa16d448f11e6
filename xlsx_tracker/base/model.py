"""Plain data shared by every stage. Stages take these and return these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

SECTION_LABELS = {"main": "指标", "bonus": "加分项", "veto": "否决项"}
SECTION_BY_LABEL = {label: key for key, label in SECTION_LABELS.items()}


@dataclass(frozen=True)
class Indicator:
    """One numbered indicator of the checklist (or one 附加项 entry)."""

    section: str  # "main", "bonus" or "veto"
    number: int
    level1: str
    level2: str
    text: str
    group_id: str
    source_line: int = 0

    @property
    def label(self) -> str:
        if self.section == "main":
            return str(self.number)
        return f"{SECTION_LABELS[self.section]}{self.number}"


@dataclass(frozen=True)
class Task:
    """One reporting unit of work: a materials group, or one 序号 sub-item of it."""

    group_id: str
    part: str | None
    section: str
    indicators: tuple[int, ...]
    level1: str
    level2: str
    indicator_text: str
    materials: str
    part_text: str
    report_titles: tuple[str, ...]
    lead_text: str
    units: tuple[str, ...]
    notes: str
    source_line: int
    cooperating: tuple[str, ...] = ()  # 配合 units: they see the task; they report on it only when the settings say so
    deadline: str = ""  # the task's own deadline as written (完成时限); typed by master.deadlines
    due: str = ""  # the date it gives (ISO), fixed when the list was imported: “6月底前” of the year it was written for

    @cached_property  # asked for every row of every rule: worked out once per task
    def task_id(self) -> str:
        return self.group_id if self.part is None else f"{self.group_id}/{self.part}"


@dataclass(frozen=True, slots=True)  # tens of thousands at province scale
class Assignment:
    """One task given to one unit: a row of that unit's workbook."""

    task: Task
    unit: str

    @property
    def task_id(self) -> str:
        return self.task.task_id


@dataclass
class Carried:
    """A unit's last accepted values, used to prefill its next workbook."""

    rows: dict[str, dict[str, object]] = field(default_factory=dict)
    evidence: list[dict[str, str]] = field(default_factory=list)
    liaison: dict[str, str] = field(default_factory=dict)
    reviews: dict[str, tuple[str, str]] = field(default_factory=dict)  # task id -> (通过/退回, reason): the last decision


@dataclass(frozen=True, slots=True)  # tens of thousands at province scale
class Problem:
    """A finding about an input, with where it is and what to do about it."""

    code: str
    message: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    unit: str = ""
    severity: str = "error"  # "error" rejects a value or file, "warning" keeps it

    def location(self) -> str:
        parts = [p for p in (self.file, self.sheet, self.cell) if p]
        return " / ".join(parts) or self.unit


class TrackerError(Exception):
    """An error the user can fix; carries the problems that explain it."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = list(problems or [])


def wall_clock(stamp: dt.datetime) -> dt.datetime:
    """A time as this computer's local wall-clock time without zone, to the second: how the ledger keeps times."""
    return (stamp.astimezone().replace(tzinfo=None) if stamp.tzinfo else stamp).replace(microsecond=0)
